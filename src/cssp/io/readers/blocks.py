"""A block of a CSV or TSV table read into columns, for the columnar engine.

The table reader (:mod:`cssp.io.readers.rows`) turns each block of rows into
:class:`~cssp.model.community.Community` objects, which the columnar engine then
turns back into columns. :func:`read_block` reads a block straight into the
table format's columns instead, with the same converters, column by column
(``float(cell) * factor``, the words of a column map, units in the headers):
the values are those the row path gives, by construction.

It reads only a block it can read exactly as the row path does, and declines
(``None``) any other, which the row path then reads, so that every problem,
warning and note comes from one place: a cell that is not read as it is
(a unit in a cell, ``约300``, ``1,200`` in a count column, a bad cell), a row
of another width, a row without a code, place names, an urban-rural class
that disagrees with the code. The columnar engine checks the rules of the
model on the columns, and declines a block that breaks any (the row path then
names every problem of every row).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from cssp.errors import InputError
from cssp.io.readers.columns import _FLAG_WORDS, _QUANTITIES, COLUMNS, PLACE_COLUMNS, _flags
from cssp.model.community import (
    Community,
    CommunityKind,
    class_disagreement,
    read_urban_rural_class,
)
from cssp.model.schema import code_rural

if TYPE_CHECKING:
    from cssp.io.readers.rows import _Table

__all__ = ["ColumnBlock", "read_block"]

_WHOLE: Final = frozenset(key for key, (_, whole) in _QUANTITIES.items() if whole)
_NUMBERS: Final = frozenset(_QUANTITIES)
_TEXT: Final = frozenset(("code", "name", "kind"))
#: The words of a yes/no column, as the row path reads them (``_flags``), as floats.
_FLAG_FLOATS: Final = {
    "": float("nan"),
    **{word: 1.0 if value else 0.0 for word, value in _FLAG_WORDS.items()},
}


@attrs.define(eq=False)
class ColumnBlock:
    """The rows of a block read into columns, in the table format (:data:`COLUMNS`).

    ``columns`` maps a column's name to its values in the rows' order: the
    code, name and kind as text (``None`` when blank); the numbers, yes/no
    columns, services (``"5g"``…) and ``extra.NAME`` as floats (NaN when blank,
    1.0 and 0.0 for yes and no). :attr:`community` builds the
    :class:`~cssp.model.community.Community` of a row, as the row path does.
    """

    columns: dict[str, Any]
    size: int
    #: the row number of each row in the file
    numbers: list[int]
    #: the Community of the ``i``-th row, built by the table reader's own code
    community: Callable[[int], Community]
    #: what the row path warns of these rows, as (row number, column, message, kind of
    #: warning): an urban-rural class that disagrees with the kind of the row's code
    notes: list[tuple[int, str, str, str]] = attrs.field(factory=list)


def read_block(table: _Table, chunk: Sequence[tuple[int, Sequence[object]]]) -> ColumnBlock | None:
    """The rows of ``chunk`` read into columns, or ``None`` when the row path must read them."""
    if not table.text_cells or "code" not in table.headers:
        return None
    width = table.width
    rows: list[Sequence[object]] = []
    numbers: list[int] = []
    for number, row in chunk:
        if len(row) != width:
            if not row:  # a blank line: a blank row, skipped as the row path skips it
                continue
            return None
        rows.append(row)
        numbers.append(number)
    if not rows:
        return None
    cells = list(zip(*rows, strict=True))
    del rows
    converted: dict[str, list[Any]] = {}
    floats: dict[str, Any] = {}  # yes/no columns read straight into floats
    for index, column in table.columns:
        if column.convert_column is _flags:
            found = _flag_floats(cells[index])
            if found is not None:
                floats[column.key] = found
                continue
        values = _convert(column.convert, column.convert_column, cells[index])
        if values is None:
            return None
        if column.key:
            converted[column.key] = values
    del cells
    if None in converted["code"]:  # a row without a code: blank (skipped), or a problem
        kept = _without_blank_rows(converted, floats, numbers)
        if kept is None:
            return None
        converted, floats, numbers = kept
    codes = converted["code"]
    if not _twelve_digits(codes):
        return None  # placed by names, or a problem: the row path reads it
    if any(v is not None for key in PLACE_COLUMNS for v in converted.get(key, ())):
        return None  # names beside the codes: the row path says whether they agree
    notes: list[tuple[int, str, str, str]] = []
    classes = converted.get("urban_rural_class")
    if classes is not None:
        disagreeing = _class_notes(converted["code"], classes)
        if disagreeing is None:
            return None
        notes = [
            (numbers[i], "urban_rural_class", message, "class_disagrees")
            for i, message in disagreeing
        ]
    columns = _table_columns(table, converted, floats)
    if columns is None:
        return None
    builder = _builder(table, converted, floats, numbers)
    return ColumnBlock(columns, len(numbers), numbers, builder, notes)


def _table_columns(
    table: _Table, converted: dict[str, list[Any]], floats: dict[str, Any]
) -> dict[str, Any] | None:
    """The columns of the table format (see :class:`ColumnBlock`); ``None`` when a value is
    not one the model keeps as it is."""
    import numpy as np  # noqa: PLC0415 - the columnar engine's extra

    columns: dict[str, Any] = {}
    services: list[Any] | None = None
    for key, values in converted.items():
        if key == "urban_rural_class" or key in PLACE_COLUMNS:
            continue  # checked; the columnar engine does not read them
        if key == "kind":  # as objects: numpy's text would drop a trailing NUL
            columns[key] = np.array(values, dtype=object)
        elif key in _TEXT:
            columns[key] = values
        elif key == "services":
            services = values
        elif key in _NUMBERS or key.startswith("extra."):
            if not _plain_numbers(values, key in _WHOLE):
                return None
            try:
                columns[key] = np.array(values, dtype=np.float64)
            except OverflowError:  # a count beyond a float: the model says so
                return None
        else:  # a yes/no column (True, False, None)
            columns[key.removeprefix("service.")] = np.array(values, dtype=np.float64)
    for key, values in floats.items():
        columns[key.removeprefix("service.")] = values
    if services is not None:
        flagged = [service.value for _, service in table.service_flags]
        _merge_services(columns, services, flagged)
    return columns


def _builder(
    table: _Table, converted: dict[str, list[Any]], floats: dict[str, Any], numbers: list[int]
) -> Callable[[int], Community]:
    """How the Community of a block's row is built: by the table reader, as the row path."""
    import math  # noqa: PLC0415

    def value(key: str, i: int) -> object:
        values = converted.get(key)
        if values is not None:
            return values[i]
        column = floats.get(key)
        if column is None:
            return None
        flag = float(column[i])
        return None if math.isnan(flag) else flag == 1.0

    def community(i: int) -> Community:
        fields = tuple(value(key, i) for key in COLUMNS)
        rest = tuple(value(key, i) for key in table.others)
        found = table.build(numbers[i], fields, rest)
        assert found is not None, "a row read into columns is fine"
        return found

    return community


def _flag_floats(cells: Sequence[Any]) -> Any:
    """A yes/no column's cells as 1.0, 0.0 and NaN (blank), by the words the row path
    reads (``_flags``); ``None`` when a cell is none of them."""
    import numpy as np  # noqa: PLC0415

    try:
        return np.fromiter(map(_FLAG_FLOATS.__getitem__, cells), np.float64, len(cells))
    except (KeyError, TypeError):
        return None


def _without_blank_rows(
    converted: dict[str, list[Any]], floats: dict[str, Any], numbers: list[int]
) -> tuple[dict[str, list[Any]], dict[str, Any], list[int]] | None:
    """The block without its blank rows (no value in any cell); ``None`` when a row lacks
    its code but is not blank, or when no row is left."""
    import numpy as np  # noqa: PLC0415

    codes = converted["code"]
    missing = [i for i, code in enumerate(codes) if code is None]
    for i in missing:
        if any(values[i] is not None for values in converted.values()):
            return None
        if any(not np.isnan(values[i]) for values in floats.values()):
            return None
    drop = set(missing)
    keep = [i for i in range(len(codes)) if i not in drop]
    if not keep:
        return None
    return (
        {key: [values[i] for i in keep] for key, values in converted.items()},
        {key: values[keep] for key, values in floats.items()},
        [numbers[i] for i in keep],
    )


def _twelve_digits(codes: list[str]) -> bool:
    """Whether every code is 12 ASCII digits."""
    joined = "".join(codes)
    return len(joined) == 12 * len(codes) and joined.isascii() and joined.isdigit()


def _convert(
    convert: Callable[[object], object],
    convert_column: Callable[[Sequence[object]], list[object]] | None,
    cells: Sequence[object],
) -> list[object] | None:
    """A column's values as the row path converts them; ``None`` when a cell fails."""
    if convert_column is not None:
        try:
            return convert_column(cells)
        except (InputError, ValueError, TypeError, KeyError, OverflowError):
            pass  # an unusual cell: cell by cell, as the row path
    try:
        return [convert(cell) if cell else None for cell in cells]
    except Exception:  # the row path reports it (or raises it) itself
        return None


def _blank_row(converted: dict[str, list[Any]], i: int) -> bool:
    return all(values[i] is None for values in converted.values())


def _plain_numbers(values: list[Any], whole: bool) -> bool:
    """Whether the values are plain numbers (no approximate value, a count whole): those
    the model keeps as they are."""
    for value in values:
        kind = type(value)
        if kind is float:
            if whole and not value.is_integer():
                return False  # '0.07万' is 700.0000000000001: the model rounds it
        elif kind is not int and value is not None:
            return False  # 约300: the model marks it approximate
    return True


def _class_notes(codes: list[Any], classes: list[Any]) -> list[tuple[int, str]] | None:
    """The rows whose urban-rural class disagrees with the kind their code gives, and the
    row path's warning of each (``None`` when a class is not one, or a code has no kind:
    the row path says why)."""
    notes: list[tuple[int, str]] = []
    for index, (code, given) in enumerate(zip(codes, classes, strict=True)):
        if given is None:
            continue
        try:
            found = read_urban_rural_class(given)
        except InputError:
            return None
        problem, rural = code_rural(code)
        if problem is not None or rural is None:
            return None
        kind = CommunityKind.RURAL if rural else CommunityKind.URBAN
        message = class_disagreement(found, kind, code)
        if message is not None:
            notes.append((index, message))
    return notes


def _merge_services(columns: dict[str, Any], listed: list[Any], flagged: list[str]) -> None:
    """A services column (sets) merged with the yes/no columns of services, as the row path
    merges them: listed, or (when a yes/no cell is given) the listed ones and those said yes."""
    import numpy as np  # noqa: PLC0415

    from cssp.model.community import Service  # noqa: PLC0415

    size = len(listed)
    known = np.array([value is not None for value in listed], dtype=bool)
    for key in flagged:
        known |= ~np.isnan(columns[key])
    for service in Service:
        has = np.array([value is not None and service in value for value in listed], dtype=bool)
        flag = columns.get(service.value)
        if flag is not None:
            has |= flag == 1
        column = np.full(size, np.nan)
        column[known] = 0.0
        column[has] = 1.0
        columns[service.value] = column
