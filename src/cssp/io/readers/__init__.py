"""Read communities from the files civil-affairs staff and systems have.

Six formats (:data:`FORMATS`), told apart by the file's suffix
(:func:`detect_format`):

* **JSON** (``.json``): a list of communities, or ``{"communities": [...]}``
  with an optional ``"schema_version"``; **JSON Lines** (``.jsonl``,
  ``.ndjson``): one community per line; **TOML** (``.toml``): one
  ``[[communities]]`` table each. These are structured by cssp's one cattrs
  converter (:func:`cssp.io.structure`), exactly as the sample data is.
* **CSV** (``.csv``, ``.tsv``), **Excel** (``.xlsx``, through openpyxl:
  ``pip install 'cssp[xlsx]'``) and **Parquet** (``.parquet``, through pyarrow:
  ``pip install 'cssp[parquet]'``): one row per community, with the flat
  columns of :data:`COLUMNS`, Chinese headers (:data:`HEADER_ALIASES`), and
  units in the header (``建筑面积(平方米)``, ``floor_area[m²]``) or in the
  cell (``"420平方米"``).

Every problem of a file is collected, each with its location
(``data.json: communities[3].facilities[0].floor_area``, ``data.jsonl: line 4:
households``, ``data.csv: row 5, column 综合服务设施面积(平方米)``), into one
:class:`~cssp.errors.InputError`; a single wrong unit stays a
:class:`~cssp.errors.UnitError`::

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> path = folder / "communities.csv"
    >>> _ = path.write_text(
    ...     "统计用区划代码,户数,综合服务设施面积(平方米)\\n"
    ...     "440106001001,1200,420\\n"
    ...     "440106001002,800,3 kg\\n",
    ...     encoding="utf-8",
    ... )
    >>> [c.households for c in read_communities(path)]
    Traceback (most recent call last):
    ...
    cssp.errors.UnitError: ...csv: row 3, column 综合服务设施面积(平方米): '3 kg' is a mass, ...

The columns of a table are parsed once, and each numeric cell costs one
``float()`` and one multiplication by its column's conversion factor: pint is
paid once per column, not once per cell. The format is documented, with its
column table, in ``docs/reference/formats.md``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tomllib
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Final

from cssp.errors import InputError
from cssp.io.converter import _TOO_DEEP, MAX_PROBLEMS, structure
from cssp.io.readers import columns
from cssp.io.readers.problems import _Found, _optional_import, _Problems
from cssp.io.readers.rows import _read_table, _Rows
from cssp.io.readers.text import _decode, _read_bytes
from cssp.model.community import Community

__all__ = [
    "COLUMNS",
    "FORMATS",
    "HEADER_ALIASES",
    "IGNORED_HEADERS",
    "SCHEMA_VERSION",
    "detect_format",
    "read_communities",
    "read_many",
]

#: The formats :func:`read_communities` reads.
FORMATS: Final = ("json", "jsonl", "csv", "toml", "xlsx", "parquet")

#: The version of the JSON and TOML layout (``{"schema_version": 1, "communities": [...]}``).
SCHEMA_VERSION: Final = 1

# The table format's names, defined by cssp.io.readers.columns; their doc comments are here,
# where Sphinx documents them.

#: The columns of a CSV, TSV, Excel or Parquet table, by their English names.
#: Besides these: one yes/no column per :class:`~cssp.model.community.Service`
#: (named by its value, e.g. ``5g``, or its Chinese term), and ``extra.NAME``
#: columns for :attr:`Community.extra <cssp.model.community.Community.extra>`.
COLUMNS: Final = columns.COLUMNS

#: Other headers understood for the columns: Chinese headers of the common
#: fields, and short English names of the facility's columns.
HEADER_ALIASES: Final[Mapping[str, str]] = columns.HEADER_ALIASES

#: Columns whose header starts with one of these are remarks, and are ignored;
#: so is a column headed ``序号`` (a row number).
IGNORED_HEADERS: Final = columns.IGNORED_HEADERS

_SUFFIXES: Final = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".toml": "toml",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
}

_TOML_WHERE: Final = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)$")


def _check_duplicates(found: Iterable[_Found], problems: _Problems) -> None:
    first: dict[str, tuple[_Found, int]] = {}
    for part in found:
        for index, community in enumerate(part.communities):
            seen = first.setdefault(community.code, (part, index))
            if seen[0] is not part or seen[1] != index:
                problems.add(
                    part.locate(index),
                    f"community code {community.code} appears twice: "
                    f"it is also at {seen[0].locate(seen[1])}",
                )


# --- the public functions ----------------------------------------------------------


def detect_format(path: str | os.PathLike[str]) -> str:
    """The format of a file, by its suffix: one of :data:`FORMATS`.

    ``.json``; ``.jsonl`` and ``.ndjson``; ``.csv`` and ``.tsv`` (both
    ``"csv"``); ``.toml``; ``.xlsx``; ``.parquet``. Case does not matter.

    >>> detect_format("村社区统计.CSV")
    'csv'

    :raises ~cssp.errors.InputError: for any other suffix.
    """
    suffix = Path(path).suffix.lower()
    found = _SUFFIXES.get(suffix)
    if found is None:
        known = ", ".join(_SUFFIXES)
        raise InputError(
            f"cannot tell the format from the file name: it should end in one of {known}",
            os.fspath(path),
        )
    return found


def read_communities(
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    encoding: str | None = None,
    limit: int = MAX_PROBLEMS,
) -> tuple[Community, ...]:
    """Read the communities of one file.

    :param path: the file.
    :param format: one of :data:`FORMATS`; by default told from the suffix
        (:func:`detect_format`).
    :param encoding: the text encoding of a JSON, JSON Lines, CSV or TOML
        file. By default UTF-8 (with or without a byte-order mark), UTF-16
        with a byte-order mark, or GB18030 (which includes GBK, as Chinese
        spreadsheets export it) when the file is not valid UTF-8.
    :param limit: report at most this many problems (all are counted).
    :return: the communities, in the file's order.
    :raises ~cssp.errors.InputError: listing every problem with its location
        (a :class:`~cssp.errors.UnitError` when the only problem is a unit):
        a file that cannot be read or decoded, a syntax error, a wrong value,
        an unknown or missing column, a duplicate community code, a file with
        no communities.
    """
    return read_many([path], format=format, encoding=encoding, limit=limit)


def read_many(
    paths: Iterable[str | os.PathLike[str]],
    *,
    format: str | None = None,
    encoding: str | None = None,
    limit: int = MAX_PROBLEMS,
) -> tuple[Community, ...]:
    """Read the communities of several files, as one input.

    Each file is read as :func:`read_communities` reads it, and the problems
    of all of them are reported together. A community code that appears in
    two places, in one file or in two, is an error naming both.

    :param paths: the files.
    :param format: the format of every file; by default each file's own, from its suffix.
    :param encoding: the text encoding of every file; by default detected per file.
    :param limit: report at most this many problems (all are counted).
    :return: the communities, file by file, in each file's order.
    :raises ~cssp.errors.InputError: as :func:`read_communities`.
    """
    if isinstance(paths, str | os.PathLike):  # one path, not the letters of its name
        paths = [paths]
    names = [os.fspath(path) for path in paths]
    if not names:
        raise InputError("no input file given")
    problems = _Problems(limit)
    found: list[_Found] = []
    for name in names:
        try:
            found.append(_read_file(name, format, encoding, problems))
        except InputError as error:
            problems.add_error(error)
    _check_duplicates(found, problems)
    problems.check(", ".join(names))
    return tuple(community for part in found for community in part.communities)


def _read_file(name: str, format: str | None, encoding: str | None, problems: _Problems) -> _Found:
    chosen = format if format is not None else detect_format(name)
    if chosen not in FORMATS:
        raise InputError(f"unknown format {chosen!r}; known formats: {', '.join(FORMATS)}", name)
    if chosen == "xlsx":
        return _read_excel(name, problems)
    if chosen == "parquet":
        return _read_parquet(name, problems)
    text = _decode(_read_bytes(name), name, encoding)
    if not text.strip():
        raise InputError("the file is empty", name)
    if chosen == "csv":
        return _read_csv(name, text, problems)
    if chosen == "jsonl":
        return _read_jsonl(name, text, problems)
    document = _parse_json(name, text) if chosen == "json" else _parse_toml(name, text)
    records = _document_records(document, name)
    return _structure_records(records, problems, lambda index: f"{name}: communities[{index}]")


# --- JSON, JSON Lines and TOML: through the converter ----------------------------------


def _parse_json(name: str, text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"not valid JSON: {error.msg}", f"{name}: line {error.lineno}, column {error.colno}"
        ) from None
    except RecursionError:
        raise InputError(_TOO_DEEP, name) from None
    except ValueError as error:  # an integer of more than 4300 digits
        raise InputError(f"not valid JSON: {error}", name) from None


def _parse_toml(name: str, text: str) -> object:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _TOML_WHERE.search(message)
        where = name
        if match is not None:
            message = message[: match.start()]
            where = f"{name}: line {match[1]}, column {match[2]}" if match[1] else f"{name}: end"
        raise InputError(f"not valid TOML: {message}", where) from None
    except RecursionError:
        raise InputError(_TOO_DEEP, name) from None
    except ValueError as error:  # an integer of more than 4300 digits
        raise InputError(f"not valid TOML: {error}", name) from None


def _document_records(document: object, name: str) -> list[object]:
    """The list of community records of a parsed JSON or TOML document."""
    if isinstance(document, Mapping):
        unknown = sorted(set(document) - {"communities", "schema_version"})
        if unknown:
            raise InputError(
                f"unknown key {unknown[0]!r}: the file has 'communities' "
                "(a list) and optionally 'schema_version'",
                name,
            )
        version = document.get("schema_version", SCHEMA_VERSION)
        if version != SCHEMA_VERSION:
            raise InputError(
                f"schema_version {version!r} is not one this cssp reads ({SCHEMA_VERSION})",
                f"{name}: schema_version",
            )
        if "communities" not in document:
            raise InputError("there is no 'communities' list", name)
        records = document["communities"]
        if not isinstance(records, list):
            raise InputError(
                f"expected a list of communities, got {_describe(records)}", f"{name}: communities"
            )
    elif isinstance(document, list):
        records = document
    else:
        raise InputError(
            "expected a list of communities, or an object with a 'communities' list; "
            f"got {_describe(document)}",
            name,
        )
    if not records:
        raise InputError("the file has no communities", name)
    return records


def _describe(value: object) -> str:
    names = {
        str: "text",
        int: "a number",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }
    kind = names.get(type(value), type(value).__name__)
    return f"{kind} ({_shorten(repr(value))})" if kind != "null" else kind


def _shorten(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _subpath(root: str, separator: str) -> Callable[[str], str]:
    def locate(path: str) -> str:
        if not path:
            return root
        return f"{root}{path}" if path.startswith("[") else f"{root}{separator}{path}"

    return locate


def _structure_records(
    records: Sequence[object], problems: _Problems, root: Callable[[int], str]
) -> _Found:
    """Structure each record with cssp's converter, collecting every record's problems."""
    found = _Found()
    wheres: list[str] = []
    found.locate = wheres.__getitem__
    for index, record in enumerate(records):
        locate = _subpath(root(index), ".")
        community = _structure_one(record, locate, problems)
        if community is not None:
            found.communities.append(community)
            wheres.append(locate("code"))
    return found


def _structure_one(
    record: object, locate: Callable[[str], str], problems: _Problems
) -> Community | None:
    shape = _shape_problem(record)
    if shape is not None:
        problems.add(locate(shape[0]), shape[1])
        return None
    try:
        return structure(record, Community)
    except InputError as error:
        problems.add_error(error, locate)
        return None


def _shape_problem(record: object) -> tuple[str, str] | None:
    """A record that is not shaped as a community, with where (the converter's message is terse)."""
    if not isinstance(record, Mapping):
        return "", f"expected a community (an object with a code), got {_describe(record)}"
    facilities = record.get("facilities")
    if isinstance(facilities, list):
        for index, facility in enumerate(facilities):
            if not isinstance(facility, Mapping):
                return (
                    f"facilities[{index}]",
                    f"expected a facility (an object with kind and floor_area), "
                    f"got {_describe(facility)}",
                )
    staff = record.get("staff")
    if staff is not None and not isinstance(staff, Mapping):
        return "staff", f"expected an object of staff counts, got {_describe(staff)}"
    return None


def _read_jsonl(name: str, text: str, problems: _Problems) -> _Found:
    found = _Found()
    wheres: list[str] = []
    found.locate = wheres.__getitem__
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        root = f"{name}: line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.add(root, f"not valid JSON (at column {error.colno}): {error.msg}")
            continue
        except RecursionError:
            problems.add(root, _TOO_DEEP)
            continue
        except ValueError as error:  # an integer of more than 4300 digits
            problems.add(root, f"not valid JSON: {error}")
            continue
        locate = _subpath(root, ": ")
        community = _structure_one(record, locate, problems)
        if community is not None:
            found.communities.append(community)
            wheres.append(locate("code"))
    return found


def _read_csv(name: str, text: str, problems: _Problems) -> _Found:
    delimiter = "\t" if name.lower().endswith(".tsv") else ","
    first = text.lstrip("\r\n").partition("\n")[0]
    if delimiter == "," and "," not in first and "\t" in first:
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _read_table(name, enumerate(reader, start=1), problems, text_cells=True)
    except csv.Error as error:
        raise InputError(f"not valid CSV: {error}", f"{name}: line {reader.line_num}") from None


def _read_excel(name: str, problems: _Problems) -> _Found:
    openpyxl = _optional_import("openpyxl", "xlsx", "Excel", name)
    with warnings.catch_warnings():
        # openpyxl warns about styles and extensions it skips; they do not matter here.
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(name, read_only=True, data_only=True)
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
            return _read_table(where, enumerate(chosen.iter_rows(values_only=True), 1), problems)
        finally:
            workbook.close()


def _read_parquet(name: str, problems: _Problems) -> _Found:
    parquet = _optional_import("pyarrow.parquet", "parquet", "Parquet", name)
    try:
        table = parquet.read_table(name)
    except OSError as error:
        if isinstance(error, FileNotFoundError | PermissionError | IsADirectoryError):
            raise InputError(f"cannot read the file: {error.strerror or error}", name) from None
        raise InputError(f"not a Parquet file: {error}", name) from None
    except Exception as error:  # pyarrow's ArrowInvalid and friends
        raise InputError(f"not a Parquet file: {error}", name) from None
    header: Sequence[object] = table.column_names
    columns = [table.column(index).to_pylist() for index in range(table.num_columns)]
    rows: _Rows = iter([(0, header), *enumerate(zip(*columns, strict=True), start=1)])
    return _read_table(name, rows, problems)
