"""Tests of the cssp-guangdong data plugin.

They read the profile from this checkout's files, so they pass whether or not
the package is installed: ``pytest plugins/cssp-guangdong``. The checks every
plugin package needs (its cases, its packaging, its loading as an installed
entry point, strict mode) come from :mod:`cssp.testing.plugin`; the tests
below are Guangdong's own.
"""

from __future__ import annotations

import datetime

import pytest

import cssp
from cssp.testing.plugin import DataPluginTests, PluginPackage

PACKAGE = PluginPackage.of_test(__file__)
#: What cssp's plugin host records as the source of the installed plugin.
SOURCE = PACKAGE.source
REPORTED_BY = cssp.ReportedBy(
    cssp.Text("《羊城晚报》", "Yangcheng Evening News"), datetime.date(2022, 6, 16)
)
TITLE = cssp.Text(
    "广东省城乡社区服务体系建设“十四五”规划",
    "Guangdong Province 14th Five-Year Plan for the Urban and Rural Community Service System",
)
CITATION = cssp.Citation(document=TITLE.zh, title=TITLE, reported_by=REPORTED_BY)
#: A residents' committee in 天河区, 广州市.
CODE = "440106001001"

GE = cssp.Comparator.GE


class TestPackage(DataPluginTests):
    """The checks every data plugin package shares."""

    package = PACKAGE


@pytest.fixture(scope="module")
def profiles() -> cssp.ProfileSet:
    return PACKAGE.profile_set(strict=True)


@pytest.mark.parametrize(
    ("target_id", "national", "provincial", "change"),
    [
        ("rural_facility_coverage", 80.0, 100.0, cssp.Change.STRICTER),
        ("urban_facility_coverage", 100.0, 100.0, cssp.Change.SAME),
        ("facility_area_per_100_households", 30.0, 32.0, cssp.Change.STRICTER),
        ("urban_self_service_coverage", 100.0, 100.0, cssp.Change.SAME),
        ("workers_per_10k_urban_residents", 18.0, 18.0, cssp.Change.SAME),
    ],
)
def test_provenance_national_then_guangdong(
    profiles: cssp.ProfileSet,
    target_id: str,
    national: float,
    provincial: float,
    change: cssp.Change,
) -> None:
    effective = cssp.effective_targets("fyp14", CODE, profiles=profiles)
    assert [p.id for p in effective.chain] == ["guangdong"]
    target = next(t for t in effective.targets if t.id == target_id)
    first, second = target.provenance
    assert (first.profile, first.scope, first.change) == ("fyp14", "", cssp.Change.SET)
    assert (first.comparator, first.value) == (GE, national)
    assert first.citation.document == "国办发〔2021〕56号"
    # At 100%, rural coverage is judged on each village too (the levels follow the rule).
    assert (second.levels is None) is (target_id != "rural_facility_coverage")
    assert second == cssp.Provenance(
        SOURCE, "guangdong", "44", GE, provincial, 2025, CITATION, change, levels=second.levels
    )
    assert (target.comparator, target.value, target.citation) == (GE, provincial, CITATION)


def test_facility_area_is_the_fourth_target(profiles: cssp.ProfileSet) -> None:
    steps = cssp.effective_targets("fyp14", CODE, profiles=profiles).targets[3].provenance
    assert [(s.profile, s.value, s.change) for s in steps] == [
        ("fyp14", 30.0, cssp.Change.SET),
        ("guangdong", 32.0, cssp.Change.STRICTER),
    ]
    assert steps[1].source == SOURCE
    assert steps[1].citation.reported_by == REPORTED_BY
    assert steps[1].citation.text("zh").endswith("（据《羊城晚报》2022年6月16日报道）")
    assert (
        steps[1]
        .citation.text("en")
        .endswith("(as reported by Yangcheng Evening News, 16 June 2022)")
    )


@pytest.mark.parametrize(
    ("target_id", "value", "unit"),
    [
        ("gd_childcare_places_per_1000_population", 5.5, "place / thousand_persons"),
        ("gd_sports_ground_area_per_person", 2.6, "meter ** 2 / person"),
    ],
)
def test_new_indicators(profiles: cssp.ProfileSet, target_id: str, value: float, unit: str) -> None:
    effective = cssp.effective_targets("fyp14", CODE, profiles=profiles)
    target = next(t for t in effective.targets if t.id == target_id)
    assert (target.comparator, target.value, target.unit, target.year) == (GE, value, unit, 2025)
    assert target.levels == frozenset({cssp.Level.REGION})
    assert target.scope is cssp.Scope.ALL
    assert target.attribute is cssp.Attribute.UNSPECIFIED  # not reported
    (step,) = target.provenance
    assert step == cssp.Provenance(
        SOURCE, "guangdong", "44", GE, value, 2025, CITATION, cssp.Change.NEW
    )


def test_township_elderly_care_coverage_is_measured_on_township_records() -> None:
    profile = cssp.load_profile(PACKAGE.profile_file)
    assert [i.id for i in profile.indicators] == [
        "gd_childcare_places_per_1000_population",
        "gd_sports_ground_area_per_person",
        "gd_township_elderly_care_coverage",
    ]
    (target,) = profile.indicators[2].targets
    assert target.levels == frozenset({cssp.Level.REGION})  # 60%: a region's rate
    assert profile.staffing is None


def test_outside_guangdong_is_unaffected(profiles: cssp.ProfileSet) -> None:
    effective = cssp.effective_targets("fyp14", "330106001001", profiles=profiles)
    assert effective.chain == ()
    assert all(len(t.provenance) == 1 for t in effective.targets)
    assert not any(t.id.startswith("gd_") for t in effective.targets)


def test_profile_identity() -> None:
    profile = cssp.load_profile(PACKAGE.profile_file)
    assert (profile.id, profile.plan, profile.scope) == ("guangdong", "fyp14", "44")
    assert profile.issuer == "广东省民政厅、广东省发展和改革委员会"
    assert profile.reported_by == REPORTED_BY
    assert profile.issued is None  # not reported
