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

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from cssp.errors import InputError
from cssp.io.readers import columns, documents
from cssp.io.readers.delimited import _read_csv
from cssp.io.readers.documents import _read_json, _read_jsonl, _read_toml
from cssp.io.readers.maps import ColumnMap, load_column_map
from cssp.io.readers.parquet import _read_parquet
from cssp.io.readers.problems import _Found, _Problems
from cssp.io.readers.spreadsheets import _read_excel
from cssp.io.readers.text import _decode, _read_bytes
from cssp.model.community import Community
from cssp.model.convert import MAX_PROBLEMS

# This module finds each file's format and reads it with the module of its family:
# documents (JSON, JSON Lines, TOML), delimited (CSV, TSV), spreadsheets (Excel) and parquet.
# The text formats are decoded by text; the tables' columns are read by columns (the table
# format: headers, units, cells) and their rows by rows (communities, built by the model);
# problems collects what goes wrong, with its location.

__all__ = [
    "COLUMNS",
    "FORMATS",
    "HEADER_ALIASES",
    "IGNORED_HEADERS",
    "SCHEMA_VERSION",
    "ColumnMap",
    "detect_format",
    "load_column_map",
    "read_communities",
    "read_many",
]

#: The formats :func:`read_communities` reads.
FORMATS: Final = ("json", "jsonl", "csv", "toml", "xlsx", "parquet")

# Names defined where their format is read (SCHEMA_VERSION by cssp.io.readers.documents, the
# table format's by cssp.io.readers.columns): their doc comments are here, where Sphinx
# documents them.

#: The version of the JSON and TOML layout (``{"schema_version": 1, "communities": [...]}``).
SCHEMA_VERSION: Final = documents.SCHEMA_VERSION

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

#: What a column map may be given as: a map, a mapping of its sections, or its TOML file.
Columns = ColumnMap | Mapping[str, Any] | str | os.PathLike[str]

_TABLES: Final = frozenset({"csv", "xlsx", "parquet"})
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
    columns: Columns | None = None,
    limit: int = MAX_PROBLEMS,
) -> tuple[Community, ...]:
    """Read the communities of one file.

    :param path: the file.
    :param format: one of :data:`FORMATS`; by default told from the suffix
        (:func:`detect_format`).
    :param encoding: the text encoding of a JSON, JSON Lines, CSV or TOML
        file. By default the column map's, or else UTF-8 (with or without a
        byte-order mark), UTF-16 with a byte-order mark, or GB18030 (which
        includes GBK, as Chinese spreadsheets export it) when the file is not
        valid UTF-8.
    :param columns: a column map for a table (CSV, TSV, Excel, Parquet) whose
        headers or words are its own: a :class:`ColumnMap`, a mapping of its
        sections, or the path of its TOML file (:func:`load_column_map`).
    :param limit: report at most this many problems (all are counted).
    :return: the communities, in the file's order.
    :raises ~cssp.errors.InputError: listing every problem with its location
        (a :class:`~cssp.errors.UnitError` when the only problem is a unit):
        a file that cannot be read or decoded, a syntax error, a wrong value,
        an unknown or missing column, a duplicate community code, a file with
        no communities.
    """
    return read_many([path], format=format, encoding=encoding, columns=columns, limit=limit)


def read_many(
    paths: Iterable[str | os.PathLike[str]],
    *,
    format: str | None = None,
    encoding: str | None = None,
    columns: Columns | None = None,
    limit: int = MAX_PROBLEMS,
) -> tuple[Community, ...]:
    """Read the communities of several files, as one input.

    Each file is read as :func:`read_communities` reads it, and the problems
    of all of them are reported together. A community code that appears in
    two places, in one file or in two, is an error naming both.

    :param paths: the files.
    :param format: the format of every file; by default each file's own, from its suffix.
    :param encoding: the text encoding of every file; by default detected per file.
    :param columns: a column map for every file (see :func:`read_communities`).
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
    column_map = None if columns is None else load_column_map(columns)
    if encoding is None and column_map is not None:
        encoding = column_map.encoding
    found: list[_Found] = []
    for name in names:
        try:
            found.append(_read_file(name, format, encoding, problems, column_map))
        except InputError as error:
            problems.add_error(error)
    _check_duplicates(found, problems)
    problems.check(", ".join(names))
    return tuple(community for part in found for community in part.communities)


def _read_file(
    name: str,
    format: str | None,
    encoding: str | None,
    problems: _Problems,
    column_map: ColumnMap | None,
) -> _Found:
    chosen = format if format is not None else detect_format(name)
    if chosen not in FORMATS:
        raise InputError(f"unknown format {chosen!r}; known formats: {', '.join(FORMATS)}", name)
    if column_map is not None and chosen not in _TABLES:
        raise InputError(
            f"a column map applies to tables (CSV, TSV, Excel, Parquet), not to {chosen} files",
            name,
        )
    if chosen == "xlsx":
        return _read_excel(name, problems, column_map)
    if chosen == "parquet":
        return _read_parquet(name, problems, column_map)
    text = _decode(_read_bytes(name), name, encoding)
    if not text.strip():
        raise InputError("the file is empty", name)
    if chosen == "csv":
        return _read_csv(name, text, problems, column_map)
    if chosen == "jsonl":
        return _read_jsonl(name, text, problems)
    if chosen == "json":
        return _read_json(name, text, problems)
    return _read_toml(name, text, problems)
