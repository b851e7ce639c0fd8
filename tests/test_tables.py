"""Tables out: findings as DataFrames and Arrow tables, xlsx and Parquet files; tables in."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

import cssp
from cssp.cli import main
from cssp.engine.tables import FINDING_COLUMNS
from cssp.report import report_to_dict

pandas = pytest.importorskip("pandas")
arrow = pytest.importorskip("pyarrow")
parquet = pytest.importorskip("pyarrow.parquet")
openpyxl = pytest.importorskip("openpyxl")

SAMPLE = Path(cssp.__file__).parent / "data" / "sample_communities.json"


@pytest.fixture(scope="module")
def report() -> cssp.RegionReport:
    return cssp.evaluate_region(cssp.load_sample(), by="county", profiles=())


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def test_a_region_reports_rows_are_its_findings(report: cssp.RegionReport) -> None:
    frame = report.to_pandas()
    document = report_to_dict(report, include_communities=False)
    expected = [
        (r["code"], f["target"], f["status"], f["observed"], f["required"], f["explanation"]["en"])
        for r in document["regions"]
        for f in r["findings"]
    ]
    found = list(
        zip(
            frame["subject"],
            frame["target"],
            frame["status"],
            frame["observed"],
            frame["required"],
            frame["explanation_en"],
            strict=True,
        )
    )
    assert len(found) == len(expected)
    for row, want in zip(found, expected, strict=True):
        observed = None if math.isnan(row[3]) else row[3]
        required = None if math.isnan(row[4]) else row[4]  # a direction sets no level
        assert (row[0], row[1], row[2], observed, required, row[5]) == want


def test_community_rows_name_their_region(report: cssp.RegionReport) -> None:
    frame = report.to_pandas("community")
    assert len(frame) == sum(len(a.findings) for a in report.assessments)
    region_of = {code: r.code for r in report.regions for code in r.communities}
    assert all(frame["region"] == frame["subject"].map(region_of))
    assert set(frame["level"]) == {"community"}
    with pytest.raises(cssp.InputError, match="'township' is not a level"):
        report.to_pandas("township")


def test_pandas_and_arrow_tables_agree_and_are_typed(report: cssp.RegionReport) -> None:
    for level in ("region", "community"):
        ours = report.to_pandas(level)
        table = report.to_arrow(level)
        assert table.column_names == [name for name, _ in FINDING_COLUMNS] == list(ours.columns)
        assert table.schema.field("observed").type == arrow.float64()
        assert table.schema.field("year").type == arrow.int64()
        assert str(ours["observed"].dtype) == "float64"
        assert str(ours["met"].dtype) == "Int64"
        converted = table.to_pydict()
        for name in ("subject", "target", "status", "observed", "met", "on_track"):
            left = [None if v is pandas.NA else v for v in ours[name].astype(object)]
            right = converted[name]
            assert all(
                _same(a, math.nan if b is None and name == "observed" else b)
                for a, b in zip(left, right, strict=True)
            ), name


def test_an_assessment_and_a_region_give_one_row_per_target(report: cssp.RegionReport) -> None:
    assessment = report.assessments[0]
    frame = assessment.to_pandas()
    assert list(frame["target"]) == [f.target.id for f in assessment.findings]
    assert list(frame["status"]) == [f.status.value for f in assessment.findings]
    assert assessment.to_arrow().num_rows == len(assessment.findings)
    region = report.regions[0]
    assert list(region.to_arrow().column("target").to_pylist()) == [
        f.target.id for f in region.findings
    ]


@pytest.mark.parametrize("engine", ["scalar", "batch"])
def test_verdicts_as_tables(engine: str) -> None:
    verdicts = cssp.evaluate_many(cssp.load_sample(), profiles=(), engine=engine)
    frame = verdicts.to_pandas()
    expected = [
        (code, target, status.value)
        for index, code in enumerate(verdicts.codes)
        for target, status in verdicts.status_of(index).items()
    ]
    assert list(zip(frame["code"], frame["target"], frame["status"], strict=True)) == expected
    table = verdicts.to_arrow()
    assert table.schema.field("status").type == arrow.dictionary(arrow.int32(), arrow.string())
    rows = zip(*(table.column(n).to_pylist() for n in ("code", "target", "status")), strict=True)
    assert list(rows) == expected


def test_tables_import_pandas_and_pyarrow_only_when_asked() -> None:
    code = (
        "import sys, cssp; from cssp.report import render_report; "
        "r = cssp.evaluate_region(cssp.load_sample(), profiles=()); render_report(r, 'json'); "
        "cssp.evaluate_many(cssp.load_sample(), profiles=(), engine='scalar'); "
        "print('pandas' in sys.modules, 'pyarrow' in sys.modules); "
        "r.to_arrow(); print('pyarrow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "True"]


# --- tables in ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["pandas", "arrow"])
def test_evaluate_region_and_many_take_a_table(kind: str) -> None:
    synth = pytest.importorskip("cssp.synth")
    columns = synth.nation(0.002, seed=3)
    communities = synth.communities(0.002, seed=3)
    frame = pandas.DataFrame(dict(columns.items()))
    table = frame if kind == "pandas" else arrow.Table.from_pandas(frame)
    from_table = cssp.evaluate_region(table, by="county", profiles=())
    from_objects = cssp.evaluate_region(communities, by="county", profiles=())
    assert report_to_dict(from_table, include_communities=False) == report_to_dict(
        from_objects, include_communities=False
    )
    assert from_table.summary is not None
    assert from_table.summary.communities == len(communities)
    assert cssp.evaluate_many(table, profiles=()) == cssp.evaluate_many(
        communities, profiles=(), engine="batch"
    )


# --- files --------------------------------------------------------------------------


def test_the_workbook_has_a_sheet_per_level_and_one_of_findings(
    report: cssp.RegionReport,
) -> None:
    from cssp.report.tables import report_xlsx

    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(report)))
    assert book.sheetnames == ["地区", "社区", "指标结果"]
    regions = book["地区"]
    assert regions.freeze_panes == "A2"
    header = [c.value for c in regions[1]]
    assert header[:2] == ["代码", "名称"]
    assert "每百户居民拥有社区综合服务设施面积（平方米/百户）" in header
    column = header.index("每百户居民拥有社区综合服务设施面积（平方米/百户）")
    first = report.regions[0]
    row = [c.value for c in regions[2]]
    assert row[0] == first.code
    value = row[column]
    assert isinstance(value, float)
    assert value == first.finding("facility_area_per_100_households").observed
    assert row[column + 1] in ("达标", "未达标", "不适用", "无数据")
    assert book["社区"].max_row == len(report.assessments) + 1
    findings = book["指标结果"]
    total = sum(len(r.findings) for r in report.regions)
    total += sum(len(a.findings) for a in report.assessments)
    assert findings.max_row == total + 1
    english = openpyxl.load_workbook(io.BytesIO(report_xlsx(report, lang="en")))
    assert english.sheetnames == ["regions", "communities", "findings"]


def test_the_parquet_file_is_the_findings_table(report: cssp.RegionReport) -> None:
    from cssp.report.tables import report_parquet

    table = parquet.read_table(arrow.BufferReader(report_parquet(report)))
    expected = arrow.concat_tables([report.to_arrow("region"), report.to_arrow("community")])
    assert table.equals(expected)


def test_the_command_writes_xlsx_and_parquet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "report.xlsx"
    assert main(["evaluate", str(SAMPLE), "--format", "xlsx", "-o", str(book)]) == 0
    assert openpyxl.load_workbook(book).sheetnames == ["地区", "社区", "指标结果"]
    table = tmp_path / "report.parquet"
    assert main(["demo", "--no-plugins", "--format", "parquet", "-o", str(table)]) == 0
    assert parquet.read_table(table).num_rows > 1000
    assert main(["demo", "--no-plugins", "--format", "json", "-o", str(tmp_path / "d.json")]) == 0
    assert json.loads((tmp_path / "d.json").read_text("utf-8"))["kind"] == "region_report"
    capsys.readouterr()


def test_a_binary_format_on_a_terminal_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["evaluate", str(SAMPLE), "--format", "xlsx"]) == 2
    assert "give -o FILE" in capsys.readouterr().err
