"""Tests of the cssp-jiangsu data plugin.

They read the profile from this checkout's files, so they pass whether or not
the package is installed: ``pytest plugins/cssp-jiangsu``.
"""

from __future__ import annotations

import ast
import datetime
import tomllib
from pathlib import Path

import pytest

import cssp
from cssp.testing.cases import run_profile_tests

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cssp_jiangsu"
PROFILE = PACKAGE / "profile.toml"
CASES = Path(__file__).with_name("cases.toml")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: What cssp's plugin host records as the source of the installed plugin.
SOURCE = f"{PYPROJECT['project']['name']} {PYPROJECT['project']['version']}"
CITATION = cssp.Citation(
    document="苏政办发〔2022〕60号", note="as reported by 南京日报, 2022-08-11"
)
#: A residents' committee in 梅园新村街道, 玄武区, 南京市.
CODE = "320102002001"

GE = cssp.Comparator.GE
GT = cssp.Comparator.GT


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
    profile = cssp.load_profile(PROFILE)
    assert [o.target for o in profile.overrides] == [
        "facility_area_per_100_households",
        "workers_per_10k_urban_residents",
    ]


@pytest.mark.parametrize(
    ("target_id", "value", "levels"),
    [
        (
            "js_all_round_service_model_coverage",
            80.0,
            frozenset({cssp.Level.COMMUNITY, cssp.Level.REGION}),
        ),
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
    profile = cssp.load_profile(PROFILE)
    names = [i.name.zh for i in profile.indicators]
    assert names == ["全科社工服务模式社区覆盖率", "接受上门服务的居家老年人占比"]
    assert all(i.baseline is None for i in profile.indicators)


def test_outside_jiangsu_is_unaffected(profiles: cssp.ProfileSet) -> None:
    effective = cssp.effective_targets("fyp14", "440106001001", profiles=profiles)
    assert effective.chain == ()
    assert all(len(t.provenance) == 1 for t in effective.targets)
    assert not any(t.id.startswith("js_") for t in effective.targets)


def test_nothing_is_loosened(profiles: cssp.ProfileSet) -> None:
    # Besides strict mode (the cases file), state it: nothing is loosened.
    effective = cssp.effective_targets("fyp14", CODE, profiles=profiles)
    assert effective.loosened == ()
    changes = {s.change for t in effective.targets for s in t.provenance[1:]}
    assert changes <= {cssp.Change.SAME, cssp.Change.STRICTER, cssp.Change.NEW}


def test_profile_identity() -> None:
    profile = cssp.load_profile(PROFILE)
    assert (profile.id, profile.plan, profile.scope) == ("jiangsu", "fyp14", "32")
    assert profile.issuer == "江苏省人民政府办公厅"
    assert profile.document == "苏政办发〔2022〕60号"
    assert profile.issued == datetime.date(2022, 7, 23)
    assert profile.reported_by == "南京日报, 2022-08-11"
    assert profile.staffing is None


def test_init_is_a_docstring_only() -> None:
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    assert len(tree.body) == 1
    (node,) = tree.body
    assert isinstance(node, ast.Expr)
    assert isinstance(node.value, ast.Constant)
    assert isinstance(node.value.value, str)


def test_packaging() -> None:
    project = PYPROJECT["project"]
    assert project["name"] == "cssp-jiangsu"
    assert project["dependencies"] == ["cssp>=0.1.0.dev0"]  # the API it was written for
    assert project["license"] == "MIT"
    assert project["entry-points"]["cssp"] == {"jiangsu": "cssp_jiangsu:profile.toml"}
    assert PYPROJECT["tool"]["setuptools"]["package-data"]["cssp_jiangsu"] == ["profile.toml"]
