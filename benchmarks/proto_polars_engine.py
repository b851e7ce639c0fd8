"""Prototype (issue 15 item 3): a Polars engine generated from cssp's declarations, measured.

Not a goal of ``make bench`` (its name does not start with ``bench_``): a
measurement of whether a second columnar engine on Polars (``_polars_engine.py``:
statuses, exact sums, regions and the table rules, all generated from the
declarations cssp's engines read) could meet the ``peers`` goal while
validating its input and summing exactly. See ``benchmarks/RESULTS.md``,
"2026-12-03: alternatives for the peers goal, measured".

Usage::

    python benchmarks/proto_polars_engine.py [--quick] [--scale S] [--repeats N]

It first asserts that the prototype refuses, with cssp's own error, tables
that each break one table rule, and evaluates as cssp does a table out of
order and one with NaN; then, on the synthetic nation, that its statuses,
counts and region codes equal cssp's and its sums equal cssp's exact sums to
the bit. Then it times it in turns with cssp (one thread and ``workers=2``),
the hand-written Polars and DuckDB of ``bench_peers.py``, and variants of the
prototype: validating only the columns the measures read, validating nothing
(exact sums), and validating nothing with Float64 sums; the stages of each;
and the peak memory of cssp, the prototype and Polars by hand.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

import _harness
import numpy as np
import polars as pl
from _harness import best_times, info, machine
from _polars_engine import Run, evaluate, stages
from bench_peers import (
    LEVELS,
    Regions,
    Result,
    cssp_result,
    cssp_run,
    duckdb_run,
    main_indicators,
    polars_run,
)
from numpy.typing import NDArray

import cssp
import cssp.batch
import cssp.synth
from cssp.model.plan import Plan

SEED: Final = 0
FULL_REPEATS: Final = 5
QUICK_REPEATS: Final = 3
QUICK_SCALE: Final = 0.01


# --- held to cssp's answers ------------------------------------------------------------


def as_result(run: Run) -> Result:
    """The prototype's answers as bench_peers' arrays (sums NaN where nothing was evaluated)."""
    ids = [c.target.id for c in run.checks if c.region]
    status = run.statuses.to_numpy().astype(np.uint8)
    regions = {}
    for level, frame in run.levels.items():

        def stack(prefix: str, frame: pl.DataFrame = frame) -> NDArray[np.float64]:
            return np.stack([frame[f"{prefix}:{t}"].to_numpy() for t in ids], axis=1)

        counts = np.stack(
            [np.stack([frame[f"c{k}:{t}"].to_numpy() for k in range(5)], axis=1) for t in ids],
            axis=1,
        ).astype(np.int64)
        regions[level] = Regions(
            frame["key"].to_numpy().astype(np.int64),
            stack("r").astype(np.uint8),
            stack("fn").astype(np.float64),
            stack("fd").astype(np.float64),
            counts,
        )
    return Result(status, regions)


def check_exact(ours: Result, theirs: Result) -> int:
    """Assert the prototype computes what cssp does, sums to the bit; return the sums compared."""
    assert np.array_equal(ours.status, theirs.status), np.argwhere(ours.status != theirs.status)[:5]
    compared = 0
    for level in LEVELS:
        mine, proto = ours.regions[level], theirs.regions[level]
        assert np.array_equal(mine.ids, proto.ids), level
        assert np.array_equal(mine.status, proto.status), level
        assert np.array_equal(mine.counts, proto.counts), level
        for a, b in ((mine.numerator, proto.numerator), (mine.denominator, proto.denominator)):
            assert np.array_equal(a, b, equal_nan=True), (level, np.argwhere(a != b)[:5])
            compared += int((~np.isnan(a)).sum())
    return compared


# --- the validation, held to cssp's ----------------------------------------------------


def _row(frame: pl.DataFrame, column: str, where: pl.Expr) -> int:
    """The first row where ``where`` holds (to break a rule on a row it applies to)."""
    return int(frame.with_row_index().filter(where)["index"][0])


def _set(frame: pl.DataFrame, column: str, row: int, value: Any) -> pl.DataFrame:
    dtype = frame.schema[column]
    cells = frame[column].to_list()
    cells[row] = value
    return frame.with_columns(pl.Series(column, cells, dtype=dtype))


def _broken(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Tables that break one rule each (and two that break none but look odd)."""
    c = pl.col
    floor = _row(frame, "facility_floor_area", c("facility_floor_area").is_not_null())
    areas = c("facility_floor_area").is_null() & c("commercial_floor_area").is_not_null()
    commercial_only = _row(frame, "commercial_floor_area", areas)
    as_float = frame.with_columns(c("households").cast(pl.Float64))
    return {
        "households -3": _set(frame, "households", 3, -3),
        "households 2.5 (a float column)": _set(as_float, "households", 3, 2.5),
        "households 2**53": _set(frame, "households", 3, 2**53),
        "an activity area above the floor area": _set(
            frame, "facility_activity_area", floor, frame["facility_floor_area"][floor] * 2
        ),
        "trained workers above the workers": _set(
            frame, "trained_workers", 3, int(frame["community_workers"][3]) + 1
        ),
        "opening hours 25": _set(frame, "facility_opening_hours", floor, 25.0),
        "visit rate 101 %": _set(frame, "elderly_monthly_visit_rate", 3, 101.0),
        "an infinite building area": _set(frame, "building_area", 3, math.inf),
        "a code with a letter": _set(frame, "code", 3, "11010100100X"),
        "a code of 11 digits": _set(frame, "code", 3, "11010100100"),
        "a code with a sign": _set(frame, "code", 3, "+11010100100"),
        "a code of no province": _set(frame, "code", 3, "991010010001"),
        "village digits 700": _set(frame, "code", 3, frame["code"][3][:9] + "700"),
        "a code twice": _set(frame, "code", 4, frame["code"][3]),
        "no code": _set(frame, "code", 3, None),
        "no facility, but a floor area": _set(frame, "has_facility", floor, False),
        "a commercial area alone": _set(frame, "has_facility", commercial_only, None),
    }


def _refusal(run: Callable[[], object]) -> str | None:
    """The message of the InputError ``run`` raises (None: it raises none)."""
    try:
        run()
    except cssp.InputError as error:
        return str(error)
    return None


def check_validation(folder: Path) -> None:
    """Assert that the prototype refuses each broken table with cssp's error, and
    evaluates as cssp does a table in another order and one with NaN for a missing value."""
    path = folder / "small.parquet"
    cssp.synth.write(cssp.synth.nation(0.002, seed=SEED), path)
    frame = pl.read_parquet(path)
    plan = main_indicators()
    for label, broken in _broken(frame).items():
        target = folder / "broken.parquet"
        broken.write_parquet(target)
        expected = _refusal(
            functools.partial(cssp.batch.evaluate_parquet, target, plan, profiles=())
        )
        assert expected is not None, f"cssp accepts the table with {label}"
        found = _refusal(functools.partial(evaluate, target, plan))
        assert found == expected, (label, found, expected)
    row = _row(frame, "building_area", pl.col("building_area").is_not_null())
    odd = {
        "in reverse order": frame.reverse(),
        "NaN for a building area": _set(frame, "building_area", row, math.nan),
    }
    for table in odd.values():
        target = folder / "odd.parquet"
        table.write_parquet(target)
        check_exact(cssp_result(target, plan), as_result(evaluate(target, plan)))
    info(
        f"proto: each of {len(_broken(frame))} tables breaking a rule is refused with cssp's "
        f"error; {' and '.join(odd)}, the answers equal cssp's"
    )


# --- timing -----------------------------------------------------------------------------


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def bench(scale: float, repeats: int, folder: Path, few: bool = False) -> None:
    """Check, then time; ``few``: time cssp, Polars by hand and the validated prototypes only."""
    import duckdb

    columns = cssp.synth.nation(scale, seed=SEED)
    n = len(columns["code"])
    path = folder / "nation.parquet"
    cssp.synth.write(columns, path)
    del columns
    info(
        f"proto: synthetic nation at scale {scale:g}: {n:,} communities, "
        f"{len(pl.read_parquet_schema(path))} columns; Polars {pl.__version__} "
        f"({pl.thread_pool_size()} threads), DuckDB {duckdb.__version__}; {load()}"
    )
    check_validation(folder)
    plan = main_indicators()
    ours = cssp_result(path, plan)
    compared = check_exact(ours, as_result(evaluate(path, plan)))
    info(
        f"proto: its {ours.status.size:,} community statuses, the regions' codes, statuses "
        f"and counts at five levels equal cssp's; its {compared:,} region sums equal cssp's "
        "exact sums to the bit"
    )
    compared = check_exact(ours, as_result(evaluate(path, plan, validate=False, every=False)))
    check_exact(ours, as_result(evaluate(path, plan, every=False)))
    loose = as_result(evaluate(path, plan, validate=False, exact=False, every=False))
    assert np.array_equal(loose.status, ours.status)
    connection = duckdb.connect()
    runs: dict[str, Callable[[], object]] = {
        "cssp (evaluate_parquet + regions x5)": lambda: cssp_run(path, plan),
        "cssp, workers=2": lambda: _cssp_workers(path, plan),
        "Polars by hand (bench_peers)": lambda: polars_run(path),
        "DuckDB by hand (bench_peers)": lambda: duckdb_run(path, connection),
        "proto: validated, exact": lambda: evaluate(path, plan),
        "proto: validated (needed columns), exact": lambda: evaluate(path, plan, every=False),
        "proto: not validated, exact": lambda: evaluate(path, plan, validate=False, every=False),
        "proto: not validated, float sums": lambda: evaluate(
            path, plan, validate=False, exact=False, every=False
        ),
        "of the file: Polars reads every column": lambda: pl.read_parquet(path),
    }
    if few:
        runs = {label: run for label, run in runs.items() if label in FEW}
    clocks: dict[str, float] = {}

    def cpu(label: str, run: Callable[[], object]) -> Callable[[], object]:
        def timed() -> object:
            start = time.process_time()
            out = run()
            clocks[label] = min(clocks.get(label, math.inf), time.process_time() - start)
            return out

        return timed

    before = load()
    times = best_times([cpu(label, run) for label, run in runs.items()], repeats)
    info(f"proto: {before} before timing, {load()} after")
    for (label, _), seconds in zip(runs.items(), times, strict=True):
        info(
            f"proto: {label:<40} {seconds * 1e3:8.1f} ms wall {clocks[label] * 1e3:8.1f} ms CPU "
            f"{seconds * 1e9 / n:6.0f} ns/community"
        )
    peers = [times[k] for k, label in enumerate(runs) if label in PEERS]
    fastest = min(peers)
    polars_cpu = clocks[POLARS]
    for k, label in enumerate(runs):
        if label in PEERS or label.startswith("of the file"):
            continue
        info(
            f"proto: {label} / the faster peer = {times[k] / fastest:.2f} "
            f"(processor time / Polars's: {clocks[label] / polars_cpu:.2f})"
        )
    if few:
        return
    variants: tuple[dict[str, bool], ...] = (
        {},
        {"every": False},
        {"validate": False, "every": False},
        {"validate": False, "exact": False, "every": False},
    )
    for options in variants:
        found = stages(path, plan, repeats, **options)
        info(
            f"proto: stages of evaluate({', '.join(f'{k}={v}' for k, v in options.items())}), "
            "best wall/CPU ms: "
            + "; ".join(f"{stage} {wall:.0f}/{cpu:.0f}" for stage, (wall, cpu) in found.items())
            + f" ({load()})"
        )
    for kind in ("cssp", "proto", "polars"):
        info(
            f"proto: peak RSS above the imports, {kind}: "
            f"{_peak_rss(kind, path) / n:.0f} B a community"
        )


POLARS: Final = "Polars by hand (bench_peers)"
PEERS: Final = frozenset((POLARS, "DuckDB by hand (bench_peers)"))
#: What ``--few`` times.
FEW: Final = frozenset(
    (
        "cssp (evaluate_parquet + regions x5)",
        POLARS,
        "proto: validated, exact",
        "proto: validated (needed columns), exact",
    )
)
LAUNCHER: Final = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"


def _peak_rss(kind: str, path: Path) -> float:
    """The peak resident set of one run in a fresh interpreter, above its imports (bytes)."""
    here = Path(__file__).resolve()
    out = subprocess.run(  # through a small launcher: Linux keeps ru_maxrss across execve
        [sys.executable, "-c", LAUNCHER, sys.executable, str(here), "--child", kind, str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=here.parent,
    ).stdout
    return float(out.split()[-1])


def _child(kind: str, path: Path) -> None:
    """Run one evaluation and print the peak RSS it added over the imports (in bytes)."""
    plan = main_indicators()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if kind == "cssp":
        cssp_run(path, plan)
    elif kind == "proto":
        evaluate(path, plan)
    else:
        polars_run(path)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print((after - before) * 1024)


def _cssp_workers(path: Path, plan: Plan) -> object:
    result = cssp.batch.evaluate_parquet(path, plan, profiles=(), workers=2)
    return [result.regions(level) for level in LEVELS]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="scale 0.01, fewer repeats")
    parser.add_argument("--scale", type=float, default=None, help="1.0: 615,000 communities")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument(
        "--few", action="store_true", help="time cssp, Polars by hand and the validated prototype"
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], Path(args.child[1]))
        return 0
    scale = args.scale if args.scale is not None else (QUICK_SCALE if args.quick else 1.0)
    repeats = args.repeats or (QUICK_REPEATS if args.quick else FULL_REPEATS)
    print(f"# {os.path.basename(__file__)}", flush=True)
    print(f"machine: {machine()}", flush=True)
    print(
        f"versions: cssp {cssp.__version__}, numpy {np.__version__}, Polars {pl.__version__}; "
        f"best of {repeats} after a warm-up, in turns",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="cssp-proto-polars-") as folder:
        bench(scale, repeats, Path(folder), few=args.few)
    _harness.info("proto: done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
