"""Performance goal of the readers: a CSV of communities against csv.DictReader.

One goal, one line::

    GOAL csv_read_vs_dictreader: <ratio> (limit 3) PASS|FAIL

``csv_read_vs_dictreader``
    :func:`cssp.io.read_communities` of a UTF-8 CSV of 100,000 generated
    communities, one per row, with Chinese headers that carry their units
    (``户数(户)``, ``总建筑面积(万平方米)``, ``开放时间(小时/天)`` ...), giving
    validated :class:`cssp.Community` objects with their facilities and
    staff, against a baseline that reads the same file with
    :class:`csv.DictReader` and converts the same numeric cells with
    ``float()``, building nothing and checking nothing. Ratio = cssp time ÷
    baseline time; the goal is met when the ratio is at most the limit. Before
    timing, the script asserts that cssp read every numeric cell as the
    baseline did (times the header's unit factor).

Reported as information, over the same communities:

* the share of cssp's time spent in the model's constructors alone
  (``Community``, ``Facility``, ``Staff`` built directly from the values read),
  which is the floor the reader cannot go under;
* reading and then evaluating every community against ``fyp14`` with
  :func:`cssp.engine.scalar.statuses` (``profiles=()``: the national plan alone);
* reading the same communities from JSON (:func:`cssp.io.communities_to_json`).

The communities are generated from ``random.Random(SEED)``: real 9-digit
township codes (from :func:`cssp.model.divisions.load_divisions`) with
001–199 (urban) or 200–399 (rural) appended, figures in the ranges of
``tools/make_sample.py``, a comprehensive facility for most, a commercial one
for many, services as a ``;`` or ``、`` separated list, and some cells left
empty.

Timings are the best of several repeats after a warm-up, with the garbage
collector off while timing, the baseline and cssp taking turns. The goal's
ratio is the median of five such measurements, each in a fresh process
(``--worker``), as pyperf measures: on the 2-core machine of
``benchmarks/RESULTS.md`` the same code gave ratios from 2.3 to 3.1 in
processes run one after the other with the same hash seed, the speed of pure
Python depending on each process's memory layout more than the baseline's,
much of whose work is in C. Every process's ratio is printed, and the ratio
measured in the script's own process. ``--quick`` (10,000 rows, fewer repeats,
two processes) is the smoke test's mode.

Run ``python benchmarks/run.py`` (or ``make bench``) to run every benchmark.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import _harness
from _harness import best_times, info, machine

import cssp
import cssp.io
from cssp.engine.scalar import statuses
from cssp.model.divisions import load_divisions

#: The goal: name -> the greatest acceptable ratio (cssp time / baseline time).
LIMITS: Final = {"csv_read_vs_dictreader": 3.0}

PLAN_ID: Final = "fyp14"
SEED: Final = 20_261_125


@dataclass(frozen=True)
class Settings:
    """How much work each measurement does."""

    rows: int
    repeats: int
    processes: int  # the fresh processes the goal is measured in


FULL: Final = Settings(rows=100_000, repeats=5, processes=5)
QUICK: Final = Settings(rows=10_000, repeats=3, processes=2)


# --- timing (as in bench_scalar.py) ------------------------------------------------


def goal(name: str, ratio: float) -> bool:
    """Print the goal's line and return whether it passed."""
    return _harness.goal(name, ratio, LIMITS[name], at_most=True, digits=2)


def timing(label: str, seconds: float, note: str = "") -> None:
    """Print one measured time per row as an information line."""
    suffix = f" ({note})" if note else ""
    info(f"io: {label:<44} {seconds * 1e6:8.2f} us/row{suffix}")


# --- the generated table -------------------------------------------------------------

#: The header: Chinese names, units in brackets. name -> unit factor to canonical (None: text).
HEADER: Final[dict[str, float | None]] = {
    "统计用区划代码": None,
    "社区名称": None,
    "户数(户)": 1.0,
    "常住人口(人)": 1.0,
    "总建筑面积(万平方米)": 10_000.0,
    "有综合服务设施": None,
    "综合服务设施面积(平方米)": 1.0,
    "居民活动区域面积(平方米)": 1.0,
    "办公面积(平方米)": 1.0,
    "开放时间(小时/天)": 1.0,
    "商业设施面积(平方米)": 1.0,
    "社区工作者(人)": 1.0,
    "社会工作者(人)": 1.0,
    "灾害信息员(人)": 1.0,
    "已轮训社区工作者(人)": 1.0,
    "特殊困难老年人月探访率(%)": 1.0,
    "社区社会组织数(个)": 1.0,
    "注册志愿者(人)": 1.0,
    "易地扶贫搬迁安置社区": None,
    "老旧小区": None,
    "新建社区": None,
    "服务项目": None,
}
NUMERIC: Final = tuple(name for name, factor in HEADER.items() if factor is not None)

_SERVICES: Final = (
    "self_service_kiosk;agency_service;online_service_24h;5g;broadband",
    "政务代办服务、宽带、社区服务群众满意度调查",
    "agency_service;satisfaction_survey",
    "无",
    "",
)


def generate_rows(count: int, rng: random.Random) -> list[list[str]]:
    """``count`` rows of distinct, valid communities, as the cells of a CSV."""
    townships = sorted(code for code in load_divisions() if len(code) == 9)
    codes: set[str] = set()
    rows: list[list[str]] = []
    while len(rows) < count:
        village = rng.randint(200, 399) if rng.random() < 0.6 else rng.randint(1, 199)
        code = f"{rng.choice(townships)}{village:03d}"
        if code in codes:
            continue
        codes.add(code)
        households = rng.randint(150, 4000)
        floor = rng.randint(80, 1500)
        workers = rng.randint(2, 25)
        has_facility = rng.random() < 0.9
        rows.append(
            [
                code,
                f"示例社区{len(rows) + 1}",
                str(households),
                str(round(households * rng.uniform(2.4, 3.4))),
                f"{rng.uniform(1.5, 40):.2f}",
                "是" if has_facility else "否",
                str(floor) if has_facility else "",
                # the activity and office areas together at most the floor area
                f"{floor * rng.uniform(0.4, 0.75):.1f}" if has_facility else "",
                str(round(floor * rng.uniform(0.05, 0.2))) if has_facility else "",
                rng.choice(("8", "9", "10", "12", "7.5")) if has_facility else "",
                str(rng.randint(100, 30_000)),
                str(workers),
                str(rng.randint(0, 6)),
                str(rng.randint(0, 2)),
                str(rng.randint(0, workers)),
                rng.choice(("100", "96.5", "88", "")),
                str(rng.randint(0, 40)),
                str(rng.randint(0, 1200)),
                "是" if rng.random() < 0.05 else "否",
                rng.choice(("是", "否")),
                "否",
                rng.choice(_SERVICES),
            ]
        )
    return rows


def write_csv(path: Path, rows: Sequence[Sequence[str]]) -> None:
    """Write the header and ``rows`` as a UTF-8 CSV file."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        writer.writerows(rows)


def baseline(path: Path) -> int:
    """The baseline: csv.DictReader, and float() of every numeric cell; nothing kept."""
    count = 0
    with path.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            [float(cell) if cell else None for cell in (row[name] for name in NUMERIC)]
            count += 1
    return count


def check_same_values(path: Path, communities: Sequence[cssp.Community]) -> None:
    """Assert that cssp read every numeric cell as float() does, times its header's factor."""
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == len(communities)
    for row, community in zip(rows, communities, strict=True):
        has_facility = bool(row["综合服务设施面积(平方米)"])
        facility = community.comprehensive_facilities[0] if has_facility else None
        commercial = [f for f in community.facilities or () if f.kind == "commercial"]
        read: dict[str, float | None] = {
            "户数(户)": community.households,
            "常住人口(人)": community.population,
            "总建筑面积(万平方米)": community.building_area,
            "综合服务设施面积(平方米)": facility.floor_area if facility else None,
            "居民活动区域面积(平方米)": facility.activity_area if facility else None,
            "办公面积(平方米)": facility.office_area if facility else None,
            "开放时间(小时/天)": facility.opening_hours if facility else None,
            "商业设施面积(平方米)": commercial[0].floor_area if commercial else None,
            "社区工作者(人)": community.staff.community_workers,
            "社会工作者(人)": community.staff.social_workers,
            "灾害信息员(人)": community.staff.disaster_information_officers,
            "已轮训社区工作者(人)": community.staff.trained_workers,
            "特殊困难老年人月探访率(%)": community.elderly_monthly_visit_rate,
            "社区社会组织数(个)": community.social_organisations,
            "注册志愿者(人)": community.registered_volunteers,
        }
        assert community.code == row["统计用区划代码"]
        for name in NUMERIC:
            cell, value = row[name], read[name]
            expected = float(cell) * (HEADER[name] or 1.0) if cell else None
            assert value == expected, (community.code, name, cell, value)


def rebuild(communities: Sequence[cssp.Community]) -> None:
    """The model's constructors alone, from the values read: the floor of any reader."""
    for c in communities:
        cssp.Community(
            code=c.code,
            name=c.name,
            kind=None,
            households=c.households,
            population=c.population,
            building_area=c.building_area,
            facilities=None
            if c.facilities is None
            else tuple(
                cssp.Facility(f.kind, f.floor_area, f.activity_area, f.office_area, f.opening_hours)
                for f in c.facilities
            ),
            staff=cssp.Staff(
                c.staff.community_workers,
                c.staff.social_workers,
                c.staff.disaster_information_officers,
                c.staff.trained_workers,
            ),
            services=c.services,
            resettlement=c.resettlement,
            old_residential_area=c.old_residential_area,
            newly_built=c.newly_built,
            elderly_monthly_visit_rate=c.elderly_monthly_visit_rate,
            social_organisations=c.social_organisations,
            registered_volunteers=c.registered_volunteers,
        )


def bench_io(settings: Settings, folder: Path) -> None:
    rows = generate_rows(settings.rows, random.Random(SEED))
    path = folder / "communities.csv"
    write_csv(path, rows)
    communities = cssp.io.read_communities(path)
    check_same_values(path, communities)
    json_path = folder / "communities.json"
    cssp.io.write_atomic(json_path, cssp.io.communities_to_json(communities))
    assert cssp.io.read_communities(json_path) == communities
    plan = cssp.load_plan(PLAN_ID)
    count = len(communities)
    size = path.stat().st_size
    info(
        f"io: {count} generated communities, {len(HEADER)} columns ({len(NUMERIC)} numeric, "
        f"units in the header), {size / 1e6:.1f} MB of CSV; values asserted equal to float()'s"
    )

    def run_baseline() -> None:
        baseline(path)

    def run_cssp() -> None:
        cssp.io.read_communities(path)

    def run_model() -> None:
        rebuild(communities)

    def run_evaluate() -> None:
        for community in cssp.io.read_communities(path):
            statuses(community, plan, profiles=())

    def run_json() -> None:
        cssp.io.read_communities(json_path)

    per_baseline, per_cssp, per_model, per_evaluate, per_json = (
        total / count
        for total in best_times(
            (run_baseline, run_cssp, run_model, run_evaluate, run_json), settings.repeats
        )
    )
    timing("csv.DictReader + float() (the baseline)", per_baseline)
    timing("cssp.io.read_communities(csv)", per_cssp, f"{per_cssp / per_baseline:.2f}x")
    timing(
        "the model's constructors, object by object",
        per_model,
        f"{per_model / per_baseline:.2f}x the baseline; the row path's floor, which a usual "
        "chunk's bulk build (cssp.model.bulk) goes under",
    )
    timing(
        "read_communities(csv) + statuses(profiles=())",
        per_evaluate,
        f"{per_evaluate / per_baseline:.2f}x",
    )
    timing("cssp.io.read_communities(json)", per_json, f"{per_json / per_baseline:.2f}x")
    # As a program runs them: the collector on (it is off above, as timeit has it). The read
    # keeps it from starting a pass while it builds (cssp.model.collector).
    on_baseline, on_cssp = (
        total / count
        for total in best_times((run_baseline, run_cssp), settings.repeats, collector=True)
    )
    timing(
        "read_communities(csv), the collector on",
        on_cssp,
        f"{on_cssp / on_baseline:.2f}x the baseline with it on ({on_baseline * 1e6:.2f} us/row)",
    )
    ratios = sorted(fresh_ratios(path, settings))
    info(
        f"io: read(csv) / baseline in {len(ratios)} fresh processes: "
        + ", ".join(f"{ratio:.2f}" for ratio in ratios)
        + f" (this process: {per_cssp / per_baseline:.2f})"
    )
    goal("csv_read_vs_dictreader", statistics.median(ratios))


def fresh_ratios(path: Path, settings: Settings) -> list[float]:
    """The read's time over the baseline's, each measured in a process of its own."""
    ratios = []
    for _ in range(settings.processes):
        command = [sys.executable, __file__, "--worker", str(path)]
        command += ["--repeats", str(settings.repeats)]
        printed = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        baseline_time, cssp_time = map(float, printed.split())
        ratios.append(cssp_time / baseline_time)
    return ratios


def worker(path: Path, repeats: int) -> None:
    """Print the best times of the baseline and of the read of ``path``, taking turns."""
    best = best_times((lambda: baseline(path), lambda: cssp.io.read_communities(path)), repeats)
    print(*best)


# --- main ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer rows and repeats (smoke test)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)  # see fresh_ratios
    parser.add_argument("--repeats", type=int, default=FULL.repeats, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        worker(args.worker, args.repeats)
        return 0
    settings = QUICK if args.quick else FULL

    print(f"# {os.path.basename(__file__)}", flush=True)
    print(f"machine: {machine()}", flush=True)
    print(
        f"versions: cssp {cssp.__version__}; mode: {'quick' if args.quick else 'full'}, "
        f"best of {settings.repeats}, {settings.rows} rows",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="cssp-bench-io-") as folder:
        bench_io(settings, Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
