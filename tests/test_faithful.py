"""Faithful to the plan (issue 13): each target judged where the plan sets it, every
requirement it states, no figure it does not give, provincial facts from their sources.

Each test quotes the clause of 国办发〔2021〕56号 it checks.
"""

from __future__ import annotations

import datetime
import json
import pathlib
import re
import subprocess
import sys
from typing import Final

import pytest

import cssp
from cssp import Community, Facility, Level, Status, Strength
from cssp.catalogue import parse_plan
from cssp.rules.toml import parse_profile

PLAN: Final = cssp.load_plan("fyp14")
ROOT: Final = pathlib.Path(__file__).resolve().parents[1]
SEED: Final = ROOT.parent / "shared" / "seeds" / "001_18d60ce489e7bd4b.txt"
PLUGINS: Final = ROOT / "plugins"
VILLAGE: Final = "330106109201"  # a villagers' committee of 三墩镇, 西湖区, 杭州市

#: The twelve requirements the catalogue lacked, and where the plan states them.
NEW_REQUIREMENTS: Final = {
    # （九）"全面推进城市一刻钟便民生活圈建设"
    "convenience_living_circle": ("（九）", "", None, "evaluated"),
    # （十）"推动村（社区）普法宣传、人民调解、法律援助、公证等法律服务全覆盖"
    "legal_services_coverage": ("（十）", "", None, "evaluated"),
    # （十二）"全面推行“一窗”受理和“一站”办理"
    "one_window_service": ("（十二）", "", None, "evaluated"),
    # （十二）"普遍建立精准匹配村（社区）居民需求的评价机制"
    "needs_matched_evaluation": ("（十二）", "", None, "evaluated"),
    # （十五）"全面落实村（社区）“两委”班子成员资格联审机制"
    "committee_joint_review": ("（十五）", "", None, "evaluated"),
    # （十八）"社区服务网点的水、电、气、热执行居民生活类价格"
    "outlet_residential_utility_prices": ("（十八）", "", None, "recorded"),
    # 专栏2第2项 "依托社区综合服务设施建立志愿服务站点"
    "volunteer_service_point": ("二、", "专栏2", 2, "direction"),
    # 专栏2第3项 "依托社区综合服务设施建立社会工作室"
    "social_work_room": ("二、", "专栏2", 3, "direction"),
    # 专栏3第1项 "推动机关和企事业单位党组织、在职党员到社区报到全覆盖"
    "party_reporting_coverage": ("三、", "专栏3", 1, "recorded"),
    # 专栏3第3项 "推动在社区普遍建立青年之家和校外实践教育场所"
    "youth_home": ("三、", "专栏3", 3, "evaluated"),
    "out_of_school_practice_site": ("三、", "专栏3", 3, "evaluated"),
    # 专栏3第13项 "定期开展应急避险知识宣传和应急避难演练活动"
    "emergency_drills": ("三、", "专栏3", 13, "direction"),
    # 专栏3第14项 "全面落实村（社区）协商制度"
    "consultation_system": ("三、", "专栏3", 14, "evaluated"),
}


# --- every requirement, listed -----------------------------------------------------------


@pytest.mark.parametrize("target_id", sorted(NEW_REQUIREMENTS))
def test_each_requirement_is_catalogued_with_its_citation(target_id: str) -> None:
    section, column, item, evaluation = NEW_REQUIREMENTS[target_id]
    target = PLAN.targets[target_id]
    indicator = PLAN.indicators[target.indicator]
    assert (target.citation.section, target.citation.column, target.citation.item) == (
        section,
        column,
        item,
    )
    assert indicator.evaluation == evaluation
    assert (indicator.needs is not None) is (evaluation == "recorded")
    assert target.levels  # a level, and a scope, and a strength: always
    assert not target.year_stated  # no year of its own: the plan's horizon
    assert target.year == 2025


def test_cssp_targets_lists_every_requirement_none_with_a_figure_the_text_lacks() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cssp", "targets", "--plan", "fyp14", "--format", "json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 0, done.stderr
    targets = {t["id"]: t for t in json.loads(done.stdout)["targets"]}
    assert len(targets) == 36
    assert set(NEW_REQUIREMENTS) <= set(targets)
    assert {t["evaluation"] for t in targets.values()} == {"evaluated", "direction", "recorded"}
    # 推进 / 建立 / 定期 without a level: no figure.
    directions = {
        i for i, t in targets.items() if t["strength"] in ("promote", "establish", "regularly")
    }
    assert directions == {
        "police_office_colocated",  # 专栏3第11项 "推进警务室与村（社区）“两委”同址办公"
        "volunteer_service_point",
        "social_work_room",
        "township_minor_protection_station",  # 专栏3第3项 "推进乡镇（街道）未成年人保护工作站"
        "emergency_drills",
    }
    for target_id in directions:
        assert targets[target_id]["value"] is None, target_id


def test_every_programme_item_links_the_requirements_it_carries() -> None:
    links = {p.id: set(p.targets) for p in PLAN.programmes}
    assert links["volunteer_service"] == {"volunteer_service_point"}
    assert links["social_work_service"] == {"township_social_work_station", "social_work_room"}
    assert links["foundations"] == {"party_reporting_coverage"}
    assert links["minors_care"] == {
        "township_minor_protection_station",
        "youth_home",
        "out_of_school_practice_site",
    }
    assert links["legal_services"] == {"legal_services_coverage"}
    assert links["emergency"] == {"disaster_information_officer", "emergency_drills"}
    assert links["co_governance"] == {"consultation_system"}
    # every requirement a column states is linked from its item
    for target in PLAN.targets.values():
        if target.citation.column in ("专栏2", "专栏3", "专栏5", "专栏6"):
            assert any(target.id in p.targets for p in PLAN.programmes), target.id


def test_the_plan_states_the_years_it_states() -> None:
    # 专栏1 "2025年 目标值"; （十一）"确保2025年实现综合服务设施全覆盖".
    stated = {t.id for t in PLAN.targets.values() if t.year_stated}
    column_1 = {i.id for i in PLAN.indicators.values() if i.citation.column == "专栏1"}
    assert stated == column_1 | {"resettlement_facility_coverage"}


# --- no figure the text does not give ---------------------------------------------------


def test_workers_are_per_town_residents() -> None:
    # 专栏1第7项: 每万城镇常住人口拥有社区工作者
    description = PLAN.indicators["workers_per_10k_urban_residents"].description
    assert description is not None
    assert "城镇常住人口" in description.zh
    assert "城市常住人口" not in description.zh


@pytest.mark.skipif(not SEED.exists(), reason="the plan's text (../shared/seeds) is not here")
def test_names_marked_as_the_plans_words_are_the_plans_words() -> None:
    text = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    for indicator in PLAN.indicators.values():
        assert (indicator.name.zh in text) is indicator.plan_wording, indicator.id


def test_names_are_marked_either_way() -> None:
    ours = {i.id for i in PLAN.indicators.values() if not i.plan_wording}
    assert "agency_service_coverage" in ours  # the plan: 实现政务代办服务村（社区）全覆盖
    assert PLAN.indicators["consultation_system"].plan_wording


# --- where a target is judged --------------------------------------------------------


def test_the_rule_is_checked_when_a_catalogue_is_loaded() -> None:
    text = """
schema = 1
id = "toy"
title = { zh = "玩具", en = "Toy" }
issuer = "x"
document = "x"
baseline_year = 2020
target_year = 2025

[[indicators]]
id = "toy_coverage"
name = { zh = "覆盖率", en = "Coverage" }
unit = "percent"
kind = "coverage"
measure = "comprehensive_facility"
citation = { section = "一、" }
targets = [
  { comparator = ">=", value = 80, scope = "rural", levels = ["community", "region"], \
strength = "quantified" },
]
"""
    with pytest.raises(
        cssp.CatalogueError, match=r"'toy_coverage'.*≥80% is a property of a region"
    ):
        parse_plan(text, "toy.toml")
    parse_plan(text.replace('["community", "region"]', '["region"]'), "toy.toml")


def test_the_rule_is_checked_when_a_profile_is_loaded() -> None:
    text = (PLUGINS / "cssp-jiangsu/cssp_jiangsu/profile.toml").read_text(encoding="utf-8")
    wrong = text.replace(
        '{ threshold = "≥80 %", levels = ["region"] }',
        '{ threshold = "≥80 %", levels = ["community", "region"] }',
    )
    assert wrong != text
    with pytest.raises(cssp.ProfileError) as caught:
        parse_profile(wrong, "profile.toml")
    assert caught.value.entry == "indicators[0].targets[0].levels"
    assert "≥80% is a property of a region" in str(caught.value)


def test_a_provinces_threshold_moves_a_coverage_target_across_the_line() -> None:
    hubei = cssp.load_profile(PLUGINS / "cssp-hubei/cssp_hubei/profile.toml")
    guangdong = cssp.load_profile(PLUGINS / "cssp-guangdong/cssp_guangdong/profile.toml")
    profiles = cssp.ProfileSet([hubei, guangdong])
    ninety = cssp.effective_targets("fyp14", "42", profiles=profiles).targets[0]
    hundred = cssp.effective_targets("fyp14", "44", profiles=profiles).targets[0]
    assert ninety.id == hundred.id == "rural_facility_coverage"
    assert ninety.levels == frozenset({Level.REGION})  # 90 %: regions only
    assert ninety.provenance[-1].levels is None  # unchanged
    assert hundred.levels == frozenset({Level.COMMUNITY, Level.REGION})  # 100 %: every village
    assert hundred.provenance[-1].levels == hundred.levels
    village = Community(code="440106019201", facilities=[])
    finding = cssp.evaluate(village, profiles=profiles).finding("rural_facility_coverage")
    assert finding.status is Status.NOT_MET
    assert "全覆盖目标，逐个评估" in finding.explain("zh")
    assert "a full-coverage target judged for each unit" in finding.explain("en")


def test_a_region_only_target_in_the_batch_engine_lists_the_villages_without_it() -> None:
    engine = pytest.importorskip("cssp.batch")
    villages = [
        Community(
            code=f"330106109{201 + i}",
            facilities=[Facility("comprehensive", floor_area=100)] if i < 9 else [],
        )
        for i in range(10)
    ]
    result = engine.evaluate_communities(villages, profiles=())
    column = result.targets.index("rural_facility_coverage")
    assert set(result.status[:, column].tolist()) == {engine.NO_VERDICT}
    (county,) = result.region_assessments("county", members=True)
    finding = county.finding("rural_facility_coverage")
    assert (finding.status, finding.observed, finding.failing) == (
        Status.MET,
        90.0,
        ("330106109210",),
    )
    assert (county,) == cssp.evaluate_region(villages, profiles=()).regions


# --- provincial figures cite only what their sources say -----------------------------------


@pytest.fixture(scope="module")
def jiangsu() -> cssp.ProfileSet:
    return cssp.ProfileSet([cssp.load_profile(PLUGINS / "cssp-jiangsu/cssp_jiangsu/profile.toml")])


def test_a_provincial_target_has_its_sources_attribute_only(jiangsu: cssp.ProfileSet) -> None:
    area = next(
        t
        for t in cssp.effective_targets("fyp14", "32", profiles=jiangsu).targets
        if t.id == "facility_area_per_100_households"
    )
    assert PLAN.targets[area.id].attribute is cssp.Attribute.EXPECTED
    assert area.attribute is cssp.Attribute.UNSPECIFIED  # provinces.toml gives none


def test_each_part_is_cited_to_its_own_source(jiangsu: cssp.ProfileSet) -> None:
    # A Jiangsu community of 29.95 m² in 2023: the national 2020 baseline (29.8)
    # describes the nation; Jiangsu's ≥30 has no baseline of its own, so no milestone.
    community = Community(
        code="320102002001",
        households=1000,
        facilities=[Facility("comprehensive", floor_area=299.5)],
    )
    finding = cssp.evaluate(community, year=2023, profiles=jiangsu).finding(
        "facility_area_per_100_households"
    )
    assert not finding.is_milestone
    assert finding.required == 30
    zh = finding.explain("zh")
    assert "2023年阶段目标" not in zh
    assert "本地无基期值，不设阶段目标" in zh
    assert "苏政办发〔2022〕60号" in zh
    baseline = finding.target.baseline
    assert baseline is not None
    assert baseline.citation is not None
    assert baseline.citation.document == "国办发〔2021〕56号"
    assert (baseline.scope, finding.target.setting_scope) == ("", "32")


def test_an_override_that_changes_nothing_is_not_shown_as_a_change(
    jiangsu: cssp.ProfileSet,
) -> None:
    from cssp.report import render_targets

    effective = cssp.effective_targets("fyp14", "32", profiles=jiangsu)
    area = next(t for t in effective.targets if t.id == "facility_area_per_100_households")
    assert [s.change for s in area.provenance] == [cssp.Change.SET, cssp.Change.SAME]
    assert area.changes == ()  # kept in provenance, no change
    text = render_targets(effective, "text", lang="en", code="32")
    area_line = next(
        line for line in text.splitlines() if "facility_area_per_100_households" in line
    )
    assert "≥30*" not in area_line
    assert "≥30" in area_line


@pytest.mark.parametrize("province", ["guangdong", "hubei", "jiangsu"])
def test_chinese_citation_text_is_chinese_throughout(province: str) -> None:
    profile = cssp.load_profile(PLUGINS / f"cssp-{province}/cssp_{province}/profile.toml")
    for override in profile.overrides:
        zh = override.citation.text("zh")
        assert "as reported" not in zh
        assert not re.search(r"[A-Za-z]", zh), zh
        assert re.search(r"据.+\d{4}年\d{1,2}月\d{1,2}日报道", zh), zh
        en = override.citation.text("en")
        assert "as reported by" in en
        assert re.search(r", \d{1,2} [A-Z][a-z]+ \d{4}\)$", en), en


def test_reported_by_renders_each_language_whole() -> None:
    cited = cssp.Citation(
        "广东省城乡社区服务体系建设“十四五”规划",
        reported_by=cssp.ReportedBy(
            cssp.Text("《羊城晚报》", "Yangcheng Evening News"), datetime.date(2022, 6, 16)
        ),
    )
    assert cited.text("zh").endswith("（据《羊城晚报》2022年6月16日报道）")
    assert cited.text("en").endswith("(as reported by Yangcheng Evening News, 16 June 2022)")


# --- a TOML-only profile states a resident-based staffing rule -------------------------------


RESIDENT_STAFFING: Final = """
schema = 1
id = "example_resident"
plan = "fyp14"
scope = "44"
title = { zh = "示例", en = "Example" }
issuer = "示例"
document = "示例文件"

[staffing]
workers_per_10k_residents = 18
small_below = 3000
small_minimum = 5
applies_to = "urban"
description = { zh = "每万名居民不少于18名，不足3000人的社区不少于5名", \
en = "at least 18 per 10,000 residents; at least 5 below 3,000 residents" }
"""


@pytest.mark.parametrize(
    ("population", "workers", "needed", "status"),
    [
        (5000, 9, 9, Status.MET),  # ⌈5000 × 18 ÷ 10000⌉ = 9
        (5001, 9, 10, Status.NOT_MET),  # ⌈9.0018⌉ = 10
        (2000, 4, 5, Status.NOT_MET),  # ⌈3.6⌉ = 4, but a small community needs 5
        (2000, 5, 5, Status.MET),
        (3000, 6, 6, Status.MET),  # not small: ⌈5.4⌉ = 6
    ],
)
def test_a_toml_profile_states_a_resident_based_staffing_rule(
    population: int, workers: int, needed: int, status: Status
) -> None:
    profile = parse_profile(RESIDENT_STAFFING, "resident.toml")
    assert isinstance(profile.staffing, cssp.ResidentStaffingRule)
    community = Community(
        code="440106001001", population=population, staff=cssp.Staff(community_workers=workers)
    )
    finding = cssp.evaluate(community, profiles=[profile]).finding("community_staffing")
    assert (finding.required, finding.status) == (needed, status)
    numpy = pytest.importorskip("numpy")
    engine = pytest.importorskip("cssp.batch")
    batch = engine.evaluate_communities([community], profiles=[profile])
    assert batch.status_of(0)["community_staffing"] is status
    columns = {"population": numpy.array([float(population)])}
    assert profile.staffing.required_columns(columns).tolist() == [float(needed)]


@pytest.mark.parametrize(
    ("edit", "entry", "message"),
    [
        ("workers_per_10k_residents = 18", "staffing", "not neither"),
        ("small_below = 3000", "staffing.small_minimum", "needs small_below"),
        ("workers_per_10k_residents = 18\nhouseholds_per_worker = 300", "staffing", "not both"),
    ],
)
def test_a_staffing_table_gives_one_form(edit: str, entry: str, message: str) -> None:
    text = RESIDENT_STAFFING
    if edit == "workers_per_10k_residents = 18\nhouseholds_per_worker = 300":
        text = text.replace("workers_per_10k_residents = 18", edit)
    else:
        text = text.replace(edit, "")
    with pytest.raises(cssp.ProfileError) as caught:
        parse_profile(text, "resident.toml")
    assert caught.value.entry == entry
    assert message in str(caught.value)


# --- years ------------------------------------------------------------------------------------


def test_directions_are_never_a_failure() -> None:
    community = Community(code=VILLAGE, services=[])
    for f in cssp.evaluate(community, profiles=()).findings:
        if f.target.value is None:
            assert f.status is Status.NO_VERDICT
            assert f.target.strength.direction
            assert f not in cssp.evaluate(community, profiles=()).failing


def test_statuses_are_labelled_in_each_language() -> None:
    assert (Status.NO_VERDICT.value, Status.NO_VERDICT.zh) == ("no_verdict", "不作评价")
    assert Strength.COMPREHENSIVE.zh == "全面"
    assert Strength.ESTABLISH.direction
    assert not Strength.GENERALLY.direction


# --- profile test cases: absent targets, Python plugins; messages ----------------------------


def _cases(tmp_path: pathlib.Path, body: str) -> pathlib.Path:
    guangdong = PLUGINS / "cssp-guangdong/cssp_guangdong/profile.toml"
    beijing = PLUGINS / "cssp-beijing/cssp_beijing/__init__.py"
    path = tmp_path / "cases.toml"
    path.write_text(
        f'schema = 1\nplan = "fyp14"\nprofiles = ["{guangdong.as_posix()}"]\n'
        f'python = ["{beijing.as_posix()}"]\n' + body,
        encoding="utf-8",
    )
    return path


def test_a_case_can_expect_a_target_to_be_absent(tmp_path: pathlib.Path) -> None:
    from cssp.testing.cases import run_profile_tests

    path = _cases(
        tmp_path,
        """
[[cases]]
name = "Guangdong's indicator is not in force in Zhejiang"
community = { code = "330106001001" }
expect = { gd_childcare_places_per_1000_population = "absent", urban_facility_coverage = "no_data" }

[[cases]]
name = "it is in force in Guangdong: absent fails"
community = { code = "440106001001" }
expect = { gd_childcare_places_per_1000_population = "absent" }
""",
    )
    first, second = run_profile_tests(path)
    assert first.passed, first.mismatches
    assert not second.passed
    assert second.mismatches[0][:2] == ("gd_childcare_places_per_1000_population", "absent")


def test_a_case_runs_against_a_python_plugin(tmp_path: pathlib.Path) -> None:
    from cssp.testing.cases import run_profile_tests

    # Beijing: max(9, ceil(households / 150)) workers for an urban community.
    path = _cases(
        tmp_path,
        """
[[cases]]
name = "1,500 households need 10 workers: 9 is not enough"
community = { code = "110105001001", households = 1500, staff = { community_workers = 9 } }
expect = { community_staffing = "not_met" }
""",
    )
    (result,) = run_profile_tests(path, autoload=False)
    assert result.passed, result.mismatches


def test_an_unknown_expected_status_names_the_valid_ones(tmp_path: pathlib.Path) -> None:
    from cssp.testing.cases import run_profile_tests

    path = _cases(
        tmp_path,
        """
[[cases]]
name = "a typo"
community = { code = "330106001001" }
expect = { urban_facility_coverage = "passed" }
""",
    )
    with pytest.raises(cssp.InputError, match="'passed' is not one of 'absent', 'met'"):
        run_profile_tests(path)


def test_an_invalid_level_shows_the_value_and_the_valid_ones() -> None:
    text = (PLUGINS / "cssp-jiangsu/cssp_jiangsu/profile.toml").read_text(encoding="utf-8")
    wrong = text.replace('levels = ["region"] }', 'levels = ["regoin"] }', 1)
    with pytest.raises(cssp.ProfileError) as caught:
        parse_profile(wrong, "profile.toml")
    assert caught.value.entry == "indicators[0].targets[0].levels[0]"
    assert "'regoin' is not one of 'community', 'region', 'township'" in str(caught.value)


def test_an_unknown_target_id_suggests_the_nearest() -> None:
    profile = cssp.Profile(
        id="typo",
        plan="fyp14",
        scope="44",
        title=cssp.Text("示例", "Example"),
        issuer="",
        document="示例",
        overrides=(cssp.Override("rural_facility_coverge", "≥90%", cssp.Citation("示例")),),
    )
    with pytest.raises(cssp.ProfileError, match="did you mean 'rural_facility_coverage'"):
        cssp.ProfileSet([profile])


def test_strict_mode_names_the_national_value_and_unit() -> None:
    profile = cssp.Profile(
        id="lower",
        plan="fyp14",
        scope="44",
        title=cssp.Text("示例", "Example"),
        issuer="",
        document="示例",
        overrides=(cssp.Override("rural_facility_coverage", "≥70%", cssp.Citation("示例")),),
    )
    with pytest.raises(cssp.ProfileError, match="below the national plan's ≥80% \\(fyp14\\)"):
        cssp.ProfileSet([profile], strict=True)


# --- township records: 专栏6第3项 "全面推动乡镇（街道）社会工作站建设" ---------------------


TOWNSHIPS: Final = (
    cssp.Township(code="330106109", name="三墩镇", services=["social_work_station"]),
    cssp.Township(code="330106110", name="双浦镇", services=[]),
    cssp.Township(code="440106001", name="五山街道"),  # services unknown
)


def test_a_township_record_is_judged_on_the_township_targets() -> None:
    met = cssp.evaluate_township(TOWNSHIPS[0], profiles=())
    station = met.finding("township_social_work_station")
    assert (station.status, station.level, station.observed) == (Status.MET, Level.TOWNSHIP, 100)
    assert "本乡镇（街道）已建有社会工作站" in station.explain("zh")
    # 专栏3第3项 "推进乡镇（街道）未成年人保护工作站": a direction, no verdict
    assert met.finding("township_minor_protection_station").status is Status.NO_VERDICT
    unknown = cssp.evaluate_township(TOWNSHIPS[2], profiles=()).finding(
        "township_social_work_station"
    )
    assert unknown.status is Status.NO_DATA


@pytest.mark.parametrize("by", ["township", "county", "province", "nation"])
def test_township_targets_roll_up_as_shares_of_townships_in_both_engines(by: str) -> None:
    engine = pytest.importorskip("cssp.batch")
    communities = cssp.load_sample()
    report = cssp.evaluate_region(communities, by=by, profiles=(), townships=TOWNSHIPS)
    batch = engine.evaluate_communities(communities, profiles=(), townships=TOWNSHIPS)
    assert batch.region_assessments(by, members=True) == report.regions
    if by == "county":
        xihu = report.region("330106")
        assert xihu.townships == ("330106109", "330106110")
        station = xihu.finding("township_social_work_station")
        assert (station.status, station.observed, station.failing) == (
            Status.NOT_MET,
            50.0,
            ("330106110",),
        )
        assert station.counts == cssp.Counts(met=1, not_met=1)
        assert "1 of 2" not in station.explain("en")  # a ratio, not a count of communities
        # a region with no township record: no data, not "not applicable"
        songyang = report.region("331124").finding("township_social_work_station")
        assert songyang.status is Status.NO_DATA
        assert songyang.reason is not None
        assert "no township record" in songyang.reason.en


def test_without_township_records_the_township_targets_are_left_out() -> None:
    report = cssp.evaluate_region(cssp.load_sample(), profiles=())
    ids = {f.target.id for r in report.regions for f in r.findings}
    assert "township_social_work_station" not in ids
    assert report.townships == ()


@pytest.mark.parametrize("suffix", [".csv", ".json", ".jsonl", ".toml", ".xlsx", ".parquet"])
def test_township_records_are_read_in_every_format(tmp_path: pathlib.Path, suffix: str) -> None:
    path = tmp_path / f"townships{suffix}"
    records = [
        {"code": "330106109", "name": "三墩镇", "services": ["social_work_station"]},
        {"code": "330106110", "name": "双浦镇", "services": []},
    ]
    header = ["代码", "名称", "社会工作站"]
    rows = [["330106109", "三墩镇", "是"], ["330106110", "双浦镇", "否"]]
    if suffix == ".csv":
        path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    elif suffix == ".json":
        path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    elif suffix == ".jsonl":
        path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    elif suffix == ".toml":
        path.write_text(
            '[[townships]]\ncode = "330106109"\nservices = ["social_work_station"]\n'
            '[[townships]]\ncode = "330106110"\nservices = []\n',
            encoding="utf-8",
        )
    elif suffix == ".xlsx":
        openpyxl = pytest.importorskip("openpyxl")
        book = openpyxl.Workbook()
        for row in [header, *rows]:
            book.active.append(row)
        book.save(path)
    else:
        pq = pytest.importorskip("pyarrow.parquet")
        import pyarrow as pa

        pq.write_table(
            pa.table({"code": ["330106109", "330106110"], "social_work_station": [True, False]}),
            path,
        )
    from cssp.io import read_townships

    found = read_townships(path)
    assert [t.code for t in found] == ["330106109", "330106110"]
    assert [sorted(s.value for s in t.services or ()) for t in found] == [
        ["social_work_station"],
        [],
    ]


def test_a_bad_township_record_is_named(tmp_path: pathlib.Path) -> None:
    from cssp.io import read_townships

    path = tmp_path / "townships.csv"
    path.write_text("代码,社会工作站\n330106109,是\n33010611,也许\n", encoding="utf-8")
    with pytest.raises(cssp.InputError) as caught:
        read_townships(path)
    assert "row 3, column 社会工作站" in str(caught.value)
    assert "'也许' is not yes or no" in str(caught.value)
    path.write_text("代码,社会工作站\n330106109,是\n330106110,否\n330106109,否\n", encoding="utf-8")
    with pytest.raises(cssp.InputError, match=r"row 4: township 330106109 appears twice") as caught:
        read_townships(path)
    assert "(also at row 2)" in str(caught.value)


def test_cssp_evaluate_reads_township_records(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "townships.csv"
    path.write_text("代码,社会工作站\n330106109,是\n330106110,否\n", encoding="utf-8")
    sample = ROOT / "src/cssp/data/sample_communities.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cssp",
            "evaluate",
            str(sample),
            "--townships",
            str(path),
            "--no-plugins",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    xihu = next(r for r in document["regions"] if r["code"] == "330106")
    station = next(f for f in xihu["findings"] if f["target"] == "township_social_work_station")
    assert (station["status"], station["counted"], station["failing"]) == (
        "not_met",
        "townships",
        ["330106110"],
    )
    assert [t["township"]["code"] for t in document["townships"]] == ["330106109", "330106110"]
    bad = tmp_path / "bad.csv"
    bad.write_text("代码,社会工作站\n3301061,是\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "cssp", "evaluate", str(sample), "--townships", str(bad)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 2
    assert "is not a 9-digit township code" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_case_can_test_township_targets(tmp_path: pathlib.Path) -> None:
    from cssp.testing.cases import run_profile_tests

    path = tmp_path / "cases.toml"
    path.write_text(
        """
schema = 1
plan = "fyp14"

[[cases]]
name = "a township with a social work station"
township = { code = "440106001", services = ["social_work_station"] }
expect = { township_social_work_station = "met" }

[[cases]]
name = "天河区: one of two townships without one"
by = "county"
region = "440106"
townships = [ { code = "440106001", services = ["social_work_station"] },
              { code = "440106002", services = [] } ]
expect = { township_social_work_station = "not_met" }
""",
        encoding="utf-8",
    )
    results = run_profile_tests(path, autoload=False)
    assert [r.passed for r in results] == [True, True], [r.mismatches for r in results]
