"""Performance goals of the scalar path, each a ratio against a baseline run in the same process.

Two goals, one line each::

    GOAL scalar_vs_inlined: <ratio> (limit 1.5) PASS|FAIL
    GOAL construct_vs_pint: <ratio> (limit 10) PASS|FAIL

``scalar_vs_inlined``
    Verdicts for one community against the 21 community-level targets of
    ``fyp14`` (in the plan's order, out-of-scope targets not applicable), by
    :func:`cssp.engine.scalar.statuses` ``(community, plan, profiles=())``,
    against :func:`_inlined.inlined_statuses`: the same checks written by hand
    as one plain Python function (one loop over the facilities, constants
    folded, no call per target) applying exactly cssp's rules. Before timing,
    the script asserts that the hand-inlined verdicts equal cssp's for every
    sample community (:data:`SAMPLES`, which reach all four statuses and every
    scope) and for :data:`GENERATED` communities built from
    ``random.Random(SEED)``, many of them at a threshold (5.1 m² for 17
    households ...). Ratio = cssp time / inlined time; the goal is met when the
    ratio is at most the limit. Measured over the samples; the same ratio over
    the generated communities is information.

``construct_vs_pint``
    Building validated :class:`cssp.Community` objects from dicts whose values
    carry units (``"1200户"``, ``"420平方米"``, ``"9 h/day"`` ...), through the
    direct constructors, against converting every unit-bearing value of the
    same dicts with ``ureg.Quantity(text).to(unit).magnitude`` after rewriting
    the Chinese unit words to pint's syntax. The baseline only converts; it
    neither validates nor builds objects. Ratio = pint time / cssp time.
    :func:`cssp.io.structure_communities` is reported too, as information.

Reported as information: :func:`cssp.evaluate` (the findings, with their
figures and explanations) and its ratio to ``statuses``; the compiled
program's own ``statuses`` method, the program found once (what ``statuses``
adds to it is finding the program); and the naive pint baseline of
:mod:`_naive_pint` (a pint quantity per field, its verdicts asserted equal to
cssp's too), whose ratio to ``statuses`` was the goal ``scalar_vs_naive_pint``
(at least 100) until it was retired: see ``RESULTS.md``.

Timings are the best of several repeats after a warm-up, with the garbage
collector off while timing (as :mod:`timeit` does), the runs taking turns.
``--quick`` runs fewer iterations; the smoke test uses it, and its figures are
rougher.

Run ``python benchmarks/run.py`` (or ``make bench``) to run every benchmark.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import _harness
from _harness import best_times, info, machine
from _inlined import check_plan, inlined_statuses
from _naive_pint import (
    NAIVE_TARGETS,
    check_naive_thresholds,
    naive_community,
    naive_statuses,
    naive_statuses_inline,
    prepare_naive,
)

import cssp
import cssp.io
from cssp.engine.scalar import program, statuses
from cssp.units import get_registry

#: The goals: name -> (limit, whether the ratio must be at most the limit
#: rather than at least).
LIMITS: Final = {"scalar_vs_inlined": (1.5, True), "construct_vs_pint": (10.0, False)}

PLAN_ID: Final = "fyp14"
#: The seed and number of the generated communities the inlined verdicts are checked on.
SEED: Final = 20_261_125
GENERATED: Final = 400


@dataclass(frozen=True)
class Settings:
    """How much work each measurement does."""

    repeats: int
    naive_rounds: int  # rounds over the sample communities, naive pint baseline
    evaluate_rounds: int  # rounds over the sample communities, cssp.evaluate
    cssp_rounds: int  # rounds over the sample communities, statuses and the inlined function
    generated_rounds: int  # rounds over the generated communities, the same
    records: int  # generated dicts for the construction goal


FULL: Final = Settings(
    repeats=7,
    naive_rounds=150,
    evaluate_rounds=300,
    cssp_rounds=3000,
    generated_rounds=60,
    records=1000,
)
QUICK: Final = Settings(
    repeats=5,
    naive_rounds=10,
    evaluate_rounds=20,
    cssp_rounds=500,
    generated_rounds=10,
    records=200,
)


# --- timing ------------------------------------------------------------------------


def goal(name: str, ratio: float) -> bool:
    """Print the goal's line and return whether it passed."""
    limit, at_most = LIMITS[name]
    return _harness.goal(name, ratio, limit, at_most=at_most, digits=2 if at_most else 1)


def timing(group: str, label: str, seconds: float, per: str, note: str = "") -> None:
    """Print one measured time per item as an information line."""
    suffix = f" ({note})" if note else ""
    info(f"{group}: {label:<40} {seconds * 1e6:9.2f} us/{per}{suffix}")


# --- the sample communities, one spec each, in canonical units ----------------------
#
# Each spec builds a cssp.Community and the naive baseline's pint community
# (_naive_pint.naive_community) from the same numbers. Between them they reach
# every status and every scope the engine distinguishes: met, not met, not
# applicable (scope, zero households or population, no facility) and no data.

_ALL_SERVICES: Final = tuple(s.value for s in cssp.Service)

SAMPLES: Final[tuple[dict[str, Any], ...]] = (
    {  # urban, well provided, newly built (the commercial share is judged)
        "code": "110101001001",
        "newly_built": True,
        "households": 1200,
        "population": 3600,
        "building_area": 98000.0,
        "facilities": [
            {"kind": "comprehensive", "floor_area": 420.0, "activity_area": 260.0, "hours": 9.0},
            {"kind": "commercial", "floor_area": 9800.0, "activity_area": None, "hours": 12.0},
        ],
        "staff": {"workers": 7, "trained": 7, "disaster": 1},
        "services": _ALL_SERVICES,
        "visit_rate": 100.0,
    },
    {  # urban, short of most targets, newly built
        "code": "310104002003",
        "newly_built": True,
        "households": 2600,
        "population": 8200,
        "building_area": 150000.0,
        "facilities": [
            {"kind": "comprehensive", "floor_area": 300.0, "activity_area": 120.0, "hours": 6.5},
            {"kind": "other", "floor_area": 80.0, "activity_area": None, "hours": 8.0},
        ],
        "staff": {"workers": 9, "trained": 4, "disaster": 0},
        "services": ("agency_service", "broadband"),
        "visit_rate": 87.5,
    },
    {  # a village with a facility and broadband, no 5G
        "code": "440105003201",
        "households": 450,
        "population": 1500,
        "building_area": 40000.0,
        "facilities": [
            {"kind": "comprehensive", "floor_area": 210.0, "activity_area": 150.0, "hours": 8.0},
        ],
        "staff": {"workers": 5, "trained": 5, "disaster": 2},
        "services": (
            "agency_service",
            "online_service_24h",
            "broadband",
            "cultural_service_centre",
        ),
        "visit_rate": 100.0,
    },
    {  # a village with no facility at all
        "code": "510107004233",
        "households": 380,
        "population": 1100,
        "building_area": 30000.0,
        "facilities": [],
        "staff": {"workers": 3, "trained": 0, "disaster": 1},
        "services": (),
        "visit_rate": 60.0,
        "resettlement": False,
    },
    {  # an urban resettlement community
        "code": "520111005012",
        "households": 3000,
        "population": 10500,
        "building_area": 260000.0,
        "facilities": [
            {"kind": "comprehensive", "floor_area": 1100.0, "activity_area": 700.0, "hours": 10.0},
            {"kind": "commercial", "floor_area": 30000.0, "activity_area": None, "hours": 14.0},
        ],
        "staff": {"workers": 20, "trained": 18, "disaster": 1},
        "services": ("self_service_kiosk", "agency_service", "5g", "fitness_circle_15min"),
        "visit_rate": 95.0,
        "resettlement": True,
    },
    {  # almost nothing known
        "code": "650102006007",
        "households": None,
        "population": None,
        "building_area": None,
        "facilities": None,
        "staff": {"workers": None, "trained": None, "disaster": None},
        "services": None,
        "visit_rate": None,
    },
    {  # empty: no households, no residents, no workers
        "code": "320106007008",
        "households": 0,
        "population": 0,
        "building_area": 0.0,
        "facilities": [
            {"kind": "comprehensive", "floor_area": 200.0, "activity_area": 150.0, "hours": 8.0},
        ],
        "staff": {"workers": 0, "trained": 0, "disaster": 0},
        "services": ("satisfaction_survey",),
        "visit_rate": None,
    },
    {  # urban, partly known: no activity area, a facility without opening hours
        "code": "420102008009",
        "households": 1800,
        "population": 5200,
        "building_area": 120000.0,
        "facilities": [
            {"kind": "comprehensive", "floor_area": 700.0, "activity_area": None, "hours": 9.0},
            {"kind": "other", "floor_area": 150.0, "activity_area": None, "hours": None},
        ],
        "staff": {"workers": 10, "trained": None, "disaster": 1},
        "services": (
            "self_service_kiosk",
            "police_office_colocated",
            "disabled_persons_association",
        ),
        "visit_rate": 100.0,
    },
)


def cssp_community(spec: Mapping[str, Any]) -> cssp.Community:
    """The sample as a cssp community."""
    facilities = spec["facilities"]
    staff = spec["staff"]
    services = spec["services"]
    return cssp.Community(
        code=spec["code"],
        newly_built=spec.get("newly_built", False),
        households=spec["households"],
        population=spec["population"],
        building_area=spec["building_area"],
        facilities=None
        if facilities is None
        else [
            cssp.Facility(
                kind=f["kind"],
                floor_area=f["floor_area"],
                activity_area=f["activity_area"],
                opening_hours=f["hours"],
            )
            for f in facilities
        ],
        staff=cssp.Staff(
            community_workers=staff["workers"],
            trained_workers=staff["trained"],
            disaster_information_officers=staff["disaster"],
        ),
        services=None if services is None else list(services),
        elderly_monthly_visit_rate=spec["visit_rate"],
        resettlement=spec.get("resettlement", False),
    )


# --- generated communities: many at a threshold ----------------------------------------


def _near(rng: random.Random, exact: float) -> float:
    """``exact``, or just inside or outside ``REL_TOL`` of it either way, or anywhere near."""
    return exact * rng.choice((1.0, 1.0, 1.0, 1 - 1e-10, 1 + 1e-10, 1 - 1e-8, 1 + 1e-8, 0.7, 1.4))


def _given(rng: random.Random, value: Any, missing: float = 0.1) -> Any:
    """``value``, or ``None`` (not given) with probability ``missing``."""
    return None if rng.random() < missing else value


def _generated_facilities(
    rng: random.Random, households: int | None
) -> tuple[list[cssp.Facility] | None, float]:
    """Facilities (``None``, none, or up to five of every kind) and their service floor area."""
    if rng.random() < 0.08:
        return None, 0.0
    if rng.random() < 0.08:
        return [], 0.0
    # The comprehensive floor area: often at 30 m² per 100 households, in parts.
    if households == 17 and rng.random() < 0.5:
        total = 5.1  # 100 × 5.1 = 509.99999999999994 < 30 × 17 = 510: met within REL_TOL
    elif households and rng.random() < 0.6:
        total = _near(rng, rng.choice((0.3 * households, households * 30 / 100)))
    else:
        total = round(rng.uniform(0, 2500), rng.choice((0, 1, 2)))
    parts = rng.choice((0, 1, 1, 1, 2, 3))
    if parts == 0:
        floors = []
    elif parts == 1 or total == 0:
        floors = [total] * (1 if parts else 0)
    else:
        cut = round(rng.uniform(0.1, 0.9) * total, 1)
        floors = [cut, total - cut][:parts] + [round(rng.uniform(0, 50), 1)] * (parts - 2)
    if rng.random() < 0.05:
        floors.append(0.0)  # a comprehensive facility of no floor area
    facilities = []
    for floor in floors:
        if rng.random() < 0.1:
            activity = None
        elif rng.random() < 0.5:
            activity = min(floor, _near(rng, floor * 0.6))
        else:
            activity = round(floor * rng.uniform(0, 1), 1)
        facilities.append(("comprehensive", floor, activity))
    for _ in range(rng.choice((0, 0, 1, 2))):
        facilities.append(("commercial", round(rng.uniform(0, 30_000), 1), None))
    for _ in range(rng.choice((0, 0, 1))):
        facilities.append(("other", round(rng.uniform(10, 500), 1), None))
    rng.shuffle(facilities)
    service = 0.0
    for kind, floor, _ in facilities:
        if kind != "other":
            service += floor
    hours = (None, 8.0, 8.0, 7.999999995, 7.99999999, 7.5, 9.0, 12.0, 24.0)
    built = [
        cssp.Facility(
            kind=kind,
            floor_area=floor,
            activity_area=activity,
            opening_hours=rng.choice(hours) if rng.random() < 0.7 else 8.0,
        )
        for kind, floor, activity in facilities
    ]
    return built, service


def generated_community(rng: random.Random, index: int) -> cssp.Community:
    """One varied community: any kind and flags, values often at a threshold or missing."""
    rural = rng.random() < 0.5
    village = rng.randrange(200, 400) if rural else rng.randrange(1, 200)
    code = f"{rng.choice(PROVINCES)}01{rng.randrange(1, 20):02d}{index % 1000:03d}{village:03d}"
    households = _given(rng, rng.choice((0, 17, 17, 34, rng.randrange(1, 6000))))
    facilities, service = _generated_facilities(rng, households)
    if rng.random() < 0.05:
        building: float | None = 0.0
    elif service and rng.random() < 0.5:
        building = _near(rng, service * 10.0)  # the service floor area at 10 %
    else:
        building = _given(rng, float(rng.randrange(1000, 400_000)))
    workers = _given(rng, rng.choice((0, 9, 18, rng.randrange(1, 40))))
    if workers and rng.random() < 0.6:  # 18 workers per 10,000 residents, or one resident off
        population: int | None = workers * 10_000 // 18 + rng.choice((-1, 0, 0, 1))
    elif rng.random() < 0.03:  # counts large enough for REL_TOL to matter: 8 in 9e10
        workers, population = 9_000_001, 5_000_000_556
    else:
        population = _given(rng, rng.choice((0, rng.randrange(1, 20_000))))
    if workers is None:
        trained = _given(rng, rng.randrange(0, 10))
    else:
        trained = _given(rng, workers if rng.random() < 0.5 else rng.randrange(0, workers + 1))
    rate = (100.0, 100.0, 100 - 1e-8, 99.99999, 99.9, round(rng.uniform(40, 100), 1))
    services = rng.sample(_ALL_SERVICES, rng.randrange(0, len(_ALL_SERVICES) + 1))
    return cssp.Community(
        code=code,
        households=households,
        population=population,
        building_area=building,
        facilities=facilities,
        staff=cssp.Staff(
            community_workers=workers,
            trained_workers=trained,
            disaster_information_officers=_given(rng, rng.choice((0, 1, 1, 2))),
        ),
        services=_given(rng, services),
        elderly_monthly_visit_rate=_given(rng, rng.choice(rate)),
        resettlement=rng.random() < 0.25,
        old_residential_area=rng.random() < 0.15,
        newly_built=rng.random() < 0.15,
    )


def generated_communities(count: int = GENERATED, seed: int = SEED) -> list[cssp.Community]:
    """``count`` varied communities from ``random.Random(seed)``."""
    rng = random.Random(seed)
    return [generated_community(rng, index) for index in range(count)]


# --- goal 1: scalar evaluation ---------------------------------------------------------


def check_inlined(plan: cssp.Plan, communities: Sequence[cssp.Community], label: str) -> None:
    """Assert that the hand-inlined verdicts are cssp's for every community of ``communities``.

    Also that they reach all four statuses, and that every scope fyp14's
    targets name (urban, rural, resettlement) has communities in and out of it.
    """
    seen: set[cssp.Status] = set()
    for community in communities:
        expected = statuses(community, plan, profiles=())
        got = inlined_statuses(community)
        assert got == expected, f"{label} {community.code}: inlined {got} != cssp {expected}"
        seen.update(got)
    assert seen == set(cssp.Status), (label, seen)
    assert {c.kind for c in communities} == set(cssp.CommunityKind), label
    assert {c.resettlement for c in communities} == {False, True}, label


def near_misses(plan: cssp.Plan, communities: Sequence[cssp.Community]) -> tuple[int, int]:
    """How many verdicts are met only within ``REL_TOL``, and missed by less than 1e-8."""
    within = missed = 0
    for community in communities:
        found = program(plan, None, (), community.code)
        for check, raw in zip(found.checks, found.observe(community), strict=True):
            status, numerator, denominator, _, threshold = raw
            lhs, rhs = check.scale * numerator, threshold * denominator
            if status is cssp.Status.MET and lhs < rhs:
                within += 1
            elif status is cssp.Status.NOT_MET and lhs >= rhs - 1e-8 * abs(rhs):
                missed += 1
    return within, missed


def bench_scalar(settings: Settings) -> None:
    plan = cssp.load_plan(PLAN_ID)
    prepare_naive()
    check_naive_thresholds(plan)
    communities = [cssp_community(spec) for spec in SAMPLES]
    naive = [naive_community(spec) for spec in SAMPLES]
    generated = generated_communities()
    national = program(plan, None, (), communities[0].code)
    check_plan(national)

    # The baselines must give the same verdicts as cssp, community by community.
    for community, pint_community in zip(communities, naive, strict=True):
        expected = tuple(str(s) for s in statuses(community, plan, profiles=()))
        got = naive_statuses(pint_community)
        assert got == expected, f"{community.code}: naive {got} != cssp {expected}"
        assert naive_statuses_inline(pint_community) == expected, community.code
        assert len(expected) == len(NAIVE_TARGETS)
    check_inlined(plan, communities, "sample")
    check_inlined(plan, generated, "generated")
    within, missed = near_misses(plan, generated)
    assert within > 0, "no generated community is met only within REL_TOL"
    assert missed > 0, "no generated community misses a target by less than 1e-8"
    # Every program in force is the national one (no profiles): one program for all.
    assert all(program(plan, None, (), c.code) is national for c in (*communities, *generated))

    def run_naive() -> None:
        for _ in range(settings.naive_rounds):
            for c in naive:
                naive_statuses(c)

    def run_naive_inline() -> None:
        for _ in range(settings.naive_rounds):
            for c in naive:
                naive_statuses_inline(c)

    def run_evaluate() -> None:
        for _ in range(settings.evaluate_rounds):
            for c in communities:
                cssp.evaluate(c, plan, profiles=())

    def statuses_rounds(items: Sequence[cssp.Community], count: int) -> Callable[[], None]:
        def run() -> None:
            for _ in range(count):
                for c in items:
                    statuses(c, plan, profiles=())

        return run

    def call_rounds(
        function: Callable[[cssp.Community], object], items: Sequence[cssp.Community], count: int
    ) -> Callable[[], None]:
        def run() -> None:
            for _ in range(count):
                for c in items:
                    function(c)

        return run

    runs = (
        run_naive,
        run_naive_inline,
        run_evaluate,
        statuses_rounds(communities, settings.cssp_rounds),
        call_rounds(inlined_statuses, communities, settings.cssp_rounds),
        call_rounds(national.statuses, communities, settings.cssp_rounds),
        statuses_rounds(generated, settings.generated_rounds),
        call_rounds(inlined_statuses, generated, settings.generated_rounds),
    )
    totals = best_times(runs, settings.repeats)
    samples = len(communities)
    per_naive = totals[0] / (settings.naive_rounds * samples)
    per_naive_inline = totals[1] / (settings.naive_rounds * samples)
    per_evaluate = totals[2] / (settings.evaluate_rounds * samples)
    per_statuses, per_inlined, per_program = (
        total / (settings.cssp_rounds * samples) for total in totals[3:6]
    )
    per_generated, per_generated_inlined = (
        total / (settings.generated_rounds * len(generated)) for total in totals[6:8]
    )
    targets = len(national.checks)
    info(
        f"scalar: {samples} sample communities x {targets} targets of {PLAN_ID}; hand-inlined "
        f"and naive verdicts asserted equal to cssp's, and the inlined ones for {len(generated)} "
        f"generated communities ({within} verdicts met only within REL_TOL, {missed} missed "
        "by less than 1e-8)"
    )
    timing("scalar", "hand-inlined function (the baseline)", per_inlined, "community")
    timing("scalar", "cssp statuses()", per_statuses, "community")
    timing(
        "scalar",
        "Program.statuses, program found once",
        per_program,
        "community",
        f"statuses() adds {(per_statuses - per_program) * 1e9:.0f} ns; "
        f"{per_program / per_inlined:.2f}x inlined",
    )
    timing(
        "scalar",
        "cssp.evaluate() (Findings)",
        per_evaluate,
        "community",
        f"evaluate/statuses = {per_evaluate / per_statuses:.1f}",
    )
    timing(
        "scalar",
        "naive pint baseline",
        per_naive,
        "community",
        f"naive/statuses = {per_naive / per_statuses:.1f}; the retired goal "
        "scalar_vs_naive_pint asked for 100",
    )
    timing(
        "scalar",
        "naive, thresholds built in the loop",
        per_naive_inline,
        "community",
        f"naive/statuses = {per_naive_inline / per_statuses:.1f}",
    )
    timing(
        "scalar",
        f"generated ({len(generated)}): statuses()",
        per_generated,
        "community",
        f"statuses/inlined = {per_generated / per_generated_inlined:.2f}",
    )
    timing("scalar", f"generated ({len(generated)}): inlined", per_generated_inlined, "community")
    goal("scalar_vs_inlined", per_statuses / per_inlined)


# --- goal 2: construction from dicts with unit strings ------------------------------

# Not "{}㎡": cssp.units normalises with NFKC before it reads unit words, which
# turns "㎡" into "m2", and pint rejects that (reported; see RESULTS.md).
AREA_SPELLINGS: Final = ("{} m²", "{}平方米", "{} m^2", "{}平米", "{} m**2", "{} 平方米")
HOUSEHOLD_SPELLINGS: Final = ("{}户", "{} 户", "{} household")
PERSON_SPELLINGS: Final = ("{}人", "{} 人", "{} person")
HOURS_SPELLINGS: Final = ("{} h/day", "{}小时/天", "{} hour/day", "{}小时/日")
PERCENT_SPELLINGS: Final = ("{}%", "{} %", "{} percent")
PROVINCES: Final = ("11", "31", "44", "51", "32", "42", "65")


def _spell(rng: random.Random, number: float, spellings: Sequence[str], bare: float) -> object:
    """``number`` in one of ``spellings``, or bare (a plain number) with probability ``bare``."""
    if rng.random() < bare:
        return number
    if isinstance(number, int) and number >= 1000 and rng.random() < 0.3:
        text = f"{number:,}"
    elif isinstance(number, float) and number.is_integer() and rng.random() < 0.5:
        text = f"{number:.0f}"
    else:
        text = str(number)
    return rng.choice(spellings).format(text)


def make_records(count: int, seed: int = 20261124) -> list[dict[str, Any]]:
    """``count`` community dicts of varied numbers and unit spellings, like a spreadsheet's rows."""
    rng = random.Random(seed)
    records = []
    for index in range(count):
        village = rng.randrange(1, 200) if rng.random() < 0.6 else rng.randrange(200, 400)
        code = f"{rng.choice(PROVINCES)}01{rng.randrange(1, 20):02d}{index % 1000:03d}{village:03d}"
        households = rng.randrange(150, 6000)
        facilities = []
        for kind in ("comprehensive", "commercial", "other")[: rng.randrange(1, 4)]:
            floor = round(rng.uniform(120, 2500), rng.choice((0, 1)))
            facility: dict[str, Any] = {
                "kind": kind,
                "floor_area": _spell(rng, floor, AREA_SPELLINGS, 0.0),
                "opening_hours": _spell(
                    rng, rng.choice((6, 7.5, 8, 8.5, 9, 10, 12, 24)), HOURS_SPELLINGS, 0.0
                ),
            }
            if kind == "comprehensive":
                activity = round(floor * rng.uniform(0.3, 0.9), 1)
                facility["activity_area"] = _spell(rng, activity, AREA_SPELLINGS, 0.0)
            facilities.append(facility)
        workers = rng.randrange(2, 30)
        records.append(
            {
                "code": code,
                "households": _spell(rng, households, HOUSEHOLD_SPELLINGS, 0.2),
                "population": _spell(rng, households * rng.randrange(2, 4), PERSON_SPELLINGS, 0.5),
                "building_area": _spell(
                    rng, float(rng.randrange(20_000, 400_000)), AREA_SPELLINGS, 0.0
                ),
                "facilities": facilities,
                "staff": {
                    "community_workers": _spell(rng, workers, PERSON_SPELLINGS, 0.5),
                    "trained_workers": _spell(
                        rng, rng.randrange(0, workers + 1), PERSON_SPELLINGS, 0.5
                    ),
                    "disaster_information_officers": _spell(
                        rng, rng.randrange(0, 3), PERSON_SPELLINGS, 0.5
                    ),
                },
                "services": rng.sample(_ALL_SERVICES, rng.randrange(0, len(_ALL_SERVICES))),
                "elderly_monthly_visit_rate": _spell(
                    rng, round(rng.uniform(60, 100), 1), PERCENT_SPELLINGS, 0.0
                ),
            }
        )
    return records


def build_direct(record: Mapping[str, Any]) -> cssp.Community:
    """The cssp path under the goal: the validating constructors, called directly."""
    return cssp.Community(
        **{
            **record,
            "facilities": [cssp.Facility(**f) for f in record["facilities"]],
            "staff": cssp.Staff(**record["staff"]),
        }
    )


# The baseline: rewrite the Chinese unit words into pint's syntax, then let pint
# parse and convert every value that carries a unit. Bare numbers pass through.
NAIVE_REWRITES: Final = (
    (",", ""),
    ("平方米", " m**2"),
    ("平米", " m**2"),
    ("㎡", " m**2"),
    ("²", "**2"),
    ("^", "**"),
    ("小时", " hour"),
    ("天", "day"),
    ("日", "day"),
    ("户", " household"),
    ("人", " person"),
    ("%", " percent"),
)
COMMUNITY_UNITS: Final = {
    "households": "household",
    "population": "person",
    "building_area": "m**2",
    "elderly_monthly_visit_rate": "percent",
}
FACILITY_UNITS: Final = {
    "floor_area": "m**2",
    "activity_area": "m**2",
    "opening_hours": "hour/day",
}


def naive_convert(record: Mapping[str, Any]) -> dict[str, Any]:
    """The baseline: every unit-bearing value through ``ureg.Quantity(text).to(unit)``."""
    ureg = get_registry()

    def quantity(value: object, unit: str) -> float:
        if isinstance(value, int | float):
            return float(value)
        text = str(value)
        for old, new in NAIVE_REWRITES:
            text = text.replace(old, new)
        return float(ureg.Quantity(text).to(unit).magnitude)

    out = dict(record)
    for name, unit in COMMUNITY_UNITS.items():
        out[name] = quantity(record[name], unit)
    out["facilities"] = [
        {
            **f,
            **{name: quantity(f[name], unit) for name, unit in FACILITY_UNITS.items() if name in f},
        }
        for f in record["facilities"]
    ]
    out["staff"] = {name: quantity(value, "person") for name, value in record["staff"].items()}
    return out


def check_same_values(community: cssp.Community, converted: Mapping[str, Any]) -> None:
    """Assert that the baseline read every value as cssp did."""
    for name in COMMUNITY_UNITS:
        assert math.isclose(getattr(community, name), converted[name]), (community.code, name)
    for facility, plain in zip(community.facilities or (), converted["facilities"], strict=True):
        for name in FACILITY_UNITS:
            if name in plain:
                assert math.isclose(getattr(facility, name), plain[name]), (community.code, name)
    for name, value in converted["staff"].items():
        assert getattr(community.staff, name) == value, (community.code, name)


def bench_construct(settings: Settings) -> None:
    records = make_records(settings.records)
    direct = [build_direct(r) for r in records]
    structured = cssp.io.structure_communities(records)
    assert structured == tuple(direct), "structure_communities and the constructors differ"
    for community, record in zip(direct, records, strict=True):
        check_same_values(community, naive_convert(record))
    values = sum(
        sum(isinstance(v, str) for v in (r[n] for n in COMMUNITY_UNITS))
        + sum(isinstance(v, str) for f in r["facilities"] for n, v in f.items() if n != "kind")
        + sum(isinstance(v, str) for v in r["staff"].values())
        for r in records
    )

    def run_pint() -> None:
        for record in records:
            naive_convert(record)

    def run_direct() -> None:
        for record in records:
            build_direct(record)

    def run_structure() -> None:
        cssp.io.structure_communities(records)

    count = len(records)
    per_pint, per_direct, per_structure = (
        total / count
        for total in best_times((run_pint, run_direct, run_structure), settings.repeats)
    )
    info(
        f"construct: {count} generated records, {values} unit strings "
        f"({values / count:.1f} per record); values asserted equal to pint's"
    )
    timing("construct", "per-value pint conversion", per_pint, "record")
    timing("construct", "cssp.Community(...) direct", per_direct, "record")
    timing(
        "construct",
        "cssp.io.structure_communities()",
        per_structure,
        "record",
        f"pint/structure = {per_pint / per_structure:.1f}",
    )
    goal("construct_vs_pint", per_pint / per_direct)


# --- main ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer iterations (smoke test)")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    import pint

    print(f"# {os.path.basename(__file__)}", flush=True)
    print(f"machine: {machine()}", flush=True)
    print(
        f"versions: cssp {cssp.__version__}, pint {pint.__version__}; "
        f"mode: {'quick' if args.quick else 'full'}, best of {settings.repeats}",
        flush=True,
    )
    bench_scalar(settings)
    bench_construct(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
