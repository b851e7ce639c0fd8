"""The command on real-shaped input: column maps, --skip-invalid, --strict-codes.

Every call is a subprocess with real files in a temporary directory; plugin
discovery is off (tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

ROWS = (
    "code,households,facility_floor_area,facility_activity_area\n"
    "440106001001,1200,420,100\n"  # an activity area of 24% of the floor area: not met
    ",800,,200\n"
    "440106001003,-5,abc,\n"
    "230113000201,300,100,\n"
)


def cssp(
    *args: str, cwd: pathlib.Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "cssp", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        input=stdin,
        check=False,
        timeout=120,
    )


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
        "  rows.csv: row 3, column facility_floor_area: the comprehensive facility's floor area "
        "is empty, but facility_activity_area describes one: fill in its floor area, or clear "
        "the other facility columns",
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


def test_the_batch_engine_refuses_the_options_it_cannot_honour(tmp_path: pathlib.Path) -> None:
    done = cssp("evaluate", "x.parquet", "--engine", "batch", "--skip-invalid", cwd=tmp_path)
    assert done.returncode == 2
    assert "need the default engine" in done.stderr
