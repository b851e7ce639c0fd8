"""Results as plain dicts: the versioned JSON schema (docs/reference/json-schema.md)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final, TextIO

from cssp.catalogue import UNIT_LABELS
from cssp.model.divisions import division_path
from cssp.model.plan import (
    Change,
    Citation,
    Indicator,
    IndicatorKind,
    Level,
    Plan,
    Provenance,
    ReportedBy,
    Target,
    Text,
)
from cssp.report._common import STATUS_ORDER, by_rule, finite, tally

if TYPE_CHECKING:
    from cssp.engine.results import (
        Assessment,
        Counts,
        Finding,
        RegionAssessment,
        RegionReport,
        TownshipAssessment,
    )
    from cssp.model.notes import InputNotes
    from cssp.rules.profile import Profile
    from cssp.rules.resolve import EffectiveTargets

#: The version of the JSON documents; bumped when a field changes meaning or goes.
#: 2: a citation's ``note`` is a text object; statuses and counts gain
#: ``no_verdict``; a direction's ``value`` and ``required`` are ``null``.
SCHEMA_VERSION: Final = "2"


def dumps(document: dict[str, Any]) -> str:
    """The canonical JSON text: sorted keys, two-space indent, UTF-8 as is, a final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + (
        "\n"
    )


def text_dict(text: Text | None) -> dict[str, str] | None:
    return None if text is None else {"zh": text.zh, "en": text.en}


def reported_by_dict(reported_by: ReportedBy | None) -> dict[str, Any] | None:
    if reported_by is None:
        return None
    date = reported_by.date
    return {
        "outlet": text_dict(reported_by.outlet),
        "date": None if date is None else date.isoformat(),
        "text_zh": reported_by.text("zh"),
        "text_en": reported_by.text("en"),
    }


def citation_dict(citation: Citation) -> dict[str, Any]:
    return {
        "document": citation.document,
        "section": citation.section,
        "column": citation.column,
        "item": citation.item,
        "note": text_dict(citation.note),
        "title": text_dict(citation.title),
        "reported_by": reported_by_dict(citation.reported_by),
        "text_zh": citation.text("zh"),
        "text_en": citation.text("en"),
    }


def plan_dict(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.id,
        "title": text_dict(plan.title),
        "issuer": plan.issuer,
        "document": plan.document,
        "baseline_year": plan.baseline_year,
        "target_year": plan.target_year,
    }


def provenance_dict(step: Provenance) -> dict[str, Any]:
    return {
        "source": step.source,
        "profile": step.profile,
        "scope": step.scope,
        "comparator": step.comparator.value,
        "value": finite(step.value),
        "year": step.year,
        "citation": citation_dict(step.citation),
        "change": step.change.value,
        "levels": None if step.levels is None else sorted(level.value for level in step.levels),
    }


def _unit_label(target: Target, indicator: Indicator | None) -> Text:
    if indicator is not None:
        return indicator.unit_label

    return UNIT_LABELS.get(target.unit, Text(target.unit, target.unit))


def target_to_dict(target: Target, indicator: Indicator | None = None) -> dict[str, Any]:
    """One target as a dict of the JSON schema, with its provenance.

    :param target: the target (an effective target carries its provenance).
    :param indicator: the indicator it constrains, for its unit label and kind;
        without it the unit label comes from the catalogue's labels and
        ``kind`` is ``None``.
    """
    baseline = target.baseline
    return {
        "id": target.id,
        "indicator": target.indicator,
        "name": text_dict(target.name),
        "plan_wording": indicator.plan_wording if indicator is not None else None,
        "kind": indicator.kind.value if indicator is not None else None,
        "evaluation": indicator.evaluation if indicator is not None else None,
        "needs": text_dict(indicator.needs) if indicator is not None else None,
        "comparator": target.comparator.value,
        "value": None if by_rule(target) else finite(target.value),
        "unit": target.unit,
        "unit_label": text_dict(_unit_label(target, indicator)),
        "year": target.year,
        "year_stated": target.year_stated,
        "baseline": (
            None
            if baseline is None
            else {
                "year": baseline.year,
                "value": finite(baseline.value),
                "scope": baseline.scope,
                "citation": None if baseline.citation is None else citation_dict(baseline.citation),
            }
        ),
        "milestones": target.has_milestones,
        "region_share": finite(target.region_share),
        "attribute": target.attribute.value,
        "levels": sorted(level.value for level in target.levels),
        "scope": target.scope.value,
        "strength": target.strength.value,
        "citation": citation_dict(target.citation),
        "note": text_dict(target.note),
        "loosened": target.loosened,
        "provenance": [provenance_dict(step) for step in target.provenance],
    }


def _profile_dict(profile: Profile) -> dict[str, Any]:
    return {
        "id": profile.id,
        "scope": profile.scope,
        "source": profile.source,
        "title": text_dict(profile.title),
        "issuer": profile.issuer,
        "document": profile.document,
        "reported_by": str(profile.reported_by or ""),
        "reported": reported_by_dict(profile.reported_by),
    }


def targets_to_dict(effective: EffectiveTargets, code: str = "") -> dict[str, Any]:
    """The targets in force for ``code`` as a ``"targets"`` document.

    :param effective: what :func:`cssp.effective_targets` returned for ``code``.
    :param code: the division code it was resolved for (``""`` for the nation),
        shown with the names of the divisions enclosing it.
    :raises cssp.InputError: when ``code`` is not a division code.
    """

    divisions = division_path(code) if code else ()
    staffing = effective.staffing
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "targets",
        "plan": plan_dict(effective.plan),
        "code": code,
        "divisions": [{"code": c, "name": name} for c, name in divisions],
        "profiles": [_profile_dict(p) for p in effective.chain],
        "staffing": (
            None
            if staffing is None
            else {
                "description": text_dict(staffing.description),
                "applies_to": staffing.applies_to.value,
                "citation": citation_dict(staffing.citation),
            }
        ),
        "loosened": [t.id for t in effective.loosened],
        "targets": [target_to_dict(t, i) for i, t in effective.pairs],
    }


def counts_dict(counts: Counts | None) -> dict[str, int] | None:
    if counts is None:
        return None
    return {
        "met": counts.met,
        "not_met": counts.not_met,
        "not_applicable": counts.not_applicable,
        "no_data": counts.no_data,
        "no_verdict": counts.no_verdict,
    }


def finding_unit(finding: Finding) -> str:
    """The unit of a finding's observed and required values (pint notation).

    A region's figure for a per-community target is the share of its
    communities that reach it, in percent.
    """
    if finding.level is Level.REGION and finding.kind is IndicatorKind.PER_COMMUNITY:
        return "percent"
    return finding.target.unit


def profiles_of(target: Target) -> list[str]:
    """The ids of the profiles that changed or added the target, broadest first.

    A profile that restates the same threshold changes nothing and is not listed
    (it stays in the target's provenance).
    """
    changes = target.changes
    return [
        step.profile
        for index, step in enumerate(target.provenance)
        if (index > 0 and step in changes) or (index == 0 and step.change is not Change.SET)
    ]


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    """One finding as a dict of the JSON schema."""
    target = finding.target
    return {
        "target": target.id,
        "indicator": target.indicator,
        "name": text_dict(target.name),
        "kind": finding.kind.value,
        "status": finding.status.value,
        "comparator": target.comparator.value,
        "observed": finite(finding.observed),
        "required": finite(finding.required),
        "unit": finding_unit(finding),
        "unit_label": text_dict(finding.unit_label),
        "gap": finite(finding.gap),
        "level": finding.level.value,
        "subject": finding.subject,
        "year": finding.year,
        "milestone": finding.is_milestone,
        "on_track": finding.on_track,
        "reason": text_dict(finding.reason),
        "numerator": finite(finding.numerator),
        "denominator": finite(finding.denominator),
        "counts": counts_dict(finding.counts),
        "failing": list(finding.failing),
        "failing_lack": finding.lacking,
        "counted": "townships" if finding.unit is Level.TOWNSHIP else "communities",
        "approximate": finding.approximate,
        "loosened": target.loosened,
        "profiles": profiles_of(target),
        "explanation": {"zh": finding.explain("zh"), "en": finding.explain("en")},
    }


def summary_dict(findings: Iterable[Finding]) -> dict[str, int]:
    counts = tally(findings)
    return {status.value: counts[status] for status in STATUS_ORDER}


def _community_dict(assessment: Assessment) -> dict[str, Any]:
    c = assessment.community
    return {"code": c.code, "name": c.name, "kind": c.kind.value}


def _assessment_body(assessment: Assessment) -> dict[str, Any]:
    return {
        "community": _community_dict(assessment),
        "summary": summary_dict(assessment.findings),
        "findings": [finding_to_dict(f) for f in assessment.findings],
    }


def assessment_to_dict(assessment: Assessment) -> dict[str, Any]:
    """One community's assessment as an ``"assessment"`` document."""
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "assessment",
        "plan": plan_dict(assessment.plan),
        "year": assessment.year,
        **_assessment_body(assessment),
    }


def region_to_dict(region: RegionAssessment) -> dict[str, Any]:
    return {
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "communities": list(region.communities),
        "townships": list(region.townships),
        "summary": summary_dict(region.findings),
        "findings": [finding_to_dict(f) for f in region.findings],
    }


def township_to_dict(assessment: TownshipAssessment, region: str) -> dict[str, Any]:
    """One township record's findings (a township entry of a region report)."""
    t = assessment.township
    return {
        "township": {"code": t.code, "name": t.name},
        "region": region,
        "summary": summary_dict(assessment.findings),
        "findings": [finding_to_dict(f) for f in assessment.findings],
    }


def _profiles_seen(report: RegionReport) -> list[dict[str, str]]:
    seen: set[tuple[str, str, str]] = set()
    targets = [f.target for r in report.regions for f in r.findings]
    targets += [f.target for a in report.assessments for f in a.findings]
    if report.summary is not None:
        targets += report.summary.targets
    for target in targets:
        for index, step in enumerate(target.provenance):
            if index > 0 or step.change is not Change.SET:
                seen.add((step.profile, step.scope, step.source))
    return [
        {"id": profile, "scope": scope, "source": source}
        for profile, scope, source in sorted(seen, key=lambda s: (len(s[1]), s[1], s[0], s[2]))
    ]


def report_to_dict(report: RegionReport, *, include_communities: bool = True) -> dict[str, Any]:
    """A region report as a ``"region_report"`` document.

    The document does not depend on the order the communities were given:
    regions, their communities and the community list are sorted by code.

    :param report: what :func:`cssp.evaluate_region` returned.
    :param include_communities: include every community's findings
        (``communities``); ``False`` gives the regions alone, far smaller for
        large inputs.
    """
    document = _report_parts(report, include_communities=include_communities)
    for key in ("regions", "communities", "townships"):
        if key in document:
            document[key] = list(document[key])
    return document


def _report_parts(report: RegionReport, *, include_communities: bool) -> dict[str, Any]:
    """The document of :func:`report_to_dict`, its regions and communities made as they are
    read (iterators), so that it can be written a region at a time (:func:`write_document`)."""
    assessments = sorted(report.assessments, key=lambda a: a.community.key)
    failing = sum(1 for a in assessments if a.failing)
    communities = len(assessments)
    if report.summary is not None:
        communities, failing = report.summary.communities, report.summary.failing
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kind": "region_report",
        "plan": plan_dict(report.plan),
        "year": report.year,
        "by": report.by,
        "profiles": _profiles_seen(report),
        "summary": {
            "regions": len(report.regions),
            "communities": communities,
            "communities_failing": failing,
            "townships": len(report.townships),
            "region_findings": summary_dict(f for r in report.regions for f in r.findings),
        },
        "regions": (region_to_dict(r) for r in report.regions),
    }
    if report.input is not None:
        document["input"] = input_to_dict(report.input)
    if include_communities:
        region_of = {code: r.code for r in report.regions for code in r.communities}
        document["communities"] = (
            {"region": region_of.get(a.community.key, ""), **_assessment_body(a)}
            for a in assessments
        )
    if include_communities and report.townships:
        township_region = {code: r.code for r in report.regions for code in r.townships}
        document["townships"] = (
            township_to_dict(t, township_region.get(t.township.code, ""))
            for t in sorted(report.townships, key=lambda t: t.township.code)
        )
    return document


def write_document(document: dict[str, Any], out: TextIO) -> None:
    """Write ``document`` as :func:`dumps` gives it, byte for byte, a list item at a time for
    the values that are iterators (so that a large document is never whole in memory)."""
    out.write("{")
    for index, key in enumerate(sorted(document)):
        value = document[key]
        out.write(",\n  " if index else "\n  ")
        out.write(f"{_encode(key)}: ")
        if isinstance(value, Iterator):
            first = True
            for item in value:
                out.write("[\n    " if first else ",\n    ")
                out.write(_encode(item).replace("\n", "\n    "))
                first = False
            out.write("[]" if first else "\n  ]")
        else:
            out.write(_encode(value).replace("\n", "\n  "))
    out.write("\n}\n" if document else "}\n")


def _encode(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False)


def input_to_dict(notes: InputNotes) -> dict[str, Any]:
    """What reading the input said (:class:`~cssp.model.notes.InputNotes`), as the
    ``input`` field of a region report: ``skipped``, ``warnings`` (those kept: the first
    :data:`~cssp.model.notes.WARNINGS_KEPT` of a kind), ``warnings_left_out`` (how many
    more of each kind) and ``resolved``."""
    return {
        "skipped": [
            {
                "where": row.where,
                "problems": [
                    {"where": where, "message": message} for where, message in row.problems
                ],
            }
            for row in notes.skipped
        ],
        "warnings": [
            {"where": note.where, "message": note.message, "kind": note.group}
            for note in notes.warnings
        ],
        "warnings_left_out": [
            {"kind": kind, "count": count} for kind, count in notes.warnings_left_out
        ],
        "resolved": [
            {
                "where": place.where,
                "names": list(place.names),
                "code": place.code,
                "path": list(place.path),
            }
            for place in notes.resolved
        ],
    }


def programmes_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan's programme columns and items as a ``"programmes"`` document."""
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "programmes",
        "plan": plan_dict(plan),
        "groups": [
            {
                "column": group.column,
                "kind": group.kind,
                "title": text_dict(group.title),
                "citation": citation_dict(group.citation),
                "programmes": [
                    {
                        "id": p.id,
                        "column": p.column,
                        "item": p.item,
                        "title": text_dict(p.title),
                        "summary": text_dict(p.summary),
                        "citation": citation_dict(p.citation),
                        "targets": list(p.targets),
                    }
                    for p in group.programmes
                ],
            }
            for group in plan.programme_groups
        ],
    }
