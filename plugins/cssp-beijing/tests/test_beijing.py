"""Tests of the cssp-beijing plugin.

They load the plugin module from this checkout's files, so they pass whether
or not the package is installed: ``pytest plugins/cssp-beijing``.
"""

from __future__ import annotations

import importlib.util
import sys
import tomllib
import types
from pathlib import Path

import attrs
import pytest

import cssp
from cssp.testing.cases import run_profile_tests

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cssp_beijing"
CASES = Path(__file__).with_name("cases.toml")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: What cssp's plugin host records as the source of the installed plugin.
SOURCE = f"{PYPROJECT['project']['name']} {PYPROJECT['project']['version']}"
CITATION = cssp.Citation(
    document="北京市社区居民委员会设立标准",
    note="as reported by 中国标准化 news, 2021-01-21",
)
#: A residents' committee in 建外街道, 朝阳区.
CODE = "110105001001"


def _load_plugin() -> types.ModuleType:
    """Import ``cssp_beijing/__init__.py`` from this checkout under a private name."""
    name = "_cssp_beijing_from_checkout"
    spec = importlib.util.spec_from_file_location(
        name, PACKAGE / "__init__.py", submodule_search_locations=[str(PACKAGE)]
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


PLUGIN = _load_plugin()


@pytest.fixture(scope="module")
def host() -> cssp.PluginHost:
    """A plugin host with the plugin registered as its entry point would be."""
    plugins = cssp.load_plugins(autoload=False)
    plugins.register(PLUGIN, name="beijing", source=SOURCE)
    return plugins


@pytest.fixture(scope="module")
def profiles(host: cssp.PluginHost) -> cssp.ProfileSet:
    return host.profile_set(strict=True)


def _community(households: int | None, workers: int = 0) -> cssp.Community:
    return cssp.Community(
        code=CODE, households=households, staff=cssp.Staff(community_workers=workers)
    )


def test_cases_pass() -> None:
    results = run_profile_tests(CASES, profiles=cssp.ProfileSet(PLUGIN.cssp_profiles()))
    assert len(results) >= 4
    assert [(r.name, r.mismatches) for r in results if not r.passed] == []


def test_hook_returns_one_profile_without_overrides() -> None:
    (profile,) = PLUGIN.cssp_profiles()
    assert isinstance(profile, cssp.Profile)
    assert (profile.id, profile.plan, profile.scope) == ("beijing", "fyp14", "11")
    assert profile.overrides == ()
    assert profile.indicators == ()
    assert profile.document == "北京市社区居民委员会设立标准"
    assert profile.reported_by == "中国标准化 news, 2021-01-21"
    assert profile.source == ""  # the plugin host fills it in


def test_host_lists_the_plugin(host: cssp.PluginHost) -> None:
    (info,) = host.info()
    assert (info.name, info.kind, info.profiles, info.scopes) == (
        "beijing",
        "python",
        ("beijing",),
        ("11",),
    )
    assert info.source == SOURCE


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


def test_packaging() -> None:
    project = PYPROJECT["project"]
    assert project["name"] == "cssp-beijing"
    assert project["dependencies"] == ["cssp>=0.1.0.dev0"]  # the API it was written for
    assert project["license"] == "MIT"
    assert project["entry-points"]["cssp"] == {"beijing": "cssp_beijing"}
    assert (PACKAGE / "py.typed").is_file()
