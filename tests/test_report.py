"""Reports: the JSON schema, text, Markdown and CSV outputs of cssp.report."""

from __future__ import annotations

import csv
import io
import json
import math
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

import attrs
import pytest

import cssp
from cssp.report import (
    FORMATS,
    SCHEMA_VERSION,
    assessment_to_dict,
    render_assessment,
    render_explain,
    render_programmes,
    render_report,
    render_targets,
    report_to_dict,
    target_to_dict,
    targets_to_dict,
)
from cssp.report._common import display_width
from cssp.report._names import full_name

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
GUANGDONG: Final = REPO_ROOT / "plugins" / "cssp-guangdong" / "cssp_guangdong" / "profile.toml"
ANSI: Final = re.compile(r"\x1b\[[0-9;]*m")

STATUSES: Final = {s.value for s in cssp.Status}
TEXT_KEYS: Final = {"zh", "en"}
PLAN_KEYS: Final = {"id", "title", "issuer", "document", "baseline_year", "target_year"}
CITATION_KEYS: Final = {
    "document",
    "section",
    "column",
    "item",
    "note",
    "title",
    "reported_by",
    "text_zh",
    "text_en",
}
COUNT_KEYS: Final = {"met", "not_met", "not_applicable", "no_data", "no_verdict"}
FINDING_KEYS: Final = {
    "target",
    "indicator",
    "name",
    "kind",
    "status",
    "comparator",
    "observed",
    "required",
    "unit",
    "unit_label",
    "gap",
    "level",
    "subject",
    "year",
    "milestone",
    "on_track",
    "reason",
    "numerator",
    "denominator",
    "counts",
    "counted",
    "failing",
    "failing_lack",
    "approximate",
    "loosened",
    "profiles",
    "explanation",
}
TARGET_KEYS: Final = {
    "id",
    "indicator",
    "name",
    "plan_wording",
    "kind",
    "evaluation",
    "needs",
    "comparator",
    "value",
    "unit",
    "unit_label",
    "year",
    "year_stated",
    "baseline",
    "milestones",
    "region_share",
    "attribute",
    "levels",
    "scope",
    "strength",
    "citation",
    "note",
    "loosened",
    "provenance",
}
STEP_KEYS: Final = {
    "source",
    "profile",
    "scope",
    "comparator",
    "value",
    "year",
    "citation",
    "change",
    "levels",
}


@pytest.fixture(scope="module")
def report() -> cssp.RegionReport:
    return cssp.evaluate_region(cssp.load_sample(), by="county", profiles=())


@pytest.fixture(scope="module")
def guangdong() -> cssp.Profile:
    return cssp.load_profile(GUANGDONG)


@pytest.fixture(scope="module")
def local_report(guangdong: cssp.Profile) -> cssp.RegionReport:
    return cssp.evaluate_region(cssp.load_sample(), by="county", profiles=[guangdong])


# --- the JSON schema -----------------------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, float) and math.isfinite(value)


def _optional_number(value: object) -> bool:
    return value is None or _is_number(value)


def _check_text(value: object, *, optional: bool = False) -> None:
    if optional and value is None:
        return
    assert isinstance(value, dict)
    assert set(value) == TEXT_KEYS
    assert all(isinstance(v, str) for v in value.values())


def _check_citation(value: object) -> None:
    assert isinstance(value, dict)
    assert set(value) == CITATION_KEYS
    assert isinstance(value["document"], str)
    assert value["document"]
    assert value["item"] is None or isinstance(value["item"], int)
    _check_text(value["note"], optional=True)
    reported = value["reported_by"]
    assert reported is None or (
        set(reported) == {"outlet", "date", "text_zh", "text_en"} and reported["outlet"]
    )
    _check_text(value["title"], optional=True)
    assert isinstance(value["text_zh"], str)
    assert isinstance(value["text_en"], str)


def _check_plan(value: object) -> None:
    assert isinstance(value, dict)
    assert set(value) == PLAN_KEYS
    _check_text(value["title"])
    assert isinstance(value["baseline_year"], int)
    assert isinstance(value["target_year"], int)


def _check_finding(value: dict[str, Any]) -> None:
    assert set(value) == FINDING_KEYS
    for key in ("target", "indicator", "kind", "comparator", "unit", "subject"):
        assert isinstance(value[key], str), key
    assert value["status"] in STATUSES
    assert value["level"] in {"community", "region"}
    assert value["comparator"] in {c.value for c in cssp.Comparator}
    assert _optional_number(value["observed"])
    # null only for a direction (no level): never with a verdict
    assert _optional_number(value["required"])
    if value["required"] is None:
        assert value["status"] not in ("met", "not_met")
    assert _optional_number(value["gap"])
    assert _optional_number(value["numerator"])
    assert _optional_number(value["denominator"])
    assert isinstance(value["year"], int)
    assert isinstance(value["milestone"], bool)
    assert value["on_track"] in (None, True, False)
    assert isinstance(value["loosened"], bool)
    _check_text(value["name"])
    _check_text(value["unit_label"])
    _check_text(value["reason"], optional=True)
    _check_text(value["explanation"])
    assert value["explanation"]["zh"]
    assert value["explanation"]["en"]
    assert value["counted"] in {"communities", "townships"}
    counts = value["counts"]
    assert counts is None or (
        set(counts) == COUNT_KEYS and all(isinstance(n, int) for n in counts.values())
    )
    assert isinstance(value["failing"], list)
    assert all(isinstance(code, str) for code in value["failing"])
    assert all(isinstance(p, str) for p in value["profiles"])
    assert isinstance(value["failing_lack"], bool)
    if value["status"] in ("met", "not_met", "no_verdict"):
        assert value["observed"] is not None
    if value["status"] in ("not_applicable", "no_data"):
        assert value["reason"] is not None


def _check_target(value: dict[str, Any]) -> None:
    assert set(value) == TARGET_KEYS
    for key in ("id", "indicator", "comparator", "unit", "attribute", "scope", "strength"):
        assert isinstance(value[key], str), key
    _check_text(value["name"])
    _check_text(value["unit_label"])
    _check_text(value["note"], optional=True)
    assert value["kind"] in (None, "ratio", "coverage", "per_community")
    assert value["evaluation"] in (None, "evaluated", "direction", "recorded")
    assert _optional_number(value["value"])
    if value["evaluation"] == "direction":  # no level: no value (a recorded one may lack it too)
        assert value["value"] is None
    assert isinstance(value["year_stated"], bool)
    assert isinstance(value["milestones"], bool)
    assert _is_number(value["region_share"])
    assert isinstance(value["year"], int)
    baseline = value["baseline"]
    assert baseline is None or (
        set(baseline) == {"year", "value", "scope", "citation"}
        and isinstance(baseline["year"], int)
    )
    if baseline is not None:
        _check_citation(baseline["citation"])
    assert isinstance(value["levels"], list)
    assert value["levels"] == sorted(value["levels"])
    assert set(value["levels"]) <= {"community", "region", "township"}
    assert isinstance(value["loosened"], bool)
    _check_citation(value["citation"])
    assert value["provenance"], "an effective target has at least the plan's step"
    for step in value["provenance"]:
        assert set(step) == STEP_KEYS
        assert _optional_number(step["value"])
        assert isinstance(step["year"], int)
        assert step["change"] in {c.value for c in cssp.Change}
        _check_citation(step["citation"])


def test_report_json_has_the_documented_fields(report: cssp.RegionReport) -> None:
    document = json.loads(render_report(report, "json"))
    assert document["schema_version"] == SCHEMA_VERSION == "2"
    assert document["kind"] == "region_report"
    assert set(document) == {
        "schema_version",
        "kind",
        "plan",
        "year",
        "by",
        "profiles",
        "summary",
        "regions",
        "communities",
    }
    _check_plan(document["plan"])
    assert document["year"] == 2025
    assert document["by"] == "county"
    assert document["profiles"] == []
    summary = document["summary"]
    assert summary["regions"] == len(report.regions)
    assert summary["communities"] == len(report.assessments) == 52
    assert summary["townships"] == 0
    assert set(summary["region_findings"]) == COUNT_KEYS
    for region in document["regions"]:
        assert set(region) == {
            "code",
            "name",
            "level",
            "communities",
            "townships",
            "summary",
            "findings",
        }
        assert region["townships"] == []  # no township records given
        assert isinstance(region["code"], str)
        assert len(region["code"]) == 6
        assert region["level"] == "county"
        assert all(isinstance(code, str) for code in region["communities"])
        assert set(region["summary"]) == COUNT_KEYS
        for finding in region["findings"]:
            _check_finding(finding)
            assert finding["level"] == "region"
            assert finding["counts"] is not None
    codes = [c["community"]["code"] for c in document["communities"]]
    assert codes == sorted(codes)
    for entry in document["communities"]:
        assert set(entry) == {"community", "region", "summary", "findings"}
        assert set(entry["community"]) == {"code", "name", "kind"}
        assert entry["community"]["code"].startswith(entry["region"])
        for finding in entry["findings"]:
            _check_finding(finding)
            assert finding["level"] == "community"
            assert finding["counts"] is None


def test_every_document_has_schema_version_and_kind(
    report: cssp.RegionReport, guangdong: cssp.Profile
) -> None:
    effective = cssp.effective_targets("fyp14", "44", profiles=[guangdong])
    documents = {
        "region_report": render_report(report, "json"),
        "assessment": render_assessment(report.assessments[0], "json"),
        "targets": render_targets(effective, "json", code="44"),
        "programmes": render_programmes(report.plan, "json"),
    }
    for kind, text in documents.items():
        document = json.loads(text)
        assert document["schema_version"] == "2"
        assert document["kind"] == kind
        _check_plan(document["plan"])
        assert text.endswith("}\n")
        assert "NaN" not in text
        assert "Infinity" not in text


def test_assessment_json(report: cssp.RegionReport) -> None:
    assessment = report.assessments[0]
    document = assessment_to_dict(assessment)
    assert set(document) == {
        "schema_version",
        "kind",
        "plan",
        "year",
        "community",
        "summary",
        "findings",
    }
    assert document["community"]["code"] == assessment.community.code
    assert sum(document["summary"].values()) == len(assessment.findings)
    for finding, original in zip(document["findings"], assessment.findings, strict=True):
        _check_finding(finding)
        assert finding["target"] == original.target.id
        assert cssp.Status(finding["status"]) is original.status
        assert finding["explanation"]["zh"] == original.explain("zh")


def test_json_is_byte_identical_whatever_the_order(report: cssp.RegionReport) -> None:
    communities = list(cssp.load_sample())
    random.Random(4).shuffle(communities)
    shuffled = cssp.evaluate_region(communities, by="county", profiles=())
    assert render_report(report, "json") == render_report(report, "json")
    assert render_report(shuffled, "json") == render_report(report, "json")


@pytest.mark.parametrize("format", FORMATS)
def test_every_format_ignores_the_input_order(report: cssp.RegionReport, format: str) -> None:
    shuffled = cssp.evaluate_region(reversed(cssp.load_sample()), by="county", profiles=())
    for lang in ("zh", "en"):
        assert render_report(shuffled, format, lang=lang) == render_report(
            report, format, lang=lang
        )


def test_statuses_round_trip(report: cssp.RegionReport) -> None:
    document = json.loads(render_report(report, "json"))
    for region, data in zip(report.regions, document["regions"], strict=True):
        assert data["code"] == region.code
        assert {f["target"]: cssp.Status(f["status"]) for f in data["findings"]} == region.statuses
        for finding, item in zip(region.findings, data["findings"], strict=True):
            assert item["failing"] == list(finding.failing)
            assert item["counts"] == attrs.asdict(finding.counts) if finding.counts else None
    by_code = {a.community.code: a for a in report.assessments}
    for entry in document["communities"]:
        assessment = by_code[entry["community"]["code"]]
        assert {f["target"]: cssp.Status(f["status"]) for f in entry["findings"]} == (
            assessment.statuses
        )


def test_without_communities(report: cssp.RegionReport) -> None:
    document = report_to_dict(report, include_communities=False)
    assert "communities" not in document
    assert document["summary"]["communities"] == 52
    text = render_report(report, "json", include_communities=False)
    assert json.loads(text) == document
    assert len(text) < len(render_report(report, "json")) / 5


def test_nan_becomes_null(report: cssp.RegionReport) -> None:
    assessment = report.assessments[0]
    broken = attrs.evolve(assessment.findings[1], observed=math.nan, numerator=math.inf)
    document = assessment_to_dict(attrs.evolve(assessment, findings=(broken,)))
    finding = document["findings"][0]
    assert finding["observed"] is None
    assert finding["numerator"] is None
    json.dumps(document, allow_nan=False)  # raises on NaN


def test_report_lists_the_profiles_applied(local_report: cssp.RegionReport) -> None:
    document = report_to_dict(local_report)
    assert document["profiles"] == [{"id": "guangdong", "scope": "44", "source": "profile.toml"}]
    tianhe = next(r for r in document["regions"] if r["code"] == "440106")
    area = next(f for f in tianhe["findings"] if f["target"] == "facility_area_per_100_households")
    assert area["required"] == 32.0
    assert area["profiles"] == ["guangdong"]
    xihu = next(r for r in document["regions"] if r["code"] == "330106")
    area = next(f for f in xihu["findings"] if f["target"] == "facility_area_per_100_households")
    assert area["required"] == 30.0
    assert area["profiles"] == []


# --- targets and programmes ----------------------------------------------------------


def test_guangdong_targets_json_shows_provenance(guangdong: cssp.Profile) -> None:
    code = "440106001001"
    effective = cssp.effective_targets("fyp14", code, profiles=[guangdong])
    document = json.loads(render_targets(effective, "json", code=code))
    assert document["kind"] == "targets"
    assert document["code"] == code
    assert [d["code"] for d in document["divisions"]] == ["44", "4401", "440106", "440106001"]
    assert document["divisions"][0]["name"] == "广东省"
    assert [p["id"] for p in document["profiles"]] == ["guangdong"]
    for target in document["targets"]:
        _check_target(target)
    area = next(t for t in document["targets"] if t["id"] == "facility_area_per_100_households")
    assert area["value"] == 32.0
    assert area["unit_label"] == {"zh": "平方米/百户", "en": "m² per 100 households"}
    steps = area["provenance"]
    assert len(steps) == 2
    assert [s["profile"] for s in steps] == ["fyp14", "guangdong"]
    assert [s["value"] for s in steps] == [30.0, 32.0]
    assert [s["change"] for s in steps] == ["set", "stricter"]
    assert steps[1]["scope"] == "44"
    assert steps[0]["scope"] == ""
    assert area["loosened"] is False
    new = next(t for t in document["targets"] if t["id"] == "gd_sports_ground_area_per_person")
    assert [s["change"] for s in new["provenance"]] == ["new"]


def test_target_to_dict_without_indicator() -> None:
    plan = cssp.load_plan("fyp14")
    target = plan.targets["facility_area_per_100_households"]
    data = target_to_dict(target)
    assert data["kind"] is None
    assert data["unit_label"]["zh"] == "平方米/百户"
    assert data["baseline"]["year"] == 2020
    assert data["baseline"]["value"] == 29.8
    # the baseline is cited to its own source, the national plan's 专栏1
    assert data["baseline"]["scope"] == ""
    assert data["baseline"]["citation"]["text_zh"] == "国办发〔2021〕56号一、专栏1第4项"
    assert data["milestones"] is True
    assert data["provenance"] == []


def test_national_targets(guangdong: cssp.Profile) -> None:
    document = targets_to_dict(cssp.effective_targets("fyp14", "", profiles=()))
    assert document["code"] == ""
    assert document["divisions"] == []
    assert document["profiles"] == []
    assert all(len(t["provenance"]) == 1 for t in document["targets"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_targets_text_markdown_csv(guangdong: cssp.Profile, lang: str) -> None:
    code = "440106001001"
    effective = cssp.effective_targets("fyp14", code, profiles=[guangdong])
    text = render_targets(effective, "text", lang=lang, code=code)
    assert "guangdong" in text
    assert "五山街道" in text
    assert "≥32*" in text
    markdown = render_targets(effective, "markdown", lang=lang, code=code)
    _check_markdown_tables(markdown)
    assert "`facility_area_per_100_households`" in markdown
    rows = _csv_rows(render_targets(effective, "csv", lang=lang, code=code))
    assert rows[0] == [
        "code",
        "target",
        "indicator",
        "indicator_name",
        "comparator",
        "value",
        "unit",
        "year",
        "baseline_year",
        "baseline_value",
        "attribute",
        "levels",
        "scope",
        "strength",
        "evaluation",
        "year_stated",
        "citation",
        "loosened",
        "provenance",
    ]
    area = next(r for r in rows[1:] if r[1] == "facility_area_per_100_households")
    assert area[5] == "32"
    assert area[-1] == "fyp14:set:≥30 > guangdong:stricter:≥32"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_programmes(lang: str) -> None:
    plan = cssp.load_plan("fyp14")
    document = json.loads(render_programmes(plan, "json", lang=lang))
    groups = document["groups"]
    assert [g["column"] for g in groups] == [g.column for g in plan.programme_groups]
    items = [p for g in groups for p in g["programmes"]]
    assert [p["id"] for p in items] == [p.id for p in plan.programmes]
    for item in items:
        _check_text(item["title"])
        _check_citation(item["citation"])
    text = render_programmes(plan, "text", lang=lang)
    markdown = render_programmes(plan, "markdown", lang=lang)
    for programme in plan.programmes:
        assert programme.title.get(lang) in text
        assert programme.title.get(lang) in markdown


# --- text ----------------------------------------------------------------------------


def _table_blocks(text: str) -> Iterator[list[str]]:
    """Each table of a text output: its header, its rule of dashes and its rows."""
    lines = ANSI.sub("", text).splitlines()
    for index, line in enumerate(lines):
        if index and re.fullmatch(r" +-+(  -+)*", line):
            block = [lines[index - 1], line]
            for row in lines[index + 1 :]:
                if not row.strip() or row.lstrip().startswith("* "):
                    break
                block.append(row)
            yield block


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("colour", [False, True])
def test_text_tables_are_aligned(report: cssp.RegionReport, lang: str, colour: bool) -> None:
    text = render_report(report, "text", lang=lang, colour=colour)
    blocks = list(_table_blocks(text))
    assert len(blocks) == len(report.regions)
    status = re.compile(
        r"(✓|✗|\?|○|-) (met|not met|n/a|no data|no verdict|达标|未达标|不适用|无数据|不作评价)"
    )
    for block in blocks:
        widths = {display_width(line) for line in block}
        assert len(widths) == 1, f"rows of different widths: {sorted(widths)}"
        # one row per finding; a long name wraps onto lines of its own (no status)
        rows = [line for line in block[2:] if status.search(line)]
        assert len(rows) == len(report.regions[0].findings)
    assessment = render_assessment(report.assessments[0], "text", lang=lang, colour=colour)
    for block in _table_blocks(assessment):
        assert len({display_width(line) for line in block}) == 1


def test_cjk_is_two_columns_wide() -> None:
    assert display_width("天河区") == 6
    assert display_width("（十二）") == 8
    assert display_width("abc") == 3


def test_text_has_ansi_only_with_colour(report: cssp.RegionReport) -> None:
    plain = render_report(report, "text")
    assert "\x1b[" not in plain
    assert "\x1b[" not in render_assessment(report.assessments[0], "text")
    assert "\x1b[" not in render_explain(report.assessments[0])
    coloured = render_report(report, "text", colour=True)
    assert "\x1b[32m" in coloured
    assert "\x1b[31m" in coloured
    assert ANSI.sub("", coloured) == plain
    assert "\x1b[" in render_explain(report.assessments[0], colour=True)


def test_text_report_content(report: cssp.RegionReport) -> None:
    zh = render_report(report, "text")
    en = render_report(report, "text", lang="en")
    assert "西湖区（330106）" in zh
    assert "每百户居民拥有社区综合服务设施面积" in zh
    assert "Comprehensive service facility area per 100 resident households" in en
    failing = next(a for a in report.assessments if a.failing)
    assert failing.community.code in zh
    for finding in failing.failing:
        assert finding.explain("zh") in zh
        assert finding.explain("en") in en
    assert zh.rstrip().splitlines()[-1].startswith("共4个区域")
    assert "of 52 communities fail at least one target" in en.rstrip().splitlines()[-1]


def test_explain_has_both_languages_and_every_citation(
    local_report: cssp.RegionReport,
) -> None:
    assessment = next(a for a in local_report.assessments if a.community.code.startswith("44"))
    text = render_explain(assessment)
    for finding in assessment.findings:
        assert finding.explain("zh") in text
        assert finding.explain("en") in text
        assert finding.target.citation.text("zh") in text
        assert finding.target.citation.text("en") in text
        assert finding.target.name.zh in text
        assert finding.target.name.en in text
        for step in finding.target.provenance:
            assert step.citation.text("zh") in text
    assert "广东省 / Guangdong (profile.toml): ≥32平方米/百户" in text


# --- Markdown ------------------------------------------------------------------------

_UNESCAPED_PIPE: Final = re.compile(r"(?<!\\)\|")


def _check_markdown_tables(text: str) -> int:
    """Every table has a separator row and the same number of cells on every row."""
    tables = 0
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        if not lines[index].startswith("|"):
            index += 1
            continue
        block = []
        while index < len(lines) and lines[index].startswith("|"):
            block.append(lines[index])
            index += 1
        tables += 1
        assert len(block) >= 2
        assert re.fullmatch(r"\|( ---:? \|)+", block[1]), block[1]
        pipes = {len(_UNESCAPED_PIPE.findall(line)) for line in block}
        assert len(pipes) == 1, f"rows with different numbers of cells: {block}"
        assert all(line.endswith(" |") for line in block)
    return tables


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_markdown_tables_are_well_formed(report: cssp.RegionReport, lang: str) -> None:
    text = render_report(report, "markdown", lang=lang)
    assert _check_markdown_tables(text) == len(report.regions)
    assert text.startswith("# ")
    assert text.count("\n## ") == len(report.regions)
    for region in report.regions:
        full = full_name(region.code, lang)  # the region's name with its parents'
        title = f"{full}（{region.code}）" if lang == "zh" else f"{full} ({region.code})"
        assert f"\n## {title}\n" in text
    assert _check_markdown_tables(render_assessment(report.assessments[0], "markdown")) == 1


def test_markdown_escapes_pipes(report: cssp.RegionReport) -> None:
    assessment = report.assessments[0]
    community = attrs.evolve(assessment.community, name="A|B社区")
    text = render_assessment(attrs.evolve(assessment, community=community), "markdown")
    assert "A\\|B社区" in text
    assert "A|B" not in text
    _check_markdown_tables(text)


# --- CSV -----------------------------------------------------------------------------

REPORT_HEADER: Final = [
    "region_code",
    "region_name",
    "level",
    "target",
    "indicator_name",
    "status",
    "observed",
    "required",
    "unit",
    "met",
    "not_met",
    "not_applicable",
    "no_data",
    "no_verdict",
    "failing",
    "approximate",
]
ASSESSMENT_HEADER: Final = [
    "community_code",
    "community_name",
    "target",
    "indicator_name",
    "status",
    "observed",
    "required",
    "unit",
    "gap",
    "reason",
    "explanation",
    "approximate",
]


def _csv_rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff"), "CSV starts with a byte order mark for Excel"
    assert not text.startswith("\ufeff\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert all(len(row) == len(rows[0]) for row in rows)
    return rows


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_csv(report: cssp.RegionReport, lang: str) -> None:
    rows = _csv_rows(render_report(report, "csv", lang=lang))
    assert rows[0] == REPORT_HEADER
    assert len(rows) - 1 == sum(len(r.findings) for r in report.regions)
    for row, (region, finding) in zip(
        rows[1:], ((r, f) for r in report.regions for f in r.findings), strict=True
    ):
        assert row[0] == region.code
        assert row[3] == finding.target.id
        assert row[5] == finding.status.value
        assert row[14] == ";".join(finding.failing)
        counts = finding.counts
        assert counts is not None
        assert [int(n) for n in row[9:14]] == [
            counts.met,
            counts.not_met,
            counts.not_applicable,
            counts.no_data,
            counts.no_verdict,
        ]
        if finding.observed is not None:
            assert float(row[6]) == pytest.approx(finding.observed, abs=1e-4)
        else:
            assert row[6] == ""
    names = {row[1] for row in rows[1:]}
    assert names == {r.name for r in report.regions}


def test_assessment_csv(report: cssp.RegionReport) -> None:
    assessment = report.assessments[0]
    rows = _csv_rows(render_assessment(assessment, "csv"))
    assert rows[0] == ASSESSMENT_HEADER
    assert [row[2] for row in rows[1:]] == [f.target.id for f in assessment.findings]
    assert {row[0] for row in rows[1:]} == {assessment.community.code}
    assert [row[10] for row in rows[1:]] == [f.explain("zh") for f in assessment.findings]


def test_csv_encodes_for_excel(report: cssp.RegionReport, tmp_path: Path) -> None:
    path = tmp_path / "report.csv"
    path.write_text(render_report(report, "csv"), encoding="utf-8", newline="")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw
    with path.open(encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle)) == REPORT_HEADER


# --- errors --------------------------------------------------------------------------


def test_unknown_format_is_an_input_error(report: cssp.RegionReport) -> None:
    assessment = report.assessments[0]
    effective = cssp.effective_targets("fyp14", "", profiles=())
    calls: list[Callable[[], str]] = [
        lambda: render_report(report, "pdf"),
        lambda: render_assessment(assessment, "xml"),
        lambda: render_targets(effective, "html"),
        lambda: render_programmes(report.plan, "csv"),
    ]
    for call in calls:
        with pytest.raises(cssp.InputError) as info:
            call()
        assert info.value.path == "format"
        assert "expected one of" in info.value.message


def test_unknown_language_is_an_input_error(report: cssp.RegionReport) -> None:
    with pytest.raises(cssp.InputError) as info:
        render_report(report, "text", lang="fr")
    assert info.value.path == "lang"


def test_bad_code_for_targets_is_an_input_error() -> None:
    effective = cssp.effective_targets("fyp14", "", profiles=())
    with pytest.raises(cssp.InputError):
        render_targets(effective, "json", code="44x")


# --- other reports -------------------------------------------------------------------


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize(
    "options",
    [{"by": "nation"}, {"by": "township"}, {"year": 2023}, {"plan": "fyp13"}],
    ids=["nation", "township", "milestone", "fyp13"],
)
def test_every_format_renders_other_reports(format: str, options: dict[str, Any]) -> None:
    report = cssp.evaluate_region(cssp.load_sample(), profiles=(), **options)
    for lang in ("zh", "en"):
        assert render_report(report, format, lang=lang).endswith("\n")


@pytest.mark.parametrize("format", FORMATS)
def test_an_empty_report_renders(format: str) -> None:
    report = cssp.evaluate_region([], profiles=())
    assert render_report(report, format)
