"""Tests for region aggregation: cssp.evaluate_region."""

from __future__ import annotations

import statistics
from typing import Final

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cssp
from cssp import Community, Facility, IndicatorKind, Level, Staff, Status
from cssp import testing as cst
from cssp.model.divisions import NATION_NAME, division_name

FYP14: Final = cssp.load_plan("fyp14")

#: Targets evaluated both on a community and on a region.
BOTH_LEVELS: Final = tuple(
    t.id
    for t in FYP14.targets.values()
    if {Level.COMMUNITY, Level.REGION} <= t.levels
    and FYP14.indicators[t.indicator].measure is not None
)


def three_communities() -> list[Community]:
    """Two urban communities of 五山街道 and one of 员村街道 (天河区, 广州市)."""
    return [
        Community(
            code="440106001001",
            households=1200,
            population=3600,
            facilities=[Facility("comprehensive", floor_area=300)],
            staff=Staff(community_workers=6, disaster_information_officers=1),
        ),
        Community(
            code="440106001002",
            households=800,
            population=2400,
            facilities=[
                Facility("comprehensive", floor_area=250),
                Facility("comprehensive", floor_area=80),
            ],
            staff=Staff(community_workers=4, disaster_information_officers=0),
        ),
        Community(
            code="440106002003",
            households=500,
            population=1500,
            facilities=[],
            staff=Staff(community_workers=1, disaster_information_officers=2),
        ),
    ]


# --- ratios of sums ---------------------------------------------------------------------


def test_region_values_are_ratios_of_sums() -> None:
    communities = three_communities()
    report = cssp.evaluate_region(communities, by="county")
    assert [r.code for r in report] == ["440106"]
    county = report.region("440106")
    area = county.finding("facility_area_per_100_households")
    assert (area.numerator, area.denominator) == (300 + 250 + 80, 1200 + 800 + 500)
    assert area.observed == pytest.approx((300 + 250 + 80) / (1200 + 800 + 500) * 100)
    assert area.observed == pytest.approx(25.2)
    # not the mean of the community rates (25, 41.25 and 0)
    rates = [
        cssp.evaluate(c).finding("facility_area_per_100_households").observed or 0.0
        for c in communities
    ]
    assert statistics.mean(rates) != pytest.approx(area.observed)
    assert area.status is Status.NOT_MET
    assert area.level is Level.REGION
    assert area.subject == "440106"
    assert area.counts == cssp.Counts(met=1, not_met=2)
    assert set(area.failing) == {"440106001001", "440106002003"}

    workers = county.finding("workers_per_10k_urban_residents")
    assert workers.observed == pytest.approx((6 + 4 + 1) / (3600 + 2400 + 1500) * 10_000)
    assert workers.status is Status.NOT_MET  # 14.67 < 18

    coverage = county.finding("urban_facility_coverage")
    assert coverage.observed == pytest.approx(200 / 3)
    assert coverage.status is Status.NOT_MET
    assert coverage.failing == ("440106002003",)


def test_communities_out_of_scope_are_left_out_of_the_sums() -> None:
    village = Community(
        code="330106109201",
        households=100,
        population=10_000,
        facilities=[Facility("comprehensive", floor_area=1000)],
        staff=Staff(community_workers=0),
    )
    report = cssp.evaluate_region([*three_communities(), village], by="nation")
    nation = report.regions[0]
    workers = nation.finding("workers_per_10k_urban_residents")  # urban scope only
    assert workers.denominator == 3600 + 2400 + 1500
    assert workers.counts is not None
    assert workers.counts.not_applicable == 1
    area = nation.finding("facility_area_per_100_households")  # every community
    assert (area.numerator, area.denominator) == (1630, 2600)
    rural = nation.finding("rural_facility_coverage")
    assert rural.status is Status.MET
    assert rural.observed == 100


def test_no_data_communities_are_counted_not_summed() -> None:
    unknown = Community(code="440106001003")
    report = cssp.evaluate_region([*three_communities(), unknown], by="township")
    f = report.region("440106001").finding("facility_area_per_100_households")
    assert f.counts == cssp.Counts(met=1, not_met=1, no_data=1)
    assert f.denominator == 2000
    empty = cssp.evaluate_region([unknown], by="township").regions[0]
    f = empty.finding("facility_area_per_100_households")
    assert f.status is Status.NO_DATA
    assert f.reason is not None
    assert f.observed is None


def test_a_region_without_applicable_communities_is_not_applicable() -> None:
    report = cssp.evaluate_region(three_communities(), by="county")
    f = report.region("440106").finding("rural_facility_coverage")
    assert f.status is Status.NOT_APPLICABLE
    assert f.counts == cssp.Counts(not_applicable=3)
    assert f.reason is not None


# --- per-community targets ------------------------------------------------------------


def test_per_community_targets_aggregate_as_the_share_meeting_them() -> None:
    report = cssp.evaluate_region(three_communities(), by="county")
    f = report.region("440106").finding("disaster_information_officer")
    assert f.kind is IndicatorKind.PER_COMMUNITY
    assert f.counts == cssp.Counts(met=2, not_met=1)
    assert f.observed == pytest.approx(200 / 3)
    assert f.required == 100
    assert f.status is Status.NOT_MET
    assert f.failing == ("440106001002",)
    assert f.unit_label.en == "%"
    assert "2 of 3 communities" in f.explain("en")
    assert "3个社区中2个" in f.explain("zh")
    assert f.target.citation.text("zh") in f.explain("zh")


def test_per_community_target_met_by_every_community() -> None:
    communities = [
        Community(code=f"440106001{n:03d}", staff=Staff(disaster_information_officers=1))
        for n in range(1, 6)
    ]
    f = (
        cssp.evaluate_region(communities, by="township")
        .regions[0]
        .finding("disaster_information_officer")
    )
    assert f.status is Status.MET
    assert f.observed == 100
    assert f.failing == ()


# --- region levels, codes and names ---------------------------------------------------

SPREAD: Final = (
    "440106001001",  # 广东省 广州市 天河区 五山街道
    "440106002201",  # 广东省 广州市 天河区 员村街道 (rural digits)
    "440104001001",  # 广东省 广州市 越秀区
    "440303001001",  # 广东省 深圳市 罗湖区
    "330106109201",  # 浙江省 杭州市 西湖区 三墩镇
)


@pytest.mark.parametrize(
    ("by", "codes"),
    [
        ("nation", [""]),
        ("province", ["33", "44"]),
        ("prefecture", ["3301", "4401", "4403"]),
        ("county", ["330106", "440104", "440106", "440303"]),
        ("township", ["330106109", "440104001", "440106001", "440106002", "440303001"]),
    ],
)
def test_regions_by_level(by: str, codes: list[str]) -> None:
    communities = [Community(code=code) for code in SPREAD]
    report = cssp.evaluate_region(communities, by=by)
    assert report.by == by
    assert [r.code for r in report] == codes
    for region in report:
        assert region.level == by
        assert region.name == division_name(region.code)
        assert region.name
        assert set(region.communities) == {c for c in SPREAD if c.startswith(region.code)}
        assert {f.target.id for f in region} == {
            t.id
            for t in FYP14.targets.values()
            if Level.REGION in t.levels
            and FYP14.indicators[t.indicator].measure is not None
            and Level.TOWNSHIP not in t.levels
        }
    assert [a.community.code for a in report.assessments] == list(SPREAD)


def test_region_names() -> None:
    communities = [Community(code=code) for code in SPREAD]
    assert cssp.evaluate_region(communities, by="nation").regions[0].name == NATION_NAME == "全国"
    names = {r.code: r.name for r in cssp.evaluate_region(communities, by="province")}
    assert names == {"33": "浙江省", "44": "广东省"}
    names = {r.code: r.name for r in cssp.evaluate_region(communities, by="county")}
    assert names["440106"] == "天河区"
    assert names["330106"] == "西湖区"
    names = {r.code: r.name for r in cssp.evaluate_region(communities, by="township")}
    assert names["440106001"] == "五山街道"
    assert names["330106109"] == "三墩镇"


def test_default_level_is_county() -> None:
    assert cssp.evaluate_region(three_communities()).by == "county"


def test_no_communities_no_regions() -> None:
    report = cssp.evaluate_region([])
    assert report.regions == ()
    assert report.assessments == ()


def test_region_lookup() -> None:
    report = cssp.evaluate_region(three_communities(), by="township")
    with pytest.raises(KeyError):
        report.region("440106003")
    region = report.region("440106001")
    with pytest.raises(KeyError):
        region.finding("no_such_target")
    assert region.statuses["facility_area_per_100_households"] is Status.MET  # 630/2000


# --- input errors ---------------------------------------------------------------------


def test_duplicate_community_codes() -> None:
    communities = [*three_communities(), Community(code="440106001002")]
    with pytest.raises(cssp.InputError) as info:
        cssp.evaluate_region(communities)
    assert info.value.path == "communities[3].code"
    assert "440106001002" in str(info.value)


@pytest.mark.parametrize("by", ["city", "village", "", "County"])
def test_unknown_level(by: str) -> None:
    with pytest.raises(cssp.InputError) as info:
        cssp.evaluate_region(three_communities(), by=by)
    assert info.value.path == "by"
    assert "township" in str(info.value)


def test_only_communities() -> None:
    with pytest.raises(cssp.InputError) as info:
        cssp.evaluate_region([*three_communities(), "440106001009"])  # type: ignore[list-item]
    assert info.value.path == "communities[3]"


def test_year_is_checked() -> None:
    with pytest.raises(cssp.InputError) as info:
        cssp.evaluate_region(three_communities(), year=2019)
    assert info.value.path == "year"


def test_milestone_year_in_a_region() -> None:
    report = cssp.evaluate_region(three_communities(), by="county", year=2021)
    f = report.region("440106").finding("facility_area_per_100_households")
    assert f.required == pytest.approx(29.84)
    assert f.on_track is False


# --- properties ------------------------------------------------------------------------


@given(
    cst.communities(), st.sampled_from(["nation", "province", "prefecture", "county", "township"])
)
def test_a_region_of_one_community_has_its_verdict(community: Community, by: str) -> None:
    report = cssp.evaluate_region([community], by=by)
    (region,) = report.regions
    assert region.communities == (community.code,)
    assessment = cssp.evaluate(community)
    for target_id in BOTH_LEVELS:
        alone = assessment.finding(target_id)
        pooled = region.finding(target_id)
        assert pooled.status is alone.status, target_id
        if alone.kind is not IndicatorKind.PER_COMMUNITY:
            assert pooled.observed == alone.observed, target_id
        assert pooled.counts is not None
        assert pooled.counts.total == 1
        lacking = pooled.lacking and alone.status is Status.NO_VERDICT and alone.observed == 0
        failing = alone.status is Status.NOT_MET or lacking
        assert pooled.failing == ((community.code,) if failing else ())


@given(cst.community_lists(min_size=1, max_size=8, township="440106001"), st.data())
def test_the_verdict_does_not_depend_on_the_order_of_communities(
    communities: list[Community], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(communities))
    first = cssp.evaluate_region(communities, by="township").regions
    second = cssp.evaluate_region(shuffled, by="township").regions
    assert [r.code for r in first] == [r.code for r in second]
    for a, b in zip(first, second, strict=True):
        assert set(a.communities) == set(b.communities)
        for fa, fb in zip(a.findings, b.findings, strict=True):
            assert fa.target.id == fb.target.id
            assert fa.status is fb.status
            assert fa.observed == fb.observed  # bit for bit: sums are exactly rounded
            assert (fa.numerator, fa.denominator) == (fb.numerator, fb.denominator)
            assert fa.counts == fb.counts
            assert sorted(fa.failing) == sorted(fb.failing)


def test_region_results_are_equal_whatever_the_order() -> None:
    communities = three_communities()
    first = cssp.evaluate_region(communities, by="county").regions
    second = cssp.evaluate_region(communities[::-1], by="county").regions
    assert first == second


@given(cst.community_lists(max_size=10))
def test_counts_add_up(communities: list[Community]) -> None:
    report = cssp.evaluate_region(communities, by="province")
    assert sum(len(r.communities) for r in report) == len(communities)
    for region in report:
        for f in region:
            assert f.counts is not None
            assert f.counts.total == len(region.communities)
            assert f.status in frozenset(Status)
            if f.lacking:  # communities without the thing, not judged on it
                assert len(f.failing) <= f.counts.no_verdict
            else:
                assert len(f.failing) == f.counts.not_met
            if f.target.id in BOTH_LEVELS:
                statuses = [
                    a.finding(f.target.id).status
                    for a in report.assessments
                    if a.community.code in region.communities
                ]
                assert f.counts.met == statuses.count(Status.MET)
                assert f.counts.no_data == statuses.count(Status.NO_DATA)


@given(cst.community_lists(min_size=2, max_size=8, kind="urban", complete=True), st.data())
def test_splitting_a_region_merges_back(communities: list[Community], data: st.DataObject) -> None:
    """Ratio-of-sums aggregates merge: the sums of two halves add up to the whole's."""
    cut = data.draw(st.integers(min_value=1, max_value=len(communities) - 1))
    whole = cssp.evaluate_region(communities, by="nation").regions[0]
    left = cssp.evaluate_region(communities[:cut], by="nation").regions[0]
    right = cssp.evaluate_region(communities[cut:], by="nation").regions[0]
    for target_id in ("facility_area_per_100_households", "workers_per_10k_urban_residents"):
        w, a, b = (r.finding(target_id) for r in (whole, left, right))
        assert w.counts is not None
        assert a.counts is not None
        assert b.counts is not None
        assert w.counts.total == a.counts.total + b.counts.total
        assert w.denominator == pytest.approx((a.denominator or 0) + (b.denominator or 0))
        assert w.numerator == pytest.approx((a.numerator or 0) + (b.numerator or 0))
