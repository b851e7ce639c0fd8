"""Tests of the cssp-hubei data plugin.

They read the profile from this checkout's files, so they pass whether or not
the package is installed: ``pytest plugins/cssp-hubei``. The checks every
plugin package needs (its cases, its packaging, its loading as an installed
entry point, strict mode) come from :mod:`cssp.testing.plugin`; the tests
below are Hubei's own.
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
    cssp.Text("湖北省民政厅", "the Hubei Provincial Department of Civil Affairs (news release)"),
    datetime.date(2022, 3, 23),
)
TITLE = cssp.Text(
    "湖北省城乡社区服务体系建设“十四五”规划",
    "Hubei Province 14th Five-Year Plan for the Urban and Rural Community Service System",
)
CITATION = cssp.Citation(document=TITLE.zh, title=TITLE, reported_by=REPORTED_BY)
#: A residents' committee in 武昌区, 武汉市.
CODE = "420106001001"

GE = cssp.Comparator.GE
GT = cssp.Comparator.GT


class TestPackage(DataPluginTests):
    """The checks every data plugin package shares."""

    package = PACKAGE


@pytest.fixture(scope="module")
def profiles() -> cssp.ProfileSet:
    return PACKAGE.profile_set(strict=True)


@pytest.mark.parametrize(
    ("target_id", "national", "comparator", "provincial", "change"),
    [
        ("rural_facility_coverage", 80.0, GE, 90.0, cssp.Change.STRICTER),
        ("urban_facility_coverage", 100.0, GE, 100.0, cssp.Change.SAME),
        # The same number with a strict comparator is stricter.
        ("facility_area_per_100_households", 30.0, GT, 30.0, cssp.Change.STRICTER),
        ("workers_per_10k_urban_residents", 18.0, GE, 18.0, cssp.Change.SAME),
    ],
)
def test_provenance_national_then_hubei(
    profiles: cssp.ProfileSet,
    target_id: str,
    national: float,
    comparator: cssp.Comparator,
    provincial: float,
    change: cssp.Change,
) -> None:
    effective = cssp.effective_targets("fyp14", CODE, profiles=profiles)
    assert [p.id for p in effective.chain] == ["hubei"]
    target = next(t for t in effective.targets if t.id == target_id)
    first, second = target.provenance
    assert (first.profile, first.scope, first.change) == ("fyp14", "", cssp.Change.SET)
    assert (first.comparator, first.value) == (GE, national)
    assert first.citation.document == "国办发〔2021〕56号"
    assert second == cssp.Provenance(
        SOURCE, "hubei", "42", comparator, provincial, 2025, CITATION, change
    )
    assert (target.comparator, target.value, target.citation) == (
        comparator,
        provincial,
        CITATION,
    )


def test_strict_facility_area_is_the_fourth_target(profiles: cssp.ProfileSet) -> None:
    target = cssp.effective_targets("fyp14", CODE, profiles=profiles).targets[3]
    assert target.id == "facility_area_per_100_households"
    assert target.comparator is GT
    assert target.note is not None
    assert "exactly 30 does not meet it" in target.note.en


def test_new_indicator(profiles: cssp.ProfileSet) -> None:
    effective = cssp.effective_targets("fyp14", CODE, profiles=profiles)
    target = next(t for t in effective.targets if t.id == "hb_qualified_worker_share")
    assert (target.comparator, target.value, target.unit, target.year) == (
        GE,
        50.0,
        "percent",
        2025,
    )
    assert target.scope is cssp.Scope.URBAN
    assert target.levels == frozenset({cssp.Level.REGION})
    assert target.attribute is cssp.Attribute.UNSPECIFIED  # not reported
    (step,) = target.provenance
    assert step == cssp.Provenance(SOURCE, "hubei", "42", GE, 50.0, 2025, CITATION, cssp.Change.NEW)


def test_guangdong_code_is_unaffected(profiles: cssp.ProfileSet) -> None:
    effective = cssp.effective_targets("fyp14", "440106001001", profiles=profiles)
    assert effective.chain == ()
    assert all(len(t.provenance) == 1 for t in effective.targets)
    assert not any(t.id.startswith("hb_") for t in effective.targets)


def test_profile_identity() -> None:
    profile = cssp.load_profile(PACKAGE.profile_file)
    assert (profile.id, profile.plan, profile.scope) == ("hubei", "fyp14", "42")
    assert profile.issuer == "湖北省民政厅 (publisher of the report)"
    assert profile.reported_by == REPORTED_BY
    assert profile.issued is None  # not reported
    assert profile.staffing is None
