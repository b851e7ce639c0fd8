"""Run every ``benchmarks/bench_*.py`` and report their goals.

Each script runs in its own process, with this interpreter, and its output is
streamed as it comes. The exit status is 0 when every script ran to the end,
whether its goals passed or failed (the run is a report, not a test), and 1
when a script crashed (a non-zero exit status, for example a failed assertion
that its baseline gives cssp's results).

Usage::

    python benchmarks/run.py [--quick] [--scale SCALE]

``--quick`` is passed to every script: fewer iterations, rougher figures.
``--scale`` sets the size of the synthetic nation of the national-scale
benchmarks (``bench_batch.py``; 1.0 is 615,000 communities, the default, and
0.01 with ``--quick``) through the environment variable ``CSSP_BENCH_SCALE``,
which may also be set directly.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

HERE: Final = Path(__file__).resolve().parent
GOAL_LINE: Final = re.compile(
    r"^GOAL (?P<name>\S+): (?P<ratio>\S+) \(limit (?P<limit>[^)]+)\) (?P<verdict>PASS|FAIL)$"
)


def scripts() -> list[Path]:
    """The benchmark scripts, in name order."""
    return sorted(HERE.glob("bench_*.py"))


#: The environment variable that sets the synthetic nation's scale.
SCALE_VARIABLE: Final = "CSSP_BENCH_SCALE"


def run_script(
    script: Path, arguments: Sequence[str], environment: dict[str, str] | None = None
) -> tuple[int, list[str]]:
    """Run one script, echo its standard output line by line, and return (status, goal lines)."""
    goals: list[str] = []
    with subprocess.Popen(
        [sys.executable, str(script), *arguments],
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        bufsize=1,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            if GOAL_LINE.match(line.rstrip("\n")):
                goals.append(line.rstrip("\n"))
    return process.returncode, goals


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run cssp's benchmarks and report their goals.")
    parser.add_argument("--quick", action="store_true", help="fewer iterations (smoke test)")
    parser.add_argument(
        "--scale",
        type=float,
        default=None,
        help=f"size of the synthetic nation, 1.0 = 615,000 communities (sets ${SCALE_VARIABLE})",
    )
    args = parser.parse_args(argv)
    arguments = ["--quick"] if args.quick else []
    environment = None
    if args.scale is not None:
        environment = {**os.environ, SCALE_VARIABLE: repr(args.scale)}

    found = scripts()
    if not found:
        print(f"no bench_*.py in {HERE}", file=sys.stderr)
        return 1
    crashed: list[str] = []
    goals: list[str] = []
    for script in found:
        status, lines = run_script(script, arguments, environment)
        goals.extend(lines)
        if status != 0:
            crashed.append(f"{script.name} (exit status {status})")
        print(flush=True)

    failed = [line for line in goals if line.endswith(" FAIL")]
    print(
        f"summary: {len(goals)} goals, {len(goals) - len(failed)} PASS, {len(failed)} FAIL; "
        f"{len(found)} scripts, {len(crashed)} crashed",
        flush=True,
    )
    for line in failed:
        print(f"  {line}", flush=True)
    for name in crashed:
        print(f"  CRASHED {name}", flush=True)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
