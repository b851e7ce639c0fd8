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
    Verdicts,
)
from cssp.errors import InputError
from cssp.model.community import Community, CommunityKind, check_distinct
from cssp.model.divisions import division_name
from cssp.model.measures import Status, approximate_fields
from cssp.model.plan import IndicatorKind, Level, Plan, Text
from cssp.rules.profile import Profile
from cssp.rules.resolve import EffectiveTargets, ProfileSet
from cssp.units import to_canonical

__all__ = [
    "effective_targets",
    "evaluate",
    "evaluate_figures",
    "evaluate_region",
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


def _community_finding(
    check: Check, raw: Raw, code: str, year: int, approximate: bool = False
) -> Finding:
    status, numerator, denominator, reason, threshold = raw
    observed = None
    if status is _MET or status is _NOT_MET:
        observed = check.scale * numerator / denominator
    else:
        approximate = False
    return Finding(
        target=check.target,
        status=status,
        subject=code,
        level=Level.COMMUNITY,
        year=year,
        observed=observed,
        required=threshold,
        unit_label=check.unit_label,
        kind=check.kind,
        reason=reason,
        numerator=numerator if observed is not None else None,
        denominator=denominator if observed is not None else None,
        approximate=approximate,
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
        if check.community
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
) -> RegionReport:
    """Evaluate communities and the regions they form (see :func:`cssp.evaluate_region`)."""
    if by not in REGION_LEVELS:
        choices = ", ".join(REGION_LEVELS)
        raise InputError(f"{by!r} is not a region level; expected one of {choices}", "by")
    programs = Programs(plan, year, profile_set(profiles))
    prefix = REGION_LEVELS[by]
    assessments: list[Assessment] = []
    members: dict[str, list[_Member]] = {}
    for community in check_distinct(communities):
        program = programs.for_code(community.code)
        assessment, raws, approximate = _assessment(program, community)
        assessments.append(assessment)
        by_target = {check.target.id: raw for check, raw in zip(program.checks, raws, strict=True)}
        if len(community.code) >= prefix:  # one placed in a county only is in no township
            members.setdefault(community.code[:prefix], []).append(
                (community.key, by_target, approximate)
            )
    # Members sorted by code: a region's lists do not depend on the input order.
    regions = tuple(
        _region(programs.for_code(code), code, by, sorted(members[code], key=lambda m: m[0]))
        for code in sorted(members)
    )
    return RegionReport(programs.plan, programs.year, by, regions, tuple(assessments))


# A region's member: its key, its raw results by target, and the targets whose results
# are built on approximate values.
_Member = tuple[str, dict[str, Raw], frozenset[str]]


def _region(program: Program, code: str, level: str, members: list[_Member]) -> RegionAssessment:
    findings = []
    for check in program.checks:
        if not check.region:
            continue
        target_id = check.target.id
        tally = {Status.MET: 0, Status.NOT_MET: 0, Status.NOT_APPLICABLE: 0, Status.NO_DATA: 0}
        numerators: list[float] = []
        denominators: list[float] = []
        failing = []
        approximate = False
        for member, raws, near in members:
            status, numerator, denominator, _, _ = raws[target_id]
            tally[status] += 1
            if status is _NOT_MET:
                failing.append(member)
            if status is _MET or status is _NOT_MET:
                numerators.append(numerator)
                denominators.append(denominator)
                approximate = approximate or target_id in near
        counts = Counts(
            tally[Status.MET],
            tally[Status.NOT_MET],
            tally[Status.NOT_APPLICABLE],
            tally[Status.NO_DATA],
        )
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
        ok = check.holds(value, threshold)
        findings.append(
            Finding(
                target=target,
                status=Status.MET if ok else Status.NOT_MET,
                subject=subject,
                level=Level.REGION,
                year=found.year,
                observed=value,
                required=threshold,
                unit_label=_PERCENT if per_community else check.unit_label,
                kind=check.kind,
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
