"""Performance goals of the columnar batch engine: the nation at once, against plain numpy.

Four goals, one line each::

    GOAL batch_vs_numpy: <ratio> (limit 1.5) PASS|FAIL
    GOAL parquet_vs_numpy: <ratio> (limit 2) PASS|FAIL
    GOAL batch_memory: <bytes per community> (limit 200) PASS|FAIL
    GOAL batch_memory_arrow_default: <bytes per community> (limit 200) PASS|FAIL

``batch_vs_numpy``
    :func:`cssp.batch.evaluate_columns` of the synthetic nation
    (:func:`cssp.synth.nation`, scale 1.0: 615,000 communities) against
    ``fyp14`` with the national plan alone (``profiles=()``), then its region
    tables at the five levels (``result.regions(level)`` for township, county,
    prefecture, province and nation), against :func:`baseline`: a hand-written
    numpy implementation of the same 21 checks and the same aggregation, in
    this script. Ratio = cssp time ÷ baseline time.
``parquet_vs_numpy``
    The same nation written to a Parquet file (:func:`cssp.synth.write`):
    :func:`cssp.batch.evaluate_parquet` and the five region tables, against
    :func:`pyarrow.parquet.read_table`, each column to a numpy array, and
    :func:`baseline`. Ratio = cssp time ÷ baseline time.
``batch_memory``
    In a fresh interpreter: the peak resident set size
    (``resource.getrusage(RUSAGE_SELF).ru_maxrss``) of ``evaluate_parquet``
    of the national file and its five region tables, minus the peak after
    the imports, divided by the number of communities. Bytes per community.
    Arrow allocates with the system allocator, as the ``cssp`` command has it
    do (``ARROW_DEFAULT_MEMORY_POOL=system``).
``batch_memory_arrow_default``
    The same with Arrow's default allocator (mimalloc in the pyarrow wheels,
    which keeps what it frees for itself), as a library user gets it.
    The imports are numpy, pyarrow.parquet, cssp.batch and, when they are
    installed, pandas — pyarrow imports pandas when it builds its first array,
    whatever the array (some 40 MB); the figure without importing it first is
    reported as information. The plan is loaded before the baseline is taken:
    the catalogue's data and the modules cssp imports when it first loads a
    plan (pint, jinja2, cattrs) are some 25 MB whatever the input, a cost of
    the imports, not of the communities; the figure with them counted is
    reported as information. Both goals measure ``evaluate_parquet``'s default
    kernel (numpy); the Polars kernel's figure (``kernel="polars"``, polars
    imported with the other imports) is reported beside.

The baseline reads the table format as the readers document it and does what
a careful numpy programmer would: each target's measure as a numerator and a
denominator column, the plan's missing-data rules as masks in the measure's
order (no data, not applicable), the verdict ``scale × numerator ≥ threshold ×
denominator`` elementwise, then region figures as ratios of sums —
``np.bincount`` of the evaluated communities' numerators, denominators and
status counts by township id (``np.unique(..., return_inverse=True)`` of the
code's first nine digits), rolled up from townships to counties, prefectures,
provinces and the nation with ``np.bincount`` again. It validates nothing,
sums in floating point (cssp sums exactly) and keeps the status of each
community × target as ``uint8``, as cssp does. Before timing, the script
asserts that the baseline's statuses equal cssp's for every community and
target, and that its region statuses, counts, numerators, denominators and
observed values equal cssp's at every level (sums within a relative 1e-9).

Timings are the best of several repeats after a warm-up, the garbage
collector off while timing, cssp and the baseline taking turns. The nation's
size: ``--scale`` or the environment variable ``CSSP_BENCH_SCALE`` (default
1.0; ``--quick``, the smoke test's mode, defaults to 0.01 and fewer repeats).

Run ``python benchmarks/run.py`` (or ``make bench``) to run every benchmark.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import _harness
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from _harness import best_times, info, machine
from numpy.typing import NDArray

import cssp
import cssp.batch
import cssp.synth

#: The goals: name -> the greatest acceptable figure.
LIMITS: Final = {
    "batch_vs_numpy": 1.5,
    "parquet_vs_numpy": 2.0,
    "batch_memory": 200.0,
    "batch_memory_arrow_default": 200.0,
}

PLAN_ID: Final = "fyp14"
SEED: Final = 0
SCALE_VARIABLE: Final = "CSSP_BENCH_SCALE"
LEVELS: Final = ("township", "county", "prefecture", "province", "nation")
#: The digits of a level's region code: the first 9, 6, 4, 2 or none of a community's.
DIGITS: Final = {"township": 9, "county": 6, "prefecture": 4, "province": 2, "nation": 0}
#: A level's region id is the 12-digit code, as a number, divided by this.
DIVISORS: Final = {level: 10 ** (12 - digits) for level, digits in DIGITS.items()}


@dataclass(frozen=True)
class Settings:
    """How much work each measurement does."""

    scale: float
    repeats: int


FULL_REPEATS: Final = 5
QUICK_REPEATS: Final = 3
QUICK_SCALE: Final = 0.01

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
Codes = NDArray[np.uint8]

# --- the baseline --------------------------------------------------------------------

#: Status codes, as cssp.batch numbers them.
MET: Final = 0
NOT_MET: Final = 1
NOT_APPLICABLE: Final = 2
NO_DATA: Final = 3
NO_VERDICT: Final = 4
STATUS_COUNT: Final = 5

ALL, URBAN, RURAL, RESETTLEMENT = "all", "urban", "rural", "resettlement"
NEWLY_BUILT: Final = "newly_built"
COVERAGE, RATIO, PER_COMMUNITY = "coverage", "ratio", "per_community"
#: A region meets a per-community target when this share (%) of its evaluated communities do.
REGION_SHARE: Final = 100.0
#: The plan's comparison rule: ``lhs ≥ rhs`` holds when ``lhs`` is within this
#: share of ``|rhs|`` below it (it absorbs binary rounding: 100 × 5.1 < 30 × 17).
REL_TOL: Final = 1e-9


def at_least(lhs: Floats, rhs: Floats) -> Bools:
    """``lhs ≥ rhs``, elementwise, by the plan's rule (``cssp.Comparator.GE``)."""
    return np.asarray(lhs >= rhs - REL_TOL * np.abs(rhs))


@dataclass(frozen=True)
class Spec:
    """One target of fyp14 in 2025: ``scale × numerator ≥ threshold × denominator``."""

    id: str
    measure: str
    scope: str
    kind: str
    scale: float
    threshold: float
    #: whether each community gets a verdict (a coverage rate below 100 % and a
    #: direction are judged for regions only, or not at all).
    judged: bool = True
    #: a direction: the plan sets no level; no verdict anywhere.
    direction: bool = False


def _direction(target_id: str, measure: str) -> Spec:
    return Spec(target_id, measure, ALL, COVERAGE, 100.0, 100.0, judged=False, direction=True)


#: The 32 evaluated targets of fyp14, in the plan's order, hand-copied from the
#: catalogue (the statuses asserted equal to cssp's check them).
SPECS: Final = (
    Spec("rural_facility_coverage", "comprehensive_facility", RURAL, COVERAGE, 100.0, 80.0, False),
    Spec("urban_facility_coverage", "comprehensive_facility", URBAN, COVERAGE, 100.0, 100.0),
    Spec("commercial_service_area_share", "service_area_share", NEWLY_BUILT, RATIO, 100.0, 10.0),
    Spec("facility_area_per_100_households", "area_per_household", ALL, RATIO, 100.0, 30.0),
    Spec("activity_area_share", "activity_area_share", ALL, RATIO, 100.0, 60.0),
    Spec("urban_self_service_coverage", "self_service_kiosk", URBAN, COVERAGE, 100.0, 100.0),
    Spec("workers_per_10k_urban_residents", "workers_per_resident", URBAN, RATIO, 1e4, 18.0),
    Spec("convenience_living_circle", "convenience_circle_15min", URBAN, COVERAGE, 100.0, 100.0),
    Spec("legal_services_coverage", "legal_adviser", ALL, COVERAGE, 100.0, 100.0),
    Spec("facility_opening_hours", "opening_hours", ALL, PER_COMMUNITY, 1.0, 8.0),
    Spec("one_window_service", "one_window_service", ALL, COVERAGE, 100.0, 100.0),
    Spec("agency_service_coverage", "agency_service", ALL, COVERAGE, 100.0, 100.0),
    Spec("online_service_24h", "online_service_24h", ALL, COVERAGE, 100.0, 100.0),
    Spec("satisfaction_survey_coverage", "satisfaction_survey", ALL, COVERAGE, 100.0, 100.0),
    Spec("needs_matched_evaluation", "needs_matched_evaluation", ALL, COVERAGE, 100.0, 100.0),
    Spec(
        "resettlement_facility_coverage",
        "comprehensive_facility",
        RESETTLEMENT,
        COVERAGE,
        100.0,
        100.0,
    ),
    Spec("committee_joint_review", "committee_joint_review", ALL, COVERAGE, 100.0, 100.0),
    _direction("volunteer_service_point", "volunteer_service_point"),
    _direction("social_work_room", "social_work_room"),
    Spec(
        "special_needs_elderly_monthly_visit_rate",
        "elderly_monthly_visit_rate",
        ALL,
        PER_COMMUNITY,
        1.0,
        100.0,
    ),
    Spec("youth_home", "youth_home", ALL, COVERAGE, 100.0, 100.0),
    Spec("out_of_school_practice_site", "out_of_school_practice_site", ALL, COVERAGE, 100.0, 100.0),
    Spec(
        "disabled_persons_association_coverage",
        "disabled_persons_association",
        ALL,
        COVERAGE,
        100.0,
        100.0,
    ),
    Spec("cultural_service_centre", "cultural_service_centre", ALL, COVERAGE, 100.0, 100.0),
    Spec("fitness_circle_15min_coverage", "fitness_circle_15min", ALL, COVERAGE, 100.0, 100.0),
    _direction("police_office_colocated", "police_office_colocated"),
    Spec(
        "disaster_information_officer",
        "disaster_information_officers",
        ALL,
        PER_COMMUNITY,
        1.0,
        1.0,
    ),
    _direction("emergency_drills", "emergency_drill"),
    Spec("consultation_system", "consultation_system", ALL, COVERAGE, 100.0, 100.0),
    Spec("broadband_village_coverage", "broadband", RURAL, COVERAGE, 100.0, 100.0),
    Spec("village_5g_coverage", "5g", RURAL, COVERAGE, 100.0, 80.0, False),
    Spec("worker_training_coverage", "trained_worker_share", ALL, RATIO, 100.0, 100.0),
)
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
    "convenience_circle_15min",
    "legal_adviser",
    "one_window_service",
    "needs_matched_evaluation",
    "committee_joint_review",
    "volunteer_service_point",
    "social_work_room",
    "youth_home",
    "out_of_school_practice_site",
    "emergency_drill",
    "consultation_system",
)

#: A measure: numerator, denominator, and the rules that skip a community, in
#: the measure's order (the first that applies decides the status).
Measured = tuple[Floats, Floats, list[tuple[Bools, int]]]


@dataclass
class BaselineRegions:
    """The regions of one level: ids (the code's leading digits as a number) and figures."""

    ids: NDArray[np.int64]
    status: Codes
    numerator: Floats
    denominator: Floats
    observed: Floats
    counts: NDArray[np.int64]


@dataclass
class BaselineResult:
    """What the baseline computes: community statuses and the regions of each level."""

    status: Codes
    regions: dict[str, BaselineRegions]


def measures(
    columns: Mapping[str, Any],
) -> tuple[NDArray[np.int64], dict[str, Measured], dict[str, Bools]]:
    """The codes as numbers, every measure of fyp14 over the table's columns, and the scopes."""
    n = len(columns["code"])

    def number(name: str) -> Floats:
        if name not in columns:
            return np.full(n, np.nan)
        return np.asarray(columns[name], dtype=np.float64)

    ones = np.ones(n)
    households, building = number("households"), number("building_area")
    population, workers = number("population"), number("community_workers")
    trained = number("trained_workers")
    has, floor = number("has_facility"), number("facility_floor_area")
    activity, hours = number("facility_activity_area"), number("facility_opening_hours")
    commercial = number("commercial_floor_area")

    # The facilities: a comprehensive one where its floor area is given, a
    # commercial one where its floor area is; known when either or has_facility is.
    comprehensive = ~np.isnan(floor)
    with_commercial = ~np.isnan(commercial)
    unknown = ~(comprehensive | with_commercial | ~np.isnan(has))
    area = np.where(comprehensive, floor, 0.0)
    service_area = np.where(with_commercial, area + commercial, area)
    activity_area = np.where(comprehensive, activity, 0.0)
    # The table gives no opening hours for a commercial facility: unknown.
    shortest = np.where(
        with_commercial, np.nan, np.where(comprehensive, np.minimum(hours, 24.0), 24.0)
    )
    no_facility = ~(comprehensive | with_commercial)

    service_values = [number(s) for s in SERVICES]
    services_unknown = np.asarray(np.isnan(np.stack(service_values)).all(axis=0))

    def ratio(top: Floats, bottom: Floats) -> Measured:
        return (
            top,
            bottom,
            [(np.isnan(top), NO_DATA), (np.isnan(bottom), NO_DATA), (bottom == 0, NOT_APPLICABLE)],
        )

    def value(name: str) -> Measured:
        values = number(name)
        return values, ones, [(np.isnan(values), NO_DATA)]

    found: dict[str, Measured] = {
        "comprehensive_facility": (comprehensive.astype(np.float64), ones, [(unknown, NO_DATA)]),
        "area_per_household": (
            area,
            households,
            [
                (unknown, NO_DATA),
                (np.isnan(households), NO_DATA),
                (households == 0, NOT_APPLICABLE),
            ],
        ),
        "service_area_share": (
            service_area,
            building,
            [(unknown, NO_DATA), (np.isnan(building), NO_DATA), (building == 0, NOT_APPLICABLE)],
        ),
        "activity_area_share": (
            activity_area,
            area,
            [
                (unknown, NO_DATA),
                (comprehensive & np.isnan(activity), NO_DATA),
                (~comprehensive | (area == 0), NOT_APPLICABLE),
            ],
        ),
        "workers_per_resident": ratio(workers, population),
        "opening_hours": (
            shortest,
            ones,
            [(unknown, NO_DATA), (no_facility, NOT_APPLICABLE), (np.isnan(shortest), NO_DATA)],
        ),
        "elderly_monthly_visit_rate": value("elderly_monthly_visit_rate"),
        "disaster_information_officers": value("disaster_information_officers"),
        "trained_worker_share": ratio(trained, workers),
    }
    for name, values in zip(SERVICES, service_values, strict=True):
        found[name] = (values, ones, [(services_unknown, NO_DATA)])

    code = np.asarray(columns["code"]).astype(np.int64)
    village = code % 1000  # 200–399 villagers' committees, 500–599 units like them
    rural = ((village >= 200) & (village < 400)) | (village >= 500)
    scopes = {
        URBAN: ~rural,
        RURAL: rural,
        RESETTLEMENT: np.asarray(columns["resettlement"]) == 1,
        NEWLY_BUILT: np.asarray(columns["newly_built"]) == 1,
    }
    return code, found, scopes


def baseline(columns: Mapping[str, Any]) -> BaselineResult:
    """The hand-written numpy evaluation of fyp14 and its regions at five levels."""
    code, found, scopes = measures(columns)
    n = len(code)
    targets = len(SPECS)
    status = np.empty((n, targets), dtype=np.uint8)
    towns, town_of_row = np.unique(code // DIVISORS["township"], return_inverse=True)
    t_count = len(towns)
    numerator = np.zeros((t_count, targets))
    denominator = np.zeros((t_count, targets))
    counts = np.zeros((t_count, targets, STATUS_COUNT), dtype=np.int64)
    for t, spec in enumerate(SPECS):
        top, bottom, skips = found[spec.measure]
        column = np.where(at_least(spec.scale * top, spec.threshold * bottom), MET, NOT_MET).astype(
            np.uint8
        )
        for where, skip in reversed(skips):
            column[where] = skip
        if spec.scope != ALL:
            column[~scopes[spec.scope]] = NOT_APPLICABLE
        if not spec.judged:  # measured, without a verdict
            column[column <= NOT_MET] = NO_VERDICT
        status[:, t] = column
        evaluated = (column <= NOT_MET) | (column == NO_VERDICT)
        numerator[:, t] = np.bincount(town_of_row, np.where(evaluated, top, 0.0), t_count)
        denominator[:, t] = np.bincount(town_of_row, np.where(evaluated, bottom, 0.0), t_count)
        counts[:, t] = np.bincount(
            town_of_row * STATUS_COUNT + column, minlength=STATUS_COUNT * t_count
        ).reshape(-1, STATUS_COUNT)

    regions = {"township": _judge(towns, numerator, denominator, counts)}
    town_codes = towns * DIVISORS["township"]
    for level in LEVELS[1:]:
        ids, parent = np.unique(town_codes // DIVISORS[level], return_inverse=True)
        size = len(ids)
        regions[level] = _judge(
            ids,
            np.stack([np.bincount(parent, numerator[:, t], size) for t in range(targets)], 1),
            np.stack([np.bincount(parent, denominator[:, t], size) for t in range(targets)], 1),
            np.stack(
                [
                    np.bincount(parent, counts[:, t, s], size)
                    for t in range(targets)
                    for s in range(STATUS_COUNT)
                ],
                1,
            )
            .astype(np.int64)
            .reshape(size, targets, STATUS_COUNT),
        )
    return BaselineResult(status, regions)


def _judge(
    ids: NDArray[np.int64], numerator: Floats, denominator: Floats, counts: NDArray[np.int64]
) -> BaselineRegions:
    """The regions' verdicts: ratio of sums (or share of communities met) against the target."""
    status = np.empty(numerator.shape, dtype=np.uint8)
    top = numerator.copy()
    bottom = denominator.copy()
    observed = np.empty(numerator.shape)
    for t, spec in enumerate(SPECS):
        scale, threshold = spec.scale, spec.threshold
        if spec.kind == PER_COMMUNITY:
            top[:, t] = counts[:, t, MET]
            bottom[:, t] = counts[:, t, MET] + counts[:, t, NOT_MET]
            scale, threshold = 100.0, REGION_SHARE
        empty = bottom[:, t] == 0
        column = np.where(at_least(scale * top[:, t], threshold * bottom[:, t]), MET, NOT_MET)
        if spec.direction:
            column[:] = NO_VERDICT
        column[empty] = np.where(counts[empty, t, NO_DATA] > 0, NO_DATA, NOT_APPLICABLE)
        status[:, t] = column
        with np.errstate(invalid="ignore", divide="ignore"):
            observed[:, t] = np.where(empty, np.nan, scale * top[:, t] / bottom[:, t])
        top[empty, t] = np.nan
        bottom[empty, t] = np.nan
    return BaselineRegions(ids, status, top, bottom, observed, counts)


def arrow_columns(path: Path) -> dict[str, NDArray[Any]]:
    """A Parquet file's columns as numpy arrays: text as is, the rest as float64 (null → NaN)."""
    table = pq.read_table(path)
    out: dict[str, NDArray[Any]] = {}
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            out[name] = column.to_numpy()
        else:
            out[name] = column.cast(pa.float64()).to_numpy()
    return out


# --- cssp ------------------------------------------------------------------------------


def cssp_columns(columns: Mapping[str, Any]) -> list[cssp.batch.RegionTable]:
    """cssp: the statuses and the five levels' region tables of a table."""
    result = cssp.batch.evaluate_columns(columns, PLAN_ID, profiles=())
    return [result.regions(level) for level in LEVELS]


def cssp_parquet(path: Path) -> list[cssp.batch.RegionTable]:
    """cssp: the same, from a Parquet file."""
    result = cssp.batch.evaluate_parquet(path, PLAN_ID, profiles=())
    return [result.regions(level) for level in LEVELS]


# --- the checks, before timing ---------------------------------------------------------


def check_same(result: cssp.batch.BatchResult, ours: BaselineResult) -> int:
    """Assert that the baseline computes what cssp does; return the statuses compared."""
    ids = [spec.id for spec in SPECS]
    assert result.targets == tuple(ids), result.targets
    assert result.status.shape == ours.status.shape, (result.status.shape, ours.status.shape)
    differ = np.argwhere(result.status != ours.status)
    assert not len(differ), [
        (str(result.codes[r]), ids[t], int(result.status[r, t]), int(ours.status[r, t]))
        for r, t in differ[:10].tolist()
    ]
    for level in LEVELS:
        table, mine = result.regions(level), ours.regions[level]
        width = DIGITS[level]
        codes = [f"{i:0{width}d}" if width else "" for i in mine.ids.tolist()]
        assert table.codes.tolist() == codes, (level, table.codes[:5], codes[:5])
        assert np.array_equal(table.status, mine.status), level
        assert np.array_equal(table.counts, mine.counts), level
        for name in ("numerator", "denominator", "observed"):
            theirs, baseline_values = getattr(table, name), getattr(mine, name)
            assert np.allclose(theirs, baseline_values, rtol=1e-9, atol=0, equal_nan=True), (
                level,
                name,
            )
    return int(result.status.size)


# --- memory, in a fresh interpreter -----------------------------------------------------


def memory_child(
    path: Path, preimport: Sequence[str], kernel: str = "numpy", plan_first: bool = True
) -> int:
    """Run in the child: the peak RSS of evaluate_parquet and its regions, as JSON.

    :param preimport: modules to import first, counted with the imports.
    :param plan_first: load the plan first, counted with the imports: the
        catalogue's data and the modules cssp imports when it first loads a
        plan (pint, jinja2, cattrs; some 25 MB), whatever the input's size.
    """
    for name in preimport:
        importlib.import_module(name)
    if plan_first:
        cssp.load_plan(PLAN_ID)
    after_imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = cssp.batch.evaluate_parquet(path, PLAN_ID, profiles=(), kernel=kernel)
    regions = [len(result.regions(level)) for level in LEVELS]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "imports_kib": after_imports,
                "peak_kib": peak,
                "n": len(result),
                "regions": regions,
                "kernel": result.kernel,
            }
        )
    )
    return 0


#: Starts the memory child. Linux keeps ``ru_maxrss`` across ``execve``: a
#: child spawned by this (large) process would start with this process's RSS
#: as its peak. A grandchild spawned by a small interpreter starts clean.
LAUNCHER: Final = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"


def measure_memory(
    path: Path,
    preimport: Sequence[str] = (),
    allocator: str | None = "system",
    kernel: str = "numpy",
    plan_first: bool = True,
) -> dict[str, Any]:
    """The child's figures: its peak RSS after the imports and at the end (KiB), and more.

    :param allocator: Arrow's allocator (``ARROW_DEFAULT_MEMORY_POOL``), as
        the ``cssp`` command sets it; None for Arrow's default (mimalloc).
    """
    child = [sys.executable, __file__, "--memory-child", str(path), f"--memory-kernel={kernel}"]
    child += [f"--memory-preimport={name}" for name in preimport]
    child += [] if plan_first else ["--memory-plan-later"]
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if allocator is not None:
        env["ARROW_DEFAULT_MEMORY_POOL"] = allocator
    completed = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *child],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    figures: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return figures


# --- the goals --------------------------------------------------------------------------


def goal(name: str, figure: float, digits: int = 2) -> bool:
    """Print the goal's line and return whether it passed."""
    return _harness.goal(name, figure, LIMITS[name], at_most=True, digits=digits)


def timing(label: str, seconds: float, n: int, note: str = "") -> None:
    """Print a timing as information: total and per community."""
    info(f"batch: {label:<44} {seconds * 1e3:8.1f} ms {seconds * 1e9 / n:6.0f} ns/community{note}")


def _grown(label: str, figures: dict[str, Any]) -> float:
    """Print how much a memory child grew above its imports; return it in bytes."""
    grown = float((figures["peak_kib"] - figures["imports_kib"]) * 1024)
    info(
        f"batch: {label}: grown by {grown / 2**20:.0f} MB, "
        f"{grown / figures['n']:.0f} bytes per community"
    )
    return grown


def bench_batch(settings: Settings, folder: Path) -> None:
    start = time.perf_counter()
    columns = cssp.synth.nation(settings.scale, seed=SEED)
    n = len(columns["code"])
    built = time.perf_counter() - start
    path = folder / "nation.parquet"
    start = time.perf_counter()
    cssp.synth.write(columns, path)
    written = time.perf_counter() - start
    size = path.stat().st_size / 2**20
    info(
        f"batch: synthetic nation at scale {settings.scale:g}: {n:,} communities, "
        f"{len(columns)} columns (built in {built:.1f} s, written to Parquet, {size:.1f} MB, "
        f"in {written:.1f} s; neither timed)"
    )

    # The baseline computes what cssp does, from memory and from the file.
    result = cssp.batch.evaluate_columns(columns, PLAN_ID, profiles=())
    compared = check_same(result, baseline(columns))
    from_file = cssp.batch.evaluate_parquet(path, PLAN_ID, profiles=())
    check_same(from_file, baseline(arrow_columns(path)))
    counts = ", ".join(f"{level} {len(result.regions(level)):,}" for level in LEVELS)
    info(
        f"batch: baseline asserted equal to cssp, from memory and from the file: {compared:,} "
        f"community statuses ({len(SPECS)} targets), region statuses, counts and figures at "
        f"every level ({counts})"
    )
    del result, from_file

    # In memory: columns -> statuses and regions.
    cssp_time, numpy_time, evaluate_only = best_times(
        [
            lambda: cssp_columns(columns),
            lambda: baseline(columns),
            lambda: cssp.batch.evaluate_columns(columns, PLAN_ID, profiles=()),
        ],
        settings.repeats,
    )
    timing("numpy baseline (the goal's)", numpy_time, n)
    timing("evaluate_columns + regions x5 (cssp)", cssp_time, n)
    timing("of which evaluate_columns", evaluate_only, n)
    timing("of which regions x5", cssp_time - evaluate_only, n)
    goal("batch_vs_numpy", cssp_time / numpy_time)

    # From the file: Parquet -> statuses and regions.
    cssp_file, numpy_file, read_only = best_times(
        [
            lambda: cssp_parquet(path),
            lambda: baseline(arrow_columns(path)),
            lambda: arrow_columns(path),
        ],
        settings.repeats,
    )
    timing("read_table + to_numpy + baseline", numpy_file, n)
    timing("of which read_table + to_numpy", read_only, n)
    timing("evaluate_parquet + regions x5 (cssp)", cssp_file, n)
    goal("parquet_vs_numpy", cssp_file / numpy_file)

    # Memory: a fresh interpreter. pyarrow imports pandas (when installed) as
    # it builds its first array: an import, as numpy's and pyarrow's are.
    pandas = ["pandas"] if importlib.util.find_spec("pandas") is not None else []
    figures = measure_memory(path, pandas)
    assert figures["n"] == n, figures
    grown = (figures["peak_kib"] - figures["imports_kib"]) * 1024
    info(
        f"batch: evaluate_parquet ({figures['kernel']} kernel, the default) + regions x5 in a "
        "fresh interpreter, Arrow allocating with "
        "the system allocator (ARROW_DEFAULT_MEMORY_POOL=system, as the cssp command runs): "
        "peak RSS "
        f"{figures['peak_kib'] / 1024:.0f} MB, {figures['imports_kib'] / 1024:.0f} MB after "
        f"the imports ({', '.join(['numpy', 'pyarrow', 'cssp', *pandas])}) and the plan "
        f"loaded, grown by {grown / 2**20:.0f} MB for {n:,} communities"
    )
    grown_arrow = _grown(
        "the same with Arrow's own allocator (mimalloc; ARROW_DEFAULT_MEMORY_POOL unset, as a "
        "library user gets it)",
        measure_memory(path, pandas, allocator=None),
    )
    _grown(
        "the same with the plan loaded by the run (its catalogue and the modules it imports "
        "counted with the communities)",
        measure_memory(path, pandas, plan_first=False),
    )
    if pandas:
        _grown("the same without importing pandas first (pyarrow imports it)", measure_memory(path))
    if importlib.util.find_spec("polars") is not None:
        fast = measure_memory(path, [*pandas, "polars"], kernel="polars")
        more = (fast["imports_kib"] - figures["imports_kib"]) / 1024
        _grown(
            f"the Polars kernel (kernel='polars', {fast['kernel']} ran; polars imported with "
            f"the imports, {more:.0f} MB more)",
            fast,
        )
    goal("batch_memory", grown / n, digits=0)
    goal("batch_memory_arrow_default", grown_arrow / n, digits=0)


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
    parser.add_argument("--memory-child", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--memory-preimport", action="append", default=[], help=argparse.SUPPRESS)
    parser.add_argument("--memory-kernel", default="numpy", help=argparse.SUPPRESS)
    parser.add_argument("--memory-plan-later", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child is not None:
        return memory_child(
            args.memory_child,
            args.memory_preimport,
            args.memory_kernel,
            not args.memory_plan_later,
        )
    settings = Settings(
        scale=_scale(args.scale, args.quick), repeats=QUICK_REPEATS if args.quick else FULL_REPEATS
    )

    print(f"# {os.path.basename(__file__)}", flush=True)
    print(f"machine: {machine()}", flush=True)
    print(
        f"versions: cssp {cssp.__version__}, numpy {np.__version__}, pyarrow {pa.__version__}; "
        f"mode: {'quick' if args.quick else 'full'}, best of {settings.repeats}, "
        f"scale {settings.scale:g}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="cssp-bench-batch-") as folder:
        bench_batch(settings, Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
