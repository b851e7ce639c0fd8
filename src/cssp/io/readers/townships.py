"""Township records (乡镇、街道), for the township-level targets: every input format.

A township record is its 9-digit code and its facts (:class:`cssp.Township`):
the services present, one of :class:`cssp.TownshipService`. It is read from a
second file beside the communities' (``cssp evaluate communities.csv
--townships townships.csv``), in the same formats:

* **JSON** — a list of records, or ``{"townships": [...]}``; **JSON Lines** —
  one record per line; **TOML** — one ``[[townships]]`` table each. A record
  is ``{"code": "440106001", "name": "五山街道", "services":
  ["social_work_station"]}``; ``services`` left out: unknown.
* **CSV**, **TSV**, **Excel** and **Parquet** — a header row, then one row per
  township: ``code`` (or 统计用区划代码, 乡镇代码, 代码), ``name`` (or 名称,
  乡镇名称), and either a ``services`` column (the services separated by ``;``,
  ``；``, ``、``, ``,``; 无 for none) or one yes/no column per service, headed by
  its name or its Chinese term (``social_work_station`` or 社会工作站). A row
  whose service cells are all empty has unknown services.

Every problem is reported with its place (``townships.csv: row 3, column
社会工作站``) in one :class:`~cssp.errors.InputError`.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "townships.csv"
>>> _ = path.write_text("代码,名称,社会工作站\\n440106001,五山街道,是\\n440106002,员村街道,否\\n",
...                     encoding="utf-8")
>>> [(t.code, sorted(s.value for s in t.services)) for t in read_townships(path)]
[('440106001', ['social_work_station']), ('440106002', [])]
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from cssp.errors import InputError
from cssp.io.readers.problems import _optional_import
from cssp.io.readers.spreadsheets import open_sheet
from cssp.io.readers.text import _decode, _read_bytes
from cssp.model.convert import MAX_PROBLEMS, structure
from cssp.model.township import Township, TownshipService

__all__ = ["TOWNSHIP_COLUMNS", "read_townships"]

#: The columns of a township table, by their English names: besides these, one
#: yes/no column per :class:`~cssp.model.township.TownshipService`.
TOWNSHIP_COLUMNS: Final = ("code", "name", "services")

_ALIASES: Final = {
    "统计用区划代码": "code",
    "区划代码": "code",
    "代码": "code",
    "乡镇代码": "code",
    "乡镇（街道）代码": "code",
    "乡镇(街道)代码": "code",
    "名称": "name",
    "乡镇名称": "name",
    "乡镇（街道）名称": "name",
    "乡镇(街道)名称": "name",
    "服务项目": "services",
    **{service.value: f"service.{service.value}" for service in TownshipService},
    **{service.zh: f"service.{service.value}" for service in TownshipService},
    **{f"有{service.zh}": f"service.{service.value}" for service in TownshipService},
}
_YES: Final = frozenset({"是", "有", "true", "yes", "y", "t", "1", "√", "✓", "✔"})
_NO: Final = frozenset({"否", "无", "false", "no", "n", "f", "0", "×", "✗", "✘"})
_SEPARATORS: Final = re.compile(r"[;；、,，]")
_FORMATS: Final = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".toml": "toml",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
}


def read_townships(
    path: str | os.PathLike[str], *, format: str | None = None, encoding: str | None = None
) -> tuple[Township, ...]:
    """Read township records from a file (JSON, JSON Lines, TOML, CSV, TSV, Excel, Parquet).

    :param path: the file.
    :param format: ``"json"``, ``"jsonl"``, ``"toml"``, ``"csv"``, ``"xlsx"`` or
        ``"parquet"``; default: from the suffix.
    :param encoding: the text encoding of a text file (default: detected, as
        for communities).
    :raises cssp.InputError: listing every bad record with its place, or a
        code that appears twice.
    """
    name = os.fspath(path)
    kind = format or _FORMATS.get(Path(name).suffix.lower())
    if kind is None:
        known = ", ".join(sorted(_FORMATS))
        raise InputError(f"cannot tell the format of the file from its suffix ({known})", name)
    if kind in ("json", "jsonl", "toml", "csv"):
        text = _decode(_read_bytes(name), name, encoding)
        if kind == "csv":
            records = _table(name, _csv_rows(name, text))
        else:
            records = _documents(name, kind, text)
    elif kind == "xlsx":
        records = _table(name, _excel_rows(name))
    elif kind == "parquet":
        records = _table(name, _parquet_rows(name))
    else:
        raise InputError(f"{kind!r} is not a format of township records", "format")
    return _build(records)


# --- documents ---------------------------------------------------------------------------


def _documents(name: str, kind: str, text: str) -> list[tuple[str, object]]:
    if kind == "jsonl":
        out = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                out.append((f"{name}: line {number}", _json(name, line)))
        return out
    document = _json(name, text) if kind == "json" else _toml(name, text)
    if isinstance(document, dict):
        records = document.get("townships")
        if not isinstance(records, list):
            raise InputError("expected a list of townships under 'townships'", name)
    elif isinstance(document, list):
        records = document
    else:
        raise InputError("expected a list of townships, or {'townships': [...]}", name)
    return [(f"{name}: townships[{index}]", record) for index, record in enumerate(records)]


def _json(name: str, text: str) -> object:
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError, ValueError) as error:
        raise InputError(f"not valid JSON: {error}", name) from None


def _toml(name: str, text: str) -> object:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"not valid TOML: {error}", name) from None


# --- tables ---------------------------------------------------------------------------


def _csv_rows(name: str, text: str) -> Iterator[tuple[int, Sequence[object]]]:
    delimiter = "\t" if name.lower().endswith(".tsv") else ","
    first = text.lstrip("\r\n").partition("\n")[0]
    if delimiter == "," and "," not in first and "\t" in first:
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from enumerate(reader, 1)
    except csv.Error as error:
        raise InputError(f"not valid CSV: {error}", f"{name}: line {reader.line_num}") from None


def _excel_rows(name: str) -> Iterator[tuple[int, Sequence[object]]]:
    with open_sheet(name, None, ("乡镇", "townships")) as (_where, rows):
        yield from list(rows)


def _parquet_rows(name: str) -> Iterator[tuple[int, Sequence[object]]]:
    parquet = _optional_import("pyarrow.parquet", "parquet", "Parquet", name)
    try:
        table = parquet.read_table(name)
    except Exception as error:  # pyarrow's ArrowInvalid and friends, OSError
        raise InputError(f"not a Parquet file: {error}", name) from None
    columns = [table.column(index).to_pylist() for index in range(table.num_columns)]
    yield (1, list(table.column_names))
    yield from enumerate(zip(*columns, strict=True), 2)


def _key(header: object) -> str | None:
    text = "" if header is None else str(header).strip()
    if not text or text.startswith(("备注", "remark", "note")) or text == "序号":
        return None
    if text in TOWNSHIP_COLUMNS:
        return text
    found = _ALIASES.get(text) or _ALIASES.get(text.casefold())
    if found is None:
        choices = ", ".join([*TOWNSHIP_COLUMNS, *(s.value for s in TownshipService)])
        raise InputError(f"{text!r} is not a column of township records; known: {choices}")
    return found


def _cell(value: object) -> str:
    return "" if value is None else str(value).strip()


def _table(name: str, rows: Iterable[tuple[int, Sequence[object]]]) -> list[tuple[str, object]]:
    iterator = iter(rows)
    try:
        _, header = next(iterator)
    except StopIteration:
        raise InputError("the table is empty: it has no header row", name) from None
    keys: list[str | None] = []
    for number, cell in enumerate(header, 1):
        try:
            keys.append(_key(cell))
        except InputError as error:
            raise InputError(error.message, f"{name}: column {number}") from None
    if "code" not in keys:
        raise InputError("the table has no code column (code, 统计用区划代码, 乡镇代码)", name)
    records: list[tuple[str, object]] = []
    problems: list[tuple[str, str]] = []
    for number, row in iterator:
        cells = {key: _cell(value) for key, value in zip(keys, row, strict=False) if key}
        if not any(cells.values()):
            continue
        record: dict[str, Any] = {"code": cells.get("code", ""), "name": cells.get("name", "")}
        where = f"{name}: row {number}"
        try:
            services = _row_services(cells, header, keys)
        except InputError as error:
            problems.append((f"{where}, column {error.path}", error.message))
            continue
        if services is not None:
            record["services"] = services
        records.append((where, record))
    if problems:
        raise _many(problems, name)
    return records


def _row_services(
    cells: dict[str, str], header: Sequence[object], keys: Sequence[str | None]
) -> list[str] | None:
    """The row's services: from its services column, or its yes/no columns; None: unknown."""
    listed = cells.get("services", "")
    flags = {k: v for k, v in cells.items() if k.startswith("service.")}
    services: set[str] = set()
    known = False
    if listed:
        known = True
        if listed not in ("无", "none", "没有"):
            services.update(item.strip() for item in _SEPARATORS.split(listed) if item.strip())
    for key, value in flags.items():
        if not value:
            continue
        known = True
        word = value.casefold()
        column = str(header[list(keys).index(key)]).strip()
        if word in _YES:
            services.add(key.removeprefix("service."))
        elif word not in _NO:
            raise InputError(f"{value!r} is not yes or no (是/否)", column)
    return sorted(services) if known else None


# --- building -------------------------------------------------------------------------


def _build(records: list[tuple[str, object]]) -> tuple[Township, ...]:
    townships = []
    problems: list[tuple[str, str]] = []
    for where, record in records:
        try:
            townships.append(structure(record, Township))
        except InputError as error:
            inner = error.problems  # never empty: (path, message) at least
            join = "." if where.endswith("]") else ": "
            problems += [(f"{where}{join}{p}" if p else where, message) for p, message in inner]
    if problems:
        raise _many(problems, "townships")
    first: dict[str, int] = {}
    for index, township in enumerate(townships):
        seen = first.setdefault(township.code, index)
        if seen != index:
            here, there = records[index][0], records[seen][0]
            file = here.rpartition(": ")[0]  # the same file: its name once
            if file and there.startswith(f"{file}: "):
                there = there[len(file) + 2 :]
            raise InputError(
                f"township {township.code} appears twice (also at {there}); "
                "it would be counted twice",
                here,
            )
    return tuple(townships)


def _many(problems: list[tuple[str, str]], where: str) -> InputError:
    if len(problems) == 1:
        return InputError(problems[0][1], problems[0][0])
    shown = tuple(problems[:MAX_PROBLEMS])
    return InputError(f"{len(problems)} problems in the township records", where, shown)
