"""The JSON Schemas of cssp.schemas: valid themselves, true to the data, true to the docs.

Beside these tests, every document the whole test suite writes through
cssp.report is validated at the end of the run (``tests/conftest.py``).
"""

from __future__ import annotations

import datetime
import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import pytest
from hypothesis import given, settings

import cssp
from cssp.io import read_communities, unstructure
from cssp.report import (
    assessment_to_dict,
    programmes_to_dict,
    render_report,
    report_to_dict,
    targets_to_dict,
)
from cssp.schemas import SCHEMAS, openapi_components, schema, schema_text
from cssp.testing import strategies

jsonschema = pytest.importorskip("jsonschema")

ROOT: Final = Path(__file__).resolve().parents[1]
Check = Callable[[str, object], None]


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_schema_is_a_valid_draft_2020_12_schema(name: str) -> None:
    document = schema(name)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)
    assert json.loads(schema_text(name)) == document


def test_an_unknown_schema_is_an_input_error() -> None:
    with pytest.raises(cssp.InputError, match="no schema 'report2'"):
        schema("report2")


def test_a_closed_schema_catches_a_field_it_does_not_name(check_schema: Check) -> None:
    document = report_to_dict(cssp.evaluate_region(cssp.load_sample()[:2], profiles=()))
    check_schema("report", document)
    document["regions"][0]["findings"][0]["surprise"] = 1
    with pytest.raises(AssertionError, match="surprise"):
        check_schema("report", document)
    document["regions"][0]["findings"][0].pop("surprise")
    document["regions"][0]["findings"][0]["status"] = "fine"
    with pytest.raises(AssertionError, match="fine"):
        check_schema("report", document)


# --- the documents cssp writes -----------------------------------------------------


@pytest.mark.parametrize("by", ["nation", "province", "prefecture", "county", "township"])
@pytest.mark.parametrize("plan", ["fyp14", "fyp13"])
def test_region_reports_validate(by: str, plan: str, check_schema: Check) -> None:
    report = cssp.evaluate_region(cssp.load_sample(), plan=plan, by=by, profiles=())
    check_schema("report", report_to_dict(report))
    check_schema("report", report_to_dict(report.without_members(), include_communities=False))


def test_reports_with_province_profiles_and_milestones_validate(check_schema: Check) -> None:
    profiles = [cssp.load_profile(p) for p in sorted(ROOT.glob("plugins/*/*/profile.toml"))]
    report = cssp.evaluate_region(cssp.load_sample(), year=2023, profiles=profiles)
    check_schema("report", report_to_dict(report))
    for assessment in report.assessments[:5]:
        check_schema("assessment", assessment_to_dict(assessment))


@pytest.mark.parametrize("code", ["", "44", "4401", "440106", "330106", "440106001001"])
def test_targets_documents_validate(code: str, check_schema: Check) -> None:
    profiles = [cssp.load_profile(p) for p in sorted(ROOT.glob("plugins/*/*/profile.toml"))]
    for plan in cssp.PLAN_IDS:
        check_schema("targets", targets_to_dict(cssp.effective_targets(plan, code), code))
        effective = cssp.effective_targets(plan, code, profiles=profiles)
        check_schema("targets", targets_to_dict(effective, code))


@pytest.mark.parametrize("plan", ["fyp14", "fyp13"])
def test_programmes_documents_validate(plan: str, check_schema: Check) -> None:
    check_schema("programmes", programmes_to_dict(cssp.load_plan(plan)))


@settings(max_examples=40)
@given(communities=strategies.community_lists(min_size=1, max_size=6))
def test_generated_communities_make_valid_reports(
    communities: list[cssp.Community], check_schema: Check
) -> None:
    report = cssp.evaluate_region(communities, by="township", profiles=())
    check_schema("report", json.loads(render_report(report, "json")))


# --- what cssp reads --------------------------------------------------------------


@settings(max_examples=60)
@given(communities=strategies.community_lists(max_size=4))
def test_every_community_cssp_writes_is_a_valid_record(communities: list[cssp.Community]) -> None:
    records = [unstructure(c) for c in communities]
    for record in records:
        assert list(validator("community").iter_errors(record)) == []
    assert list(validator("communities").iter_errors({"communities": records})) == []


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for p in [*ROOT.glob("tests/data/*.json"), *ROOT.glob("src/cssp/data/*.json")]
        if "bad" not in p.name and "invalid" not in p.name
    ),
    ids=lambda p: p.name,
)
def test_the_json_files_cssp_reads_are_valid(path: Path) -> None:
    try:
        read_communities(path)
    except cssp.InputError:
        pytest.skip("a file of bad input")
    document = json.loads(path.read_text("utf-8"))
    errors = list(validator("communities").iter_errors(document))
    assert [e.message for e in errors] == []


def test_a_record_the_readers_refuse_is_invalid_too() -> None:
    for record in (
        {"code": "440106001001", "householdz": 3},
        {"code": "440106001001", "households": -3},
        {"code": "440106001001", "services": ["teleport"]},
        {"code": "4401", "households": 3},
        {"households": 3},
    ):
        assert list(validator("community").iter_errors(record)), record
        with pytest.raises(cssp.InputError):
            cssp.io.structure_communities([record])


def _toml_as_json(value: Any) -> Any:
    """What a TOML editor validates: dates as ISO text."""
    if isinstance(value, dict):
        return {key: _toml_as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_toml_as_json(item) for item in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


PROFILES: Final = sorted(
    [*ROOT.glob("plugins/*/*/profile.toml"), *ROOT.glob("docs/**/profile.toml")]
)


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_the_shipped_profiles_are_valid(path: Path) -> None:
    cssp.load_profile(path)
    document = _toml_as_json(tomllib.loads(path.read_text("utf-8")))
    assert [e.message for e in validator("profile").iter_errors(document)] == []


def test_a_profile_with_an_unknown_key_is_invalid() -> None:
    document = _toml_as_json(tomllib.loads(PROFILES[0].read_text("utf-8")))
    document["overides"] = []
    messages = [e.message for e in validator("profile").iter_errors(document)]
    assert any("overides" in m for m in messages)


# --- the reference page and OpenAPI ------------------------------------------------

_TABLE_ROW: Final = re.compile(r"^\| `(\w+)` \|", re.MULTILINE)


def _page_tables() -> dict[str, set[str]]:
    """The fields of each table of docs/reference/json-schema.md, by the heading above it."""
    text = (ROOT / "docs" / "reference" / "json-schema.md").read_text("utf-8")
    tables: dict[str, set[str]] = {}
    heading = ""
    for block in re.split(r"\n(?=#+ |A \*\*|A programme item)", text):
        first = block.splitlines()[0]
        heading = first.strip("# ").strip("`").strip() if first.startswith("#") else first
        fields = set(_TABLE_ROW.findall(block))
        if fields:
            tables[heading] = fields
    return tables


@pytest.mark.parametrize(
    ("heading", "schema_name", "where"),
    [
        ("Text", "report", ("$defs", "text")),
        ("Plan", "report", ("$defs", "plan")),
        ("Citation", "report", ("$defs", "citation")),
        ("Counts", "report", ("$defs", "counts")),
        ("Finding", "report", ("$defs", "finding")),
        ("Target", "targets", ("$defs", "target")),
        ("Provenance step", "targets", ("$defs", "step")),
        ("region_report", "report", ()),
        ("A **region**:", "report", ("$defs", "region")),
        ("A **community entry**:", "report", ("$defs", "assessed")),
        ("assessment", "assessment", ()),
        ("compact_report", "compact", ()),
        ("targets", "targets", ()),
        ("programmes", "programmes", ()),
    ],
)
def test_the_reference_page_and_the_schema_name_the_same_fields(
    heading: str, schema_name: str, where: tuple[str, ...]
) -> None:
    node = schema(schema_name)
    for key in where:
        node = node[key]
    assert _page_tables()[heading] == set(node["properties"])


def test_openapi_components_lift_every_definition() -> None:
    components, refs = openapi_components()
    assert set(refs) == set(SCHEMAS)
    text = json.dumps(components)
    for ref in re.findall(r'"\$ref": "([^"]+)"', text):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in components, ref


def validator(name: str) -> Any:
    """A validator of the schema as shipped (objects open), with format checks."""
    document = schema(name)
    return jsonschema.Draft202012Validator(document, format_checker=jsonschema.FormatChecker())
