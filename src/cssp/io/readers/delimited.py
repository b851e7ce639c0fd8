"""Delimited text: CSV and TSV tables.

A ``.tsv`` file is split at tabs, and so is a CSV file whose first line has tabs but no comma.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Final

from cssp.errors import InputError
from cssp.io.readers.maps import ColumnMap
from cssp.io.readers.problems import _Found, _Problems
from cssp.io.readers.rows import _read_table


def _read_csv(
    name: str, text: str, problems: _Problems, column_map: ColumnMap | None = None
) -> _Found:
    rows = _checked_rows(io.StringIO(text, newline=""), name, _delimiter(name, text), problems)
    return _read_table(name, rows, problems, text_cells=True, column_map=column_map)


def _delimiter(name: str, start: str) -> str:
    """A ``.tsv`` file's tabs; a CSV file's commas, unless its first line (in ``start``, the
    text's beginning) has tabs and no comma."""
    delimiter = "\t" if name.lower().endswith(".tsv") else ","
    first = start.lstrip("\r\n").partition("\n")[0]
    if delimiter == "," and "," not in first and "\t" in first:
        delimiter = "\t"
    return delimiter


def _checked_rows(
    lines: Iterable[str], name: str, delimiter: str, problems: _Problems
) -> Iterator[tuple[int, list[str]]]:
    """The numbered rows of the text's ``lines`` (a file read with ``newline=""``), without
    those that an unclosed quote has run together; a line the csv module cannot read is an
    :class:`~cssp.errors.InputError` naming it.

    A quote left open folds the lines after it into one cell, up to the next
    quote or the end of the file: the rows in between would be lost without a
    word. A row read from several lines is a problem when a line inside a cell
    has as many separators as a row (it was a row), or when its own lines'
    quotes do not pair up (the quote is never closed: only a row that runs to
    the end of the file can). The lines are read one at a time, never whole, so
    a file read in batches is checked as one read whole is.
    """
    own: list[str] = []  # the lines of the row being read

    def source() -> Iterator[str]:
        for line in lines:
            own.append(line)
            yield line

    reader = csv.reader(source(), delimiter=delimiter)
    start = 1
    width = 0
    try:
        for number, row in enumerate(reader, start=1):
            end = reader.line_num
            spans = end > start or (row and row[-1][-1:] in _BREAKS)
            text = "".join(own) if spans else ""  # a row of one line: nothing to check
            own.clear()
            if number == 1:
                width = len(row)
            elif spans and _folded(row, delimiter, width, text):
                where = f"{name}: row {number}"
                span = f"line {start}" if end == start else f"lines {start}–{end}"
                problems.add(
                    f"{where} ({span})",
                    'a quote (") opened in this row is not closed where its cell ends: the '
                    "cell runs on over the next line(s) or to the end of the file, and the "
                    "rows there would be lost; close the quote",
                    row=where,
                )
                start = end + 1
                continue
            start = end + 1
            yield number, row
    except csv.Error as error:
        raise InputError(f"not valid CSV: {error}", f"{name}: line {reader.line_num}") from None


_BREAKS: Final = ("\n", "\r")


def _folded(row: list[str], delimiter: str, width: int, text: str) -> bool:
    """Whether ``row`` (read from the lines ``text``) has run rows together."""
    spanning = [cell for cell in row if "\n" in cell or "\r" in cell]
    if not spanning:
        return False
    if width >= 2:
        for cell in spanning:
            if any(line.count(delimiter) >= width - 1 for line in cell.splitlines()[1:]):
                return True
    return text.count('"') % 2 == 1  # a quote never closed: the row ran to the end
