"""The plan as data: plans, indicators, targets, programmes and citations.

These classes are what :func:`cssp.load_plan` returns. They hold no
computation: how an indicator is measured on a community is registered in
:mod:`cssp.model.measures`, by indicator measure.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable, Mapping
from typing import Any, Final, SupportsIndex

from attrs import define, field

from cssp.model.citation import Citation, ReportedBy, Text
from cssp.model.frozen import FrozenMap

__all__ = [
    "FULL_SHARE",
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
    "coverage_levels",
    "judged_per_unit",
    "level_problem",
    "register_shipped",
    "strictness",
]


class Comparator(enum.StrEnum):
    """How an observed value is compared with a target's threshold."""

    GE = ">="
    GT = ">"
    LE = "<="
    LT = "<"
    EQ = "=="

    @property
    def symbol(self) -> str:
        """The mathematical sign: ≥, >, ≤, < or =."""
        return _SYMBOLS[self]

    @property
    def holds(self) -> Callable[[float, float], bool]:
        """The comparison as a function ``(lhs, rhs) -> bool``: the one comparison rule.

        Every engine compares ``scale × numerator`` (lhs) with
        ``threshold × denominator`` (rhs) through this function, with the
        relative tolerance :data:`REL_TOL`; at exactly the threshold, ≥ and ≤
        hold and > and < do not.

        >>> Comparator.GE.holds(100 * 5.1, 30 * 17)  # 509.99999999999994 vs 510
        True
        >>> Comparator.GT.holds(100 * 5.1, 30 * 17)
        False
        """
        return _OPERATORS[self]

    def source(self, lhs: str, rhs: str, bound: str | None = None, tol: str = "REL_TOL") -> str:
        """The comparison of :attr:`holds` as Python source, for generated code.

        :param lhs: the expression of the left-hand side (``scale × numerator``).
        :param rhs: a name holding the right-hand side (``threshold × denominator``).
        :param bound: the bound already computed from ``rhs`` (a literal), when
            ``rhs`` is a constant; see :meth:`bound`.
        :param tol: the expression of the tolerance (:data:`REL_TOL`).

        >>> Comparator.GE.source("n", "rhs")
        'n >= rhs - REL_TOL * abs(rhs)'
        """
        test, bound_source = _SOURCES[self.value]
        if bound is None:
            bound = bound_source.format(rhs=rhs, tol=tol)
        return test.format(lhs=lhs, rhs=rhs, bound=bound)

    def bound(self, rhs: float) -> float:
        """The bound :attr:`holds` compares with, for a constant right-hand side.

        The same operations in the same order as :attr:`holds` performs, so a
        comparison with the bound computed ahead gives the same answer to the bit.

        >>> Comparator.GE.bound(30.0) == 30.0 - REL_TOL * 30.0
        True
        """
        source = _SOURCES[self.value][1].format(rhs="rhs", tol="REL_TOL")
        value: float = eval(source, {"REL_TOL": REL_TOL, "rhs": rhs})
        return value

    @property
    def higher_is_better(self) -> bool:
        """True for ≥ and >: raising the observed value never hurts."""
        return self in (Comparator.GE, Comparator.GT)


_SYMBOLS: Final = {
    Comparator.GE: "≥",
    Comparator.GT: ">",
    Comparator.LE: "≤",
    Comparator.LT: "<",
    Comparator.EQ: "=",
}
#: The relative tolerance of the one comparison rule: an observed side within
#: ``REL_TOL × |threshold side|`` of the threshold side counts as equal to it.
#: It absorbs binary rounding (100 × 5.1 is 509.99999999999994, not 510), never
#: a real shortfall: 1e-9 is far below any figure the plan states.
REL_TOL: Final = 1e-9


#: Each comparison as Python source, written once: the operator and the bound it
#: is compared with. :attr:`Comparator.holds` is made from it, and so is the
#: code the scalar engine generates (:meth:`Comparator.source`).
_SOURCES: Final = {
    ">=": ("{lhs} >= {bound}", "{rhs} - {tol} * abs({rhs})"),
    ">": ("{lhs} > {bound}", "{rhs} + {tol} * abs({rhs})"),
    "<=": ("{lhs} <= {bound}", "{rhs} + {tol} * abs({rhs})"),
    "<": ("{lhs} < {bound}", "{rhs} - {tol} * abs({rhs})"),
    "==": ("abs({lhs} - {rhs}) <= {bound}", "{tol} * abs({rhs})"),
}


def _make_holds(sign: str) -> Callable[[float, float], bool]:
    test, bound = _SOURCES[sign]
    expression = test.format(lhs="lhs", rhs="rhs", bound=bound.format(rhs="rhs", tol="REL_TOL"))
    source = f"def holds(lhs, rhs):\n    return {expression}\n"
    namespace: dict[str, Any] = {"REL_TOL": REL_TOL}
    exec(compile(source, f"<comparator {sign}>", "exec"), namespace)
    holds: Callable[[float, float], bool] = namespace["holds"]
    return holds


_OPERATORS: Final = {c: _make_holds(c.value) for c in Comparator}


class Level(enum.StrEnum):
    """Where a target is evaluated: on one community, on one township, or on a region's totals.

    A target *judged* at community (or township) level gives each community (or
    township) a verdict; one that is not gives each a finding without a verdict
    (:attr:`Status.NO_VERDICT <cssp.Status.NO_VERDICT>`): it contributes its
    value to its region's figure. Which levels a coverage target may be judged
    at follows one rule, :func:`judged_per_unit`.
    """

    COMMUNITY = "community"
    REGION = "region"
    TOWNSHIP = "township"


class Scope(enum.StrEnum):
    """Which communities a target applies to."""

    ALL = "all"
    URBAN = "urban"
    RURAL = "rural"
    RESETTLEMENT = "resettlement"
    OLD_RESIDENTIAL_AREA = "old_residential_area"
    NEWLY_BUILT = "newly_built"


class Attribute(enum.StrEnum):
    """The attribute (指标属性) a plan gives a target."""

    #: 预期性 — expected, guidance.
    EXPECTED = "expected"
    #: 约束性 — binding.
    BINDING = "binding"
    #: the plan states the requirement in its text, without an attribute.
    UNSPECIFIED = "unspecified"

    @property
    def zh(self) -> str:
        """The Chinese term."""
        return {"expected": "预期性", "binding": "约束性", "unspecified": "未标明"}[self.value]


class Strength(enum.StrEnum):
    """How firmly the plan words a requirement (the plan's own word, as a category).

    Wording such as 普遍 ("generally") or 一般 ("as a rule") is weaker than
    全覆盖 ("full coverage"); cssp keeps the word. A target of strength
    :attr:`GENERALLY` is evaluated against its threshold like any other, but
    every explanation says how the plan put it. The :attr:`direction` words —
    推进, 建立, 定期 without a stated level — set no threshold: such a target
    has no value (``None``), and cssp reports what it observes without a verdict.
    """

    #: a number the plan sets (专栏1, or a figure in the text).
    QUANTIFIED = "quantified"
    #: 全覆盖 / 所有 / 均 — every community.
    FULL_COVERAGE = "full_coverage"
    #: 全面 (全面推行, 全面落实 …) — in full: every community, like full coverage.
    COMPREHENSIVE = "comprehensive"
    #: 普遍 — generally.
    GENERALLY = "generally"
    #: 一般 — as a rule.
    AS_A_RULE = "as_a_rule"
    #: 应 — should.
    SHOULD = "should"
    #: a plain statement of what is to be so (社区服务网点的水、电、气、热执行居民生活类价格).
    STATED = "stated"
    #: 推进 / 推动 — a direction without a level.
    PROMOTE = "promote"
    #: 建立 (without a level) — a direction: establish.
    ESTABLISH = "establish"
    #: 定期 (without a frequency) — a direction: regularly.
    REGULARLY = "regularly"

    @property
    def zh(self) -> str:
        """The Chinese word of the plan."""
        return _STRENGTH_ZH[self]

    @property
    def en(self) -> str:
        """The English rendering: ``full coverage``, ``generally`` …"""
        return _STRENGTH_EN[self]

    @property
    def direction(self) -> bool:
        """True for words that set a direction, not a level: no verdict is given."""
        return self in (Strength.PROMOTE, Strength.ESTABLISH, Strength.REGULARLY)


_STRENGTH_ZH: Final = {
    Strength.QUANTIFIED: "量化目标",
    Strength.FULL_COVERAGE: "全覆盖",
    Strength.COMPREHENSIVE: "全面",
    Strength.GENERALLY: "普遍",
    Strength.AS_A_RULE: "一般",
    Strength.SHOULD: "应",
    Strength.STATED: "明确规定",
    Strength.PROMOTE: "推进",
    Strength.ESTABLISH: "建立",
    Strength.REGULARLY: "定期",
}
_STRENGTH_EN: Final = {
    Strength.QUANTIFIED: "quantified",
    Strength.FULL_COVERAGE: "full coverage",
    Strength.COMPREHENSIVE: "in full",
    Strength.GENERALLY: "generally",
    Strength.AS_A_RULE: "as a rule",
    Strength.SHOULD: "should",
    Strength.STATED: "stated",
    Strength.PROMOTE: "promote",
    Strength.ESTABLISH: "establish",
    Strength.REGULARLY: "regularly",
}


class IndicatorKind(enum.StrEnum):
    """How an indicator is aggregated over a region.

    * ``ratio``: a ratio of two community sums (Σ facility area ÷ Σ households).
    * ``coverage``: the share of communities that have something.
    * ``per_community``: a value each community must reach; a region's figure
      is the share of its communities that reach it.
    """

    RATIO = "ratio"
    COVERAGE = "coverage"
    PER_COMMUNITY = "per_community"


#: A coverage target is judged on each community (or township) only when every
#: one must have the thing: at this share, in percent. Below it — rural
#: facilities ≥ 80 %, 5G in ≥ 80 % of villages, a province's 90 % — a rate is a
#: property of a region: a community contributes to it and is not judged against it.
FULL_SHARE: Final = 100.0


def judged_per_unit(kind: IndicatorKind, comparator: Comparator, value: float | None) -> bool:
    """Whether a target can be judged on one community (or township): the rule, once.

    A direction (``value`` ``None``) is judged nowhere. A coverage rate is
    judged per unit only when it asks for every unit (≥ :data:`FULL_SHARE`, or
    ≤ 0 for a share that must be none); any other kind of target — a ratio, a
    value each community must reach — can be.

    >>> judged_per_unit(IndicatorKind.COVERAGE, Comparator.GE, 80.0)
    False
    >>> judged_per_unit(IndicatorKind.COVERAGE, Comparator.GE, 100.0)
    True
    >>> judged_per_unit(IndicatorKind.RATIO, Comparator.GE, 10.0)
    True
    """
    if value is None:
        return False
    if kind is not IndicatorKind.COVERAGE:
        return True
    if comparator in (Comparator.GE, Comparator.GT, Comparator.EQ) and value >= FULL_SHARE:
        return True
    return comparator in (Comparator.LE, Comparator.LT, Comparator.EQ) and value <= 0.0


def level_problem(
    kind: IndicatorKind,
    comparator: Comparator,
    value: float | None,
    levels: frozenset[Level],
    strength: Strength,
) -> str | None:
    """What is wrong with where a target is judged, or ``None``: the rule, checked at load time.

    A coverage rate below 100 % cannot be judged on a community or township
    (:func:`judged_per_unit`); a per-community requirement must list the
    community level; a target needs a level; and a value must be given
    exactly when the wording is not a direction.

    >>> print(level_problem(IndicatorKind.COVERAGE, Comparator.GE, 80.0,
    ...                     frozenset({Level.COMMUNITY, Level.REGION}), Strength.QUANTIFIED))
    a coverage rate of ≥80% is a property of a region: it cannot be judged at community level; ...
    """
    if not levels:
        return "has no level; name at least one"
    if (value is None) != strength.direction:
        if value is None:
            return (
                f"has no value, but {strength.value!r} is not a direction "
                "(promote, establish, regularly); give the figure"
            )
        return (
            f"is worded as a direction ({strength.value!r}: no level), but gives a value "
            f"({value:g}); drop one of them"
        )
    units = sorted(levels & {Level.COMMUNITY, Level.TOWNSHIP})
    if units and value is not None and not judged_per_unit(kind, comparator, value):
        return (
            f"a coverage rate of {comparator.symbol}{value:g}% is a property of a region: it "
            f'cannot be judged at {units[0].value} level; use levels = ["region"] (only a '
            "100% target is judged on each unit)"
        )
    if kind is IndicatorKind.PER_COMMUNITY and value is not None and Level.COMMUNITY not in levels:
        return "a per-community requirement is judged on each community: list the community level"
    return None


def coverage_levels(
    levels: frozenset[Level],
    kind: IndicatorKind,
    comparator: Comparator,
    value: float | None,
    unit: Level = Level.COMMUNITY,
) -> frozenset[Level]:
    """The levels a coverage target is judged at once its threshold is ``value``.

    Used when a profile changes a coverage target's threshold: a province's
    100 % makes it a community-level target too, its 90 % a region-only one.
    Other kinds, and directions, keep their ``levels``.

    :param unit: the unit of record: :attr:`Level.COMMUNITY`, or
        :attr:`Level.TOWNSHIP` for a target measured on township records.

    >>> sorted(coverage_levels(frozenset({Level.REGION}), IndicatorKind.COVERAGE,
    ...                        Comparator.GE, 100.0))
    [<Level.COMMUNITY: 'community'>, <Level.REGION: 'region'>]
    """
    if kind is not IndicatorKind.COVERAGE or value is None:
        return levels
    if judged_per_unit(kind, comparator, value):
        return levels | {unit, Level.REGION}
    return (levels - {Level.COMMUNITY, Level.TOWNSHIP}) | {Level.REGION}


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


class Change(enum.StrEnum):
    """How one step of a target's provenance changed the step before it."""

    #: the national plan sets it.
    SET = "set"
    #: a profile restates the same threshold (with its own citation).
    SAME = "same"
    #: a profile makes it harder to meet (or keeps the threshold, by an earlier
    #: year, or gives a level to a requirement the plan states as a direction).
    STRICTER = "stricter"
    #: a profile makes it easier to meet (or keeps the threshold, by a later year).
    LOOSER = "looser"
    #: a profile adds a target the plan does not have.
    NEW = "new"
    #: a more specific profile's staffing rule replaces a broader one's.
    REPLACED = "replaced"


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
        :func:`coverage_levels`); ``None`` when it did not.
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
    """

    id: str
    indicator: str
    comparator: Comparator
    value: float | None
    unit: str
    year: int
    scope: Scope
    levels: frozenset[Level]
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
    """

    id: str
    name: Text
    unit: str
    unit_label: Text
    kind: IndicatorKind
    measure: str | None
    citation: Citation
    baseline: Baseline | None = None
    targets: tuple[Target, ...] = ()
    description: Text | None = None
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
    def target(self) -> Target:
        """The indicator's target; for several, the one of the latest year."""
        if not self.targets:
            raise LookupError(f"indicator {self.id!r} has no target in this plan")
        return max(self.targets, key=lambda t: t.year)


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
