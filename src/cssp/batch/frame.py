"""Columns in, validated arrays out: what the batch engine evaluates.

Two ways in, one result:

* :meth:`Frame.from_columns` takes a table in cssp's table format (the columns
  of :data:`cssp.io.readers.COLUMNS`, one column per service named by its
  value, ``extra.NAME``) as a mapping of arrays, a pandas DataFrame or a
  pyarrow Table, and validates it as the readers and the model would.
* :meth:`Frame.from_communities` takes :class:`~cssp.model.community.Community`
  objects (any number of facilities each).

Both reduce each community to the few numbers the measures need —
comprehensive floor area, service floor area, activity area, shortest opening
hours — summed in the order the scalar measures sum them, so both engines see
the same floats.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from cssp.batch._arrow import choose, integral, nan_unless
from cssp.batch.codes import (
    _POWERS,
    ParsedCodes,
    _arrow,
    _as_columns,
    _codes,
    _Problems,
    _to_numpy,
    code_keys,
    parsed_codes,
)
from cssp.engine.program import facility_summariser
from cssp.errors import InputError
from cssp.io.readers.columns import read_cell
from cssp.model.community import (
    Community,
    CommunityKind,
    Facility,
    FacilityKind,
    Service,
    check_distinct,
    kind_contradiction,
    kind_of,
    read_urban_rural_class,
)
from cssp.model.convert import structure
from cssp.model.measures import FACILITY_FIELDS, FacilityField, approximate_fields
from cssp.model.schema import (
    FIELD_RULES,
    PART_RULES,
    near_whole,
    number,
    part_problem,
    value_tests,
)

__all__ = [
    "COUNT_FIELDS",
    "VALUE_FIELDS",
    "Frame",
    "code_keys",
    "in_table_format",
    "parsed_codes",
    "sorted_order",
]

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
#: Codes parsed by :func:`code_keys`: the keys, which are rural, the ``S12`` codes.

#: Numeric fields of a community, kept as float64 with NaN for "not given".
VALUE_FIELDS: Final = (
    "households",
    "population",
    "building_area",
    "elderly_monthly_visit_rate",
    "social_organisations",
    "registered_volunteers",
    "community_workers",
    "social_workers",
    "disaster_information_officers",
    "trained_workers",
)
#: Those of :data:`VALUE_FIELDS` that must be whole numbers.
COUNT_FIELDS: Final = frozenset(f for f in VALUE_FIELDS if FIELD_RULES[f].whole)
_STAFF: Final = frozenset(
    ("community_workers", "social_workers", "disaster_information_officers", "trained_workers")
)
_FLAGS: Final = ("resettlement", "old_residential_area", "newly_built")
_FACILITY_COLUMNS: Final = (
    "has_facility",
    "facility_floor_area",
    "facility_activity_area",
    "facility_office_area",
    "facility_opening_hours",
    "commercial_floor_area",
)
_SERVICES: Final = {s.value: s for s in Service}


class Frame:
    """Communities as validated columns, sorted by code.

    Build one with :meth:`from_columns` or :meth:`from_communities`. Row ``i``
    of every array is the community ``codes[i]``; ``order[i]`` is its position
    in the input.
    """

    def __init__(self, keys: NDArray[np.int64], order: NDArray[np.intp]) -> None:
        #: the codes as integers, sorted (a 12-digit code fits an int64).
        self.keys = keys
        #: the position in the input of each row.
        self.order = order
        #: whether the input was sorted already (``order`` is then 0, 1, 2 …).
        self.in_order = bool(len(order) < 2 or (order[1:] > order[:-1]).all())
        self.size = n = len(keys)
        self.rural: Bools = np.zeros(n, dtype=bool)
        self.flags: dict[str, Bools] = {}
        self.values: dict[str, Floats] = {}
        #: the facility sums of :data:`~cssp.model.measures.FACILITY_FIELDS`, by
        #: name: NaN where the facilities are unknown (or where one lacks what is summed).
        self.facility: dict[str, Floats] = {}
        self.services_known: Bools = np.zeros(n, dtype=bool)
        self.services: dict[Service, Bools] = {}
        self.extra: dict[str, Floats] = {}
        #: the communities themselves, when built from them (for rules with no columnar form).
        self.source: Sequence[Community] | None = None
        #: the input columns, when built from a table (for rules with no columnar form).
        self.table: Mapping[str, Any] | None = None
        #: the rows (sorted) whose values are partly approximate, by the fields built on
        #: them (:func:`~cssp.model.measures.approximate_fields`); empty when every value
        #: is exact, as always in a frame built from a table.
        self.approximate: dict[frozenset[str], NDArray[np.intp]] = {}
        self._codes: NDArray[np.bytes_] | None = None
        self._fields: dict[str, Floats] = {}

    def field(self, name: str) -> Floats:
        """A field of the measures' vocabulary (:data:`cssp.model.measures.FIELDS`) as a
        column, NaN where it is missing."""
        found = self._fields.get(name)
        if found is None:
            found = self._field(name)
            if not name.startswith("services."):  # a service's is made again when asked
                self._fields[name] = found
        return found

    def _field(self, name: str) -> Floats:
        if name == "communities":
            return np.ones(self.size)
        if name.startswith("extra."):
            found = self.extra.get(name[len("extra.") :])
            return found if found is not None else np.full(self.size, np.nan)
        if name.startswith("services."):
            present = self.services[Service(name[len("services.") :])]
            return nan_unless(present.astype(np.float64), self.services_known)
        if name in FACILITY_FIELDS:
            return self.facility[name]
        return self.values[name.removeprefix("staff.")]

    def code(self, row: int) -> str:
        """The code of sorted row ``row``."""
        return f"{int(self.keys[row]):012d}"

    @property
    def codes(self) -> NDArray[np.bytes_]:
        """The codes, sorted, as bytes (``S12``)."""
        if self._codes is None:
            digits = (self.keys[:, None] // _POWERS) % 10 + 48
            self._codes = digits.astype(np.uint8).view("S12").reshape(self.size)
        return self._codes

    # -- from Community objects ----------------------------------------------

    @classmethod
    def from_communities(cls, communities: Iterable[Community]) -> Frame:
        """Reduce communities to columns (any number of facilities each).

        :raises InputError: if an item is not a Community, or two share a code.
        """
        items = list(check_distinct(communities))
        for index, c in enumerate(items):
            if c.placed_by_name:
                raise InputError(
                    f"community {c.key} has no 12-digit code (it is placed by the names of its "
                    "divisions), which the batch engine needs: use the scalar engine",
                    f"communities[{index}].code",
                )
        keys = np.array([int(c.code) for c in items], dtype=np.int64)
        order = sorted_order(keys, "communities", "code")
        items = [items[i] for i in order.tolist()]
        frame = cls(keys[order], order)
        frame.source = items
        n = len(items)
        values = {f: [np.nan] * n for f in VALUE_FIELDS}
        rural = [False] * n
        flags = {f: [False] * n for f in _FLAGS}
        summarise = facility_summariser()
        unknown = (np.nan,) * len(FACILITY_FIELDS)
        sums = [unknown] * n
        services_known = [False] * n
        services: dict[Service, list[bool]] = {s: [False] * n for s in Service}
        extras: dict[str, list[float]] = {}
        near: dict[frozenset[str], list[int]] = {}  # rows with approximate values
        for i, c in enumerate(items):
            rural[i] = c.kind.value == "rural"
            for f in _FLAGS:
                flags[f][i] = getattr(c, f)
            for f in VALUE_FIELDS:
                v = getattr(c.staff, f) if f in _STAFF else getattr(c, f)
                if v is not None:
                    values[f][i] = float(v)
            facilities = c.facilities
            if facilities is not None:
                sums[i] = tuple(np.nan if v is None else v for v in summarise(facilities))
            if c.approximate or c.staff.approximate or (facilities and _near(facilities)):
                fields = approximate_fields(c)
                if fields:
                    near.setdefault(fields, []).append(i)
            if c.services is not None:
                services_known[i] = True
                for s in c.services:
                    services[s][i] = True
            for name, value in c.extra.items():
                extras.setdefault(name, [np.nan] * n)[i] = value
        frame.rural = np.array(rural, dtype=bool)
        frame.flags = {f: np.array(v, dtype=bool) for f, v in flags.items()}
        frame.values = {f: np.array(v, dtype=np.float64) for f, v in values.items()}
        columns = np.array(sums, dtype=np.float64).reshape(n, len(FACILITY_FIELDS))
        frame.facility = {name: columns[:, j].copy() for j, name in enumerate(FACILITY_FIELDS)}
        frame.services_known = np.array(services_known, dtype=bool)
        frame.services = {s: np.array(v, dtype=bool) for s, v in services.items()}
        frame.extra = {k: np.array(v, dtype=np.float64) for k, v in extras.items()}
        frame.approximate = {k: np.array(v, dtype=np.intp) for k, v in near.items()}
        return frame

    # -- from a table ----------------------------------------------------------

    @classmethod
    def from_columns(
        cls, table: object, *, first_row: int = 0, codes: ParsedCodes | None = None
    ) -> Frame:
        """Validate a table in cssp's table format and reduce it to columns.

        :param table: a mapping of column name to 1-D array-like, a pandas
            DataFrame or a pyarrow Table (or RecordBatch).
        :param first_row: the index of the table's first row in a larger input
            (for error locations when a file is read in batches).
        :param codes: the table's codes, parsed already by :func:`code_keys`
            and found well formed (the table then needs no ``code`` column).
        :raises InputError: naming every bad row and column (``rows[12].households``).
        """
        columns = _as_columns(table)
        _check_names(columns, parsed=codes is not None)
        problems = _Problems(first_row)
        if codes is None:
            keys, rural_from_code, raw_codes = _codes(columns["code"], problems)
        else:
            keys, rural_from_code, raw_codes = codes
        n = len(keys)
        for name, column in columns.items():
            if len(column) != n:
                raise InputError(f"has {len(column)} rows, but code has {n}", name)
        _check_kinds(columns, rural_from_code, raw_codes, problems)
        read = _Reader(columns, n, problems)
        values = {f: read.number(f) for f in VALUE_FIELDS}
        for f in VALUE_FIELDS:
            read.check_value(values[f], f, f)
        _check_parts(values, "", problems)
        flags = {f: read.flag(f) for f in _FLAGS}
        facility = {f: read.number(f) for f in _FACILITY_COLUMNS}
        services_given = [s for s in _SERVICES if s in columns]
        service_values = {s: read.yes_no(s) for s in services_given}
        extra = {
            name[len("extra.") :]: read.number(name)
            for name in columns
            if name.startswith("extra.")
        }
        for name, extra_values in extra.items():
            if not name.isidentifier():
                raise InputError(f"{name!r} is not a valid name", f"extra.{name}")
            with np.errstate(invalid="ignore"):
                problems.add(  # as the readers: any number, but a finite one
                    np.isinf(extra_values),
                    f"extra.{name}",
                    lambda i, v=extra_values: f"{number(v[i])} is not a finite number",
                )
        has_facility_columns = any(f in columns for f in _FACILITY_COLUMNS)
        derived = _facilities(facility, has_facility_columns, read)
        problems.raise_if_any()

        # Rows already in code order (a file written so) are not copied.
        same = n < 2 or bool((keys[1:] > keys[:-1]).all())
        order = np.arange(n, dtype=np.intp)
        if not same:
            order = sorted_order(keys, "rows", "code", first_row)

        def sort(values: NDArray[Any]) -> NDArray[Any]:
            return values if same else values[order]

        frame = cls(sort(keys), order)
        frame.in_order = same
        frame._codes = sort(raw_codes)
        frame.table = columns
        frame.rural = sort(rural_from_code)
        frame.flags = {f: sort(v) for f, v in flags.items()}
        frame.values = {f: sort(v) for f, v in values.items()}
        frame.facility = {name: sort(values) for name, values in derived.items()}
        given = np.zeros(n, dtype=bool)
        for service in Service:
            found = service_values.get(service.value)
            if found is None:
                frame.services[service] = np.zeros(n, dtype=bool)
            else:
                given |= ~np.isnan(found)
                frame.services[service] = sort(found == 1)
        frame.services_known = sort(given)
        frame.extra = {k: sort(v) for k, v in extra.items()}
        return frame

    def community(self, row: int) -> Community:
        """The :class:`Community` of sorted row ``row`` (for rules with no columnar form)."""
        if self.source is not None:
            return self.source[row]
        assert self.table is not None
        record: dict[str, Any] = {"code": self.code(row)}
        at = int(self.order[row])
        for name, column in self.table.items():
            if name == "code":
                continue
            value = _cell(column, at)
            if value is None or (isinstance(value, float) and np.isnan(value)):
                continue
            record[name] = value
        return structure(_table_record(record), Community)


def _near(facilities: Iterable[Facility]) -> bool:
    """Whether a facility has an approximate value."""
    return any(f.approximate for f in facilities)


def in_table_format(names: Iterable[str]) -> bool:
    """Whether a table with these column names is in cssp's table format, which
    the columnar engine reads directly: a ``code`` column, no place names, no
    column it does not know. A table with other headers (a column map's, Chinese
    headers, place names) is read as the default engine reads it.

    >>> in_table_format(["code", "households", "extra.childcare_places"])
    True
    >>> in_table_format(["code", "户数(户)"])
    False
    """
    try:
        _check_names(dict.fromkeys(names), parsed=False)
    except InputError:
        return False
    return True


def _check_names(columns: Mapping[str, Any], *, parsed: bool) -> None:
    """A table's columns are those of the table format (``code`` among them unless
    ``parsed``)."""
    if "code" not in columns and not parsed:
        raise InputError("the table has no code column", "code")
    places = [name for name in PLACE_COLUMNS if name in columns]
    if places:
        raise InputError(
            "the batch engine reads communities by their 12-digit codes: a table of "
            f"place names ({', '.join(places)}) needs the default engine",
            places[0],
        )
    unknown = sorted(
        name
        for name in columns
        if name not in _KNOWN and name not in _SERVICES and not name.startswith("extra.")
    )
    if unknown:
        raise InputError(
            f"unknown column(s) {', '.join(map(repr, unknown))}; the table format's columns "
            "are listed in cssp.io.readers.COLUMNS (plus one per service and extra.NAME)",
            unknown[0],
        )
    if "services" in columns:
        raise InputError(
            "the batch engine reads one yes/no column per service (e.g. '5g'), not a services list",
            "services",
        )


def _cell(column: Any, at: int) -> Any:
    """Cell ``at`` of a column (numpy, list, pandas or Arrow) as a Python value."""
    # pandas by position, whatever the index
    value = column.iloc[at] if hasattr(column, "iloc") else column[at]
    if hasattr(value, "as_py"):  # an Arrow scalar
        return value.as_py()
    if isinstance(value, np.generic):
        return value.item()
    return value


_KNOWN: Final = frozenset(
    ("code", "name", "kind", "urban_rural_class", *VALUE_FIELDS, *_FLAGS, *_FACILITY_COLUMNS)
)
#: The columns of place names, which the batch engine does not read.
PLACE_COLUMNS: Final = ("province", "prefecture", "county", "township")


def _check_kinds(
    columns: Mapping[str, Any], rural: Bools, codes: NDArray[np.bytes_], problems: _Problems
) -> None:
    """The kind and the urban-rural class columns, where given, agree with the codes."""
    if "kind" in columns:
        _check_kind(columns["kind"], rural, codes, problems)
    if "urban_rural_class" in columns:
        _check_class(columns["urban_rural_class"], problems)


def _check_class(column: Any, problems: _Problems) -> None:
    """An urban-rural class column holds classes (the rule of :class:`Community`)."""
    cells = _to_numpy(column).tolist()
    messages: dict[int, str] = {}
    for i, cell in enumerate(cells):
        if cell is None or (isinstance(cell, float) and np.isnan(cell)):
            continue
        try:
            read_urban_rural_class(cell)
        except InputError as error:
            messages[i] = error.message
    bad = np.zeros(len(cells), dtype=bool)
    bad[list(messages)] = True
    problems.add(bad, "urban_rural_class", messages.__getitem__)


def _table_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A table row as the nested record :func:`cssp.io.structure` reads."""
    record: dict[str, Any] = {"code": row["code"]}
    for key in ("name", "kind", *_FLAGS, *VALUE_FIELDS):
        if key in row and key not in _STAFF:
            record[key] = bool(row[key]) if key in _FLAGS else row[key]
    staff = {k: row[k] for k in _STAFF if k in row}
    if staff:
        record["staff"] = staff
    facilities: list[dict[str, Any]] | None = None
    if "facility_floor_area" in row:
        comprehensive = {"kind": "comprehensive", "floor_area": row["facility_floor_area"]}
        for part in ("activity_area", "office_area", "opening_hours"):
            if f"facility_{part}" in row:
                comprehensive[part] = row[f"facility_{part}"]
        facilities = [comprehensive]
    elif "has_facility" in row or "commercial_floor_area" in row:
        facilities = []
    if "commercial_floor_area" in row:
        assert facilities is not None
        facilities.append({"kind": "commercial", "floor_area": row["commercial_floor_area"]})
    if facilities is not None:
        record["facilities"] = facilities
    services = [s for s in _SERVICES if s in row]
    if services:
        record["services"] = [s for s in services if row[s]]
    extra = {k[len("extra.") :]: v for k, v in row.items() if k.startswith("extra.")}
    if extra:
        record["extra"] = extra
    return record


# -- helpers -------------------------------------------------------------------


def _check_kind(column: Any, rural: Bools, codes: NDArray[np.bytes_], problems: _Problems) -> None:
    """A kind column agrees with the codes (the rules of :class:`Community`)."""
    kinds = _to_numpy(column).tolist()
    bad = np.zeros(len(kinds), dtype=bool)
    messages: dict[int, str] = {}
    for i, kind in enumerate(kinds):
        if kind is None or (isinstance(kind, float) and np.isnan(kind)) or kind == "":
            continue
        found = kind_of(kind)
        if found is None:
            messages[i] = f"{kind!r} is not a community kind; expected 'urban' or 'rural'"
        elif (found is CommunityKind.RURAL) != bool(rural[i]):
            messages[i] = kind_contradiction(found, codes[i].decode("ascii", "replace"))
        else:
            continue
        bad[i] = True
    problems.add(bad, "kind", messages.__getitem__)


class _Reader:
    """A table's numeric and yes/no columns as float64 (NaN for "not given"), checked.

    A column's type spares checks that cannot fail: integers are whole and
    finite, booleans are yes or no. A rule that is a bound (not negative, at
    most 24 h …, :func:`~cssp.model.schema.value_tests`) is tested on the
    column's least and greatest values first, and on every row only when one
    of them breaks it, to name the rows.
    """

    def __init__(self, columns: Mapping[str, Any], n: int, problems: _Problems) -> None:
        self.columns = columns
        self.n = n
        self.problems = problems
        self.integral: set[str] = set()
        self.boolean: set[str] = set()

    def number(self, name: str) -> Floats:
        """Column ``name`` as float64 (all NaN when the table has no such column)."""
        column = self.columns.get(name)
        if column is None:
            return np.full(self.n, np.nan)
        kind = _integral_kind(column)
        if kind:
            self.integral.add(name)
            if kind == "b":
                self.boolean.add(name)
        return _numbers(column, self.n, name, self.problems)

    def check_value(self, values: Floats, rule: str, column: str) -> None:
        """The rules of :data:`~cssp.model.schema.FIELD_RULES` on a column (NaN passes)."""
        if column not in self.columns or not values.size:
            return
        with np.errstate(invalid="ignore"):
            ends = np.array([np.fmin.reduce(values), np.fmax.reduce(values)])
            if np.isnan(ends[0]):
                return  # nothing given
            failed: Bools | None = None  # a value is named for the first rule it breaks
            for test, message, bound in value_tests(FIELD_RULES[rule], np.floor):
                if bound and not np.any(test(ends)):
                    continue
                if not bound and column in self.integral:
                    continue  # the test of wholeness, on integers
                bad = test(values)
                if failed is not None:
                    bad = bad & ~failed
                self.problems.add(bad, column, lambda i, m=message: m(values[i]))
                failed = bad if failed is None else failed | bad

    def yes_no(self, name: str) -> Floats:
        """A yes/no column as 1.0, 0.0 and NaN (not given), checked."""
        values = self.number(name)
        if name in self.columns and name not in self.boolean:
            self.problems.add(
                ~(np.isnan(values) | (values == 0) | (values == 1)),
                name,
                lambda i: self.not_yes_or_no(name, i),
            )
        return values

    def not_yes_or_no(self, name: str, row: int) -> str:
        """The readers' message for a cell that is not yes or no (as the column gave it)."""
        try:
            read_cell(name, _cell(self.columns[name], row))
        except InputError as error:
            return error.message
        return "is not yes or no"  # pragma: no cover - the readers refuse it too

    def flag(self, name: str) -> Bools:
        """A yes/no column as booleans (not given: no)."""
        flags: Bools = self.yes_no(name) == 1
        return flags


def _integral_kind(column: Any) -> str:
    """``"b"`` for a column of booleans, ``"i"`` of integers, ``""`` otherwise."""
    if _arrow(column):
        if not integral(column):
            return ""
        return "b" if str(column.type) == "bool" else "i"
    dtype = getattr(column, "dtype", None)
    kind = getattr(dtype, "kind", "")
    return {"b": "b", "i": "i", "u": "i"}.get(kind, "") if isinstance(kind, str) else ""


def _numbers(column: Any, n: int, name: str, problems: _Problems) -> Floats:
    array = _to_numpy(column)
    if array.dtype.kind in "biuf":
        converted: Floats = np.asarray(array, dtype=np.float64)
        return converted
    if array.dtype.kind == "S":  # text whose every cell is 12 bytes, as Arrow's bytes
        array = np.char.decode(array, "utf-8", "replace")
    # object columns (text, mixed): None is missing; a number is taken as it is, and
    # text read as the table readers read it (units, 约, 1,200), with their messages.
    out = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    messages: dict[int, str] = {}
    for i, value in enumerate(array.tolist()):
        if value is None:
            continue
        if isinstance(value, float) and not math.isfinite(value):
            bad[i] = True
            messages[i] = f"{number(value)} is not a finite number"
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[i] = float(value)
        else:
            try:
                read = read_cell(name, value)
            except InputError as error:
                bad[i] = True
                messages[i] = error.message
            else:
                out[i] = np.nan if read is None else _as_read(name, float(read))  # type: ignore[arg-type]
    problems.add(bad, name, messages.__getitem__)
    return out


def _as_read(name: str, value: float) -> float:
    """A count read from text as the model keeps it (``0.07万`` is 700, not 700.0000000000001)."""
    rule = FIELD_RULES.get(name)
    if rule is None or not rule.whole:
        return value
    whole = near_whole(value)
    return value if whole is None else whole


def _check_parts(values: dict[str, Floats], prefix: str, problems: _Problems) -> None:
    """The rules of :data:`~cssp.model.schema.PART_RULES` whose columns ``values`` has."""
    for rule in PART_RULES:
        part = rule.value(lambda name: values.get(prefix + name))
        whole = values.get(prefix + rule.whole)
        if part is None or whole is None:
            continue
        failed, message = part_problem(rule, part, whole)
        for column in (rule.part, rule.plus, rule.whole):  # a part already wrong makes no sum
            already = problems.flagged.get(prefix + column) if column else None
            if already is not None:
                failed = failed & ~already
        problems.add(
            failed, prefix + rule.part, lambda i, m=message, p=part, w=whole: m(p[i], w[i])
        )


def _facilities(columns: dict[str, Floats], present: bool, read: _Reader) -> dict[str, Floats]:
    problems = read.problems
    has = columns["has_facility"]
    floor = columns["facility_floor_area"]
    activity = columns["facility_activity_area"]
    office = columns["facility_office_area"]
    hours = columns["facility_opening_hours"]
    commercial = columns["commercial_floor_area"]
    n = len(has)
    for name in _FACILITY_COLUMNS[1:]:
        read.check_value(columns[name], name.partition("_")[2], name)
    if "has_facility" in read.columns and "has_facility" not in read.boolean:
        problems.add(
            ~(np.isnan(has) | (has == 0) | (has == 1)),
            "has_facility",
            lambda i: read.not_yes_or_no("has_facility", i),
        )
    area = ~np.isnan(floor)
    _check_parts(columns, "facility_", problems)
    # A facility said not to exist, but described by its columns (the readers' words).
    parts_given = ~(np.isnan(activity) & np.isnan(office) & np.isnan(hours))
    described = {
        "facility_floor_area": floor,
        "facility_activity_area": activity,
        "facility_office_area": office,
        "facility_opening_hours": hours,
    }

    def given(i: int) -> str:
        named = ", ".join(
            k for k, v in described.items() if k in read.columns and not np.isnan(v[i])
        )
        return f"says there is no comprehensive facility, but {named} describes one"

    problems.add((area | parts_given) & (has == 0), "has_facility", given)
    comp = area | (has == 1) | parts_given
    problems.add(
        ~comp & np.isnan(has) & ~np.isnan(commercial),
        "commercial_floor_area",
        lambda i: (
            "a commercial floor area is given, but not whether there is a comprehensive "
            "facility: give its floor area, or write 是 or 否 in a has_facility "
            "(有综合服务设施) column"
        ),
    )
    with_commercial = ~np.isnan(commercial)
    known = comp | ~np.isnan(has) | with_commercial if present else np.zeros(n, dtype=bool)
    kinds = {FacilityKind.COMPREHENSIVE: comp, FacilityKind.COMMERCIAL: with_commercial}
    out = {}
    for name, spec in FACILITY_FIELDS.items():
        out[name] = nan_unless(_table_sum(spec, kinds, columns, n), known)
    return out


#: The facilities a table row describes, in this order, and the prefix of their
#: columns: one comprehensive facility (``facility_*``) and one commercial one.
_TABLE_FACILITIES: Final = (
    (FacilityKind.COMPREHENSIVE, "facility_"),
    (FacilityKind.COMMERCIAL, "commercial_"),
)


def _table_sum(
    spec: FacilityField, present: dict[FacilityKind, Bools], columns: dict[str, Floats], n: int
) -> Floats:
    """A facility sum (:data:`~cssp.model.measures.FACILITY_FIELDS`) of table rows, from
    its declaration: the facilities of a row taken in the order of :data:`_TABLE_FACILITIES`."""
    covered = [(kind, prefix) for kind, prefix in _TABLE_FACILITIES if kind in spec.kinds]
    if spec.op in ("count", "any"):
        count = np.zeros(n)
        for kind, _ in covered:
            count = count + present[kind]
        return count if spec.op == "count" else (count > 0).astype(np.float64)
    total = np.full(n, 0.0 if spec.op == "sum" else spec.start)
    for kind, prefix in covered:
        values = columns.get(prefix + spec.attribute)
        if values is None:  # a column the table format does not have: not given
            values = np.full(n, np.nan)
        if spec.op == "sum":  # + 0.0 where the kind is absent: total stays as it is
            total = total + choose(present[kind], values, 0.0)
        else:  # the least, with +inf where the kind is absent (NaN where its value is)
            total = np.minimum(total, choose(present[kind], values, np.inf))
    return total


def sorted_order(
    keys: NDArray[np.int64], what: str, column: str, first_row: int = 0
) -> NDArray[np.intp]:
    """The order that sorts ``keys``; a key met twice is an error located at its second place."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    same = np.flatnonzero(ordered[1:] == ordered[:-1])
    if same.size:
        a, b = sorted((int(order[same[0]]), int(order[same[0] + 1])))
        raise InputError(  # in the readers' words (a file's rows are located as theirs)
            f"community code {int(ordered[same[0]]):012d} appears twice: it is also at "
            f"{what}[{first_row + a}].{column}",
            f"{what}[{first_row + b}].{column}",
        )
    return order.astype(np.intp)
