"""Resolving effective targets: the national plan, then each profile covering a code.

A :class:`ProfileSet` validates its profiles once, against their plan, and
then answers, for any division code, the chain of profiles covering it —
from the broadest scope to the most specific — and the effective targets
that chain produces, each with its provenance. Resolution is cached per
chain, so evaluating many communities does not redo it. The result never
depends on the order in which profiles were given: profiles are sorted by
scope and id, and two profiles of the same scope setting the same target is
an error rather than a matter of order.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Final

import attrs
from attrs import define

from cssp.catalogue import UNIT_LABELS, resolve_plan
from cssp.errors import InputError, ProfileConflictError, ProfileError, UnknownPlanError
from cssp.model.levels import coverage_levels, level_problem
from cssp.model.measures import MEASURES
from cssp.model.plan import (
    Attribute,
    Change,
    Citation,
    Comparator,
    Indicator,
    IndicatorKind,
    Level,
    Plan,
    Provenance,
    Strength,
    Target,
    Text,
    strictness,
)
from cssp.rules.profile import Profile, StaffingRule, check_scope
from cssp.units import ratio_scale, threshold_in

__all__ = ["STAFFING_TARGET", "EffectiveTargets", "ProfileSet"]

#: The id of the community-level staffing target a staffing rule creates.
STAFFING_TARGET: Final = "community_staffing"

_STAFFING_INDICATOR_NAME: Final = Text("社区工作者配备标准", "Community staffing standard")


def _national_source() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 - when needed

    try:
        return f"cssp {version('cssp')}"
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "cssp"


@define(frozen=True)
class _Change:
    """A validated override: its threshold as a plain float in the target's unit."""

    comparator: Comparator
    value: float
    year: int | None
    citation: Citation
    note: Text | None
    attribute: Attribute


@define(frozen=True, eq=False)
class _Layer:
    """A validated profile: overrides as plain floats in the target's unit."""

    profile: Profile
    overrides: Mapping[str, _Change]
    indicators: tuple[Indicator, ...]


@define(frozen=True, eq=False)
class EffectiveTargets:
    """The targets in force for one chain of profiles, with provenance.

    :param plan: the national plan.
    :param chain: the profiles applied, from the broadest scope to the most specific.
    :param pairs: each effective target with the indicator it constrains.
    :param staffing: the staffing rule in force, if any.
    """

    plan: Plan
    chain: tuple[Profile, ...]
    pairs: tuple[tuple[Indicator, Target], ...]
    staffing: StaffingRule | None

    @property
    def targets(self) -> tuple[Target, ...]:
        """The effective targets, in the plan's order, new ones last."""
        return tuple(target for _, target in self.pairs)

    @property
    def loosened(self) -> tuple[Target, ...]:
        """Targets the chain made easier to meet than the first step that set them.

        That step is the national plan's, or, for an indicator a profile
        added, that profile's (:attr:`Target.loosened <cssp.Target.loosened>`).
        """
        return tuple(t for t in self.targets if t.loosened)


class ProfileSet:
    """A validated, order-independent set of profiles.

    :param profiles: the profiles; their order does not matter.
    :param strict: when true, a profile that loosens a target is an error
        (:class:`~cssp.errors.ProfileError`) instead of a flag.
    :raises ProfileError: for an unknown plan or target, a wrong unit, a bad
        scope, or (strict) a loosened target — naming the plugin and entry.
    :raises ProfileConflictError: when two profiles of the same scope set the
        same target, the same new indicator or a staffing rule — naming both.
    """

    def __init__(self, profiles: Iterable[Profile] = (), *, strict: bool = False) -> None:
        self.strict = strict
        given = tuple(profiles)
        for profile in given:
            if not isinstance(profile, Profile):
                raise TypeError(f"{profile!r} is not a Profile")
        ordered = sorted(given, key=lambda p: (p.plan, len(p.scope), p.scope, p.id))
        self.profiles: tuple[Profile, ...] = tuple(ordered)
        self._check_ids()
        self._layers: dict[str, tuple[_Layer, ...]] = {}
        by_plan: dict[str, list[Profile]] = {}
        for profile in self.profiles:
            by_plan.setdefault(profile.plan, []).append(profile)
        for plan_id, group in by_plan.items():
            self._layers[plan_id] = self._validate(plan_id, group)
            if strict:
                self._refuse_loosening(resolve_plan(plan_id), self._layers[plan_id])
        self._scopes = {
            plan_id: frozenset(layer.profile.scope for layer in layers)
            for plan_id, layers in self._layers.items()
        }
        self._cache: dict[tuple[str, tuple[str, ...]], EffectiveTargets] = {}

    def __repr__(self) -> str:
        scopes = ", ".join(f"{p.id}@{p.scope}" for p in self.profiles)
        return f"<ProfileSet [{scopes}]{' strict' if self.strict else ''}>"

    def __len__(self) -> int:
        return len(self.profiles)

    # -- validation, once --------------------------------------------------------

    def _check_ids(self) -> None:
        seen: dict[str, Profile] = {}
        for profile in self.profiles:
            other = seen.get(profile.id)
            if other is not None:
                raise ProfileConflictError(
                    profile.source,
                    profile.id,
                    "id",
                    f"the id is also used by the profile from {other.source or 'another source'}",
                )
            seen[profile.id] = profile

    def _validate(self, plan_id: str, group: list[Profile]) -> tuple[_Layer, ...]:
        try:
            plan = resolve_plan(plan_id)
        except UnknownPlanError as error:
            first = group[0]
            raise ProfileError(first.source, first.id, "plan", str(error)) from None
        layers: list[_Layer] = []
        # Who set what, per scope: (scope, key) -> profile, to name both in a conflict.
        owners: dict[tuple[str, str], Profile] = {}
        for profile in group:
            try:
                check_scope(profile.scope)
            except InputError as error:
                raise ProfileError(profile.source, profile.id, "scope", error.message) from None
            known = dict(_plan_pairs(plan))
            for layer in layers:
                if (
                    profile.scope.startswith(layer.profile.scope)
                    and profile.scope != layer.profile.scope
                ):
                    known.update({i.id: t for i in layer.indicators for t in i.targets})
            overrides: dict[str, _Change] = {}
            for index, override in enumerate(profile.overrides):
                entry = f"overrides[{index}]"
                target = known.get(override.target)
                if target is None:
                    close = difflib.get_close_matches(override.target, known, n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    raise ProfileError(
                        profile.source,
                        profile.id,
                        f"{entry}.target",
                        f"{override.target!r} is not a target of {plan.id} "
                        f"(nor of a broader profile){hint} The ids are listed by "
                        "'cssp targets --format json' and in the catalogue reference",
                    )
                comparator, value = _threshold(profile, entry, override.threshold, target)
                if override.year is not None and override.year < plan.baseline_year:
                    raise ProfileError(
                        profile.source,
                        profile.id,
                        f"{entry}.year",
                        f"{override.year} is before the baseline year of {plan.id} "
                        f"({plan.baseline_year}); a target year must be within or after the plan",
                    )
                self._own(owners, profile, f"target {override.target!r}")
                if override.target in overrides:
                    raise ProfileError(
                        profile.source,
                        profile.id,
                        entry,
                        f"{override.target!r} is overridden twice",
                    )
                if target.value is not None and (
                    comparator.higher_is_better != target.comparator.higher_is_better
                ):
                    raise ProfileError(
                        profile.source,
                        profile.id,
                        f"{entry}.threshold",
                        f"{comparator.symbol} turns {override.target!r} around "
                        f"(the plan has {target.comparator.symbol}); add a new indicator instead",
                    )
                overrides[override.target] = _Change(
                    comparator,
                    value,
                    override.year,
                    override.citation,
                    override.note,
                    override.attribute or Attribute.UNSPECIFIED,
                )
            for index, indicator in enumerate(profile.indicators):
                entry = f"indicators[{index}]"
                _check_measure(profile, entry, indicator, group)
                for number, target in enumerate(indicator.targets):
                    problem = level_problem(
                        indicator.kind,
                        target.comparator,
                        target.value,
                        target.levels,
                        target.strength,
                    )
                    if problem is not None:
                        raise ProfileError(
                            profile.source,
                            profile.id,
                            f"{entry}.targets[{number}]",
                            f"target {target.id!r}: {problem}",
                        )
                if indicator.id in known or indicator.id in plan.indicators:
                    raise ProfileError(
                        profile.source,
                        profile.id,
                        f"{entry}.id",
                        f"{indicator.id!r} is already an indicator or target of {plan.id}",
                    )
                self._own(owners, profile, f"indicator {indicator.id!r}")
            if profile.staffing is not None:
                self._own(owners, profile, "the staffing rule")
            layers.append(_Layer(profile, overrides, profile.indicators))
        return tuple(layers)

    @staticmethod
    def _own(owners: dict[tuple[str, str], Profile], profile: Profile, what: str) -> None:
        key = (profile.scope, what)
        other = owners.get(key)
        if other is not None and other is not profile:
            raise ProfileConflictError(
                profile.source,
                profile.id,
                "",
                f"{what} for scope {profile.scope!r} is also set by profile {other.id!r} "
                f"from {other.source or 'another source'}; one of them must go",
            )
        owners[key] = profile

    def _refuse_loosening(self, plan: Plan, layers: tuple[_Layer, ...]) -> None:
        for layer in layers:
            scope = layer.profile.scope
            chain = tuple(
                other.profile for other in layers if scope.startswith(other.profile.scope)
            )
            resolved = self._resolve(plan, tuple(sorted(chain, key=lambda p: (len(p.scope), p.id))))
            labels = {t.id: i.unit_label for i, t in resolved.pairs}
            for target in resolved.loosened:
                first, step = target.provenance[0], target.provenance[-1]
                unit = _unit_text(labels.get(target.id), target.unit)
                to = f"{step.comparator.symbol}{step.value:g}{unit}"
                if step.year != first.year:
                    to += f" by {step.year}"
                reference = f"{first.comparator.symbol}{first.value:g}{unit}"
                if first.year != step.year:
                    reference += f" by {first.year}"
                if first.change is Change.SET:
                    whose = f"the national plan's {reference} ({plan.id})"
                else:  # an indicator a broader profile added
                    whose = f"{reference} set by {first.profile}"
                raise ProfileError(
                    layer.profile.source,
                    step.profile,
                    f"target {target.id!r}",
                    f"loosens the target to {to}, below {whose} "
                    "(strict mode refuses a looser target)",
                )

    # -- resolution, cached per chain ------------------------------------------

    def chain(self, plan: str | Plan, code: str) -> tuple[Profile, ...]:
        """The profiles covering ``code``, from the broadest scope to the most specific."""
        plan_id = plan.id if isinstance(plan, Plan) else plan
        layers = self._layers.get(plan_id, ())
        return tuple(layer.profile for layer in layers if code.startswith(layer.profile.scope))

    def scopes_key(self, plan_id: str, code: str) -> tuple[str, ...]:
        """The scopes of the profiles covering ``code``: the cache key of its chain."""
        scopes = self._scopes.get(plan_id)
        if not scopes:
            return ()
        return tuple(code[:n] for n in (2, 4, 6, 9) if len(code) >= n and code[:n] in scopes)

    def effective(self, plan: str | Plan, code: str = "") -> EffectiveTargets:
        """The targets in force for a community or region ``code`` under ``plan``.

        :param plan: a plan id or plan.
        :param code: a division code of any length (``""`` for the nation).
        """
        resolved_plan = resolve_plan(plan)
        key = (resolved_plan.id, self.scopes_key(resolved_plan.id, code))
        cached = self._cache.get(key)
        if cached is not None and cached.plan is resolved_plan:
            return cached
        layers = self._layers.get(resolved_plan.id, ())
        chain = tuple(layer.profile for layer in layers if layer.profile.scope in key[1])
        result = self._resolve(resolved_plan, chain)
        self._cache[key] = result
        return result

    def _resolve(self, plan: Plan, chain: tuple[Profile, ...]) -> EffectiveTargets:
        layers = {id(layer.profile): layer for layer in self._layers.get(plan.id, ())}
        source = _national_source()
        pairs: dict[str, tuple[Indicator, Target]] = {}
        for indicator, target in _plan_pairs_with_indicator(plan):
            step = Provenance(
                source,
                plan.id,
                "",
                target.comparator,
                target.value,
                target.year,
                target.citation,
                Change.SET,
            )
            pairs[target.id] = (indicator, attrs.evolve(target, provenance=(step,)))
        staffing: StaffingRule | None = None
        staffing_steps: list[Provenance] = []
        for profile in chain:
            layer = layers.get(id(profile))
            if layer is None:  # validated profiles only
                continue
            for indicator in layer.indicators:
                for target in indicator.targets:
                    step = Provenance(
                        profile.source,
                        profile.id,
                        profile.scope,
                        target.comparator,
                        target.value,
                        target.year,
                        target.citation,
                        Change.NEW,
                    )
                    pairs[target.id] = (indicator, attrs.evolve(target, provenance=(step,)))
            for target_id, override in layer.overrides.items():
                indicator, target = pairs[target_id]
                pairs[target_id] = (indicator, _overridden(indicator, target, profile, override))
            if profile.staffing is not None:
                change = Change.REPLACED if staffing is not None else Change.NEW
                staffing = profile.staffing
                staffing_steps.append(
                    Provenance(
                        profile.source,
                        profile.id,
                        profile.scope,
                        Comparator.GE,
                        None,  # no single threshold: the rule gives one per community
                        plan.target_year,
                        staffing.citation,
                        change,
                    )
                )
        if staffing is not None:
            indicator, target = _staffing_pair(plan, staffing, tuple(staffing_steps))
            pairs[STAFFING_TARGET] = (indicator, target)
        return EffectiveTargets(plan, chain, tuple(pairs.values()), staffing)


def _unit_text(label: Text | None, unit: str) -> str:
    """A unit as the messages show it: ``%``, `` m² per 100 households`` (with its space)."""
    label = label or UNIT_LABELS.get(unit)
    text = label.en if label is not None else unit
    return text if text == "%" else f" {text}"


def _record_unit(indicator: Indicator, target: Target) -> Level:
    """The unit of record of a target: township records, or communities."""
    return Level.TOWNSHIP if Level.TOWNSHIP in target.levels else Level.COMMUNITY


def _overridden(
    indicator: Indicator, target: Target, profile: Profile, override: _Change
) -> Target:
    """The target once ``profile`` overrides it: its threshold, year, citation and attribute.

    The attribute is the profile's (unspecified unless its document states
    one). The baseline stays, with its own scope and citation (the national
    plan's): milestones are drawn only from a baseline of the target's scope,
    so a province's target has none (:attr:`Target.has_milestones`). A
    coverage target's levels follow its new threshold (:func:`coverage_levels`).
    """
    comparator, value = override.comparator, override.value
    new_year = override.year or target.year
    if target.value is None:  # a direction of the plan, given a level
        change = Change.STRICTER
    else:
        change = strictness(
            (target.comparator, target.value),
            (comparator, value),
            target.comparator.higher_is_better,
            years=(target.year, new_year),
        )
    levels = coverage_levels(
        target.levels, indicator.kind, comparator, value, _record_unit(indicator, target)
    )
    if target.value is None:
        levels = levels | {Level.REGION}
    step = Provenance(
        profile.source,
        profile.id,
        profile.scope,
        comparator,
        value,
        new_year,
        override.citation,
        change,
        levels=levels if levels != target.levels else None,
    )
    return attrs.evolve(
        target,
        comparator=comparator,
        value=value,
        year=new_year,
        citation=override.citation,
        note=override.note or target.note,
        attribute=override.attribute,
        levels=levels,
        strength=Strength.QUANTIFIED if target.value is None else target.strength,
        provenance=(*target.provenance, step),
        year_stated=override.year is not None or target.year_stated,
    )


def _check_measure(
    profile: Profile, entry: str, indicator: Indicator, group: Iterable[Profile]
) -> None:
    """A new indicator's measure exists, and its units fit the indicator's unit."""
    if indicator.measure is None:
        return
    measure = profile.measures.get(indicator.measure) or MEASURES.get(indicator.measure)
    if measure is None:
        for other in group:
            if profile.scope.startswith(other.scope) and indicator.measure in other.measures:
                measure = other.measures[indicator.measure]
    if measure is None:
        raise ProfileError(
            profile.source, profile.id, f"{entry}.measure", f"unknown measure {indicator.measure!r}"
        )
    try:
        ratio_scale(measure.numerator_unit, measure.denominator_unit, indicator.unit)
    except InputError as error:
        raise ProfileError(profile.source, profile.id, f"{entry}.unit", error.message) from None


def _plan_pairs(plan: Plan) -> Iterable[tuple[str, Target]]:
    for indicator in plan.indicators.values():
        for target in indicator.targets:
            yield target.id, target


def _plan_pairs_with_indicator(plan: Plan) -> Iterable[tuple[Indicator, Target]]:
    for indicator in plan.indicators.values():
        for target in indicator.targets:
            yield indicator, target


def _threshold(profile: Profile, entry: str, text: str, target: Target) -> tuple[Comparator, float]:
    try:
        comparator, value = threshold_in(text, target.unit, f"{entry}.threshold")
    except InputError as error:
        raise ProfileError(
            profile.source,
            profile.id,
            f"{entry}.threshold",
            f"{error.message} (target {target.id!r} is measured in {target.unit})",
        ) from None
    return Comparator(comparator), value


def _staffing_pair(
    plan: Plan, rule: StaffingRule, steps: tuple[Provenance, ...]
) -> tuple[Indicator, Target]:
    target = Target(
        id=STAFFING_TARGET,
        indicator=STAFFING_TARGET,
        comparator=Comparator.GE,
        value=0.0,
        unit="person",
        year=plan.target_year,
        scope=rule.applies_to,
        levels=frozenset({Level.COMMUNITY, Level.REGION}),
        attribute=Attribute.UNSPECIFIED,
        strength=Strength.QUANTIFIED,
        citation=rule.citation,
        name=_STAFFING_INDICATOR_NAME,
        note=rule.description,
        provenance=steps,
    )
    indicator = Indicator(
        id=STAFFING_TARGET,
        name=_STAFFING_INDICATOR_NAME,
        unit="person",
        unit_label=UNIT_LABELS["person"],
        kind=IndicatorKind.PER_COMMUNITY,
        measure="community_workers",
        citation=rule.citation,
        targets=(target,),
        description=rule.description,
    )
    return indicator, target
