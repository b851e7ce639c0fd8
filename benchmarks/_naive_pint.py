"""The naive pint baseline of ``bench_scalar.py``: a pint quantity per field.

A community's measured fields are pint quantities, built once outside any timed
loop; each of ``fyp14``'s community-level targets is checked with pint
arithmetic (``area / households``, ``workers / population`` ...) against a pint
threshold. :func:`naive_statuses` builds the thresholds once (the faster
baseline); :func:`naive_statuses_inline` builds each where it is compared, as
``>= Q_(30, "...")`` reads. ``bench_scalar.py`` asserts that both give cssp's
verdicts before it times them. The scripts run as files, so this module is
imported by name, as ``_harness`` is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import cssp
from cssp.model.measures import MEASURES
from cssp.units import Q_, get_registry

# pint ships no usable type hints; its quantities are Any here.
Quantity = Any
# ... or None when the value is unknown (Any as well: "Any | None" would confuse mypy).
MaybeQuantity = Any


@dataclass(frozen=True)
class NaiveFacility:
    """A facility whose measured fields are pint quantities."""

    kind: str
    floor_area: Quantity
    activity_area: MaybeQuantity
    opening_hours: MaybeQuantity


@dataclass(frozen=True)
class NaiveCommunity:
    """A community whose measured fields are pint quantities (``None``: unknown)."""

    kind: str  # "urban" or "rural"
    resettlement: bool
    newly_built: bool
    households: MaybeQuantity
    population: MaybeQuantity
    building_area: MaybeQuantity
    facilities: tuple[NaiveFacility, ...] | None
    community_workers: MaybeQuantity
    trained_workers: MaybeQuantity
    disaster_information_officers: MaybeQuantity
    services: frozenset[str] | None
    elderly_monthly_visit_rate: MaybeQuantity


def _maybe(value: float | None, unit: str) -> MaybeQuantity:
    return None if value is None else Q_(value, unit)


def naive_community(spec: Mapping[str, Any]) -> NaiveCommunity:
    """The sample with a pint quantity per field, built once outside the timed loop."""
    facilities = spec["facilities"]
    staff = spec["staff"]
    services = spec["services"]
    return NaiveCommunity(
        kind="urban" if int(spec["code"][9:]) < 200 else "rural",
        resettlement=spec.get("resettlement", False),
        newly_built=spec.get("newly_built", False),
        households=_maybe(spec["households"], "household"),
        population=_maybe(spec["population"], "person"),
        building_area=_maybe(spec["building_area"], "m**2"),
        facilities=None
        if facilities is None
        else tuple(
            NaiveFacility(
                kind=f["kind"],
                floor_area=Q_(f["floor_area"], "m**2"),
                activity_area=_maybe(f["activity_area"], "m**2"),
                opening_hours=_maybe(f["hours"], "hour/day"),
            )
            for f in facilities
        ),
        community_workers=_maybe(staff["workers"], "person"),
        trained_workers=_maybe(staff["trained"], "person"),
        disaster_information_officers=_maybe(staff["disaster"], "person"),
        services=None if services is None else frozenset(services),
        elderly_monthly_visit_rate=_maybe(spec["visit_rate"], "percent"),
    )


MET: Final = "met"
NOT_MET: Final = "not_met"
NOT_APPLICABLE: Final = "not_applicable"
NO_DATA: Final = "no_data"
NO_VERDICT: Final = "no_verdict"

# The plan's thresholds as pint quantities, written out as a naive implementation
# would (checked against the catalogue in check_naive_thresholds). Built once.
THRESHOLDS: Final[dict[str, tuple[float, str]]] = {
    "rural_facility_coverage": (80, "percent"),
    "urban_facility_coverage": (100, "percent"),
    "commercial_service_area_share": (10, "percent"),
    "facility_area_per_100_households": (30, "m**2 / hundred_households"),
    "activity_area_share": (60, "percent"),
    "urban_self_service_coverage": (100, "percent"),
    "workers_per_10k_urban_residents": (18, "person / ten_thousand_persons"),
    "convenience_living_circle": (100, "percent"),
    "legal_services_coverage": (100, "percent"),
    "facility_opening_hours": (8, "hour / day"),
    "one_window_service": (100, "percent"),
    "agency_service_coverage": (100, "percent"),
    "online_service_24h": (100, "percent"),
    "satisfaction_survey_coverage": (100, "percent"),
    "needs_matched_evaluation": (100, "percent"),
    "resettlement_facility_coverage": (100, "percent"),
    "committee_joint_review": (100, "percent"),
    "special_needs_elderly_monthly_visit_rate": (100, "percent"),
    "youth_home": (100, "percent"),
    "out_of_school_practice_site": (100, "percent"),
    "disabled_persons_association_coverage": (100, "percent"),
    "cultural_service_centre": (100, "percent"),
    "fitness_circle_15min_coverage": (100, "percent"),
    "disaster_information_officer": (1, "person"),
    "consultation_system": (100, "percent"),
    "broadband_village_coverage": (100, "percent"),
    "village_5g_coverage": (80, "percent"),
    "worker_training_coverage": (100, "percent"),
}

#: Directions: the plan states no level, so there is no threshold and no verdict.
DIRECTIONS: Final = frozenset(
    {"volunteer_service_point", "social_work_room", "police_office_colocated", "emergency_drills"}
)

NaiveCheck = Callable[[NaiveCommunity, Quantity], str]


def no_verdict(check: NaiveCheck) -> NaiveCheck:
    """A target a community is not judged on (judged for regions, or a direction)."""

    def unjudged(c: NaiveCommunity, threshold: Quantity) -> str:
        found = check(c, threshold)
        return NO_VERDICT if found in (MET, NOT_MET) else found

    return unjudged


def _verdict(value: Quantity, threshold: Quantity) -> str:
    return MET if value >= threshold else NOT_MET


def _coverage(has: bool, threshold: Quantity) -> str:
    # A community has the thing (100 %) or not (0 %); the two are built once.
    return _verdict(_HUNDRED_PERCENT if has else _ZERO_PERCENT, threshold)


def naive_facility_coverage(c: NaiveCommunity, threshold: Quantity) -> str:
    if c.facilities is None:
        return NO_DATA
    return _coverage(any(f.kind == "comprehensive" for f in c.facilities), threshold)


def naive_commercial_share(c: NaiveCommunity, threshold: Quantity) -> str:
    if c.facilities is None or c.building_area is None:
        return NO_DATA
    if c.building_area.magnitude == 0:
        return NOT_APPLICABLE
    area = sum((f.floor_area for f in c.facilities if f.kind != "other"), _ZERO_AREA)
    return _verdict(area / c.building_area, threshold)


def naive_area_per_household(c: NaiveCommunity, threshold: Quantity) -> str:
    if c.facilities is None or c.households is None:
        return NO_DATA
    if c.households.magnitude == 0:
        return NOT_APPLICABLE
    area = sum((f.floor_area for f in c.facilities if f.kind == "comprehensive"), _ZERO_AREA)
    return _verdict(area / c.households, threshold)


def naive_activity_share(c: NaiveCommunity, threshold: Quantity) -> str:
    if c.facilities is None:
        return NO_DATA
    comprehensive = [f for f in c.facilities if f.kind == "comprehensive"]
    if any(f.activity_area is None for f in comprehensive):
        return NO_DATA
    floor = sum((f.floor_area for f in comprehensive), _ZERO_AREA)
    if not comprehensive or floor.magnitude == 0:
        return NOT_APPLICABLE
    activity = sum((f.activity_area for f in comprehensive), _ZERO_AREA)
    return _verdict(activity / floor, threshold)


def naive_workers_per_resident(c: NaiveCommunity, threshold: Quantity) -> str:
    if c.community_workers is None or c.population is None:
        return NO_DATA
    if c.population.magnitude == 0:
        return NOT_APPLICABLE
    return _verdict(c.community_workers / c.population, threshold)


def naive_opening_hours(c: NaiveCommunity, threshold: Quantity) -> str:
    if c.facilities is None:
        return NO_DATA
    if not c.facilities:
        return NOT_APPLICABLE
    hours = [f.opening_hours for f in c.facilities]
    if any(h is None for h in hours):
        return NO_DATA
    return _verdict(min(hours), threshold)


def naive_service(service: str) -> NaiveCheck:
    def check(c: NaiveCommunity, threshold: Quantity) -> str:
        if c.services is None:
            return NO_DATA
        return _coverage(service in c.services, threshold)

    return check


def naive_visit_rate(c: NaiveCommunity, threshold: Quantity) -> str:
    if c.elderly_monthly_visit_rate is None:
        return NO_DATA
    return _verdict(c.elderly_monthly_visit_rate, threshold)


def naive_disaster_officers(c: NaiveCommunity, threshold: Quantity) -> str:
    if c.disaster_information_officers is None:
        return NO_DATA
    return _verdict(c.disaster_information_officers, threshold)


def naive_training_share(c: NaiveCommunity, threshold: Quantity) -> str:
    if c.community_workers is None or c.trained_workers is None:
        return NO_DATA
    if c.community_workers.magnitude == 0:
        return NOT_APPLICABLE
    return _verdict(c.trained_workers / c.community_workers, threshold)


def _urban(c: NaiveCommunity) -> bool:
    return c.kind == "urban"


def _rural(c: NaiveCommunity) -> bool:
    return c.kind == "rural"


def _resettlement(c: NaiveCommunity) -> bool:
    return c.resettlement


def _newly_built(c: NaiveCommunity) -> bool:
    return c.newly_built


def _everyone(c: NaiveCommunity) -> bool:
    return True


# target id, scope, check — in the plan's order.
NAIVE_TARGETS: Final[tuple[tuple[str, Callable[[NaiveCommunity], bool], NaiveCheck], ...]] = (
    ("rural_facility_coverage", _rural, no_verdict(naive_facility_coverage)),  # 80 %: regions
    ("urban_facility_coverage", _urban, naive_facility_coverage),
    ("commercial_service_area_share", _newly_built, naive_commercial_share),
    ("facility_area_per_100_households", _everyone, naive_area_per_household),
    ("activity_area_share", _everyone, naive_activity_share),
    ("urban_self_service_coverage", _urban, naive_service("self_service_kiosk")),
    ("workers_per_10k_urban_residents", _urban, naive_workers_per_resident),
    ("convenience_living_circle", _urban, naive_service("convenience_circle_15min")),
    ("legal_services_coverage", _everyone, naive_service("legal_adviser")),
    ("facility_opening_hours", _everyone, naive_opening_hours),
    ("one_window_service", _everyone, naive_service("one_window_service")),
    ("agency_service_coverage", _everyone, naive_service("agency_service")),
    ("online_service_24h", _everyone, naive_service("online_service_24h")),
    ("satisfaction_survey_coverage", _everyone, naive_service("satisfaction_survey")),
    ("needs_matched_evaluation", _everyone, naive_service("needs_matched_evaluation")),
    ("resettlement_facility_coverage", _resettlement, naive_facility_coverage),
    ("committee_joint_review", _everyone, naive_service("committee_joint_review")),
    ("volunteer_service_point", _everyone, no_verdict(naive_service("volunteer_service_point"))),
    ("social_work_room", _everyone, no_verdict(naive_service("social_work_room"))),
    ("special_needs_elderly_monthly_visit_rate", _everyone, naive_visit_rate),
    ("youth_home", _everyone, naive_service("youth_home")),
    ("out_of_school_practice_site", _everyone, naive_service("out_of_school_practice_site")),
    (
        "disabled_persons_association_coverage",
        _everyone,
        naive_service("disabled_persons_association"),
    ),
    ("cultural_service_centre", _everyone, naive_service("cultural_service_centre")),
    ("fitness_circle_15min_coverage", _everyone, naive_service("fitness_circle_15min")),
    ("police_office_colocated", _everyone, no_verdict(naive_service("police_office_colocated"))),
    ("disaster_information_officer", _everyone, naive_disaster_officers),
    ("emergency_drills", _everyone, no_verdict(naive_service("emergency_drill"))),
    ("consultation_system", _everyone, naive_service("consultation_system")),
    ("broadband_village_coverage", _rural, naive_service("broadband")),
    ("village_5g_coverage", _rural, no_verdict(naive_service("5g"))),  # 80 %: regions
    ("worker_training_coverage", _everyone, naive_training_share),
)

_HUNDRED_PERCENT: Quantity = None
_ZERO_PERCENT: Quantity = None
_ZERO_AREA: Quantity = None
_REGISTRY: Any = None
_NAIVE_PROGRAM: list[tuple[Callable[[NaiveCommunity], bool], NaiveCheck, Quantity]] = []


def prepare_naive() -> None:
    """Build the baseline's constant quantities (outside any timed loop)."""
    global _HUNDRED_PERCENT, _ZERO_PERCENT, _ZERO_AREA, _REGISTRY  # noqa: PLW0603 - built once
    _REGISTRY = get_registry()
    _HUNDRED_PERCENT = Q_(100, "percent")
    _ZERO_PERCENT = Q_(0, "percent")
    _ZERO_AREA = Q_(0, "m**2")
    _NAIVE_PROGRAM[:] = [
        (in_scope, check, Q_(*THRESHOLDS.get(target, (0, "percent"))))  # a direction: unused
        for target, in_scope, check in NAIVE_TARGETS
    ]


def naive_statuses(c: NaiveCommunity) -> tuple[str, ...]:
    """The naive verdicts, one per target, in the plan's order (thresholds built once)."""
    return tuple(
        check(c, threshold) if in_scope(c) else NOT_APPLICABLE
        for in_scope, check, threshold in _NAIVE_PROGRAM
    )


def naive_statuses_inline(c: NaiveCommunity) -> tuple[str, ...]:
    """The same, building each threshold where it is compared, as ``>= Q_(30, "...")`` reads.

    Information only: the goal uses :func:`naive_statuses`, the faster baseline.
    """
    quantity = _REGISTRY.Quantity
    return tuple(
        check(c, quantity(*THRESHOLDS.get(target, (0, "percent"))))
        if in_scope(c)
        else NOT_APPLICABLE
        for target, in_scope, check in NAIVE_TARGETS
    )


def check_naive_thresholds(plan: cssp.Plan) -> None:
    """Assert that the baseline's targets are the engine's, with the same thresholds.

    The targets measured on township records are not a community's: left out.
    """
    levels = {cssp.Level.COMMUNITY, cssp.Level.REGION}
    year = plan.target_year
    engine = [
        target
        for indicator in plan.indicators.values()
        if indicator.measure is not None and not MEASURES[indicator.measure].township
        for target in indicator.targets
        if levels & target.levels
    ]
    assert [t.id for t in engine] == [t for t, _, _ in NAIVE_TARGETS], "target lists differ"
    registry = get_registry()
    for target in engine:
        if target.id in DIRECTIONS:
            assert target.value is None, target.id
            continue
        value, unit = THRESHOLDS[target.id]
        assert target.comparator is cssp.Comparator.GE, target.id
        assert value == target.milestone(year), target.id
        assert registry.parse_units(unit) == registry.parse_units(target.unit), target.id
