"""The table format: the columns of a CSV, TSV, Excel or Parquet table, their headers and cells.

The columns by their English names (``COLUMNS``), other headers understood for
them (``HEADER_ALIASES``: Chinese headers, short English names), headers that
are remarks (``IGNORED_HEADERS``), units in a header (``建筑面积(平方米)``,
``floor_area[m²]``) or in a cell (``"420平方米"``), and how each cell becomes a
value: ``_header`` reads a column's header into a ``_Column``, whose converters
give the values :mod:`cssp.io.readers.rows` builds the communities from.

A header's unit is looked up once (pint is paid once per column, not once per
cell): a numeric cell costs one ``float()`` and one multiplication by its
column's factor. The public names are documented, and exported, by
:mod:`cssp.io.readers`; the format by ``docs/reference/formats.md``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import attrs

from cssp.errors import InputError, UnitError
from cssp.model.community import CommunityKind, Service
from cssp.model.places import PLACE_LEVELS
from cssp.units import (
    AMBIGUOUS_PERCENT,
    AREA,
    HOURS_PER_DAY,
    HOUSEHOLDS,
    PERCENT,
    PERSONS,
    to_canonical,
)

_DIMENSIONLESS: Final = "dimensionless"
#: The columns of the names of a community's divisions, from the top down.
PLACE_COLUMNS: Final = tuple(PLACE_LEVELS)

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

# The public names of the table format (COLUMNS, HEADER_ALIASES, IGNORED_HEADERS) are
# documented where cssp.io.readers exports them: Sphinx reads their doc comments there.

# The columns of a table, by their English names.
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
    "urban_rural_class",
    *PLACE_COLUMNS,
)

# Other headers understood for the columns.
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
    # the urban-rural class, and the names of the divisions (a community without a code)
    "城乡分类代码": "urban_rural_class",
    "城乡分类": "urban_rural_class",
    "省": "province",
    "省份": "province",
    "省(自治区、直辖市)": "province",
    "省级": "province",
    "市": "prefecture",
    "地市": "prefecture",
    "地级市": "prefecture",
    "市(州)": "prefecture",
    "地级": "prefecture",
    "县": "county",
    "区县": "county",
    "县区": "county",
    "县(市、区)": "county",
    "县级": "county",
    "乡镇": "township",
    "乡镇(街道)": "township",
    "乡(镇、街道)": "township",
    "街道": "township",
    "乡级": "township",
    # short English names of the facility's columns
    "floor_area": "facility_floor_area",
    "activity_area": "facility_activity_area",
    "office_area": "facility_office_area",
    "opening_hours": "facility_opening_hours",
}

# Columns whose header starts with one of these are remarks, and are ignored; so is a
# column headed 序号 (a row number).
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

_Convert = Callable[[object], object]
_ConvertColumn = Callable[[Sequence[object]], list[object]]


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


def _quantity(
    key: str, canonical: str, whole: bool, factor: float, *, unit_given: bool = False
) -> _Column:
    """A numeric column: ``float(cell) * factor``, or the cell's own unit when it has one.

    ``unit_given``: the header names the unit (else a share of 0 to 1 in a
    percent column is ambiguous, and refused).
    """
    ambiguous = canonical == PERCENT and not unit_given

    def convert(cell: object) -> object:
        if isinstance(cell, str):
            text = unicodedata.normalize("NFKC", cell)
            if not text.strip():
                return None
            bare = _BARE_NUMBER.match(text)
            if bare is None:  # as written (约, 一千二百, 120+280), or with its own unit
                if text.strip().casefold().lstrip("+-") in _NOT_FINITE:
                    raise UnitError(f"{cell!r} is not a finite number", key)
                return to_canonical(cell, canonical, key, factor=factor if unit_given else None)
            number = float(bare[1].replace(",", "")) * (10_000 if bare[2] else 1)
            if ambiguous and 0 < number <= 1:
                raise UnitError(AMBIGUOUS_PERCENT.format(value=cell), key)
            return number if whole and factor == 1.0 and number.is_integer() else number * factor
        if isinstance(cell, bool) or not isinstance(cell, int | float):
            return to_canonical(cell, canonical, key)  # a clear error for dates and booleans
        if not math.isfinite(cell):
            raise UnitError(f"{cell!r} is not a finite number", key)
        return cell if factor == 1.0 else cell * factor

    # A column without an empty cell is mapped (in C); one with gaps, a comprehension.
    def counts(cells: Sequence[Any]) -> list[object]:
        _no_digit_grouping(cells)
        if "" not in cells:
            return list(map(int, cells))
        return [int(c) if c else None for c in cells]

    def measures(cells: Sequence[Any]) -> list[object]:
        _no_digit_grouping(cells)
        values: list[Any]
        if factor == 1.0:
            values = (
                list(map(float, cells))
                if "" not in cells
                else [float(c) if c else None for c in cells]
            )
        else:
            values = [float(c) * factor if c else None for c in cells]
        total = sum(filter(None, values))  # NaN or inf in any cell makes the sum so
        if total - total != 0.0:
            raise ValueError("a number that is not finite")
        zeros = 0.0 in values
        if zeros and any(
            v == 0.0 and "e" in str(c).lower() for c, v in zip(cells, values, strict=True)
        ):
            raise ValueError("a number too small to hold")  # 1e-400: convert says so
        if ambiguous and any(0 < v <= 1 for v in values if v is not None):
            raise ValueError("an ambiguous share")  # convert says so, cell by cell
        return values

    return _Column(key, convert, counts if whole and factor == 1.0 else measures)


def _no_digit_grouping(cells: Sequence[Any]) -> None:
    """Raise ``ValueError`` for a column with an underscore in a cell: ``int()`` and
    ``float()`` read ``1_000`` (Python's digit grouping), which a cell converted by itself
    does not; such a column is converted cell by cell (one ``join``: no loop in Python)."""
    try:
        joined = "".join(cells)
    except TypeError:  # not every cell is text: cell by cell
        raise ValueError("cells that are not all text") from None
    if "_" in joined:
        raise ValueError("an underscore in a number")


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
    if "" not in cells:
        return list(map(_FLAG_WORDS.__getitem__, cells))
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
    texts: list[str] = list(map(str.strip, cells))  # TypeError for a number: cell by cell
    if not "".join(texts).isascii():
        raise ValueError("full-width digits")  # _code normalises them, cell by cell
    return _or_none(texts)


def _names(cells: Sequence[Any]) -> list[object]:
    return _or_none(list(map(str.strip, cells)))


def _or_none(texts: list[Any]) -> list[Any]:
    """The texts, ``None`` for an empty one."""
    return texts if "" not in texts else [text or None for text in texts]


def _service_sets_of(cells: Sequence[Any]) -> list[object]:
    """A column of services: each text looked up among those already read, the others read."""
    values: list[object] = list(map(_service_sets.get, cells))
    if None not in values:
        return values
    return [
        _services(cell) if value is None and cell else value
        for value, cell in zip(values, cells, strict=True)
    ]


_TEXT_COLUMNS: Final = {
    "code": _Column("code", _code, _codes),
    "name": _Column("name", _name, _names),
    "kind": _Column("kind", _kind),
    "services": _Column("services", _services, _service_sets_of),
    "urban_rural_class": _Column("urban_rural_class", _name, _names),
    **{key: _Column(key, _name, _names) for key in PLACE_COLUMNS},
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
        name, unit = _split_header(text)
        key = _KNOWN.get(_normalise_header(name)) if unit is not None else None
    normalised = _normalise_header(name)
    if normalised in _IGNORED_NAMES or name.startswith(IGNORED_HEADERS):
        return None
    if key is None and normalised.startswith("extra."):
        return _column_for(f"extra.{unicodedata.normalize('NFKC', name).strip()[6:].strip()}", unit)
    if key is None:
        hint = _AMBIGUOUS.get(normalised)
        if hint is not None:
            raise InputError(f"{name!r} could mean more than one column: {hint}")
        raise _UnknownColumn(text)
    return _column_for(key, unit)


class _UnknownColumn(InputError):
    """A header that is no column of the table format (a column map may ignore it).

    Its full message (:meth:`describe`, with the columns it may have meant) is made
    only when it is listed: a header of a million unknown columns lists a few.
    """

    def __init__(self, text: str) -> None:
        super().__init__(f"unknown column {text!r}")
        self.text = text

    def describe(self) -> str:
        return _unknown_column(self.text)


def _with_words(column: _Column, words: Mapping[str, str]) -> _Column:
    """``column``, reading a cell that is one of ``words`` (stripped) as the word it maps to."""
    convert, convert_column = column.convert, column.convert_column

    def word(cell: object) -> object:
        return words.get(cell.strip(), cell) if isinstance(cell, str) else cell

    def one(cell: object) -> object:
        return convert(word(cell))

    def many(cells: Sequence[object]) -> list[object]:
        assert convert_column is not None
        return convert_column([word(cell) for cell in cells])

    return _Column(column.key, one, many if convert_column is not None else None)


def _split_header(text: str) -> tuple[str, str | None]:
    """A header's name and the unit in its brackets (``None`` without brackets)."""
    match = _HEADER_UNIT.match(text)
    if match is not None and match["name"]:
        return match["name"], match["unit"].strip()
    return text, None


def _column_for(key: str, unit: str | None) -> _Column:
    """How to read the column ``key`` (a column's name, ``service.VALUE`` or ``extra.NAME``)
    whose header gives ``unit`` (``None``: no brackets)."""
    if key.startswith("extra."):
        extra = key[len("extra.") :]
        if not extra.isidentifier():
            raise InputError(f"{extra!r} after 'extra.' is not a valid name (letters, digits, _)")
        if unit is not None:
            raise InputError(
                "extra columns take plain numbers, in the unit the profile's indicator declares; "
                "remove the unit from the header"
            )
        return _quantity(key, _DIMENSIONLESS, False, 1.0)
    if key in _QUANTITIES:
        canonical, whole = _QUANTITIES[key]
        factor = 1.0 if unit is None else _header_factor(unit, canonical, key)
        return _quantity(key, canonical, whole, factor, unit_given=unit is not None)
    # A note in brackets after any other column ("有综合服务设施(是/否)") is not a unit.
    if key in _FLAGS or key.startswith("service."):
        return _Column(key, _flag, _flags)
    return _TEXT_COLUMNS[key]


def numeric_columns() -> frozenset[str]:
    """The numeric columns of the table format, by their names (``extra.NAME`` besides)."""
    return frozenset(_QUANTITIES)


def read_cell(key: str, cell: object) -> object:
    """One cell of column ``key`` (a numeric or yes/no column's name, or ``extra.NAME``) read as
    the table readers read it: text with its unit, ``约1000``, ``1,200`` (``None`` if blank).

    The batch engine reads a text column of numbers with it, so that both engines
    accept the same cells and refuse the others with the same message.

    A yes/no column (a flag, or a service by its value, ``5g``) reads 是/否 and their kin.

    :raises InputError: what is wrong with the cell (located at ``key``).
    """
    if key in _QUANTITIES or key.startswith("extra."):
        return _column_for(key, None).convert(cell)
    return _flag(cell)


def read_code(cell: object) -> str | None:
    """A code cell read as the table readers read it: text as it is (stripped), a
    whole number as its digits (``440106001001``; ``None`` if blank).

    :raises InputError: for a cell that cannot be a code (``12.5``, a date).
    """
    return _code(cell)


def map_keys() -> frozenset[str]:
    """The names a column map may give columns: :data:`COLUMNS` and the services' names."""
    return _MAP_KEYS


def map_key(key: str) -> str:
    """The table's key of a column a map names: ``service.5g`` for ``5g``, else ``key``."""
    return f"service.{key}" if key in _SERVICE_KEYS else key


def suggest(text: str, known: Iterable[str]) -> list[str]:
    """At most two of ``known`` that ``text`` may have meant: the names sharing most of
    its words (``admin_code_12``: ``code``), else the closest in spelling."""
    import difflib  # noqa: PLC0415 - only for error messages

    names = list(known)
    normal = _normalise_header(text)
    words = {w for w in _WORDS.split(normal) if w}
    scored = []
    for name in names:
        its = {w for w in _WORDS.split(name) if w}
        shared = len(words & its)
        if shared:  # most words shared, then the most of its own words, then the spelling
            ratio = difflib.SequenceMatcher(None, normal, name).ratio()
            scored.append((-shared, -shared / len(its), -ratio, name))
    found = [name for *_, name in sorted(scored)[:2]]
    close = difflib.get_close_matches(normal, names, n=2, cutoff=0.68)
    found += [c for c in close if c not in found]
    return found[:2]


_WORDS: Final = re.compile(r"[^0-9a-z\u4e00-\u9fff]+|(?<=[a-z])(?=\d)")
_SERVICE_KEYS: Final = frozenset(service.value for service in Service)
_MAP_KEYS: Final = frozenset((*COLUMNS, *_SERVICE_KEYS))


def _unknown_column(text: str) -> str:
    close = suggest(text, _KNOWN)
    hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
    key = _KNOWN[close[0]].removeprefix("service.") if close else "NAME"
    return (
        f"unknown column {text!r}{hint}: map it to a column of cssp's in a column map "
        f'(--columns MAP.toml: [columns] {key} = "{text}") or skip the columns cssp does not '
        'know ([options] unknown_columns = "ignore"); a header starting with # or 备注 is a '
        "remark, and ignored"
    )
