"""Delimited text: CSV and TSV tables.

A ``.tsv`` file is split at tabs, and so is a CSV file whose first line has tabs but no comma.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any, Final

from cssp.errors import InputError
from cssp.io.readers.maps import ColumnMap
from cssp.io.readers.problems import _Found, _Problems
from cssp.io.readers.rows import _read_table


def _read_csv(
    name: str, text: str, problems: _Problems, column_map: ColumnMap | None = None
) -> _Found:
    delimiter = "\t" if name.lower().endswith(".tsv") else ","
    first = text.lstrip("\r\n").partition("\n")[0]
    if delimiter == "," and "," not in first and "\t" in first:
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = _checked_rows(reader, name, text, delimiter, problems)
    try:
        return _read_table(name, rows, problems, text_cells=True, column_map=column_map)
    except csv.Error as error:
        raise InputError(f"not valid CSV: {error}", f"{name}: line {reader.line_num}") from None


def _checked_rows(
    reader: Any, name: str, text: str, delimiter: str, problems: _Problems
) -> Iterator[tuple[int, list[str]]]:
    """The numbered rows, without those that an unclosed quote has run together.

    A quote left open folds the lines after it into one cell, up to the next
    quote or the end of the file: the rows in between would be lost without a
    word. A row read from several lines is a problem when a line inside a cell
    has as many separators as a row (it was a row), or when it is the last row
    and its quotes do not pair up (the quote is never closed).
    """
    start = 1
    width = 0
    for number, row in enumerate(reader, start=1):
        end = reader.line_num
        if number == 1:
            width = len(row)
        elif (end > start or (row and row[-1][-1:] in _BREAKS)) and _folded(
            row, delimiter, width, text, start
        ):
            where = f"{name}: row {number}"
            lines = f"line {start}" if end == start else f"lines {start}–{end}"
            problems.add(
                f"{where} ({lines})",
                'a quote (") opened in this row is not closed where its cell ends: the cell '
                "runs on over the next line(s) or to the end of the file, and the rows there "
                "would be lost; close the quote",
                row=where,
            )
            start = end + 1
            continue
        start = end + 1
        yield number, row


_BREAKS: Final = ("\n", "\r")


def _folded(row: list[str], delimiter: str, width: int, text: str, start: int) -> bool:
    spanning = [cell for cell in row if "\n" in cell or "\r" in cell]
    if not spanning:
        return False
    if width >= 2:
        for cell in spanning:
            if any(line.count(delimiter) >= width - 1 for line in cell.splitlines()[1:]):
                return True
    return _last_quote_open(text, start)


def _last_quote_open(text: str, start: int) -> bool:
    """Whether the quotes from line ``start`` to the end of ``text`` do not pair up
    (only the last row can run to the end, so only it is looked at so)."""
    lines = text.splitlines(keepends=True)
    rest = "".join(lines[start - 1 :])
    return rest.count('"') % 2 == 1
