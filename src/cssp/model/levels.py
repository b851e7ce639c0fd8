"""Where a target is judged: on each community (or township), or on a region only.

The rule, once: a coverage rate below 100 % is a property of a region — a
community contributes to it and is not judged against it — and it is checked
when a catalogue or a profile is loaded (:func:`level_problem`).
"""

from __future__ import annotations

from typing import Final

from cssp.model.plan import Comparator, IndicatorKind, Level, Strength

__all__ = ["FULL_SHARE", "coverage_levels", "judged_per_unit", "level_problem"]


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

    :param unit: the unit of record: :attr:`~cssp.model.plan.Level.COMMUNITY`, or
        :attr:`~cssp.model.plan.Level.TOWNSHIP` for a target measured on township records.

    >>> sorted(coverage_levels(frozenset({Level.REGION}), IndicatorKind.COVERAGE,
    ...                        Comparator.GE, 100.0))
    [<Level.COMMUNITY: 'community'>, <Level.REGION: 'region'>]
    """
    if kind is not IndicatorKind.COVERAGE or value is None:
        return levels
    if judged_per_unit(kind, comparator, value):
        return levels | {unit, Level.REGION}
    return (levels - {Level.COMMUNITY, Level.TOWNSHIP}) | {Level.REGION}
