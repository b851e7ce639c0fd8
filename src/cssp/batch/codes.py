"""A table's codes and problems: what the batch engine checks first, vectorised.

The rules are :mod:`cssp.model.schema`'s (the code rules, written once); here
they are applied to a whole column of 12-digit codes at a time, and every
problem of a table is collected with its row (``rows[12].code``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from cssp.batch._arrow import arrow_to_numpy
from cssp.errors import InputError
from cssp.io.readers.columns import read_code
from cssp.model.divisions import PROVINCES_BY_CODE
from cssp.model.schema import (
    CODE_NO_PROVINCE,
    CODE_NOT_TWELVE_DIGITS,
    CODE_VILLAGE_DIGITS,
    village_rural,
)

__all__ = ["ParsedCodes", "code_keys", "in_file", "parsed_codes"]

Bools = NDArray[np.bool_]
#: The codes of a table, parsed: as integers, whether rural, and as ``S12``.
ParsedCodes = tuple[NDArray[np.int64], Bools, NDArray[np.bytes_]]
#: At most this many problems of a table are listed.
_MAX_PROBLEMS: Final = 20


class _Problems:
    """Every problem of a table, located as ``rows[i].column``."""

    def __init__(self, first_row: int) -> None:
        self.first_row = first_row
        self.items: list[tuple[int, str, str]] = []
        self.total = 0
        #: the rows with a problem, by column (a rule over several columns skips them)
        self.flagged: dict[str, Bools] = {}

    def add(self, bad: Bools, column: str, message: Any) -> None:
        if np.ndim(bad) and len(bad):
            before = self.flagged.get(column)
            self.flagged[column] = bad if before is None else before | bad
        rows = np.flatnonzero(bad)
        self.total += len(rows)
        for i in rows[: max(0, _MAX_PROBLEMS - len(self.items))].tolist():
            self.items.append((i, column, message(i)))

    def raise_if_any(self) -> None:
        if not self.total:
            return
        self.items.sort()
        located = tuple(
            (f"rows[{self.first_row + i}].{column}", message) for i, column, message in self.items
        )
        more = self.total - len(located)
        summary = f"{self.total} problem(s) in the table" + (
            f"; the first {len(located)} are listed" if more else ""
        )
        if len(located) == 1:
            path, message = located[0]
            raise InputError(message, path)
        raise InputError(summary, located[0][0], located)


_ROW_COLUMN: Final = re.compile(r"\brows\[(\d+)\]\.([\w.]+)")


def in_file(error: InputError, name: str, columns: Sequence[str] = ()) -> InputError:
    """``error`` of a table read from file ``name``, located as the readers locate it.

    ``rows[12].households`` becomes ``name: row 13, column households`` (a
    Parquet file's header is its row 0, as the default engine counts), and the
    summary names the file: both engines then report a file's problems in the
    same words, listed in the same order: by row, then by the column's place
    among the file's ``columns``. Other locations (a region, a target) are left
    as they are.
    """

    def place(match: re.Match[str]) -> str:
        return f"{name}: row {int(match[1]) + 1}, column {match[2]}"

    def locate(path: str) -> str:
        return name if path == "path" else _ROW_COLUMN.sub(place, path)

    def reword(message: str) -> str:
        return _ROW_COLUMN.sub(place, message)

    if len(error.problems) == 1:
        path, message = error.problems[0]
        if locate(path) == path and reword(message) == message:
            return error
        return type(error)(reword(message), locate(path))
    ordered = sorted(error.problems, key=lambda item: _row_and_column(item[0], columns))
    problems = tuple((locate(path), reword(message)) for path, message in ordered)
    summary = error.message
    listed = _LISTED.match(summary)
    if listed is not None:
        shown = f" (showing the first {len(problems)})" if listed[2] else ""
        summary = f"{listed[1]} problems in {name}{shown}"
    return type(error)(summary, name, problems)


def _row_and_column(path: str, columns: Sequence[str]) -> tuple[int, int]:
    match = _ROW_COLUMN.fullmatch(path)
    if match is None:
        return -1, -1
    column = match[2]
    return int(match[1]), columns.index(column) if column in columns else len(columns)


_LISTED: Final = re.compile(r"^(\d+) problem\(s\) in the table(; the first \d+ are listed)?$")


def _as_columns(table: object) -> dict[str, Any]:
    if isinstance(table, Mapping):
        return {str(k): v for k, v in table.items()}
    module = type(table).__module__.split(".")[0]
    if module == "pandas":
        frame: Any = table
        return {str(name): frame[name] for name in frame.columns}
    if module == "pyarrow":
        return {
            name: table.column(name)  # type: ignore[attr-defined]
            for name in table.column_names  # type: ignore[attr-defined]
        }
    raise InputError(
        f"{type(table).__name__} is not a table; give a mapping of columns, "
        "a pandas DataFrame or a pyarrow Table",
        "table",
    )


def _arrow(column: Any) -> bool:
    return type(column).__module__.split(".")[0] == "pyarrow"


def _to_numpy(column: Any) -> NDArray[Any]:
    if _arrow(column):
        return arrow_to_numpy(column)
    if hasattr(column, "to_numpy"):  # pandas
        return np.asarray(column.to_numpy())
    return np.asarray(column)


_PROVINCE_OK: Final = np.zeros(100, dtype=bool)
_PROVINCE_OK[[int(code) for code in PROVINCES_BY_CODE]] = True
_POWERS: Final = 10 ** np.arange(11, -1, -1, dtype=np.int64)


def code_keys(
    column: Any, first_row: int = 0
) -> tuple[NDArray[np.int64], Bools, NDArray[np.bytes_], bool]:
    """The codes of a column as integers (0 where malformed), which are rural, as
    ``S12``, and whether every code is good.

    Bad codes are left for :meth:`Frame.from_columns` to name; a column that
    is not text is refused at once, as there.
    """
    problems = _Problems(first_row)
    keys, rural, raw = _codes(column, problems)
    return keys, rural, raw, not problems.total


def parsed_codes(raw: NDArray[np.bytes_]) -> ParsedCodes:
    """Codes :func:`code_keys` found good (``S12``), parsed for :meth:`Frame.from_columns`."""
    keys, _ = _twelve_digits(raw)
    return keys, np.asarray(village_rural(keys % 1000)[1], dtype=bool), raw


def _codes(column: Any, problems: _Problems) -> tuple[NDArray[np.int64], Bools, NDArray[np.bytes_]]:
    """Check 12-digit codes, vectorised; return them as integers, and which are rural."""
    array = _to_numpy(column)
    if array.dtype.kind not in "US":
        # numbers (an integer column) and mixed cells: read as the table readers read them
        values = array.tolist()
        for index, value in enumerate(values):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                values[index] = ""  # a null
                continue
            try:
                values[index] = read_code(value) or ""
            except InputError as error:
                raise InputError(
                    error.message, f"rows[{problems.first_row + index}].code"
                ) from None
        array = np.array(values, dtype="U") if values else np.zeros(0, dtype="U12")
    n = len(array)
    if array.dtype == np.dtype("S12"):
        raw = array  # Arrow's 12-byte strings: a shorter one ends in NUL, not a digit
        well_formed = np.ones(n, dtype=bool)
    else:
        lengths = np.char.str_len(array) if n else np.zeros(0, dtype=np.int64)
        try:
            raw = array.astype("S12")
        except UnicodeEncodeError:
            ascii_only = np.array([str(c).isascii() for c in array.tolist()], dtype=bool)
            raw = np.where(ascii_only, array, "x").astype("S12")
            lengths = np.where(ascii_only, lengths, -1)
        well_formed = lengths == 12
    keys, digits = _twelve_digits(raw)
    well_formed &= digits
    keys[~well_formed] = 0
    province = keys // 10**10
    village = keys % 1000
    known_province = _PROVINCE_OK[province]
    known_village, rural = village_rural(village)
    bad = ~well_formed | ~known_province | ~known_village
    if bad.any():
        texts = array.tolist()

        def message(i: int) -> str:
            code = repr(texts[i])
            if texts[i] in ("", b""):
                return "the community code is empty"
            if not well_formed[i]:
                return CODE_NOT_TWELVE_DIGITS.format(code=code)
            if not known_province[i]:
                return CODE_NO_PROVINCE.format(code=code)
            return CODE_VILLAGE_DIGITS.format(code=code)

        problems.add(bad, "code", message)
    return keys, np.asarray(rural, dtype=bool), raw


_ZEROS: Final = np.uint64(0x3030303030303030)
_HIGH_NIBBLES: Final = np.uint64(0xF0F0F0F0F0F0F0F0)
_SIXES: Final = np.uint64(0x0606060606060606)


def _twelve_digits(raw: NDArray[np.bytes_]) -> tuple[NDArray[np.int64], Bools]:
    """12-byte codes as numbers, and whether all 12 bytes are ASCII digits.

    Eight bytes at a time in a uint64 (the last four after four '0's): every
    byte is a digit when its high nibble is 3 and adding 6 to it does not
    carry into that nibble; the digits are then combined in pairs, fours and
    eights by multiplying lanes of the word, the classic SWAR parse.
    """
    n = len(raw)
    matrix = np.ascontiguousarray(raw).view(np.uint8).reshape(n, 12)
    # The first eight digits in one word; '0000' and the last four in another.
    words = np.full((n, 2), _ZEROS, dtype=np.uint64)
    lanes = words.view(np.uint8).reshape(n, 16)
    lanes[:, :8] = matrix[:, :8]
    lanes[:, 12:] = matrix[:, 8:]
    digits = np.ones(n, dtype=bool)
    for k in range(2):
        word = words[:, k]
        digits &= (word & _HIGH_NIBBLES) == _ZEROS
        digits &= ((word + _SIXES) & _HIGH_NIBBLES) == _ZEROS
    values = [_eight_digits(words[:, k]) for k in range(2)]
    keys = (values[0] * np.uint64(10_000) + values[1]).astype(np.int64)
    return keys, digits


def _eight_digits(word: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """Eight ASCII digits, the first in the lowest byte, as their number."""
    x = word - _ZEROS
    x = x * np.uint64(10) + (x >> np.uint64(8))  # pairs, in bytes 0, 2, 4 and 6
    low = x & np.uint64(0x000000FF000000FF)
    high = (x >> np.uint64(16)) & np.uint64(0x000000FF000000FF)
    x = low * np.uint64(100 + (1_000_000 << 32)) + high * np.uint64(1 + (10_000 << 32))
    number: NDArray[np.uint64] = x >> np.uint64(32)
    return number
