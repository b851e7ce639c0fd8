"""Performance goal against the tools a data team would reach for: Polars and DuckDB.

One goal, one line::

    GOAL peers: <ratio> (limit 1.0) PASS|FAIL

``peers``
    The plan's seven main indicators (专栏1) on the synthetic nation
    (:func:`cssp.synth.nation`, scale 1.0: 615,000 communities) read from one
    Parquet file: each community's verdict on each of the seven targets, and
    the ratio-of-sums figures and verdicts of every township, county,
    prefecture, province and of the nation. cssp does it with
    :func:`cssp.batch.evaluate_parquet` on the plan restricted to those seven
    indicators and ``regions(level)`` at the five levels; Polars and DuckDB
    with the same rules written by hand in their own languages (expressions,
    SQL), in this script. Ratio = cssp's time ÷ the faster peer's. cssp runs
    with ``kernel="auto"``: its Polars kernel when Polars is installed
    (:mod:`cssp.batch.on_polars`; ``evaluate_parquet``'s default is the numpy
    kernel, whose memory grows with the communities alone); the numpy kernel,
    the reference, is timed beside it for information. The rules
    are the plan's as cssp reads them: rural facility coverage (80 %) is a
    region's rate, so a village counts towards it without a verdict of its
    own; the commercial share is judged for newly built communities.

It is not the same work, and the difference is on cssp's side: cssp reads and
validates every column of the table format (the peers read the 21 columns the
seven indicators need and check nothing), and sums exactly — its figures are
:func:`math.fsum` of the communities' values, to the bit — where the peers add
floats in whatever order their threads meet them. Each peer uses every core
(Polars' and DuckDB's defaults), and so does cssp's Polars kernel (its
numpy kernel decodes in Arrow's threads and evaluates in one).

Before timing, the script asserts that each peer computes what cssp does:
every community's status on every target, and at every level the regions'
codes, statuses and counts, equal; the sums of whole numbers (households,
communities, workers) equal; the sums of areas equal within a relative
1e-12 — a float sum's last bits depend on its order — and it reports how many
of them differ from cssp's exact sum at all, and by how many units in the
last place at most.

Timings are the best of several repeats after a warm-up, the garbage
collector off while timing, the three taking turns. The nation's size:
``--scale`` or ``CSSP_BENCH_SCALE`` (default 1.0; ``--quick``, the smoke
test's mode, defaults to 0.01 and fewer repeats). Needs polars and duckdb
(development dependencies); without them the script says so and prints no
goal line.

Run ``python benchmarks/run.py`` (or ``make bench``) to run every benchmark.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import _harness
import attrs
import numpy as np
from _harness import best_times, info, machine
from numpy.typing import NDArray

import cssp
import cssp.batch
import cssp.synth
from cssp.model.plan import Plan

#: The goal: name -> the greatest acceptable ratio (cssp time / the faster peer's).
LIMITS: Final = {"peers": 1.0}
SEED: Final = 0
SCALE_VARIABLE: Final = "CSSP_BENCH_SCALE"
FULL_REPEATS: Final = 5
QUICK_REPEATS: Final = 3
QUICK_SCALE: Final = 0.01
LEVELS: Final = ("township", "county", "prefecture", "province", "nation")
#: A level's region id is the 12-digit code, as a number, divided by this (None: the nation).
DIVISORS: Final = {
    "township": 1_000,
    "county": 1_000_000,
    "prefecture": 100_000_000,
    "province": 10_000_000_000,
    "nation": None,
}
DIGITS: Final = {"township": 9, "county": 6, "prefecture": 4, "province": 2, "nation": 0}

MET, NOT_MET, NOT_APPLICABLE, NO_DATA, NO_VERDICT = 0, 1, 2, 3, 4
#: How many statuses the counts count.
STATUSES: Final = 5
#: The plan's comparison rule: ``lhs ≥ rhs`` holds within this share of ``|rhs|``.
REL_TOL: Final = 1e-9
SERVICES: Final = (
    "self_service_kiosk",
    "agency_service",
    "online_service_24h",
    "satisfaction_survey",
    "disabled_persons_association",
    "cultural_service_centre",
    "fitness_circle_15min",
    "police_office_colocated",
    "broadband",
    "5g",
    "public_service_info_platform",
)
#: What the peers read: the columns the seven indicators need.
COLUMNS: Final = (
    "code",
    "households",
    "population",
    "building_area",
    "community_workers",
    "has_facility",
    "facility_floor_area",
    "facility_activity_area",
    "commercial_floor_area",
    "newly_built",
    *SERVICES,
)


@dataclass(frozen=True)
class Target:
    """One target of 专栏1, as the peers hand-copy it: ``scale × num ≥ threshold × den``."""

    id: str
    measure: str
    scope: str
    scale: float
    threshold: float
    #: whether a community gets a verdict: not for a coverage rate below 100 %,
    #: a property of a region, which a community only counts towards (no verdict).
    judged: bool = True


#: The seven targets, in the plan's order, hand-copied from the catalogue (the
#: statuses asserted equal to cssp's check them).
TARGETS: Final = (
    Target("rural_facility_coverage", "facility", "rural", 100.0, 80.0, judged=False),
    Target("urban_facility_coverage", "facility", "urban", 100.0, 100.0),
    Target("commercial_service_area_share", "service_area", "newly_built", 100.0, 10.0),
    Target("facility_area_per_100_households", "area", "all", 100.0, 30.0),
    Target("activity_area_share", "activity", "all", 100.0, 60.0),
    Target("urban_self_service_coverage", "kiosk", "urban", 100.0, 100.0),
    Target("workers_per_10k_urban_residents", "workers", "urban", 1e4, 18.0),
)


#: Whether each measure's numerator and denominator are whole numbers (counts,
#: households, workers): their sums are exact in a float, and must be equal.
WHOLE: Final = {
    "facility": (True, True),
    "service_area": (False, False),
    "area": (False, True),
    "activity": (False, False),
    "kiosk": (True, True),
    "workers": (True, True),
}


@dataclass(frozen=True)
class Settings:
    """How much work each measurement does."""

    scale: float
    repeats: int


@dataclass
class Regions:
    """One level's regions as arrays: ids, and per target status, sums and counts."""

    ids: NDArray[np.int64]
    status: NDArray[np.uint8]
    numerator: NDArray[np.float64]
    denominator: NDArray[np.float64]
    counts: NDArray[np.int64]


@dataclass
class Result:
    """What each of the three computes: the statuses and the regions of each level."""

    status: NDArray[np.uint8]
    regions: dict[str, Regions]


# --- cssp ----------------------------------------------------------------------------


def main_indicators() -> Plan:
    """fyp14 with the seven main indicators of 专栏1 alone."""
    plan = cssp.load_plan("fyp14")
    chosen = {k: v for k, v in plan.indicators.items() if v.citation.column == "专栏1"}
    return attrs.evolve(plan, indicators=chosen)


def cssp_run(
    path: Path, plan: Plan, kernel: str = "auto"
) -> tuple[cssp.batch.BatchResult, list[Any]]:
    """cssp: the verdicts and the five levels' region tables."""
    result = cssp.batch.evaluate_parquet(path, plan, profiles=(), kernel=kernel)
    return result, [result.regions(level) for level in LEVELS]


def cssp_result(path: Path, plan: Plan, kernel: str = "auto") -> Result:
    result, tables = cssp_run(path, plan, kernel)
    regions = {}
    for level, table in zip(LEVELS, tables, strict=True):
        digits = DIGITS[level]
        ids = np.array([int(c) if digits else 0 for c in table.codes.tolist()], dtype=np.int64)
        regions[level] = Regions(
            ids,
            table.status,
            table.numerator,
            table.denominator,
            np.asarray(table.counts, dtype=np.int64),
        )
    return Result(result.status, regions)


# --- Polars ----------------------------------------------------------------------------


def polars_run(path: Path) -> tuple[Any, dict[str, Any]]:
    """Polars: the verdicts (a DataFrame of 7 uint8 columns) and a DataFrame per level."""
    import polars as pl

    c = pl.col
    frame = pl.read_parquet(path, columns=list(COLUMNS))
    code = c("code").cast(pl.Int64)
    village = code % 1000  # 200–399 villagers' committees, 500–599 units like them
    rural = ((village >= 200) & (village < 400)) | (village >= 500)
    comprehensive = c("facility_floor_area").is_not_null()
    commercial = c("commercial_floor_area").is_not_null()
    unknown = ~(comprehensive | commercial | c("has_facility").is_not_null())
    area = pl.when(comprehensive).then(c("facility_floor_area")).otherwise(0.0)
    service_area = pl.when(commercial).then(area + c("commercial_floor_area")).otherwise(area)
    activity = pl.when(comprehensive).then(c("facility_activity_area")).otherwise(0.0)
    no_services = pl.all_horizontal([c(s).is_null() for s in SERVICES])
    households, building = c("households").cast(pl.Float64), c("building_area")
    population = c("population").cast(pl.Float64)
    workers = c("community_workers").cast(pl.Float64)
    one = pl.lit(1.0)
    # Each measure: numerator, denominator, and the rules that skip a community, in order.
    measures = {
        "facility": (comprehensive.cast(pl.Float64), one, [(unknown, NO_DATA)]),
        "service_area": (
            service_area,
            building,
            [(unknown, NO_DATA), (building.is_null(), NO_DATA), (building == 0, NOT_APPLICABLE)],
        ),
        "area": (
            area,
            households,
            [
                (unknown, NO_DATA),
                (households.is_null(), NO_DATA),
                (households == 0, NOT_APPLICABLE),
            ],
        ),
        "activity": (
            activity,
            area,
            [(unknown, NO_DATA), (activity.is_null(), NO_DATA), (area == 0, NOT_APPLICABLE)],
        ),
        "kiosk": (c("self_service_kiosk").cast(pl.Float64), one, [(no_services, NO_DATA)]),
        "workers": (
            workers,
            population,
            [
                (workers.is_null(), NO_DATA),
                (population.is_null(), NO_DATA),
                (population == 0, NOT_APPLICABLE),
            ],
        ),
    }
    newly_built = c("newly_built").fill_null(False)
    scopes = {"rural": rural, "urban": ~rural, "newly_built": newly_built, "all": None}

    def status(num: Any, den: Any, skips: Any, scope: Any, target: Target) -> Any:
        rhs = target.threshold * den
        holds = (target.scale * num) >= rhs - REL_TOL * rhs.abs()
        verdict = pl.when(holds).then(pl.lit(MET, pl.UInt8)).otherwise(pl.lit(NOT_MET, pl.UInt8))
        if not target.judged:
            verdict = pl.lit(NO_VERDICT, pl.UInt8)
        for where, skip in reversed(skips):
            verdict = pl.when(where).then(pl.lit(skip, pl.UInt8)).otherwise(verdict)
        if scope is not None:
            verdict = pl.when(scope).then(verdict).otherwise(pl.lit(NOT_APPLICABLE, pl.UInt8))
        return verdict

    columns = [(code // 1000).alias("key")]
    for target in TARGETS:
        num, den, skips = measures[target.measure]
        columns += [
            status(num, den, skips, scopes[target.scope], target).alias(f"s_{target.id}"),
            num.alias(f"n_{target.id}"),
            den.alias(f"d_{target.id}"),
        ]
    wide = frame.lazy().select(columns).collect()
    statuses = wide.select([f"s_{t.id}" for t in TARGETS])
    return statuses, _polars_levels(wide)


def _polars_levels(wide: Any) -> dict[str, Any]:
    """Polars: the townships' sums and counts, rolled up to each level, and judged."""
    import polars as pl

    c = pl.col
    sums = []
    for target in TARGETS:
        s = c(f"s_{target.id}")
        evaluated = (s <= NOT_MET) | (s == NO_VERDICT)
        sums += [
            pl.when(evaluated)
            .then(c(f"n_{target.id}"))
            .otherwise(0.0)
            .sum()
            .alias(f"n_{target.id}"),
            pl.when(evaluated)
            .then(c(f"d_{target.id}"))
            .otherwise(0.0)
            .sum()
            .alias(f"d_{target.id}"),
            *((s == k).sum().cast(pl.Int64).alias(f"c{k}_{target.id}") for k in range(STATUSES)),
        ]
    towns = wide.lazy().group_by("key").agg(sums).sort("key").collect()
    names = [name for name in towns.columns if name != "key"]
    levels = {}
    for level in LEVELS:
        divisor = DIVISORS[level]
        if level == "township":
            regions = towns
        elif divisor is None:
            regions = towns.select([pl.lit(0, pl.Int64).alias("key"), *(c(n).sum() for n in names)])
        else:
            keys = (c("key") * 1000 // divisor).alias("key")
            regions = towns.group_by(keys).agg([c(n).sum() for n in names]).sort("key")
        verdicts = []
        for target in TARGETS:
            n, d = c(f"n_{target.id}"), c(f"d_{target.id}")
            rhs = target.threshold * d
            holds = (target.scale * n) >= rhs - REL_TOL * rhs.abs()
            empty = (
                pl.when(c(f"c{NO_DATA}_{target.id}") > 0)
                .then(pl.lit(NO_DATA, pl.UInt8))
                .otherwise(pl.lit(NOT_APPLICABLE, pl.UInt8))
            )
            verdicts.append(
                pl.when(d == 0)
                .then(empty)
                .when(holds)
                .then(pl.lit(MET, pl.UInt8))
                .otherwise(pl.lit(NOT_MET, pl.UInt8))
                .alias(f"r_{target.id}")
            )
        levels[level] = regions.with_columns(verdicts)
    return levels


def polars_result(path: Path) -> Result:
    statuses, levels = polars_run(path)
    status = np.stack([statuses[f"s_{t.id}"].to_numpy() for t in TARGETS], axis=1)
    return Result(
        status.astype(np.uint8),
        {
            level: _regions(functools.partial(_polars_column, frame))
            for level, frame in levels.items()
        },
    )


def _polars_column(frame: Any, name: str) -> NDArray[Any]:
    return np.asarray(frame[name].to_numpy())


# --- DuckDB ----------------------------------------------------------------------------


def _holds(lhs: str, rhs: str) -> str:
    return f"(({lhs}) >= ({rhs}) - {REL_TOL!r} * abs({rhs}))"


def duckdb_queries(path: Path) -> tuple[str, str, dict[str, str]]:
    """The SQL: the communities' verdicts and values, the townships' sums, each level's regions."""
    comprehensive = "(facility_floor_area IS NOT NULL)"
    unknown = (
        "(facility_floor_area IS NULL AND commercial_floor_area IS NULL AND has_facility IS NULL)"
    )
    area = f"(CASE WHEN {comprehensive} THEN facility_floor_area ELSE 0.0 END)"
    service_area = (
        f"(CASE WHEN commercial_floor_area IS NOT NULL THEN {area} + commercial_floor_area "
        f"ELSE {area} END)"
    )
    activity = f"(CASE WHEN {comprehensive} THEN facility_activity_area ELSE 0.0 END)"
    no_services = "(" + " AND ".join(f'"{s}" IS NULL' for s in SERVICES) + ")"
    village = "(CAST(code AS BIGINT) % 1000)"  # 200–399 and 500–599: villages and the like
    rural = f"(({village} BETWEEN 200 AND 399) OR {village} >= 500)"
    measures = {
        "facility": (f"CAST({comprehensive} AS DOUBLE)", "1.0", [(unknown, NO_DATA)]),
        "service_area": (
            service_area,
            "building_area",
            [
                (unknown, NO_DATA),
                ("building_area IS NULL", NO_DATA),
                ("building_area = 0", NOT_APPLICABLE),
            ],
        ),
        "area": (
            area,
            "CAST(households AS DOUBLE)",
            [
                (unknown, NO_DATA),
                ("households IS NULL", NO_DATA),
                ("households = 0", NOT_APPLICABLE),
            ],
        ),
        "activity": (
            activity,
            area,
            [(unknown, NO_DATA), (f"{activity} IS NULL", NO_DATA), (f"{area} = 0", NOT_APPLICABLE)],
        ),
        "kiosk": ("CAST(self_service_kiosk AS DOUBLE)", "1.0", [(no_services, NO_DATA)]),
        "workers": (
            "CAST(community_workers AS DOUBLE)",
            "CAST(population AS DOUBLE)",
            [
                ("community_workers IS NULL", NO_DATA),
                ("population IS NULL", NO_DATA),
                ("population = 0", NOT_APPLICABLE),
            ],
        ),
    }
    newly_built = "coalesce(newly_built, false)"
    scopes = {"rural": rural, "urban": f"NOT {rural}", "newly_built": newly_built, "all": None}
    columns = ["CAST(code AS BIGINT) // 1000 AS key"]
    for target in TARGETS:
        num, den, skips = measures[target.measure]
        scope = scopes[target.scope]
        case = "CASE " + (f"WHEN NOT {scope} THEN {NOT_APPLICABLE} " if scope else "")
        case += " ".join(f"WHEN {where} THEN {skip}" for where, skip in skips)
        lhs, rhs = f"{target.scale!r} * {num}", f"{target.threshold!r} * {den}"
        if target.judged:
            case += f" WHEN {_holds(lhs, rhs)} THEN {MET} ELSE {NOT_MET} END"
        else:  # counts towards its region's rate: no verdict
            case += f" ELSE {NO_VERDICT} END"
        columns += [
            f"CAST({case} AS UTINYINT) AS s_{target.id}",
            f"{num} AS n_{target.id}",
            f"{den} AS d_{target.id}",
        ]
    communities = f"SELECT {', '.join(columns)} FROM read_parquet('{path}')"
    sums = []
    for target in TARGETS:
        t = target.id
        sums += [
            f"SUM(CASE WHEN s_{t} <= {NOT_MET} OR s_{t} = {NO_VERDICT} THEN n_{t} ELSE 0.0 END)"
            f" AS n_{t}",
            f"SUM(CASE WHEN s_{t} <= {NOT_MET} OR s_{t} = {NO_VERDICT} THEN d_{t} ELSE 0.0 END)"
            f" AS d_{t}",
            *(f"COUNT(*) FILTER (WHERE s_{t} = {k}) AS c{k}_{t}" for k in range(STATUSES)),
        ]
    towns = f"SELECT key, {', '.join(sums)} FROM wide GROUP BY key"
    counted = tuple(f"c{k}" for k in range(STATUSES))
    names = [f"{p}_{t.id}" for t in TARGETS for p in ("n", "d", *counted)]
    levels = {}
    for level in LEVELS:
        divisor = DIVISORS[level]
        verdicts = []
        for target in TARGETS:
            t = target.id
            empty = f"CASE WHEN c{NO_DATA}_{t} > 0 THEN {NO_DATA} ELSE {NOT_APPLICABLE} END"
            holds = _holds(f"{target.scale!r} * n_{t}", f"{target.threshold!r} * d_{t}")
            verdicts.append(
                f"CAST(CASE WHEN d_{t} = 0 THEN {empty} WHEN {holds} THEN {MET} "
                f"ELSE {NOT_MET} END AS UTINYINT) AS r_{t}"
            )
        total = ", ".join(f"SUM({n}) AS {n}" for n in names)
        if level == "township":
            source = "SELECT * FROM towns"
        elif divisor is None:
            source = f"SELECT 0 AS key, {total} FROM towns"
        else:
            key = f"key * 1000 // {divisor}"
            source = f"SELECT {key} AS key, {total} FROM towns GROUP BY {key}"
        levels[level] = f"SELECT *, {', '.join(verdicts)} FROM ({source}) ORDER BY key"
    return communities, towns, levels


def duckdb_run(path: Path, connection: Any) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """DuckDB: the verdicts and each level's regions, as numpy arrays."""
    communities, towns, levels = duckdb_queries(path)
    connection.execute(f"CREATE OR REPLACE TEMP TABLE wide AS {communities}")
    statuses = connection.execute(
        "SELECT " + ", ".join(f"s_{t.id}" for t in TARGETS) + " FROM wide"
    ).fetchnumpy()
    connection.execute(f"CREATE OR REPLACE TEMP TABLE towns AS {towns}")
    return statuses, {level: connection.execute(sql).fetchnumpy() for level, sql in levels.items()}


def duckdb_result(path: Path, connection: Any) -> Result:
    statuses, levels = duckdb_run(path, connection)
    status = np.stack([np.asarray(statuses[f"s_{t.id}"]) for t in TARGETS], axis=1)
    return Result(
        status.astype(np.uint8),
        {
            level: _regions(functools.partial(_duckdb_column, columns))
            for level, columns in levels.items()
        },
    )


def _duckdb_column(columns: dict[str, Any], name: str) -> NDArray[Any]:
    return np.asarray(columns[name])


def _regions(column: Callable[[str], NDArray[Any]]) -> Regions:
    """A peer's level as arrays; sums NaN where nothing was evaluated, as cssp has them."""
    status = np.stack([column(f"r_{t.id}") for t in TARGETS], axis=1).astype(np.uint8)
    numerator = np.stack([column(f"n_{t.id}") for t in TARGETS], axis=1).astype(np.float64)
    denominator = np.stack([column(f"d_{t.id}") for t in TARGETS], axis=1).astype(np.float64)
    empty = denominator == 0
    numerator[empty] = np.nan
    denominator[empty] = np.nan
    counts = np.stack(
        [np.stack([column(f"c{k}_{t.id}") for k in range(STATUSES)], axis=1) for t in TARGETS],
        axis=1,
    ).astype(np.int64)
    return Regions(column("key").astype(np.int64), status, numerator, denominator, counts)


# --- the checks, before timing -------------------------------------------------------


def check_same(name: str, ours: Result, theirs: Result) -> tuple[int, int, int]:
    """Assert that a peer computes what cssp does; return (statuses compared, sums
    compared, sums whose last bits differ) and report the largest difference in ulps."""
    differ = np.argwhere(ours.status != theirs.status)
    assert not len(differ), (name, differ[:10].tolist())
    compared = inexact = 0
    worst = 0.0
    for level in LEVELS:
        mine, peer = ours.regions[level], theirs.regions[level]
        ids = mine.ids if DIGITS[level] else np.zeros(1, dtype=np.int64)
        assert np.array_equal(ids, peer.ids), (name, level)
        assert np.array_equal(mine.status, peer.status), (name, level)
        assert np.array_equal(mine.counts, peer.counts), (name, level)
        for t, target in enumerate(TARGETS):
            sides = ((mine.numerator, peer.numerator), (mine.denominator, peer.denominator))
            for (exact, summed), whole in zip(sides, WHOLE[target.measure], strict=True):
                a, b = exact[:, t], summed[:, t]
                assert np.array_equal(np.isnan(a), np.isnan(b)), (name, level, target.id)
                a, b = a[~np.isnan(a)], b[~np.isnan(b)]
                compared += len(a)
                if whole:  # sums of whole numbers are exact in a float: equal
                    assert np.array_equal(a, b), (name, level, target.id)
                    continue
                assert np.allclose(b, a, rtol=1e-12, atol=0), (name, level, target.id)
                if (a != b).any():
                    inexact += int((a != b).sum())
                    ulps = np.abs(a - b) / np.spacing(np.abs(a))
                    worst = max(worst, float(ulps[a != b].max()))
    info(
        f"peers: {name}'s verdicts equal cssp's ({ours.status.size:,} community statuses, "
        f"region statuses and counts at five levels); of its {compared:,} region sums, "
        f"{inexact:,} differ from cssp's exact sum in the last bits (at most {worst:.0f} "
        "ulp), all within a relative 1e-12"
    )
    return int(ours.status.size), compared, inexact


# --- the goal ---------------------------------------------------------------------------


def goal(name: str, figure: float) -> bool:
    """Print the goal's line and return whether it passed."""
    return _harness.goal(name, figure, LIMITS[name], at_most=True, digits=2)


def timing(label: str, seconds: float, n: int) -> None:
    info(f"peers: {label:<52} {seconds * 1e3:8.1f} ms {seconds * 1e9 / n:6.0f} ns/community")


def bench_peers(settings: Settings, folder: Path) -> None:
    import duckdb
    import polars as pl

    columns = cssp.synth.nation(settings.scale, seed=SEED)
    n = len(columns["code"])
    path = folder / "nation.parquet"
    cssp.synth.write(columns, path)
    del columns
    info(
        f"peers: synthetic nation at scale {settings.scale:g}: {n:,} communities, "
        f"Parquet {path.stat().st_size / 2**20:.1f} MB; Polars {pl.__version__} "
        f"({pl.thread_pool_size()} threads), DuckDB {duckdb.__version__} (default threads)"
    )
    plan = main_indicators()
    assert tuple(plan.targets) == tuple(t.id for t in TARGETS), tuple(plan.targets)
    connection = duckdb.connect()
    kernel = cssp.batch.evaluate_parquet(path, plan, profiles=(), kernel="auto").kernel
    ours = cssp_result(path, plan)
    reference = cssp_result(path, plan, "numpy")
    assert np.array_equal(ours.status, reference.status)
    for level in LEVELS:
        mine, theirs = ours.regions[level], reference.regions[level]
        for name in ("ids", "status", "numerator", "denominator", "counts"):
            assert np.array_equal(getattr(mine, name), getattr(theirs, name), equal_nan=True)
    info(f"peers: cssp runs its {kernel} kernel; its results equal the numpy kernel's, to the bit")
    check_same("Polars", ours, polars_result(path))
    check_same("DuckDB", ours, duckdb_result(path, connection))

    clocks: dict[str, float] = {}

    def cpu(label: str, run: Callable[[], object]) -> Callable[[], object]:
        def timed() -> object:
            start = time.process_time()
            out = run()
            clocks[label] = min(clocks.get(label, np.inf), time.process_time() - start)
            return out

        return timed

    import pyarrow.parquet as pq

    every = pq.ParquetFile(path).schema_arrow.names

    def arrow_reads() -> object:
        """What cssp's reading costs: every column decoded by Arrow, a row group at a time."""
        reader = pq.ParquetFile(path)
        return [reader.read_row_group(g) for g in range(reader.metadata.num_row_groups)]

    cssp_time, numpy_time, polars_time, duckdb_time, arrow_read, polars_read = best_times(
        [
            cpu("cssp", lambda: cssp_run(path, plan)),
            cpu("cssp numpy kernel", lambda: cssp_run(path, plan, "numpy")),
            cpu("Polars", lambda: polars_run(path)),
            cpu("DuckDB", lambda: duckdb_run(path, connection)),
            cpu("Arrow reads every column", arrow_reads),
            cpu("Polars reads every column", lambda: pl.read_parquet(path, columns=every)),
        ],
        settings.repeats,
    )
    timing(f"cssp, {kernel} kernel (evaluate_parquet + regions x5)", cssp_time, n)
    timing("cssp, numpy kernel (the same)", numpy_time, n)
    timing("Polars (read_parquet, expressions)", polars_time, n)
    timing("DuckDB (read_parquet, SQL)", duckdb_time, n)
    timing("of the file: Arrow decodes every column", arrow_read, n)
    timing("of the file: Polars reads every column", polars_read, n)
    info(
        "peers: processor time (all threads), best of the same runs: "
        + ", ".join(f"{label} {seconds * 1e3:.0f} ms" for label, seconds in clocks.items())
    )
    info(f"peers: load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} after timing")
    goal("peers", cssp_time / min(polars_time, duckdb_time))


# --- main ------------------------------------------------------------------------------


def _scale(given: float | None, quick: bool) -> float:
    if given is not None:
        return given
    from_environment = os.environ.get(SCALE_VARIABLE)
    if from_environment:
        return float(from_environment)
    return QUICK_SCALE if quick else 1.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0] if __doc__ else None)
    parser.add_argument(
        "--quick", action="store_true", help="scale 0.01, fewer repeats (smoke test)"
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=None,
        help=f"share of the nation (1.0: 615,000 communities; default ${SCALE_VARIABLE} or 1.0)",
    )
    args = parser.parse_args(argv)
    settings = Settings(
        scale=_scale(args.scale, args.quick), repeats=QUICK_REPEATS if args.quick else FULL_REPEATS
    )
    print(f"# {os.path.basename(__file__)}", flush=True)
    print(f"machine: {machine()}", flush=True)
    missing = [m for m in ("polars", "duckdb") if importlib.util.find_spec(m) is None]
    if missing:
        info(
            f"peers: not measured, {' and '.join(missing)} not installed (make venv installs them)"
        )
        return 0
    print(
        f"versions: cssp {cssp.__version__}, numpy {np.__version__}; "
        f"mode: {'quick' if args.quick else 'full'}, best of {settings.repeats}, "
        f"scale {settings.scale:g}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="cssp-bench-peers-") as folder:
        bench_peers(settings, Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
