"""Tests of the cssp-guangdong data plugin.

They read the profile from this checkout's files, so they pass whether or not
the package is installed: ``pytest plugins/cssp-guangdong``.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

import cssp
from cssp.testing.cases import run_profile_tests

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cssp_guangdong"
PROFILE = PACKAGE / "profile.toml"
CASES = Path(__file__).with_name("cases.toml")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: What cssp's plugin host records as the source of the installed plugin.
SOURCE = f"{PYPROJECT['project']['name']} {PYPROJECT['project']['version']}"
CITATION = cssp.Citation(
    document="广东省城乡社区服务体系建设“十四五”规划",
    note="as reported by 羊城晚报, 2022-06-16",
)
#: A residents' committee in 天河区, 广州市.
CODE = "440106001001"

GE = cssp.Comparator.GE


@pytest.fixture(scope="module")
def profiles() -> cssp.ProfileSet:
    return cssp.ProfileSet([cssp.load_profile(PROFILE, source=SOURCE)], strict=True)


def test_cases_pass() -> None:
    results = run_profile_tests(CASES)
    assert len(results) >= 4
    assert [(r.name, r.mismatches) for r in results if not r.passed] == []


def test_cases_file_tests_this_package_profile() -> None:
    cases = tomllib.loads(CASES.read_text(encoding="utf-8"))
    assert [(CASES.parent / name).resolve() for name in cases["profiles"]] == [PROFILE]


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
    assert second == cssp.Provenance(
        SOURCE, "guangdong", "44", GE, provincial, 2025, CITATION, change
    )
    assert (target.comparator, target.value, target.citation) == (GE, provincial, CITATION)


def test_facility_area_is_the_fourth_target(profiles: cssp.ProfileSet) -> None:
    steps = cssp.effective_targets("fyp14", CODE, profiles=profiles).targets[3].provenance
    assert [(s.profile, s.value, s.change) for s in steps] == [
        ("fyp14", 30.0, cssp.Change.SET),
        ("guangdong", 32.0, cssp.Change.STRICTER),
    ]
    assert steps[1].source == SOURCE
    assert steps[1].citation.note == "as reported by 羊城晚报, 2022-06-16"


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


def test_township_elderly_care_coverage_is_not_shipped() -> None:
    profile = cssp.load_profile(PROFILE)
    assert [i.id for i in profile.indicators] == [
        "gd_childcare_places_per_1000_population",
        "gd_sports_ground_area_per_person",
    ]
    assert all("养老" not in i.name.zh for i in profile.indicators)
    assert profile.staffing is None


def test_outside_guangdong_is_unaffected(profiles: cssp.ProfileSet) -> None:
    effective = cssp.effective_targets("fyp14", "330106001001", profiles=profiles)
    assert effective.chain == ()
    assert all(len(t.provenance) == 1 for t in effective.targets)
    assert not any(t.id.startswith("gd_") for t in effective.targets)


def test_nothing_is_loosened(profiles: cssp.ProfileSet) -> None:
    # Besides strict mode (the cases file), state it: nothing is loosened.
    effective = cssp.effective_targets("fyp14", CODE, profiles=profiles)
    assert effective.loosened == ()
    changes = {s.change for t in effective.targets for s in t.provenance[1:]}
    assert changes <= {cssp.Change.SAME, cssp.Change.STRICTER, cssp.Change.NEW}


def test_profile_identity() -> None:
    profile = cssp.load_profile(PROFILE)
    assert (profile.id, profile.plan, profile.scope) == ("guangdong", "fyp14", "44")
    assert profile.issuer == "广东省民政厅、广东省发展和改革委员会"
    assert profile.reported_by == "羊城晚报, 2022-06-16"
    assert profile.issued is None  # not reported


def test_init_is_a_docstring_only() -> None:
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    assert len(tree.body) == 1
    (node,) = tree.body
    assert isinstance(node, ast.Expr)
    assert isinstance(node.value, ast.Constant)
    assert isinstance(node.value.value, str)


def test_packaging() -> None:
    project = PYPROJECT["project"]
    assert project["name"] == "cssp-guangdong"
    assert project["dependencies"] == ["cssp>=0.1.0.dev0"]  # the API it was written for
    assert project["license"] == "MIT"
    assert project["entry-points"]["cssp"] == {"guangdong": "cssp_guangdong:profile.toml"}
    assert PYPROJECT["tool"]["setuptools"]["package-data"]["cssp_guangdong"] == ["profile.toml"]
