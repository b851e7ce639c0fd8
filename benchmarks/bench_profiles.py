"""Performance goal of province profiles: their overhead on a region evaluation.

One goal, one line::

    GOAL profiles_overhead: <ratio> (limit 1.2) PASS|FAIL

``profiles_overhead``
    :func:`cssp.evaluate_region` of 10,000 generated communities of Guangdong
    (44), Hubei (42) and Jiangsu (32), by county, against ``fyp14`` with the
    three provinces' real profiles loaded (a :class:`cssp.ProfileSet` of the
    ``profile.toml`` files under ``plugins/``), against the same evaluation with
    ``profiles=()`` (the national plan alone). Ratio = profiles time / national
    time; the goal is met when the ratio is at most the limit. Before timing,
    the script asserts that the profile run applies the provinces' targets
    (Guangdong's ≥ 32 m² per 100 households with two provenance steps, Hubei's
    and Jiangsu's strict ``>``, the provinces' new indicators) and that the
    national run does not.

The same ratio for the per-community paths, :func:`cssp.engine.scalar.statuses`
and :func:`cssp.evaluate` over the same communities, is reported as information.

The communities are built once, from ``random.Random(SEED)``: real 9-digit
township codes of the three provinces (from :func:`cssp.model.divisions.load_divisions`)
with 001–199 (urban) and 200–399 (rural) appended, urban communities mostly
under streets (街道) and rural ones mostly under towns and townships (镇, 乡),
with facilities, households, population, staff, services and the provinces'
``extra`` fields in the ranges of ``tools/make_sample.py``, and a few values
left out. Profiles are always passed explicitly, so the plugins installed in
the environment play no part.

Timings are the best of several repeats after a warm-up, with the garbage
collector off while timing, the profile and national runs taking turns.
``--quick`` (2,000 communities, fewer repeats) is the smoke test's mode.

Run ``python benchmarks/run.py`` (or ``make bench``) to run every benchmark.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeVar

import _harness
from _harness import best_times, info, machine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import make_sample

import cssp
from cssp.engine.scalar import statuses
from cssp.model.divisions import division_name, load_divisions
from cssp.plugins import load_profile

#: The goal: name -> the greatest acceptable ratio (profiles time / national time).
LIMITS: Final = {"profiles_overhead": 1.2}

PLAN_ID: Final = "fyp14"
BY: Final = "county"
SEED: Final = 20_261_124

PLUGINS: Final = Path(__file__).resolve().parent.parent / "plugins"
#: Province code -> (profile id, its TOML file, share of the generated communities).
PROVINCES: Final = {
    "44": ("guangdong", PLUGINS / "cssp-guangdong" / "cssp_guangdong" / "profile.toml", 0.40),
    "42": ("hubei", PLUGINS / "cssp-hubei" / "cssp_hubei" / "profile.toml", 0.30),
    "32": ("jiangsu", PLUGINS / "cssp-jiangsu" / "cssp_jiangsu" / "profile.toml", 0.30),
}


@dataclass(frozen=True)
class Settings:
    """How much work each measurement does."""

    communities: int
    repeats: int


FULL: Final = Settings(communities=10_000, repeats=5)
QUICK: Final = Settings(communities=2_000, repeats=3)


# --- timing (as in bench_scalar.py) ------------------------------------------------


# --- the communities ------------------------------------------------------------------

URBAN: Final = "urban"
RURAL: Final = "rural"

#: Odds of each service beyond the base one (the kiosk in town, broadband in
#: villages): the sample generator's, so the two data sets look alike.
SERVICE_ODDS: Final = make_sample.SERVICE_ODDS

T = TypeVar("T")

#: Each secondary value is left out with this probability.
GAP_RATE: Final = 0.03


def goal(name: str, ratio: float) -> bool:
    """Print the goal's line and return whether it passed."""
    return _harness.goal(name, ratio, LIMITS[name], at_most=True, digits=2)


def _urban_odds(township_name: str) -> float:
    """How likely a community under this township is urban (a residents' committee)."""
    if township_name.endswith("街道"):
        return 0.92
    if township_name.endswith("乡"):
        return 0.03
    if township_name.endswith("镇"):
        return 0.2
    return 0.5  # 开发区, 林场, 农场 ...


def _known(rng: random.Random, value: T) -> T | None:
    """The value, or ``None`` (unknown) now and then."""
    return None if rng.random() < GAP_RATE else value


def _facilities(
    rng: random.Random, kind: str, households: int, building: int
) -> list[cssp.Facility] | None:
    if rng.random() < 0.02:
        return None  # not reported
    if rng.random() < (0.01 if kind == URBAN else 0.06):
        return []  # none at all
    facilities = []
    # Straddling 30 and 32 m² per 100 households: the national and the
    # Guangdong (≥ 32) and Hubei (> 30) targets give different verdicts.
    per_100 = rng.uniform(24.0, 46.0) if kind == URBAN else rng.uniform(26.0, 52.0)
    total: float = max(round(per_100 * households / 100), 60)
    if rng.random() < 0.04:
        total = 0.3 * households  # built to the national standard exactly: not > 30 (Hubei)
    parts = [total] if rng.random() < 0.9 else [round(total * 0.6), total - round(total * 0.6)]
    for floor in parts:
        facilities.append(
            cssp.Facility(
                kind="comprehensive",
                floor_area=floor,
                activity_area=_known(rng, float(round(floor * rng.uniform(0.5, 0.78)))),
                office_area=float(round(floor * rng.uniform(0.12, 0.2))),
                opening_hours=_known(rng, rng.choice((7.5, 8.0, 8.5, 9.0, 9.0, 9.5, 10.0))),
                name="党群服务中心" if kind == URBAN else "村党群服务中心",
            )
        )
    if rng.random() < (0.7 if kind == URBAN else 0.5):
        facilities.append(
            cssp.Facility(
                kind="other",
                floor_area=float(rng.randint(8, 40) * 10),
                opening_hours=_known(rng, rng.choice((8.0, 9.0, 10.0))),
                name="居家养老服务站" if kind == URBAN else "村卫生室",
            )
        )
    if kind == URBAN:
        share = rng.uniform(0.04, 0.15)
        commercial = round(share * building / 10) * 10 - total
        if commercial > 0:
            facilities.append(
                cssp.Facility(
                    kind="commercial",
                    floor_area=float(commercial),
                    opening_hours=float(rng.choice((12, 13, 14))),
                    name="社区商业中心",
                )
            )
    elif rng.random() < 0.5:
        facilities.append(
            cssp.Facility(
                kind="commercial",
                floor_area=float(rng.randint(8, 30) * 10),
                opening_hours=float(rng.choice((10, 11, 12))),
                name="便民超市",
            )
        )
    return facilities


def _extra(
    rng: random.Random, province: str, kind: str, population: int, workers: int
) -> dict[str, float]:
    """The fields the province's new indicators read (each sometimes not reported)."""
    values: dict[str, float] = {}
    if province == "44":
        values["childcare_places_under_3"] = round(population * rng.uniform(2.0, 9.0) / 1000)
        values["sports_ground_area"] = round(population * rng.uniform(1.5, 3.8))
    elif province == "42" and kind == URBAN:
        values["qualified_social_workers"] = rng.randint(0, workers)
    elif province == "32":
        values["all_round_service_model"] = 1 if rng.random() < 0.8 else 0
        elderly = round(population * rng.uniform(0.12, 0.22))
        values["home_dwelling_elderly"] = elderly
        values["elderly_receiving_home_services"] = round(elderly * rng.uniform(0.08, 0.3))
    return {name: value for name, value in values.items() if rng.random() >= 0.1}


def community(rng: random.Random, code: str, township_name: str) -> cssp.Community:
    """One generated community, with values in cssp's canonical units."""
    kind = URBAN if int(code[9:]) < 200 else RURAL
    old = newly_built = resettlement = False
    if kind == URBAN:
        old = rng.random() < 0.12
        newly_built = not old and rng.random() < 0.06
        households = rng.randint(800, 4000)
        population = round(households * rng.uniform(2.6, 3.1))
        building = round(households * rng.uniform(85.0, 110.0) / 100) * 100
    else:
        resettlement = rng.random() < 0.03
        households = rng.randint(150, 900)
        population = round(households * rng.uniform(2.5, 3.2))
        building = round(households * rng.uniform(120.0, 180.0) / 100) * 100
    workers = round(population * rng.uniform(12.0, 22.0) / 10_000)
    if kind == RURAL:
        workers = max(workers, rng.randint(3, 5))
    trained = max(workers - (0 if rng.random() < 0.6 else rng.randint(1, 3)), 0)
    services = {"self_service_kiosk"} if kind == URBAN else set()
    if kind == RURAL and rng.random() < 0.95:
        services.add("broadband")
    services.update(s for s, odds in SERVICE_ODDS[kind].items() if rng.random() < odds)
    number = int(code[9:]) - (0 if kind == URBAN else 200)
    return cssp.Community(
        code=code,
        name=f"{township_name}{'社区' if kind == URBAN else '村'}{number}",
        households=_known(rng, households),
        population=_known(rng, population),
        building_area=_known(rng, float(building)),
        facilities=_facilities(rng, kind, households, building),
        staff=cssp.Staff(
            community_workers=_known(rng, workers),
            social_workers=_known(rng, rng.randint(0, 4 if kind == URBAN else 1)),
            disaster_information_officers=_known(
                rng, 0 if rng.random() < 0.08 else rng.choice((1, 1, 1, 2))
            ),
            trained_workers=_known(rng, trained),
        ),
        services=None if rng.random() < 0.02 else sorted(services),
        resettlement=resettlement,
        old_residential_area=old,
        newly_built=newly_built,
        elderly_monthly_visit_rate=_known(
            rng, 100.0 if rng.random() < 0.7 else round(rng.uniform(80.0, 99.5), 1)
        ),
        social_organisations=_known(
            rng, rng.randint(5, 25) if kind == URBAN else rng.randint(2, 10)
        ),
        registered_volunteers=_known(rng, round(population * rng.uniform(0.05, 0.15))),
        extra=_extra(rng, code[:2], kind, population, workers),
    )


def make_communities(count: int, seed: int = SEED) -> list[cssp.Community]:
    """``count`` communities under real townships of the three provinces, a few per township."""
    rng = random.Random(seed)
    divisions = load_divisions()
    townships = {
        province: sorted(c for c in divisions if len(c) == 9 and c.startswith(province))
        for province in PROVINCES
    }
    provinces = list(PROVINCES)
    weights = [share for _, _, share in PROVINCES.values()]
    numbers: Counter[tuple[str, str]] = Counter()
    result: list[cssp.Community] = []
    while len(result) < count:
        province = rng.choices(provinces, weights)[0]
        township = rng.choice(townships[province])
        name = division_name(township) or township
        urban_odds = _urban_odds(name)
        for _ in range(min(rng.randint(3, 14), count - len(result))):
            kind = URBAN if rng.random() < urban_odds else RURAL
            numbers[township, kind] += 1
            number = numbers[township, kind]
            if number > 199:
                continue  # the township is full; a rare draw
            code = f"{township}{number + (0 if kind == URBAN else 200):03d}"
            result.append(community(rng, code, name))
    return result


def profile_set() -> cssp.ProfileSet:
    """The three provinces' real profiles, read from their TOML files."""
    return cssp.ProfileSet(
        [
            load_profile(path, source=f"cssp-{pid} (benchmark)")
            for pid, path, _ in PROVINCES.values()
        ]
    )


# --- the checks, before timing ----------------------------------------------------------


def _first(report: cssp.RegionReport, province: str, kind: cssp.CommunityKind) -> cssp.Assessment:
    return next(
        a
        for a in report.assessments
        if a.community.province == province and a.community.kind is kind
    )


def check_profiles_apply(
    communities: Sequence[cssp.Community], profiles: cssp.ProfileSet
) -> tuple[cssp.RegionReport, cssp.RegionReport]:
    """Assert that the profile run applies the provinces' targets and the national one does not."""
    assert sorted(p.scope for p in profiles.profiles) == sorted(PROVINCES), profiles
    provincial = cssp.evaluate_region(communities, plan=PLAN_ID, by=BY, profiles=profiles)
    national = cssp.evaluate_region(communities, plan=PLAN_ID, by=BY, profiles=())
    assert len(provincial.assessments) == len(national.assessments) == len(communities)
    area = "facility_area_per_100_households"
    urban, rural = cssp.CommunityKind.URBAN, cssp.CommunityKind.RURAL

    # Guangdong: at least 32 m² per 100 households, the national step and Guangdong's.
    found = _first(provincial, "44", rural).finding(area)
    assert found.required == 32.0, found
    assert found.target.comparator is cssp.Comparator.GE, found.target
    assert [step.profile for step in found.target.provenance] == [PLAN_ID, "guangdong"], found
    # Hubei: strictly more than 30.
    found = _first(provincial, "42", urban).finding(area)
    assert found.required == 30.0, found
    assert found.target.comparator is cssp.Comparator.GT, found.target
    assert found.target.comparator.symbol == ">", found.target
    assert [step.profile for step in found.target.provenance] == [PLAN_ID, "hubei"], found
    # Jiangsu: strictly more than 18 workers per 10,000 urban residents, and its
    # new community-level indicator.
    jiangsu = _first(provincial, "32", urban)
    workers = jiangsu.finding("workers_per_10k_urban_residents")
    assert workers.target.comparator is cssp.Comparator.GT, workers.target
    jiangsu.finding("js_all_round_service_model_coverage")
    # The national run: one step, the plan's own ≥ 30.
    for province in PROVINCES:
        found = _first(national, province, urban).finding(area)
        assert found.required == 30.0, found
        assert found.target.comparator is cssp.Comparator.GE, found.target
        assert len(found.target.provenance) == 1, found.target.provenance
    # The regions: each province's new region-level indicators, on its counties only.
    new_indicators = {
        "44": "gd_childcare_places_per_1000_population",
        "42": "hb_qualified_worker_share",
        "32": "js_home_service_elderly_share",
    }
    for region in provincial.regions:
        ids = {f.target.id for f in region.findings}
        for province, indicator in new_indicators.items():
            assert (indicator in ids) == region.code.startswith(province), (region.code, indicator)
    for region in national.regions:
        assert not {f.target.id for f in region.findings} & set(new_indicators.values())
    assert [r.code for r in provincial.regions] == [r.code for r in national.regions]
    return provincial, national


def changed_verdicts(provincial: cssp.RegionReport, national: cssp.RegionReport) -> Counter[str]:
    """Community verdicts the profiles change, by province."""
    changed: Counter[str] = Counter()
    for with_profiles, alone in zip(provincial.assessments, national.assessments, strict=True):
        statuses_alone = alone.statuses
        for target_id, status in with_profiles.statuses.items():
            if target_id in statuses_alone and statuses_alone[target_id] is not status:
                changed[with_profiles.community.province] += 1
    return changed


# --- the goal ---------------------------------------------------------------------------


def bench_profiles(settings: Settings) -> None:
    start = time.perf_counter()
    communities = make_communities(settings.communities)
    built = time.perf_counter() - start
    profiles = profile_set()
    provincial, national = check_profiles_apply(communities, profiles)
    changed = changed_verdicts(provincial, national)
    # Guangdong's ≥ 32 and Hubei's > 30 change verdicts; Jiangsu's ≥ 30 and > 18
    # only at exactly 18 workers per 10,000 residents, which the data rarely hits.
    assert changed["44"], changed
    assert changed["42"], changed

    by_province = Counter(c.province for c in communities)
    urban = sum(c.kind is cssp.CommunityKind.URBAN for c in communities)
    townships = len({c.township for c in communities})
    info(
        f"profiles: {len(communities)} generated communities (built in {built:.1f} s, not timed): "
        + ", ".join(f"{code} {division_name(code)} {by_province[code]}" for code in PROVINCES)
        + f"; {urban} urban, {len(communities) - urban} rural; {townships} townships, "
        f"{len(provincial.regions)} counties"
    )
    info(
        f"profiles: {len(profiles)} profiles ({', '.join(p.id for p in profiles.profiles)}); "
        "provincial targets asserted applied; community verdicts they change: "
        + ", ".join(f"{code} {changed[code]}" for code in PROVINCES)
    )

    def region_profiles() -> None:
        cssp.evaluate_region(communities, plan=PLAN_ID, by=BY, profiles=profiles)

    def region_national() -> None:
        cssp.evaluate_region(communities, plan=PLAN_ID, by=BY, profiles=())

    def statuses_profiles() -> None:
        for c in communities:
            statuses(c, PLAN_ID, profiles=profiles)

    def statuses_national() -> None:
        for c in communities:
            statuses(c, PLAN_ID, profiles=())

    def evaluate_profiles() -> None:
        for c in communities:
            cssp.evaluate(c, PLAN_ID, profiles=profiles)

    def evaluate_national() -> None:
        for c in communities:
            cssp.evaluate(c, PLAN_ID, profiles=())

    times = best_times(
        (
            region_profiles,
            region_national,
            statuses_profiles,
            statuses_national,
            evaluate_profiles,
            evaluate_national,
        ),
        settings.repeats,
    )
    count = len(communities)
    labels = (
        ("evaluate_region(by=county)", "the goal"),
        ("statuses() per community", "information"),
        ("evaluate() per community", "information"),
    )
    ratios = []
    for (label, role), (with_profiles, alone) in zip(
        labels, zip(times[::2], times[1::2], strict=True), strict=True
    ):
        ratio = with_profiles / alone
        ratios.append(ratio)
        info(
            f"profiles: {label:<28} 3 profiles {with_profiles * 1e3:8.1f} ms, "
            f"none {alone * 1e3:8.1f} ms ({with_profiles / count * 1e6:6.2f} vs "
            f"{alone / count * 1e6:6.2f} us/community); ratio {ratio:.2f} ({role})"
        )
    goal("profiles_overhead", ratios[0])


# --- main ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer iterations (smoke test)")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL

    print(f"# {os.path.basename(__file__)}", flush=True)
    print(f"machine: {machine()}", flush=True)
    print(
        f"versions: cssp {cssp.__version__}; mode: {'quick' if args.quick else 'full'}, "
        f"best of {settings.repeats}, {settings.communities} communities",
        flush=True,
    )
    bench_profiles(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
