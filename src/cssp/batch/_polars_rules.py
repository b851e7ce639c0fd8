"""The table format's fields and rules as Polars expressions (the Polars kernel's parts).

Everything here is generated from the declarations the numpy engine reads:

* :class:`Fields`: each name of the measures' vocabulary
  (:data:`cssp.model.measures.FIELDS`) as an expression over a table in cssp's
  format, null where the field is missing (NaN in the numpy engine's columns) —
  the facility sums from their declarations
  (:data:`~cssp.model.measures.FACILITY_FIELDS`, the table's two facilities as
  :mod:`cssp.batch.frame` reads them), the services known when any service
  column is given, the scopes' flags, and the rural test
  (:func:`~cssp.model.schema.village_rural`, the digits it finds rural);
* :func:`validation`: the table rules of :mod:`cssp.model.schema` as one row
  of aggregations — each numeric column's
  :func:`~cssp.model.schema.value_tests` (a bound on the column's least and
  greatest values, wholeness on every row of a float column), yes/no columns,
  the :data:`~cssp.model.schema.PART_RULES`, a facility said not to exist but
  described, a commercial area without the comprehensive facility's presence,
  ``extra.NAME`` finite and well named.

A table this module cannot compile raises :class:`Refused`; a table that
breaks a rule is found so, and the caller hands it to the numpy engine, which
names the rows: the messages are that engine's.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from typing import Final

import polars as pl

from cssp.batch.frame import _FACILITY_COLUMNS, _FLAGS, VALUE_FIELDS
from cssp.model.community import FacilityKind, Service
from cssp.model.measures import FACILITY_FIELDS, FIELDS, FacilityField
from cssp.model.schema import FIELD_RULES, PART_RULES, part_problem, value_tests, village_rural

__all__ = [
    "FACILITY_COLUMNS",
    "FLAG_COLUMNS",
    "KNOWN",
    "SERVICES",
    "Fields",
    "Refused",
    "Statistics",
    "check_columns",
    "columns_read",
    "validation",
]

#: The yes/no columns of a community (not given: no) and its facility columns:
#: the numpy engine's own lists.
FLAG_COLUMNS: Final = _FLAGS
FACILITY_COLUMNS: Final = _FACILITY_COLUMNS
#: The facilities a table row describes and the prefix of their columns (as
#: :mod:`cssp.batch.frame` reads them, in this order).
TABLE_FACILITIES: Final = (
    (FacilityKind.COMPREHENSIVE, "facility_"),
    (FacilityKind.COMMERCIAL, "commercial_"),
)
SERVICES: Final = tuple(s.value for s in Service)
#: The columns the Polars kernel reads besides ``extra.NAME`` and the services
#: (``name`` is not read; ``kind``, ``urban_rural_class`` and place names are
#: left to the numpy engine).
KNOWN: Final = frozenset(("code", "name", *VALUE_FIELDS, *FLAG_COLUMNS, *FACILITY_COLUMNS))
#: The numeric columns and the rule (:data:`~cssp.model.schema.FIELD_RULES`) each obeys.
RULES: Final = {
    **{name: name for name in VALUE_FIELDS},
    **{name: name.partition("_")[2] for name in FACILITY_COLUMNS[1:]},
}
#: Digits 10–12 that are a unit, and those of a rural one (the one rule, for each of 0–999:
#: a look-up costs a fifth of its ranges' comparisons).
KNOWN_VILLAGES: Final = [v for v in range(1000) if village_rural(v)[0]]
RURAL_VILLAGES: Final = [v for v in range(1000) if village_rural(v)[1]]
#: The yes/no columns (booleans, or numbers that must be 0 or 1).
YES_NO: Final = (*FLAG_COLUMNS, "has_facility", *SERVICES)


class Refused(Exception):
    """The Polars kernel does not evaluate this file: the numpy engine does."""


def _null() -> pl.Expr:
    return pl.lit(None, dtype=pl.Float64)


class Fields:
    """The fields of :data:`~cssp.model.measures.FIELDS` as expressions over a table.

    The table has a column ``pre:key``, the codes as integers; :meth:`shared`
    adds the columns that many expressions read (Polars does not share a
    subexpression between expressions: a code's village digits tested in eight
    comparisons are computed eight times).
    """

    def __init__(self, schema: Mapping[str, pl.DataType]) -> None:
        self.schema = schema

    def shared(self) -> list[pl.Expr]:
        """The columns computed once, from the table's: the village digits and which
        facilities each row has, whether its facilities and services are known."""
        has = self.column("has_facility")
        parts_given = (
            self.column("facility_activity_area").is_not_null()
            | self.column("facility_office_area").is_not_null()
            | self.column("facility_opening_hours").is_not_null()
        )
        comprehensive = (
            self.column("facility_floor_area").is_not_null()
            | (has == 1).fill_null(False)
            | parts_given
        )
        commercial = self.column("commercial_floor_area").is_not_null()
        present = any(c in self.schema for c in FACILITY_COLUMNS)
        known = (comprehensive | has.is_not_null() | commercial) if present else pl.lit(False)
        given = [self.given(s) for s in SERVICES if s in self.schema]
        return [
            (pl.col("pre:key") % 1000).alias("pre:village"),
            comprehensive.alias("pre:comprehensive"),
            commercial.alias("pre:commercial"),
            known.alias("pre:known"),
            (pl.any_horizontal(given) if given else pl.lit(False)).alias("pre:services"),
        ]

    def given(self, name: str) -> pl.Expr:
        """Whether a row gives a value in the column ``name``: :meth:`column` not null, tested
        without its cast where the type has no NaN (a cast of each of the 22 services'
        columns to Float64 cost a sixth of the judging query)."""
        kind = self.schema.get(name)
        if kind is None or kind.is_float():
            return self.column(name).is_not_null()
        return pl.col(name).is_not_null()

    def column(self, name: str) -> pl.Expr:
        """A numeric or yes/no column as Float64, null where not given (NaN too, as the
        numpy engine reads it); a null literal if the table has no such column."""
        kind = self.schema.get(name)
        if kind is None:
            return _null()
        column = pl.col(name).cast(pl.Float64)
        return column.fill_nan(None) if kind.is_float() else column

    def flag(self, name: str) -> pl.Expr:
        """A yes/no column as a boolean (not given: no)."""
        kind = self.schema.get(name)
        if kind is None:
            return pl.lit(False)
        if kind == pl.Boolean:
            return pl.col(name).fill_null(False)
        return (self.column(name) == 1).fill_null(False)

    def scope_flags(self) -> dict[str, pl.Expr]:
        """The flags the scopes test (:data:`~cssp.model.measures.FLAG_NAMES`)."""
        rural: pl.Expr = pl.col("pre:village").is_in(RURAL_VILLAGES)
        return {"rural": rural, **{f: self.flag(f) for f in FLAG_COLUMNS}}

    def facility(self, spec: FacilityField) -> pl.Expr:
        """A facility sum from its declaration, the row's facilities in the table's order
        (as :func:`cssp.batch.frame._table_sum`)."""
        present = {
            FacilityKind.COMPREHENSIVE: pl.col("pre:comprehensive"),
            FacilityKind.COMMERCIAL: pl.col("pre:commercial"),
        }
        covered = [(kind, prefix) for kind, prefix in TABLE_FACILITIES if kind in spec.kinds]
        total: pl.Expr
        if spec.op in ("count", "any"):
            total = pl.lit(0.0)
            for kind, _ in covered:
                total = total + present[kind].cast(pl.Float64)
            if spec.op == "any":
                total = (total > 0).cast(pl.Float64)
        else:
            total = pl.lit(0.0 if spec.op == "sum" else spec.start)
            for kind, prefix in covered:
                value = self.column(prefix + spec.attribute)
                if spec.op == "sum":  # null where the kind is present without the value
                    total = total + pl.when(present[kind]).then(value).otherwise(0.0)
                else:  # the least; null (NaN in numpy) as soon as one is null
                    other = pl.when(present[kind]).then(value).otherwise(math.inf)
                    either = total.is_null() | other.is_null()
                    total = pl.when(either).then(None).otherwise(pl.min_horizontal(total, other))
        return pl.when(pl.col("pre:known")).then(total).otherwise(None)

    def field(self, name: str) -> pl.Expr:
        """Field ``name`` (:data:`~cssp.model.measures.FIELDS`, ``extra.NAME``).

        :raises Refused: for a field of township records or one it does not know.
        """
        if name == "communities":
            return pl.lit(1.0)
        if name.startswith("extra."):
            return self.column(name)
        if name.startswith("services."):
            present = self.flag(name[len("services.") :]).cast(pl.Float64)
            return pl.when(pl.col("pre:services")).then(present).otherwise(None)
        spec = FACILITY_FIELDS.get(name)
        if spec is not None:
            return self.facility(spec)
        info = FIELDS.get(name)
        if info is None or not info.path:
            raise Refused(f"field {name!r}")
        return self.column(name.removeprefix("staff."))


# --- validation: the table rules, row by row --------------------------------------------

#: A column's least and greatest values known without reading it (a row group's
#: statistics), by column: what the bounds of :func:`validation` are tested on.
Statistics = Mapping[str, tuple[float, float]]


def check_columns(schema: Mapping[str, pl.DataType]) -> None:
    """Refuse a table with a column the kernel does not read as the numpy engine does.

    :raises Refused: for ``kind``, ``urban_rural_class``, place names, a column of
        text, dates, decimals or categories where numbers or yes/no belong (the
        numpy engine reads text as the readers do), and codes that are not text.
    """
    for name, kind in schema.items():
        if not (name in KNOWN or name in SERVICES or name.startswith("extra.")):
            raise Refused(f"column {name!r}")
        if name == "code":
            if kind != pl.String:
                raise Refused("codes that are not text")
        elif name != "name" and not (
            kind == pl.Boolean or kind.is_integer() or kind in (pl.Float32, pl.Float64)
        ):
            raise Refused(f"column {name!r} of {kind}")


def columns_read(
    schema: Mapping[str, pl.DataType], fields: Iterable[str], known: Statistics
) -> list[str]:
    """The columns of ``schema`` to decode: those the ``fields`` are computed from, and
    those whose rules their type and ``known`` least and greatest values do not decide.

    A column the run does not read is still held to the table's rules: a bound
    (not negative, at most 24 hours …) decided by its least and greatest values
    over the whole file, from the row groups' statistics; wholeness by an
    integer type; yes or no by a boolean type (or integers from 0 to 1). The
    rules across columns — a part and its whole, a facility denied but
    described — need both decoded, as do a float count and a column whose
    statistics are not given.

    :param fields: the fields the checks read (:data:`~cssp.model.measures.FIELDS`,
        ``extra.NAME``, and the scopes' flags by name).
    """
    wanted: set[str] = set()
    for name in fields:
        if name.startswith(("services.", "facilities.")):  # the services or facilities known
            wanted.update(SERVICES if name.startswith("services.") else FACILITY_COLUMNS)
        elif name not in ("communities", "rural"):
            wanted.add(name.removeprefix("staff."))
    wanted.update(FACILITY_COLUMNS)  # the rules across a facility's columns
    for rule in PART_RULES:
        prefix = "" if rule.part == "trained_workers" else "facility_"
        names = [prefix + n for n in (rule.part, rule.plus, rule.whole) if n]
        if all(n in schema for n in names):
            wanted.update(names)
    out = []
    for name, kind in schema.items():
        if name in ("code", "name"):
            continue
        ends = known.get(name)
        field_rule = RULES.get(name)
        if name in YES_NO:
            decided = kind == pl.Boolean or (
                kind.is_integer() and ends is not None and ends[0] >= 0 and ends[1] <= 1
            )
        else:  # a number: its bounds from its statistics, wholeness from its type
            whole = field_rule is not None and FIELD_RULES[field_rule].whole
            decided = ends is not None and not (whole and kind.is_float())
        if name in wanted or not decided:
            out.append(name)
    return out


def validation(
    schema: Mapping[str, pl.DataType], read: Iterable[str], known: Statistics
) -> tuple[pl.Expr, bool]:
    """The table rules over the columns of ``schema``: an expression true for each row
    that breaks one in the columns ``read``, and whether the ``known`` least and
    greatest values of a column not read break one already.

    A bound (not negative, at most 24 hours …) broken by some row is broken by
    the column's least or greatest value, as :mod:`cssp.batch.frame` tests it:
    a column not read is tested on its ``known`` ones (:func:`columns_read` says
    which need not be read); a column read, row by row, as are wholeness, yes or
    no, and the rules across columns. NaN is no value (as numpy's ``fmin`` and
    ``fmax`` pass over it). The codes are checked apart.
    """
    decoded = set(read)
    fields = Fields({name: kind for name, kind in schema.items() if name in decoded})
    rows: list[pl.Expr] = []
    broken = False
    for column, rule_name in RULES.items():
        if column not in schema:
            continue
        values = fields.column(column)  # NaN: null
        ends = None if column in decoded else known[column]
        for test, _, bound in value_tests(FIELD_RULES[rule_name], pl.Expr.floor):
            if bound and ends is not None:
                broken = broken or any(bool(test(float(end))) for end in ends)
            elif bound or schema[column].is_float():  # wholeness: integers are whole
                rows.append(test(values))
    for column in YES_NO:
        if column in decoded and schema[column] != pl.Boolean:
            values = fields.column(column)
            rows.append((values != 0) & (values != 1))
    for rule in PART_RULES:
        prefix = "" if rule.part == "trained_workers" else "facility_"
        names = [prefix + n for n in (rule.part, rule.plus, rule.whole) if n]
        if not all(n in schema for n in names):
            continue  # a column not given: NaN in numpy, and NaN passes
        part = rule.value(functools.partial(_prefixed, fields, prefix))
        failed, _ = part_problem(rule, part, fields.column(prefix + rule.whole))
        rows.append(failed)
    if any(c in schema for c in FACILITY_COLUMNS):
        comprehensive = pl.col("pre:comprehensive")
        has = fields.column("has_facility")
        rows += [  # where has_facility is no, the comprehensive facility is one described
            comprehensive & (has == 0),
            ~comprehensive & has.is_null() & pl.col("pre:commercial"),
        ]
    for name in schema:
        if name.startswith("extra."):
            if not name[len("extra.") :].isidentifier():
                raise Refused(f"column {name!r}")  # the numpy engine names it
            if name in decoded:
                rows.append(fields.column(name).is_infinite())
            else:
                broken = broken or any(math.isinf(end) for end in known[name])
    bad = pl.any_horizontal(rows).fill_null(False) if rows else pl.lit(False)
    return bad, broken


def _prefixed(fields: Fields, prefix: str, name: str) -> pl.Expr:
    return fields.column(prefix + name)
