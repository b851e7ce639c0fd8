"""Tests for the scalar engine: cssp.evaluate and cssp.evaluate_figures."""

from __future__ import annotations

from typing import Any, Final

import attrs
import pytest
from hypothesis import given, reject
from hypothesis import strategies as st

import cssp
from cssp import Community, Facility, FacilityKind, Finding, Service, Staff, Status
from cssp import testing as cst
from cssp.engine import REGION_LEVELS

URBAN: Final = "440106001001"  # a residents' committee of 五山街道, 天河区, 广州市
RURAL: Final = "330106109201"  # a villagers' committee of 三墩镇, 西湖区, 杭州市
STATUSES: Final = frozenset(Status)


example_community = cst.example_community


def finding(community: Community, target: str, **kwargs: Any) -> Finding:
    return cssp.evaluate(community, **kwargs).finding(target)


# --- the example community --------------------------------------------------------


def test_example_facility_area() -> None:
    f = finding(example_community(), "facility_area_per_100_households")
    assert f.status is Status.MET
    assert f.observed == 35
    assert f.required == 30
    assert f.gap == 0
    assert (f.numerator, f.denominator) == (420, 1200)
    assert f.subject == URBAN
    assert f.level is cssp.Level.COMMUNITY
    assert f.year == 2025
    assert f.unit_label.zh == "平方米/百户"
    assert f.reason is None
    quantity = f.quantity()
    assert quantity is not None
    assert quantity.to("m**2 / household").magnitude == pytest.approx(0.35)


EXAMPLE_STATUSES: Final = {
    "rural_facility_coverage": (Status.NOT_APPLICABLE, None),
    "urban_facility_coverage": (Status.MET, 100),
    # （十一）"确保新建社区商业和综合服务设施面积达标": judged for newly built communities
    "commercial_service_area_share": (Status.NOT_APPLICABLE, None),
    "facility_area_per_100_households": (Status.MET, 35),
    "activity_area_share": (Status.MET, 260 / 420 * 100),
    "urban_self_service_coverage": (Status.MET, 100),
    "workers_per_10k_urban_residents": (Status.MET, 8 / 3600 * 10_000),
    "facility_opening_hours": (Status.MET, 9),
    "online_service_24h": (Status.MET, 100),
    "agency_service_coverage": (Status.MET, 100),
    "satisfaction_survey_coverage": (Status.NOT_MET, 0),
    "resettlement_facility_coverage": (Status.NOT_APPLICABLE, None),
    "special_needs_elderly_monthly_visit_rate": (Status.NO_DATA, None),
    "disabled_persons_association_coverage": (Status.NOT_MET, 0),
    "disaster_information_officer": (Status.MET, 1),
    "broadband_village_coverage": (Status.NOT_APPLICABLE, None),
    "village_5g_coverage": (Status.NOT_APPLICABLE, None),
    "worker_training_coverage": (Status.NO_DATA, None),
    # 专栏3第11项 "推进警务室与村（社区）“两委”同址办公": a direction, no level
    "police_office_colocated": (Status.NO_VERDICT, 0),
}


@pytest.mark.parametrize("target_id", sorted(EXAMPLE_STATUSES))
def test_example_findings(target_id: str) -> None:
    status, observed = EXAMPLE_STATUSES[target_id]
    f = finding(example_community(), target_id)
    assert f.status is status
    if observed is None:
        assert f.observed is None
        assert f.gap is None
        assert f.reason is not None
    elif status is Status.NO_VERDICT:
        assert f.observed == observed
        assert f.required is None
        assert f.gap is None
    else:
        assert f.observed == pytest.approx(observed, rel=1e-12)
        assert f.required is not None
        assert f.gap == (0 if status is Status.MET else pytest.approx(f.required - observed))


def test_example_assessment() -> None:
    a = cssp.evaluate(example_community())
    plan = cssp.load_plan("fyp14")
    # Every evaluated target gives the community a finding: a verdict where it
    # is judged per community, its contribution where judged for regions only.
    evaluated = [
        t.id
        for t in plan.targets.values()
        if plan.indicators[t.indicator].measure is not None
        and (cssp.Level.COMMUNITY in t.levels or cssp.Level.REGION in t.levels)
        and cssp.Level.TOWNSHIP not in t.levels
    ]
    assert [f.target.id for f in a] == evaluated
    assert a.statuses == {f.target.id: f.status for f in a.findings}
    assert {f.target.id for f in a.failing} == {
        t for t, (s, _) in EXAMPLE_STATUSES.items() if s is Status.NOT_MET
    } | {
        "cultural_service_centre",
        "fitness_circle_15min_coverage",
        # the requirements of the text the example's services do not include
        "convenience_living_circle",
        "legal_services_coverage",
        "one_window_service",
        "needs_matched_evaluation",
        "committee_joint_review",
        "youth_home",
        "out_of_school_practice_site",
        "consultation_system",
    }
    assert a.community == example_community()
    assert a.plan is plan
    with pytest.raises(KeyError):
        a.finding("no_such_target")


# --- explanations ---------------------------------------------------------------------


def test_explanations_give_numbers_and_citation() -> None:
    f = finding(example_community(), "facility_area_per_100_households")
    zh, en = f.explain("zh"), f.explain("en")
    assert f.target.citation.text("zh") in zh
    assert f.target.citation.text("en") in en
    assert "国办发〔2021〕56号" in zh
    assert "专栏1" in zh
    assert "column 1, item 4" in en
    for text in (zh, en):
        assert "35" in text
        assert "30" in text
    assert "每百户居民拥有社区综合服务设施面积" in zh
    assert "达到" in zh
    assert "未达到" not in zh
    assert "meets" in en
    assert f.explain() == zh


def test_explanation_of_a_failure_gives_the_gap() -> None:
    c = attrs.evolve(example_community(), households=2000)  # 420 m² for 2,000 households
    f = finding(c, "facility_area_per_100_households")
    assert f.status is Status.NOT_MET
    assert f.observed == pytest.approx(21)
    assert f.gap == pytest.approx(9)
    assert "未达到" in f.explain("zh")
    assert "差9平方米/百户" in f.explain("zh")  # the gap has its unit
    assert "falls 9 m² per 100 households short of" in f.explain("en")


def test_a_gap_between_percentages_is_in_percentage_points() -> None:
    # 5,420 of 84,000 m²; the share is judged for newly built communities ((十一))
    newly_built = attrs.evolve(example_community(), newly_built=True)
    f = finding(newly_built, "commercial_service_area_share")
    assert f.status is Status.NOT_MET
    assert f.gap == pytest.approx(10 - 100 * 5420 / 84_000)
    assert "差3.55个百分点" in f.explain("zh")
    assert "falls 3.55 percentage points short of" in f.explain("en")


def test_explanation_of_no_data_gives_the_reason() -> None:
    f = finding(Community(code=URBAN), "facility_area_per_100_households")
    assert f.status is Status.NO_DATA
    assert f.reason is not None
    assert f.reason.en in f.explain("en")
    assert f.reason.zh in f.explain("zh")
    assert "cannot be evaluated" in f.explain("en")
    assert "无法评估" in f.explain("zh")


def test_explanation_of_weak_wording_says_so() -> None:
    c = attrs.evolve(example_community(), services=[])
    f = finding(c, "cultural_service_centre")
    assert "普遍" in f.explain("zh")
    assert "generally" in f.explain("en")


def test_explain_unknown_language() -> None:
    f = finding(example_community(), "facility_area_per_100_households")
    with pytest.raises(ValueError, match="fr"):
        f.explain("fr")


# --- boundaries: exactly at the threshold is met ----------------------------------------


def _area_finding(area: float, households: int) -> Finding:
    c = Community(
        code=URBAN, households=households, facilities=[Facility("comprehensive", floor_area=area)]
    )
    return finding(c, "facility_area_per_100_households")


@pytest.mark.parametrize(
    ("area", "households", "status"),
    [
        (360, 1200, Status.MET),  # exactly 30
        (359.99, 1200, Status.NOT_MET),
        (360.01, 1200, Status.MET),
        (30, 100, Status.MET),
        (0.3, 1, Status.MET),
        (0, 1200, Status.NOT_MET),
    ],
)
def test_facility_area_boundary(area: float, households: int, status: Status) -> None:
    assert _area_finding(area, households).status is status


def test_decimal_figures_exactly_at_the_threshold_are_met() -> None:
    # 36.3 m² for 121 households is exactly 30 in decimal, 29.999999999999996 in binary
    assert _area_finding(36.3, 121).status is Status.MET
    assert _area_finding(36.2999, 121).status is Status.NOT_MET


def test_explanation_of_a_failure_never_says_zero_short() -> None:
    f = _area_finding(36.2999, 121)  # 29.99992 m² per 100 households: a real shortfall
    assert f.status is Status.NOT_MET
    assert f.gap is not None
    assert f.gap > 0
    assert "falls 0 short" not in f.explain("en")
    assert "差0）" not in f.explain("zh")


@pytest.mark.parametrize(
    ("workers", "population", "status"),
    [
        (18, 10_000, Status.MET),  # exactly 18 per 10,000
        (17, 10_000, Status.NOT_MET),
        (18, 10_001, Status.NOT_MET),
        (9, 5_000, Status.MET),
        (0, 100, Status.NOT_MET),
    ],
)
def test_workers_boundary(workers: int, population: int, status: Status) -> None:
    c = Community(code=URBAN, population=population, staff=Staff(community_workers=workers))
    assert finding(c, "workers_per_10k_urban_residents").status is status


@pytest.mark.parametrize(
    ("activity", "floor", "status"),
    [
        (60, 100, Status.MET),
        (59.99, 100, Status.NOT_MET),
        (0.6, 1, Status.MET),
        (300, 500, Status.MET),
    ],
)
def test_activity_share_boundary(activity: float, floor: float, status: Status) -> None:
    c = Community(
        code=URBAN, facilities=[Facility("comprehensive", floor_area=floor, activity_area=activity)]
    )
    assert finding(c, "activity_area_share").status is status


@pytest.mark.parametrize(
    ("area", "building", "status"),
    [(100, 1000, Status.MET), (99.99, 1000, Status.NOT_MET), (1000, 10_000, Status.MET)],
)
def test_commercial_share_boundary(area: float, building: float, status: Status) -> None:
    # commercial and comprehensive floor area both count; other facilities do not
    c = Community(
        code=URBAN,
        building_area=building,
        newly_built=True,
        facilities=[
            Facility("comprehensive", floor_area=area / 2),
            Facility("commercial", floor_area=area / 2),
            Facility("other", floor_area=building),
        ],
    )
    assert finding(c, "commercial_service_area_share").status is status


@pytest.mark.parametrize(
    ("hours", "status"), [(8, Status.MET), ("8小时/天", Status.MET), (7.99, Status.NOT_MET)]
)
def test_opening_hours_boundary(hours: float | str, status: Status) -> None:
    c = Community(
        code=URBAN,
        facilities=[
            Facility("comprehensive", floor_area=100, opening_hours=24),
            Facility("other", floor_area=10, opening_hours=hours),
        ],
    )
    f = finding(c, "facility_opening_hours")
    assert f.status is status
    assert f.target.strength is cssp.Strength.AS_A_RULE


@pytest.mark.parametrize(
    ("officers", "status"), [(0, Status.NOT_MET), (1, Status.MET), (3, Status.MET)]
)
def test_disaster_information_officer(officers: int, status: Status) -> None:
    c = Community(code=RURAL, staff=Staff(disaster_information_officers=officers))
    assert finding(c, "disaster_information_officer").status is status


def test_a_lone_village_is_not_judged_against_a_rate() -> None:
    # 专栏1: 农村社区综合服务设施覆盖率 80%; 专栏5第1项 "实现全国80%行政村通5G网络".
    # A rate below 100 % describes a region: a village contributes, no verdict.
    with_centre = Community(
        code=RURAL, facilities=[Facility("comprehensive", floor_area=0)], services=["5g"]
    )
    without = Community(code=RURAL, facilities=[Facility("other", floor_area=100)], services=[])
    for target in ("rural_facility_coverage", "village_5g_coverage"):
        has, lacks = finding(with_centre, target), finding(without, target)
        assert has.status is lacks.status is Status.NO_VERDICT
        assert (has.observed, lacks.observed) == (100, 0)
        assert has.required == lacks.required == 80
        assert has.gap is None
    has = finding(with_centre, "rural_facility_coverage")
    assert has.explain("zh") == (
        "农村社区综合服务设施覆盖率：本村已建有综合服务设施，计入所在区域的覆盖率"
        "（2025年目标为≥80%，按区域评估；国办发〔2021〕56号一、专栏1第1项）。"
    )
    assert finding(without, "rural_facility_coverage").explain("en") == (
        "Rural community comprehensive service facility coverage: this village has no "
        "comprehensive service facility; it counts towards its region's coverage (the 2025 "
        "target is ≥80%, judged for regions; 国办发〔2021〕56号, chapter I, column 1, item 1)."
    )
    assert finding(with_centre, "urban_facility_coverage").status is Status.NOT_APPLICABLE


def test_full_coverage_is_judged_on_each_community() -> None:
    # 专栏5第1项 "全国未通宽带行政村动态清零": every village, so each village is judged.
    assert (
        finding(Community(code=RURAL, services=["broadband"]), "broadband_village_coverage").status
        is Status.MET
    )
    assert (
        finding(Community(code=RURAL, services=[]), "broadband_village_coverage").status
        is Status.NOT_MET
    )


def test_a_region_of_ten_villages_with_nine_facilities_meets_80_percent() -> None:
    villages = [
        Community(
            code=f"330106109{201 + i}",
            facilities=[Facility("comprehensive", floor_area=100)] if i < 9 else [],
        )
        for i in range(10)
    ]
    region = cssp.evaluate_region(villages, by="county", profiles=()).region("330106")
    f = region.finding("rural_facility_coverage")
    assert (f.status, f.observed, f.required) == (Status.MET, 90, 80)
    assert f.counts is not None
    assert f.counts.no_verdict == 10
    # the region lists the village without a facility, as lacking one, not as failing
    assert f.failing == ("330106109210",)
    assert f.lacking


def test_a_direction_gives_no_verdict_anywhere() -> None:
    # 专栏3第11项 "推进警务室与村（社区）“两委”同址办公": no level is stated.
    target = cssp.load_plan("fyp14").targets["police_office_colocated"]
    assert target.value is None
    assert target.direction
    communities = [
        Community(code=RURAL, services=["police_office_colocated"]),
        Community(code="330106109202", services=[]),
    ]
    for c in communities:
        f = finding(c, "police_office_colocated")
        assert (f.status, f.required, f.gap) == (Status.NO_VERDICT, None, None)
        assert "不作评价" in f.explain("zh")
        assert "no verdict" in f.explain("en")
    region = cssp.evaluate_region(communities, by="county", profiles=()).region("330106")
    f = region.finding("police_office_colocated")
    assert (f.status, f.observed, f.required) == (Status.NO_VERDICT, 50, None)
    assert "2025" not in f.explain("zh")
    assert "≥100" not in f.explain("zh")


# --- milestones ---------------------------------------------------------------------------


def test_milestone_2023() -> None:
    f = finding(example_community(), "facility_area_per_100_households", year=2023)
    assert f.required == pytest.approx(29.8 + 0.2 * 3 / 5, rel=1e-12)
    assert f.is_milestone
    assert f.on_track is True
    assert f.year == 2023
    assert "2023" in f.explain("en")
    assert "2023年阶段目标" in f.explain("zh")


def test_milestone_not_on_track() -> None:
    c = Community(
        code=URBAN, households=1000, facilities=[Facility("comprehensive", floor_area=299)]
    )
    f = finding(c, "facility_area_per_100_households", year=2023)  # 29.9 < 29.92
    assert f.status is Status.NOT_MET
    assert f.on_track is False
    assert finding(c, "facility_area_per_100_households", year=2021).on_track is True  # 29.84


@pytest.mark.parametrize(
    ("year", "required"),
    [(2021, 29.84), (2022, 29.88), (2024, 29.96), (2025, 30)],
)
def test_milestones_on_the_straight_line(year: int, required: float) -> None:
    f = finding(example_community(), "facility_area_per_100_households", year=year)
    assert f.required == pytest.approx(required, rel=1e-12)
    assert f.is_milestone is (year < 2025)


def test_milestones_of_other_indicators() -> None:
    a = cssp.evaluate(Community(code=RURAL), year=2023)
    assert a.finding("rural_facility_coverage").required == pytest.approx(65.7 + 14.3 * 3 / 5)
    # without a baseline there is no straight line: the target applies as it stands
    assert a.finding("commercial_service_area_share").required == 10
    assert not a.finding("commercial_service_area_share").is_milestone


def test_default_year_is_the_target_year() -> None:
    f = finding(example_community(), "facility_area_per_100_households")
    assert f.year == 2025
    assert not f.is_milestone
    assert f.on_track is None


@pytest.mark.parametrize("year", [2030, 2026, 2020, 2019, 2000, -1])
def test_a_year_outside_the_plan_period_is_an_error(year: int) -> None:
    with pytest.raises(cssp.InputError) as info:
        cssp.evaluate(example_community(), year=year)
    assert info.value.path == "year"
    assert "2021–2025" in str(info.value)
    with pytest.raises(cssp.InputError):
        cssp.evaluate_region([example_community()], year=year)
    with pytest.raises(cssp.InputError):
        cssp.evaluate_figures({"rural_facility_coverage": 80}, year=year)


@pytest.mark.parametrize("year", ["2023", True, 2023.5])
def test_year_must_be_an_integer(year: Any) -> None:
    with pytest.raises(cssp.InputError) as info:
        cssp.evaluate(example_community(), year=year)
    assert info.value.path == "year"


def test_float_year_is_rejected_whatever_was_evaluated_before() -> None:
    cssp.evaluate(example_community(), year=2023)
    with pytest.raises(cssp.InputError) as info:
        cssp.evaluate(example_community(), year=2023.0)  # type: ignore[arg-type]
    assert info.value.path == "year"


def test_fyp13_milestones() -> None:
    f = finding(example_community(), "facility_area_per_100_households", plan="fyp13", year=2017)
    assert f.required == pytest.approx(20 + 10 * 2 / 5)
    with pytest.raises(cssp.InputError) as info:
        cssp.evaluate(example_community(), plan="fyp13", year=2014)
    assert info.value.path == "year"


# --- missing data, zero denominators, scope ------------------------------------------------


def test_missing_data_is_no_data_never_an_exception() -> None:
    a = cssp.evaluate(Community(code=URBAN))
    for f in a:
        assert f.status in (Status.NO_DATA, Status.NOT_APPLICABLE), f.target.id
        assert f.reason is not None
        assert f.reason.zh
        assert f.reason.en
        assert f.observed is None
        assert f.gap is None
        assert f.on_track is None
    assert a.finding("facility_area_per_100_households").status is Status.NO_DATA
    assert a.finding("urban_self_service_coverage").status is Status.NO_DATA


def test_missing_households_only() -> None:
    c = attrs.evolve(example_community(), households=None)
    f = finding(c, "facility_area_per_100_households")
    assert f.status is Status.NO_DATA
    assert f.reason is not None
    assert "households" in f.reason.en


def test_missing_activity_area_is_no_data() -> None:
    c = Community(code=URBAN, facilities=[Facility("comprehensive", floor_area=100)])
    assert finding(c, "activity_area_share").status is Status.NO_DATA


def test_zero_households_is_not_applicable() -> None:
    c = attrs.evolve(example_community(), households=0)
    f = finding(c, "facility_area_per_100_households")
    assert f.status is Status.NOT_APPLICABLE
    assert f.reason is not None
    assert f.reason.en == "the community has no households"
    assert "does not apply" in f.explain("en")


def test_zero_population_and_zero_building_area_are_not_applicable() -> None:
    c = attrs.evolve(example_community(), population=0, building_area=0)
    assert finding(c, "workers_per_10k_urban_residents").status is Status.NOT_APPLICABLE
    assert finding(c, "commercial_service_area_share").status is Status.NOT_APPLICABLE


def test_targets_outside_their_scope_are_not_applicable() -> None:
    urban = cssp.evaluate(example_community())
    f = urban.finding("rural_facility_coverage")
    assert f.status is Status.NOT_APPLICABLE
    assert f.reason is not None
    assert "rural" in f.reason.en
    rural = cssp.evaluate(Community(code=RURAL, facilities=[]))
    assert rural.finding("urban_facility_coverage").status is Status.NOT_APPLICABLE
    assert rural.finding("workers_per_10k_urban_residents").status is Status.NOT_APPLICABLE
    assert rural.finding("rural_facility_coverage").status is Status.NO_VERDICT
    resettled = Community(code=RURAL, facilities=[], resettlement=True)
    assert finding(resettled, "resettlement_facility_coverage").status is Status.NOT_MET


def test_evaluate_rejects_what_is_not_a_community() -> None:
    with pytest.raises(cssp.InputError):
        cssp.evaluate({"code": URBAN})  # type: ignore[arg-type]


def test_evaluate_unknown_plan() -> None:
    with pytest.raises(cssp.UnknownPlanError):
        cssp.evaluate(example_community(), plan="fyp15")


def test_evaluate_against_fyp13() -> None:
    c = attrs.evolve(
        example_community(), services=["public_service_info_platform"], registered_volunteers=300
    )
    a = cssp.evaluate(c, plan="fyp13")
    assert a.year == 2020
    assert a.finding("facility_area_per_100_households").status is Status.MET
    # a 60 % coverage rate is judged for regions: the community contributes
    assert a.finding("urban_info_platform_coverage").status is Status.NO_VERDICT
    assert a.finding("social_workers_per_community").status is Status.MET  # 2 ≥ 1
    assert a.finding("rural_info_platform_coverage").status is Status.NOT_APPLICABLE
    # region-only targets: the community contributes its value without a verdict
    assert a.finding("registered_volunteer_share").status is Status.NO_VERDICT


# --- reported figures: the real, published comparison ----------------------------------


def test_fyp13_targets_against_the_2020_actuals() -> None:
    r = cssp.evaluate_figures(
        {"rural_facility_coverage": "65.7%", "facility_area_per_100_households": 29.8},
        plan="fyp13",
    )
    rural = r.finding("rural_facility_coverage")
    assert rural.status is Status.MET
    assert (rural.observed, rural.required) == (65.7, 50)
    area = r.finding("facility_area_per_100_households")
    assert area.status is Status.NOT_MET
    assert (area.observed, area.required) == (29.8, 30)
    assert area.gap == pytest.approx(0.2)
    assert r.code == ""
    assert r.name == "全国"
    assert r.level == "nation"
    assert area.level is cssp.Level.REGION


FYP14_BASELINES: Final = {
    "rural_facility_coverage": "65.7%",
    "urban_facility_coverage": "100%",
    "facility_area_per_100_households": 29.8,
    "workers_per_10k_urban_residents": 15,
}


def test_fyp14_baselines_against_the_first_year_milestones() -> None:
    # 2020 is the baseline year, outside the plan's period (2021–2025): the
    # first milestone is 2021's, one fifth of the way from the baseline.
    r = cssp.evaluate_figures(FYP14_BASELINES, plan="fyp14", year=2021)
    assert len(r.findings) == 4
    for f in r:
        base = f.target.baseline
        assert base is not None
        assert base.citation is not None
        assert base.citation.column == "专栏1"
        assert f.required is not None
        assert f.target.value is not None
        assert f.required == pytest.approx(base.value + (f.target.value - base.value) / 5)


def test_fyp14_baselines_fall_short_of_the_2025_targets() -> None:
    r = cssp.evaluate_figures(FYP14_BASELINES, plan="fyp14")
    assert r.statuses == {
        "rural_facility_coverage": Status.NOT_MET,
        "urban_facility_coverage": Status.MET,
        "facility_area_per_100_households": Status.NOT_MET,
        "workers_per_10k_urban_residents": Status.NOT_MET,
    }


def test_figures_in_units() -> None:
    r = cssp.evaluate_figures(
        {"facility_area_per_100_households": "30平方米/百户", "activity_area_share": 0.6},
        plan="fyp14",
    )
    assert r.finding("facility_area_per_100_households").status is Status.MET
    # a number is in the indicator's unit (percent): 0.6 %, not 60 %
    assert r.finding("activity_area_share").status is Status.NOT_MET
    # written as text, a share of 0 to 1 for a percent is ambiguous: refused
    with pytest.raises(cssp.UnitError, match="could be a share"):
        cssp.evaluate_figures({"activity_area_share": "0.6"}, plan="fyp14")
    for text in ("60%", "3/5"):
        r = cssp.evaluate_figures({"activity_area_share": text}, plan="fyp14")
        assert r.finding("activity_area_share").observed == pytest.approx(60.0)


def test_figures_for_a_per_community_target_are_shares() -> None:
    r = cssp.evaluate_figures({"disaster_information_officer": "100%"}, subject="44")
    f = r.finding("disaster_information_officer")
    assert f.status is Status.MET
    assert f.required == 100
    assert (r.code, r.name, r.level) == ("44", "广东省", "province")


def test_unknown_figures_are_an_error() -> None:
    with pytest.raises(cssp.InputError) as info:
        cssp.evaluate_figures({"happiness": 100})
    assert info.value.path == "figures"
    assert "happiness" in str(info.value)


def test_figures_of_the_wrong_unit_name_the_figure() -> None:
    with pytest.raises(cssp.UnitError) as info:
        cssp.evaluate_figures({"facility_area_per_100_households": "3 kg"})
    assert info.value.path == "facility_area_per_100_households"


# --- properties ----------------------------------------------------------------------------


@given(cst.communities(), st.sampled_from([None, 2021, 2022, 2025]))
def test_evaluate_never_raises_and_statuses_are_the_five(
    community: Community, year: int | None
) -> None:
    a = cssp.evaluate(community, year=year)
    plan = cssp.load_plan("fyp14")
    assert len(a.findings) == sum(
        plan.indicators[t.indicator].measure is not None and cssp.Level.TOWNSHIP not in t.levels
        for t in plan.targets.values()
    )
    for f in a:
        assert f.status in STATUSES
        measured = f.status in (Status.MET, Status.NOT_MET, Status.NO_VERDICT)
        verdict = f.status in (Status.MET, Status.NOT_MET)
        assert (f.observed is not None) is measured
        assert (f.reason is None) is measured
        # a finding without a verdict is a region-only target's or a direction's
        assert (f.status is Status.NO_VERDICT) is (
            measured and not f.target.judged_at(cssp.Level.COMMUNITY)
        )
        if verdict:
            assert f.gap is not None
            assert f.gap >= 0
            assert (f.gap == 0) is (f.status is Status.MET) or f.observed == f.required
        assert f.explain("zh")
        assert f.explain("en")


@given(cst.communities(complete=True))
def test_complete_communities_have_verdicts_where_denominators_are_positive(
    community: Community,
) -> None:
    a = cssp.evaluate(community)
    assert community.households is not None
    if community.households > 0:
        assert a.finding("facility_area_per_100_households").status in (
            Status.MET,
            Status.NOT_MET,
        )
    for f in a:
        assert f.status is not Status.NO_DATA or f.target.id in {
            "activity_area_share",  # a facility list may hold no comprehensive facility
            "facility_opening_hours",
        }


def _ge_met(community: Community, target: str) -> bool:
    f = finding(community, target)
    assert f.target.comparator.higher_is_better
    return f.status is Status.MET


def _with_more_floor_area(community: Community, extra: float) -> Community:
    facilities = list(community.facilities or ())
    for index, facility in enumerate(facilities):
        if facility.kind is FacilityKind.COMPREHENSIVE:
            floor = facility.floor_area  # an unknown floor area stays unknown
            more = None if floor is None else floor + extra
            facilities[index] = attrs.evolve(facility, floor_area=more)
            break
    else:
        facilities.append(Facility("comprehensive", floor_area=extra))
    return attrs.evolve(community, facilities=facilities)


FLOOR_AREA_TARGETS: Final = (
    "facility_area_per_100_households",
    "commercial_service_area_share",
    "urban_facility_coverage",
    "rural_facility_coverage",
    "resettlement_facility_coverage",
)


@given(cst.communities(), cst.areas(1e5))
def test_more_comprehensive_floor_area_never_turns_met_into_not_met(
    community: Community, extra: float
) -> None:
    raised = _with_more_floor_area(community, extra)
    for target in FLOOR_AREA_TARGETS:
        if _ge_met(community, target):
            assert _ge_met(raised, target), target


@given(cst.communities(kind="urban"), st.integers(min_value=0, max_value=1000))
def test_more_community_workers_never_turns_met_into_not_met(
    community: Community, extra: int
) -> None:
    before = community.staff.community_workers
    if before is None:
        reject()  # no data before, so nothing met to lose (reject: assume(False), typed)
    workers = before + extra
    raised = attrs.evolve(community, staff=attrs.evolve(community.staff, community_workers=workers))
    if _ge_met(community, "workers_per_10k_urban_residents"):
        assert _ge_met(raised, "workers_per_10k_urban_residents")


@given(cst.communities(), st.sampled_from(Service))
def test_adding_a_service_never_turns_met_into_not_met(
    community: Community, service: Service
) -> None:
    raised = attrs.evolve(community, services=(community.services or frozenset()) | {service})
    before = cssp.evaluate(community).statuses
    after = cssp.evaluate(raised).statuses
    for target, status in before.items():
        if status is Status.MET:
            assert after[target] is Status.MET, target


@given(cst.communities())
def test_evaluate_agrees_with_the_region_engine(community: Community) -> None:
    a = cssp.evaluate(community, year=2023)
    report = cssp.evaluate_region([community], year=2023, by="township")
    assert report.assessments == (a,)
    assert set(REGION_LEVELS) == {"nation", "province", "prefecture", "county", "township"}


def test_evaluate_region_pauses_the_garbage_collector_and_gives_it_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The findings of an evaluation are made with the collector paused; after it, judged
    or refused, the collector is as it was."""
    import gc

    from cssp.engine import scalar
    from helpers import collector_spy

    seen = collector_spy(monkeypatch, scalar, "_assessment")
    communities = cssp.load_sample()
    assert gc.isenabled()
    report = cssp.evaluate_region(communities, by="province", profiles=())
    assert len(report.assessments) == len(communities)
    assert seen == [False] * len(communities)
    assert gc.isenabled()
    with pytest.raises(cssp.InputError):
        cssp.evaluate_region([communities[0], communities[0]], profiles=())
    assert gc.isenabled()
