"""Place names to division codes, through the shipped division list (2022 edition).

A ledger often has no 12-digit code, only the names of a community's
divisions: ``浙江省, 舟山市嵊泗县, 菜园镇``. :func:`resolve_place` finds the
code of the deepest division named, deterministically, and never guesses:

* a name is matched as written (浙江省), or short (浙江: the name without its
  ending 省, 市, 区, 县, 镇, 乡, 街道 …), or without its ethnic words
  (步头降乡 for 步头降苗族乡); a name written in full is preferred to a
  shorter form, so 朝阳区 is never taken for 朝阳市;
* one cell may hold several levels: 舟山市嵊泗县, 北京市朝阳区;
* levels may be skipped (浙江, 嵊泗县 without 舟山市): a name is looked for
  under the divisions named before it;
* a name that fits several places, once the other names are taken into
  account, is an error listing them (朝阳区 alone: 北京市 or 长春市); a name
  not found is an error listing the nearest names (双城市: 双城区, as 双城市
  became a district of 哈尔滨市 in 2014).

>>> resolve_place(province="浙江", county="舟山市嵊泗县", township="菜园镇").code
'330922100'
>>> resolve_place(province="北京市", county="朝阳区").path
('北京市', '朝阳区')
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Final

from attrs import define

from cssp.errors import InputError
from cssp.model.divisions import division_path, load_divisions

__all__ = ["ETHNIC_GROUPS", "PLACE_LEVELS", "Place", "place_names", "resolve_place"]

#: The place columns, from the top down, and the code lengths each may name.
#: ``county`` takes a prefecture too, and the cells may hold several levels.
PLACE_LEVELS: Final = {
    "province": (2,),
    "prefecture": (4,),
    "county": (4, 6),
    "township": (9,),
}

#: The 55 ethnic minorities, as division names write them before 族
#: (步头降苗族乡, 长阳土家族自治县): a name is also matched without them.
ETHNIC_GROUPS: Final = (
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
)

# 苗族, 侗族苗族, 土家族自治; and 维吾尔自治, the one name written without 族 (新疆维吾尔自治区).
_ETHNIC: Final = re.compile(
    "(?:(?:" + "|".join(sorted(ETHNIC_GROUPS, key=len, reverse=True)) + ")族)+(?:自治)?|维吾尔自治"
)
# Endings a name may be written without (longest first).
_ENDINGS: Final = (
    "特别行政区",
    "街道办事处",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "街道",
    "地区",
    "林区",
    "新区",
    "省",
    "市",
    "区",
    "县",
    "旗",
    "盟",
    "镇",
    "乡",
    "苏木",
)
# Rows of the division list that group divisions rather than name one.
_GROUPINGS: Final = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
_LEVEL_NAMES: Final = {2: "province", 4: "prefecture", 6: "county", 9: "township"}


@define(frozen=True)
class Place:
    """A division found from place names.

    :param code: its code: a township's 9 digits, a county's 6.
    :param path: the official names of the divisions down to it, outermost
        first, without the list's grouping rows (市辖区, 县).
    """

    code: str
    path: tuple[str, ...]


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _plain(name: str) -> str:
    """The name without its ethnic words: 步头降乡 for 步头降苗族乡."""
    return _ETHNIC.sub("", name)


def _short(name: str) -> str | None:
    """The name without its ending (嵊泗 for 嵊泗县), if two characters are left; else ``None``."""
    for ending in _ENDINGS:
        if name.endswith(ending):
            return name[: -len(ending)] if len(name) - len(ending) >= 2 else None
    return None


@functools.cache
def _index() -> tuple[dict[str, list[str]], ...]:
    """Codes by full name, by name without ethnic words, and by name without its ending."""
    full: dict[str, list[str]] = {}
    plain: dict[str, list[str]] = {}
    short: dict[str, list[str]] = {}
    for code, name in load_divisions().items():
        if name in _GROUPINGS:
            continue
        cleaned = _clean(name)
        full.setdefault(cleaned, []).append(code)
        without = _plain(cleaned)
        if without != cleaned:
            plain.setdefault(without, []).append(code)
        for form in {_short(cleaned), _short(without)} - {None}:
            assert form is not None
            short.setdefault(form, []).append(code)
    return full, plain, short


def _under(codes: Iterable[str], parents: Iterable[str], lengths: Iterable[int]) -> list[str]:
    allowed = set(lengths)
    tops = tuple(parents)
    return sorted(
        {
            code
            for code in codes
            if len(code) in allowed and any(code.startswith(p) and len(code) > len(p) for p in tops)
        }
    )


def _match(text: str, parents: Sequence[str], lengths: Sequence[int]) -> list[str]:
    """The codes under ``parents`` at ``lengths`` that ``text`` names.

    The name of a division as written, else that name without its ethnic
    words (新晃县 for 新晃侗族自治县), else without its ending (嵊泗, 浙江, 东花市
    for 东花市街道). An ending may be left out, never changed: 双城市 is not
    双城区.
    """
    full, plain, short = _index()
    found = _under(full.get(text, ()), parents, lengths)
    if found:
        return found
    found = _under([*plain.get(text, ()), *plain.get(_plain(text), ())], parents, lengths)
    if found:
        return found
    return _under(short.get(text, ()), parents, lengths)


def _cell(text: str, parents: Sequence[str], lengths: Sequence[int]) -> tuple[list[str], Miss]:
    """The codes a cell names — one name, or several levels written together
    (舟山市嵊泗县) — and, when none, the name that was not found and where."""
    found = _match(text, parents, lengths)
    miss: Miss = (text, parents)
    if found or len(text) < 4:
        return found, miss
    deepest = max(lengths)
    shallower = [n for n in (2, 4, 6) if n < deepest]
    chains: set[str] = set()
    for cut in range(2, len(text) - 1):
        head, tail = text[:cut], text[cut:]
        for code in _match(head, parents, shallower):
            codes, inner = _cell(tail, [code], lengths)
            chains.update(codes)
            if not codes:
                miss = inner  # the names after a known head are what is missing
    return sorted(chains), miss


# A name not found, and the codes it was looked for under.
Miss = tuple[str, Sequence[str]]


def place_names(code: str) -> tuple[str, ...]:
    """The official names of the divisions down to ``code``, without grouping rows."""
    return tuple(name for _, name in division_path(code) if name and name not in _GROUPINGS)


def _describe(codes: Sequence[str]) -> str:
    return "; ".join(f"{code} {' '.join(place_names(code))}" for code in codes)


def _nearest(text: str, parents: Sequence[str], lengths: Sequence[int]) -> list[str]:
    """The codes under ``parents`` at ``lengths`` whose names are closest to ``text``."""
    names: dict[str, list[str]] = {}
    for code, name in load_divisions().items():
        if len(code) in lengths and any(code.startswith(p) for p in parents):
            names.setdefault(_clean(name), []).append(code)
    close = difflib.get_close_matches(text, list(names), n=3, cutoff=0.5)
    return [code for name in close for code in names[name]][:5]


def resolve_place(
    province: str | None = None,
    prefecture: str | None = None,
    county: str | None = None,
    township: str | None = None,
) -> Place:
    """The township (or county) the names place a community in.

    :param province: the province's name (浙江省 or 浙江), if given.
    :param prefecture: the prefecture's name (舟山市), if given.
    :param county: the county's name, or the prefecture's and the county's
        together (舟山市嵊泗县).
    :param township: the township's or street's name (菜园镇, 步头降乡).
    :return: the deepest division named — the township if one is named,
        else the county — with its official names.
    :raises InputError: naming the column (``province`` … ``township``) whose
        name is not found (with the nearest names), or is ambiguous (with
        every place it could be); or when neither a township nor a county is named.
    """
    return _resolve(
        tuple(
            None if v is None else _clean(str(v)) or None
            for v in (province, prefecture, county, township)
        )
    )


@functools.lru_cache(maxsize=65_536)
def _resolve(names: tuple[str | None, ...]) -> Place:
    parents: Sequence[str] = [""]
    given = [
        (column, text) for column, text in zip(PLACE_LEVELS, names, strict=True) if text is not None
    ]
    if not any(column in ("county", "township") for column, _ in given):
        raise InputError(
            "a community is placed by its county's (and township's) name: give them, "
            "or its 12-digit code",
            "county",
        )
    deepest = ""
    for column, written in given:
        lengths = PLACE_LEVELS[column]
        found, (text, under) = _cell(written, parents, lengths)
        if not found:
            where = " ".join(place_names(under[0])) if len(under) == 1 and under[0] else ""
            near = _nearest(text, under, lengths)
            hint = f"; the nearest: {_describe(near)}" if near else ""
            level = " or ".join(_LEVEL_NAMES[n] for n in lengths)
            scope = f" of {where}" if where else ""
            raise InputError(
                f"{text!r} is not the name of a {level}{scope} in the division list "
                f"(2022 edition){hint}",
                column,
            )
        parents = found
        deepest = column
    if len(parents) > 1:
        raise InputError(
            f"the names fit {len(parents)} places: {_describe(parents)}; give the province or "
            "prefecture (or the code) to tell them apart",
            deepest,
        )
    (code,) = parents
    if len(code) not in (6, 9):
        raise InputError(
            f"{code} {' '.join(place_names(code))} is a prefecture: a community is placed in its "
            "county or township",
            "county",
        )
    return Place(code, place_names(code))
