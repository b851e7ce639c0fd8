#!/usr/bin/env python3
"""Generate ``src/cssp/data/sample_communities.json``, the sample that ``cssp.load_sample`` reads.

The sample is synthetic: communities invented under real township codes and
names of Guangdong (天河区, 阳山县) and Zhejiang (西湖区, 松阳县), taken from
the package's division data. Every name and figure of a community is made up;
the figures are illustrative, not statistics. See ``src/cssp/data/README.md``.

Which community fails which target and which values are missing is fixed by
the :data:`LAYOUT` table below (the *tags*); the magnitudes are drawn from
``random.Random(SEED)``, and on top of the tags a few secondary values are
left out at random. After generating, the script loads the records through
``cssp.io.structure_communities`` and checks that every tag has its intended
effect on the evaluation, so a change that breaks the documented failures
fails here rather than in the README.

The output is deterministic: UTF-8, ``ensure_ascii=False``, ``indent=1``,
sorted by code, with a trailing newline. Re-running gives the same bytes.

Usage::

    python tools/make_sample.py [--output PATH] [--summary]

Standard library and cssp only.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

from cssp import Status, evaluate
from cssp.io import structure_communities
from cssp.model.community import Community, CommunityKind, Staff
from cssp.model.divisions import division_name, load_divisions

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT: Final = REPO_ROOT / "src" / "cssp" / "data" / "sample_communities.json"

#: The fixed seed of every random draw.
SEED: Final = 14_056

Record = dict[str, object]

URBAN: Final = "urban"
RURAL: Final = "rural"

# --- tags: the deliberate failures and gaps ------------------------------------

#: comprehensive facility floor area below 30 m² per 100 households.
LOW_AREA: Final = "low_area"
#: residents' activity area below 60% of the comprehensive facility's floor area.
LOW_ACTIVITY: Final = "low_activity"
#: a facility open fewer than 8 hours a day.
SHORT_HOURS: Final = "short_hours"
#: no service facility at all (``facilities: []``).
NO_FACILITY: Final = "no_facility"
#: only an "other" facility, no comprehensive one.
OTHER_ONLY: Final = "other_only"
#: an urban community without the self-service kiosk.
NO_KIOSK: Final = "no_kiosk"
#: a village without broadband.
NO_BROADBAND: Final = "no_broadband"
#: two comprehensive facilities (a centre and a neighbourhood station).
TWO_CENTRES: Final = "two_centres"
#: flags of the community.
RESETTLEMENT: Final = "resettlement"
OLD_AREA: Final = "old_residential_area"
NEWLY_BUILT: Final = "newly_built"
#: gaps: a key left out.
NO_HOUSEHOLDS: Final = "no_households"
NO_POPULATION: Final = "no_population"
NO_BUILDING_AREA: Final = "no_building_area"
FACILITIES_UNKNOWN: Final = "facilities_unknown"
NO_ACTIVITY_AREA: Final = "no_activity_area"
NO_OPENING_HOURS: Final = "no_opening_hours"
STAFF_UNKNOWN: Final = "staff_unknown"
SERVICES_UNKNOWN: Final = "services_unknown"

#: The sample's communities: (township code, kind, tags), one row per community.
#: Codes are the township code plus 001–199 (urban) or 201–399 (rural),
#: numbered in row order within each township.
LAYOUT: Final[tuple[tuple[str, str, frozenset[str]], ...]] = (
    # 广东省 广州市 天河区: a central urban district.
    ("440106001", URBAN, frozenset()),
    ("440106001", URBAN, frozenset()),
    ("440106002", URBAN, frozenset({OLD_AREA, LOW_AREA})),
    ("440106003", URBAN, frozenset()),
    ("440106003", URBAN, frozenset({NO_HOUSEHOLDS})),
    ("440106004", URBAN, frozenset({LOW_ACTIVITY})),
    ("440106006", URBAN, frozenset()),
    ("440106006", URBAN, frozenset({NO_KIOSK})),
    ("440106011", URBAN, frozenset({TWO_CENTRES})),
    ("440106011", URBAN, frozenset({SHORT_HOURS})),
    ("440106013", URBAN, frozenset()),
    ("440106018", URBAN, frozenset({STAFF_UNKNOWN})),
    ("440106019", RURAL, frozenset()),
    ("440106022", RURAL, frozenset({LOW_AREA})),
    # 广东省 清远市 阳山县: a mountainous rural county.
    ("441823119", URBAN, frozenset()),
    ("441823119", URBAN, frozenset({RESETTLEMENT})),
    ("441823119", URBAN, frozenset({NO_ACTIVITY_AREA})),
    ("441823100", RURAL, frozenset()),
    ("441823100", RURAL, frozenset({NO_FACILITY})),
    ("441823104", RURAL, frozenset()),
    ("441823104", RURAL, frozenset({RESETTLEMENT})),
    ("441823108", RURAL, frozenset({OTHER_ONLY})),
    ("441823108", RURAL, frozenset()),
    ("441823116", RURAL, frozenset()),
    ("441823116", RURAL, frozenset({FACILITIES_UNKNOWN})),
    ("441823201", RURAL, frozenset({LOW_AREA})),
    ("441823201", RURAL, frozenset({SHORT_HOURS})),
    # 浙江省 杭州市 西湖区: an urban district with two towns on its edge.
    ("330106002", URBAN, frozenset()),
    ("330106002", URBAN, frozenset()),
    ("330106005", URBAN, frozenset()),
    ("330106005", URBAN, frozenset({LOW_ACTIVITY})),
    ("330106007", URBAN, frozenset()),
    ("330106007", URBAN, frozenset({NO_OPENING_HOURS})),
    ("330106011", URBAN, frozenset({TWO_CENTRES})),
    ("330106013", URBAN, frozenset({LOW_AREA})),
    ("330106013", URBAN, frozenset()),
    ("330106109", URBAN, frozenset({NEWLY_BUILT})),
    ("330106109", URBAN, frozenset({NO_POPULATION})),
    ("330106110", RURAL, frozenset()),
    ("330106110", RURAL, frozenset()),
    # 浙江省 丽水市 松阳县: a mountainous rural county.
    ("331124001", URBAN, frozenset()),
    ("331124001", URBAN, frozenset({NO_KIOSK})),
    ("331124002", URBAN, frozenset({SERVICES_UNKNOWN})),
    ("331124101", RURAL, frozenset()),
    ("331124101", RURAL, frozenset({LOW_ACTIVITY})),
    ("331124102", RURAL, frozenset({NO_FACILITY})),
    ("331124102", RURAL, frozenset()),
    ("331124104", RURAL, frozenset({NO_BUILDING_AREA})),
    ("331124104", RURAL, frozenset()),
    ("331124105", RURAL, frozenset()),
    ("331124203", RURAL, frozenset({LOW_AREA})),
    ("331124203", RURAL, frozenset({NO_BROADBAND})),
)

#: Secondary values left out at random (on top of the tags), with this probability each.
RANDOM_GAP_RATE: Final = 0.09
RANDOM_GAP_FIELDS: Final = (
    "population",
    "building_area",
    "elderly_monthly_visit_rate",
    "social_organisations",
    "registered_volunteers",
    "staff.social_workers",
    "staff.disaster_information_officers",
    "staff.trained_workers",
)

#: How likely a community has each service besides the ones its kind always has.
SERVICE_ODDS: Final = {
    URBAN: {
        "agency_service": 0.9,
        "online_service_24h": 0.8,
        "satisfaction_survey": 0.85,
        "disabled_persons_association": 0.9,
        "cultural_service_centre": 0.85,
        "fitness_circle_15min": 0.8,
        "police_office_colocated": 0.6,
        "broadband": 0.95,
        "5g": 0.95,
        "public_service_info_platform": 0.7,
    },
    RURAL: {
        "self_service_kiosk": 0.3,
        "agency_service": 0.9,
        "online_service_24h": 0.6,
        "satisfaction_survey": 0.7,
        "disabled_persons_association": 0.8,
        "cultural_service_centre": 0.75,
        "fitness_circle_15min": 0.6,
        "police_office_colocated": 0.4,
        "5g": 0.75,
        "public_service_info_platform": 0.5,
    },
}
#: The services added with the requirements of the plan's text and columns,
#: drawn from a random stream of their own (``random.Random(SEED + 1)``), so
#: that every other value of the sample stays as it was.
LATER_SERVICE_ODDS: Final = {
    URBAN: {
        "convenience_circle_15min": 0.7,
        "legal_adviser": 0.95,
        "one_window_service": 0.85,
        "needs_matched_evaluation": 0.55,
        "committee_joint_review": 0.95,
        "volunteer_service_point": 0.75,
        "social_work_room": 0.5,
        "youth_home": 0.5,
        "out_of_school_practice_site": 0.55,
        "emergency_drill": 0.85,
        "consultation_system": 0.9,
    },
    RURAL: {
        "legal_adviser": 0.9,
        "one_window_service": 0.7,
        "needs_matched_evaluation": 0.4,
        "committee_joint_review": 0.9,
        "volunteer_service_point": 0.5,
        "social_work_room": 0.25,
        "youth_home": 0.2,
        "out_of_school_practice_site": 0.3,
        "emergency_drill": 0.65,
        "consultation_system": 0.85,
    },
}


# --- notations -------------------------------------------------------------------


def _number(value: float) -> int | float:
    """A whole float as an int, so the JSON reads ``420`` rather than ``420.0``."""
    return int(value) if float(value).is_integer() else value


def _text(value: float) -> str:
    return f"{_number(value)}"


def _area(rng: random.Random, value: float) -> object:
    """An area in one of the notations spreadsheets use."""
    notation = rng.choices(
        ("number", "zh", "si", "mapping", "colloquial"), weights=(4, 3, 2, 1, 1)
    )[0]
    if notation == "zh":
        return f"{_text(value)}平方米"
    if notation == "si":
        return f"{_text(value)} m²"
    if notation == "mapping":
        return {"value": _number(value), "unit": "m^2"}
    if notation == "colloquial":
        return f"{_text(value)}平米"
    return _number(value)


def _building_area(rng: random.Random, value: int) -> object:
    """A community's building area; large, so often written in 万平方米."""
    notation = rng.choices(("number", "zh", "wan"), weights=(2, 1, 2))[0]
    if notation == "wan" and value % 100 == 0:
        return f"{value / 10_000:.2f}万平方米"
    if notation == "zh":
        return f"{value}平方米"
    return value


def _hours(rng: random.Random, value: float) -> object:
    notation = rng.choices(("number", "zh", "si"), weights=(2, 2, 1))[0]
    if notation == "zh":
        return f"{_text(value)}小时/天"
    if notation == "si":
        return f"{_text(value)} h/day"
    return _number(value)


def _households(rng: random.Random, value: int) -> object:
    notation = rng.choice(("number", "zh", "grouped"))
    if notation == "grouped" and value >= 1000:
        return f"{value:,}户"
    if notation in {"zh", "grouped"}:
        return f"{value}户"
    return value


def _persons(rng: random.Random, value: int) -> object:
    notation = rng.choices(("number", "ren", "ming"), weights=(4, 2, 1))[0]
    if notation == "ren":
        return f"{value}人"
    if notation == "ming":
        return f"{value}名"
    return value


def _count(rng: random.Random, value: int) -> object:
    return f"{value}个" if rng.random() < 0.3 else value


def _percent(rng: random.Random, value: float) -> object:
    return f"{_text(value)}%" if rng.random() < 0.5 else _number(value)


# --- one community ------------------------------------------------------------------


def _facility(
    rng: random.Random,
    kind: str,
    name: str,
    floor: int,
    hours: float | None,
    activity: int | None = None,
    office: int | None = None,
) -> Record:
    facility: Record = {"kind": kind, "floor_area": _area(rng, floor)}
    if activity is not None:
        facility["activity_area"] = _area(rng, activity)
    if office is not None:
        facility["office_area"] = _area(rng, office)
    if hours is not None:
        facility["opening_hours"] = _hours(rng, hours)
    facility["name"] = name
    return facility


def _centres(
    rng: random.Random, kind: str, households: int, tags: frozenset[str]
) -> list[tuple[str, int]]:
    """The comprehensive facilities' names and floor areas."""
    if LOW_AREA in tags:
        per_100 = rng.uniform(20.0, 28.0)
    elif kind == URBAN:
        per_100 = rng.uniform(31.0, 45.0)
    else:
        per_100 = rng.uniform(32.0, 52.0)
    total = round(per_100 * households / 100)
    centre = "党群服务中心" if kind == URBAN else "村党群服务中心"
    if TWO_CENTRES in tags:
        first = round(total * rng.uniform(0.55, 0.65))
        return [(centre, first), ("邻里服务站", total - first)]
    return [(centre, total)]


def _facilities(
    rng: random.Random, kind: str, households: int, building: int, tags: frozenset[str]
) -> list[Record]:
    if NO_FACILITY in tags:
        return []
    facilities: list[Record] = []
    comprehensive = 0
    if OTHER_ONLY not in tags:
        for index, (name, floor) in enumerate(_centres(rng, kind, households, tags)):
            comprehensive += floor
            share = rng.uniform(0.45, 0.57) if LOW_ACTIVITY in tags else rng.uniform(0.61, 0.75)
            activity = None if NO_ACTIVITY_AREA in tags and index == 0 else round(floor * share)
            office = round(floor * rng.uniform(0.12, 0.24))
            hours = rng.choice((8, 8.5, 9, 9, 9.5, 10))
            facilities.append(_facility(rng, "comprehensive", name, floor, hours, activity, office))
    others: list[tuple[str, int, float | None]] = []
    if kind == URBAN:
        if rng.random() < 0.7:
            others.append(("居家养老服务站", rng.randint(15, 40) * 10, rng.choice((8, 9, 10))))
        if rng.random() < 0.4:
            others.append(("社区卫生服务站", rng.randint(10, 30) * 10, rng.choice((9, 10, 12))))
    else:
        if rng.random() < 0.5 or OTHER_ONLY in tags:
            others.append(("村卫生室", rng.randint(6, 12) * 10, rng.choice((8, 8.5, 9))))
        if rng.random() < 0.4:
            others.append(("居家养老服务照料中心", rng.randint(10, 25) * 10, rng.choice((8, 9))))
    if tags & {NO_OPENING_HOURS, SHORT_HOURS} and not others:
        others.append(("老年活动室", rng.randint(8, 20) * 10, None))
    if NO_OPENING_HOURS in tags:
        name, floor, _ = others[0]
        others[0] = (name, floor, None)
    if SHORT_HOURS in tags:
        name, floor, _ = others[-1]
        others[-1] = (name, floor, rng.choice((6, 6.5, 7)))
    for name, floor, open_hours in others:
        facilities.append(_facility(rng, "other", name, floor, open_hours))
    facilities.extend(_shops(rng, kind, building, comprehensive, tags))
    return facilities


def _shops(
    rng: random.Random, kind: str, building: int, comprehensive: int, tags: frozenset[str]
) -> list[Record]:
    """Commercial facilities: in towns sized so the 10% share is sometimes reached."""
    if kind == RURAL:
        if rng.random() < 0.5:
            floor = rng.randint(8, 30) * 10
            return [_facility(rng, "commercial", "便民超市", floor, rng.choice((10, 11, 12)))]
        return []
    if NEWLY_BUILT in tags:
        share = rng.uniform(0.12, 0.16)
    elif OLD_AREA in tags:
        share = rng.uniform(0.03, 0.06)
    else:
        share = rng.uniform(0.06, 0.14)
    commercial = round(share * building / 10) * 10 - comprehensive
    if commercial <= 0:
        return []
    if commercial > 6000 and rng.random() < 0.6:
        market = round(commercial * rng.uniform(0.15, 0.3) / 10) * 10
        return [
            _facility(rng, "commercial", "农贸市场", market, rng.choice((12, 13, 14))),
            _facility(rng, "commercial", "邻里商业街", commercial - market, 12),
        ]
    return [_facility(rng, "commercial", "社区商业中心", commercial, rng.choice((12, 13, 14)))]


def _services(
    rng: random.Random, kind: str, tags: frozenset[str], later: random.Random
) -> list[str]:
    """Urban communities always have the kiosk and villages broadband, unless tagged otherwise."""
    services = {"self_service_kiosk"} if kind == URBAN else {"broadband"}
    for service, odds in SERVICE_ODDS[kind].items():
        if rng.random() < odds:
            services.add(service)
    for service, odds in LATER_SERVICE_ODDS[kind].items():
        if later.random() < odds:
            services.add(service)
    if NO_KIOSK in tags:
        services.discard("self_service_kiosk")
    if NO_BROADBAND in tags:
        services.discard("broadband")
    return sorted(services)


def _staff(rng: random.Random, kind: str, population: int) -> Record:
    workers = round(population * rng.uniform(12.0, 22.0) / 10_000)
    if kind == RURAL:
        workers = max(workers, rng.randint(3, 5))
    untrained = 0 if rng.random() < 0.6 else rng.randint(1, 3)
    officers = 0 if rng.random() < 0.08 else rng.choice((1, 1, 1, 2))
    return {
        "community_workers": _persons(rng, workers),
        "social_workers": _persons(rng, rng.randint(0, 4 if kind == URBAN else 1)),
        "disaster_information_officers": _persons(rng, officers),
        "trained_workers": _persons(rng, max(workers - untrained, 0)),
    }


def community(
    rng: random.Random, code: str, kind: str, tags: frozenset[str], later: random.Random
) -> Record:
    """One synthetic community's record, with keys in the order of ``cssp.Community``.

    ``later`` draws the services added after the first version of the sample.
    """
    number = int(code[9:]) if kind == URBAN else int(code[9:]) - 200
    township = division_name(code[:9])
    suffix = "示例社区" if kind == URBAN else "示例村"
    if kind == URBAN:
        if OLD_AREA in tags:
            households, per_household = rng.randint(2500, 3500), rng.uniform(2.6, 2.7)
        elif NEWLY_BUILT in tags:
            households, per_household = rng.randint(1200, 1800), rng.uniform(2.8, 3.1)
        else:
            households, per_household = rng.randint(1000, 4000), rng.uniform(2.6, 3.1)
        building = round(households * rng.uniform(85.0, 110.0) / 100) * 100
    else:
        households, per_household = rng.randint(200, 900), rng.uniform(2.5, 3.2)
        building = round(households * rng.uniform(120.0, 180.0) / 100) * 100
    population = round(households * per_household)
    record: Record = {"code": code, "name": f"{township}{suffix}{number}", "kind": kind}
    if NO_HOUSEHOLDS not in tags:
        record["households"] = _households(rng, households)
    if NO_POPULATION not in tags:
        record["population"] = _persons(rng, population)
    if NO_BUILDING_AREA not in tags:
        record["building_area"] = _building_area(rng, building)
    facilities = _facilities(rng, kind, households, building, tags)
    if FACILITIES_UNKNOWN not in tags:
        record["facilities"] = facilities
    staff = _staff(rng, kind, population)
    if STAFF_UNKNOWN not in tags:
        record["staff"] = staff
    services = _services(rng, kind, tags, later)
    if SERVICES_UNKNOWN not in tags:
        record["services"] = services
    for flag in (RESETTLEMENT, OLD_AREA, NEWLY_BUILT):
        if flag in tags:
            record[flag] = True
    visit = 100.0 if rng.random() < 0.7 else round(rng.uniform(80.0, 99.5), 1)
    record["elderly_monthly_visit_rate"] = _percent(rng, visit)
    record["social_organisations"] = _count(
        rng, rng.randint(5, 25) if kind == URBAN else rng.randint(2, 10)
    )
    record["registered_volunteers"] = _persons(rng, round(population * rng.uniform(0.05, 0.15)))
    return record


def _random_gaps(rng: random.Random, record: Record) -> None:
    """Leave out a few secondary values, as real returns do."""
    for field in RANDOM_GAP_FIELDS:
        if rng.random() >= RANDOM_GAP_RATE:
            continue
        owner, _, name = field.rpartition(".")
        values = record.get(owner) if owner else record
        if isinstance(values, dict):
            values.pop(name, None)


def codes() -> list[str]:
    """The community codes of :data:`LAYOUT`, in its row order."""
    numbers: Counter[tuple[str, str]] = Counter()
    result = []
    for township, kind, _ in LAYOUT:
        numbers[township, kind] += 1
        offset = 0 if kind == URBAN else 200
        result.append(f"{township}{offset + numbers[township, kind]:03d}")
    return result


def generate(seed: int = SEED) -> list[Record]:
    """Return the sample's records, sorted by code."""
    rng = random.Random(seed)
    later = random.Random(seed + 1)
    divisions = load_divisions()
    records = []
    for code, (township, kind, tags) in zip(codes(), LAYOUT, strict=True):
        if township not in divisions:
            raise ValueError(f"{township} is not a township code in the division data")
        record = community(rng, code, kind, tags, later)
        _random_gaps(rng, record)
        records.append(record)
    return sorted(records, key=lambda r: str(r["code"]))


def render(records: Sequence[Record]) -> str:
    """The file's text."""
    return json.dumps(list(records), ensure_ascii=False, indent=1) + "\n"


# --- the self-check -------------------------------------------------------------------

#: Tags and the status they must give a target; everything else must be met.
EXPECTED: Final[dict[str, Callable[[frozenset[str], str], Status]]] = {
    "facility_area_per_100_households": lambda tags, kind: (
        Status.NO_DATA
        if tags & {NO_HOUSEHOLDS, FACILITIES_UNKNOWN}
        else Status.NOT_MET
        if tags & {LOW_AREA, NO_FACILITY, OTHER_ONLY}
        else Status.MET
    ),
    "activity_area_share": lambda tags, kind: (
        Status.NO_DATA
        if tags & {NO_ACTIVITY_AREA, FACILITIES_UNKNOWN}
        else Status.NOT_APPLICABLE
        if tags & {NO_FACILITY, OTHER_ONLY}
        else Status.NOT_MET
        if LOW_ACTIVITY in tags
        else Status.MET
    ),
    "facility_opening_hours": lambda tags, kind: (
        Status.NO_DATA
        if tags & {NO_OPENING_HOURS, FACILITIES_UNKNOWN}
        else Status.NOT_APPLICABLE
        if NO_FACILITY in tags
        else Status.NOT_MET
        if SHORT_HOURS in tags
        else Status.MET
    ),
    "urban_self_service_coverage": lambda tags, kind: (
        Status.NOT_APPLICABLE
        if kind == RURAL
        else Status.NO_DATA
        if SERVICES_UNKNOWN in tags
        else Status.NOT_MET
        if NO_KIOSK in tags
        else Status.MET
    ),
    "broadband_village_coverage": lambda tags, kind: (
        Status.NOT_APPLICABLE
        if kind == URBAN
        else Status.NOT_MET
        if NO_BROADBAND in tags
        else Status.MET
    ),
}


#: Tags and what they must make true of the loaded community.
HOLDS: Final[dict[str, Callable[[Community], bool]]] = {
    NO_HOUSEHOLDS: lambda c: c.households is None,
    NO_POPULATION: lambda c: c.population is None,
    NO_BUILDING_AREA: lambda c: c.building_area is None,
    FACILITIES_UNKNOWN: lambda c: c.facilities is None,
    STAFF_UNKNOWN: lambda c: c.staff == Staff(),
    SERVICES_UNKNOWN: lambda c: c.services is None,
    NO_FACILITY: lambda c: c.facilities == (),
    OTHER_ONLY: lambda c: bool(c.facilities) and not c.comprehensive_facilities,
    TWO_CENTRES: lambda c: len(c.comprehensive_facilities) == 2,
    RESETTLEMENT: lambda c: c.resettlement,
    OLD_AREA: lambda c: c.old_residential_area,
    NEWLY_BUILT: lambda c: c.newly_built,
}


def check(records: Sequence[Record]) -> list[str]:
    """Load the records with cssp and return every way the tags were not honoured."""
    communities = structure_communities(list(records), where="sample")
    tags_by_code = {
        code: (tags, kind) for code, (_, kind, tags) in zip(codes(), LAYOUT, strict=True)
    }
    problems = []
    if len({c.code for c in communities}) != len(LAYOUT):
        problems.append("community codes are not unique")
    for c in communities:
        tags, kind = tags_by_code[c.code]
        if c.kind is not CommunityKind(kind):
            problems.append(f"{c.code}: kind {c.kind} is not {kind}")
        for tag in sorted(tags & HOLDS.keys()):
            if not HOLDS[tag](c):
                problems.append(f"{c.code}: tagged {tag} but it is not")
        flags = {RESETTLEMENT: c.resettlement, OLD_AREA: c.old_residential_area}
        flags[NEWLY_BUILT] = c.newly_built
        for flag, value in flags.items():
            if value and flag not in tags:
                problems.append(f"{c.code}: {flag} without the tag")
        assessment = evaluate(c)
        for target, expected in EXPECTED.items():
            status = assessment.finding(target).status
            if status is not expected(tags, kind):
                problems.append(f"{c.code}: {target} is {status}, expected {expected(tags, kind)}")
    return problems


#: The values the summary counts when it reports the missing rate.
TOP_LEVEL_VALUES: Final = (
    "households",
    "population",
    "building_area",
    "facilities",
    "services",
    "elderly_monthly_visit_rate",
    "social_organisations",
    "registered_volunteers",
)
STAFF_VALUES: Final = (
    "community_workers",
    "social_workers",
    "disaster_information_officers",
    "trained_workers",
)
FACILITY_VALUES: Final = {
    "comprehensive": ("floor_area", "activity_area", "office_area", "opening_hours"),
    "commercial": ("floor_area", "opening_hours"),
    "other": ("floor_area", "opening_hours"),
}


def summary(records: Sequence[Record]) -> str:
    """A plain-text summary, for the README."""
    communities = structure_communities(list(records), where="sample")
    lines = []
    kinds = Counter((division_name(c.county), c.kind.value) for c in communities)
    for (county, kind), number in sorted(kinds.items()):
        lines.append(f"{county} {kind}: {number}")
    tallies: dict[str, Counter[str]] = {}
    for c in communities:
        for finding in evaluate(c):
            tallies.setdefault(finding.target.id, Counter())[finding.status.value] += 1
    for target, tally in tallies.items():
        lines.append(f"{target}: {dict(sorted(tally.items()))}")
    fields = total = 0
    gaps = []
    for record in records:
        missing = [name for name in TOP_LEVEL_VALUES if name not in record]
        fields += len(TOP_LEVEL_VALUES) + len(STAFF_VALUES)
        staff = record.get("staff")
        if isinstance(staff, dict):
            missing += [f"staff.{name}" for name in STAFF_VALUES if name not in staff]
            total += len(missing)
        else:
            total += len(missing) + len(STAFF_VALUES)
            missing.append("staff")
        facilities = record.get("facilities")
        absent = 0
        for facility in facilities if isinstance(facilities, list) else []:
            values = FACILITY_VALUES[facility["kind"]]
            fields += len(values)
            absent += sum(name not in facility for name in values)
        if absent:
            missing.append(f"{absent} facility value(s)")
            total += absent
        if missing:
            gaps.append(f"{record['code']} {record['name']}: {', '.join(missing)}")
    lines.append(f"missing values: {total} of {fields} ({100 * total / fields:.1f}%)")
    lines.extend(gaps)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point.

    :param argv: arguments (default: ``sys.argv[1:]``).
    :return: the process exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="output file (default: %(default)s)",
    )
    parser.add_argument(
        "--summary", action="store_true", help="print counts, statuses and gaps after writing"
    )
    args = parser.parse_args(argv)
    records = generate()
    problems = check(records)
    if problems:
        print("the sample does not do what its tags say:", *problems, sep="\n  ", file=sys.stderr)
        return 1
    text = render(records)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(text.encode("utf-8"))
    print(f"wrote {len(records)} communities to {args.output}")
    if args.summary:
        print(summary(records))
    return 0


if __name__ == "__main__":
    sys.exit(main())
