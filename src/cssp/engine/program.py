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
import linecache
import math
from collections.abc import Callable, Iterable
from typing import Any, Final

import attrs
from attrs import define, field

from cssp.catalogue import resolve_plan
from cssp.engine.results import STATUS_CODES, Counts, Finding
from cssp.errors import CatalogueError, InputError, UnitError
from cssp.model.community import Community, CommunityKind, Facility, FacilityKind, Service
from cssp.model.measures import (
    FACILITY_FIELDS,
    FIELDS,
    FLAG_NAMES,
    MEASURES,
    ONE,
    Measure,
    Skip,
    Status,
    in_scope,
    out_of_scope,
)
from cssp.model.plan import REL_TOL, Comparator, IndicatorKind, Level, Plan, Scope, Target, Text
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
        found = self._by_flags[key] = _generate(self.checks, flags)
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


# --- code generation: the scalar form of the declarations --------------------------------

_NO_STANDARD: Final = Text(
    "缺少计算配备标准所需的数据（如居民户数）",
    "the data the staffing standard needs (such as households) is not given",
)


class _Source:
    """The text of a generated function and the constants it names."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, object] = {
            "MET": Status.MET,
            "NOT_MET": Status.NOT_MET,
            "NOT_APPLICABLE": Status.NOT_APPLICABLE,
            "NO_DATA": Status.NO_DATA,
            "NO_VERDICT": Status.NO_VERDICT,
            "REL_TOL": REL_TOL,
        }
        self._ids: dict[int, str] = {}

    def constant(self, value: object, stem: str = "K") -> str:
        """A name for ``value`` in the generated code; a finite float is written as a literal."""
        if type(value) is float and math.isfinite(value):
            return repr(value)
        found = self._ids.get(id(value))
        if found is None:
            found = f"{stem}{len(self._ids)}"
            self._ids[id(value)] = found
            self.names[found] = value
        return found

    def add(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)


def _variable(name: str) -> str:
    return "v_" + name.replace(".", "_")


@define(frozen=True)
class _Access:
    """How the generated code reads one field."""

    #: an expression true when the field is missing.
    missing: str
    #: its value (an int for a count of a Community, else a float).
    value: str
    #: for a field that is 1 or 0 (has / has not): an expression true when it is 1.
    truth: str | None = None
    #: whether the value is a count held as an int (``float()`` makes it the engine's float).
    whole: bool = False
    #: whether every value is ≥ 0 (the row rules of :mod:`cssp.model.schema` see to it).
    nonnegative: bool = True


def _prologue(src: _Source, fields: list[str]) -> dict[str, _Access]:
    """Read each field the checks need; return how each is read."""
    staff = facilities = services = extra = False
    wanted_facility = [f for f in FACILITY_FIELDS if f in fields]
    access: dict[str, _Access] = {ONE: _Access("False", "1.0")}
    for name in fields:
        info = FIELDS.get(name)
        var = _variable(name)
        if name == "communities":
            access[name] = _Access("False", "1.0")
        elif name.startswith("extra."):
            if not extra:
                src.add(1, "extra = c.extra")
                extra = True
            src.add(1, f"{var} = extra.get({src.constant(name[len('extra.') :], 'X')})")
            access[name] = _Access(f"{var} is None", var, nonnegative=False)
        elif name.startswith("services."):
            if not services:
                src.add(1, "services = c.services")
                services = True
            service = src.constant(Service(name[len("services.") :]), "SVC")
            truth = f"{service} in services"
            access[name] = _Access("services is None", f"(1.0 if {truth} else 0.0)", truth)
        elif name in FACILITY_FIELDS:
            if not facilities:
                _facility_sums(src, wanted_facility)
                facilities = True
            flag = var if FACILITY_FIELDS[name].op == "any" else None
            access[name] = _Access(f"{var} is None", var, flag)
        else:
            assert info is not None, name
            if info.path[0] == "staff":
                if not staff:
                    src.add(1, "staff = c.staff")
                    staff = True
                src.add(1, f"{var} = staff.{info.path[1]}")
            else:
                src.add(1, f"{var} = c.{'.'.join(info.path)}")
            access[name] = _Access(f"{var} is None", var, whole=info.whole)
    return access


def _facility_sums(src: _Source, names: list[str]) -> None:
    """Read ``c.facilities`` and compute the facility sums ``names`` (``None`` when unknown)."""
    src.add(1, "facilities = c.facilities")
    src.add(1, "if facilities is None:")
    src.add(2, " = ".join(_variable(n) for n in names) + " = None")
    src.add(1, "else:")
    _facility_loop(src, names, 2)


def _facility_loop(src: _Source, names: list[str], depth: int) -> None:
    """The facility sums of :data:`FACILITY_FIELDS` over ``facilities``, in one loop.

    One chain of tests of the facility's kind (``if k is COMPREHENSIVE: … elif
    k is COMMERCIAL: …``), each branch updating the sums that cover that kind;
    the sums over every kind follow the chain. Each sum still adds its
    facilities in their order, so the sums are those of the declarations.
    """
    every: list[str] = []
    by_kind: dict[FacilityKind, list[str]] = {kind: [] for kind in FacilityKind}
    after: list[str] = []
    for name in names:
        var = _variable(name)
        spec = FACILITY_FIELDS[name]
        if spec.op == "count" and spec.kinds == frozenset(FacilityKind):
            src.add(depth, f"{var} = float(len(facilities))")
            continue
        src.add(depth, f"{var} = {repr(spec.start) if spec.op == 'min' else '0.0'}")
        if spec.op == "count":
            body = [f"{var} += 1.0"]
        elif spec.op == "any":
            body = [f"{var} = 1.0"]
        elif not _optional(spec.attribute):  # every facility has it: a plain sum or minimum
            value = f"f.{spec.attribute}"
            body = [f"{var} += {value}" if spec.op == "sum" else f"{var} = min({var}, {value})"]
        else:
            missing, value = f"m_{var}", f"a_{var}"
            src.add(depth, f"{missing} = False")
            update = (
                f"else: {var} += {value}"
                if spec.op == "sum"
                else (f"elif {value} < {var}: {var} = {value}")
            )
            body = [
                f"{value} = f.{spec.attribute}",
                f"if {value} is None: {missing} = True",
                update,
            ]
            after.append(f"if {missing}: {var} = None")
        if spec.kinds == frozenset(FacilityKind):
            every.extend(body)
        else:
            for kind in spec.kinds:
                by_kind[kind].extend(body)
    branches = [(kind, body) for kind, body in by_kind.items() if body]
    if branches or every:
        src.add(depth, "for f in facilities:")
        if branches:
            src.add(depth + 1, "k = f.kind")
        for index, (kind, body) in enumerate(branches):
            keyword = "if" if index == 0 else "elif"
            src.add(depth + 1, f"{keyword} k is {src.constant(kind, 'KIND')}:")
            for line in body:
                src.add(depth + 2, line)
        for line in every:
            src.add(depth + 1, line)
    for line in after:
        src.add(depth, line)


def _optional(attribute: str) -> bool:
    """Whether a :class:`~cssp.model.community.Facility` may lack ``attribute`` (``None``)."""
    found = attrs.fields_dict(Facility)[attribute]
    return found.default is None


@functools.cache
def facility_summariser() -> Callable[[Iterable[Any]], tuple[float | None, ...]]:
    """A function computing every facility sum of
    :data:`~cssp.model.measures.FACILITY_FIELDS`, in its order,
    from a community's facilities: generated from their declarations, as the
    scalar engine's code is."""
    src = _Source()
    src.lines = ["def summarise(facilities):"]
    names = list(FACILITY_FIELDS)
    _facility_loop(src, names, 1)
    src.add(1, f"return ({', '.join(_variable(n) for n in names)},)")
    text = "\n".join(src.lines) + "\n"
    namespace = dict(src.names)
    exec(compile(text, "<cssp facility sums>", "exec"), namespace)
    linecache.cache["<cssp facility sums>"] = (len(text), None, text.splitlines(True), "")
    summarise: Callable[[Iterable[Any]], tuple[float | None, ...]]
    summarise = namespace["summarise"]  # type: ignore[assignment]
    return summarise


def _comparison(
    src: _Source,
    check: Check,
    depth: int,
    threshold: str,
    lhs: str,
    denominator: str | None,
    nonnegative: bool,
) -> str:
    """Emit the computation of ``rhs`` as needed; return the test's source.

    :param lhs: the numerator's expression; it is multiplied by the scale.
    :param denominator: the denominator's expression, ``None`` when it is 1 and
        the threshold a constant: the bound is then computed here, once.
    :param nonnegative: the right-hand side is known to be ≥ 0 (a threshold ≥ 0
        times a field the row rules keep ≥ 0), so ``|rhs|`` is ``rhs``.
    """
    comparator = check.comparator
    if check.scale != 1.0:
        lhs = f"{src.constant(check.scale)} * {lhs}"
    tol = repr(REL_TOL)
    if denominator is None:  # threshold × 1.0 is the threshold
        value = check.threshold
        bound = src.constant(comparator.bound(value))
        return comparator.source(lhs, src.constant(value), bound, tol)
    src.add(depth, f"rhs = {threshold} * {denominator}")
    return comparator.source(lhs, "rhs", tol=tol, nonnegative=nonnegative)


def _generate(checks: tuple[Check, ...], flags: dict[str, bool]) -> tuple[_Observe, _Statuses, str]:
    """The scalar engine's two functions for communities with these ``flags``.

    ``observe`` returns each check's :data:`Raw` result, ``statuses`` only its
    status; both are generated from the same declarations.
    """
    active = [in_scope(c.target.scope, flags) is True for c in checks]
    needed: list[str] = []
    for check, on in zip(checks, active, strict=True):
        if on and check.measure.declared:
            needed.extend(f for f in check.measure.fields() if f not in needed)
    src = _Source()
    texts = []
    for mode in ("observe", "statuses"):
        src.lines = [f"def {mode}(c):"]
        access = _prologue(src, needed)
        _checks_code(src, checks, [i for i, on in enumerate(active) if on], mode, access)
        results: list[str] = []
        for i, (check, on) in enumerate(zip(checks, active, strict=True)):
            if on:
                results.append(f"r{i}")
            elif mode == "observe":
                skip = check.out_of_scope
                raw = (skip.status, 0.0, 0.0, skip.reason, check.threshold)
                results.append(src.constant(raw, "R"))
            else:
                results.append("NOT_APPLICABLE")
        if mode == "observe":
            src.add(1, f"return [{', '.join(results)}]")
        else:
            src.add(1, f"return ({', '.join(results)}{',' if len(results) == 1 else ''})")
        texts.append("\n".join(src.lines) + "\n")
    full = "\n\n".join(texts)
    filename = f"<cssp program {id(checks):x} {''.join(str(int(v)) for v in flags.values())}>"
    namespace = dict(src.names)
    exec(compile(full, filename, "exec"), namespace)
    # Register the text so that tracebacks show the generated lines (as attrs does).
    linecache.cache[filename] = (len(full), None, full.splitlines(True), filename)
    observe: _Observe = namespace["observe"]  # type: ignore[assignment]
    statuses: _Statuses = namespace["statuses"]  # type: ignore[assignment]
    return observe, statuses, full


def _checks_code(
    src: _Source,
    checks: tuple[Check, ...],
    active: list[int],
    mode: str,
    access: dict[str, _Access],
) -> None:
    """The code of the active checks, those that first test the same field grouped.

    Five checks that first ask whether the facilities are given ask it once:
    ``if facilities unknown: r1 = …; r2 = … else: <the rest of each>``.
    """
    groups: dict[str | None, list[int]] = {}
    for i in active:
        measure = checks[i].measure
        first = measure.tests[0] if measure.declared and measure.tests else None
        key = access[first.field].missing if first and first.test == "given" else None
        groups.setdefault(key, []).append(i)
    for key, members in groups.items():
        if key is None or len(members) == 1:
            for i in members:
                _check_code(src, checks[i], i, mode, access)
            continue
        src.add(1, f"if {key}:")
        for i in members:
            skip = checks[i].measure.tests[0].skip
            src.add(2, f"r{i} = {_skipped(src, checks[i], skip, mode)}")
        src.add(1, "else:")
        for i in members:
            _check_code(src, checks[i], i, mode, access, depth=2, first=1)


def _skipped(src: _Source, check: Check, skip: Skip, mode: str) -> str:
    """The result of a check a guard stops: its status, or its raw result (a constant)."""
    if mode != "observe":
        return skip.status.name
    return src.constant((skip.status, 0.0, 0.0, skip.reason, check.threshold), "R")


def _check_code(
    src: _Source,
    check: Check,
    i: int,
    mode: str,
    access: dict[str, _Access],
    depth: int = 1,
    first: int = 0,
) -> None:
    """The code of one check: sets ``r{i}``, its raw result (or only its status).

    :param first: how many of the measure's tests were made already (by a group).
    """
    observe = mode == "observe"

    def result(status: str, raw: str) -> str:
        return f"r{i} = {raw if observe else status}"

    measure = check.measure
    threshold = src.constant(check.threshold)
    if not measure.declared:
        compute = src.constant(measure.compute, "COMPUTE")
        src.add(depth, f"o = {compute}(c)")
        src.add(depth, "if o.__class__ is not tuple:")
        skipped = f"(o.status, 0.0, 0.0, o.reason, {threshold})"
        src.add(depth + 1, result("o.status", skipped))
        src.add(depth, "else:")
        src.add(depth + 1, "n, d = o")
        if not check.community:  # contributes to its region, or a direction: no verdict
            src.add(depth + 1, result("NO_VERDICT", f"(NO_VERDICT, n, d, None, {threshold})"))
            return
        _compare(src, check, depth + 1, i, mode, "n", "d", nonnegative=False, constant=False)
        return
    keyword = "if"
    tests = measure.tests[first:]
    for guard in tests:
        field = access[guard.field]
        test = field.missing if guard.test == "given" else f"{field.value} == 0"
        src.add(depth, f"{keyword} {test}: r{i} = {_skipped(src, check, guard.skip, mode)}")
        keyword = "elif"
    if tests:
        src.add(depth, "else:")
        depth += 1
    assert measure.numerator is not None
    numerator, denominator = access[measure.numerator], access[measure.denominator]
    constant = measure.denominator == ONE
    if not check.community:  # contributes to its region, or a direction: no verdict
        if observe:
            src.add(depth, f"n = {_as_float(numerator)}")
            src.add(depth, f"d = {_as_float(denominator)}")
        src.add(depth, result("NO_VERDICT", f"(NO_VERDICT, n, d, None, {threshold})"))
        return
    if numerator.truth is not None and constant and check.staffing is None:
        # 1 or 0 against a fixed threshold: both outcomes are known now (the
        # comparator's own function, on the values the code would compute).
        outcomes = []
        for value in (1.0, 0.0):
            holds = check.holds(check.scale * value, check.threshold * 1.0)
            status = "MET" if holds else "NOT_MET"
            outcome: Raw = (Status[status], value, 1.0, None, check.threshold)
            outcomes.append(src.constant(outcome, "R") if observe else status)
        src.add(depth, f"r{i} = {outcomes[0]} if {numerator.truth} else {outcomes[1]}")
        return
    lhs, rhs = numerator.value, denominator.value
    if observe:  # the raw result keeps floats
        src.add(depth, f"n = {_as_float(numerator)}")
        src.add(depth, f"d = {_as_float(denominator)}")
        lhs, rhs = "n", "d"
    nonnegative = denominator.nonnegative and check.threshold >= 0
    _compare(src, check, depth, i, mode, lhs, rhs, nonnegative=nonnegative, constant=constant)


def _as_float(field: _Access) -> str:
    return f"float({field.value})" if field.whole else field.value


def _compare(
    src: _Source,
    check: Check,
    depth: int,
    i: int,
    mode: str,
    numerator: str,
    denominator: str,
    *,
    nonnegative: bool,
    constant: bool,
) -> None:
    """The comparison of one check, with its staffing rule's threshold if it has one.

    A count is compared as the int it is: ``30.0 * 1200`` is ``30.0 * 1200.0``
    to the bit for every count below 2**53, and the row rules refuse larger ones.
    """
    observe = mode == "observe"
    threshold = src.constant(check.threshold)

    def result(status: str, raw: str) -> str:
        return f"r{i} = {raw if observe else status}"

    if check.staffing is not None:
        required = src.constant(check.required, "REQUIRED")
        no_standard = (Status.NO_DATA, 0.0, 0.0, _NO_STANDARD, check.threshold)
        src.add(depth, f"t = {required}(c)")
        src.add(depth, f"if t is None: {result('NO_DATA', src.constant(no_standard, 'R'))}")
        src.add(depth, "else:")
        depth += 1
        test = _comparison(src, check, depth, "t", numerator, denominator, False)
        value = "t"
    else:
        test = _comparison(
            src, check, depth, threshold, numerator, None if constant else denominator, nonnegative
        )
        value = threshold
    src.add(depth, f"if {test}: {result('MET', f'(MET, n, d, None, {value})')}")
    src.add(depth, f"else: {result('NOT_MET', f'(NOT_MET, n, d, None, {value})')}")
