"""Real-shaped files (tests/data/real/), read and evaluated by the command as an analyst runs it.

Every call is a subprocess in the corpus folder; plugin discovery is off
(tests/conftest.py). The files and their expected outcomes are described in
tests/data/real/README.md; places and codes are real, figures illustrative.
"""

from __future__ import annotations

import collections
import json
import pathlib
import re
import subprocess
import tomllib
from typing import Any, Final

import pytest

from cssp.model.notes import WARNINGS_SHOWN
from helpers import run_cssp

REAL: Final = pathlib.Path(__file__).parent / "data" / "real"
CASES: Final = tomllib.loads((REAL / "expected.toml").read_text("utf-8"))["case"]


def cssp(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cssp(*args, cwd=REAL)


@pytest.mark.parametrize("case", CASES, ids=[" ".join(c["args"]) for c in CASES])
def test_each_file_has_its_expected_outcome(case: dict[str, Any]) -> None:
    done = cssp("validate", *case["args"], "--format", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    notes = document["input"]
    assert (document["communities"], document["urban"]) == (case["communities"], case["urban"])
    assert [row["where"] for row in notes["skipped"]] == case["skipped"]
    assert len(notes["warnings"]) == case["warnings"]
    assert [place["code"] for place in notes["resolved"]] == case["resolved"]
    assert notes["warnings_left_out"] == []  # fewer than 100 of a kind: the JSON holds all
    # what validate lists on standard error is what its JSON holds: every row skipped, and
    # five warnings of a kind, the last one followed by how many more of that kind
    assert done.stderr.count("cssp: skipped ") == len(case["skipped"])
    lines = [line for line in done.stderr.splitlines() if line.startswith("cssp: warning: ")]
    more = [re.fullmatch(_MORE, line) for line in lines]
    counted = [int(match[1].replace(",", "")) for match in more if match]
    kinds = collections.Counter(warning["kind"] for warning in notes["warnings"])
    assert len(lines) - len(counted) == sum(min(n, WARNINGS_SHOWN) for n in kinds.values())
    assert len(lines) - len(counted) + sum(counted) == case["warnings"]


_MORE: Final = (
    r"cssp: warning: ([\d,]+) more of this kind not shown; the JSON document lists them all"
)


def test_the_raw_ledger_in_one_run() -> None:
    """The issue's "done when": a raw public CSV in GB18030 with its own headers and place
    names loads through a map with --skip-invalid, finds its codes, evaluates what can be
    evaluated and lists what cannot, in one run."""
    done = cssp(
        "evaluate",
        "ledger.csv",
        "--columns",
        "ledger.columns.toml",
        "--skip-invalid",
        "--by",
        "county",
        "--format",
        "json",
        "-o",
        "-",
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["summary"]["communities"] == 9
    assert [r["code"] for r in report["regions"]] == [
        "110105",
        "130631",
        "230113",
        "330922",
        "360113",
        "431227",
        "441823",
        "654203",
    ]
    resolved = {p["where"]: (p["code"], p["path"]) for p in report["input"]["resolved"]}
    assert resolved["ledger.csv: row 4"] == ("330922100", ["浙江省", "舟山市", "嵊泗县", "菜园镇"])
    assert resolved["ledger.csv: row 6"][1][-2:] == ["新晃侗族自治县", "步头降苗族乡"]
    skipped = {row["where"]: row["problems"] for row in report["input"]["skipped"]}
    assert "双城区" in skipped["ledger.csv: row 8"][0]["message"]  # the nearest name
    assert "is a range" in skipped["ledger.csv: row 12"][0]["message"]
    # the findings built on 约300户 say so
    entries = {c["community"]["code"]: c for c in report["communities"]}
    findings = {f["target"]: f for f in entries["360113005400"]["findings"]}
    per_100 = findings["facility_area_per_100_households"]
    assert per_100["approximate"]
    assert "约为40平方米" in per_100["explanation"]["zh"]
    assert "approximately 40 m²" in per_100["explanation"]["en"]
    # a village with parts and no floor area: the targets on its floor area have no data
    village = next(c for c in report["communities"] if c["community"]["name"] == "步头降示例村")
    area = {f["target"]: f for f in village["findings"]}["facility_area_per_100_households"]
    assert area["status"] == "no_data"
    assert area["reason"]["en"] == "a comprehensive facility's floor area is not given"


def test_without_skip_invalid_the_ledger_stops_with_every_problem() -> None:
    done = cssp("evaluate", "ledger.csv", "--columns", "ledger.columns.toml", "-o", "report.json")
    assert done.returncode == 2
    assert done.stderr.startswith("cssp: error: 3 problems in ledger.csv\n")
    assert "Traceback" not in done.stderr
    assert not (REAL / "report.json").exists()


def test_the_html_and_markdown_reports_list_what_was_left_out(tmp_path: pathlib.Path) -> None:
    for fmt, heading in (("markdown", "## Rows skipped"), ("html", "<h2>Rows skipped")):
        out = tmp_path / f"report.{fmt}"
        done = cssp(
            "evaluate",
            "ledger.csv",
            "--columns",
            "ledger.columns.toml",
            "--skip-invalid",
            "--format",
            fmt,
            "--lang",
            "en",
            "-o",
            str(out),
        )
        assert done.returncode == 0, done.stderr
        text = out.read_text(encoding="utf-8")
        assert heading in text
        assert "Codes found from place names" in text
        assert "ledger.csv: row 12" in text


def test_the_ledger_as_parquet_is_read_alike_by_both_engines(tmp_path: pathlib.Path) -> None:
    """The ledger converted to Parquet with its own headers: the batch engine reads it as the
    default engine does (column map, Chinese headers, every problem of every row), refuses
    what the default engine refuses, in the same words, and gives the same regions for what
    it accepts."""
    pa = pytest.importorskip("pyarrow")
    pytest.importorskip("numpy")
    import pyarrow.csv as pv
    import pyarrow.parquet as pq

    table = pv.read_csv(REAL / "ledger.csv", read_options=pv.ReadOptions(encoding="gb18030"))
    pq.write_table(table, tmp_path / "ledger.parquet", row_group_size=4)
    the_map = str(REAL / "ledger.columns.toml")

    def evaluate(name: str, engine: str, *more: str) -> subprocess.CompletedProcess[str]:
        options = ("--by", "county", "--format", "json", "--no-communities", "-o", "-")
        return run_cssp("evaluate", name, "--engine", engine, *options, *more, cwd=tmp_path)

    refused = [evaluate("ledger.parquet", e, "--columns", the_map) for e in ("scalar", "batch")]
    assert [done.returncode for done in refused] == [2, 2]
    assert refused[0].stderr == refused[1].stderr
    assert refused[0].stderr.startswith("cssp: error: 3 problems in ledger.parquet\n")
    # the CSV itself: the batch engine lists the ledger's problems before saying it cannot
    # place communities by name
    csv = str(REAL / "ledger.csv")
    ledger = [evaluate(csv, e, "--columns", the_map) for e in ("scalar", "batch")]
    assert ledger[0].stderr == ledger[1].stderr
    assert ledger[1].stderr.startswith("cssp: error: 3 problems in ")
    # without the map, both list the unknown headers alike
    unmapped = [evaluate("ledger.parquet", e) for e in ("scalar", "batch")]
    assert unmapped[0].returncode == unmapped[1].returncode == 2
    assert unmapped[0].stderr == unmapped[1].stderr
    assert "unknown column 'admin_code_12'" in unmapped[0].stderr
    # the rows with codes, under Chinese headers the reader knows: the same regions
    rows = [
        row
        for row in table.select(["admin_code_12", "户数(户)", "常住人口(人)"]).to_pylist()
        if len(str(row["admin_code_12"] or "")) == 12 and "-" not in str(row["户数(户)"])
    ]
    coded = {
        "统计用区划代码": [str(row["admin_code_12"]) for row in rows],
        "户数": [row["户数(户)"] for row in rows],
        "常住人口": [row["常住人口(人)"] for row in rows],
    }
    pq.write_table(pa.table(coded), tmp_path / "coded.parquet")
    accepted = [evaluate("coded.parquet", e) for e in ("scalar", "batch")]
    assert [done.returncode for done in accepted] == [0, 0], accepted[1].stderr
    assert accepted[0].stdout == accepted[1].stdout
    assert accepted[0].stderr == accepted[1].stderr  # the warnings alike
    assert "township 230113000 is not in the division list" in accepted[1].stderr
    assert json.loads(accepted[1].stdout)["summary"]["communities"] == len(rows)
