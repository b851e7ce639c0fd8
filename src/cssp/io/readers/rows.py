"""Rows of a table into communities: CSV, TSV, Excel and Parquet alike.

A table is read in chunks of rows, column by column: each column's cells go
through one list comprehension (``float(cell) * factor``), and only a column
with an unusual cell (a unit, a thousands separator, a typo) is converted
cell by cell, where each problem is located. Then the objects are built with
the model's own constructors, which validate them: over the columns for the
usual chunk (:mod:`cssp.io.readers.built`), row by row for any other, where
each problem of a row is found and located.

How a column is read, from its header, is :mod:`cssp.io.readers.columns`.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final

import attrs

from cssp.errors import InputError
from cssp.io.readers.built import (
    _COMMERCIAL,
    _COMPREHENSIVE,
    _DISAGREE,
    _NO_STAFF,
    _STAFF_CACHE_LIMIT,
    built,
    other_facilities,
)
from cssp.io.readers.columns import (
    _STAFF,
    COLUMNS,
    PLACE_COLUMNS,
    _blank,
    _Column,
    _column_for,
    _header,
    _header_text,
    _normalise_header,
    _split_header,
    _UnknownColumn,
    _with_words,
    map_key,
)
from cssp.io.readers.maps import ColumnMap
from cssp.io.readers.problems import _Found, _Problems
from cssp.model.community import (
    PLACED_WITHOUT_KIND,
    PLACED_WITHOUT_NAME,
    Community,
    CommunityKind,
    Facility,
    Service,
    Staff,
    class_contradiction,
    kind_contradiction,
    kind_of,
)
from cssp.model.notes import Note, ResolvedPlace
from cssp.model.places import Place, resolve_place
from cssp.model.schema import (
    COMMUNITY_VALUES,
    FACILITY_VALUES,
    PART_RULES,
    STAFF_VALUES,
    code_rural,
    problems_of,
)

_Rows = Iterator[tuple[int, Sequence[object]]]
#: Reads a chunk of a table into columns: ``(block, rows read, notes)`` (the notes as
#: ``(row number, column, warning, kind of warning)``), or ``None`` to decline.
_Chunk = list[tuple[int, Sequence[object]]]
_Columns = (
    Callable[["_Table", _Chunk], tuple[object, int, list[tuple[int, str, str, str]]] | None] | None
)

#: Rows converted at a time: big enough for the column-wise conversion to pay,
#: small enough to keep the cells of only a few thousand rows in memory.
_CHUNK: Final = 4096
_FIRST: Final = operator.itemgetter(0)
_SECOND: Final = operator.itemgetter(1)

#: A community's extra values when the table has none (the field's default, kept as it is).
_NO_EXTRA: Final = attrs.fields(Community).extra.default
_STAFF_PARTS: Final = tuple(r for r in PART_RULES if r.whole == "community_workers")
_FACILITY_PART_RULES: Final = tuple(r for r in PART_RULES if r.whole == "floor_area")
_FACILITY_PARTS_COLUMNS: Final = (
    "facility_activity_area",
    "facility_office_area",
    "facility_opening_hours",
)


# A problem found in a chunk: (row number, column index, location, message, kind), sorted
# by row and column before it is reported.
_Pending = tuple[int, int, str, str, type[InputError]]


@attrs.define
class _Table:
    """The columns of one table, read from its header, and the rows read with them."""

    name: str
    header_row: int
    text_cells: bool  # every cell is a string (CSV): the column-wise fast path applies
    width: int
    columns: list[tuple[int, _Column]] = attrs.field(factory=list)
    headers: dict[str, str] = attrs.field(factory=dict)
    positions: dict[str, int] = attrs.field(factory=dict)
    # the keys of the columns beyond COLUMNS: extra.NAME and service.VALUE
    others: tuple[str, ...] = ()
    extras: tuple[tuple[str, int], ...] = ()
    service_flags: tuple[tuple[int, Service], ...] = ()
    has_staff: bool = False
    has_facilities: bool = False
    pending: list[_Pending] = attrs.field(factory=list)
    # the headers skipped because a column map says to ignore unknown columns
    ignored: list[str] = attrs.field(factory=list)
    has_places: bool = False
    # the rows placed by their names: (row, the names as written, the place)
    placed: list[tuple[int, tuple[str, ...], Place]] = attrs.field(factory=list)
    # warnings about rows that were read: (row, column key, message, kind of warning)
    notes: list[tuple[int, str, str, str]] = attrs.field(factory=list)
    # Staff objects are immutable values and few are distinct: one object for each.
    staff: dict[tuple[object, ...], Staff] = attrs.field(factory=dict)

    @classmethod
    def from_header(
        cls,
        name: str,
        header_row: int,
        header: Sequence[object],
        text_cells: bool,
        column_map: ColumnMap | None = None,
    ) -> _Table:
        table = cls(name, header_row, text_cells, len(header))
        mapped_columns = len(column_map.columns) if column_map else 0
        problems = _Problems(min(max(1, len(header)) + 2 * mapped_columns + 1, _LISTED))
        mapped: dict[str, str] = {}  # a mapped header, normalised -> its key
        if column_map is not None:
            mapped = {_normalise_header(h): map_key(k) for k, h in column_map.columns.items()}
        for index, cell in enumerate(header):
            text = _header_text(cell)
            key = mapped.get(_normalise_header(text)) if text else None
            try:
                column = _header(text) if key is None else _column_for(key, _split_header(text)[1])
            except _UnknownColumn as error:
                if column_map is not None and column_map.unknown_columns == "ignore":
                    table.ignored.append(text)
                    continue
                listed = problems.count < problems.limit  # the rest are counted only
                problems.add(
                    table.column_where(index, text), error.describe() if listed else error.message
                )
                continue
            except InputError as error:
                problems.add(table.column_where(index, text), error.message, type(error))
                continue
            if column is None:
                continue
            key = column.key
            if key in table.headers:
                problems.add(
                    table.column_where(index, text),
                    f"columns {table.headers[key]!r} and {text!r} both give {key}",
                )
                continue
            if column_map is not None and key:
                words = column_map.values.get(key.removeprefix("service."))
                if words:
                    column = _with_words(column, words)
            if key:
                table.headers[key] = text
                table.positions[key] = index
            table.columns.append((index, column))
        if column_map is not None:
            table.check_map(column_map, problems)
        if (
            "code" not in table.headers
            and table.headers.keys().isdisjoint(PLACE_COLUMNS)
            and not problems.count
        ):
            problems.add(
                table.row_where(header_row),
                "there is no column for the community code: head one 'code' or "
                "'统计用区划代码' (the header must be the first row), or give the names of "
                "its divisions (province, county, township)",
            )
        problems.check(name)
        table.others = tuple(key for key in table.headers if key.startswith(("extra.", "service.")))
        table.extras = tuple(
            (key.removeprefix("extra."), index)
            for index, key in enumerate(table.others)
            if key.startswith("extra.")
        )
        table.service_flags = tuple(
            (index, Service(key.removeprefix("service.")))
            for index, key in enumerate(table.others)
            if key.startswith("service.")
        )
        keys = table.headers.keys()
        table.has_places = not keys.isdisjoint(PLACE_COLUMNS)
        table.has_staff = not keys.isdisjoint(_STAFF)
        table.has_facilities = not keys.isdisjoint(
            (
                "has_facility",
                "facility_floor_area",
                "commercial_floor_area",
                *_FACILITY_PARTS_COLUMNS,
            )
        )
        return table

    def check_map(self, column_map: ColumnMap, problems: _Problems) -> None:
        """A map's headers and words must be those of the table: say which are not."""
        source = column_map.source or "the column map"
        for key, header in column_map.columns.items():
            if self.headers.get(map_key(key)) is None:
                problems.add(
                    self.row_where(self.header_row),
                    f"{source} maps {key} to the header {header!r}, but {self.name} has no "
                    f"column {header!r}",
                )
        for key in column_map.values:
            if map_key(key) not in self.headers:
                problems.add(
                    self.row_where(self.header_row),
                    f"{source} gives the words of the column {key}, but {self.name} has no "
                    f"column {key}",
                )

    # locations

    def row_where(self, number: int) -> str:
        return f"{self.name}: row {number}" if number else self.name

    def column_where(self, index: int, header: str, number: int | None = None) -> str:
        column = f"column {header}" if header else f"column {index + 1}"
        row = self.header_row if number is None else number
        return f"{self.name}: row {row}, {column}" if row else f"{self.name}: {column}"

    def where(self, number: int, key: str) -> str:
        header = self.headers.get(key)
        if header is None:
            return self.row_where(number)
        return f"{self.name}: row {number}, column {header}"

    def problem(
        self, number: int, key: str, message: str, kind: type[InputError] = InputError
    ) -> None:
        index = self.positions.get(key, self.width)
        self.pending.append((number, index, self.where(number, key), message, kind))

    def error(self, number: int, key: str, error: InputError) -> None:
        self.problem(number, key, error.message, type(error))

    # rows

    def read(self, rows: _Rows, problems: _Problems) -> _Found:
        found = _Found()
        numbers: list[int] = []  # the row of each community read
        for part, part_numbers in self.read_stream(rows, problems, _CHUNK):
            found.communities.extend(part.communities)
            numbers.extend(part_numbers)
            found.warnings.extend(part.warnings)
            found.resolved.extend(part.resolved)
        found.locate = lambda index: self.where(numbers[index], "code")
        found.row = lambda index: self.row_where(numbers[index])
        return found

    def read_stream(
        self, rows: _Rows, problems: _Problems, size: int = _CHUNK, columns: _Columns = None
    ) -> Iterator[tuple[_Found, list[int]]]:
        """The communities of the rows, ``size`` rows at a time, with the row of each.

        Each part's warnings and places resolved are those of its rows; the
        problems go to ``problems`` as each part is read. ``columns`` may read a
        chunk into columns instead (a part with its ``block`` and no
        communities; how many rows it read): when it declines, the rows are read here.
        """
        seen = 0
        while True:
            chunk = list(itertools.islice(rows, size))
            if not chunk:
                break
            if columns is not None:
                read = columns(self, chunk)
                if read is not None:
                    block, count, notes = read
                    seen += count
                    warnings = [
                        Note(self.where(number, key), text, sort)
                        for number, key, text, sort in notes
                    ]
                    yield _Found(block=block, warnings=warnings), []
                    continue
            numbers: list[int] = []
            found = _Found(locate=self._locator(numbers, "code"), row=self._locator(numbers))
            seen += self.read_chunk(chunk, found.communities, numbers)
            self.pending.sort(key=lambda pending: pending[:2])
            for number, _, where, message, kind in self.pending:
                problems.add(where, message, kind, self.row_where(number))
            self.pending.clear()
            for number, names, place in self.placed:
                found.resolved.append(
                    ResolvedPlace(self.row_where(number), names, place.code, place.path)
                )
            self.placed.clear()
            for number, key, message, sort in self.notes:
                found.warnings.append(Note(self.where(number, key), message, sort))
            self.notes.clear()
            yield found, numbers
        if not seen:
            raise InputError(
                f"there are no rows under the header (row {self.header_row})"
                if self.header_row
                else "the table has no rows",
                self.name,
            )

    def _locator(self, numbers: list[int], key: str = "") -> Callable[[int], str]:
        """Where the ``index``-th community read is: its row, or its cell of column ``key``."""
        if key:
            return lambda index: self.where(numbers[index], key)
        return lambda index: self.row_where(numbers[index])

    def read_chunk(
        self,
        chunk: list[tuple[int, Sequence[object]]],
        found: list[Community],
        found_rows: list[int],
    ) -> int:
        """Read a chunk of rows into ``found`` (their rows into ``found_rows``).

        Return how many rows were not blank.
        """
        width = self.width
        numbers: list[int] = list(map(_FIRST, chunk))
        cells: list[Sequence[object]] = list(map(_SECOND, chunk))
        failed: dict[int, set[str]] = {}  # position -> the keys of its cells that failed
        if set(map(len, cells)) != {width}:  # rows to cut or pad to the header's width
            cells = [
                row if len(row) == width else self.fit(number, row, failed, position)
                for position, (number, row) in enumerate(chunk)
            ]
        columns = list(zip(*cells, strict=True))
        converted: dict[str, list[object]] = {}
        for index, column in self.columns:
            values = self.convert(index, column, columns[index], numbers, failed)
            if column.key:  # a column without a header is only checked
                converted[column.key] = values
        if not failed:
            communities = built(self, converted, len(numbers))
            if communities is not None:  # every row a community: no blank row, no problem
                found.extend(communities)
                found_rows.extend(numbers)
                return len(numbers)
        nones: list[object] = [None] * len(numbers)  # the column of a field the table lacks
        fields = zip(*[converted.get(key, nones) for key in COLUMNS], strict=True)
        others = (
            zip(*[converted[key] for key in self.others], strict=True)
            if self.others
            else itertools.repeat(())
        )
        seen = 0
        for position, (row, rest) in enumerate(
            zip(fields, others, strict=False)
        ):  # others may repeat
            bad = failed.get(position) if failed else None
            if bad is None and row[0] is None and all(x is None for x in (*row, *rest)):
                continue  # a blank row
            seen += 1
            if bad is not None:  # every other problem of the row, too
                self.row_problems(numbers[position], row, bad)
                continue
            community = self.build(numbers[position], row, rest)
            if community is not None:
                found.append(community)
                found_rows.append(numbers[position])
        return seen

    def fit(
        self, number: int, row: Sequence[object], failed: dict[int, set[str]], position: int
    ) -> Sequence[object]:
        """A row cut or padded to the header's width; a value beyond the header is a problem."""
        width = self.width
        if len(row) < width:
            return [*row, *([None] * (width - len(row)))]
        beyond = next((i for i in range(width, len(row)) if not _blank(row[i])), None)
        if beyond is not None:
            self.pending.append(
                (
                    number,
                    beyond,
                    f"{self.row_where(number)}, column {beyond + 1}",
                    f"{row[beyond]!r} is beyond the last column of the header",
                    InputError,
                )
            )
            failed.setdefault(position, set())
        return row[:width]

    def convert(
        self,
        index: int,
        column: _Column,
        cells: Sequence[object],
        numbers: list[int],
        failed: dict[int, set[str]],
    ) -> list[object]:
        """The values of one column of a chunk: all at once if it can, else cell by cell."""
        convert = column.convert
        if self.text_cells:
            try:
                if column.convert_column is not None:
                    return column.convert_column(cells)
                return [convert(cell) if cell else None for cell in cells]
            except (InputError, ValueError, TypeError, KeyError, OverflowError):
                pass  # an unusual cell: convert the column cell by cell, below
        header = self.headers.get(column.key, "")
        values: list[object] = []
        for position, cell in enumerate(cells):
            if cell is None or cell == "":
                values.append(None)
                continue
            try:
                values.append(convert(cell))
            except InputError as error:
                number = numbers[position]
                where = self.column_where(index, header, number)
                self.pending.append((number, index, where, error.message, type(error)))
                failed.setdefault(position, set()).add(column.key)
                values.append(None)
        return values

    def build(
        self, number: int, fields: tuple[Any, ...], others: tuple[object, ...]
    ) -> Community | None:
        """The community of one row, built by the model's constructors (which validate it).

        ``fields`` holds the row's values in the order of :data:`COLUMNS`
        (``None`` for a column the table lacks); ``others`` the values of the
        extra and service columns, in the order of ``self.others``. When the
        row is not fine, every one of its problems is reported
        (:meth:`row_problems`) and ``None`` returned.
        """
        (
            code,
            name,
            kind,
            households,
            population,
            building_area,
            resettlement,
            old_residential_area,
            newly_built,
            elderly_monthly_visit_rate,
            social_organisations,
            registered_volunteers,
            community_workers,
            social_workers,
            disaster_information_officers,
            trained_workers,
            has_facility,
            floor_area,
            activity_area,
            office_area,
            opening_hours,
            commercial_floor_area,
            services,
            urban_rural_class,
            *names,
        ) = fields
        place = self.place(code, names) if self.has_places and any(names) else None
        if code is None and place is not None:
            code = place.code
        if code is None:
            self.row_problems(number, fields, set())
            return None
        staff = _NO_STAFF
        stage = "staff"  # which constructor may raise, to locate its error
        try:
            if self.has_staff:
                counts = (
                    community_workers,
                    social_workers,
                    disaster_information_officers,
                    trained_workers,
                )
                staff = self.staff.get(counts) or self.new_staff(counts)
            facilities: tuple[Facility, ...] | None = None
            if not self.has_facilities:
                pass
            elif floor_area is not None and has_facility is not False:  # the common case
                stage = "facility"
                comprehensive = Facility(
                    _COMPREHENSIVE, floor_area, activity_area, office_area, opening_hours
                )
                stage = "commercial"
                facilities = (
                    (comprehensive,)
                    if commercial_floor_area is None
                    else (comprehensive, Facility(_COMMERCIAL, commercial_floor_area))
                )
            else:
                stage = "facilities"
                facilities = other_facilities(
                    has_facility,
                    (floor_area, activity_area, office_area, opening_hours),
                    commercial_floor_area,
                )
            if self.service_flags:
                flags = [(service, others[position]) for position, service in self.service_flags]
                if any(yes is not None for _, yes in flags):
                    listed = services if isinstance(services, frozenset) else frozenset()
                    services = listed | {service for service, yes in flags if yes}
            extra: object = _NO_EXTRA
            if self.extras:
                extra = {name: others[p] for name, p in self.extras if others[p] is not None}
            stage = "community"
            # Positional, in the order of the model's fields (a test checks the order): the
            # keywords would cost a tenth of the baseline's time per row.
            community = Community(
                code,
                name or "",
                kind,
                households,
                population,
                building_area,
                facilities,
                staff,
                services,
                resettlement or False,
                old_residential_area or False,
                newly_built or False,
                elderly_monthly_visit_rate,
                social_organisations,
                registered_volunteers,
                extra,
                urban_rural_class=urban_rural_class,
            )
        except InputError as error:
            self.failed(number, fields, stage, error)
            return None
        if self.has_places or urban_rural_class is not None:
            self.note_row(number, community, names, place)
        return community

    def new_staff(self, counts: tuple[object, ...]) -> Staff:
        """The staff of ``counts``, kept for the rows with the same counts (a few thousand)."""
        staff = Staff(*counts)
        if len(self.staff) < _STAFF_CACHE_LIMIT:
            self.staff[counts] = staff
        return staff

    def failed(self, number: int, fields: tuple[Any, ...], stage: str, error: InputError) -> None:
        """Report every problem of a row whose ``stage`` raised ``error``."""
        reported = self.row_problems(number, fields, set())
        key = error.path
        if stage == "facility":
            key = f"facility_{key}"
        elif stage == "commercial":
            key = "commercial_floor_area"
        elif stage == "facilities":  # a facility without floor area, or a commercial one
            key = "commercial_floor_area" if key == "floor_area" else f"facility_{key}"
        elif stage == "community" and key == "kind" and "kind" not in self.headers:
            key = "code"
        if not reported or (key not in reported and error.message != _DISAGREE):
            self.error(number, key, error)  # a rule row_problems does not know

    def place(self, code: object, names: Sequence[str | None]) -> Place | None:
        """Where the names place a row without a code; ``None`` when they do not, or when
        the row has a code (then :meth:`note_row` says whether they agree)."""
        if code is not None:
            return None
        try:
            return resolve_place(*names)
        except InputError:
            return None  # row_problems says why

    def note_row(
        self,
        number: int,
        community: Community,
        names: Sequence[str | None],
        place: Place | None,
    ) -> None:
        """What is worth saying of a row that was read: where its names placed it, a class
        that disagrees with its kind, names that disagree with its code."""
        written = tuple(name for name in names if name)
        if community.placed_by_name and place is not None:
            self.placed.append((number, written, place))
        elif written:
            try:
                found = resolve_place(*names)
            except InputError as error:
                self.notes.append(
                    (
                        number,
                        error.path,
                        f"the place names do not fit: {error.message}",
                        "places_unfit",
                    )
                )
            else:
                if not community.code.startswith(found.code):
                    self.notes.append(
                        (
                            number,
                            "code",
                            f"the place names ({' '.join(written)}) are those of {found.code} "
                            f"{' '.join(found.path)}, not of the code {community.code}",
                            "places_disagree",
                        )
                    )
        contradiction = class_contradiction(community)
        if contradiction is not None:
            self.notes.append((number, "urban_rural_class", contradiction, "class_disagrees"))

    def row_problems(self, number: int, fields: tuple[Any, ...], failed: set[str]) -> set[str]:
        """Report every problem of a row, besides those of its cells that ``failed``.

        Each rule of the model is checked on its own, so that one problem does
        not hide another (a missing floor area behind a missing code). Return
        the keys of the columns where problems were reported.
        """
        row = dict(zip(COLUMNS, fields, strict=True))
        given = {key: value for key, value in row.items() if key not in failed}
        found: list[tuple[str, str]] = []
        code = given.get("code")
        rural: bool | None = None
        known = False  # the code is fine
        names = [given.get(key) for key in PLACE_COLUMNS]
        if "code" not in failed:
            if code is None and any(names) and not failed.intersection(PLACE_COLUMNS):
                try:
                    code = resolve_place(*names).code
                except InputError as error:
                    found.append((error.path, error.message))
            elif code is None:
                found.append(
                    (
                        "code",
                        "the community code is empty"
                        + (", and no place names are given" if self.has_places else ""),
                    )
                )
            if code is not None:
                problem, rural = code_rural(code)
                if problem is not None:
                    found.append(("code", problem))
                else:
                    known = True
        kind = given.get("kind")
        named = None
        if kind is not None:
            named = kind_of(kind)
            if named is None:
                found.append(
                    ("kind", f"{kind!r} is not a community kind; expected 'urban' or 'rural'")
                )
            elif rural is not None and (named is CommunityKind.RURAL) is not rural:
                found.append(("kind", kind_contradiction(named, str(code))))
        if known and rural is None:  # placed by its names: it needs a name and a kind
            if not given.get("name"):
                found.append(("name", PLACED_WITHOUT_NAME))
            if kind is None and given.get("urban_rural_class") is None:
                found.append(("kind", PLACED_WITHOUT_KIND))
        found += problems_of(given, COMMUNITY_VALUES)
        found += problems_of(given, STAFF_VALUES, _STAFF_PARTS)
        if self.has_facilities:
            parts = {name: given.get(f"facility_{name}") for name in FACILITY_VALUES}
            found += [
                (f"facility_{key}", message)
                for key, message in problems_of(parts, FACILITY_VALUES, _FACILITY_PART_RULES)
            ]
            commercial = {"floor_area": given.get("commercial_floor_area")}
            found += [
                ("commercial_floor_area", message)
                for _, message in problems_of(commercial, ("floor_area",))
            ]
            if "facility_floor_area" not in failed and "has_facility" not in failed:
                found += self.facility_problems(given)
        for key, message in found:
            self.problem(number, key, message)
        return {key for key, _ in found}

    def facility_problems(self, row: dict[str, Any]) -> list[tuple[str, str]]:
        """The problems of a row's facility columns taken together, as ``(key, message)``."""
        has = row.get("has_facility")
        floor = row.get("facility_floor_area")
        commercial = row.get("commercial_floor_area")
        parts = [key for key in _FACILITY_PARTS_COLUMNS if row.get(key) is not None]
        if has is False and (floor is not None or parts):
            given = ", ".join(
                self.headers[key]
                for key in ("facility_floor_area", *parts)
                if row.get(key) is not None
            )
            return [
                (
                    "has_facility",
                    f"says there is no comprehensive facility, but {given} describes one",
                )
            ]
        if floor is None and has is None and not parts and commercial is not None:
            return [
                (
                    "commercial_floor_area",
                    "a commercial floor area is given, but not whether there is a comprehensive "
                    "facility: give its floor area, or write 是 or 否 in a has_facility "
                    "(有综合服务设施) column",
                )
            ]
        return []


#: At most this many problems of a header are listed (all are counted).
_LISTED: Final = 50


def _read_table(
    name: str,
    rows: _Rows,
    problems: _Problems,
    *,
    text_cells: bool = False,
    column_map: ColumnMap | None = None,
) -> _Found:
    found = _Found()
    numbers: list[int] = []
    table = None
    for read, part, part_numbers in _table_stream(
        name, rows, problems, text_cells=text_cells, column_map=column_map, size=_CHUNK
    ):
        table = read
        found.communities.extend(part.communities)
        numbers.extend(part_numbers)
        found.warnings.extend(part.warnings)
        found.resolved.extend(part.resolved)
    if table is not None:
        found.locate = lambda index: table.where(numbers[index], "code")
        found.row = lambda index: table.row_where(numbers[index])
    return found


def _table_stream(
    name: str,
    rows: _Rows,
    problems: _Problems,
    *,
    text_cells: bool = False,
    column_map: ColumnMap | None = None,
    size: int = _CHUNK,
    columns: _Columns = None,
) -> Iterator[tuple[_Table, _Found, list[int]]]:
    """A table's communities, ``size`` rows at a time (see :meth:`_Table.read_stream`);
    the first part's warnings start with the columns a map says to ignore."""
    for header_row, header in rows:  # noqa: B007 - the header is the first row that is not blank
        if not all(_blank(cell) for cell in header):
            break
    else:
        raise InputError("the file is empty", name)
    table = _Table.from_header(name, header_row, header, text_cells, column_map)
    first = True
    for part, numbers in table.read_stream(rows, problems, size, columns):
        if first and table.ignored:
            part.warnings.insert(
                0,
                Note(
                    table.row_where(header_row),
                    "columns ignored, as the column map says (unknown_columns = 'ignore'): "
                    + ", ".join(table.ignored),
                    "ignored_columns",
                ),
            )
        first = False
        yield table, part, numbers
