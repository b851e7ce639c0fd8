"""Spreadsheets: Excel workbooks (``.xlsx``), through openpyxl, imported only when one is read.

The sheet named 社区 or communities is read, or else the first sheet.

A cell's value is the one Excel saved. Three kinds of cell have no value to
trust, and are problems of their rows (located by the cell), never "no data":
a formula with no saved value (the workbook was written by a program and
never recalculated), a formula that refers to another workbook (its value is
whatever that file held when last opened), and cells merged over several rows
(only the first row holds the value).
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any, Final
from xml.etree import ElementTree

from cssp.errors import InputError
from cssp.io.readers.maps import ColumnMap
from cssp.io.readers.problems import _Found, _optional_import, _Problems
from cssp.io.readers.rows import _read_table, _Rows


def _read_excel(
    name: str, problems: _Problems, column_map: ColumnMap | None = None, data: bytes | None = None
) -> _Found:
    with open_sheet(name, data, ("社区", "communities"), problems) as (where, rows):
        return _read_table(where, rows, problems, column_map=column_map)


@contextlib.contextmanager
def open_sheet(
    name: str,
    data: bytes | None,
    titles: tuple[str, ...],
    problems: _Problems | None = None,
) -> Iterator[tuple[str, _Rows]]:
    """The rows of a workbook's sheet (numbered from 1) and where they are: the sheet
    titled one of ``titles`` (any case), or else the first.

    With ``problems``, the cells with no value to trust are its problems, and their
    rows are left out.
    """
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
                (s for s in sheets if str(s.title).strip().casefold() in titles),
                sheets[0] if sheets else None,
            )
            if chosen is None:
                raise InputError("the workbook has no worksheet", name)
            where = name if chosen is sheets[0] else f"{name} [{chosen.title}]"
            rows: _Rows = enumerate(chosen.iter_rows(values_only=True), 1)
            path = getattr(chosen, "_worksheet_path", None)  # the sheet's part in the archive
            if problems is not None and isinstance(path, str):
                bad: set[int] = set()
                archive = name if data is None else io.BytesIO(data)
                for spanned, cell, message in _untrusted_cells(archive, path):
                    bad.update(spanned)
                    # skipped, each of its rows is listed; else the problem is said once
                    for row in spanned if problems.skip else spanned[:1]:
                        problems.add(f"{where}: {cell}", message, row=f"{where}: row {row}")
                if bad:
                    rows = _without(rows, bad)
            yield where, rows
        finally:
            workbook.close()


def _without(rows: _Rows, bad: set[int]) -> Iterator[tuple[int, Any]]:
    return ((number, row) for number, row in rows if number not in bad)


# A formula's element, and a merged range's, in a sheet's XML (with or without a prefix).
_MARKERS: Final = re.compile(rb"<(?:\w+:)?(?:f[\s>/]|mergeCell\b)")
_EXTERNAL: Final = re.compile(r"\[\d+\]")
_CELL: Final = re.compile(r"^([A-Z]+)(\d+)$")
_CHUNK: Final = 1 << 20


def _untrusted_cells(archive: Any, path: str) -> Iterator[tuple[range, str, str]]:
    """The cells of a sheet whose value cannot be trusted: ``(rows, cell, message)``.

    The sheet's XML is first scanned for formulas and merged cells as bytes;
    only a sheet that has some is parsed (most have none).
    """
    try:
        with zipfile.ZipFile(archive) as book:
            if not _has_markers(book, path):
                return
            with book.open(path) as sheet:
                yield from _parse_cells(sheet)
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return  # openpyxl has read the sheet; what it could not read, it has said


def _has_markers(book: zipfile.ZipFile, path: str) -> bool:
    tail = b""
    with book.open(path) as sheet:
        while chunk := sheet.read(_CHUNK):
            if _MARKERS.search(tail + chunk):
                return True
            tail = chunk[-32:]
    return False


def _parse_cells(sheet: Any) -> Iterator[tuple[range, str, str]]:
    for _, element in ElementTree.iterparse(sheet, events=("end",)):
        tag = element.tag.rpartition("}")[2]
        if tag == "c":
            found = _formula_problem(element)
            if found is not None:
                yield found
            element.clear()
        elif tag == "row":
            element.clear()
        elif tag == "mergeCell":
            merged = _merge_problem(element.get("ref", ""))
            if merged is not None:
                yield merged


def _formula_problem(cell: Any) -> tuple[range, str, str] | None:
    formula = value = None
    for child in cell:
        tag = child.tag.rpartition("}")[2]
        if tag == "f":
            formula = child.text or ""
        elif tag == "v":
            value = child.text
    if formula is None:
        return None
    reference = cell.get("r", "")
    match = _CELL.match(reference)
    if match is None:
        return None
    row = int(match[2])
    shown = f"={formula}" if formula else "a shared formula"
    if _EXTERNAL.search(formula):
        return (
            range(row, row + 1),
            f"row {row}, cell {reference}",
            f"a formula that refers to another workbook ({shown}): its value is whatever that "
            "file held when this one was last saved; paste the values instead",
        )
    if value is None or value == "":
        return (
            range(row, row + 1),
            f"row {row}, cell {reference}",
            f"a formula with no saved value ({shown}): the workbook was not recalculated and "
            "saved in Excel (a program wrote it); open and save it in Excel, or paste the values",
        )
    return None


def _merge_problem(reference: str) -> tuple[range, str, str] | None:
    first, _, last = reference.partition(":")
    start, end = _CELL.match(first), _CELL.match(last)
    if start is None or end is None or start[2] == end[2]:
        return None  # merged along one row (a title over the columns): no row loses a value
    top, bottom = int(start[2]), int(end[2])
    return (
        range(top, bottom + 1),
        f"rows {top}–{bottom}, cells {reference}",
        f"cells {reference} are merged: only row {top} holds their value, and the rows below "
        "would have none; unmerge them and fill in each row's value",
    )
