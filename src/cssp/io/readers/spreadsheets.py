"""Spreadsheets: Excel workbooks (``.xlsx``), through openpyxl, imported only when one is read.

The sheet named 社区 or communities is read, or else the first sheet.
"""

from __future__ import annotations

import io
import warnings

from cssp.errors import InputError
from cssp.io.readers.maps import ColumnMap
from cssp.io.readers.problems import _Found, _optional_import, _Problems
from cssp.io.readers.rows import _read_table


def _read_excel(
    name: str, problems: _Problems, column_map: ColumnMap | None = None, data: bytes | None = None
) -> _Found:
    openpyxl = _optional_import("openpyxl", "xlsx", "Excel", name)
    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it skips; they do not matter here.
        warnings.simplefilter("ignore")
        try:
            source = name if data is None else io.BytesIO(data)
            workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
        except OSError as error:
            raise InputError(f"cannot read the file: {error.strerror or error}", name) from None
        except Exception as error:  # openpyxl raises several unrelated types here
            raise InputError(f"not an Excel workbook (.xlsx): {error}", name) from None
        try:
            sheets = list(workbook.worksheets)
            chosen = next(
                (s for s in sheets if str(s.title).strip().casefold() in ("社区", "communities")),
                sheets[0] if sheets else None,
            )
            if chosen is None:
                raise InputError("the workbook has no worksheet", name)
            where = name if chosen is sheets[0] else f"{name} [{chosen.title}]"
            rows = enumerate(chosen.iter_rows(values_only=True), 1)
            return _read_table(where, rows, problems, column_map=column_map)
        finally:
            workbook.close()
