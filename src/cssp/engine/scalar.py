"""The scalar engine: one community, a list of communities grouped by region, or reported figures.

A plan and a year are compiled once into a list of checks (cached); each
check holds plain floats — the scale from measure units to the indicator's
unit, the year's threshold — so evaluating a community touches no pint object.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Final

from attrs import define, field

from cssp.catalogue import resolve_plan
from cssp.engine.measures import MEASURES, Measure, Observation, Skip, Status
from cssp.engine.results import Assessment, Counts, Finding, RegionAssessment, RegionReport
from cssp.errors import CatalogueError, InputError, UnitError
from cssp.model.community import Community, CommunityKind
from cssp.model.plan import IndicatorKind, Level, Plan, Scope, Target, Text
from cssp.plugins import default_profiles
from cssp.rules.profile import Profile
from cssp.rules.resolve import STAFFING_TARGET, EffectiveTargets, ProfileSet
from cssp.units import ratio_scale, to_canonical

__all__ = [
    "REGION_LEVELS",
    "effective_targets",
    "evaluate",
    "evaluate_figures",
    "evaluate_region",
    "statuses",
]

#: Region levels and the length of their code prefix.
REGION_LEVELS: Final = {"nation": 0, "province": 2, "prefecture": 4, "county": 6, "township": 9}


def _in_scope(scope: Scope) -> Callable[[Community], bool]:
    if scope is Scope.ALL:
        return lambda c: True
    if scope is Scope.URBAN:
        return lambda c: c.kind is CommunityKind.URBAN
    if scope is Scope.RURAL:
        return lambda c: c.kind is CommunityKind.RURAL
    if scope is Scope.RESETTLEMENT:
        return lambda c: c.resettlement
    if scope is Scope.OLD_RESIDENTIAL_AREA:
        return lambda c: c.old_residential_area
    return lambda c: c.newly_built


_OUT_OF_SCOPE: Final = {
    Scope.URBAN: Text("该目标只适用于城市社区", "the target applies to urban communities only"),
    Scope.RURAL: Text("该目标只适用于农村社区", "the target applies to rural communities only"),
    Scope.RESETTLEMENT: Text(
        "该目标只适用于易地扶贫搬迁集中安置社区",
        "the target applies to relocation resettlement communities only",
    ),
    Scope.OLD_RESIDENTIAL_AREA: Text(
        "该目标只适用于城镇老旧小区", "the target applies to old urban residential areas only"
    ),
    Scope.NEWLY_BUILT: Text(
        "该目标只适用于新建社区", "the target applies to newly built communities only"
    ),
}


@define(frozen=True)
class _Check:
    """One target, compiled for one year: everything as plain floats."""

    target: Target
    kind: IndicatorKind
    unit_label: Text
    compute: Callable[[Community], Observation]
    in_scope: Callable[[Community], bool]
    out_of_scope: Skip
    holds: Callable[[float, float], bool]
    scale: float
    threshold: float
    community: bool
    region: bool
    #: a per-community threshold (a staffing rule), instead of :attr:`threshold`.
    threshold_of: Callable[[Community], float | None] | None = None


@define(frozen=True)
class _Program:
    plan: Plan
    year: int
    checks: tuple[_Check, ...]
    effective: EffectiveTargets
    # Specialised per scope key (kind and flags): the checks that apply, as flat
    # tuples, and the prebuilt results of those that do not.
    _by_scope: dict[_ScopeKey, _Specialised] = field(factory=dict, eq=False, repr=False)

    def specialised(self, key: _ScopeKey) -> _Specialised:
        found = self._by_scope.get(key)
        if found is None:
            found = self._by_scope[key] = self._specialise(key)
        return found

    def _specialise(self, key: _ScopeKey) -> _Specialised:
        probe = _ScopeProbe(*key)
        template: list[_Raw] = []
        active = []
        for index, check in enumerate(self.checks):
            if check.in_scope(probe):  # type: ignore[arg-type]
                template.append(_PENDING)
                active.append(
                    (
                        index,
                        check.compute,
                        check.holds,
                        check.scale,
                        check.threshold,
                        check.threshold_of,
                    )
                )
            else:
                reason = check.out_of_scope.reason
                template.append((Status.NOT_APPLICABLE, 0.0, 0.0, reason, check.threshold))
        return tuple(template), tuple(active)


# kind, resettlement, old residential area, newly built
_ScopeKey = tuple[CommunityKind, bool, bool, bool]
_Active = tuple[
    int,
    Callable[[Community], Observation],
    Callable[[float, float], bool],
    float,
    float,
    Callable[[Community], float | None] | None,
]
_Specialised = tuple[tuple["_Raw", ...], tuple[_Active, ...]]


@define(frozen=True)
class _ScopeProbe:
    """Stands in for a community when deciding which targets apply to its scope key."""

    kind: CommunityKind
    resettlement: bool
    old_residential_area: bool
    newly_built: bool


def canonical_targets(plan: Plan, ids: Iterable[str]) -> tuple[str, ...]:
    """``ids`` once each: the plan's targets in the plan's order, then the others by id.

    The column order of every many-community result (:func:`cssp.evaluate_many`,
    :mod:`cssp.batch`).
    """
    seen = set(ids)
    national = [t for t in plan.targets if t in seen]
    return (*national, *sorted(seen - set(national)))


def _scale(numerator: str, denominator: str, unit: str, where: str) -> float:
    try:
        return ratio_scale(numerator, denominator, unit)
    except UnitError as error:
        raise CatalogueError(f"{where}: the measure's unit does not fit: {error}") from None


def _measure(key: str, effective: EffectiveTargets) -> Measure | None:
    measure = MEASURES.get(key)
    if measure is not None:
        return measure
    for profile in reversed(effective.chain):
        found = profile.measures.get(key)
        if found is not None:
            return found
    return None


@functools.lru_cache(maxsize=256)
def _compile(effective: EffectiveTargets, year: int) -> _Program:
    plan = effective.plan
    if year < plan.baseline_year:
        raise InputError(f"{year} is before the plan's baseline year {plan.baseline_year}", "year")
    checks = []
    scales: dict[str, float] = {}
    for indicator, target in effective.pairs:
        if indicator.measure is None:
            continue  # catalogued only: cssp has no data to compute it from
        measure = _measure(indicator.measure, effective)
        if measure is None:
            raise CatalogueError(
                f"indicator {indicator.id!r}: unknown measure {indicator.measure!r}"
            )
        community = Level.COMMUNITY in target.levels
        region = Level.REGION in target.levels
        if not (community or region):
            continue
        scale = scales.get(indicator.id)
        if scale is None:
            scale = _scale(
                measure.numerator_unit,
                measure.denominator_unit,
                indicator.unit,
                f"indicator {indicator.id!r}",
            )
            scales[indicator.id] = scale
        staffing = effective.staffing if target.id == STAFFING_TARGET else None
        checks.append(
            _Check(
                target=target,
                kind=indicator.kind,
                unit_label=indicator.unit_label,
                compute=measure.compute,
                in_scope=_in_scope(target.scope),
                out_of_scope=Skip(
                    Status.NOT_APPLICABLE, _OUT_OF_SCOPE.get(target.scope, Text("", ""))
                ),
                holds=target.comparator.holds,
                scale=scale,
                threshold=target.milestone(year),
                community=community,
                region=region,
                threshold_of=staffing.required if staffing is not None else None,
            )
        )
    return _Program(plan, year, tuple(checks), effective)


_NATIONAL: Final = ProfileSet()


def _profile_set(profiles: ProfileSet | Iterable[Profile] | None) -> ProfileSet:
    if profiles is None:
        return default_profiles()  # discovered on first use, then cached
    if isinstance(profiles, ProfileSet):
        return profiles
    items = tuple(profiles)
    return ProfileSet(items) if items else _NATIONAL


def _year(plan: Plan, year: int | None) -> int:
    if year is None:
        return plan.target_year
    if isinstance(year, bool) or not isinstance(year, int):
        raise InputError(f"{year!r} is not a year", "year")
    return year


class _Programs:
    """Programs per chain of profiles, for one plan, year and profile set."""

    def __init__(self, plan: str | Plan, year: int | None, profiles: ProfileSet) -> None:
        self.plan = resolve_plan(plan)
        self.year = _year(self.plan, year)
        self.profiles = profiles
        self._by_key: dict[tuple[str, ...], _Program] = {}
        # Scopes are at most 9 digits, so a code's chain is that of its
        # township prefix: one dict lookup per community.
        self._by_township: dict[str, _Program] = {}

    def for_code(self, code: str) -> _Program:
        township = code[:9]
        program = self._by_township.get(township)
        if program is None:
            key = self.profiles.scopes_key(self.plan.id, code)
            program = self._by_key.get(key)
            if program is None:
                program = _compile(self.profiles.effective(self.plan, code), self.year)
                self._by_key[key] = program
            if len(self._by_township) < 65536:
                self._by_township[township] = program
        return program


# The last few (plan, year, profile set) combinations, so repeated scalar calls
# skip plan and year resolution: key -> (profile set, programs).
_RECENT: dict[tuple[str | int, int | None, int], tuple[ProfileSet, _Programs]] = {}


def _program(
    plan: str | Plan, year: int | None, profiles: ProfileSet | Iterable[Profile] | None, code: str
) -> _Program:
    if year is not None and (type(year) is not int):
        _year(resolve_plan(plan), year)  # raises for a float, a bool or a string
    profile_set = _profile_set(profiles)
    key = (plan if isinstance(plan, str) else id(plan), year, id(profile_set))
    recent = _RECENT.get(key)
    if (
        recent is None
        or recent[0] is not profile_set
        or (not isinstance(plan, str) and recent[1].plan is not plan)
    ):
        if len(_RECENT) >= 64:
            _RECENT.clear()
        recent = (profile_set, _Programs(plan, year, profile_set))
        _RECENT[key] = recent
    return recent[1].for_code(code)


_NO_STANDARD: Final = Text(
    "缺少计算配备标准所需的数据（如居民户数）",
    "the data the staffing standard needs (such as households) is not given",
)
_PENDING: Final = (Status.NO_DATA, 0.0, 0.0, None, 0.0)
_MET: Final = Status.MET
_NOT_MET: Final = Status.NOT_MET

# One raw result: (status, numerator, denominator, reason, threshold).
_Raw = tuple[Status, float, float, Text | None, float]


def _observe(program: _Program, community: Community) -> list[_Raw]:
    """The hot path: every check on one community, as plain tuples."""
    key = (
        community.kind,
        community.resettlement,
        community.old_residential_area,
        community.newly_built,
    )
    template, active = program.specialised(key)
    out = list(template)
    for index, compute, holds, scale, fixed, threshold_of in active:
        observation = compute(community)
        if observation.__class__ is not tuple:
            skip: Skip = observation  # type: ignore[assignment]
            out[index] = (skip.status, 0.0, 0.0, skip.reason, fixed)
            continue
        threshold = fixed
        if threshold_of is not None:
            required = threshold_of(community)
            if required is None:
                out[index] = (Status.NO_DATA, 0.0, 0.0, _NO_STANDARD, fixed)
                continue
            threshold = required
        numerator, denominator = observation
        # The one comparison rule: scale × numerator ⋛ threshold × denominator.
        if holds(scale * numerator, threshold * denominator):
            out[index] = (_MET, numerator, denominator, None, threshold)
        else:
            out[index] = (_NOT_MET, numerator, denominator, None, threshold)
    return out


def _community_finding(check: _Check, raw: _Raw, code: str, year: int) -> Finding:
    status, numerator, denominator, reason, threshold = raw
    observed = None
    if status is _MET or status is _NOT_MET:
        observed = check.scale * numerator / denominator
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
    )


def _assessment(program: _Program, community: Community) -> tuple[Assessment, list[_Raw]]:
    raws = _observe(program, community)
    findings = tuple(
        _community_finding(check, raw, community.code, program.year)
        for check, raw in zip(program.checks, raws, strict=True)
        if check.community
    )
    return Assessment(community, program.plan, program.year, findings), raws


_Profiles = ProfileSet | Iterable[Profile] | None


def effective_targets(
    plan: str | Plan = "fyp14", code: str = "", *, profiles: _Profiles = None
) -> EffectiveTargets:
    """The targets in force for a community or region, each with its provenance.

    >>> t = effective_targets("fyp14", "440106001001", profiles=())
    >>> [step.change.value for step in t.targets[3].provenance]
    ['set']

    :param plan: a plan id or plan.
    :param code: a division code of any length; ``""`` for the nation.
    :param profiles: as for :func:`evaluate`.
    :return: the chain of profiles applied and the targets it produces.
    """
    return _profile_set(profiles).effective(plan, code)


def evaluate(
    community: Community,
    plan: str | Plan = "fyp14",
    year: int | None = None,
    *,
    profiles: _Profiles = None,
) -> Assessment:
    """Evaluate one community against every community-level target in force for it.

    :param community: the community.
    :param plan: a plan id (``"fyp14"``, ``"fyp13"``) or a :class:`~cssp.model.plan.Plan`.
    :param year: the year to evaluate for; defaults to the plan's target year.
        Before it, targets with a baseline are replaced by the milestone on the
        straight line from the baseline to the target.
    :param profiles: the province profiles to apply: ``None`` (the default) for
        those of the installed plugins (see :func:`cssp.default_profiles`), a
        :class:`~cssp.rules.resolve.ProfileSet` or a list of profiles, or
        ``()`` for the national plan alone.
    :return: an :class:`~cssp.engine.results.Assessment` with one finding per target.
    """
    if not isinstance(community, Community):
        raise InputError(f"{type(community).__name__} is not a Community", "community")
    return _assessment(_program(plan, year, profiles, community.code), community)[0]


def statuses(
    community: Community,
    plan: str | Plan = "fyp14",
    year: int | None = None,
    *,
    profiles: _Profiles = None,
) -> tuple[Status, ...]:
    """The statuses alone, in target order: the fastest evaluation.

    For dashboards that need only verdicts, and for the benchmarks.
    """
    program = _program(plan, year, profiles, community.code)
    return tuple([raw[0] for raw in _observe(program, community)])


def evaluate_region(
    communities: Iterable[Community],
    plan: str | Plan = "fyp14",
    by: str = "county",
    year: int | None = None,
    *,
    profiles: _Profiles = None,
) -> RegionReport:
    """Evaluate communities and the regions they form.

    A region's value is a ratio of sums over its communities (for example
    Σ facility area ÷ Σ households × 100), a coverage rate is the share of its
    communities that have the thing, and a per-community requirement becomes
    the share of communities that reach it. Communities whose finding is not
    applicable or has no data are left out of the sums and counted in
    :attr:`~cssp.engine.results.Finding.counts`. Each community is judged by
    the targets in force for its code; each region by those in force for the
    region's code (a province's profile applies to the province and below).

    :param communities: the communities; their codes must be unique.
    :param plan: a plan id or a plan.
    :param by: ``"nation"``, ``"province"``, ``"prefecture"``, ``"county"`` or ``"township"``.
    :param year: the year to evaluate for; defaults to the plan's target year.
    :param profiles: as for :func:`evaluate`.
    """
    if by not in REGION_LEVELS:
        choices = ", ".join(REGION_LEVELS)
        raise InputError(f"{by!r} is not a region level; expected one of {choices}", "by")
    programs = _Programs(plan, year, _profile_set(profiles))
    prefix = REGION_LEVELS[by]
    assessments: list[Assessment] = []
    members: dict[str, list[tuple[str, dict[str, _Raw]]]] = {}
    distinct = Distinct()
    for index, community in enumerate(communities):
        distinct.check(index, community)
        program = programs.for_code(community.code)
        assessment, raws = _assessment(program, community)
        assessments.append(assessment)
        by_target = {check.target.id: raw for check, raw in zip(program.checks, raws, strict=True)}
        members.setdefault(community.code[:prefix], []).append((community.code, by_target))
    # Members sorted by code: a region's lists do not depend on the input order.
    regions = tuple(
        _region(programs.for_code(code), code, by, sorted(members[code], key=lambda m: m[0]))
        for code in sorted(members)
    )
    return RegionReport(programs.plan, programs.year, by, regions, tuple(assessments))


class Distinct:
    """Checks a list of communities item by item: each a Community, no code twice."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def check(self, index: int, community: object) -> Community:
        """Return ``community``, the item at ``index``, or raise a located InputError."""
        if not isinstance(community, Community):
            raise InputError(
                f"{type(community).__name__} is not a Community", f"communities[{index}]"
            )
        first = self.seen.setdefault(community.code, index)
        if first != index:
            raise InputError(
                f"community {community.code} appears twice (also at communities[{first}]); "
                "it would be counted twice",
                f"communities[{index}].code",
            )
        return community


def _region(
    program: _Program, code: str, level: str, members: list[tuple[str, dict[str, _Raw]]]
) -> RegionAssessment:
    from cssp.model.divisions import division_name  # noqa: PLC0415 - loads data lazily

    findings = []
    for check in program.checks:
        if not check.region:
            continue
        target_id = check.target.id
        tally = {Status.MET: 0, Status.NOT_MET: 0, Status.NOT_APPLICABLE: 0, Status.NO_DATA: 0}
        numerators: list[float] = []
        denominators: list[float] = []
        failing = []
        for member, raws in members:
            status, numerator, denominator, _, _ = raws[target_id]
            tally[status] += 1
            if status is _NOT_MET:
                failing.append(member)
            if status is _MET or status is _NOT_MET:
                numerators.append(numerator)
                denominators.append(denominator)
        counts = Counts(
            tally[Status.MET],
            tally[Status.NOT_MET],
            tally[Status.NOT_APPLICABLE],
            tally[Status.NO_DATA],
        )
        findings.append(
            _region_finding(
                check, code, program.year, counts, numerators, denominators, tuple(failing)
            )
        )
    return RegionAssessment(
        code=code,
        name=division_name(code),
        level=level,
        communities=tuple(member for member, _ in members),
        findings=tuple(findings),
    )


def _region_finding(
    check: _Check,
    code: str,
    year: int,
    counts: Counts,
    numerators: list[float],
    denominators: list[float],
    failing: tuple[str, ...],
) -> Finding:
    if check.kind is IndicatorKind.PER_COMMUNITY:
        # A region's figure is the share (%) of its communities that reach the value.
        numerator, denominator = float(counts.met), float(counts.evaluated)
        scale, threshold = 100.0, check.target.region_share
    else:
        # math.fsum: exactly rounded, so the sum does not depend on input order.
        numerator, denominator = math.fsum(numerators), math.fsum(denominators)
        scale, threshold = check.scale, check.threshold
    if denominator == 0:
        no_data = counts.no_data > 0
        reason = (
            Text(
                f"{counts.no_data}个社区无数据",
                f"none of its communities has the data ({counts.no_data} without)",
            )
            if no_data
            else Text("区域内没有适用的社区", "the region has no community the target applies to")
        )
        return Finding(
            target=check.target,
            status=Status.NO_DATA if no_data else Status.NOT_APPLICABLE,
            subject=code,
            level=Level.REGION,
            year=year,
            observed=None,
            required=threshold,
            unit_label=check.unit_label
            if check.kind is not IndicatorKind.PER_COMMUNITY
            else _PERCENT,
            kind=check.kind,
            reason=reason,
            counts=counts,
            failing=failing,
        )
    ok = check.holds(scale * numerator, threshold * denominator)
    return Finding(
        target=check.target,
        status=Status.MET if ok else Status.NOT_MET,
        subject=code,
        level=Level.REGION,
        year=year,
        observed=scale * numerator / denominator,
        required=threshold,
        unit_label=check.unit_label if check.kind is not IndicatorKind.PER_COMMUNITY else _PERCENT,
        kind=check.kind,
        numerator=numerator,
        denominator=denominator,
        counts=counts,
        failing=failing,
    )


_PERCENT: Final = Text("%", "%")


def evaluate_figures(
    figures: Mapping[str, object],
    plan: str | Plan = "fyp14",
    year: int | None = None,
    subject: str = "",
    *,
    profiles: _Profiles = None,
) -> RegionAssessment:
    """Evaluate reported region figures (already aggregated) against a plan's targets.

    For statistics published as rates — for example the 2020 national actuals
    that fyp14 reports as its baselines — rather than community records.

    >>> r = evaluate_figures({"rural_facility_coverage": "65.7%"}, plan="fyp13")
    >>> r.finding("rural_facility_coverage").status
    <Status.MET: 'met'>

    :param figures: values by target id (or indicator id, for its every target),
        in any notation :func:`cssp.units.to_canonical` reads; a bare number is
        in the indicator's unit. For a per-community target, the figure is the
        share (%) of communities that reach it.
    :param plan: a plan id or a plan.
    :param year: the year to evaluate for; defaults to the plan's target year.
    :param subject: the region's code, ``""`` for the nation; the targets in
        force for it (with the profiles covering it) are used.
    :param profiles: as for :func:`evaluate`.
    """
    program = _program(plan, year, profiles, subject)
    resolved = program.plan
    findings = []
    used: set[str] = set()
    for check in program.checks:
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
                year=program.year,
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
    from cssp.model.divisions import division_name  # noqa: PLC0415

    level = next(
        (name for name, length in REGION_LEVELS.items() if length == len(subject)), "region"
    )
    return RegionAssessment(subject, division_name(subject), level, (), tuple(findings))
