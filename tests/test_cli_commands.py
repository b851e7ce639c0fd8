"""The cssp command's evaluate, targets, explain, programmes and validate, run as a user runs them.

Every call is a subprocess with real files in a temporary directory. Plugin
discovery is off (tests/conftest.py), so results are the national plan's.
"""

from __future__ import annotations

import csv
import io
import json
import pathlib
import subprocess

import pytest

import cssp as cssp_lib
from helpers import run_cssp

DATA = pathlib.Path(__file__).parent / "data"
BAD = DATA / "bad"
SAMPLE = pathlib.Path(__file__).parent.parent / "src" / "cssp" / "data" / "sample_communities.json"


def cssp(*args: str, cwd: pathlib.Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_cssp(*args, cwd=cwd, timeout=120)


def bad_files() -> list[pathlib.Path]:
    return sorted(p for p in BAD.iterdir() if p.name != "README.md")


# --- evaluate ----------------------------------------------------------------------


def test_evaluate_text_names_every_region() -> None:
    done = cssp("evaluate", str(SAMPLE), "--lang", "en")
    assert done.returncode == 0, done.stderr
    for name in ("西湖区 (330106)", "松阳县 (331124)", "天河区 (440106)", "阳山县 (441823)"):
        assert name in done.stdout
    assert "\x1b[" not in done.stdout  # no colour when not a terminal
    assert done.stderr == ""


@pytest.mark.parametrize("fmt", ["json", "markdown", "csv", "html"])
def test_evaluate_writes_each_format_atomically(tmp_path: pathlib.Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    done = cssp("evaluate", str(SAMPLE), "--format", fmt, "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # no temporary file left
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        document = json.loads(text)
        assert document["schema_version"] == "1"
        assert document["kind"] == "region_report"
        assert [r["code"] for r in document["regions"]] == ["330106", "331124", "440106", "441823"]
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
        assert {row["target"] for row in rows} >= {"facility_area_per_100_households"}
    elif fmt == "html":
        assert text.lstrip().lower().startswith("<!doctype html>")
        assert "<svg" in text
    else:
        assert "| " in text


def test_evaluate_reads_several_formats_and_by_levels(tmp_path: pathlib.Path) -> None:
    done = cssp("evaluate", str(DATA / "communities.csv"), "--by", "province", "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["by"] == "province"
    assert all(len(region["code"]) == 2 for region in document["regions"])


def test_fail_on_unmet_exits_1_and_says_why() -> None:
    done = cssp("evaluate", str(SAMPLE), "--fail-on", "unmet", "--format", "json")
    assert done.returncode == 1
    assert json.loads(done.stdout)["kind"] == "region_report"  # the report is still printed
    assert "not met" in done.stderr


def compliant_community() -> dict[str, object]:
    """An urban community that meets every community-level target of fyp14."""
    return {
        "code": "330106001001",
        "households": 1000,
        "population": 3000,
        "building_area": "3000 m²",
        "facilities": [
            {
                "kind": "comprehensive",
                "floor_area": "400 m²",
                "activity_area": "300 m²",
                "opening_hours": "10 h/day",
            }
        ],
        "staff": {"community_workers": 6, "disaster_information_officers": 1, "trained_workers": 6},
        "services": [
            "self_service_kiosk",
            "agency_service",
            "online_service_24h",
            "satisfaction_survey",
            "disabled_persons_association",
            "cultural_service_centre",
            "fitness_circle_15min",
            "police_office_colocated",
        ],
        "elderly_monthly_visit_rate": "100%",
    }


def test_fail_on_unmet_exits_0_when_everything_is_met(tmp_path: pathlib.Path) -> None:
    data = tmp_path / "good.json"
    data.write_text(json.dumps([compliant_community()], ensure_ascii=False), encoding="utf-8")
    done = cssp("evaluate", str(data), "--fail-on", "unmet")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_year_before_the_baseline_is_exit_2() -> None:
    done = cssp("evaluate", str(SAMPLE), "--year", "2010")
    assert done.returncode == 2
    assert "year" in done.stderr
    assert "Traceback" not in done.stderr


# --- targets, explain, programmes ------------------------------------------------------


def test_targets_json_lists_every_field_with_provenance() -> None:
    done = cssp("targets", "--code", "440106001001", "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["schema_version"] == "1"
    target = next(t for t in document["targets"] if t["id"] == "facility_area_per_100_households")
    for key in (
        "indicator",
        "name",
        "comparator",
        "value",
        "unit",
        "year",
        "baseline",
        "attribute",
        "levels",
        "scope",
        "strength",
        "citation",
        "provenance",
    ):
        assert key in target
    assert target["value"] == 30
    assert target["name"]["zh"] == "每百户居民拥有社区综合服务设施面积"
    assert target["citation"]["column"] == "专栏1"
    assert target["citation"]["item"] == 4
    assert [step["change"] for step in target["provenance"]] == ["set"]


@pytest.mark.parametrize("fmt", ["text", "markdown", "csv", "json"])
def test_the_staffing_target_shows_its_rule_not_a_number(fmt: str) -> None:
    """Beijing's staffing rule sets the requirement community by community: no "≥0"."""
    import cssp_beijing

    import cssp
    from cssp.report import render_targets

    code = "110101001001"
    effective = cssp.effective_targets("fyp14", code, profiles=list(cssp_beijing.cssp_profiles()))
    out = render_targets(effective, fmt, lang="en", code=code)
    if fmt == "json":
        target = next(t for t in json.loads(out)["targets"] if t["id"] == "community_staffing")
        assert target["value"] is None
        assert target["provenance"][-1]["value"] is None
        return
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
        assert next(r for r in rows if r["target"] == "community_staffing")["value"] == ""
    else:
        line = next(row for row in out.splitlines() if "staffing standard" in row.lower())
        assert "per community, by its rule" in line
    assert "≥0" not in out


def test_targets_rejects_a_bad_code() -> None:
    done = cssp("targets", "--code", "44x")
    assert done.returncode == 2
    assert "--code" in done.stderr


def test_explain_gives_both_languages_with_citations() -> None:
    done = cssp("explain", str(SAMPLE), "--community", "440106001001", "--all")
    assert done.returncode == 0, done.stderr
    assert "每百户居民拥有社区综合服务设施面积" in done.stdout
    assert "Comprehensive service facility area per 100 resident households" in done.stdout
    assert "国办发〔2021〕56号" in done.stdout


def test_explain_shows_the_unmet_findings_and_a_summary_by_default() -> None:
    code = "440106001001"
    community = next(c for c in cssp_lib.load_sample() if c.code == code)
    assessment = cssp_lib.evaluate(community)
    done = cssp("explain", str(SAMPLE), "--community", code)
    assert done.returncode == 0, done.stderr
    unmet = assessment.failing
    assert unmet  # the sample community fails some targets
    for finding in assessment.findings:
        shown = f"— {finding.target.name.zh} / {finding.target.name.en} [" in done.stdout
        assert shown == (finding in unmet), finding.target.id
    total = len(assessment.findings)
    assert f"{total}项指标：" in done.stdout
    assert f"以上列出未达标的{len(unmet)}项；加 --all 列出全部{total}项。" in done.stdout
    everything = cssp("explain", str(SAMPLE), "--community", code, "--all")
    assert everything.stdout.count(" / not met — ") == len(unmet)
    assert everything.stdout.count("中文：") == total


def test_explain_unknown_community_is_exit_2() -> None:
    done = cssp("explain", str(SAMPLE), "--community", "440106001999")
    assert done.returncode == 2
    assert "440106001999" in done.stderr


def test_programmes_lists_the_fourteen_actions() -> None:
    done = cssp("programmes", "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    text = json.dumps(document, ensure_ascii=False)
    for title in ("社区固本强基行动", "社区应急服务行动", "社区共建共治共享行动"):
        assert title in text


# --- validate and the bad-input corpus --------------------------------------------------


def test_validate_a_good_file() -> None:
    done = cssp("validate", str(SAMPLE))
    assert done.returncode == 0, done.stderr
    assert "52 communities read" in done.stdout


@pytest.mark.parametrize("path", bad_files(), ids=lambda p: p.name)
def test_every_bad_input_is_exit_2_with_its_location(path: pathlib.Path) -> None:
    readme = (BAD / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith(f"| `{path.name}` |"))
    args_cell, expected = (cell.strip().strip("`") for cell in row.split("|")[3:5])
    options = {}
    for pair in args_cell.split():
        key, _, value = pair.partition("=")
        options[{"encoding": "--encoding", "format": "--input-format"}[key]] = value.strip('"')
    extra = [f"{key}={value}" for key, value in options.items()]
    for command in ("validate", "evaluate"):
        done = cssp(command, path.name, *extra, cwd=BAD)
        assert done.returncode == 2, (command, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        assert done.stderr.startswith("cssp: error:")
        assert expected in done.stderr, done.stderr


def test_usage_errors_are_exit_2() -> None:
    assert cssp("evaluate").returncode == 2
    assert cssp("evaluate", str(SAMPLE), "--format", "pdf").returncode == 2
    assert cssp("explain", str(SAMPLE)).returncode == 2  # --community is required


def test_no_communities_keeps_json_to_the_regions() -> None:
    done = cssp("evaluate", str(SAMPLE), "--format", "json", "--no-communities")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["regions"]
    assert not document.get("communities")
