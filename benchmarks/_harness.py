"""What every benchmark script shares: timing in turns, the machine line, the output lines.

Each script prints one line per goal, ``GOAL <name>: <measured> (limit <limit>)
PASS|FAIL``, and ``INFO`` lines for figures that are not goals. The scripts run
as files (``python benchmarks/bench_x.py``), so this module is imported by name.
"""

from __future__ import annotations

import gc
import math
import os
import platform
import time
from collections.abc import Callable, Sequence


def best_times(
    runs: Sequence[Callable[[], object]], repeats: int, *, collector: bool = False
) -> list[float]:
    """Seconds taken by the fastest of ``repeats`` calls of each of ``runs``.

    Every run is called once to warm up; then the runs take turns, repeat by
    repeat, so that a change in the machine's load affects the baseline and
    cssp alike rather than whichever happened to run during it. The garbage
    collector is off while timing, as :mod:`timeit` has it, unless ``collector``.
    """
    for run in runs:
        run()
    best = [math.inf] * len(runs)
    enabled = gc.isenabled()
    gc.collect()
    if not collector:
        gc.disable()
    try:
        for _ in range(repeats):
            for index, run in enumerate(runs):
                start = time.perf_counter()
                run()
                best[index] = min(best[index], time.perf_counter() - start)
    finally:
        if enabled:
            gc.enable()
    return best


def goal(name: str, ratio: float, limit: float, *, at_most: bool, digits: int = 1) -> bool:
    """Print a goal's line and return whether it passed.

    :param at_most: the ratio must be at most ``limit`` (an overhead), else at
        least ``limit`` (a speed-up).
    """
    passed = ratio <= limit if at_most else ratio >= limit
    verdict = "PASS" if passed else "FAIL"
    print(f"GOAL {name}: {ratio:.{digits}f} (limit {limit:g}) {verdict}", flush=True)
    return passed


def info(text: str) -> None:
    """Print a line of information (not a goal)."""
    print(f"INFO {text}", flush=True)


def machine() -> str:
    """The machine, in one line: platform, Python, CPU count and model."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.partition(":")[2].strip()
                    break
    except OSError:
        pass
    return (
        f"{platform.platform()} | {platform.python_implementation()} "
        f"{platform.python_version()} | {os.cpu_count()} CPUs | {model}"
    )
