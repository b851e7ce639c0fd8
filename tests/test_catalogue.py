"""Tests for cssp.catalogue: the plans as data, checked against the plan's own text.

The expected tables below are copied from the plan (国办发〔2021〕56号, seed 001)
and from the report on the 2016–2020 plan (seed 002). When the seed files are
available (``../shared/seeds`` next to the repository), the tables are also
parsed out of the plan's text and compared with the copies here, so a typo in
either is caught.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final, NamedTuple

import pytest

import cssp
from cssp import (
    Attribute,
    Comparator,
    IndicatorKind,
    Level,
    Plan,
    Scope,
    Strength,
)
from cssp.catalogue import parse_plan
from cssp.units import Q_, parse_quantity, parse_threshold

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
SEED: Final = REPO_ROOT.parent / "shared" / "seeds" / "001_18d60ce489e7bd4b.txt"

FYP14_DOCUMENT: Final = "国办发〔2021〕56号"


class Row(NamedTuple):
    """One row of 专栏1, as printed: base and target as numbers, "—" as None."""

    item: int
    name: str
    base: float | None
    target: float
    attribute: str


#: 专栏1 “十四五”城乡社区服务体系建设和治理体系主要指标, copied from the plan.
COLUMN_1: Final = (
    Row(1, "农村社区综合服务设施覆盖率", 65.7, 80, "预期性"),
    Row(2, "城市社区综合服务设施覆盖率", 100, 100, "预期性"),
    Row(3, "社区商业和综合服务设施面积占社区总建筑面积的比例", None, 10, "预期性"),
    Row(4, "每百户居民拥有社区综合服务设施面积", 29.8, 30, "预期性"),
    Row(5, "居民活动区域面积占社区综合服务设施总建筑面积比例", None, 60, "预期性"),
    Row(6, "城市社区政务通用自助服务覆盖率", None, 100, "预期性"),
    Row(7, "每万城镇常住人口拥有社区工作者", 15, 18, "预期性"),
)

#: cssp's indicator id and unit for each row of 专栏1.
COLUMN_1_IDS: Final = (
    ("rural_facility_coverage", "percent"),
    ("urban_facility_coverage", "percent"),
    ("commercial_service_area_share", "percent"),
    ("facility_area_per_100_households", "meter ** 2 / hundred_households"),
    ("activity_area_share", "percent"),
    ("urban_self_service_coverage", "percent"),
    ("workers_per_10k_urban_residents", "person / ten_thousand_persons"),
)

#: The programme columns 专栏2–6: title, then the items' titles in order.
COLUMNS: Final = {
    "专栏2": (
        "社会力量参与社区服务行动",
        ("培育发展社区社会组织专项行动", "社区志愿服务行动", "社区社会工作服务行动"),
    ),
    "专栏3": (
        "新时代新社区新生活服务质量提升行动",
        (
            "社区固本强基行动",
            "社区养老服务行动",
            "社区未成年人关爱行动",
            "社区助残服务行动",
            "社区就业服务行动",
            "社区卫生服务行动",
            "社区教育行动",
            "社区文化服务行动",
            "社区体育服务行动",
            "社区科普服务行动",
            "平安社区建设行动",
            "法律服务社区行动",
            "社区应急服务行动",
            "社区共建共治共享行动",
        ),
    ),
    "专栏4": (
        "城乡社区综合服务设施补短板工程",
        (
            "村级综合服务设施提升工程",
            "易地扶贫搬迁集中安置社区综合服务设施补短板工程",
            "完善城镇老旧小区社区服务设施",
        ),
    ),
    "专栏5": (
        "社区服务数字化建设试点行动",
        ("“互联网+基层治理”行动", "智慧社区试点建设", "现代社区服务体系试点建设"),
    ),
    "专栏6": (
        "社区人才队伍建设行动",
        (
            "新时代社区工作者主题培训行动",
            "社区志愿者队伍建设行动",
            "社会工作专业人才队伍建设行动",
        ),
    ),
}


# --- reading the plan's text ------------------------------------------------------

_COLUMN_HEADING = re.compile(r"^#*\s*专栏\s*(\d+)\s*(\S.*?)\s*$")
_ITEM = re.compile(r"^(\d+)\.\s*(.+?)。")


def _number(text: str) -> float | None:
    return None if text == "—" else float(parse_quantity(text).magnitude)


def parse_column_1(text: str) -> tuple[Row, ...]:
    """The rows of 专栏1's table (tab-separated in the seed file)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if _COLUMN_HEADING.match(line))
    rows: list[Row] = []
    for line in lines[start + 1 :]:
        cells = line.split("\t")
        if len(cells) != 5 or cells[0] == "序号":
            if rows:
                break
            continue
        item, name, base, target, attribute = cells
        comparator, threshold = parse_threshold(target)
        assert comparator == ">="
        rows.append(Row(int(item), name, _number(base), threshold.magnitude, attribute))
    return tuple(rows)


def parse_columns(text: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each programme column's title and its items' titles (the text before the first 。)."""
    columns: dict[str, tuple[str, list[str]]] = {}
    current: str | None = None
    for line in text.splitlines():
        heading = _COLUMN_HEADING.match(line)
        if heading:
            current = f"专栏{heading[1]}"
            columns[current] = (heading[2], [])
            continue
        if line.startswith("#"):
            current = None
        item = _ITEM.match(line)
        if current is not None and item:
            titles = columns[current][1]
            assert int(item[1]) == len(titles) + 1, line
            titles.append(item[2])
    return {column: (title, tuple(items)) for column, (title, items) in columns.items() if items}


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEED.is_file():
        pytest.skip(f"plan text not available at {SEED}")
    return SEED.read_text(encoding="utf-8")


def test_column_1_copy_matches_the_plan_text(seed_text: str) -> None:
    assert parse_column_1(seed_text) == COLUMN_1


def test_column_titles_copy_matches_the_plan_text(seed_text: str) -> None:
    assert parse_columns(seed_text) == COLUMNS


# --- fyp14: 专栏1 ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def fyp14() -> Plan:
    return cssp.load_plan("fyp14")


@pytest.fixture(scope="module")
def fyp13() -> Plan:
    return cssp.load_plan("fyp13")


def test_fyp14_identity(fyp14: Plan) -> None:
    assert fyp14.id == "fyp14"
    assert fyp14.title.zh == "“十四五”城乡社区服务体系建设规划"
    assert fyp14.document == FYP14_DOCUMENT
    assert fyp14.issuer == "国务院办公厅"
    assert (fyp14.baseline_year, fyp14.target_year) == (2020, 2025)
    assert str(fyp14.issued) == "2021-12-27"
    assert str(fyp14.published) == "2022-01-21"
    assert cssp.load_plan("fyp14") is fyp14


def test_default_plan_is_the_same_object(fyp14: Plan) -> None:
    assert cssp.load_plan() is fyp14
    assert cssp.load_plan() == fyp14


@pytest.mark.parametrize(("row", "ids"), list(zip(COLUMN_1, COLUMN_1_IDS, strict=True)))
def test_column_1_indicator(fyp14: Plan, row: Row, ids: tuple[str, str]) -> None:
    indicator_id, unit = ids
    indicator = fyp14.indicators[indicator_id]
    assert indicator.name.zh == row.name
    assert indicator.name.en
    # the unit: the same quantity, whatever its spelling
    assert Q_(1, indicator.unit).to(unit).magnitude == pytest.approx(1, rel=1e-12)
    if row.base is None:
        assert indicator.baseline is None
    else:
        assert indicator.baseline is not None
        assert (indicator.baseline.year, indicator.baseline.value) == (2020, row.base)
    assert indicator.citation.document == FYP14_DOCUMENT
    assert (indicator.citation.column, indicator.citation.item) == ("专栏1", row.item)
    assert len(indicator.targets) == 1
    target = indicator.target
    assert target.value == row.target
    assert target.year == 2025
    assert target.comparator is Comparator.GE
    assert target.attribute is Attribute.EXPECTED
    assert target.attribute.zh == row.attribute
    assert target.strength is Strength.QUANTIFIED
    assert target.indicator == indicator_id
    assert target.unit == indicator.unit
    assert (target.citation.column, target.citation.item) == ("专栏1", row.item)
    assert target.baseline == indicator.baseline
    assert fyp14.targets[target.id] is target


def test_column_1_has_exactly_seven_indicators(fyp14: Plan) -> None:
    in_column_1 = [i for i in fyp14.indicators.values() if i.citation.column == "专栏1"]
    assert [i.id for i in in_column_1] == [ids[0] for ids in COLUMN_1_IDS]
    assert sorted(i.citation.item or 0 for i in in_column_1) == list(range(1, 8))


def test_column_1_none_is_binding(fyp14: Plan) -> None:
    assert all(t.attribute is not Attribute.BINDING for t in fyp14.targets.values())


@pytest.mark.parametrize(
    ("indicator_id", "scope", "kind"),
    [
        ("rural_facility_coverage", Scope.RURAL, IndicatorKind.COVERAGE),
        ("urban_facility_coverage", Scope.URBAN, IndicatorKind.COVERAGE),
        # （十一）"确保新建社区商业和综合服务设施面积达标": newly built communities
        ("commercial_service_area_share", Scope.NEWLY_BUILT, IndicatorKind.RATIO),
        ("facility_area_per_100_households", Scope.ALL, IndicatorKind.RATIO),
        ("activity_area_share", Scope.ALL, IndicatorKind.RATIO),
        ("urban_self_service_coverage", Scope.URBAN, IndicatorKind.COVERAGE),
        ("workers_per_10k_urban_residents", Scope.URBAN, IndicatorKind.RATIO),
    ],
)
def test_column_1_scope_and_aggregation(
    fyp14: Plan, indicator_id: str, scope: Scope, kind: IndicatorKind
) -> None:
    indicator = fyp14.indicators[indicator_id]
    assert indicator.kind is kind
    assert indicator.target.scope is scope
    assert Level.REGION in indicator.target.levels


def test_unit_labels_of_column_1(fyp14: Plan) -> None:
    labels = {i.id: i.unit_label.zh for i in fyp14.indicators.values()}
    assert labels["facility_area_per_100_households"] == "平方米/百户"
    assert labels["workers_per_10k_urban_residents"] == "人/万人"
    assert labels["rural_facility_coverage"] == "%"


# --- fyp14: the other requirements of the text ---------------------------------------


@pytest.mark.parametrize(
    ("target_id", "value", "strength", "section", "column", "item"),
    [
        ("facility_opening_hours", 8, Strength.AS_A_RULE, "（十二）", "", None),
        ("agency_service_coverage", 100, Strength.FULL_COVERAGE, "（十二）", "", None),
        ("satisfaction_survey_coverage", 100, Strength.FULL_COVERAGE, "（十二）", "", None),
        ("special_needs_elderly_monthly_visit_rate", 100, Strength.QUANTIFIED, "三、", "专栏3", 2),
        ("disabled_persons_association_coverage", 100, Strength.FULL_COVERAGE, "三、", "专栏3", 4),
        ("cultural_service_centre", 100, Strength.GENERALLY, "三、", "专栏3", 8),
        ("fitness_circle_15min_coverage", 100, Strength.FULL_COVERAGE, "三、", "专栏3", 9),
        ("disaster_information_officer", 1, Strength.FULL_COVERAGE, "三、", "专栏3", 13),
        ("broadband_village_coverage", 100, Strength.FULL_COVERAGE, "五、", "专栏5", 1),
        ("village_5g_coverage", 80, Strength.QUANTIFIED, "五、", "专栏5", 1),
        ("worker_training_coverage", 100, Strength.FULL_COVERAGE, "六、", "专栏6", 1),
    ],
)
def test_text_requirements(
    fyp14: Plan,
    target_id: str,
    value: float,
    strength: Strength,
    section: str,
    column: str,
    item: int | None,
) -> None:
    target = fyp14.targets[target_id]
    assert target.value == value
    assert target.comparator is Comparator.GE
    assert target.strength is strength
    assert target.year == 2025
    # None of these states a year: each takes the plan's horizon, and says so.
    assert not target.year_stated
    assert (target.citation.section, target.citation.column, target.citation.item) == (
        section,
        column,
        item,
    )


def test_weak_wording_is_kept_not_turned_into_full_coverage(fyp14: Plan) -> None:
    # 普遍 (generally) and 一般 (as a rule) must stay visible in the data
    assert fyp14.targets["cultural_service_centre"].strength.zh == "普遍"
    assert fyp14.targets["facility_opening_hours"].strength.zh == "一般"
    assert fyp14.targets["fitness_circle_15min_coverage"].strength.zh == "全覆盖"


def test_disaster_information_officer_is_a_per_community_requirement(fyp14: Plan) -> None:
    indicator = fyp14.indicators["disaster_information_officer"]
    assert indicator.kind is IndicatorKind.PER_COMMUNITY
    assert indicator.unit == "person"
    assert indicator.target.region_share == 100
    assert indicator.target.levels == frozenset({Level.COMMUNITY, Level.REGION})


def test_resettlement_target_scope(fyp14: Plan) -> None:
    target = fyp14.targets["resettlement_facility_coverage"]
    assert target.scope is Scope.RESETTLEMENT
    assert target.value == 100
    assert "专栏4" in target.citation.text("zh")


# --- fyp14: programmes ---------------------------------------------------------------


def test_four_action_plans_and_one_major_project(fyp14: Plan) -> None:
    kinds = [(g.column, g.kind) for g in fyp14.programme_groups]
    assert kinds == [
        ("专栏2", "action_plan"),
        ("专栏3", "action_plan"),
        ("专栏4", "major_project"),
        ("专栏5", "action_plan"),
        ("专栏6", "action_plan"),
    ]


@pytest.mark.parametrize("column", sorted(COLUMNS))
def test_column_titles_and_items(fyp14: Plan, column: str) -> None:
    title, items = COLUMNS[column]
    group = next(g for g in fyp14.programme_groups if g.column == column)
    assert group.title.zh == title
    assert group.title.en
    assert tuple(p.title.zh for p in group.programmes) == items
    assert [p.item for p in group.programmes] == list(range(1, len(items) + 1))
    for p in group.programmes:
        assert p.column == column
        assert (p.citation.column, p.citation.item) == (column, p.item)
        assert p.title.en
        assert p.summary.zh
        assert p.summary.en


def test_fourteen_actions_of_column_3(fyp14: Plan) -> None:
    group = next(g for g in fyp14.programme_groups if g.column == "专栏3")
    assert len(group.programmes) == 14
    assert group.programmes[12].title.zh == "社区应急服务行动"
    assert group.programmes[12].targets == ("disaster_information_officer", "emergency_drills")


def test_programme_ids_are_unique(fyp14: Plan) -> None:
    ids = [p.id for p in fyp14.programmes]
    assert len(ids) == len(set(ids)) == 26


# --- every plan: citations and references ------------------------------------------


@pytest.mark.parametrize("plan_id", cssp.PLAN_IDS)
def test_every_target_and_programme_is_cited(plan_id: str) -> None:
    plan = cssp.load_plan(plan_id)
    assert plan.targets
    for target in plan.targets.values():
        assert target.citation.document, target.id
        assert target.citation.text("zh").startswith(target.citation.document)
        assert target.citation.text("en")
        assert target.name.zh
        assert target.name.en
    for indicator in plan.indicators.values():
        assert indicator.citation.document, indicator.id
    for group in plan.programme_groups:
        assert group.citation.document
        for programme in group.programmes:
            assert programme.citation.document, programme.id
    if plan_id == "fyp14":
        documents = {t.citation.document for t in plan.targets.values()}
        assert documents == {FYP14_DOCUMENT}


@pytest.mark.parametrize("plan_id", cssp.PLAN_IDS)
def test_every_programme_target_exists(plan_id: str) -> None:
    plan = cssp.load_plan(plan_id)
    for programme in plan.programmes:
        for target_id in programme.targets:
            assert target_id in plan.targets, (programme.id, target_id)


@pytest.mark.parametrize("plan_id", cssp.PLAN_IDS)
def test_targets_belong_to_their_indicators(plan_id: str) -> None:
    plan = cssp.load_plan(plan_id)
    for indicator in plan.indicators.values():
        for target in indicator.targets:
            assert target.indicator == indicator.id
            assert plan.targets[target.id] is target
            assert plan.baseline_year < target.year <= plan.target_year


def test_plan_mappings_are_read_only(fyp14: Plan) -> None:
    with pytest.raises(TypeError):
        fyp14.indicators["x"] = fyp14.indicators["rural_facility_coverage"]  # type: ignore[index]


def test_unknown_plan() -> None:
    with pytest.raises(cssp.UnknownPlanError, match="fyp15") as info:
        cssp.load_plan("fyp15")
    assert isinstance(info.value, LookupError)
    assert isinstance(info.value, cssp.CsspError)


# --- fyp13 (SPEC §4, seed 002) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("target_id", "indicator_id", "value", "scope", "baseline"),
    [
        ("facility_area_per_100_households", "facility_area_per_100_households", 30, "all", 20),
        ("rural_facility_coverage", "rural_facility_coverage", 50, "rural", 12.3),
        ("urban_info_platform_coverage", "urban_info_platform_coverage", 60, "urban", 10),
        ("rural_info_platform_coverage", "rural_info_platform_coverage", 30, "rural", None),
        ("social_workers_per_community", "social_workers_per_community", 1, "all", None),
        (
            "social_organisations_per_urban_community",
            "social_organisations_per_community",
            10,
            "urban",
            None,
        ),
        (
            "social_organisations_per_rural_community",
            "social_organisations_per_community",
            5,
            "rural",
            None,
        ),
        ("registered_volunteer_share", "registered_volunteer_share", 13, "all", None),
    ],
)
def test_fyp13_targets(
    fyp13: Plan,
    target_id: str,
    indicator_id: str,
    value: float,
    scope: str,
    baseline: float | None,
) -> None:
    target = fyp13.targets[target_id]
    assert target.indicator == indicator_id
    assert target.value == value
    assert target.comparator is Comparator.GE
    assert target.scope is Scope(scope)
    assert target.year == 2020
    if baseline is None:
        assert target.baseline is None
    else:
        assert target.baseline is not None
        assert (target.baseline.year, target.baseline.value) == (2015, baseline)


def test_fyp13_identity_and_units(fyp13: Plan) -> None:
    assert fyp13.title.zh == "全国社区服务体系建设规划（2016—2020年）"
    assert (fyp13.baseline_year, fyp13.target_year) == (2015, 2020)
    assert len(fyp13.targets) == 8
    area = fyp13.indicators["facility_area_per_100_households"]
    assert area.unit == cssp.load_plan("fyp14").indicators[area.id].unit
    assert fyp13.indicators["social_workers_per_community"].kind is IndicatorKind.PER_COMMUNITY
    assert fyp13.indicators["registered_volunteer_share"].unit == "percent"


def test_fyp13_urban_coverage_has_a_baseline_but_no_target(fyp13: Plan) -> None:
    urban = fyp13.indicators["urban_facility_coverage"]
    assert urban.baseline is not None
    assert (urban.baseline.year, urban.baseline.value) == (2015, 82)
    assert urban.targets == ()
    with pytest.raises(LookupError):
        _ = urban.target


def test_fyp13_citations_say_where_they_come_from(fyp13: Plan) -> None:
    for target in fyp13.targets.values():
        note = target.citation.note
        assert note is not None
        assert "新闻发布会" in note.zh
        assert "press conference" in note.en
        # each language whole: no Chinese in the English citation's note
        assert "新闻" not in target.citation.text("en")


# --- parse_plan: malformed catalogue files -----------------------------------------------

TOY: Final = """
schema = 1
id = "toy"
title = { zh = "玩具规划", en = "Toy plan" }
issuer = "测试"
document = "测试〔2024〕1号"
baseline_year = 2020
target_year = 2025

[[indicators]]
id = "facility_area_per_100_households"
name = { zh = "每百户居民拥有社区综合服务设施面积", en = "Area per 100 households" }
unit = "meter ** 2 / hundred_households"
kind = "ratio"
measure = "facility_area_per_household"
baseline = { year = 2020, value = 29.8 }
citation = { section = "一、", column = "专栏1", item = 4 }

[[indicators.targets]]
comparator = ">="
value = 30
scope = "all"
levels = ["community", "region"]
strength = "quantified"
"""

GROUP: Final = """
[[programme_groups]]
column = "专栏9"
kind = "{kind}"
title = {{ zh = "测试", en = "Test" }}
citation = {{ section = "九、", column = "专栏9" }}

[[programme_groups.programmes]]
id = "p"
item = 1
title = {{ zh = "甲", en = "A" }}
summary = {{ zh = "甲", en = "A" }}
targets = ["{target}"]
"""


def test_parse_plan_reads_a_valid_file() -> None:
    plan = parse_plan(
        TOY + GROUP.format(kind="action_plan", target="facility_area_per_100_households")
    )
    assert plan.id == "toy"
    target = plan.targets["facility_area_per_100_households"]
    assert target.citation.document == "测试〔2024〕1号"
    assert target.year == 2025
    assert plan.programmes[0].targets == ("facility_area_per_100_households",)
    assert plan.programmes[0].citation.text("zh") == "测试〔2024〕1号九、专栏9第1项"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(TOY + "\n[[indicators]\n", r"toy\.toml: not valid TOML", id="malformed"),
        pytest.param(
            TOY.replace("[[indicators]]", "colour = 'red'\n[[indicators]]"),
            "colour",
            id="unknown-key",
        ),
        pytest.param(
            TOY.replace('strength = "quantified"', 'strength = "quantified"\ncolour = 1'),
            r"indicators\[0\]\.targets\[0\].*colour",
            id="unknown-key-in-target",
        ),
        pytest.param(
            TOY.replace('unit = "meter ** 2 / hundred_households"', 'unit = "furlongs_x"'),
            r"facility_area_per_100_households.*unknown unit 'furlongs_x'",
            id="unknown-unit",
        ),
        pytest.param(
            TOY + TOY[TOY.index("[[indicators]]") :],
            "'facility_area_per_100_households' is defined twice",
            id="duplicate-indicator",
        ),
        pytest.param(
            TOY + GROUP.format(kind="action_plan", target="no_such_target"),
            "programme 'p' refers to unknown target 'no_such_target'",
            id="dangling-programme-target",
        ),
        pytest.param(
            TOY + GROUP.format(kind="wish", target="facility_area_per_100_households"),
            "unknown kind 'wish'",
            id="unknown-group-kind",
        ),
        pytest.param(
            TOY.replace('comparator = ">="', 'comparator = "~"'),
            r"indicators\[0\]\.targets\[0\]\.comparator",
            id="unknown-comparator",
        ),
        pytest.param(TOY.replace('issuer = "测试"\n', ""), "issuer", id="missing-field"),
        pytest.param(TOY.replace("schema = 1", "schema = 2"), "schema 2", id="schema"),
        pytest.param(
            TOY.replace('levels = ["community", "region"]', "levels = []"),
            "no level",
            id="no-level",
        ),
    ],
)
def test_parse_plan_errors_name_the_problem(text: str, expected: str) -> None:
    with pytest.raises(cssp.CatalogueError, match=expected) as info:
        parse_plan(text, "toy.toml")
    assert str(info.value).startswith("toy.toml: ")
    assert isinstance(info.value, cssp.CsspError)


def test_duplicate_target_id_across_indicators() -> None:
    second = TOY[TOY.index("[[indicators]]") :].replace(
        'id = "facility_area_per_100_households"', 'id = "other"'
    )
    second = second.replace('strength = "quantified"', 'strength = "quantified"\nid = "shared"')
    first = TOY.replace('strength = "quantified"', 'strength = "quantified"\nid = "shared"')
    with pytest.raises(cssp.CatalogueError, match="'shared' is used twice"):
        parse_plan(first + second, "toy.toml")


def test_unknown_measure_is_a_catalogue_error() -> None:
    text = TOY.replace('measure = "facility_area_per_household"', 'measure = "no_such_measure"')
    with pytest.raises(cssp.CatalogueError, match="no_such_measure"):
        parse_plan(text, "toy.toml")


def test_unknown_measure_fails_at_evaluation_with_a_catalogue_error() -> None:
    text = TOY.replace('measure = "facility_area_per_household"', 'measure = "no_such_measure"')
    try:
        plan = parse_plan(text, "toy.toml")
    except cssp.CatalogueError:
        return  # caught early, as it should be
    with pytest.raises(cssp.CatalogueError, match="no_such_measure"):
        cssp.evaluate(cssp.Community(code="440106001001"), plan=plan)
