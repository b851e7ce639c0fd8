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

import hashlib
import itertools
import operator
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

from cssp.errors import InputError
from cssp.io.readers import columns, documents
from cssp.io.readers.delimited import _read_csv
from cssp.io.readers.documents import _read_json, _read_jsonl, _read_toml
from cssp.io.readers.maps import ColumnMap, load_column_map
from cssp.io.readers.parquet import _read_parquet
from cssp.io.readers.problems import _Found, _Problems
from cssp.io.readers.spreadsheets import _read_excel
from cssp.io.readers.text import _decode, _read_bytes
from cssp.model.collector import collector_paused
from cssp.model.community import Community
from cssp.model.convert import MAX_PROBLEMS
from cssp.model.divisions import load_divisions
from cssp.model.notes import InputNotes, Note, SkippedRow, WarningTally

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
    "PLACE_COLUMNS",
    "SCHEMA_VERSION",
    "ColumnMap",
    "ReadResult",
    "SourceFile",
    "detect_format",
    "load_column_map",
    "read_communities",
    "read_input",
    "read_many",
    "read_records",
    "read_sources",
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

#: The columns of the names of a community's divisions (``province``,
#: ``prefecture``, ``county``, ``township``), which place a community that has no code.
PLACE_COLUMNS: Final = columns.PLACE_COLUMNS

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


def _check_duplicates(
    found: Sequence[_Found], problems: _Problems, removed: set[tuple[int, int]]
) -> None:
    """A code met twice is an error at each later place; with ``skip_invalid``, every
    community of that code is skipped (none of them can be told to be the right one)."""
    codes = [code for part in found for code in map(_CODE, part.communities)]
    if len(set(codes)) == len(codes):
        return  # the usual case: no code met twice (then no key: a key is a code and a name)
    places: dict[str, list[tuple[int, int]]] = {}
    for number, part in enumerate(found):
        for index, community in enumerate(part.communities):
            places.setdefault(community.key, []).append((number, index))
    for code, where in places.items():
        if len(where) < 2:
            continue
        if problems.skip:
            for number, index in where:
                others = ", ".join(
                    found[n].locate(i) for n, i in where if (n, i) != (number, index)
                )
                problems.add(
                    found[number].locate(index),
                    f"community {code} appears more than once: also at {others}",
                    row=found[number].row(index),
                )
                removed.add((number, index))
            continue
        first = found[where[0][0]].locate(where[0][1])
        for number, index in where[1:]:
            problems.add(
                found[number].locate(index),
                f"community {'code ' if ' ' not in code else ''}{code} appears twice: "
                f"it is also at {first}",
            )


def _check_divisions(
    found: Sequence[_Found],
    problems: _Problems,
    removed: set[tuple[int, int]],
    warnings: WarningTally,
    strict: bool,
) -> None:
    """Codes under a division the shipped list lacks, and names that say 已撤销: warnings,
    or errors when ``strict``."""
    known: dict[str, str | None] = {}
    for number, part in enumerate(found):
        if _quiet(part.communities):
            continue
        for index, community in enumerate(part.communities):
            if removed and (number, index) in removed:
                continue
            for text, kind in _division_warnings(community, known):
                if strict:
                    problems.add(part.locate(index), text, row=part.row(index))
                    removed.add((number, index))
                else:
                    warnings.add(Note(part.locate(index), text, kind))


def _quiet(communities: Sequence[Community]) -> bool:
    """Whether :func:`_division_warnings` has nothing to say of any of ``communities``:
    each is under a listed township (or county), and no name says 已撤销. One pass over
    their codes and names, without a call for each community."""
    divisions = load_divisions()
    townships = set(map(_TOWNSHIP, map(_CODE, communities)))
    return all(map(divisions.__contains__, townships)) and _REVOKED not in "\n".join(
        map(_NAME, communities)
    )


_CODE: Final = operator.attrgetter("code")
_NAME: Final = operator.attrgetter("name")
_TOWNSHIP: Final = operator.itemgetter(slice(9))


def _division_warnings(community: Community, known: dict[str, str | None]) -> list[tuple[str, str]]:
    """What to say of a community's code and name, as ``(message, kind of warning)``: a
    division the shipped list lacks, a name that says 已撤销. ``known``: the message of each
    township met (``None``: nothing to say)."""
    township = community.code[:9]
    message = known.get(township, "")
    if message == "":
        message = known[township] = _division_problem(community.code)
    said = [(message, "division_unlisted")] if message else []
    if _REVOKED in community.name:
        said.append(
            (f"the name {community.name!r} says the unit is revoked ({_REVOKED})", "revoked_name")
        )
    return said


_REVOKED: Final = "已撤销"


def _division_problem(code: str) -> str | None:
    """Why the divisions of a code are not in the shipped list, or ``None`` when they are."""
    divisions = load_divisions()
    for length, level in ((9, "township"), (6, "county"), (4, "prefecture")):
        prefix = code[:length]
        if len(prefix) < length:
            continue
        if prefix in divisions:
            return None
        if code[: _PARENT[length]] in divisions:
            return (
                f"{level} {prefix} is not in the division list ({EDITION_YEAR} edition of "
                "统计用区划代码): a division revoked, merged or renamed, or a code never issued"
            )
    return None


_PARENT: Final = {9: 6, 6: 4, 4: 2}
EDITION_YEAR: Final = 2022


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
    return read_input(
        paths, format=format, encoding=encoding, columns=columns, limit=limit
    ).communities


@attrs.frozen
class SourceFile:
    """One file a report was made from: its name, what was read from it, its checksum.

    :param name: the file's name as it was given.
    :param rows: the communities read from it.
    :param skipped: the rows left out (with ``skip_invalid``, :func:`read_input`).
    :param sha256: the SHA-256 of the file's bytes, in hexadecimal: the same
        digest gives the same report.
    """

    name: str
    rows: int
    skipped: int = 0
    sha256: str = ""

    @classmethod
    def of(cls, path: str | os.PathLike[str], rows: int, skipped: int = 0) -> SourceFile:
        """Describe a file read elsewhere (by the batch engine, say): its digest is computed here.

        :raises ~cssp.errors.InputError: when the file cannot be read.
        """
        name = os.fspath(path)
        return cls(name, rows, skipped, _sha256(name))


@attrs.frozen
class ReadResult:
    """What :func:`read_input` read: the communities, and what it says of the input.

    :param communities: the communities, file by file, in each file's order.
    :param notes: the rows skipped (with ``skip_invalid``), the warnings, and
        the places resolved from names (:class:`~cssp.model.notes.InputNotes`).
    """

    communities: tuple[Community, ...]
    notes: InputNotes = attrs.field(factory=InputNotes)
    #: each file read, with its rows read and skipped and its checksum, in the order given.
    files: tuple[SourceFile, ...] = ()


def read_input(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    format: str | None = None,
    encoding: str | None = None,
    columns: Columns | None = None,
    skip_invalid: bool = False,
    strict_codes: bool = False,
    limit: int = MAX_PROBLEMS,
) -> ReadResult:
    """Read files as one input, and say what is worth knowing about it.

    As :func:`read_many` reads them, and besides:

    * with ``skip_invalid``, a row (or record) with problems is left out and
      listed, with every one of its problems, in the notes' ``skipped``;
      a community code met more than once leaves out every row with it.
      Problems of a file as a whole (an unknown column, a bad encoding) are
      still errors. When no row is left, that is an error too;
    * a code under a township (or county) that the shipped division list
      (the 2022 edition) lacks — revoked, merged, renamed, or never issued —
      and a name that says 已撤销 (revoked) are warnings; with
      ``strict_codes`` they are problems of their rows.

    :param paths: the files (one path, or several); ``"-"`` reads standard
        input, whose ``format`` must then be given.
    :param format: as for :func:`read_many`.
    :param encoding: as for :func:`read_many`.
    :param columns: a column map, as for :func:`read_communities`.
    :param skip_invalid: skip the rows with problems instead of failing.
    :param strict_codes: a code of a division not in the list is a problem.
    :param limit: report at most this many problems (all are counted).
    :raises ~cssp.errors.InputError: as :func:`read_many`.
    """
    if isinstance(paths, str | os.PathLike):  # one path, not the letters of its name
        paths = [paths]
    names = [os.fspath(path) for path in paths]
    if not names:
        raise InputError("no input file given")
    problems = _Problems(limit, skip=skip_invalid)
    column_map = None if columns is None else load_column_map(columns)
    if encoding is None and column_map is not None:
        encoding = column_map.encoding
    found: list[_Found] = []
    with collector_paused():
        for name in names:
            try:
                found.append(_read_file(name, format, encoding, problems, column_map))
            except InputError as error:
                problems.add_error(error)
        return _result(names, found, problems, strict_codes, limit)


def read_records(
    records: object,
    *,
    where: str = "communities",
    skip_invalid: bool = False,
    strict_codes: bool = False,
    limit: int = MAX_PROBLEMS,
) -> ReadResult:
    """Read communities already parsed (a JSON body's list of records) as a file is read.

    The same checks as :func:`read_input` — every problem of every record, a
    code met twice, codes the division list lacks — with locations under
    ``where`` (``communities[3].households``). The HTTP service reads its
    requests so.

    :param records: a list of mappings, one per community.
    :param where: the name of the list in locations.
    :param skip_invalid: as for :func:`read_input`.
    :param strict_codes: as for :func:`read_input`.
    :param limit: as for :func:`read_input`.
    :raises ~cssp.errors.InputError: listing every problem.
    """
    if not isinstance(records, list | tuple):
        raise InputError(f"expected a list of communities, got {type(records).__name__}", where)
    problems = _Problems(limit, skip=skip_invalid)
    with collector_paused():
        found = documents._structure_records(records, problems, lambda index: f"{where}[{index}]")
        return _result([where], [found], problems, strict_codes, limit, files=False)


def _result(
    names: Sequence[str],
    found: Sequence[_Found],
    problems: _Problems,
    strict_codes: bool,
    limit: int,
    *,
    files: bool = True,
) -> ReadResult:
    """The communities found, checked across the input (codes met twice, divisions);
    ``files``: the names are files, to describe (:class:`SourceFile`)."""
    removed: set[tuple[int, int]] = set()
    warnings = WarningTally()
    for part in found:
        warnings.extend(part.warnings)
    _check_duplicates(found, problems, removed)
    _check_divisions(found, problems, removed, warnings, strict_codes)
    what = ", ".join(names)
    problems.check(what)
    communities = (
        tuple(
            community
            for number, part in enumerate(found)
            for index, community in enumerate(part.communities)
            if (number, index) not in removed
        )
        if removed
        else tuple(itertools.chain.from_iterable(part.communities for part in found))
    )
    skipped = tuple(SkippedRow(row, items) for row, items in problems.skipped.items())
    left_out = {found[number].row(index) for number, index in removed}
    resolved = tuple(
        place for part in found for place in part.resolved if place.where not in left_out
    )
    if not communities and skipped:
        listed = [item for row in skipped for item in row.problems]
        raise InputError(
            f"every row of {what} has problems: none is left to evaluate",
            what,
            tuple(listed[:limit]),
        )
    sources = tuple(
        SourceFile(
            name,
            len(part.communities) - sum(1 for n, _ in removed if n == number),
            sum(1 for row in skipped if row.where.startswith(name)),
            "" if name == STDIN else _sha256(name),
        )
        for number, (name, part) in enumerate(zip(names, found, strict=True))
        if files
    )
    return ReadResult(
        communities,
        InputNotes(
            skipped=skipped,
            warnings=warnings.warnings,
            resolved=resolved,
            warnings_left_out=warnings.left_out,
        ),
        sources,
    )


def read_sources(
    paths: Iterable[str | os.PathLike[str]],
    *,
    format: str | None = None,
    encoding: str | None = None,
    limit: int = MAX_PROBLEMS,
) -> tuple[tuple[Community, ...], tuple[SourceFile, ...]]:
    """Read the communities of several files as :func:`read_many` does, and describe each file.

    A report names its sources with them (:class:`cssp.report.ReportSource`).

    :return: the communities, as :func:`read_many` returns them, and one
        :class:`SourceFile` per file, in the order given.
    :raises ~cssp.errors.InputError: as :func:`read_communities`.
    """
    result = read_input(paths, format=format, encoding=encoding, limit=limit)
    return result.communities, result.files


def _sha256(name: str) -> str:
    try:
        with open(name, "rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror or error}", name) from None


#: The path that reads standard input (with a format given), and its name in messages.
STDIN: Final = "-"
STDIN_NAME: Final = "<stdin>"


def _read_file(
    name: str,
    format: str | None,
    encoding: str | None,
    problems: _Problems,
    column_map: ColumnMap | None,
) -> _Found:
    if name == STDIN and format is None:
        raise InputError(
            "reading standard input needs its format: give --input-format (format=)", name
        )
    chosen = format if format is not None else detect_format(name)
    if chosen not in FORMATS:
        raise InputError(f"unknown format {chosen!r}; known formats: {', '.join(FORMATS)}", name)
    if column_map is not None and chosen not in _TABLES:
        raise InputError(
            f"a column map applies to tables (CSV, TSV, Excel, Parquet), not to {chosen} files",
            name,
        )
    data: bytes | None = None
    if name == STDIN:
        data, name = sys.stdin.buffer.read(), STDIN_NAME
    if chosen == "xlsx":
        return _read_excel(name, problems, column_map, data)
    if chosen == "parquet":
        return _read_parquet(name, problems, column_map, data)
    text = _decode(_read_bytes(name) if data is None else data, name, encoding)
    if not text.strip():
        raise InputError("the file is empty", name)
    if chosen == "csv":
        return _read_csv(name, text, problems, column_map)
    if chosen == "jsonl":
        return _read_jsonl(name, text, problems)
    if chosen == "json":
        return _read_json(name, text, problems)
    return _read_toml(name, text, problems)
