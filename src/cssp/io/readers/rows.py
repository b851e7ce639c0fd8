"""Rows of a table into communities: CSV, TSV, Excel and Parquet alike.

A table is read in chunks of rows, column by column: each column's cells go
through one list comprehension (``float(cell) * factor``), and only a column
with an unusual cell (a unit, a thousands separator, a typo) is converted
cell by cell, where each problem is located. Then the objects are built row
by row with the model's own constructors, which validate them.

How a column is read, from its header, is :mod:`cssp.io.readers.columns`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any, Final

import attrs

from cssp.errors import InputError
from cssp.io.readers.columns import (
    _FACILITY_PARTS,
    _STAFF,
    COLUMNS,
    _blank,
    _Column,
    _header,
    _header_text,
)
from cssp.io.readers.problems import _Found, _Problems
from cssp.model.community import Community, Facility, FacilityKind, Service, Staff

_Rows = Iterator[tuple[int, Sequence[object]]]

#: Rows converted at a time: big enough for the column-wise conversion to pay,
#: small enough to keep the cells of only a few thousand rows in memory.
_CHUNK: Final = 4096

_NO_STAFF: Final = Staff()
_STAFF_CACHE_LIMIT: Final = 65_536
_COMPREHENSIVE: Final = FacilityKind.COMPREHENSIVE
_COMMERCIAL: Final = FacilityKind.COMMERCIAL


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
    # Staff objects are immutable values and few are distinct: one object for each.
    staff: dict[tuple[object, ...], Staff] = attrs.field(factory=dict)

    @classmethod
    def from_header(
        cls, name: str, header_row: int, header: Sequence[object], text_cells: bool
    ) -> _Table:
        table = cls(name, header_row, text_cells, len(header))
        problems = _Problems(max(1, len(header)) + 1)
        for index, cell in enumerate(header):
            text = _header_text(cell)
            try:
                column = _header(text)
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
            if key:
                table.headers[key] = text
                table.positions[key] = index
            table.columns.append((index, column))
        if "code" not in table.headers and not problems.count:
            problems.add(
                table.row_where(header_row),
                "there is no column for the community code: head one 'code' or "
                "'统计用区划代码' (the header must be the first row)",
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
        table.has_staff = not keys.isdisjoint(_STAFF)
        table.has_facilities = not keys.isdisjoint(
            ("has_facility", "facility_floor_area", "commercial_floor_area", *_FACILITY_PARTS)
        )
        return table

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
        numbers: list[int] = []  # the row of each community read
        found = _Found(locate=lambda index: self.where(numbers[index], "code"))
        seen = 0
        while True:
            chunk = list(itertools.islice(rows, _CHUNK))
            if not chunk:
                break
            seen += self.read_chunk(chunk, found.communities, numbers)
            self.pending.sort(key=lambda pending: pending[:2])
            for _, _, where, message, kind in self.pending:
                problems.add(where, message, kind)
            self.pending.clear()
        if not seen:
            raise InputError(
                f"there are no rows under the header (row {self.header_row})"
                if self.header_row
                else "the table has no rows",
                self.name,
            )
        return found

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
        numbers: list[int] = []
        cells: list[Sequence[object]] = []
        failed: set[int] = set()
        for number, row in chunk:
            if len(row) != width:
                row = self.fit(number, row, failed, len(numbers))  # noqa: PLW2901
            numbers.append(number)
            cells.append(row)
        columns = list(zip(*cells, strict=True))
        converted: dict[str, list[object]] = {}
        for index, column in self.columns:
            values = self.convert(index, column, columns[index], numbers, failed)
            if column.key:  # a column without a header is only checked
                converted[column.key] = values
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
            if failed and position in failed:
                seen += 1
                continue
            if row[0] is None and all(x is None for x in (*row, *rest)):
                continue  # a blank row
            seen += 1
            community = self.build(numbers[position], row, rest)
            if community is not None:
                found.append(community)
                found_rows.append(numbers[position])
        return seen

    def fit(
        self, number: int, row: Sequence[object], failed: set[int], position: int
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
            failed.add(position)
        return row[:width]

    def convert(
        self,
        index: int,
        column: _Column,
        cells: Sequence[object],
        numbers: list[int],
        failed: set[int],
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
                failed.add(position)
                values.append(None)
        return values

    def build(
        self, number: int, fields: tuple[Any, ...], others: tuple[object, ...]
    ) -> Community | None:
        """The community of one row, built by the model's constructors (which validate it).

        ``fields`` holds the row's values in the order of :data:`COLUMNS`
        (``None`` for a column the table lacks); ``others`` the values of the
        extra and service columns, in the order of ``self.others``.
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
        ) = fields
        if code is None:
            self.problem(number, "code", "the community code is empty")
            return None
        ok = True
        staff = _NO_STAFF
        if self.has_staff:
            counts = (
                community_workers,
                social_workers,
                disaster_information_officers,
                trained_workers,
            )
            cached = self.staff.get(counts)
            if cached is not None:
                staff = cached
            else:
                try:
                    staff = Staff(*counts)
                except InputError as error:
                    self.error(number, error.path, error)
                    ok = False
                else:
                    if len(self.staff) < _STAFF_CACHE_LIMIT:
                        self.staff[counts] = staff
        facilities: tuple[Facility, ...] | None = None
        if not self.has_facilities:
            pass
        elif floor_area is not None and has_facility is not False:  # the common case, inline
            try:
                comprehensive = Facility(
                    _COMPREHENSIVE, floor_area, activity_area, office_area, opening_hours
                )
                facilities = (
                    (comprehensive,)
                    if commercial_floor_area is None
                    else (comprehensive, Facility(_COMMERCIAL, commercial_floor_area))
                )
            except InputError:  # the slow path below locates the problem
                facilities = None
        if self.has_facilities and facilities is None:
            facilities, fine = self.facilities(
                number,
                has_facility,
                (floor_area, activity_area, office_area, opening_hours),
                commercial_floor_area,
            )
            ok = ok and fine
        if self.service_flags:
            flags = [(service, others[position]) for position, service in self.service_flags]
            if any(yes is not None for _, yes in flags):
                listed = services if isinstance(services, frozenset) else frozenset()
                services = listed | {service for service, yes in flags if yes}
        extra = None
        if self.extras:
            extra = {name: others[p] for name, p in self.extras if others[p] is not None}
        if not ok:
            return None
        try:
            # Positional, in the order of the model's fields (a test checks the order): the
            # keywords would cost a tenth of the baseline's time per row.
            return Community(
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
            )
        except InputError as error:
            key = error.path
            if key == "kind" and "kind" not in self.headers:
                key = "code"
            self.error(number, key, error)
            return None

    def facilities(
        self,
        number: int,
        has: object,
        comprehensive: tuple[Any, Any, Any, Any],
        commercial: object,
    ) -> tuple[tuple[Facility, ...] | None, bool]:
        """The comprehensive facility and the commercial one of a row, and whether they are fine.

        ``comprehensive`` is the facility's floor area, activity area, office
        area and opening hours.
        """
        floor = comprehensive[0]
        result: list[Facility] = []
        ok = True
        if floor is not None:
            if has is False:
                self.problem(
                    number,
                    "has_facility",
                    "says there is no comprehensive facility, but "
                    f"{self.headers['facility_floor_area']} gives its floor area",
                )
                ok = False
            else:
                try:
                    result.append(Facility(FacilityKind.COMPREHENSIVE, *comprehensive))
                except InputError as error:
                    self.error(number, f"facility_{error.path}", error)
                    ok = False
        else:
            ok = self.no_floor_area(number, has, comprehensive, commercial)
        if commercial is not None:
            try:
                result.append(Facility(FacilityKind.COMMERCIAL, commercial))
            except InputError as error:
                self.error(number, "commercial_floor_area", error)
                ok = False
        if floor is None and has is None and commercial is None:
            return None, ok
        return tuple(result), ok

    def no_floor_area(
        self, number: int, has: object, comprehensive: tuple[Any, ...], commercial: object
    ) -> bool:
        """Check a row whose comprehensive facility has no floor area; return whether it is fine."""
        parts = [
            key for key, value in zip(_FACILITY_PARTS, comprehensive[1:], strict=True) if value
        ]
        if has is True or parts:
            given = ", ".join(self.headers[key] for key in parts) or self.headers["has_facility"]
            if "facility_floor_area" in self.headers:
                key = "facility_floor_area"
                fill = "fill in its floor area"
            else:  # no floor-area column at all: say where the row describes a facility
                key = parts[0] if parts else "has_facility"
                fill = "add a column 综合服务设施面积 (facility_floor_area) with its floor area"
            self.problem(
                number,
                key,
                f"the comprehensive facility's floor area is empty, but {given} "
                f"describes one: {fill}"
                + (", or clear the other facility columns" if has is not True else ""),
            )
            return False
        if has is None and commercial is not None:
            self.problem(
                number,
                "commercial_floor_area",
                "a commercial floor area is given, but not whether there is a comprehensive "
                "facility: fill in its floor area, or write 否 in a has_facility "
                "(有综合服务设施) column if there is none",
            )
            return False
        return True


def _read_table(name: str, rows: _Rows, problems: _Problems, *, text_cells: bool = False) -> _Found:
    for header_row, header in rows:  # noqa: B007 - the header is the first row that is not blank
        if not all(_blank(cell) for cell in header):
            break
    else:
        raise InputError("the file is empty", name)
    return _Table.from_header(name, header_row, header, text_cells).read(rows, problems)
