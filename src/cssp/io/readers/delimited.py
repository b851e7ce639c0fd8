"""Delimited text: CSV and TSV tables.

A ``.tsv`` file is split at tabs, and so is a CSV file whose first line has tabs but no comma.
"""

from __future__ import annotations

import csv
import io

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
    try:
        return _read_table(
            name, enumerate(reader, start=1), problems, text_cells=True, column_map=column_map
        )
    except csv.Error as error:
        raise InputError(f"not valid CSV: {error}", f"{name}: line {reader.line_num}") from None
