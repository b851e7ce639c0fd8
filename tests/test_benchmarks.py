"""Smoke test of the benchmarks: they run, and print a line for each goal.

Timings are not tests: whether a goal passes is not asserted here (see
``benchmarks/RESULTS.md`` for the figures). ``--quick`` runs the national-scale
benchmarks on a synthetic nation at scale 0.01 (6,150 communities).
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

RUN = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"
GOALS = (
    "scalar_vs_inlined",
    "construct_vs_pint",
    "profiles_overhead",
    "csv_read_vs_dictreader",
    "batch_vs_numpy",
    "parquet_vs_numpy",
    "batch_memory",
    "batch_memory_arrow_default",
    "peers",
    "startup",
    "import_vs_deps",
    "stream_province_csv_json_compact_mb",
    "stream_province_csv_json_compact_bytes",
    "stream_nation_csv_region_json_mb",
    "stream_nation_csv_vs_parquet",
    "stream_jsonl_mb",
    "stream_jsonl_growth",
)
#: The service's goals, when the server extra is installed (bench_server.py).
SERVER_GOALS = ("server_one_community_rate", "server_10k_vs_in_process")


def test_quick_run_reports_every_goal() -> None:
    result = subprocess.run(
        [sys.executable, str(RUN), "--quick", "--scale", "0.01"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,  # the quick run of every script, the service's included, on a loaded machine
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    server = importlib.util.find_spec("litestar") and importlib.util.find_spec("uvicorn")
    for name in GOALS + (SERVER_GOALS if server else ()):
        line = re.compile(rf"^GOAL {name}: \d+(\.\d+)? \(limit [\d.]+\) (PASS|FAIL)$", re.MULTILINE)
        assert line.search(result.stdout), f"no GOAL line for {name}:\n{result.stdout}"
