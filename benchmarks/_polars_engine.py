"""Prototype (issue 15 item 3): cssp's declarations compiled to Polars lazy expressions.

Not shipped code: the engine that ``proto_polars_engine.py`` holds to cssp
and times, to measure whether a second columnar engine, on Polars, could meet
the ``peers`` goal while doing what cssp does — validating its input and
summing exactly.

What it builds, from the same declarations the numpy engine reads:

* **fields**: each name of the measures' vocabulary
  (:data:`cssp.model.measures.FIELDS`) as a Polars expression over a table in
  cssp's format, null where the field is missing — the facility sums from
  their declarations (:data:`~cssp.model.measures.FACILITY_FIELDS`, the
  table's facilities as ``cssp.batch.frame`` reads them), the services known
  when any service column is given, the scopes' flags from
  :data:`~cssp.model.measures.SCOPE_FLAGS` and the rural test from
  :func:`~cssp.model.schema.village_rural` applied to an expression;
* **statuses**: each check of the compiled program
  (:func:`cssp.engine.program.compile_program`) as one ``when`` chain — out
  of scope, then each of the measure's ``tests`` in order, then the target's
  :attr:`Comparator.holds <cssp.model.kinds.Comparator.holds>` applied to
  expressions (the same function the engines call);
* **exact sums**: every summed field as integers — whole numbers as Int64,
  other values as Int128 multiples of ``2**low`` (``low`` the last bit of the
  column's smallest positive value, as ``cssp.batch._exact`` does),
  summed by ``group_by`` and rounded once by Polars' Int128 → Float64 cast
  (Rust's ``as``: to nearest, ties to even) then scaled by ``2**low``
  (exact in the normal range): :func:`math.fsum` to the bit;
* **regions**: the township sums and counts, regrouped to each coarser level,
  judged by :func:`~cssp.engine.program.region_terms` and
  :func:`~cssp.engine.program.region_status` applied to expressions;
* **validation**: the table rules of :mod:`cssp.model.schema`, generated as
  aggregations over every column (:func:`validation`): codes of 12 digits with
  a known province and village digits, distinct; each numeric column's
  :func:`~cssp.model.schema.value_tests` (bounds on its least and greatest
  value, wholeness on every row of a float column); yes/no columns; the
  :data:`~cssp.model.schema.PART_RULES`; a facility said not to exist but
  described; a commercial area without the comprehensive facility's presence;
  ``extra.NAME`` finite; the Parquet schema by cssp's own
  :func:`~cssp.io.readers.parquet.check_schema`. A table that breaks a rule is
  handed to cssp (``cssp.batch.evaluate_parquet``), which names the rows, so
  the errors are cssp's.

What it does not do (a shipped engine would have to): province profiles
(programs other than the national one), township records, staffing rules, a
``kind`` or ``urban_rural_class`` column (those tables go to cssp), values
whose span does not fit Int128 or whose sums would be subnormal (refused
here; ``cssp.batch._exact`` has paths for them), streaming in bounded memory
(the whole file is read), failing lists and the report layer.
"""

from __future__ import annotations

import functools
import itertools
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import polars as pl
import pyarrow.parquet as pq

import cssp.batch
from cssp.batch.columnar import MET, NO_DATA, NO_VERDICT, NOT_APPLICABLE, NOT_MET, STATUS_COUNT
from cssp.batch.engine import LEVELS
from cssp.batch.frame import _FACILITY_COLUMNS, _FLAGS, PLACE_COLUMNS, VALUE_FIELDS
from cssp.engine.program import Check, Program, Programs, profile_set, region_status, region_terms
from cssp.io.readers.parquet import check_schema
from cssp.model.community import FacilityKind, Service
from cssp.model.divisions import PROVINCES_BY_CODE
from cssp.model.measures import FACILITY_FIELDS, FIELDS, ONE, SCOPE_FLAGS, FacilityField
from cssp.model.plan import Plan
from cssp.model.schema import FIELD_RULES, PART_RULES, part_problem, value_tests, village_rural

#: The region key of a level: the township key (9 digits) divided by this (0: the nation).
DIVISORS: Final = {
    "township": 1,
    "county": 1_000,
    "prefecture": 100_000,
    "province": 10_000_000,
    "nation": 0,
}
STATUS_TYPE: Final = pl.UInt8
#: The yes/no columns of a community (not given: no) and its facility columns: the
#: columnar engine's own lists.
FLAG_COLUMNS: Final = _FLAGS
FACILITY_COLUMNS: Final = _FACILITY_COLUMNS
#: The facilities a table row describes and the prefix of their columns (as cssp.batch.frame).
TABLE_FACILITIES: Final = (
    (FacilityKind.COMPREHENSIVE, "facility_"),
    (FacilityKind.COMMERCIAL, "commercial_"),
)
SERVICES: Final = tuple(s.value for s in Service)
#: The columns of the table format this prototype compiles (others go to cssp).
KNOWN: Final = frozenset(("code", "name", *VALUE_FIELDS, *FLAG_COLUMNS, *FACILITY_COLUMNS))
#: The most bits an Int128 sum may need.
INT128_BITS: Final = 126
#: A target's five status counts are summed packed in one Int128, this many bits each
#: (so a table may have fewer than 2**24 rows).
COUNT_BITS: Final = 24
PACKED: Final = pl.Int128


class Refused(Exception):
    """The prototype does not compile this table or plan: cssp evaluates it."""


# --- fields: the measures' vocabulary as expressions ------------------------------------


def _null() -> pl.Expr:
    return pl.lit(None, dtype=pl.Float64)


class Fields:
    """The fields of :data:`~cssp.model.measures.FIELDS` as expressions over a table.

    A field is null where the community does not give it, as it is NaN in the
    numpy engine's columns.
    """

    def __init__(self, schema: pl.Schema) -> None:
        self.schema = schema
        #: the code as a number (null where it is none), computed once (:meth:`shared`).
        self.key = pl.col("pre:key")

    def shared(self) -> list[list[pl.Expr]]:
        """What later stages read many times, computed once in two stages: Polars does not
        share a subexpression between expressions (a code parsed in eight tests is
        parsed eight times)."""
        has = self.column("has_facility")
        activity = self.column("facility_activity_area")
        office = self.column("facility_office_area")
        hours = self.column("facility_opening_hours")
        parts_given = activity.is_not_null() | office.is_not_null() | hours.is_not_null()
        comprehensive = (
            self.column("facility_floor_area").is_not_null()
            | (has == 1).fill_null(False)
            | parts_given
        )
        commercial = self.column("commercial_floor_area").is_not_null()
        present = any(c in self.schema for c in FACILITY_COLUMNS)
        known = (comprehensive | has.is_not_null() | commercial) if present else pl.lit(False)
        given = [pl.col(s).is_not_null() for s in SERVICES if s in self.schema]
        return [
            [pl.col("code").cast(pl.Int64, strict=False).alias("pre:key")],
            [
                (self.key % 1000).alias("pre:village"),
                comprehensive.alias("pre:comprehensive"),
                commercial.alias("pre:commercial"),
                known.alias("pre:known"),
                (pl.any_horizontal(given) if given else pl.lit(False)).alias("pre:services"),
            ],
        ]

    def column(self, name: str) -> pl.Expr:
        """A numeric or yes/no column as Float64 (NaN is not given, as in cssp); null if absent."""
        kind = self.schema.get(name)
        if kind is None:
            return _null()
        column = pl.col(name).cast(pl.Float64)
        return column.fill_nan(None) if kind.is_float() else column

    def flag(self, name: str) -> pl.Expr:
        """A yes/no column as a boolean (not given: no)."""
        if name not in self.schema:
            return pl.lit(False)
        return (self.column(name) == 1).fill_null(False)

    @property
    def rural(self) -> pl.Expr:
        """Whether digits 10–12 are a villagers' committee or like one (the one rule)."""
        rural: pl.Expr = village_rural(pl.col("pre:village"))[1]
        return rural

    def scope_flags(self) -> dict[str, pl.Expr]:
        return {"rural": self.rural, **{f: self.flag(f) for f in FLAG_COLUMNS}}

    @property
    def services_known(self) -> pl.Expr:
        """Whether the services are known: some service column is given (:meth:`shared`)."""
        return pl.col("pre:services")

    @property
    def facilities(self) -> tuple[dict[FacilityKind, pl.Expr], pl.Expr]:
        """Which facilities each row has, and whether its facilities are known, as
        cssp.batch.frame reads a table's (:meth:`shared`)."""
        present = {
            FacilityKind.COMPREHENSIVE: pl.col("pre:comprehensive"),
            FacilityKind.COMMERCIAL: pl.col("pre:commercial"),
        }
        return present, pl.col("pre:known")

    def facility(self, spec: FacilityField) -> pl.Expr:
        """A facility sum from its declaration, the row's facilities in the table's order."""
        present, known = self.facilities
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
                else:  # the least, null (NaN in numpy) as soon as one is null
                    other = pl.when(present[kind]).then(value).otherwise(math.inf)
                    either = total.is_null() | other.is_null()
                    total = pl.when(either).then(None).otherwise(pl.min_horizontal(total, other))
        return pl.when(known).then(total).otherwise(None)

    def field(self, name: str) -> pl.Expr:
        """Field ``name`` (:data:`~cssp.model.measures.FIELDS`, ``extra.NAME``)."""
        if name == "communities":
            return pl.lit(1.0)
        if name.startswith("extra."):
            return self.column(name)
        if name.startswith("services."):
            service = name[len("services.") :]
            present = (self.column(service) == 1).fill_null(False).cast(pl.Float64)
            return pl.when(self.services_known).then(present).otherwise(None)
        spec = FACILITY_FIELDS.get(name)
        if spec is not None:
            return self.facility(spec)
        if name not in FIELDS or name.startswith("township"):
            raise Refused(f"field {name!r}")
        return self.column(name.removeprefix("staff."))


# --- the program: statuses, sums, regions --------------------------------------------


def _code(value: int) -> pl.Expr:
    return pl.lit(value, dtype=STATUS_TYPE)


def _f(name: str) -> str:
    """The column a field is computed into."""
    return f"f:{name}"


@dataclass(frozen=True)
class Summed:
    """How a field is summed exactly: as Int64 (whole), or Int128 multiples of 2**low."""

    field: str
    whole: bool
    low: int = 0

    @property
    def name(self) -> str:
        return f"i:{self.field}"

    def integers(self) -> pl.Expr:
        column = pl.col(_f(self.field))
        if self.whole:
            return column.cast(pl.Int64)
        return (column * 2.0 ** (-self.low)).cast(pl.Int128)

    def rounded(self, total: pl.Expr) -> pl.Expr:
        """An exact sum rounded to the nearest float (ties to even)."""
        if self.whole:
            return total.cast(pl.Float64)
        return total.cast(pl.Float64) * 2.0**self.low


class Compiled:
    """A program's checks as Polars expressions over a table."""

    def __init__(self, program: Program, schema: pl.Schema) -> None:
        if program.township_checks or program.effective.chain:
            raise Refused("township records or profiles")
        for check in program.checks:
            if check.staffing is not None or not check.measure.declared:
                raise Refused(f"target {check.target.id}: a rule with no declaration")
        self.program = program
        self.checks = program.checks
        self.fields = Fields(schema)
        used: dict[str, None] = {}
        for check in self.checks:
            used.update(dict.fromkeys(check.measure.fields()))
        self.used = tuple(used)
        #: the fields summed for the regions (a denominator ONE is a count).
        summed: dict[str, None] = {}
        for check in self.checks:
            if check.region:
                assert check.measure.numerator is not None
                summed[check.measure.numerator] = None
                if check.measure.denominator != ONE:
                    summed[check.measure.denominator] = None
        self.summed = tuple(summed)

    def field_columns(self) -> list[pl.Expr]:
        """Stage one: the township key, the scopes' flags and every field the checks read."""
        flags = self.fields.scope_flags()
        return [
            (self.fields.key // 1000).alias("key"),
            *(expression.alias(f"flag:{name}") for name, expression in flags.items()),
            *(self.fields.field(name).alias(_f(name)) for name in self.used),
        ]

    def status(self, check: Check) -> pl.Expr:
        """One check's status: out of scope, each test in order, then the comparison."""
        measure = check.measure
        chain: Any = pl
        test = SCOPE_FLAGS[check.target.scope]
        if test is not None:
            flag, wanted = test
            chain = chain.when(pl.col(f"flag:{flag}") != wanted).then(_code(NOT_APPLICABLE))
        for guard in measure.tests:
            value = pl.col(_f(guard.field))
            failed = value.is_null() if guard.test == "given" else value == 0
            chain = chain.when(failed).then(_code(_STATUS[guard.skip.status.value]))
        if not check.community:  # counts towards its region: no verdict
            verdict: pl.Expr = (
                chain.otherwise(_code(NO_VERDICT)) if chain is not pl else _code(NO_VERDICT)
            )
            return verdict
        assert measure.numerator is not None
        numerator = pl.col(_f(measure.numerator))
        denominator = pl.lit(1.0) if measure.denominator == ONE else pl.col(_f(measure.denominator))
        holds = check.holds(check.scale * numerator, check.threshold * denominator)
        status: pl.Expr = chain.when(holds).then(_code(MET)).otherwise(_code(NOT_MET))
        return status

    def statuses(self) -> list[pl.Expr]:
        return [self.status(c).alias(f"s:{c.target.id}") for c in self.checks]

    def township_sums(self, summed: dict[str, Summed], exact: bool = True) -> list[pl.Expr]:
        """Stage three, by township: each status counted, each summed field's sum where
        evaluated."""
        out = []
        for check in self.checks:
            t = check.target.id
            status = pl.col(f"s:{t}")
            out.append(pl.col(f"p:{t}").sum())  # the five counts, packed
            if not check.region:
                continue
            evaluated = (status <= NOT_MET) | (status == NO_VERDICT)
            measure = check.measure
            assert measure.numerator is not None
            for side, name in (("n", measure.numerator), ("d", measure.denominator)):
                if name == ONE:
                    continue
                column = pl.col(summed[name].name) if exact else pl.col(_f(name))
                out.append(pl.when(evaluated).then(column).otherwise(0).sum().alias(f"{side}:{t}"))
        return out

    def unpack(self, towns: pl.LazyFrame) -> pl.LazyFrame:
        """Each target's five counts out of their Int128 (once, by township): the Int128
        split in two Int64 words first (Int128 division is slow)."""
        low = COUNT_BITS * 2
        words, counts = [], []
        for check in self.checks:
            t = check.target.id
            packed = pl.col(f"p:{t}")
            words += [
                (packed % (1 << low)).cast(pl.Int64).alias(f"lo:{t}"),
                (packed // (1 << low)).cast(pl.Int64).alias(f"hi:{t}"),
            ]
            for k in range(STATUS_COUNT):
                word, shift = (f"lo:{t}", k) if k < 2 else (f"hi:{t}", k - 2)
                field = (pl.col(word) // (1 << (COUNT_BITS * shift))) % (1 << COUNT_BITS)
                counts.append(field.alias(f"c{k}:{t}"))
        dropped = [f"{p}:{c.target.id}" for c in self.checks for p in ("p", "lo", "hi")]
        return towns.with_columns(words).with_columns(counts).drop(dropped)

    def judge(self, regions: pl.LazyFrame, summed: dict[str, Summed], exact: bool) -> pl.LazyFrame:
        """Each region's figures and status, by the one region rule applied to expressions."""
        columns = []
        for check in self.checks:
            if not check.region:
                continue
            t = check.target.id
            measure = check.measure
            assert measure.numerator is not None
            count = [pl.col(f"c{k}:{t}").cast(pl.Float64) for k in range(STATUS_COUNT)]

            def figure(side: str, name: str, t: str = t, count: list[pl.Expr] = count) -> pl.Expr:
                if name == ONE:  # the communities evaluated
                    return count[MET] + count[NOT_MET] + count[NO_VERDICT]
                total = pl.col(f"{side}:{t}")
                return summed[name].rounded(total) if exact else total

            numerator, denominator = (
                figure("n", measure.numerator),
                figure("d", measure.denominator),
            )
            n, d, scale, threshold = region_terms(
                check, count[MET], count[MET] + count[NOT_MET], numerator, denominator
            )
            holds = check.holds(scale * n, threshold * d)
            no_data = pl.col(f"c{NO_DATA}:{t}")
            status = region_status(holds, d, no_data, not check.direction)
            empty = d == 0
            columns += [
                status.cast(STATUS_TYPE).alias(f"r:{t}"),
                pl.when(empty).then(None).otherwise(n).alias(f"fn:{t}"),
                pl.when(empty).then(None).otherwise(d).alias(f"fd:{t}"),
                (scale * n).is_infinite().alias(f"big:{t}"),
            ]
        return regions.with_columns(columns)


_STATUS: Final = {
    "met": MET,
    "not_met": NOT_MET,
    "not_applicable": NOT_APPLICABLE,
    "no_data": NO_DATA,
    "no_verdict": NO_VERDICT,
}


# --- validation: the table rules as aggregations --------------------------------------


def validation(schema: pl.Schema) -> tuple[list[pl.Expr], list[Callable[[dict[str, Any]], bool]]]:
    """The table rules as aggregations over every column, and tests of their results.

    Returns expressions (one row of aggregates) and functions that, given that
    row, say whether some rule is broken. Bounds are tested on a column's least
    and greatest values, as ``cssp.batch.frame`` does; wholeness on each row of
    a float column.
    """
    for name, kind in schema.items():
        if name in ("kind", "urban_rural_class", *PLACE_COLUMNS) or not (
            name in KNOWN or name in SERVICES or name.startswith("extra.")
        ):
            raise Refused(f"column {name!r}")  # cssp names it, or reads it
        if name == "code":
            if kind != pl.String:
                raise Refused("codes that are not text")
        elif name != "name" and not (kind.is_numeric() or kind == pl.Boolean):
            raise Refused(f"column {name!r} of {kind}")  # text: cssp reads it as the readers do
    fields = Fields(schema)
    code, key = pl.col("code"), fields.key
    known, _ = village_rural(pl.col("pre:village"))
    provinces = [int(p) for p in PROVINCES_BY_CODE]
    # 12 bytes that parse as a number, of a known province (11–65): 12 ASCII digits
    # (a sign would leave 11 digits, a province below 11).
    aggregates = [
        (key.is_null() | (code.str.len_bytes() != 12)).any().alias("bad:code"),
        (~(key // 10**10).is_in(provinces)).any().alias("bad:province"),
        (~known).any().alias("bad:village"),
        (key.diff() <= 0).any().alias("unordered"),  # out of order, or a code twice
    ]
    tests: list[Callable[[dict[str, Any]], bool]] = [_any_bad]
    rules = {name: name for name in VALUE_FIELDS}
    rules |= {c: c.partition("_")[2] for c in FACILITY_COLUMNS[1:]}
    for column, rule_name in rules.items():
        if column not in schema:
            continue
        values = fields.column(column)
        aggregates += [values.min().alias(f"min:{column}"), values.max().alias(f"max:{column}")]
        for k, (test, _, bound) in enumerate(value_tests(FIELD_RULES[rule_name], pl.Expr.floor)):
            if bound:
                tests.append(functools.partial(_bound_broken, test, column))
            elif schema[column].is_float():  # wholeness: integers are whole
                aggregates.append(test(values).any().alias(f"bad:rule{k}:{column}"))
    for column in (*FLAG_COLUMNS, "has_facility", *SERVICES):
        if column in schema and schema[column] != pl.Boolean:
            values = fields.column(column)
            aggregates.append(((values != 0) & (values != 1)).any().alias(f"bad:yes_no:{column}"))
    for k, rule in enumerate(PART_RULES):
        prefix = "" if rule.part == "trained_workers" else "facility_"
        names = [prefix + n for n in (rule.part, rule.plus, rule.whole) if n]
        if not all(n in schema for n in names):
            continue
        part = rule.value(functools.partial(_prefixed, fields, prefix))
        failed, _ = part_problem(rule, part, fields.column(prefix + rule.whole))
        aggregates.append(failed.any().alias(f"bad:part{k}"))
    present, _ = fields.facilities
    comprehensive = present[FacilityKind.COMPREHENSIVE]
    commercial = present[FacilityKind.COMMERCIAL]
    has = fields.column("has_facility")
    aggregates += [  # where has_facility is no, the comprehensive facility is one described
        (comprehensive & (has == 0)).any().alias("bad:described"),
        (~comprehensive & has.is_null() & commercial).any().alias("bad:commercial_alone"),
    ]
    for name in schema:
        if name.startswith("extra."):
            valid = name[len("extra.") :].isidentifier()
            aggregates.append(pl.lit(not valid).alias(f"bad:name:{name}"))
            aggregates.append(fields.column(name).is_infinite().any().alias(f"bad:inf:{name}"))
    return aggregates, tests


def _any_bad(row: dict[str, Any]) -> bool:
    return any(bool(value) for name, value in row.items() if name.startswith("bad:"))


def _prefixed(fields: Fields, prefix: str, name: str) -> pl.Expr:
    return fields.column(prefix + name)


def _bound_broken(test: Callable[[Any], Any], column: str, row: dict[str, Any]) -> bool:
    ends = [row[f"min:{column}"], row[f"max:{column}"]]
    return any(end is not None and bool(test(float(end))) for end in ends)


# --- a run ------------------------------------------------------------------------------


@dataclass
class Run:
    """What the prototype computes: the statuses and a frame per level."""

    statuses: pl.DataFrame
    levels: dict[str, pl.DataFrame]
    checks: tuple[Check, ...]


def evaluate(
    path: Path, plan: Plan, *, validate: bool = True, exact: bool = True, every: bool = True
) -> Run:
    """The prototype on a Parquet file in cssp's table format (national programs only).

    :param validate: apply the table rules to the columns read; else check nothing.
    :param every: read every column (else only those the measures need).
    :param exact: sum exactly (Int64/Int128); else add Float64 as Polars does.
    :raises cssp.InputError: as cssp does, for a table that breaks a rule.
    :raises Refused: for what the prototype does not compile.
    """
    _mark("")
    program = Programs(plan, None, profile_set(())).for_code("")
    schema = pl.read_parquet_schema(path)
    compiled = Compiled(program, pl.Schema(schema))
    frame = pl.read_parquet(path, columns=None if every else _needed(compiled, schema))
    aggregates: list[pl.Expr] = []
    tests: list[Callable[[dict[str, Any]], bool]] = []
    if validate:
        parquet = pq.ParquetFile(path)
        check_schema(parquet.schema_arrow, parquet.metadata.num_rows, os.fspath(path))
        aggregates, tests = validation(frame.schema)
    if len(frame) >= 2**COUNT_BITS:
        raise Refused("too many rows to count in packed fields")
    _mark("read")
    base = frame.lazy()
    for stage in compiled.fields.shared():
        base = base.with_columns(stage)
    frame = base.collect()
    _mark("shared columns")
    wide, valid = pl.collect_all(
        [frame.lazy().select(compiled.field_columns()), frame.lazy().select(aggregates)]
    )
    _mark("fields and validation")
    if validate:
        row = valid.row(0, named=True)
        if any(test(row) for test in tests):
            return _by_cssp(path, plan)
        if row["unordered"] and frame.select(pl.col("code").is_duplicated().any()).item():
            return _by_cssp(path, plan)  # a code twice (out of order alone is fine)
    del frame, valid  # every column read: their memory serves the stages below
    summed = _summed(compiled, wide, exact)
    _mark("units of the sums")
    wide = wide.lazy().with_columns(compiled.statuses()).collect()
    _mark("statuses")
    packed = pl.lit(pl.Series([1 << (COUNT_BITS * k) for k in range(STATUS_COUNT)], dtype=PACKED))
    columns = [
        packed.gather(pl.col(f"s:{c.target.id}")).alias(f"p:{c.target.id}") for c in compiled.checks
    ]
    if exact:
        columns += [s.integers().alias(s.name) for s in summed.values()]
    # The packed counts and the Int128 columns made and summed a morsel at a time
    # (Polars's streaming engine): never held whole, 10–20 ms less.
    grouped = wide.lazy().with_columns(columns).group_by("key")
    towns = grouped.agg(compiled.township_sums(summed, exact)).sort("key")
    township_totals = towns.collect(engine="streaming")
    _mark("township totals")
    frames = _levels(compiled, township_totals, summed, exact)
    _mark("five levels")
    if exact and frames["nation"].select(pl.any_horizontal(pl.col("^big:.*$"))).item():
        return _by_cssp(path, plan)  # a sum beyond the largest float: cssp's error
    # The statuses by get_column: DataFrame.select took 30–80 ms on a frame holding
    # Int128 columns made by gather (Polars 2.1), get_column microseconds.
    statuses = pl.DataFrame([wide.get_column(f"s:{c.target.id}") for c in compiled.checks])
    _mark("end")
    return Run(statuses, frames, compiled.checks)


#: When a list: each stage of :func:`evaluate` appends (stage, wall, processor time).
STAGES: list[tuple[str, float, float]] | None = None


def _mark(stage: str) -> None:
    if STAGES is not None:
        STAGES.append((stage, time.perf_counter(), time.process_time()))


def stages(path: Path, plan: Plan, repeats: int, **options: bool) -> dict[str, tuple[float, float]]:
    """The best wall and processor time of each stage of :func:`evaluate`, in ms."""
    global STAGES  # noqa: PLW0603 - a prototype's instrument
    best: dict[str, tuple[float, float]] = {}
    for _ in range(repeats):
        STAGES = []
        evaluate(path, plan, **options)
        for (_, wall, cpu), (stage, wall2, cpu2) in itertools.pairwise(STAGES):
            old = best.get(stage, (math.inf, math.inf))
            best[stage] = (min(old[0], 1e3 * (wall2 - wall)), min(old[1], 1e3 * (cpu2 - cpu)))
    STAGES = None
    return best


def _summed(compiled: Compiled, wide: pl.DataFrame, exact: bool) -> dict[str, Summed]:
    """How each summed field is summed exactly: its unit from its least positive and
    greatest values."""
    summed = {}
    stats = []
    for name in compiled.summed:
        whole = FIELDS[name].whole if name in FIELDS else False
        column = pl.col(_f(name))
        stats += [
            column.filter(column > 0).min().alias(f"least:{name}"),
            column.max().alias(f"most:{name}"),
            column.min().alias(f"lowest:{name}"),
        ]
        summed[name] = Summed(name, whole)
    if not exact:
        return summed
    return _placed(summed, wide.select(stats).row(0, named=True), len(wide))


def _levels(
    compiled: Compiled, towns: pl.DataFrame, summed: dict[str, Summed], exact: bool
) -> dict[str, pl.DataFrame]:
    """The townships' totals regrouped to each level, and judged."""
    levels = {}
    towns = compiled.unpack(towns.lazy()).collect()
    names = [n for n in towns.columns if n != "key"]
    for level in LEVELS:
        divisor = DIVISORS[level]
        regions = towns.lazy()
        if divisor == 0:
            totals = [pl.col(n).sum() for n in names]
            regions = regions.select([pl.lit(0, pl.Int64).alias("key"), *totals])
        elif divisor > 1:
            key = (pl.col("key") // divisor).alias("key")
            regions = regions.group_by(key).agg([pl.col(n).sum() for n in names]).sort("key")
        levels[level] = compiled.judge(regions, summed, exact)
    return dict(zip(LEVELS, pl.collect_all(list(levels.values())), strict=True))


def _needed(compiled: Compiled, schema: Any) -> list[str]:
    """The table columns the measures' fields read (no validation)."""
    wanted = {"code", *FLAG_COLUMNS}
    for name in compiled.used:
        if name in FACILITY_FIELDS:
            wanted.update(FACILITY_COLUMNS)
        elif name.startswith("services."):
            wanted.update(SERVICES)
        else:
            wanted.add(name.removeprefix("staff."))
    return [c for c in schema if c in wanted]


def _placed(summed: dict[str, Summed], stats: dict[str, Any], rows: int) -> dict[str, Summed]:
    """Each summed field's unit, from its least positive and its greatest value."""
    out = {}
    for name, spec in summed.items():
        least, most, lowest = stats[f"least:{name}"], stats[f"most:{name}"], stats[f"lowest:{name}"]
        if lowest is not None and lowest < 0:
            raise Refused(f"{name}: negative values")
        if least is None:  # nothing but zeros and nulls
            out[name] = Summed(name, whole=True)
            continue
        if spec.whole:
            if float(most) * rows >= 2.0**62:
                raise Refused(f"{name}: sums beyond Int64")
            out[name] = spec
            continue
        low = math.frexp(float(least))[1] - 53  # every value is a multiple of 2**low
        high = math.frexp(float(most))[1]
        if low < -1022 or high - low + max(rows, 1).bit_length() > INT128_BITS:
            raise Refused(f"{name}: values spanning {high - low} bits")
        out[name] = Summed(name, whole=False, low=low)
    return out


def _by_cssp(path: Path, plan: Plan) -> Run:
    """A table that breaks a rule: cssp names the problem (the prototype has no messages)."""
    cssp.batch.evaluate_parquet(path, plan, profiles=())
    raise AssertionError("the prototype found a problem that cssp does not")
