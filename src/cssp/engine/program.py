"""The compiled program: a plan's targets for one year and one chain of profiles.

Both engines evaluate through it. A :class:`Program` holds one :class:`Check`
per target in force — the measure's declaration, the scale from the measure's
units to the indicator's unit, the year's threshold, the scope — as plain
values, so evaluating touches no pint object.

For the scalar engine a program generates, per combination of the flags that
scopes test, one Python function evaluating every check on a community, from
the measures' declarations (:mod:`cssp.model.measures`) and the comparators'
source (:meth:`Comparator.source <cssp.model.plan.Comparator.source>`) — as
attrs generates ``__init__`` from a class's fields. The batch engine applies
the same declarations to columns (``cssp.batch.columnar``). The region
verdict is one function over floats or arrays (:func:`region_status`).

The interface both engines use: :class:`Check`, :class:`Program`,
:class:`Programs`, :func:`compile_program`, :func:`profile_set`,
:func:`region_terms`, :func:`region_status`, :func:`region_finding` and
:data:`REGION_LEVELS`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable
from typing import Any, Final

from attrs import define, field

from cssp.catalogue import resolve_plan
from cssp.engine.codegen import facility_summariser, generate
from cssp.engine.results import STATUS_CODES, Counts, Finding
from cssp.errors import CatalogueError, InputError, UnitError
from cssp.model.community import Community, CommunityKind
from cssp.model.measures import (
    FLAG_NAMES,
    MEASURES,
    ONE,
    Measure,
    Skip,
    Status,
    out_of_scope,
)
from cssp.model.plan import Comparator, IndicatorKind, Level, Plan, Scope, Target, Text
from cssp.rules.contained import Contained, check_measured, check_required
from cssp.rules.profile import Profile, StaffingRule
from cssp.rules.resolve import STAFFING_TARGET, EffectiveTargets, ProfileSet
from cssp.units import ratio_scale

__all__ = [
    "REGION_LEVELS",
    "Check",
    "Program",
    "Programs",
    "Raw",
    "built_on",
    "canonical_targets",
    "compile_program",
    "contained_required",
    "contained_required_columns",
    "facility_summariser",
    "profile_set",
    "region_finding",
    "region_missing",
    "region_status",
    "region_terms",
]

#: Region levels and the length of their code prefix.
REGION_LEVELS: Final = {"nation": 0, "province": 2, "prefecture": 4, "county": 6, "township": 9}

#: One community's result for one check: (status, numerator, denominator,
#: reason, threshold).
Raw = tuple[Status, float, float, Text | None, float]


@define(frozen=True)
class Check:
    """One target, compiled for one year: everything as plain values.

    Every check gives each community in its scope a finding. ``community``
    says whether that finding is a verdict: a target judged for regions only
    (a coverage rate below 100 %) or a direction (no level) gives a community
    :attr:`~cssp.model.measures.Status.NO_VERDICT` with its observed value,
    which counts towards its region's figure.
    """

    target: Target
    kind: IndicatorKind
    unit_label: Text
    measure: Measure
    comparator: Comparator
    scale: float
    #: the year's threshold; NaN for a direction (no level: no comparison is made).
    threshold: float
    #: whether each community gets a verdict (met / not met).
    community: bool
    #: whether each region gets a finding.
    region: bool
    #: the staffing rule giving a per-community threshold, instead of ``threshold``.
    staffing: StaffingRule | None = None
    #: how a unit that has the thing and one that lacks it are described (coverage).
    presence: tuple[Text, Text] | None = None
    #: measured on township records (:class:`~cssp.model.township.Township`), not
    #: on communities: ``community`` then says whether each township gets a verdict.
    township: bool = False

    @property
    def direction(self) -> bool:
        """Whether the target sets no level: no verdict anywhere, community or region."""
        return self.target.value is None

    @property
    def lacking(self) -> bool:
        """Whether a region lists the communities that lack the thing, rather than failures.

        A coverage target whose communities get no verdict: the region's list
        is of the communities without it (numerator 0), not of failures.
        """
        return self.kind is IndicatorKind.COVERAGE and not self.community

    #: the rule's ``required``, contained when a plugin's code provides it
    #: (:class:`~cssp.rules.contained.Contained`).
    required: Callable[[Community], float | None] | None = None

    @property
    def holds(self) -> Callable[[Any, Any], Any]:
        """The comparison, over floats or arrays (:attr:`Comparator.holds
        <cssp.model.plan.Comparator.holds>`)."""
        return self.comparator.holds

    @property
    def out_of_scope(self) -> Skip:
        """The answer for a community outside the target's scope."""
        return out_of_scope(self.target.scope)


# rural, resettlement, old residential area, newly built (FLAG_NAMES): booleans,
# whose hash is cheap (an enum's is computed in Python)
_FlagKey = tuple[bool, bool, bool, bool]
_RURAL: Final = CommunityKind.RURAL
_Observe = Callable[[Community], list[Raw]]
_Statuses = Callable[[Community], tuple[Status, ...]]


@define(frozen=True)
class Program:
    """The checks of a plan, for one year and one chain of profiles.

    ``checks`` are measured on communities; ``township_checks`` on township
    records. :attr:`region_checks` gives both, in the plan's order, for the
    regions.
    """

    plan: Plan
    year: int
    checks: tuple[Check, ...]
    effective: EffectiveTargets
    _by_flags: dict[_FlagKey, tuple[_Observe, _Statuses, str]] = field(
        factory=dict, eq=False, repr=False
    )
    township_checks: tuple[Check, ...] = field(default=(), kw_only=True)

    @property
    def region_checks(self) -> tuple[Check, ...]:
        """Every check that gives regions a finding, in the order of the targets."""
        if not self.township_checks:
            return tuple(c for c in self.checks if c.region)
        order = {target.id: i for i, target in enumerate(self.effective.targets)}
        both = (*self.checks, *self.township_checks)
        return tuple(sorted((c for c in both if c.region), key=lambda c: order[c.target.id]))

    def observe(self, community: Community) -> list[Raw]:
        """Every check on one community, in the order of ``checks``."""
        key = (
            community.kind is _RURAL,
            community.resettlement,
            community.old_residential_area,
            community.newly_built,
        )
        found = self._by_flags.get(key)
        if found is None:
            found = self._specialise(key)
        return found[0](community)

    def statuses(self, community: Community) -> tuple[Status, ...]:
        """The statuses alone, in the order of ``checks``: the fastest evaluation."""
        key = (
            community.kind is _RURAL,
            community.resettlement,
            community.old_residential_area,
            community.newly_built,
        )
        found = self._by_flags.get(key)
        if found is None:
            found = self._specialise(key)
        return found[1](community)

    def source(self, community: Community) -> str:
        """The Python source generated for communities with the flags of ``community``."""
        self.observe(community)
        key = (
            community.kind is _RURAL,
            community.resettlement,
            community.old_residential_area,
            community.newly_built,
        )
        return self._by_flags[key][2]

    def _specialise(self, key: _FlagKey) -> tuple[_Observe, _Statuses, str]:
        flags = dict(zip(FLAG_NAMES, key, strict=True))
        found = self._by_flags[key] = generate(self.checks, flags)
        return found


@functools.lru_cache(maxsize=256)
def compile_program(effective: EffectiveTargets, year: int) -> Program:
    """The program of ``effective`` targets for ``year`` (cached).

    :raises InputError: for a year outside the plan's period.
    :raises CatalogueError: for an indicator whose measure is unknown or whose
        units do not fit.
    """
    plan = effective.plan
    check_year(plan, year)
    checks: list[Check] = []
    township_checks: list[Check] = []
    scales: dict[str, float] = {}
    required = contained_required(effective)
    for indicator, target in effective.pairs:
        if indicator.measure is None:
            continue  # catalogued only: cssp has no data to compute it from
        measure = _measure(indicator.measure, effective)
        if measure is None:
            raise CatalogueError(
                f"indicator {indicator.id!r}: unknown measure {indicator.measure!r}"
            )
        township = measure.township
        if township and target.scope is not Scope.ALL:
            raise CatalogueError(
                f"target {target.id!r}: measured on township records, it applies to all "
                f"of them (scope 'all', not {target.scope.value!r})"
            )
        unit = Level.TOWNSHIP if township else Level.COMMUNITY
        community = target.judged_at(unit)
        region = Level.REGION in target.levels
        if not (unit in target.levels or region):
            continue
        scale = scales.get(indicator.id)
        if scale is None:
            scale = scales[indicator.id] = _scale(measure, indicator.unit, indicator.id)
        (township_checks if township else checks).append(
            Check(
                target=target,
                kind=indicator.kind,
                unit_label=indicator.unit_label,
                measure=measure,
                comparator=target.comparator,
                scale=scale,
                threshold=_threshold(target, year),
                community=community,
                region=region,
                staffing=effective.staffing if target.id == STAFFING_TARGET else None,
                presence=indicator.presence,
                township=township,
                required=required if target.id == STAFFING_TARGET else None,
            )
        )
    return Program(plan, year, tuple(checks), effective, township_checks=tuple(township_checks))


def _threshold(target: Target, year: int) -> float:
    value = target.milestone(year)
    return math.nan if value is None else value


def check_year(plan: Plan, year: int) -> None:
    """Raise unless ``year`` is within the plan's period (2021–2025 for fyp14).

    :raises InputError: naming the period, at ``year``.
    """
    first, last = plan.period
    if not first <= year <= last:
        raise InputError(
            f"{year} is outside the period of {plan.id} ({first}–{last}); "
            f"evaluate a year from {first} to {last}",
            "year",
        )


def _provider(effective: EffectiveTargets, owns: Callable[[Profile], bool]) -> Profile:
    """The most specific profile of the chain for which ``owns`` holds."""
    return next(p for p in reversed(effective.chain) if owns(p))


def _trusted(function: object) -> bool:
    """Whether ``function`` is cssp's own code (a rule or measure cssp ships)."""
    module = getattr(function, "__module__", "") or ""
    return module == "cssp" or module.startswith("cssp.")


def contained_required(effective: EffectiveTargets) -> Callable[[Community], float | None] | None:
    """The staffing rule's ``required`` in force, contained if a plugin's code provides it."""
    rule = effective.staffing
    if rule is None:
        return None
    if _trusted(type(rule)):
        return rule.required
    profile = _provider(effective, lambda p: p.staffing is rule)
    what = f"profile {profile.id!r}: the staffing rule's required()"
    return Contained(rule.required, profile.source or profile.id, what, check_required)


def contained_required_columns(effective: EffectiveTargets) -> Callable[[Any], Any] | None:
    """The staffing rule's ``required_columns`` in force, contained if a plugin's code provides it.

    What it returns is checked by the batch engine (an array of one number a row).
    """
    rule = effective.staffing
    if rule is None:
        return None
    if _trusted(type(rule)):
        return rule.required_columns
    profile = _provider(effective, lambda p: p.staffing is rule)
    what = f"profile {profile.id!r}: the staffing rule's required_columns()"
    return Contained(rule.required_columns, profile.source or profile.id, what, lambda v: None)


def _scale(measure: Measure, unit: str, indicator: str) -> float:
    try:
        return ratio_scale(measure.numerator_unit, measure.denominator_unit, unit)
    except UnitError as error:
        raise CatalogueError(
            f"indicator {indicator!r}: the measure's unit does not fit: {error}"
        ) from None


def _measure(key: str, effective: EffectiveTargets) -> Measure | None:
    measure = MEASURES.get(key)
    if measure is not None:
        return measure
    for profile in reversed(effective.chain):
        found = profile.measures.get(key)
        if found is not None:
            return _contained_measure(found, profile, key)
    return None


def _contained_measure(measure: Measure, profile: Profile, key: str) -> Measure:
    """A profile's measure computed by its own code, contained (the same object every time)."""
    if measure.compute is None or _trusted(measure.compute):
        return measure
    cached = _CONTAINED.get((id(measure), id(profile), key))
    if cached is not None:
        return cached[2]
    what = f"profile {profile.id!r}: measure {key!r}"
    compute = Contained(measure.compute, profile.source or profile.id, what, check_measured)
    contained = Measure(measure.numerator_unit, measure.denominator_unit, compute)
    _CONTAINED[(id(measure), id(profile), key)] = (measure, profile, contained)
    return contained


# A profile's measure and its contained form, by the ids of the measure and the
# profile (kept, so that the ids stay theirs).
_CONTAINED: dict[tuple[int, int, str], tuple[Measure, Profile, Measure]] = {}


_NATIONAL: Final = ProfileSet()


def profile_set(profiles: ProfileSet | Iterable[Profile]) -> ProfileSet:
    """``profiles`` as a :class:`~cssp.rules.resolve.ProfileSet` (the national plan
    alone when empty)."""
    if isinstance(profiles, ProfileSet):
        return profiles
    items = tuple(profiles)
    return ProfileSet(items) if items else _NATIONAL


def plan_year(plan: Plan, year: int | None) -> int:
    """``year``, checked against the plan's period; the plan's target year when ``None``.

    :raises InputError: for a value that is not a year, or a year outside the
        plan's period (:func:`check_year`).
    """
    if year is None:
        return plan.target_year
    if isinstance(year, bool) or not isinstance(year, int):
        raise InputError(f"{year!r} is not a year", "year")
    check_year(plan, year)
    return year


class Programs:
    """Programs per chain of profiles, for one plan, year and profile set."""

    def __init__(self, plan: str | Plan, year: int | None, profiles: ProfileSet) -> None:
        self.plan = resolve_plan(plan)
        self.year = plan_year(self.plan, year)
        self.profiles = profiles
        self._by_key: dict[tuple[str, ...], Program] = {}
        # Scopes are at most 9 digits, so a code's chain is that of its
        # township prefix: one dict lookup per community.
        self._by_township: dict[str, Program] = {}

    @property
    def townships(self) -> dict[str, Program]:
        """The programs found so far, by 9-digit township code (a live view, for fast paths)."""
        return self._by_township

    def for_code(self, code: str) -> Program:
        """The program in force for a community or region code."""
        township = code[:9]
        program = self._by_township.get(township)
        if program is None:
            key = self.profiles.scopes_key(self.plan.id, code)
            program = self._by_key.get(key)
            if program is None:
                program = compile_program(self.profiles.effective(self.plan, code), self.year)
                self._by_key[key] = program
            if len(self._by_township) < 65536:
                self._by_township[township] = program
        return program


def canonical_targets(plan: Plan, ids: Iterable[str]) -> tuple[str, ...]:
    """``ids`` once each: the plan's targets in the plan's order, then the others by id.

    The column order of every many-community result (:func:`cssp.evaluate_many`,
    :mod:`cssp.batch`).
    """
    seen = set(ids)
    national = [t for t in plan.targets if t in seen]
    return (*national, *sorted(seen - set(national)))


# --- the region verdict: one rule, over floats or arrays -------------------------------


def region_terms(check: Check, met: Any, evaluated: Any, numerator: Any, denominator: Any) -> Any:
    """A region's (numerator, denominator, scale, threshold) for ``check``.

    For a per-community requirement, the region's figure is the share (%) of
    its communities that reach it (``met`` of ``evaluated``), held against the
    target's region share; otherwise it is the ratio of the sums ``numerator``
    and ``denominator``. Floats or arrays alike.
    """
    if check.kind is IndicatorKind.PER_COMMUNITY:
        return met, evaluated, 100.0, check.target.region_share
    return numerator, denominator, check.scale, check.threshold


def region_missing(check: Check, no_data: Any, total: Any) -> Any:
    """The "without data" count a region's verdict uses: floats or arrays alike.

    For a township-level target, a region without a single township record
    has no data (the records were not given), rather than nothing to apply to.
    """
    return no_data + (total == 0) * check.township


def region_status(holds: Any, denominator: Any, no_data: Any, judged: bool = True) -> Any:
    """A region's status code (0 met, 1 not met, 2 n/a, 3 no data, 4 no verdict).

    Floats or arrays alike. A region with nothing summed (``denominator`` 0)
    has no data when some of its communities lack it, and is not applicable
    otherwise; else the comparison ``holds`` decides — unless the target is a
    direction (``judged`` false), which gives no verdict.

    >>> region_status(True, 12.0, 0), region_status(False, 12.0, 0)
    (0, 1)
    >>> region_status(False, 0.0, 3), region_status(False, 0.0, 0)
    (3, 2)
    >>> region_status(False, 12.0, 0, judged=False)
    4
    """
    empty = denominator == 0
    decided = (1 - holds) if judged else 4
    return empty * (2 + (no_data > 0)) + (1 - empty) * decided


_PERCENT: Final = Text("%", "%")


def sum_overflow(check: Check, region: str, term: str = "numerator") -> InputError:
    """The error of a region whose sum for ``check`` is beyond the largest number.

    Each value is finite, but their sum (or the sum scaled, per 100 households
    say) is more than a float holds (about 1.8e308): no real count or area is
    near it. Both engines raise this one error when they judge the region,
    naming the field summed, the target and the region.

    :param term: ``"numerator"`` or ``"denominator"``, the sum that is too large.
    """
    measure = check.measure
    field = measure.numerator if term == "numerator" else measure.denominator
    name = field if field and field != ONE else check.target.indicator
    return InputError(
        f"the communities' values of {name} add up to more than the largest number cssp "
        f"can hold (about 1.8e308), for target {check.target.id}: a value is far beyond "
        "any real one",
        f"region {region}",
    )


def region_finding(
    check: Check,
    code: str,
    year: int,
    counts: Counts,
    numerator: float,
    denominator: float,
    failing: tuple[str, ...],
    approximate: bool = False,
) -> Finding:
    """The finding of a region for ``check``, from its counts and its exact sums.

    ``approximate``: one of the communities counted has an approximate value for it.
    """
    numerator, denominator, scale, threshold = region_terms(
        check, float(counts.met), float(counts.evaluated), numerator, denominator
    )
    if math.isinf(scale * numerator) or math.isinf(threshold * denominator):
        raise sum_overflow(check, code, "numerator" if math.isinf(scale * numerator) else "")
    holds = check.holds(scale * numerator, threshold * denominator)
    missing = region_missing(check, counts.no_data, counts.total)
    status = STATUS_CODES[region_status(holds, denominator, missing, not check.direction)]
    required = None if check.direction else threshold
    per_community = check.kind is IndicatorKind.PER_COMMUNITY
    unit_label = _PERCENT if per_community else check.unit_label
    if denominator == 0:
        units = Text("乡镇（街道）", "townships") if check.township else Text("社区", "communities")
        reason = (
            Text(
                f"{counts.no_data}个{units.zh}无数据",
                f"none of its {units.en} has the data ({counts.no_data} without)",
            )
            if status is Status.NO_DATA and counts.no_data
            else Text(
                "未提供该区域的乡镇（街道）记录",
                "no township record of the region is given",
            )
            if status is Status.NO_DATA
            else Text(
                f"区域内没有适用的{units.zh}",
                f"the region has no {units.en.removesuffix('s')} the target applies to",
            )
        )
        return Finding(
            target=check.target,
            status=status,
            subject=code,
            level=Level.REGION,
            year=year,
            observed=None,
            required=required,
            unit_label=unit_label,
            kind=check.kind,
            reason=reason,
            counts=counts,
            failing=failing,
            presence=check.presence,
            unit=Level.TOWNSHIP if check.township else Level.COMMUNITY,
        )
    return Finding(
        target=check.target,
        status=status,
        subject=code,
        level=Level.REGION,
        year=year,
        observed=scale * numerator / denominator,
        required=required,
        unit_label=unit_label,
        kind=check.kind,
        numerator=numerator,
        denominator=denominator,
        counts=counts,
        failing=failing,
        presence=check.presence,
        unit=Level.TOWNSHIP if check.township else Level.COMMUNITY,
        approximate=approximate,
    )


def built_on(check: Check, fields: frozenset[str]) -> bool:
    """Whether ``check``'s measure reads one of the approximate ``fields`` (a measure
    computed by a function may read any: it is taken to)."""
    if not fields:
        return False
    measure = check.measure
    return measure.compute is not None or not fields.isdisjoint(measure.fields())
