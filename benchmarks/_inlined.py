"""The hand-inlined baseline of ``bench_scalar.py``: fyp14's 32 checks as one plain function.

:func:`inlined_statuses` is what a careful programmer would write, for speed,
from the plan and :mod:`cssp.model.measures`: plain attribute reads, one loop
over the facilities, every constant folded by hand, no call per target. It
applies cssp's rules exactly:

* the one comparison rule, ``scale × numerator ≥ threshold × denominator −
  REL_TOL × |threshold × denominator|`` (``REL_TOL`` = 1e-9). Every
  denominator is validated ≥ 0 and the thresholds are positive, so
  ``|threshold × denominator|`` is ``threshold × denominator`` itself; where
  the denominator is 1 the bound is folded to a literal (8 h/day:
  ``7.999999992``); a coverage is 100 % or 0 %, so against 80 % or 100 % it is
  met exactly when the community has the thing; a count of officers reaches
  ``0.999999999`` exactly when it is at least 1;
* each measure's guards in their order (``Measure.tests``): "given" (missing →
  no data), then "nonzero" (0 → not applicable);
* the facility sums of ``FACILITY_FIELDS``: a kind's floor area summed in the
  facilities' order from 0.0 (so the sums are cssp's to the bit), the shortest
  opening hours from 24.0, missing when one facility lacks them;
* the scopes of ``SCOPE_FLAGS``: urban and rural by the community's kind,
  resettlement and newly built by their flags; a target out of scope is not
  applicable;
* where a community is not judged — a coverage rate below 100 % (rural
  facilities and 5G in villages, ≥ 80 %: a property of a region) and the
  directions the plan states without a level (volunteer service points,
  social work rooms, police offices with the two committees, drills) — a
  community whose data is given gets no verdict (``NO_VERDICT``).

:func:`check_plan` asserts, before anything is timed, that the plan still has
the targets, order, scopes, comparators, scales, thresholds and measures this
function folds in; ``bench_scalar.py`` then asserts that it gives cssp's
verdicts community by community. The scripts run as files, so this module is
imported by name, as ``_harness`` is.
"""

from __future__ import annotations

from typing import Final

import cssp
from cssp.engine.program import Program
from cssp.model.community import CommunityKind, FacilityKind, Service
from cssp.model.measures import MEASURES, Status
from cssp.model.plan import REL_TOL, Comparator, Scope

MET: Final = Status.MET
NOT_MET: Final = Status.NOT_MET
NOT_APPLICABLE: Final = Status.NOT_APPLICABLE
NO_DATA: Final = Status.NO_DATA
NO_VERDICT: Final = Status.NO_VERDICT

_RURAL: Final = CommunityKind.RURAL
_COMPREHENSIVE: Final = FacilityKind.COMPREHENSIVE
_COMMERCIAL: Final = FacilityKind.COMMERCIAL
_KIOSK: Final = Service.SELF_SERVICE_KIOSK
_ONLINE: Final = Service.ONLINE_SERVICE_24H
_AGENCY: Final = Service.AGENCY_SERVICE
_SURVEY: Final = Service.SATISFACTION_SURVEY
_DISABLED: Final = Service.DISABLED_PERSONS_ASSOCIATION
_CULTURAL: Final = Service.CULTURAL_SERVICE_CENTRE
_FITNESS: Final = Service.FITNESS_CIRCLE_15MIN
_CIRCLE: Final = Service.CONVENIENCE_CIRCLE_15MIN
_LEGAL: Final = Service.LEGAL_ADVISER
_ONE_WINDOW: Final = Service.ONE_WINDOW_SERVICE
_MATCHED: Final = Service.NEEDS_MATCHED_EVALUATION
_REVIEW: Final = Service.COMMITTEE_JOINT_REVIEW
_YOUTH: Final = Service.YOUTH_HOME
_PRACTICE: Final = Service.OUT_OF_SCHOOL_PRACTICE_SITE
_CONSULTATION: Final = Service.CONSULTATION_SYSTEM
_BROADBAND: Final = Service.BROADBAND
_5G: Final = Service.NETWORK_5G


def inlined_statuses(c: cssp.Community) -> tuple[Status, ...]:  # noqa: PLR0915 - inlined on purpose
    """The statuses of fyp14's 32 community-level checks, in the plan's order."""
    # The facilities, in one loop.
    facilities = c.facilities
    if facilities is None:
        comprehensive = rural_comprehensive = area = activity = hours = NO_DATA
        commercial_share = NO_DATA if c.newly_built else NOT_APPLICABLE
    else:
        has_comprehensive = False
        comprehensive_floor = 0.0
        service_floor = 0.0
        no_comprehensive_floor = no_service_floor = False
        activity_area = 0.0
        no_activity_area = False
        shortest = 24.0
        no_hours = False
        for f in facilities:
            kind = f.kind
            if kind is _COMPREHENSIVE:
                has_comprehensive = True
                floor = f.floor_area
                if floor is None:
                    no_comprehensive_floor = no_service_floor = True
                else:
                    comprehensive_floor += floor
                    service_floor += floor
                a = f.activity_area
                if a is None:
                    no_activity_area = True
                else:
                    activity_area += a
            elif kind is _COMMERCIAL:
                floor = f.floor_area
                if floor is None:
                    no_service_floor = True
                else:
                    service_floor += floor
            h = f.opening_hours
            if h is None:
                no_hours = True
            elif h < shortest:
                shortest = h
        # comprehensive facility coverage (rural ≥ 80 %, urban and resettlement 100 %)
        comprehensive = MET if has_comprehensive else NOT_MET
        rural_comprehensive = NO_VERDICT  # 80 %: the region's rate, no verdict here
        # commercial and service floor area ≥ 10 % of the building area (newly built)
        building = c.building_area
        if not c.newly_built:
            commercial_share = NOT_APPLICABLE
        elif no_service_floor or building is None:
            commercial_share = NO_DATA
        elif building == 0:
            commercial_share = NOT_APPLICABLE
        else:
            rhs = 10.0 * building
            commercial_share = MET if 100.0 * service_floor >= rhs - 1e-9 * rhs else NOT_MET
        # comprehensive floor area ≥ 30 m² per 100 households
        households = c.households
        if no_comprehensive_floor or households is None:
            area = NO_DATA
        elif households == 0:
            area = NOT_APPLICABLE
        else:
            rhs = 30.0 * households
            area = MET if 100.0 * comprehensive_floor >= rhs - 1e-9 * rhs else NOT_MET
        # activity area ≥ 60 % of the comprehensive floor area
        if no_activity_area or no_comprehensive_floor:
            activity = NO_DATA
        elif comprehensive_floor == 0:
            activity = NOT_APPLICABLE
        else:
            rhs = 60.0 * comprehensive_floor
            activity = MET if 100.0 * activity_area >= rhs - 1e-9 * rhs else NOT_MET
        # every facility open ≥ 8 h/day
        if not facilities:
            hours = NOT_APPLICABLE
        elif no_hours:
            hours = NO_DATA
        else:
            hours = MET if shortest >= 7.999999992 else NOT_MET

    # The services everyone is held to.
    services = c.services
    if services is None:
        online = agency = survey = disabled = cultural = fitness = NO_DATA
        legal = one_window = matched = review = youth = practice = consultation = NO_DATA
        direction = NO_DATA  # volunteer point, social work room, police office, drills
    else:
        online = MET if _ONLINE in services else NOT_MET
        agency = MET if _AGENCY in services else NOT_MET
        survey = MET if _SURVEY in services else NOT_MET
        disabled = MET if _DISABLED in services else NOT_MET
        cultural = MET if _CULTURAL in services else NOT_MET
        fitness = MET if _FITNESS in services else NOT_MET
        legal = MET if _LEGAL in services else NOT_MET
        one_window = MET if _ONE_WINDOW in services else NOT_MET
        matched = MET if _MATCHED in services else NOT_MET
        review = MET if _REVIEW in services else NOT_MET
        youth = MET if _YOUTH in services else NOT_MET
        practice = MET if _PRACTICE in services else NOT_MET
        consultation = MET if _CONSULTATION in services else NOT_MET
        direction = NO_VERDICT

    # The staff.
    staff = c.staff
    workers = staff.community_workers
    if workers is None:
        training = NO_DATA
    else:
        trained = staff.trained_workers
        if trained is None:
            training = NO_DATA
        elif workers == 0:
            training = NOT_APPLICABLE
        else:
            rhs = 100.0 * workers
            training = MET if 100.0 * trained >= rhs - 1e-9 * rhs else NOT_MET
    officers = staff.disaster_information_officers
    officer = NO_DATA if officers is None else MET if officers >= 1 else NOT_MET

    rate = c.elderly_monthly_visit_rate
    visits = NO_DATA if rate is None else MET if rate >= 99.9999999 else NOT_MET

    # The scoped targets.
    resettlement = comprehensive if c.resettlement else NOT_APPLICABLE
    if c.kind is _RURAL:
        if services is None:
            broadband = network = NO_DATA
        else:
            broadband = MET if _BROADBAND in services else NOT_MET
            network = NO_VERDICT  # 5G in ≥ 80 % of villages: the region's rate
        return (
            rural_comprehensive,
            NOT_APPLICABLE,
            commercial_share,
            area,
            activity,
            NOT_APPLICABLE,
            NOT_APPLICABLE,
            NOT_APPLICABLE,
            legal,
            hours,
            one_window,
            agency,
            online,
            survey,
            matched,
            resettlement,
            review,
            direction,
            direction,
            visits,
            youth,
            practice,
            disabled,
            cultural,
            fitness,
            direction,
            officer,
            direction,
            consultation,
            broadband,
            network,
            training,
        )
    if services is None:
        kiosk = circle = NO_DATA
    else:
        kiosk = MET if _KIOSK in services else NOT_MET
        circle = MET if _CIRCLE in services else NOT_MET
    # community workers ≥ 18 per 10,000 residents
    if workers is None:
        staffing = NO_DATA
    else:
        population = c.population
        if population is None:
            staffing = NO_DATA
        elif population == 0:
            staffing = NOT_APPLICABLE
        else:
            rhs = 18.0 * population
            staffing = MET if 10000.0 * workers >= rhs - 1e-9 * rhs else NOT_MET
    return (
        NOT_APPLICABLE,
        comprehensive,
        commercial_share,
        area,
        activity,
        kiosk,
        staffing,
        circle,
        legal,
        hours,
        one_window,
        agency,
        online,
        survey,
        matched,
        resettlement,
        review,
        direction,
        direction,
        visits,
        youth,
        practice,
        disabled,
        cultural,
        fitness,
        direction,
        officer,
        direction,
        consultation,
        NOT_APPLICABLE,
        NOT_APPLICABLE,
        training,
    )


# What inlined_statuses folds in, target by target, in the plan's order:
# (target, scope, measure, scale, threshold).
FOLDED: Final = (
    ("rural_facility_coverage", Scope.RURAL, "comprehensive_facility", 100.0, 80.0),
    ("urban_facility_coverage", Scope.URBAN, "comprehensive_facility", 100.0, 100.0),
    (
        "commercial_service_area_share",
        Scope.NEWLY_BUILT,
        "commercial_service_area_share",
        100.0,
        10.0,
    ),
    ("facility_area_per_100_households", Scope.ALL, "facility_area_per_household", 100.0, 30.0),
    ("activity_area_share", Scope.ALL, "activity_area_share", 100.0, 60.0),
    ("urban_self_service_coverage", Scope.URBAN, "service:self_service_kiosk", 100.0, 100.0),
    ("workers_per_10k_urban_residents", Scope.URBAN, "workers_per_resident", 10000.0, 18.0),
    ("convenience_living_circle", Scope.URBAN, "service:convenience_circle_15min", 100.0, 100.0),
    ("legal_services_coverage", Scope.ALL, "service:legal_adviser", 100.0, 100.0),
    ("facility_opening_hours", Scope.ALL, "min_opening_hours", 1.0, 8.0),
    ("one_window_service", Scope.ALL, "service:one_window_service", 100.0, 100.0),
    ("agency_service_coverage", Scope.ALL, "service:agency_service", 100.0, 100.0),
    ("online_service_24h", Scope.ALL, "service:online_service_24h", 100.0, 100.0),
    ("satisfaction_survey_coverage", Scope.ALL, "service:satisfaction_survey", 100.0, 100.0),
    ("needs_matched_evaluation", Scope.ALL, "service:needs_matched_evaluation", 100.0, 100.0),
    ("resettlement_facility_coverage", Scope.RESETTLEMENT, "comprehensive_facility", 100.0, 100.0),
    ("committee_joint_review", Scope.ALL, "service:committee_joint_review", 100.0, 100.0),
    ("volunteer_service_point", Scope.ALL, "service:volunteer_service_point", 100.0, None),
    ("social_work_room", Scope.ALL, "service:social_work_room", 100.0, None),
    (
        "special_needs_elderly_monthly_visit_rate",
        Scope.ALL,
        "elderly_monthly_visit_rate",
        1.0,
        100.0,
    ),
    ("youth_home", Scope.ALL, "service:youth_home", 100.0, 100.0),
    (
        "out_of_school_practice_site",
        Scope.ALL,
        "service:out_of_school_practice_site",
        100.0,
        100.0,
    ),
    (
        "disabled_persons_association_coverage",
        Scope.ALL,
        "service:disabled_persons_association",
        100.0,
        100.0,
    ),
    ("cultural_service_centre", Scope.ALL, "service:cultural_service_centre", 100.0, 100.0),
    ("fitness_circle_15min_coverage", Scope.ALL, "service:fitness_circle_15min", 100.0, 100.0),
    ("police_office_colocated", Scope.ALL, "service:police_office_colocated", 100.0, None),
    ("disaster_information_officer", Scope.ALL, "disaster_information_officers", 1.0, 1.0),
    ("emergency_drills", Scope.ALL, "service:emergency_drill", 100.0, None),
    ("consultation_system", Scope.ALL, "service:consultation_system", 100.0, 100.0),
    ("broadband_village_coverage", Scope.RURAL, "service:broadband", 100.0, 100.0),
    ("village_5g_coverage", Scope.RURAL, "service:5g", 100.0, 80.0),
    ("worker_training_coverage", Scope.ALL, "trained_worker_share", 100.0, 100.0),
)

#: The checks a community gets no verdict on: rates below 100 %, and directions.
UNJUDGED: Final = frozenset(
    {
        "rural_facility_coverage",
        "village_5g_coverage",
        "volunteer_service_point",
        "social_work_room",
        "police_office_colocated",
        "emergency_drills",
    }
)


def check_plan(program: Program) -> None:
    """Assert that ``program`` (fyp14, no profiles) is what :func:`inlined_statuses` folds in.

    The targets in order, their scopes, measures, scales and thresholds, every
    comparator ``≥``, and the bounds written as literals.
    """
    checks = program.checks
    assert [c.target.id for c in checks] == [f[0] for f in FOLDED], "the targets differ"
    for check, (target, scope, measure, scale, threshold) in zip(checks, FOLDED, strict=True):
        assert check.community is (target not in UNJUDGED), target
        assert check.target.scope is scope, target
        assert check.measure is MEASURES[measure], target
        assert check.comparator is Comparator.GE, target
        assert check.staffing is None, target
        assert check.scale == scale, target
        assert check.target.value == threshold, target
    assert REL_TOL == 1e-9
    # The bounds folded where the denominator is 1: scale × n ≥ threshold − REL_TOL × threshold.
    assert 8.0 - REL_TOL * 8.0 == 7.999999992
    assert 100.0 - REL_TOL * 100.0 == 99.9999999
    assert 1.0 - REL_TOL * 1.0 == 0.999999999
    # A coverage is 100 × 1.0 or 100 × 0.0: met against 80 % or 100 % when present only.
    for threshold in (80.0, 100.0):
        bound = threshold - REL_TOL * threshold
        assert bound <= 100.0 * 1.0
        assert bound > 100.0 * 0.0
