"""The plan as data: plans, indicators, targets, programmes and citations.

These classes are what :func:`cssp.load_plan` returns. They hold no
computation: how an indicator is measured on a community is registered in
:mod:`cssp.model.measures`, by indicator measure.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any, Final, SupportsIndex

from attrs import define, field

from cssp.model.checks import (
    Check,
    frozenset_of,
    instance_of,
    number,
    optional,
    refuse,
    tuple_of,
    whole_number,
)
from cssp.model.citation import Citation, ReportedBy, Text, date_text
from cssp.model.frozen import FrozenMap
from cssp.model.kinds import (
    REL_TOL,
    Attribute,
    Change,
    Comparator,
    IndicatorKind,
    Level,
    Scope,
    Strength,
)

__all__ = [
    "REL_TOL",
    "Attribute",
    "Baseline",
    "Change",
    "Citation",
    "Comparator",
    "Indicator",
    "IndicatorKind",
    "Level",
    "Plan",
    "Programme",
    "ProgrammeGroup",
    "Provenance",
    "ReportedBy",
    "Scope",
    "Strength",
    "Target",
    "Text",
    "date_text",
    "register_shipped",
    "strictness",
]


def _frozenset(value: frozenset[Level] | set[Level]) -> frozenset[Level]:
    """A set as a frozenset; anything else as it is, for the check to judge."""
    return frozenset(value) if type(value) is set else value  # type: ignore[return-value]


def _tuple(value: tuple[Target, ...] | list[Target]) -> tuple[Target, ...]:
    """A list as a tuple (a copy its maker cannot change); anything else as it is."""
    return tuple(value) if type(value) is list else value  # type: ignore[return-value]


_STR: Final = instance_of(str)


@define(frozen=True)
class Baseline:
    """A value the plan reports for its baseline year.

    :param year: the baseline year.
    :param value: the value, in the indicator's unit.
    :param scope: the division code prefix the figure describes (``""``: the nation).
    :param citation: where it is stated (the catalogue sets the indicator's).
    """

    year: int
    value: float
    scope: str = ""
    citation: Citation | None = None


@define(frozen=True)
class Provenance:
    """One step in the chain that produced an effective target.

    :param source: who provided the step: ``"cssp <version>"`` for the
        national plan, or a plugin's distribution name and version.
    :param profile: the profile id (the plan id for the national step).
    :param scope: the division code prefix the step applies to (``""`` national).
    :param comparator: the comparator after this step.
    :param value: the threshold after this step; ``None`` for a direction
        (a requirement the plan states without a level) and for a staffing
        rule's step, which sets no single threshold (the number of workers
        required depends on each community; the rule's description is on the
        target, :attr:`Target.note`).
    :param year: the target year after this step.
    :param citation: where the step's document states it.
    :param change: how it changed the step before it.
    :param levels: the levels the target is judged at after this step, when
        the step changed them (a coverage threshold raised to 100 % is judged
        per community too; one lowered below it, per region only — see
        :func:`~cssp.model.levels.coverage_levels`); ``None`` when it did not.
    """

    source: str
    profile: str
    scope: str
    comparator: Comparator
    value: float | None
    year: int
    citation: Citation
    change: Change
    levels: frozenset[Level] | None = field(default=None, kw_only=True)


def strictness(
    old: tuple[Comparator, float],
    new: tuple[Comparator, float],
    higher_is_better: bool,
    years: tuple[int, int] | None = None,
) -> Change:
    """How a new threshold compares with an old one: same, stricter or looser.

    The threshold decides first. Only when it is the same do the target
    ``years`` (old, new) decide: a later year gives more time, so it is
    looser; an earlier one is stricter.

    >>> strictness((Comparator.GE, 30.0), (Comparator.GE, 32.0), True)
    <Change.STRICTER: 'stricter'>
    >>> strictness((Comparator.GE, 30.0), (Comparator.GT, 30.0), True)
    <Change.STRICTER: 'stricter'>
    >>> strictness((Comparator.GE, 30.0), (Comparator.GE, 30.0), True, years=(2025, 2027))
    <Change.LOOSER: 'looser'>
    >>> strictness((Comparator.GE, 30.0), (Comparator.GE, 32.0), True, years=(2025, 2027))
    <Change.STRICTER: 'stricter'>
    """
    (old_cmp, old_value), (new_cmp, new_value) = old, new
    if new_value == old_value:
        if new_cmp == old_cmp:
            if years is None or years[0] == years[1]:
                return Change.SAME
            return Change.LOOSER if years[1] > years[0] else Change.STRICTER
        return Change.STRICTER if new_cmp in (Comparator.GT, Comparator.LT) else Change.LOOSER
    better = new_value > old_value if higher_is_better else new_value < old_value
    return Change.STRICTER if better else Change.LOOSER


@define(frozen=True)
class Target:
    """One requirement of a plan: an indicator, compared with a threshold by a year.

    :param id: the target's id, unique in its plan (the national plan uses the
        indicator id when an indicator has one target).
    :param indicator: the id of the indicator it constrains.
    :param comparator: how the observed value is compared.
    :param value: the threshold, in :attr:`unit`; ``None`` for a *direction*,
        a requirement the plan states without a level (推进…, 建立…): cssp
        reports what it observes and gives no verdict.
    :param unit: the indicator's unit (pint notation).
    :param year: the year by which the target is to be reached.
    :param scope: which communities it applies to.
    :param levels: where it is judged: community, township, region. A
        community (or township) is judged only at a level listed here; at the
        others it contributes to its region's figure without a verdict.
    :param attribute: 预期性 / 约束性 / unspecified.
    :param strength: how firmly the plan words it.
    :param citation: where the plan states it.
    :param region_share: for ``per_community`` indicators, the share (%) of a
        region's communities that must reach :attr:`value`.
    :param baseline: the indicator's baseline, with its own scope and citation.
        Interim milestones are drawn from it only where it describes the
        target's own scope (:attr:`has_milestones`): the national 2020 figure
        for the national target, never for a province's.
    :param name: the target's name (defaults to the indicator's).
    :param note: anything a reader needs to read the target right.
    :param provenance: how the target came to be: the national plan's step,
        then each profile's (empty for a target read straight from a plan).
    :param year_stated: whether the document states :attr:`year`; a
        requirement of the text without a year of its own takes the plan's
        horizon, and says so.
    :raises InputError: naming a field of the wrong type (a set of levels is
        taken as a frozenset).
    """

    id: str
    indicator: str
    comparator: Comparator
    value: float | None
    unit: str
    year: int
    scope: Scope
    levels: frozenset[Level] = field(converter=_frozenset)
    attribute: Attribute
    strength: Strength
    citation: Citation
    name: Text
    region_share: float = 100.0
    baseline: Baseline | None = None
    note: Text | None = None
    provenance: tuple[Provenance, ...] = ()
    year_stated: bool = field(default=True, kw_only=True)

    @property
    def direction(self) -> bool:
        """True when the plan sets no level: the target gives no verdict anywhere."""
        return self.value is None

    def __attrs_post_init__(self) -> None:
        if not (
            isinstance(self.id, str)
            and isinstance(self.indicator, str)
            and isinstance(self.comparator, Comparator)
            and (self.value is None or type(self.value) in _NUMBERS)
            and isinstance(self.unit, str)
            and type(self.year) is int
            and isinstance(self.scope, Scope)
            and type(self.levels) is frozenset
            and all(type(level) is Level for level in self.levels)
            and isinstance(self.attribute, Attribute)
            and isinstance(self.strength, Strength)
            and isinstance(self.citation, Citation)
            and isinstance(self.name, Text)
            and type(self.region_share) in _NUMBERS
            and (self.baseline is None or isinstance(self.baseline, Baseline))
            and (self.note is None or isinstance(self.note, Text))
            and type(self.provenance) is tuple
            and (not self.provenance or all(type(step) is Provenance for step in self.provenance))
            and type(self.year_stated) is bool
        ):
            refuse(self, _TARGET_CHECKS)

    @property
    def loosened(self) -> bool:
        """True when the target in force is easier to meet than the first step that set it.

        Compares the last step of :attr:`provenance` with the first: the
        national plan's (:attr:`Change.SET`), or, for an indicator a profile
        introduced, that profile's (:attr:`Change.NEW`). A county below its
        province but above the plan is not loosened; that step is still
        marked :attr:`Change.LOOSER`. The same threshold with a later target
        year is looser (see ``strictness``). A staffing rule has no threshold
        to compare, and is never loosened; nor is a direction given a level.
        """
        steps = self.provenance
        if len(steps) < 2:
            return False
        first, last = steps[0], steps[-1]
        if first.value is None or last.value is None:
            return False
        return (
            strictness(
                (first.comparator, first.value),
                (last.comparator, last.value),
                first.comparator.higher_is_better,
                years=(first.year, last.year),
            )
            is Change.LOOSER
        )

    @property
    def changes(self) -> tuple[Provenance, ...]:
        """The steps after the first that change something: a profile restating
        the same threshold (:attr:`Change.SAME`) is kept in :attr:`provenance`
        but is no change."""
        return tuple(
            step
            for step in self.provenance[1:]
            if step.change is not Change.SAME or step.levels is not None
        )

    @property
    def setting_scope(self) -> str:
        """The scope of the document that set the target in force (``""``: the national plan)."""
        return self.provenance[-1].scope if self.provenance else ""

    @property
    def has_milestones(self) -> bool:
        """Whether interim milestones are drawn: a baseline of the target's own scope, before it."""
        base = self.baseline
        return (
            self.value is not None
            and base is not None
            and base.scope == self.setting_scope
            and base.year < self.year
        )

    def milestone(self, year: int) -> float | None:
        """The threshold for ``year``, on the straight line from the baseline.

        Before the target year, with a baseline of the target's own scope
        (:attr:`has_milestones`), the threshold moves linearly from the
        baseline value (at the baseline year) to :attr:`value` (at
        :attr:`year`). Otherwise, or from the target year on, it is
        :attr:`value` (``None`` for a direction).
        """
        base = self.baseline
        if base is None or self.value is None or not self.has_milestones or year >= self.year:
            return self.value
        if year <= base.year:
            return base.value
        share = (year - base.year) / (self.year - base.year)
        return base.value + (self.value - base.value) * share

    def applies_to(self, level: Level) -> bool:
        """Whether the target is judged at ``level``."""
        return level in self.levels

    def judged_at(self, level: Level) -> bool:
        """Whether a unit of ``level`` gets a verdict: in :attr:`levels`, and not a direction."""
        return self.value is not None and level in self.levels


#: The types a number field takes without a second look (the checks also take
#: their subclasses, numpy's float64 among them).
_NUMBERS: Final = frozenset({int, float})
_TARGET_CHECKS: Final[tuple[tuple[str, Check[Any]], ...]] = (
    ("id", _STR),
    ("indicator", _STR),
    ("comparator", instance_of(Comparator)),
    ("value", optional(number())),
    ("unit", _STR),
    ("year", whole_number()),
    ("scope", instance_of(Scope)),
    ("levels", frozenset_of(Level, expected="a frozenset (or set) of Level")),
    ("attribute", instance_of(Attribute)),
    ("strength", instance_of(Strength)),
    ("citation", instance_of(Citation)),
    ("name", instance_of(Text)),
    ("region_share", number()),
    ("baseline", optional(instance_of(Baseline))),
    ("note", optional(instance_of(Text))),
    ("provenance", tuple_of(Provenance)),
    ("year_stated", instance_of(bool)),
)


@define(frozen=True)
class Indicator:
    """Something the plan measures, with its unit, baseline and targets.

    :param id: the indicator id, e.g. ``facility_area_per_100_households``.
    :param name: its name in Chinese (exactly as the plan words it) and English.
    :param unit: its unit in pint notation, e.g. ``meter ** 2 / hundred_households``.
    :param unit_label: the unit as printed, in Chinese and English.
    :param kind: how it aggregates over a region (:class:`IndicatorKind`).
    :param measure: the key of the computation registered in :mod:`cssp.model.measures`,
        or ``None`` when cssp cannot compute it from community data.
    :param citation: where the plan defines it.
    :param baseline: the baseline value, if the plan gives one.
    :param targets: the targets set on it.
    :param description: what it measures, in cssp's own words.
    :param plan_wording: whether the Chinese name is the document's own words
        (``True``), or cssp's name for a requirement the document states in a
        sentence (``False``).
    :param needs: for a requirement cssp records but cannot evaluate
        (:attr:`measure` ``None``): the input it would need, in cssp's words.
    :param presence: for a coverage indicator, how a unit that has the thing
        and one that lacks it are described, in Chinese and English:
        ``(Text("已建有综合服务设施", "has a comprehensive service facility"),
        Text("尚未建有综合服务设施", "has no comprehensive service facility"))``.
    :param plausible_factor: how far from the baseline a value may be and still
        be plausible: a value more than this factor above or below it (a
        community's or a region's) is marked "please check" in reports, as
        the size of a slip of unit or decimal point. ``None``: no check.
    :raises InputError: naming a field of the wrong type (a list of targets is
        taken as a tuple).
    """

    id: str
    name: Text
    unit: str
    unit_label: Text
    kind: IndicatorKind
    measure: str | None
    citation: Citation
    baseline: Baseline | None = None
    targets: tuple[Target, ...] = field(default=(), converter=_tuple)
    description: Text | None = None
    plausible_factor: float | None = None
    plan_wording: bool = field(default=False, kw_only=True)
    needs: Text | None = field(default=None, kw_only=True)
    presence: tuple[Text, Text] | None = field(default=None, kw_only=True)

    @property
    def evaluation(self) -> str:
        """How cssp treats it: ``"evaluated"``, ``"direction"`` or ``"recorded"``.

        ``recorded``: catalogued, not evaluated (no community input can show
        it; :attr:`needs` says what would). ``direction``: evaluated without a
        verdict (the plan sets no level). ``evaluated``: judged against its
        threshold.
        """
        if self.measure is None:
            return "recorded"
        if self.targets and all(t.value is None for t in self.targets):
            return "direction"
        return "evaluated"

    @property
    def plausible_range(self) -> tuple[float, float] | None:
        """The plausible values: the baseline divided and multiplied by :attr:`plausible_factor`.

        ``None`` without a factor or a baseline.
        """
        if self.plausible_factor is None or self.baseline is None:
            return None
        base = self.baseline.value
        return base / self.plausible_factor, base * self.plausible_factor

    def __attrs_post_init__(self) -> None:
        if not (
            isinstance(self.id, str)
            and isinstance(self.name, Text)
            and isinstance(self.unit, str)
            and isinstance(self.unit_label, Text)
            and isinstance(self.kind, IndicatorKind)
            and (self.measure is None or isinstance(self.measure, str))
            and isinstance(self.citation, Citation)
            and (self.baseline is None or isinstance(self.baseline, Baseline))
            and type(self.targets) is tuple
            and all(type(target) is Target for target in self.targets)
            and (self.description is None or isinstance(self.description, Text))
            and (self.plausible_factor is None or type(self.plausible_factor) in (int, float))
            and type(self.plan_wording) is bool
            and (self.needs is None or isinstance(self.needs, Text))
            and (
                self.presence is None
                or (
                    type(self.presence) is tuple
                    and len(self.presence) == 2
                    and all(isinstance(t, Text) for t in self.presence)
                )
            )
        ):
            refuse(self, _INDICATOR_CHECKS)

    @property
    def target(self) -> Target:
        """The indicator's target; for several, the one of the latest year."""
        if not self.targets:
            raise LookupError(f"indicator {self.id!r} has no target in this plan")
        return max(self.targets, key=lambda t: t.year)


_INDICATOR_CHECKS: Final[tuple[tuple[str, Check[Any]], ...]] = (
    ("id", _STR),
    ("name", instance_of(Text)),
    ("unit", _STR),
    ("unit_label", instance_of(Text)),
    ("kind", instance_of(IndicatorKind)),
    ("measure", optional(_STR)),
    ("citation", instance_of(Citation)),
    ("baseline", optional(instance_of(Baseline))),
    ("targets", tuple_of(Target, expected="a tuple (or list) of Target")),
    ("description", optional(instance_of(Text))),
    ("plausible_factor", optional(instance_of(int, float))),
    ("plan_wording", instance_of(bool)),
    ("needs", optional(instance_of(Text))),
    ("presence", optional(tuple_of(Text, expected="a pair of Text (has, lacks)"))),
)


@define(frozen=True)
class Programme:
    """One action (行动) or project item of a programme column.

    :param id: e.g. ``elderly_care``.
    :param column: the column (专栏), e.g. ``专栏3``.
    :param item: the item number within the column.
    :param title: the title, Chinese exactly as the plan has it, and English.
    :param summary: what the item is about, in cssp's own words.
    :param targets: the ids of the plan's targets this item carries.
    :param citation: where the plan states it.
    """

    id: str
    column: str
    item: int
    title: Text
    summary: Text
    citation: Citation
    targets: tuple[str, ...] = ()


@define(frozen=True)
class ProgrammeGroup:
    """A programme column (专栏2–6): an action plan or the major project.

    :param column: e.g. ``专栏3``.
    :param kind: ``action_plan`` (行动计划) or ``major_project`` (重大工程).
    :param title: the column title, Chinese exact, and English.
    :param programmes: its items, in the plan's order.
    """

    column: str
    kind: str
    title: Text
    citation: Citation
    programmes: tuple[Programme, ...]


def _mapping(items: Mapping[str, object]) -> Mapping[str, object]:
    return FrozenMap(items)


#: The shipped plans, by id, with the function that loads them: registered by
#: :mod:`cssp.catalogue` when it loads one, so that a shipped plan pickles as a
#: reference to it (the model does not import the catalogue).
_SHIPPED: dict[int, tuple[Callable[[str], Plan], str]] = {}


def register_shipped(plan: Plan, loader: Callable[[str], Plan]) -> None:
    """Record that ``loader(plan.id)`` returns ``plan``: it then pickles as that call."""
    _SHIPPED[id(plan)] = (loader, plan.id)


@define(frozen=True, eq=False)
class Plan:
    """A plan: its identity, indicators, targets and programmes.

    Obtain one with :func:`cssp.load_plan`. Plans compare by identity: each
    loaded plan is one object, shared by every evaluation.
    """

    id: str
    title: Text
    issuer: str
    document: str
    baseline_year: int
    target_year: int
    indicators: Mapping[str, Indicator]
    programme_groups: tuple[ProgrammeGroup, ...]
    issued: datetime.date | None = None
    published: datetime.date | None = None
    source: str = ""
    targets: Mapping[str, Target] = field(init=False)

    def __attrs_post_init__(self) -> None:
        targets: dict[str, Target] = {}
        for indicator in self.indicators.values():
            for target in indicator.targets:
                targets[target.id] = target
        object.__setattr__(self, "targets", _mapping(targets))
        object.__setattr__(self, "indicators", _mapping(self.indicators))

    def __reduce_ex__(self, protocol: SupportsIndex) -> str | tuple[Any, ...]:
        """A plan cssp ships unpickles as that plan, loaded (plans compare by identity)."""
        shipped = _SHIPPED.get(id(self))
        if shipped is not None:
            loader, plan_id = shipped
            return (loader, (plan_id,))
        return super().__reduce_ex__(protocol)

    @property
    def period(self) -> tuple[int, int]:
        """The years the plan covers: the year after its baseline year to its target year."""
        return (self.baseline_year + 1, self.target_year)

    @property
    def programmes(self) -> tuple[Programme, ...]:
        """Every programme item of every column, in the plan's order."""
        return tuple(p for group in self.programme_groups for p in group.programmes)

    def __repr__(self) -> str:
        return (
            f"<Plan {self.id}: {self.title.zh}, {len(self.indicators)} indicators, "
            f"{len(self.targets)} targets, {len(self.programmes)} programme items>"
        )
