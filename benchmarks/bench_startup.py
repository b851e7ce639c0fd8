"""Performance goal of the command line's start: ``cssp --version`` against importing pint.

One goal, one line::

    GOAL startup: <ratio> (limit 1.2) PASS|FAIL

``startup``
    The wall time of ``cssp --version`` (the console script installed next to
    this interpreter; ``python -m cssp --version`` where there is none), run
    in a new process, against that of ``python -c "import pint"``, the unit
    library cssp builds on. Ratio = median cssp time ÷ median pint time; the
    goal is met when the ratio is at most the limit. Before timing, the script
    asserts that the command prints ``cssp <version>``.

Reported as information: the interpreter's own start (``python -c pass``),
``python -m cssp --version``, and the imports of ``cssp.cli`` (which a
console script starts with) and ``cssp``.

Each command runs several times, the commands taking turns, and the median of
each is kept (a process start varies more than a loop in a process). ``--quick``
(fewer runs) is the smoke test's mode.

Run ``python benchmarks/run.py`` (or ``make bench``) to run every benchmark.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import _harness
from _harness import info, machine

import cssp

#: The goal: name -> the greatest acceptable ratio (cssp time / pint time).
LIMITS: Final = {"startup": 1.2}
FULL_RUNS: Final = 21
QUICK_RUNS: Final = 5


def cssp_command() -> list[str]:
    """``cssp`` next to this interpreter, or ``python -m cssp``."""
    script = Path(sys.executable).parent / "cssp"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "cssp"]


def run(command: Sequence[str]) -> float:
    """Seconds taken by one run of ``command`` in a new process (output discarded)."""
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def medians(commands: Sequence[Sequence[str]], runs: int) -> list[float]:
    """The median time of each command over ``runs`` runs, after one warm-up each, in turns."""
    for command in commands:
        run(command)
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for index, command in enumerate(commands):
            times[index].append(run(command))
    return [statistics.median(t) for t in times]


def bench_startup(runs: int) -> None:
    command = [*cssp_command(), "--version"]
    printed = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert printed.strip() == f"cssp {cssp.__version__}", printed
    python = sys.executable
    commands = {
        "cssp": command,
        "pint": [python, "-c", "import pint"],
        "python": [python, "-c", "pass"],
        "module": [python, "-m", "cssp", "--version"],
        "cli": [python, "-c", "import cssp.cli"],
        "package": [python, "-c", "import cssp"],
    }
    found = dict(zip(commands, medians(list(commands.values()), runs), strict=True))
    start = found["python"]

    def line(label: str, key: str) -> None:
        seconds = found[key]
        info(
            f"startup: {label:<34} {seconds * 1e3:6.1f} ms "
            f"({(seconds - start) * 1e3:6.1f} ms after the interpreter's start)"
        )

    line("python -c pass", "python")
    line('python -c "import pint" (baseline)', "pint")
    line("cssp --version" if len(command) == 2 else "python -m cssp --version (no script)", "cssp")
    line("python -m cssp --version", "module")
    line('python -c "import cssp.cli"', "cli")
    line('python -c "import cssp"', "package")
    _harness.goal(
        "startup", found["cssp"] / found["pint"], LIMITS["startup"], at_most=True, digits=2
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer runs (smoke test)")
    args = parser.parse_args(argv)
    runs = QUICK_RUNS if args.quick else FULL_RUNS

    print(f"# {os.path.basename(__file__)}", flush=True)
    print(f"machine: {machine()}", flush=True)
    print(
        f"versions: cssp {cssp.__version__}; mode: {'quick' if args.quick else 'full'}, "
        f"median of {runs} runs",
        flush=True,
    )
    bench_startup(runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
