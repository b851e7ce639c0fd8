"""The plan's vocabularies: how a target compares, where and for whom it applies,
how strongly the plan words it, and how a profile changed it.

Defined here and named from :mod:`cssp.model.plan`, where they are documented.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, Final

__all__ = [
    "REL_TOL",
    "Attribute",
    "Change",
    "Comparator",
    "IndicatorKind",
    "Level",
    "Scope",
    "Strength",
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

    def source(
        self,
        lhs: str,
        rhs: str,
        bound: str | None = None,
        tol: str = "REL_TOL",
        *,
        nonnegative: bool = False,
    ) -> str:
        """The comparison of :attr:`holds` as Python source, for generated code.

        :param lhs: the expression of the left-hand side (``scale × numerator``).
        :param rhs: a name holding the right-hand side (``threshold × denominator``).
        :param bound: the bound already computed from ``rhs`` (a literal), when
            ``rhs`` is a constant; see :meth:`bound`.
        :param tol: the expression of the tolerance (:data:`REL_TOL`).
        :param nonnegative: ``rhs`` is known to be ≥ 0, so ``abs(rhs)`` is
            written ``rhs`` (the same float; a zero's sign cannot change the test).

        >>> Comparator.GE.source("n", "rhs")
        'n >= rhs - REL_TOL * abs(rhs)'
        """
        test, bound_source = _SOURCES[self.value]
        if bound is None:
            bound = bound_source.format(rhs=rhs, tol=tol)
            if nonnegative:
                bound = bound.replace(f"abs({rhs})", rhs)
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
    at follows one rule, :func:`~cssp.model.levels.judged_per_unit`.
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
