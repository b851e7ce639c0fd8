"""The scalar engine: one community, a list of communities grouped by region, or reported figures.

A plan and a year are compiled once into a program (:mod:`cssp.engine.program`,
cached); evaluating a community runs the Python code the program generated
from the measures' declarations, and touches no pint object.

The engine is handed its profiles: ``profiles`` is a
:class:`~cssp.rules.resolve.ProfileSet` or a list of profiles (``()`` for the
national plan alone). Discovering the installed plugins' profiles is the
facade's job (:func:`cssp.evaluate` and the other public functions).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from cssp.catalogue import resolve_plan
from cssp.engine.program import (
    REGION_LEVELS,
    Check,
    Program,
    Programs,
    Raw,
    built_on,
    canonical_targets,
    plan_year,
    profile_set,
    region_finding,
)
from cssp.engine.results import (
    ABSENT,
    STATUS_CODES,
    Assessment,
    Counts,
    Finding,
    RegionAssessment,
    RegionReport,
    TownshipAssessment,
    Verdicts,
)
from cssp.engine.townships import township_findings, township_raws, township_region_findings
from cssp.errors import InputError
from cssp.model.collector import collector_paused
from cssp.model.community import Community, CommunityKind, check_distinct
from cssp.model.divisions import division_name
from cssp.model.measures import Status, approximate_fields
from cssp.model.plan import IndicatorKind, Level, Plan, Text
from cssp.model.township import Township, check_distinct_townships
from cssp.rules.profile import Profile
from cssp.rules.resolve import EffectiveTargets, ProfileSet
from cssp.units import to_canonical

__all__ = [
    "effective_targets",
    "evaluate",
    "evaluate_figures",
    "evaluate_region",
    "evaluate_township",
    "program",
    "statuses",
    "verdicts",
]

_Profiles = ProfileSet | Iterable[Profile]

# The last few (plan, year, profiles) combinations, so repeated scalar calls
# skip plan, year and profile resolution: key -> (profiles as given, plan as
# given, programs). The objects are kept so that their ids stay theirs.
_RECENT: dict[tuple[object, object, int], tuple[object, object, Programs]] = {}


def program(plan: str | Plan, year: int | None, profiles: _Profiles, code: str) -> Program:
    """The program in force for ``code`` (cached across calls)."""
    if year is not None and type(year) is not int:
        plan_year(resolve_plan(plan), year)  # raises for a float, a bool or a string
    key = (plan if type(plan) is str else id(plan), year, id(profiles))
    recent = _RECENT.get(key)
    if (
        recent is None
        or recent[0] is not profiles
        or (type(plan) is not str and recent[1] is not plan)
    ):
        if len(_RECENT) >= 64:
            _RECENT.clear()
        recent = _RECENT[key] = (profiles, plan, Programs(plan, year, profile_set(profiles)))
    return recent[2].for_code(code)


_MET: Final = Status.MET
_RURAL: Final = CommunityKind.RURAL
_NOT_MET: Final = Status.NOT_MET
_NO_VERDICT: Final = Status.NO_VERDICT
#: The statuses whose values count towards a region's figure.
_MEASURED: Final = frozenset({Status.MET, Status.NOT_MET, Status.NO_VERDICT})
_COMMUNITY: Final = Level.COMMUNITY
#: The order of Finding's positional fields, as _community_finding passes them.
assert [f.name for f in attrs.fields(Finding) if not f.kw_only] == [
    *("target", "status", "subject", "level", "year", "observed", "required", "unit_label"),
    *("kind", "reason", "numerator", "denominator", "counts", "failing", "approximate"),
], "Finding's fields moved: update _community_finding"


def _community_finding(
    check: Check, raw: Raw, code: str, year: int, approximate: bool = False
) -> Finding:
    status, given_numerator, given_denominator, reason, threshold = raw
    numerator: float | None = given_numerator
    denominator: float | None = given_denominator
    observed: float | None = None
    if status is _MET or status is _NOT_MET or status is _NO_VERDICT:  # _MEASURED, unhashed
        observed = check.scale * given_numerator / given_denominator
    else:
        numerator = denominator = None
        approximate = False
    # Positional, in the order of Finding's fields, then its keyword-only ones.
    return Finding(
        check.target,
        status,
        code,
        _COMMUNITY,
        year,
        observed,
        None if check.direction else threshold,
        check.unit_label,
        check.kind,
        reason,
        numerator,
        denominator,
        None,
        (),
        approximate,
        presence=check.presence,
    )


def _assessment(
    program: Program, community: Community
) -> tuple[Assessment, list[Raw], frozenset[str]]:
    """The community's assessment, its raw results, and the targets whose observed
    values are built on approximate values."""
    raws = program.observe(community)
    fields = approximate_fields(community) if community.approximate_values else _EXACT
    approximate = (
        frozenset(
            check.target.id
            for check, raw in zip(program.checks, raws, strict=True)
            if (raw[0] is _MET or raw[0] is _NOT_MET) and built_on(check, fields)
        )
        if fields
        else _EXACT
    )
    findings = tuple(
        _community_finding(check, raw, community.key, program.year, check.target.id in approximate)
        for check, raw in zip(program.checks, raws, strict=True)
    )
    return Assessment(community, program.plan, program.year, findings), raws, approximate


_EXACT: Final[frozenset[str]] = frozenset()


def effective_targets(
    plan: str | Plan = "fyp14", code: str = "", *, profiles: _Profiles = ()
) -> EffectiveTargets:
    """The targets in force for a community or region (see :func:`cssp.effective_targets`)."""
    return profile_set(profiles).effective(plan, code)


def evaluate(
    community: Community,
    plan: str | Plan = "fyp14",
    year: int | None = None,
    *,
    profiles: _Profiles = (),
) -> Assessment:
    """Evaluate one community (see :func:`cssp.evaluate`)."""
    if not isinstance(community, Community):
        raise InputError(f"{type(community).__name__} is not a Community", "community")
    return _assessment(program(plan, year, profiles, community.code), community)[0]


def evaluate_township(
    township: Township,
    plan: str | Plan = "fyp14",
    year: int | None = None,
    *,
    profiles: _Profiles = (),
) -> TownshipAssessment:
    """Evaluate one township record against the township-level targets in force for it."""
    if not isinstance(township, Township):
        raise InputError(f"{type(township).__name__} is not a Township", "township")
    found = program(plan, year, profiles, township.code)
    return TownshipAssessment(township, found.plan, found.year, township_findings(found, township))


def statuses(
    community: Community,
    plan: str | Plan = "fyp14",
    year: int | None = None,
    *,
    profiles: _Profiles = (),
) -> tuple[Status, ...]:
    """The statuses alone, in target order: the fastest evaluation.

    For dashboards that need only verdicts, and for the benchmarks. Called
    again with the same plan, year and profiles objects, it finds the program
    of the community's township with one dictionary lookup.
    """
    last = _LAST
    if plan is last[0] and year is last[1] and profiles is last[2]:
        found: Program | None = last[3].get(community.code[:9])
        if found is not None:
            # Program.statuses, inlined: the function generated for the community's flags.
            key = (
                community.kind is _RURAL,
                community.resettlement,
                community.old_residential_area,
                community.newly_built,
            )
            generated = found._by_flags.get(key)
            if generated is not None:
                result: tuple[Status, ...] = generated[1](community)
                return result
            return found.statuses(community)
    found = program(plan, year, profiles, community.code)
    recent = _RECENT[(plan if type(plan) is str else id(plan), year, id(profiles))]
    _LAST[:] = [plan, year, profiles, recent[2].townships]
    return found.statuses(community)


#: The plan, year and profiles of the last call of :func:`statuses`, and its
#: programs by township.
_LAST: list[Any] = [None, None, None, {}]


def evaluate_region(
    communities: Iterable[Community],
    plan: str | Plan = "fyp14",
    by: str = "county",
    year: int | None = None,
    *,
    profiles: _Profiles = (),
    townships: Iterable[Township] = (),
) -> RegionReport:
    """Evaluate communities and the regions they form (see :func:`cssp.evaluate_region`)."""
    if by not in REGION_LEVELS:
        choices = ", ".join(REGION_LEVELS)
        raise InputError(f"{by!r} is not a region level; expected one of {choices}", "by")
    with collector_paused():  # the findings made form no cycles (cssp.model.collector)
        programs = Programs(plan, year, profile_set(profiles))
        prefix = REGION_LEVELS[by]
        assessments: list[Assessment] = []
        members: dict[str, list[_Member]] = {}
        for community in check_distinct(communities):
            program = programs.for_code(community.code)
            assessment, raws, approximate = _assessment(program, community)
            assessments.append(assessment)
            checks = program.checks
            by_target = {check.target.id: raw for check, raw in zip(checks, raws, strict=True)}
            if len(community.code) >= prefix:  # one placed in a county only is in no township
                members.setdefault(community.code[:prefix], []).append(
                    (community.key, by_target, approximate)
                )
        township_assessments: list[TownshipAssessment] = []
        township_members: dict[str, list[tuple[str, dict[str, Raw]]]] = {}
        for township in check_distinct_townships(townships):
            program = programs.for_code(township.code)
            found = township_raws(program, township)
            township_assessments.append(
                TownshipAssessment(
                    township, programs.plan, programs.year, township_findings(program, township)
                )
            )
            township_members.setdefault(township.code[:prefix], []).append((township.code, found))
        # Members sorted by code: a region's lists do not depend on the input order.
        # Without township records, the township-level targets are left out.
        regions = tuple(
            _region(
                programs.for_code(code),
                code,
                by,
                sorted(members.get(code, ()), key=lambda m: m[0]),
                sorted(township_members.get(code, ()), key=lambda m: m[0])
                if township_assessments
                else None,
            )
            for code in sorted(members.keys() | township_members.keys())
        )
        return RegionReport(
            programs.plan,
            programs.year,
            by,
            regions,
            tuple(assessments),
            townships=tuple(township_assessments),
        )


# A region's member: its key, its raw results by target, and the targets whose results
# are built on approximate values.
_Member = tuple[str, dict[str, Raw], frozenset[str]]


def _region(
    program: Program,
    code: str,
    level: str,
    members: list[_Member],
    township_members: list[tuple[str, dict[str, Raw]]] | None = None,
) -> RegionAssessment:
    """A region's findings; the township-level ones only when township records are given."""
    by_township = (
        {}
        if township_members is None
        else township_region_findings(program, code, township_members)
    )
    findings = []
    for check in program.region_checks:
        if check.township:
            if township_members is not None:
                findings.append(by_township[check.target.id])
            continue
        target_id = check.target.id
        tally = dict.fromkeys(STATUS_CODES, 0)
        numerators: list[float] = []
        denominators: list[float] = []
        failing = []
        lacking = check.lacking
        approximate = False
        for member, raws, near in members:
            status, numerator, denominator, _, _ = raws[target_id]
            tally[status] += 1
            if status is _NOT_MET or (lacking and status is _NO_VERDICT and numerator == 0):
                failing.append(member)
            if status in _MEASURED:
                numerators.append(numerator)
                denominators.append(denominator)
                approximate = approximate or target_id in near
        counts = Counts(*(tally[status] for status in STATUS_CODES))
        # math.fsum: exactly rounded, so the sums do not depend on input order.
        findings.append(
            region_finding(
                check,
                code,
                program.year,
                counts,
                _sum(numerators),
                _sum(denominators),
                tuple(failing),
                approximate,
            )
        )
    return RegionAssessment(
        code=code,
        name=division_name(code),
        level=level,
        communities=tuple(member for member, _, _ in members),
        findings=tuple(findings),
        townships=tuple(member for member, _ in township_members or ()),
    )


def _sum(values: list[float]) -> float:
    """The exactly rounded sum; infinity when it is beyond the largest float
    (:func:`~cssp.engine.program.region_finding` refuses it, as in the batch engine)."""
    try:
        return math.fsum(values)
    except OverflowError:
        return math.inf


_PERCENT: Final = Text("%", "%")


def evaluate_figures(
    figures: Mapping[str, object],
    plan: str | Plan = "fyp14",
    year: int | None = None,
    subject: str = "",
    *,
    profiles: _Profiles = (),
) -> RegionAssessment:
    """Evaluate reported region figures (see :func:`cssp.evaluate_figures`)."""
    found = program(plan, year, profiles, subject)
    resolved = found.plan
    findings = []
    used: set[str] = set()
    for check in found.checks:
        target = check.target
        key = target.id if target.id in figures else target.indicator
        if key not in figures or not check.region:
            continue
        used.add(key)
        per_community = check.kind is IndicatorKind.PER_COMMUNITY
        unit = "percent" if per_community else target.unit
        value = to_canonical(figures[key], unit, key)
        threshold = target.region_share if per_community else check.threshold
        if check.direction:
            status, required = Status.NO_VERDICT, None
        else:
            ok = check.holds(value, threshold)
            status, required = (Status.MET if ok else Status.NOT_MET), threshold
        findings.append(
            Finding(
                target=target,
                status=status,
                subject=subject,
                level=Level.REGION,
                year=found.year,
                observed=value,
                required=required,
                unit_label=_PERCENT if per_community else check.unit_label,
                kind=check.kind,
                presence=check.presence,
            )
        )
    unknown = sorted(set(figures) - used)
    if unknown:
        known = [t for t in resolved.targets if Level.REGION in resolved.targets[t].levels]
        raise InputError(
            f"{', '.join(map(repr, unknown))}: no region-level target of {resolved.id} has this id "
            f"(known: {', '.join(sorted(known))})",
            "figures",
        )
    level = next(
        (name for name, length in REGION_LEVELS.items() if length == len(subject)), "region"
    )
    return RegionAssessment(subject, division_name(subject), level, (), tuple(findings))


def verdicts(
    communities: Iterable[Community],
    plan: str | Plan = "fyp14",
    year: int | None = None,
    *,
    profiles: _Profiles = (),
) -> Verdicts:
    """The status of every community × target (see :func:`cssp.evaluate_many`)."""
    programs = Programs(plan, year, profile_set(profiles))
    items = []
    rows = []
    for community in check_distinct(communities):
        found = programs.for_code(community.code)
        items.append(community.key)
        rows.append(
            {
                c.target.id: _CODE[s]
                for c, s in zip(found.checks, found.statuses(community), strict=True)
            }
        )
    targets = canonical_targets(programs.plan, (t for row in rows for t in row))
    width = len(targets)
    matrix = bytearray(bytes([ABSENT]) * (len(rows) * width))
    position = {t: i for i, t in enumerate(targets)}
    for r, row in enumerate(rows):
        base = r * width
        for target, code in row.items():
            matrix[base + position[target]] = code
    return Verdicts(targets, tuple(items), bytes(matrix), "scalar")


_CODE: Final = {status: code for code, status in enumerate(STATUS_CODES)}
