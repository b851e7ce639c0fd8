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
import itertools
import json
import math
import os
import re
import tomllib
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

from cssp.errors import InputError, UnitError
from cssp.io.converter import _TOO_DEEP, MAX_PROBLEMS, structure
from cssp.io.readers.problems import _Found, _optional_import, _Problems
from cssp.io.readers.text import _decode, _read_bytes
from cssp.model.community import Community, CommunityKind, Facility, FacilityKind, Service, Staff
from cssp.units import AREA, HOURS_PER_DAY, HOUSEHOLDS, PERCENT, PERSONS, to_canonical

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

_DIMENSIONLESS: Final = "dimensionless"

#: Numeric columns of a table: column -> (canonical unit, whole number?).
_QUANTITIES: Final[dict[str, tuple[str, bool]]] = {
    "households": (HOUSEHOLDS, True),
    "population": (PERSONS, True),
    "building_area": (AREA, False),
    "elderly_monthly_visit_rate": (PERCENT, False),
    "social_organisations": (_DIMENSIONLESS, True),
    "registered_volunteers": (PERSONS, True),
    "community_workers": (PERSONS, True),
    "social_workers": (PERSONS, True),
    "disaster_information_officers": (PERSONS, True),
    "trained_workers": (PERSONS, True),
    "facility_floor_area": (AREA, False),
    "facility_activity_area": (AREA, False),
    "facility_office_area": (AREA, False),
    "facility_opening_hours": (HOURS_PER_DAY, False),
    "commercial_floor_area": (AREA, False),
}
_FLAGS: Final = ("resettlement", "old_residential_area", "newly_built", "has_facility")
_STAFF: Final = (
    "community_workers",
    "social_workers",
    "disaster_information_officers",
    "trained_workers",
)
_FACILITY_PARTS: Final = (
    "facility_activity_area",
    "facility_office_area",
    "facility_opening_hours",
)

#: The columns of a CSV, TSV, Excel or Parquet table, by their English names.
#: Besides these: one yes/no column per :class:`~cssp.model.community.Service`
#: (named by its value, e.g. ``5g``, or its Chinese term), and ``extra.NAME``
#: columns for :attr:`Community.extra <cssp.model.community.Community.extra>`.
COLUMNS: Final = (
    "code",
    "name",
    "kind",
    "households",
    "population",
    "building_area",
    "resettlement",
    "old_residential_area",
    "newly_built",
    "elderly_monthly_visit_rate",
    "social_organisations",
    "registered_volunteers",
    *_STAFF,
    "has_facility",
    "facility_floor_area",
    *_FACILITY_PARTS,
    "commercial_floor_area",
    "services",
)

#: Other headers understood for the columns: Chinese headers of the common
#: fields, and short English names of the facility's columns.
HEADER_ALIASES: Final[Mapping[str, str]] = {
    # code
    "统计用区划代码": "code",
    "区划代码": "code",
    "代码": "code",
    "社区代码": "code",
    "村(社区)代码": "code",
    # name
    "名称": "name",
    "社区名称": "name",
    "村(社区)名称": "name",
    "社区(村)名称": "name",
    # kind
    "类型": "kind",
    "社区类型": "kind",
    # figures of the community
    "户数": "households",
    "居民户数": "households",
    "常住人口": "population",
    "人口": "population",
    "总建筑面积": "building_area",
    "社区总建筑面积": "building_area",
    "易地扶贫搬迁安置社区": "resettlement",
    "易地扶贫搬迁集中安置社区": "resettlement",
    "老旧小区": "old_residential_area",
    "城镇老旧小区": "old_residential_area",
    "新建社区": "newly_built",
    "特殊困难老年人月探访率": "elderly_monthly_visit_rate",
    "月探访率": "elderly_monthly_visit_rate",
    "社区社会组织数": "social_organisations",
    "社区社会组织": "social_organisations",
    "注册志愿者": "registered_volunteers",
    "注册志愿者人数": "registered_volunteers",
    # staff
    "社区工作者": "community_workers",
    "社区工作者人数": "community_workers",
    "社会工作者": "social_workers",
    "社会工作者人数": "social_workers",
    "社区社会工作者": "social_workers",
    "灾害信息员": "disaster_information_officers",
    "灾害信息员人数": "disaster_information_officers",
    "已轮训社区工作者": "trained_workers",
    "已轮训人数": "trained_workers",
    # the comprehensive facility and the commercial one
    "有综合服务设施": "has_facility",
    "是否有综合服务设施": "has_facility",
    "综合服务设施面积": "facility_floor_area",
    "综合服务设施建筑面积": "facility_floor_area",
    "居民活动区域面积": "facility_activity_area",
    "活动面积": "facility_activity_area",
    "办公面积": "facility_office_area",
    "开放时间": "facility_opening_hours",
    "每天开放时间": "facility_opening_hours",
    "商业设施面积": "commercial_floor_area",
    "社区商业设施面积": "commercial_floor_area",
    "服务项目": "services",
    # short English names of the facility's columns
    "floor_area": "facility_floor_area",
    "activity_area": "facility_activity_area",
    "office_area": "facility_office_area",
    "opening_hours": "facility_opening_hours",
}

#: Columns whose header starts with one of these are remarks, and are ignored;
#: so is a column headed ``序号`` (a row number).
IGNORED_HEADERS: Final = ("#", "备注")
_IGNORED_NAMES: Final = frozenset({"序号"})

# Headers that could mean two columns: refused, with a hint.
_AMBIGUOUS: Final = {
    "建筑面积": "write 综合服务设施面积 for the facility's floor area "
    "or 总建筑面积 for the community's building area",
    "面积": "write 综合服务设施面积, 居民活动区域面积, 办公面积 or 总建筑面积",
    "工作者": "write 社区工作者 or 社会工作者",
}

_YES: Final = frozenset({"是", "有", "true", "yes", "y", "t", "1", "√", "✓", "✔"})
_NO: Final = frozenset({"否", "无", "false", "no", "n", "f", "0", "×", "✗", "✘"})
_NONE: Final = frozenset({"无", "none", "没有"})
_KIND_NAMES: Final = {kind.zh: kind.value for kind in CommunityKind}
_SERVICE_NAMES: Final = {
    **{service.zh.casefold(): service for service in Service},
    **{service.value: service for service in Service},
}
_SERVICE_SEPARATORS: Final = re.compile(r"[;；、,，]")
_NOT_FINITE: Final = frozenset({"nan", "inf", "infinity"})
_BARE_NUMBER: Final = re.compile(
    r"^\s*([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|[-+]?\.\d+)\s*(万)?\s*$"
)
_HEADER_UNIT: Final = re.compile(
    r"^(?P<name>.*?)\s*[\[(（【［](?P<unit>[^\[\]()（）【】［］]*)[\])）】］]\s*$"
)
_TOML_WHERE: Final = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)$")

_NO_STAFF: Final = Staff()
_STAFF_CACHE_LIMIT: Final = 65_536
_COMPREHENSIVE: Final = FacilityKind.COMPREHENSIVE
_COMMERCIAL: Final = FacilityKind.COMMERCIAL


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


# --- tables: CSV, TSV, Excel and Parquet ---------------------------------------------
#
# A table is read in chunks of rows, column by column: each column's cells go
# through one list comprehension (``float(cell) * factor``), and only a column
# with an unusual cell (a unit, a thousands separator, a typo) is converted
# cell by cell, where each problem is located. Then the objects are built row
# by row with the model's own constructors, which validate them.

_Convert = Callable[[object], object]
_ConvertColumn = Callable[[Sequence[object]], list[object]]
_Rows = Iterator[tuple[int, Sequence[object]]]

#: Rows converted at a time: big enough for the column-wise conversion to pay,
#: small enough to keep the cells of only a few thousand rows in memory.
_CHUNK: Final = 4096


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _header_text(cell: object) -> str:
    return "" if cell is None else str(cell).strip()


def _normalise_header(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", unicodedata.normalize("NFKC", text).strip().casefold())


def _known_headers() -> dict[str, str]:
    known = {_normalise_header(name): name for name in COLUMNS}
    known.update((_normalise_header(alias), key) for alias, key in HEADER_ALIASES.items())
    for service in Service:
        known[_normalise_header(service.value)] = f"service.{service.value}"
        known[_normalise_header(service.zh)] = f"service.{service.value}"
    return known


_KNOWN: Final = _known_headers()


def _header_factor(unit: str, canonical: str, key: str) -> float:
    """The factor from a header's unit to the column's canonical unit (pint, once per column)."""
    if not unit:
        raise InputError("the brackets of the header hold no unit; remove them or name a unit")
    text = f"1 {unit}"
    try:
        return to_canonical(text, canonical, key)
    except UnitError as error:
        raise UnitError(error.message.replace(repr(text), f"the unit {unit!r}", 1)) from None


@attrs.frozen
class _Column:
    """How one column of a table is read."""

    key: str  # a COLUMNS name, "service.VALUE", "extra.NAME", or "" (no header)
    convert: _Convert  # one cell -> value, or None when blank; raises InputError
    # the cells of a chunk of a text table -> values; raises anything on an unusual cell
    convert_column: _ConvertColumn | None = None


def _column(convert: _Convert) -> _Column:
    return _Column("", convert)


def _quantity(key: str, canonical: str, whole: bool, factor: float) -> _Column:
    """A numeric column: ``float(cell) * factor``, or the cell's own unit when it has one."""

    def convert(cell: object) -> object:
        if isinstance(cell, str):
            text = unicodedata.normalize("NFKC", cell)
            if not text.strip():
                return None
            bare = _BARE_NUMBER.match(text)
            if bare is None:  # the cell has its own unit, which wins (and is checked)
                if text.strip().casefold().lstrip("+-") in _NOT_FINITE:
                    raise UnitError(f"{cell!r} is not a finite number", key)
                return to_canonical(cell, canonical, key)
            number = float(bare[1].replace(",", "")) * (10_000 if bare[2] else 1)
            return number if whole and factor == 1.0 and number.is_integer() else number * factor
        if isinstance(cell, bool) or not isinstance(cell, int | float):
            return to_canonical(cell, canonical, key)  # a clear error for dates and booleans
        if not math.isfinite(cell):
            raise UnitError(f"{cell!r} is not a finite number", key)
        return cell if factor == 1.0 else cell * factor

    def counts(cells: Sequence[Any]) -> list[object]:
        return [int(c) if c else None for c in cells]

    def measures(cells: Sequence[Any]) -> list[object]:
        values: list[Any]
        if factor == 1.0:
            values = [float(c) if c else None for c in cells]
        else:
            values = [float(c) * factor if c else None for c in cells]
        total = sum(filter(None, values))  # NaN or inf in any cell makes the sum so
        if total - total != 0.0:
            raise ValueError("a number that is not finite")
        return values

    return _Column(key, convert, counts if whole and factor == 1.0 else measures)


_FLAG_WORDS: Final = {
    word: value
    for value, words in ((True, _YES), (False, _NO))
    for lower in words
    for word in {lower, lower.upper(), lower.title()}
}


def _flag(cell: object) -> bool | None:
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, int | float) and cell in (0, 1):
        return bool(cell)
    if isinstance(cell, str):
        text = unicodedata.normalize("NFKC", cell).strip().casefold()
        if not text:
            return None
        if text in _YES:
            return True
        if text in _NO:
            return False
    raise InputError(f"{cell!r} is not yes or no: write 是 or 否 (or yes/no, true/false, 1/0, Y/N)")


def _flags(cells: Sequence[Any]) -> list[object]:
    return [_FLAG_WORDS[c] if c else None for c in cells]


def _code(cell: object) -> str | None:
    if isinstance(cell, str):
        text = cell.strip()
        if not text.isascii():
            text = unicodedata.normalize("NFKC", text)
        return text or None
    if isinstance(cell, int) and not isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    raise InputError(f"{cell!r} is not a 12-digit statistical division code")


def _name(cell: object) -> str | None:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip() or None


def _kind(cell: object) -> str | None:
    """A kind as written: the model reads it (城市, 农村, urban ...) and reports a bad one."""
    if not isinstance(cell, str):
        raise InputError(
            f"{cell!r} is not a community kind; expected 城市 or 农村 (urban or rural)"
        )
    text = cell.strip()
    return _KIND_NAMES.get(text, text) or None


_service_sets: dict[str, frozenset[Service] | None] = {}
_SERVICE_CACHE_LIMIT: Final = 4096


def _services(cell: object) -> frozenset[Service] | None:
    if isinstance(cell, list | tuple):
        return _service_set(cell)
    if not isinstance(cell, str):
        raise InputError(f"{cell!r} is not a list of services")
    found = _service_sets.get(cell)
    if found is None:
        text = unicodedata.normalize("NFKC", cell).strip()
        if not text:
            return None
        items = [item for item in _SERVICE_SEPARATORS.split(text) if item.strip()]
        found = frozenset() if text.casefold() in _NONE else _service_set(items)
        if len(_service_sets) < _SERVICE_CACHE_LIMIT:
            _service_sets[cell] = found
    return found


def _service_set(items: Iterable[object]) -> frozenset[Service]:
    services = set()
    for item in items:
        text = str(item).strip()
        service = _SERVICE_NAMES.get(text.casefold())
        if service is None:
            choices = ", ".join(s.value for s in Service)
            raise InputError(
                f"{text!r} is not a known service; write the services ({choices}) or their "
                "Chinese names, separated by ; or 、"
            )
        services.add(service)
    return frozenset(services)


def _unnamed(cell: object) -> None:
    if not _blank(cell):
        raise InputError(f"{cell!r} is in a column without a header: give the column a header")


def _codes(cells: Sequence[Any]) -> list[object]:
    values = [cell.strip() or None if cell else None for cell in cells]
    if not all(map(str.isascii, filter(None, values))):
        raise ValueError("full-width digits")  # _code normalises them, cell by cell
    return values


def _names(cells: Sequence[Any]) -> list[object]:
    return [cell.strip() or None if cell else None for cell in cells]


_TEXT_COLUMNS: Final = {
    "code": _Column("code", _code, _codes),
    "name": _Column("name", _name, _names),
    "kind": _Column("kind", _kind),
    "services": _Column("services", _services),
}


def _header(text: str) -> _Column | None:
    """How to read the column headed ``text``; ``None`` when it is ignored; raise when it is bad."""
    if not text:
        return _column(_unnamed)
    if text.startswith(IGNORED_HEADERS):
        return None
    key = _KNOWN.get(_normalise_header(text))
    name, unit = text, None
    if key is None:
        match = _HEADER_UNIT.match(text)
        if match is not None and match["name"]:
            name, unit = match["name"], match["unit"].strip()
            key = _KNOWN.get(_normalise_header(name))
    normalised = _normalise_header(name)
    if normalised in _IGNORED_NAMES or name.startswith(IGNORED_HEADERS):
        return None
    if key is None and normalised.startswith("extra."):
        extra = unicodedata.normalize("NFKC", name).strip()[len("extra.") :].strip()
        if not extra.isidentifier():
            raise InputError(f"{extra!r} after 'extra.' is not a valid name (letters, digits, _)")
        if unit is not None:
            raise InputError(
                "extra columns take plain numbers, in the unit the profile's indicator declares; "
                "remove the unit from the header"
            )
        return _quantity(f"extra.{extra}", _DIMENSIONLESS, False, 1.0)
    if key is None:
        hint = _AMBIGUOUS.get(normalised)
        if hint is not None:
            raise InputError(f"{name!r} could mean more than one column: {hint}")
        raise InputError(_unknown_column(text))
    if key in _QUANTITIES:
        canonical, whole = _QUANTITIES[key]
        factor = 1.0 if unit is None else _header_factor(unit, canonical, key)
        return _quantity(key, canonical, whole, factor)
    # A note in brackets after any other column ("有综合服务设施(是/否)") is not a unit.
    if key in _FLAGS or key.startswith("service."):
        return _Column(key, _flag, _flags)
    return _TEXT_COLUMNS[key]


def _unknown_column(text: str) -> str:
    import difflib  # noqa: PLC0415 - only for the error message

    close = difflib.get_close_matches(_normalise_header(text), list(_KNOWN), n=1, cutoff=0.75)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return (
        f"unknown column {text!r}{hint}: see the documented columns (code, households, "
        "facility_floor_area ..., or 统计用区划代码, 户数, 综合服务设施面积 ...); a column whose "
        "header starts with '#' or '备注' is ignored"
    )


# A problem found in a chunk: (row number, column index, location, message, kind), sorted
# by row and column before it is reported.
_Pending = tuple[int, int, str, str, type[InputError]]


@attrs.define
class _Table:
    """The columns of one table, read from its header, and the rows read with them."""

    name: str
    header_row: int
    text_cells: bool  # every cell is a string (CSV): the column-wise fast path applies
    width: int
    columns: list[tuple[int, _Column]] = attrs.field(factory=list)
    headers: dict[str, str] = attrs.field(factory=dict)
    positions: dict[str, int] = attrs.field(factory=dict)
    # the keys of the columns beyond COLUMNS: extra.NAME and service.VALUE
    others: tuple[str, ...] = ()
    extras: tuple[tuple[str, int], ...] = ()
    service_flags: tuple[tuple[int, Service], ...] = ()
    has_staff: bool = False
    has_facilities: bool = False
    pending: list[_Pending] = attrs.field(factory=list)
    # Staff objects are immutable values and few are distinct: one object for each.
    staff: dict[tuple[object, ...], Staff] = attrs.field(factory=dict)

    @classmethod
    def from_header(
        cls, name: str, header_row: int, header: Sequence[object], text_cells: bool
    ) -> _Table:
        table = cls(name, header_row, text_cells, len(header))
        problems = _Problems(max(1, len(header)) + 1)
        for index, cell in enumerate(header):
            text = _header_text(cell)
            try:
                column = _header(text)
            except InputError as error:
                problems.add(table.column_where(index, text), error.message, type(error))
                continue
            if column is None:
                continue
            key = column.key
            if key in table.headers:
                problems.add(
                    table.column_where(index, text),
                    f"columns {table.headers[key]!r} and {text!r} both give {key}",
                )
                continue
            if key:
                table.headers[key] = text
                table.positions[key] = index
            table.columns.append((index, column))
        if "code" not in table.headers and not problems.count:
            problems.add(
                table.row_where(header_row),
                "there is no column for the community code: head one 'code' or "
                "'统计用区划代码' (the header must be the first row)",
            )
        problems.check(name)
        table.others = tuple(key for key in table.headers if key.startswith(("extra.", "service.")))
        table.extras = tuple(
            (key.removeprefix("extra."), index)
            for index, key in enumerate(table.others)
            if key.startswith("extra.")
        )
        table.service_flags = tuple(
            (index, Service(key.removeprefix("service.")))
            for index, key in enumerate(table.others)
            if key.startswith("service.")
        )
        keys = table.headers.keys()
        table.has_staff = not keys.isdisjoint(_STAFF)
        table.has_facilities = not keys.isdisjoint(
            ("has_facility", "facility_floor_area", "commercial_floor_area", *_FACILITY_PARTS)
        )
        return table

    # locations

    def row_where(self, number: int) -> str:
        return f"{self.name}: row {number}" if number else self.name

    def column_where(self, index: int, header: str, number: int | None = None) -> str:
        column = f"column {header}" if header else f"column {index + 1}"
        row = self.header_row if number is None else number
        return f"{self.name}: row {row}, {column}" if row else f"{self.name}: {column}"

    def where(self, number: int, key: str) -> str:
        header = self.headers.get(key)
        if header is None:
            return self.row_where(number)
        return f"{self.name}: row {number}, column {header}"

    def problem(
        self, number: int, key: str, message: str, kind: type[InputError] = InputError
    ) -> None:
        index = self.positions.get(key, self.width)
        self.pending.append((number, index, self.where(number, key), message, kind))

    def error(self, number: int, key: str, error: InputError) -> None:
        self.problem(number, key, error.message, type(error))

    # rows

    def read(self, rows: _Rows, problems: _Problems) -> _Found:
        numbers: list[int] = []  # the row of each community read
        found = _Found(locate=lambda index: self.where(numbers[index], "code"))
        seen = 0
        while True:
            chunk = list(itertools.islice(rows, _CHUNK))
            if not chunk:
                break
            seen += self.read_chunk(chunk, found.communities, numbers)
            self.pending.sort(key=lambda pending: pending[:2])
            for _, _, where, message, kind in self.pending:
                problems.add(where, message, kind)
            self.pending.clear()
        if not seen:
            raise InputError(
                f"there are no rows under the header (row {self.header_row})"
                if self.header_row
                else "the table has no rows",
                self.name,
            )
        return found

    def read_chunk(
        self,
        chunk: list[tuple[int, Sequence[object]]],
        found: list[Community],
        found_rows: list[int],
    ) -> int:
        """Read a chunk of rows into ``found`` (their rows into ``found_rows``).

        Return how many rows were not blank.
        """
        width = self.width
        numbers: list[int] = []
        cells: list[Sequence[object]] = []
        failed: set[int] = set()
        for number, row in chunk:
            if len(row) != width:
                row = self.fit(number, row, failed, len(numbers))  # noqa: PLW2901
            numbers.append(number)
            cells.append(row)
        columns = list(zip(*cells, strict=True))
        converted: dict[str, list[object]] = {}
        for index, column in self.columns:
            values = self.convert(index, column, columns[index], numbers, failed)
            if column.key:  # a column without a header is only checked
                converted[column.key] = values
        nones: list[object] = [None] * len(numbers)  # the column of a field the table lacks
        fields = zip(*[converted.get(key, nones) for key in COLUMNS], strict=True)
        others = (
            zip(*[converted[key] for key in self.others], strict=True)
            if self.others
            else itertools.repeat(())
        )
        seen = 0
        for position, (row, rest) in enumerate(
            zip(fields, others, strict=False)
        ):  # others may repeat
            if failed and position in failed:
                seen += 1
                continue
            if row[0] is None and all(x is None for x in (*row, *rest)):
                continue  # a blank row
            seen += 1
            community = self.build(numbers[position], row, rest)
            if community is not None:
                found.append(community)
                found_rows.append(numbers[position])
        return seen

    def fit(
        self, number: int, row: Sequence[object], failed: set[int], position: int
    ) -> Sequence[object]:
        """A row cut or padded to the header's width; a value beyond the header is a problem."""
        width = self.width
        if len(row) < width:
            return [*row, *([None] * (width - len(row)))]
        beyond = next((i for i in range(width, len(row)) if not _blank(row[i])), None)
        if beyond is not None:
            self.pending.append(
                (
                    number,
                    beyond,
                    f"{self.row_where(number)}, column {beyond + 1}",
                    f"{row[beyond]!r} is beyond the last column of the header",
                    InputError,
                )
            )
            failed.add(position)
        return row[:width]

    def convert(
        self,
        index: int,
        column: _Column,
        cells: Sequence[object],
        numbers: list[int],
        failed: set[int],
    ) -> list[object]:
        """The values of one column of a chunk: all at once if it can, else cell by cell."""
        convert = column.convert
        if self.text_cells:
            try:
                if column.convert_column is not None:
                    return column.convert_column(cells)
                return [convert(cell) if cell else None for cell in cells]
            except (InputError, ValueError, TypeError, KeyError, OverflowError):
                pass  # an unusual cell: convert the column cell by cell, below
        header = self.headers.get(column.key, "")
        values: list[object] = []
        for position, cell in enumerate(cells):
            if cell is None or cell == "":
                values.append(None)
                continue
            try:
                values.append(convert(cell))
            except InputError as error:
                number = numbers[position]
                where = self.column_where(index, header, number)
                self.pending.append((number, index, where, error.message, type(error)))
                failed.add(position)
                values.append(None)
        return values

    def build(
        self, number: int, fields: tuple[Any, ...], others: tuple[object, ...]
    ) -> Community | None:
        """The community of one row, built by the model's constructors (which validate it).

        ``fields`` holds the row's values in the order of :data:`COLUMNS`
        (``None`` for a column the table lacks); ``others`` the values of the
        extra and service columns, in the order of ``self.others``.
        """
        (
            code,
            name,
            kind,
            households,
            population,
            building_area,
            resettlement,
            old_residential_area,
            newly_built,
            elderly_monthly_visit_rate,
            social_organisations,
            registered_volunteers,
            community_workers,
            social_workers,
            disaster_information_officers,
            trained_workers,
            has_facility,
            floor_area,
            activity_area,
            office_area,
            opening_hours,
            commercial_floor_area,
            services,
        ) = fields
        if code is None:
            self.problem(number, "code", "the community code is empty")
            return None
        ok = True
        staff = _NO_STAFF
        if self.has_staff:
            counts = (
                community_workers,
                social_workers,
                disaster_information_officers,
                trained_workers,
            )
            cached = self.staff.get(counts)
            if cached is not None:
                staff = cached
            else:
                try:
                    staff = Staff(*counts)
                except InputError as error:
                    self.error(number, error.path, error)
                    ok = False
                else:
                    if len(self.staff) < _STAFF_CACHE_LIMIT:
                        self.staff[counts] = staff
        facilities: tuple[Facility, ...] | None = None
        if not self.has_facilities:
            pass
        elif floor_area is not None and has_facility is not False:  # the common case, inline
            try:
                comprehensive = Facility(
                    _COMPREHENSIVE, floor_area, activity_area, office_area, opening_hours
                )
                facilities = (
                    (comprehensive,)
                    if commercial_floor_area is None
                    else (comprehensive, Facility(_COMMERCIAL, commercial_floor_area))
                )
            except InputError:  # the slow path below locates the problem
                facilities = None
        if self.has_facilities and facilities is None:
            facilities, fine = self.facilities(
                number,
                has_facility,
                (floor_area, activity_area, office_area, opening_hours),
                commercial_floor_area,
            )
            ok = ok and fine
        if self.service_flags:
            flags = [(service, others[position]) for position, service in self.service_flags]
            if any(yes is not None for _, yes in flags):
                listed = services if isinstance(services, frozenset) else frozenset()
                services = listed | {service for service, yes in flags if yes}
        extra = None
        if self.extras:
            extra = {name: others[p] for name, p in self.extras if others[p] is not None}
        if not ok:
            return None
        try:
            # Positional, in the order of the model's fields (a test checks the order): the
            # keywords would cost a tenth of the baseline's time per row.
            return Community(
                code,
                name or "",
                kind,
                households,
                population,
                building_area,
                facilities,
                staff,
                services,
                resettlement or False,
                old_residential_area or False,
                newly_built or False,
                elderly_monthly_visit_rate,
                social_organisations,
                registered_volunteers,
                extra,
            )
        except InputError as error:
            key = error.path
            if key == "kind" and "kind" not in self.headers:
                key = "code"
            self.error(number, key, error)
            return None

    def facilities(
        self,
        number: int,
        has: object,
        comprehensive: tuple[Any, Any, Any, Any],
        commercial: object,
    ) -> tuple[tuple[Facility, ...] | None, bool]:
        """The comprehensive facility and the commercial one of a row, and whether they are fine.

        ``comprehensive`` is the facility's floor area, activity area, office
        area and opening hours.
        """
        floor = comprehensive[0]
        result: list[Facility] = []
        ok = True
        if floor is not None:
            if has is False:
                self.problem(
                    number,
                    "has_facility",
                    "says there is no comprehensive facility, but "
                    f"{self.headers['facility_floor_area']} gives its floor area",
                )
                ok = False
            else:
                try:
                    result.append(Facility(FacilityKind.COMPREHENSIVE, *comprehensive))
                except InputError as error:
                    self.error(number, f"facility_{error.path}", error)
                    ok = False
        else:
            ok = self.no_floor_area(number, has, comprehensive, commercial)
        if commercial is not None:
            try:
                result.append(Facility(FacilityKind.COMMERCIAL, commercial))
            except InputError as error:
                self.error(number, "commercial_floor_area", error)
                ok = False
        if floor is None and has is None and commercial is None:
            return None, ok
        return tuple(result), ok

    def no_floor_area(
        self, number: int, has: object, comprehensive: tuple[Any, ...], commercial: object
    ) -> bool:
        """Check a row whose comprehensive facility has no floor area; return whether it is fine."""
        parts = [
            key for key, value in zip(_FACILITY_PARTS, comprehensive[1:], strict=True) if value
        ]
        if has is True or parts:
            given = ", ".join(self.headers[key] for key in parts) or self.headers["has_facility"]
            if "facility_floor_area" in self.headers:
                key = "facility_floor_area"
                fill = "fill in its floor area"
            else:  # no floor-area column at all: say where the row describes a facility
                key = parts[0] if parts else "has_facility"
                fill = "add a column 综合服务设施面积 (facility_floor_area) with its floor area"
            self.problem(
                number,
                key,
                f"the comprehensive facility's floor area is empty, but {given} "
                f"describes one: {fill}"
                + (", or clear the other facility columns" if has is not True else ""),
            )
            return False
        if has is None and commercial is not None:
            self.problem(
                number,
                "commercial_floor_area",
                "a commercial floor area is given, but not whether there is a comprehensive "
                "facility: fill in its floor area, or write 否 in a has_facility "
                "(有综合服务设施) column if there is none",
            )
            return False
        return True


def _read_table(name: str, rows: _Rows, problems: _Problems, *, text_cells: bool = False) -> _Found:
    for header_row, header in rows:  # noqa: B007 - the header is the first row that is not blank
        if not all(_blank(cell) for cell in header):
            break
    else:
        raise InputError("the file is empty", name)
    return _Table.from_header(name, header_row, header, text_cells).read(rows, problems)


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
