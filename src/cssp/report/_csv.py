"""CSV for spreadsheets: one row per region and target, or per community and target.

The text starts with a UTF-8 byte order mark so that Excel reads Chinese text
as UTF-8. A cell whose text a spreadsheet would run as a formula (it begins
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, and is not a
number) gets a leading apostrophe (:func:`~cssp.report._common.spreadsheet_text`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final

from cssp.report._common import by_rule, plain, region_label, spreadsheet_text

if TYPE_CHECKING:
    from cssp.engine.results import Assessment, RegionReport
    from cssp.rules.resolve import EffectiveTargets

BOM: Final = "\ufeff"

#: The header of a region report's CSV.
REPORT_HEADER: Final = (
    "region_code",
    "region_name",
    "level",
    "target",
    "indicator_name",
    "status",
    "observed",
    "required",
    "unit",
    "met",
    "not_met",
    "not_applicable",
    "no_data",
    "no_verdict",
    "failing",
    "approximate",
)

#: The header of an assessment's CSV.
ASSESSMENT_HEADER: Final = (
    "community_code",
    "community_name",
    "target",
    "indicator_name",
    "status",
    "observed",
    "required",
    "unit",
    "gap",
    "reason",
    "explanation",
    "approximate",
)

#: The header of the targets' CSV.
TARGETS_HEADER: Final = (
    "code",
    "target",
    "indicator",
    "indicator_name",
    "comparator",
    "value",
    "unit",
    "year",
    "baseline_year",
    "baseline_value",
    "attribute",
    "levels",
    "scope",
    "strength",
    "evaluation",
    "year_stated",
    "citation",
    "loosened",
    "provenance",
)


def _write(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([spreadsheet_text(cell) for cell in row] for row in rows)
    return BOM + buffer.getvalue()


def render_report(report: RegionReport, lang: str) -> str:
    rows = []
    for region in report.regions:
        for f in region.findings:
            c = f.counts
            counts = (
                [c.met, c.not_met, c.not_applicable, c.no_data, c.no_verdict]
                if c
                else [0, 0, 0, 0, 0]
            )
            rows.append(
                [
                    region.code,
                    region_label(region, lang),
                    region.level,
                    f.target.id,
                    f.target.name.get(lang),
                    f.status.value,
                    plain(f.observed),
                    plain(f.required),
                    f.unit_label.get(lang),
                    *counts,
                    ";".join(f.failing),
                    "yes" if f.approximate else "",
                ]
            )
    return _write(REPORT_HEADER, rows)


def assessment_rows(assessment: Assessment, lang: str) -> list[list[str]]:
    c = assessment.community
    return [
        [
            c.code,
            c.name,
            f.target.id,
            f.target.name.get(lang),
            f.status.value,
            plain(f.observed),
            plain(f.required),
            f.unit_label.get(lang),
            plain(f.gap),
            f.reason.get(lang) if f.reason else "",
            f.explain(lang),
            "yes" if f.approximate else "",
        ]
        for f in assessment.findings
    ]


def render_assessment(assessment: Assessment, lang: str) -> str:
    return _write(ASSESSMENT_HEADER, assessment_rows(assessment, lang))


def render_targets(effective: EffectiveTargets, lang: str, code: str) -> str:
    rows = []
    for indicator, t in effective.pairs:
        rule = "rule" if by_rule(t) else "none"
        steps = " > ".join(
            f"{s.profile}:{s.change.value}:"
            + (rule if s.value is None else f"{s.comparator.symbol}{plain(s.value)}")
            for s in t.provenance
        )
        rows.append(
            [
                code,
                t.id,
                t.indicator,
                t.name.get(lang),
                t.comparator.value,
                "" if by_rule(t) else plain(t.value),
                indicator.unit_label.get(lang),
                t.year,
                t.baseline.year if t.baseline else "",
                plain(t.baseline.value) if t.baseline else "",
                t.attribute.value,
                ";".join(sorted(level.value for level in t.levels)),
                t.scope.value,
                t.strength.value,
                indicator.evaluation,
                "true" if t.year_stated else "false",
                t.citation.text(lang),
                "true" if t.loosened else "false",
                steps,
            ]
        )
    return _write(TARGETS_HEADER, rows)
