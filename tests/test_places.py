"""Place names to codes (cssp.model.places), and communities placed by their names."""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any, Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cssp
from cssp.io.readers import read_input
from cssp.model.divisions import load_divisions
from cssp.model.places import place_names, resolve_place

_GROUPINGS: Final = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


def _chains() -> dict[str, tuple[str, str | None, str, str]]:
    """Every township's names (province, prefecture or None, county, township) whose
    chain of names no other township has."""
    divisions = load_divisions()
    chains = {}
    for code, name in divisions.items():
        if len(code) == 9:
            prefecture = divisions.get(code[:4])
            chains[code] = (
                divisions[code[:2]],
                None if prefecture in _GROUPINGS else prefecture,
                divisions[code[:6]],
                name,
            )
    counts = collections.Counter(chains.values())
    return {code: chain for code, chain in chains.items() if counts[chain] == 1}


CHAINS: Final = _chains()


def test_every_township_with_a_unique_chain_of_names_round_trips() -> None:
    assert len(CHAINS) > 41_000  # every township of the 2022 list
    wrong = []
    for code, (province, prefecture, county, township) in CHAINS.items():
        place = resolve_place(province, prefecture, county, township)
        if place.code != code or place.path[-1] != township:
            wrong.append((code, place))
    assert wrong == []


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(CHAINS)), st.data())
def test_names_as_people_write_them_find_the_township_or_say_why(
    code: str, data: st.DataObject
) -> None:
    province, prefecture, county, township = CHAINS[code]
    short = data.draw(st.booleans())
    if short and province.endswith(("省", "市")):
        province = province[:-1]
    if prefecture is not None and data.draw(st.booleans()):
        county, prefecture = prefecture + county, None  # both in one cell
    elif data.draw(st.booleans()):
        prefecture = None  # a level left out
    try:
        place = resolve_place(province, prefecture, county, township)
    except cssp.InputError as error:
        message = error.message
    else:
        assert place.code == code
        assert place_names(code) == place.path
        return
    # only ever because the names, shortened, fit several places: all listed
    assert "fit" in message, message
    assert code in message


@pytest.mark.parametrize(
    ("names", "code"),
    [
        (("浙江省", None, "舟山市嵊泗县", "菜园镇"), "330922100"),
        (("浙江", None, "嵊泗县", "菜园镇"), "330922100"),  # short, a level left out
        (("浙江", None, "嵊泗", "菜园"), "330922100"),
        (("湖南省", None, "新晃县", "步头降乡"), "431227200"),  # without the ethnic words
        (("湖南", "怀化市", "新晃侗族自治县", "步头降苗族乡"), "431227200"),
        (("北京市", None, "朝阳区", None), "110105"),  # a county alone
        (("吉林", None, "朝阳区", None), "220104"),
        ((None, None, "北京市朝阳区", "望京街道"), "110105026"),
        ((None, None, "朝阳区", "望京街道"), "110105026"),  # the township tells them apart
        (("新疆", None, "沙湾市", "兵团北泉镇分部"), "654203500"),
        (("北京", None, "东城区", "东花市"), "110101013"),  # 东花市街道 without its ending
    ],
)
def test_names_to_codes(names: tuple[str | None, ...], code: str) -> None:
    assert resolve_place(*names).code == code


@pytest.mark.parametrize(
    ("names", "column", "message"),
    [
        (
            (None, None, "朝阳区", None),
            "county",
            "the names fit 2 places: 110105 北京市 朝阳区; 220104 吉林省 长春市 朝阳区",
        ),
        (
            ("黑龙江省", None, "哈尔滨市双城市", None),
            "county",
            "'双城市' is not the name of a prefecture or county of 黑龙江省 哈尔滨市 in the "
            "division list (2022 edition); the nearest: 230113 黑龙江省 哈尔滨市 双城区",
        ),
        (("浙江", None, "舟山市", None), "county", "3309 浙江省 舟山市 is a prefecture"),
        (("浙江", "舟山市", None, None), "county", "give them, or its 12-digit code"),
        (("浙江省", None, "嵊泗县", "不存在镇"), "township", "'不存在镇' is not the name"),
        (("火星", None, "嵊泗县", None), "province", "'火星' is not the name of a province"),
    ],
)
def test_names_that_do_not_place_a_community_are_errors(
    names: tuple[str | None, ...], column: str, message: str
) -> None:
    with pytest.raises(cssp.InputError) as info:
        resolve_place(*names)
    assert info.value.path == column
    assert message in info.value.message


# --- communities placed by their names --------------------------------------------


LEDGER: Final = (
    "省,县（市、区）,乡镇（街道）,名称,类型,城乡分类代码,户数,综合服务设施面积\n"
    "浙江,舟山市嵊泗县,菜园镇,菜园镇示例社区,城市,,1200,420\n"
    "浙江省,嵊泗县,菜园镇,菜园镇示例村,,220,300,100\n"
    "北京市,朝阳区,,朝阳示例社区,城市,111,2000,500\n"
    "湖南,新晃县,步头降乡,步头降示例村,农村,121,80,30\n"
)


def _write(folder: Path, text: str, name: str = "ledger.csv") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_ledger_with_names_instead_of_codes(tmp_path: Path) -> None:
    path = _write(tmp_path, LEDGER)
    result = read_input(path)
    assert [(c.code, c.key, c.kind) for c in result.communities] == [
        ("330922100", "330922100 菜园镇示例社区", "urban"),
        ("330922100", "330922100 菜园镇示例村", "rural"),  # its kind from its class, 220
        ("110105", "110105 朝阳示例社区", "urban"),
        ("431227200", "431227200 步头降示例村", "rural"),
    ]
    assert [(p.where, p.names, p.code) for p in result.notes.resolved] == [
        (f"{path}: row 2", ("浙江", "舟山市嵊泗县", "菜园镇"), "330922100"),
        (f"{path}: row 3", ("浙江省", "嵊泗县", "菜园镇"), "330922100"),
        (f"{path}: row 4", ("北京市", "朝阳区"), "110105"),
        (f"{path}: row 5", ("湖南", "新晃县", "步头降乡"), "431227200"),
    ]
    assert result.notes.resolved[3].path == ("湖南省", "怀化市", "新晃侗族自治县", "步头降苗族乡")
    # a villagers' committee classed 121 (镇中心区, 城镇): a warning, not an error
    assert [(n.where, n.message[:29]) for n in result.notes.warnings] == [
        (f"{path}: row 5, column 城乡分类代码", "the urban-rural class 121 (镇中")
    ]


def test_placed_communities_count_in_the_regions_their_codes_cover(tmp_path: Path) -> None:
    communities = read_input(_write(tmp_path, LEDGER)).communities
    by_county = cssp.evaluate_region(communities, by="county", profiles=())
    assert [(r.code, len(r.communities)) for r in by_county.regions] == [
        ("110105", 1),
        ("330922", 2),
        ("431227", 1),
    ]
    by_township = cssp.evaluate_region(communities, by="township", profiles=())
    assert [r.code for r in by_township.regions] == ["330922100", "431227200"]  # not 110105
    assert len(by_township.assessments) == 4  # its own findings are reported all the same
    region = by_county.region("330922")
    assert region.communities == ("330922100 菜园镇示例村", "330922100 菜园镇示例社区")
    finding = region.finding("facility_area_per_100_households")
    assert (finding.numerator, finding.denominator) == (520.0, 1500.0)
    verdicts = cssp.evaluate_many(communities, profiles=())
    assert verdicts.codes[0] == "330922100 菜园镇示例社区"
    with pytest.raises(cssp.InputError, match="batch engine"):
        cssp.evaluate_many(communities, profiles=(), engine="batch")


@pytest.mark.parametrize(
    ("row", "where", "message"),
    [
        ("浙江,嵊泗县,菜园镇,,城市,,1,", "column 名称", "give its name"),
        ("浙江,嵊泗县,菜园镇,某社区,,,1,", "column 类型", "give its kind"),
        (",朝阳区,,某社区,城市,,1,", "column 县（市、区）", "the names fit 2 places"),
        ("浙江,嵊泗县,菜园镇,某社区,城市,999,1,", "column 城乡分类代码", "not an urban-rural"),
    ],
)
def test_a_placed_row_needs_a_name_a_kind_and_names_that_fit(
    tmp_path: Path, row: str, where: str, message: str
) -> None:
    path = _write(tmp_path, LEDGER.splitlines()[0] + "\n" + row + "\n")
    with pytest.raises(cssp.InputError) as info:
        read_input(path)
    assert info.value.path == f"{path}: row 2, {where}"
    assert message in info.value.message


def test_two_rows_of_one_name_in_one_township_are_one_community_twice(tmp_path: Path) -> None:
    path = _write(tmp_path, LEDGER + LEDGER.splitlines()[2] + "\n")
    with pytest.raises(cssp.InputError, match="330922100 菜园镇示例村 appears twice"):
        read_input(path)


def test_names_beside_a_code_are_checked_against_it(tmp_path: Path) -> None:
    text = "code,省,县,乡镇\n330922100001,浙江,嵊泗县,菜园镇\n330922100002,浙江,嵊泗县,五龙乡\n"
    result = read_input(_write(tmp_path, text))
    assert [c.code for c in result.communities] == ["330922100001", "330922100002"]
    assert result.notes.resolved == ()
    (note,) = result.notes.warnings
    assert note.where.endswith("row 3, column code")
    assert note.message == (
        "the place names (浙江 嵊泗县 五龙乡) are those of 330922200 浙江省 舟山市 嵊泗县 五龙乡, "
        "not of the code 330922100002"
    )


def test_a_community_placed_by_name_in_python() -> None:
    community = cssp.Community(code="330922100", name="菜园镇示例社区", urban_rural_class="111")
    assert (community.kind, community.township, community.county) == (
        "urban",
        "330922100",
        "330922",
    )
    county = cssp.Community(code="110105", name="朝阳示例", kind="urban")
    assert county.township == ""
    cases: tuple[tuple[dict[str, Any], str], ...] = (
        ({"code": "330922100", "kind": "urban"}, "name"),
        ({"code": "330922100", "name": "x"}, "kind"),
        ({"code": "330922999", "name": "x", "kind": "urban"}, "code"),
        ({"code": "330922100", "name": "x", "urban_rural_class": "311"}, "urban_rural_class"),
    )
    for kwargs, path in cases:
        with pytest.raises(cssp.InputError) as info:
            cssp.Community(**kwargs)
        assert info.value.path == path
    assert (
        cssp.Community(code="330922100001", urban_rural_class="220(村庄)").urban_rural_class
        == "220"
    )


def test_the_batch_engine_reads_the_class_and_refuses_place_names() -> None:
    import cssp.batch

    table = {"code": ["440106001001", "440106001201"], "urban_rural_class": ["111", 220]}
    result = cssp.batch.evaluate_columns(table, profiles=())
    assert len(result.codes) == 2
    with pytest.raises(cssp.InputError, match="not an urban-rural class") as info:
        cssp.batch.evaluate_columns({**table, "urban_rural_class": ["111", "311"]}, profiles=())
    assert info.value.path == "rows[1].urban_rural_class"
    with pytest.raises(cssp.InputError, match="needs the default engine") as info:
        cssp.batch.evaluate_columns({**table, "township": ["a", "b"]}, profiles=())
    assert info.value.path == "township"
