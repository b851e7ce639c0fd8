"""Tests of the cssp-beijing plugin.

They load the plugin module from this checkout's files, so they pass whether
or not the package is installed: ``pytest plugins/cssp-beijing``. The checks
every plugin package needs (its cases, its packaging, its loading as an
installed entry point, strict mode) come from :mod:`cssp.testing.plugin`; the
tests below are Beijing's own.
"""

from __future__ import annotations

import datetime

import attrs
import pytest

import cssp
from cssp.testing.plugin import PluginPackage, PythonPluginTests

PACKAGE = PluginPackage.of_test(__file__)
#: The plugin's module, imported from this checkout under a private name.
PLUGIN = PACKAGE.module()
#: What cssp's plugin host records as the source of the installed plugin.
SOURCE = PACKAGE.source
REPORTED_BY = cssp.ReportedBy(
    cssp.Text("中国标准化", "China Standardization (news)"), datetime.date(2021, 1, 21)
)
TITLE = cssp.Text(
    "北京市社区居民委员会设立标准",
    "Beijing standard for setting up community residents' committees",
)
CITATION = cssp.Citation(document=TITLE.zh, title=TITLE, reported_by=REPORTED_BY)
#: A residents' committee in 建外街道, 朝阳区.
CODE = "110105001001"


class TestPackage(PythonPluginTests):
    """The checks every Python plugin package shares."""

    package = PACKAGE


@pytest.fixture(scope="module")
def profiles() -> cssp.ProfileSet:
    return PACKAGE.profile_set(strict=True)


def _community(households: int | None, workers: int = 0) -> cssp.Community:
    return cssp.Community(
        code=CODE, households=households, staff=cssp.Staff(community_workers=workers)
    )


def test_hook_returns_one_profile_without_overrides() -> None:
    (profile,) = PLUGIN.cssp_profiles()
    assert isinstance(profile, cssp.Profile)
    assert (profile.id, profile.plan, profile.scope) == ("beijing", "fyp14", "11")
    assert profile.overrides == ()
    assert profile.indicators == ()
    assert profile.document == "北京市社区居民委员会设立标准"
    assert profile.reported_by == REPORTED_BY
    assert profile.source == ""  # the plugin host fills it in


def test_provenance_national_then_beijing(profiles: cssp.ProfileSet) -> None:
    effective = cssp.effective_targets("fyp14", CODE, profiles=profiles)
    assert [p.id for p in effective.chain] == ["beijing"]
    assert effective.staffing is not None
    # The national targets are untouched: one national step each.
    for target in effective.targets:
        if target.id != "community_staffing":
            (step,) = target.provenance
            assert (step.profile, step.scope, step.change) == ("fyp14", "", cssp.Change.SET)
    # Beijing's step adds the staffing standard.
    staffing = effective.targets[-1]
    assert staffing.id == "community_staffing"
    assert staffing.scope is cssp.Scope.URBAN
    assert staffing.citation == CITATION
    (step,) = staffing.provenance
    # A staffing rule sets no single threshold: its step has no value.
    assert step == cssp.Provenance(
        SOURCE, "beijing", "11", cssp.Comparator.GE, None, 2025, CITATION, cssp.Change.NEW
    )


def test_outside_beijing_is_unaffected(profiles: cssp.ProfileSet) -> None:
    effective = cssp.effective_targets("fyp14", "440106001001", profiles=profiles)
    assert effective.chain == ()
    assert effective.staffing is None
    assert all(len(t.provenance) == 1 for t in effective.targets)
    assert "community_staffing" not in {t.id for t in effective.targets}
    hebei = cssp.Community(code="130102001001", households=1500)
    assessment = cssp.evaluate(hebei, profiles=profiles)
    assert "community_staffing" not in {f.target.id for f in assessment.findings}


@pytest.mark.parametrize(
    ("households", "required"),
    [
        (None, None),
        (0, 9.0),
        (600, 9.0),
        (1350, 9.0),
        (1351, 10.0),
        (1500, 10.0),
        (1501, 11.0),
        (3000, 20.0),
    ],
)
def test_required_is_max_9_and_one_per_150_households(
    households: int | None, required: float | None
) -> None:
    rule: cssp.StaffingRule = PLUGIN.RULE
    assert rule.required(_community(households)) == required


@pytest.mark.parametrize(
    ("households", "expected"),
    [(None, None), (600, (9, 9)), (1500, (10, 14)), (3000, (20, 28))],
)
def test_standard_range(households: int | None, expected: tuple[int, int] | None) -> None:
    assert PLUGIN.RULE.standard_range(_community(households)) == expected


def test_rule_is_a_frozen_staffing_rule_with_the_published_range() -> None:
    rule = PLUGIN.RULE
    assert isinstance(rule, cssp.StaffingRule)
    assert isinstance(rule, PLUGIN.BeijingStaffingRule)
    assert attrs.has(type(rule))
    assert rule.applies_to is cssp.Scope.URBAN
    assert rule.citation == CITATION
    assert (
        rule.fewest_households_per_worker,
        rule.most_households_per_worker,
        rule.minimum,
    ) == (110, 150, 9)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        rule.minimum = 1


def test_description_gives_the_range_in_both_languages() -> None:
    description: cssp.Text = PLUGIN.RULE.description
    assert "每110至150户配备1名社区工作者" in description.zh
    assert "不少于9名" in description.zh
    assert "one community worker per 110 to 150 households" in description.en
    assert "at least 9 workers per community" in description.en


@pytest.mark.parametrize(
    "kwargs",
    [
        {"fewest_households_per_worker": 0},
        {"fewest_households_per_worker": 160},
        {"minimum": -1},
    ],
)
def test_invalid_rules_are_refused(kwargs: dict[str, int]) -> None:
    with pytest.raises(cssp.InputError):
        PLUGIN.BeijingStaffingRule(CITATION, PLUGIN.DESCRIPTION, **kwargs)


def test_the_package_is_typed() -> None:
    assert (PACKAGE.package / "py.typed").is_file()
    assert "py.typed" in PACKAGE.pyproject["tool"]["setuptools"]["package-data"]["cssp_beijing"]
