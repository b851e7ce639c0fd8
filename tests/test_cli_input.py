"""The command on real-shaped input: column maps, --skip-invalid, --strict-codes.

Every call is a subprocess with real files in a temporary directory; plugin
discovery is off (tests/conftest.py).
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

from helpers import run_cssp

ROWS = (
    "code,households,facility_floor_area,facility_activity_area\n"
    "440106001001,1200,420,100\n"  # an activity area of 24% of the floor area: not met
    ",800,100,200\n"
    "440106001003,-5,abc,\n"
    "230113000201,300,100,\n"
)


def cssp(
    *args: str, cwd: pathlib.Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return run_cssp(*args, cwd=cwd, stdin=stdin, timeout=120)


def test_a_bad_row_stops_the_run_and_nothing_is_written(tmp_path: pathlib.Path) -> None:
    (tmp_path / "rows.csv").write_text(ROWS, encoding="utf-8")
    done = cssp("evaluate", "rows.csv", "--format", "json", "-o", "out.json", cwd=tmp_path)
    assert done.returncode == 2
    assert "4 problems in rows.csv" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out.json").exists()


def test_skip_invalid_evaluates_the_valid_rows_and_lists_the_others(
    tmp_path: pathlib.Path,
) -> None:
    (tmp_path / "rows.csv").write_text(ROWS, encoding="utf-8")
    done = cssp(
        "evaluate", "rows.csv", "--skip-invalid", "--format", "json", "-o", "out.json", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "cssp: skipped rows.csv: row 3:",
        "  rows.csv: row 3, column code: the community code is empty",
        "  rows.csv: row 3, column facility_activity_area: 200 m² is larger than the floor area "
        "of 100 m²",
        "cssp: skipped rows.csv: row 4:",
        "  rows.csv: row 4, column households: -5 is negative",
        "  rows.csv: row 4, column facility_floor_area: 'abc' is not a number with an optional "
        "unit (such as '420 m²' or '420平方米')",
        "cssp: warning: rows.csv: row 5, column code: township 230113000 is not in the division "
        "list (2022 edition of 统计用区划代码): a division revoked, merged or renamed, or a code "
        "never issued",
    ]
    document = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert document["summary"]["communities"] == 2
    assert [row["where"] for row in document["input"]["skipped"]] == [
        "rows.csv: row 3",
        "rows.csv: row 4",
    ]
    # exit 1 with --fail-on unmet, as for the valid rows alone
    done = cssp("evaluate", "rows.csv", "--skip-invalid", "--fail-on", "unmet", cwd=tmp_path)
    assert done.returncode == 1


def test_validate_says_what_was_skipped_and_strict_codes_refuses(tmp_path: pathlib.Path) -> None:
    (tmp_path / "rows.csv").write_text(ROWS, encoding="utf-8")
    done = cssp("validate", "rows.csv", "--skip-invalid", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout == (
        "2 communities read (1 urban, 1 rural) from 1 file(s): 2 rows skipped, 1 warnings\n"
    )
    done = cssp("validate", "rows.csv", "--skip-invalid", "--strict-codes", cwd=tmp_path)
    assert done.stdout.startswith("1 communities read")
    assert "cssp: skipped rows.csv: row 5:" in done.stderr
    good = ROWS.splitlines()[0] + "\n230113000201,300,100,\n"
    (tmp_path / "good.csv").write_text(good, encoding="utf-8")
    assert cssp("validate", "good.csv", cwd=tmp_path).returncode == 0
    done = cssp("validate", "good.csv", "--strict-codes", cwd=tmp_path)
    assert done.returncode == 2
    assert "township 230113000 is not in the division list" in done.stderr


def test_a_column_map_on_the_command_line(tmp_path: pathlib.Path) -> None:
    (tmp_path / "ledger.csv").write_text(
        "admin_code_12,户数(户),remark\n440106001001,1200,x\n", encoding="utf-8"
    )
    (tmp_path / "map.toml").write_text(
        '[columns]\ncode = "admin_code_12"\nhouseholds = "户数(户)"\n'
        '[options]\nunknown_columns = "ignore"\n',
        encoding="utf-8",
    )
    done = cssp("validate", "ledger.csv", "--columns", "map.toml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(": 1 warnings\n")
    assert done.stderr == (
        "cssp: warning: ledger.csv: row 1: columns ignored, as the column map says "
        "(unknown_columns = 'ignore'): remark\n"
    )
    done = cssp("validate", "ledger.csv", cwd=tmp_path)
    assert done.returncode == 2
    assert "(did you mean 'code'?)" in done.stderr


def test_the_batch_engine_honours_the_reading_options(tmp_path: pathlib.Path) -> None:
    # --skip-invalid, --strict-codes and --columns are the readers', whichever engine evaluates
    (tmp_path / "ledger.csv").write_text(
        "code,households,facility_floor_area\n440106001001,1200,420\n440106001002,x,1\n",
        encoding="utf-8",
    )
    for engine in ("batch", "scalar"):
        done = cssp(
            "evaluate",
            "ledger.csv",
            "--engine",
            engine,
            "--skip-invalid",
            "--format",
            "json",
            "--no-communities",
            "-o",
            f"{engine}.json",
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        assert "cssp: skipped ledger.csv: row 3:" in done.stderr
    assert (tmp_path / "batch.json").read_bytes() == (tmp_path / "scalar.json").read_bytes()
    done = cssp("evaluate", "x.parquet", "--engine", "batch", "--skip-invalid", cwd=tmp_path)
    assert done.returncode == 2
    assert "x.parquet: cannot read the file" in done.stderr


def test_standard_input_and_output(tmp_path: pathlib.Path) -> None:
    text = "code,households,facility_floor_area\n440106001001,1200,420\n"
    done = cssp(
        "evaluate",
        "-",
        "--input-format",
        "csv",
        "--format",
        "json",
        "-o",
        "-",
        cwd=tmp_path,
        stdin=text,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["summary"]["communities"] == 1
    assert list(tmp_path.iterdir()) == []  # no file named '-'
    done = cssp("validate", "-", cwd=tmp_path, stdin=text)
    assert done.returncode == 2
    assert "reading standard input needs its format" in done.stderr
    done = cssp("validate", "-", "--input-format", "csv", cwd=tmp_path, stdin="code\n12\n")
    assert done.stderr == (
        "cssp: error: <stdin>: row 2, column code: '12' is not a 12-digit statistical "
        "division code\n"
    )
    done = cssp("targets", "--code", "44", "--format", "json", "-o", "-", cwd=tmp_path)
    assert json.loads(done.stdout)["code"] == "44"


def test_parquet_and_excel_on_standard_input(tmp_path: pathlib.Path) -> None:
    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"code": ["440106001001"], "households": [1200]}), tmp_path / "t.pq")
    book = openpyxl.Workbook()
    book.active.append(["code", "households"])
    book.active.append(["440106001001", 1200])
    book.save(tmp_path / "t.xlsx")
    for name, fmt in (("t.pq", "parquet"), ("t.xlsx", "xlsx")):
        with (tmp_path / name).open("rb") as data:
            done = subprocess.run(
                [sys.executable, "-m", "cssp", "validate", "-", "--input-format", fmt],
                stdin=data,
                capture_output=True,
                check=False,
                timeout=120,
            )
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(b"1 communities read")


LEDGER = (
    "省,县,乡镇,名称,类型,户数,综合服务设施面积\n"
    "浙江,嵊泗县,菜园镇,菜园镇示例社区,城市,1200,约420平方米\n"
    "浙江,嵊泗县,菜园镇,菜园镇示例村,农村,300,100\n"
    "北京市,朝阳区,望京街道,示例社区,城市,800,200\n"
    "北京市,朝阳区,将台地区,示例社区,城市,800,200\n"
)


def test_explain_by_name_one_target_one_language(tmp_path: pathlib.Path) -> None:
    (tmp_path / "ledger.csv").write_text(LEDGER, encoding="utf-8")
    target = "facility_area_per_100_households"
    done = cssp(
        "explain",
        "ledger.csv",
        "--community",
        "菜园镇示例社区",
        "--target",
        target,
        "--lang",
        "zh",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "菜园镇示例社区（330922100 菜园镇示例社区）",
        f"1. 达标 — 每百户居民拥有社区综合服务设施面积 [{target}]",
        "   每百户居民拥有社区综合服务设施面积约为35平方米/百户，达到2025年目标≥30平方米/百户"
        "（国办发〔2021〕56号一、专栏1第4项）。",
    ]
    done = cssp(
        "explain",
        "ledger.csv",
        "--community",
        "330922100 菜园镇示例村",
        "--format",
        "json",
        cwd=tmp_path,
    )
    document = json.loads(done.stdout)
    assert document["community"]["name"] == "菜园镇示例村"
    assert document["kind"] == "assessment"
    done = cssp("explain", "ledger.csv", "--community", "示例社区", cwd=tmp_path)
    assert done.returncode == 2
    assert "2 communities are named '示例社区'" in done.stderr
    done = cssp("explain", "ledger.csv", "--community", "330922100", cwd=tmp_path)
    assert "give one's name" in done.stderr
    done = cssp(
        "explain", "ledger.csv", "--community", "菜园镇示例村", "--target", "x", cwd=tmp_path
    )
    assert done.returncode == 2
    assert "no target 'x'" in done.stderr


def test_validate_and_plugins_as_json(tmp_path: pathlib.Path) -> None:
    (tmp_path / "ledger.csv").write_text(LEDGER, encoding="utf-8")
    done = cssp("validate", "ledger.csv", "--format", "json", cwd=tmp_path)
    document = json.loads(done.stdout)
    assert (document["kind"], document["communities"], document["urban"]) == ("validation", 4, 3)
    assert [p["code"] for p in document["input"]["resolved"]] == [
        "330922100",
        "330922100",
        "110105026",
        "110105023",
    ]
    done = cssp("plugins", "--format", "json", cwd=tmp_path)
    assert json.loads(done.stdout) == {"kind": "plugins", "plugins": [], "schema_version": "2"}
