"""Township-level targets: each township record judged, and its figures for the regions.

A township-level target (乡镇（街道）社会工作站, 专栏6 item 3) is measured on
township records (:class:`~cssp.model.township.Township`), through the
measure's declaration (:meth:`Measure.observe_township
<cssp.model.measures.Measure.observe_township>`), and compared by the one
comparison rule. A region's figure is the share of its townships, as a
community target's is of its communities: the same region verdict
(:func:`~cssp.engine.program.region_finding`). Both engines evaluate township
records through :func:`township_raws` — a nation has some 38,600 of them, a
trifle beside its 615,000 communities.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Final

from cssp.engine.program import Check, Program, Raw, region_finding
from cssp.engine.results import STATUS_CODES, Counts, Finding
from cssp.model.measures import Skip, Status
from cssp.model.plan import Level
from cssp.model.township import Township

__all__ = ["township_findings", "township_raws", "township_region_findings"]

_MEASURED: Final = frozenset({Status.MET, Status.NOT_MET, Status.NO_VERDICT})


def township_raws(program: Program, township: Township) -> dict[str, Raw]:
    """Every township check of ``program`` on one record, by target id."""
    out: dict[str, Raw] = {}
    for check in program.township_checks:
        out[check.target.id] = _raw(check, township)
    return out


def _raw(check: Check, township: Township) -> Raw:
    threshold = check.threshold
    found = check.measure.observe_township(township)
    if isinstance(found, Skip):
        return (found.status, 0.0, 0.0, found.reason, threshold)
    numerator, denominator = found
    if not check.community:  # judged for regions only, or a direction
        return (Status.NO_VERDICT, numerator, denominator, None, threshold)
    holds = check.holds(check.scale * numerator, threshold * denominator)
    return (Status.MET if holds else Status.NOT_MET, numerator, denominator, None, threshold)


def township_findings(program: Program, township: Township) -> tuple[Finding, ...]:
    """The findings of one township record, one per township check."""
    raws = township_raws(program, township)
    findings = []
    for check in program.township_checks:
        status, numerator, denominator, reason, threshold = raws[check.target.id]
        measured = status in _MEASURED
        findings.append(
            Finding(
                target=check.target,
                status=status,
                subject=township.code,
                level=Level.TOWNSHIP,
                year=program.year,
                observed=check.scale * numerator / denominator if measured else None,
                required=None if check.direction else threshold,
                unit_label=check.unit_label,
                kind=check.kind,
                reason=reason,
                numerator=numerator if measured else None,
                denominator=denominator if measured else None,
                presence=check.presence,
            )
        )
    return tuple(findings)


def township_region_findings(
    program: Program, code: str, members: Iterable[tuple[str, Mapping[str, Raw]]]
) -> dict[str, Finding]:
    """A region's findings on the township checks, from its townships' raw results.

    :param members: each township's code and its raws (:func:`township_raws`),
        sorted by code.
    """
    items = list(members)
    out: dict[str, Finding] = {}
    for check in program.township_checks:
        if not check.region:
            continue
        target_id = check.target.id
        tally = dict.fromkeys(STATUS_CODES, 0)
        numerators: list[float] = []
        denominators: list[float] = []
        failing = []
        for member, raws in items:
            status, numerator, denominator, _, _ = raws[target_id]
            tally[status] += 1
            lacking = check.lacking and status is Status.NO_VERDICT and numerator == 0
            if status is Status.NOT_MET or lacking:
                failing.append(member)
            if status in _MEASURED:
                numerators.append(numerator)
                denominators.append(denominator)
        counts = Counts(*(tally[status] for status in STATUS_CODES))
        out[target_id] = region_finding(
            check,
            code,
            program.year,
            counts,
            math.fsum(numerators),
            math.fsum(denominators),
            tuple(failing),
        )
    return out
