"""Tests of the cssp-jiangsu data plugin.

They read the profile from this checkout's files, so they pass whether or not
the package is installed: ``pytest plugins/cssp-jiangsu``. The checks every
plugin package needs (its cases, its packaging, its loading as an installed
entry point, strict mode) come from :mod:`cssp.testing.plugin`; the tests
below are Jiangsu's own.
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
    cssp.Text("《南京日报》", "Nanjing Daily"), datetime.date(2022, 8, 11)
)
TITLE = cssp.Text(
    "江苏省“十四五”城乡社区服务体系建设规划",
    "Jiangsu Province 14th Five-Year Plan for the Urban and Rural Community Service System",
)
CITATION = cssp.Citation(document="苏政办发〔2022〕60号", title=TITLE, reported_by=REPORTED_BY)
#: A residents' committee in 梅园新村街道, 玄武区, 南京市.
CODE = "320102002001"

GE = cssp.Comparator.GE
GT = cssp.Comparator.GT


class TestPackage(DataPluginTests):
    """The checks every data plugin package shares."""

    package = PACKAGE


@pytest.fixture(scope="module")
def profiles() -> cssp.ProfileSet:
    return PACKAGE.profile_set(strict=True)


@pytest.mark.parametrize(
    ("target_id", "comparator", "value", "change"),
    [
        ("facility_area_per_100_households", GE, 30.0, cssp.Change.SAME),
        # The same number with a strict comparator is stricter.
        ("workers_per_10k_urban_residents", GT, 18.0, cssp.Change.STRICTER),
    ],
)
def test_provenance_national_then_jiangsu(
    profiles: cssp.ProfileSet,
    target_id: str,
    comparator: cssp.Comparator,
    value: float,
    change: cssp.Change,
) -> None:
    effective = cssp.effective_targets("fyp14", CODE, profiles=profiles)
    assert [p.id for p in effective.chain] == ["jiangsu"]
    target = next(t for t in effective.targets if t.id == target_id)
    first, second = target.provenance
    assert (first.profile, first.scope, first.change) == ("fyp14", "", cssp.Change.SET)
    assert (first.comparator, first.value) == (GE, value)
    assert first.citation.document == "国办发〔2021〕56号"
    assert second == cssp.Provenance(
        SOURCE, "jiangsu", "32", comparator, value, 2025, CITATION, change
    )
    assert (target.comparator, target.value, target.citation) == (comparator, value, CITATION)


def test_national_note_on_workers_stays(profiles: cssp.ProfileSet) -> None:
    effective = cssp.effective_targets("fyp14", CODE, profiles=profiles)
    target = next(t for t in effective.targets if t.id == "workers_per_10k_urban_residents")
    national = cssp.load_plan("fyp14").indicators["workers_per_10k_urban_residents"].target
    assert target.note == national.note


def test_only_the_reported_overrides() -> None:
    profile = cssp.load_profile(PACKAGE.profile_file)
    assert [o.target for o in profile.overrides] == [
        "facility_area_per_100_households",
        "workers_per_10k_urban_residents",
    ]


@pytest.mark.parametrize(
    ("target_id", "value", "levels"),
    [
        # an 80% coverage rate: judged for regions only
        ("js_all_round_service_model_coverage", 80.0, frozenset({cssp.Level.REGION})),
        ("js_home_service_elderly_share", 18.0, frozenset({cssp.Level.REGION})),
    ],
)
def test_new_indicators(
    profiles: cssp.ProfileSet, target_id: str, value: float, levels: frozenset[cssp.Level]
) -> None:
    effective = cssp.effective_targets("fyp14", CODE, profiles=profiles)
    target = next(t for t in effective.targets if t.id == target_id)
    assert (target.comparator, target.value, target.unit, target.year) == (
        GE,
        value,
        "percent",
        2025,
    )
    assert target.levels == levels
    assert target.attribute is cssp.Attribute.UNSPECIFIED  # not reported
    (step,) = target.provenance
    assert step == cssp.Provenance(
        SOURCE, "jiangsu", "32", GE, value, 2025, CITATION, cssp.Change.NEW
    )


def test_locality_and_county_indicators_are_not_shipped() -> None:
    profile = cssp.load_profile(PACKAGE.profile_file)
    names = [i.name.zh for i in profile.indicators]
    assert names == ["全科社工服务模式社区覆盖率", "接受上门服务的居家老年人占比"]
    assert all(i.baseline is None for i in profile.indicators)


def test_outside_jiangsu_is_unaffected(profiles: cssp.ProfileSet) -> None:
    effective = cssp.effective_targets("fyp14", "440106001001", profiles=profiles)
    assert effective.chain == ()
    assert all(len(t.provenance) == 1 for t in effective.targets)
    assert not any(t.id.startswith("js_") for t in effective.targets)


def test_profile_identity() -> None:
    profile = cssp.load_profile(PACKAGE.profile_file)
    assert (profile.id, profile.plan, profile.scope) == ("jiangsu", "fyp14", "32")
    assert profile.issuer == "江苏省人民政府办公厅"
    assert profile.document == "苏政办发〔2022〕60号"
    assert profile.issued == datetime.date(2022, 7, 23)
    assert profile.reported_by == REPORTED_BY
    assert profile.staffing is None
