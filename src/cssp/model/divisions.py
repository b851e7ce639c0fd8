"""Official administrative division codes and names of mainland China.

The names come from the National Bureau of Statistics' 统计用区划代码
(statistical division codes), shipped as package data in
``cssp/data/divisions.tsv.gz`` (see :data:`EDITION`). Four levels are included:
province (2 digits), prefecture (4), county (6) and township (9). Village-level
codes (12 digits: residents' and villagers' committees) are not shipped; a
12-digit code's enclosing divisions can still be named with
:func:`division_path`.

Codes are the significant leading digits of the 12-digit statistical code, so a
division's code is a prefix of the codes of all the divisions it contains:
``44`` (广东省) ⊃ ``4401`` (广州市) ⊃ ``440106`` (天河区) ⊃ ``440106001``
(五山街道).

Names are returned exactly as the source has them. In particular many
prefecture-level rows are not prefectures but groupings, e.g. ``1101`` is
"市辖区" (districts under the municipality) and some are "县" or
"省直辖县级行政区划".

The data file is read lazily, on the first lookup, and kept in memory.

>>> division_name("44")
'广东省'
>>> [name for _, name in division_path("440106001")]
['广东省', '广州市', '天河区', '五山街道']
"""

from __future__ import annotations

import functools
import gzip
import importlib.resources
import types
from collections.abc import Mapping
from typing import Final

import attrs

from cssp.errors import InputError

__all__ = [
    "DIVISION_LENGTHS",
    "EDITION",
    "NATION_NAME",
    "PROVINCES",
    "PROVINCES_BY_CODE",
    "Province",
    "division_name",
    "division_path",
    "is_known_division",
    "load_divisions",
]

EDITION: Final[str] = (
    "统计用区划代码, data as of 2022-10-31, published 2022-12-29 (NBS), "
    "via modood/Administrative-divisions-of-China (WTFPL)"
)
"""The edition of the division codes shipped with cssp.

The National Bureau of Statistics' 统计用区划代码 with data as of 2022-10-31,
published 2022-12-29, as compiled by the public repository
modood/Administrative-divisions-of-China (licence WTFPL). The data file's first
line is ``#`` followed by this text.
"""

DIVISION_LENGTHS: Final[Mapping[str, int]] = types.MappingProxyType(
    {"province": 2, "prefecture": 4, "county": 6, "township": 9}
)
"""The number of code digits at each division level shipped with cssp.

A read-only mapping from level name to code length, from the top down:
``{"province": 2, "prefecture": 4, "county": 6, "township": 9}``.
"""

NATION_NAME: Final[str] = "全国"
"""The name :func:`division_name` gives the empty code, which stands for the nation."""

_PATH_LENGTHS: Final[tuple[int, ...]] = tuple(DIVISION_LENGTHS.values())
_VILLAGE_LENGTH: Final[int] = 12


@attrs.define(frozen=True)
class Province:
    """A province-level division of mainland China (GB/T 2260).

    :param code: the two-digit division code, e.g. ``"44"``.
    :param name: the official Chinese name, exactly as in the statistical
        division codes, e.g. ``"广东省"``.
    :param name_en: the usual English name, e.g. ``"Guangdong"``.
    """

    code: str
    name: str
    name_en: str


PROVINCES: Final[tuple[Province, ...]] = (
    Province("11", "北京市", "Beijing"),
    Province("12", "天津市", "Tianjin"),
    Province("13", "河北省", "Hebei"),
    Province("14", "山西省", "Shanxi"),
    Province("15", "内蒙古自治区", "Inner Mongolia"),
    Province("21", "辽宁省", "Liaoning"),
    Province("22", "吉林省", "Jilin"),
    Province("23", "黑龙江省", "Heilongjiang"),
    Province("31", "上海市", "Shanghai"),
    Province("32", "江苏省", "Jiangsu"),
    Province("33", "浙江省", "Zhejiang"),
    Province("34", "安徽省", "Anhui"),
    Province("35", "福建省", "Fujian"),
    Province("36", "江西省", "Jiangxi"),
    Province("37", "山东省", "Shandong"),
    Province("41", "河南省", "Henan"),
    Province("42", "湖北省", "Hubei"),
    Province("43", "湖南省", "Hunan"),
    Province("44", "广东省", "Guangdong"),
    Province("45", "广西壮族自治区", "Guangxi"),
    Province("46", "海南省", "Hainan"),
    Province("50", "重庆市", "Chongqing"),
    Province("51", "四川省", "Sichuan"),
    Province("52", "贵州省", "Guizhou"),
    Province("53", "云南省", "Yunnan"),
    Province("54", "西藏自治区", "Tibet"),
    Province("61", "陕西省", "Shaanxi"),
    Province("62", "甘肃省", "Gansu"),
    Province("63", "青海省", "Qinghai"),
    Province("64", "宁夏回族自治区", "Ningxia"),
    Province("65", "新疆维吾尔自治区", "Xinjiang"),
)
"""The 31 province-level divisions of mainland China, in code order.

Provinces, autonomous regions and municipalities directly under the central
government. Hong Kong, Macao and Taiwan are not in the statistical division
codes and are not included.
"""

PROVINCES_BY_CODE: Final[Mapping[str, Province]] = types.MappingProxyType(
    {province.code: province for province in PROVINCES}
)
"""A read-only mapping from two-digit code to :class:`Province`."""


@functools.cache
def _load() -> dict[str, str]:
    """Read the packaged data file into a new ``{code: name}`` dict.

    Called once; later calls return the same dict, which must not be mutated.

    :return: every shipped code mapped to its official name.
    """
    resource = importlib.resources.files("cssp") / "data" / "divisions.tsv.gz"
    divisions: dict[str, str] = {}
    with resource.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
        for line in text:
            if line.startswith("#"):
                continue
            code, name = line.rstrip("\n").split("\t")
            divisions[code] = name
    return divisions


@functools.cache
def load_divisions() -> Mapping[str, str]:
    """Return all shipped division codes mapped to their official names.

    Covers every province, prefecture, county and township (2-, 4-, 6- and
    9-digit codes; 44,703 in all), but not the nation's empty code. The mapping
    is read-only and shared between calls.

    :return: a read-only mapping from code to official Chinese name.
    """
    return types.MappingProxyType(_load())


def division_name(code: str) -> str | None:
    """Return the official name of a division code.

    Names are exactly as in the statistical division codes, so some
    prefecture-level codes are named "市辖区" (e.g. ``1101``) or "县".

    >>> division_name("4401")
    '广州市'
    >>> division_name("")
    '全国'
    >>> division_name("99") is None
    True

    :param code: a 2-, 4-, 6- or 9-digit division code, or ``""`` for the
        nation.
    :return: the official Chinese name, :data:`NATION_NAME` for ``""``, or
        ``None`` if the code is not a shipped division code (including any
        12-digit village code and any malformed string).
    """
    if code == "":
        return NATION_NAME
    return _load().get(code)


def is_known_division(code: str) -> bool:
    """Tell whether :func:`division_name` knows a code.

    :param code: a 2-, 4-, 6- or 9-digit division code, or ``""`` for the
        nation (which is known).
    :return: ``True`` if the code has an official name, else ``False``.
    """
    return division_name(code) is not None


def division_path(code: str) -> tuple[tuple[str, str | None], ...]:
    """Return the divisions enclosing a code, from province down to township.

    The result has one ``(code, name)`` pair for each shipped level whose code
    length is at most ``len(code)``: the code's 2-, 4-, 6- and 9-digit
    prefixes, as far as they go. A 12-digit (village) code therefore yields its
    four enclosing divisions but not itself. A name is ``None`` when that
    prefix is not a known division.

    >>> division_path("440106")
    (('44', '广东省'), ('4401', '广州市'), ('440106', '天河区'))

    :param code: a division code of 2, 4, 6, 9 or 12 digits.
    :return: ``(code, name)`` pairs, outermost first.
    :raises cssp.errors.InputError: if ``code`` is not all ASCII digits or its
        length is not 2, 4, 6, 9 or 12.
    """
    if len(code) not in (*_PATH_LENGTHS, _VILLAGE_LENGTH) or not (
        code.isascii() and code.isdigit()
    ):
        raise InputError(
            f"a division code has 2, 4, 6, 9 or 12 digits, not {code!r}",
            path="code",
        )
    return tuple(
        (code[:length], division_name(code[:length]))
        for length in _PATH_LENGTHS
        if length <= len(code)
    )
