"""Performance goals of starting: the command against importing pint, the package against its deps.

Two goals, one line each::

    GOAL startup: <ratio> (limit 1.2) PASS|FAIL
    GOAL import_vs_deps: <ratio> (limit 1.3) PASS|FAIL

``startup``
    The wall time of ``cssp --version`` (the console script installed next to
    this interpreter; ``python -m cssp --version`` where there is none), run
    in a new process, against that of ``python -c "import pint"``, the unit
    library cssp builds on. Ratio = median cssp time ÷ median pint time; the
    goal is met when the ratio is at most the limit. Before timing, the script
    asserts that the command prints ``cssp <version>``.

``import_vs_deps``
    The wall time of ``python -c "import cssp"`` against that of ``python -c
    "import attrs, cattrs, pluggy, tomllib"``, the libraries cssp's core is
    built on, each in a new process. Ratio = median cssp time ÷ median
    baseline time; the goal is met when the ratio is at most the limit: the
    package itself should cost little more than what it cannot do without.
    Reported with it, from a separate interpreter: what ``import cssp`` loads
    that the baseline does not (how many ``cssp.*`` and other modules, the
    slowest of them by ``-X importtime``), and that it loads no pint, numpy,
    pyarrow, pandas, reader, writer or report: the script fails if it does.

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

#: The goals: name -> the greatest acceptable ratio (cssp time / baseline time).
LIMITS: Final = {"startup": 1.2, "import_vs_deps": 1.3}
#: The libraries cssp's core imports: the baseline of ``import_vs_deps``.
DEPS: Final = "import attrs, cattrs, pluggy, tomllib"
#: Modules ``import cssp`` must not load: the heavy or optional dependencies,
#: and the readers, writers and reports (imported when a function needs them).
FORBIDDEN: Final = ("pint", "numpy", "pyarrow", "pandas", "cssp.io", "cssp.report", "cssp.batch")
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
        "model": [python, "-c", "import cssp; cssp.Community"],
        "engine": [python, "-c", "import cssp; cssp.evaluate"],
        "deps": [python, "-c", DEPS],
    }
    found = dict(zip(commands, medians(list(commands.values()), runs), strict=True))
    start = found["python"]

    def line(label: str, key: str) -> None:
        seconds = found[key]
        info(
            f"startup: {label:<52} {seconds * 1e3:6.1f} ms "
            f"({(seconds - start) * 1e3:6.1f} ms after the interpreter's start)"
        )

    line("python -c pass", "python")
    line('python -c "import pint" (baseline)', "pint")
    line("cssp --version" if len(command) == 2 else "python -m cssp --version (no script)", "cssp")
    line("python -m cssp --version", "module")
    line('python -c "import cssp.cli"', "cli")
    line('python -c "import cssp"', "package")
    line('python -c "import cssp; cssp.Community" (the model)', "model")
    line('python -c "import cssp; cssp.evaluate" (the engine)', "engine")
    line(f'python -c "{DEPS}"', "deps")
    info(
        "startup: names load on first use (PEP 562): the model is "
        f"{found['model'] / found['deps']:.2f}x the baseline, the engine with the "
        f"catalogue and plugins {found['engine'] / found['deps']:.2f}x (information)"
    )
    _harness.goal(
        "startup", found["cssp"] / found["pint"], LIMITS["startup"], at_most=True, digits=2
    )
    _harness.goal(
        "import_vs_deps",
        found["package"] / found["deps"],
        LIMITS["import_vs_deps"],
        at_most=True,
        digits=2,
    )


# In a new interpreter: import the baseline, then cssp, with -X importtime;
# print the modules cssp added, one a line.
_LOADED: Final = f"""
import sys
{DEPS}
before = set(sys.modules)
import cssp
print("\\n".join(sorted(set(sys.modules) - before)))
"""


def _self_times(stderr: str) -> dict[str, int]:
    """Each module's own import time in µs, from ``-X importtime``'s lines."""
    times: dict[str, int] = {}
    for text in stderr.splitlines():
        parts = text.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[0].strip().isdigit():
            times[parts[2].strip()] = int(parts[0])
    return times


def _outermost(module: str, new: set[str]) -> str:
    """The outermost package of ``module`` among ``new``: ``importlib.metadata`` for
    ``importlib.metadata._adapters`` when the baseline had loaded ``importlib``."""
    parts = module.split(".")
    for length in range(1, len(parts)):
        prefix = ".".join(parts[:length])
        if prefix in new:
            return prefix
    return module


def what_import_loads() -> list[str]:
    """Report what ``import cssp`` loads beyond the baseline; return what it must not load."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", _LOADED],
        capture_output=True,
        text=True,
        check=True,
    )
    added = done.stdout.split()
    own = [m for m in added if m == "cssp" or m.startswith("cssp.")]
    others = [m for m in added if m not in own]
    tops = sorted({_outermost(m, set(added)) for m in others if not m.startswith("_")})
    times = _self_times(done.stderr)
    own_time = sum(times.get(m, 0) for m in own)
    other_time = sum(times.get(m, 0) for m in others)
    info(
        f"import: import cssp loads {len(added)} modules beyond the baseline's: {len(own)} of "
        f"cssp ({own_time / 1e3:.0f} ms of -X importtime self time), {len(others)} others "
        f"({other_time / 1e3:.0f} ms), of {', '.join(tops)} and private modules"
    )
    slowest = sorted(added, key=lambda m: times.get(m, 0), reverse=True)[:8]
    info(
        "import: slowest by self time: "
        + ", ".join(f"{m} {times.get(m, 0) / 1e3:.1f} ms" for m in slowest)
    )
    loaded = [
        name for name in FORBIDDEN if any(m == name or m.startswith(name + ".") for m in added)
    ]
    info(
        f"import: loads {', '.join(loaded) if loaded else 'none'} of "
        f"{', '.join(FORBIDDEN)} (must be none)"
    )
    return loaded


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
    forbidden = what_import_loads()
    bench_startup(runs)
    assert not forbidden, f"import cssp loads {', '.join(forbidden)}"
    return 0


if __name__ == "__main__":
    sys.exit(main())
