"""Per-community findings that stream and stay small: ``json-compact`` and ``jsonl``.

A ``json-compact`` document (kind ``compact_report``) states each target — its
name, unit, citation and the templates of its explanations — once, in
``targets``, and each community's and region's findings as short arrays that
point at them::

    {"schema_version": "1", "kind": "compact_report",
     "communities": [
       {"code": "440106001001", "name": "…", "kind": "urban",
        "findings": [[0, "met", 26.76, 20.0, null], [3, "no_data", null, 1.0, 0], …]},
       …],
     "targets": [{"id": "…", "citation": {…}, "explanation": {"zh": {…}, "en": {…}}, …}, …],
     "reasons": [{"zh": "…", "en": "…"}, …],
     "plan": …, "year": …, "by": …, "profiles": […], "summary": {…}, "regions": […]}

A finding is ``[target, status, observed, required, reason]``: the index of
its target in ``targets``, its status, the observed value (``null`` when
there is none) and the threshold required, in the target's unit, and the
index of the reason in ``reasons`` (for not applicable and no data). A
region's finding adds its counts (``[met, not_met, not_applicable,
no_data]``), the sums of its numerator and denominator, and the communities
failing it (at most ``--members`` of them; the counts say how many). The
communities come first, in the order read, so that the document is written as
they are evaluated; the regions come last. ``jsonl`` writes one community a
line, each finding keyed by its target's id: ``{"code": …, "name": …, "kind":
…, "findings": {"target_id": [status, observed, required]}}``.

>>> import io, json, cssp
>>> report = cssp.evaluate_region(cssp.load_sample(), by="province", profiles=())
>>> out = io.StringIO()
>>> writer = CompactWriter(out)
>>> writer.write(report.assessments)
>>> writer.close(report)
>>> document = json.loads(out.getvalue())
>>> document["kind"], len(document["communities"]) == len(report.assessments)
('compact_report', True)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final, TextIO

import attrs

from cssp.model.measures import Status
from cssp.model.plan import Text
from cssp.report._common import finite
from cssp.report._schema import SCHEMA_VERSION, _report_parts, target_to_dict, text_dict

if TYPE_CHECKING:
    from cssp.engine.results import Assessment, Finding, RegionAssessment, RegionReport
    from cssp.model.plan import Target

__all__ = ["CompactWriter"]

# Values that stand for the figures in an explanation, replaced by placeholders.
_OBSERVED: Final = 987654.25
_REQUIRED: Final = 123456.75
_PLACES: Final = (
    ("987,654.25", "{observed}"),
    ("123,456.75", "{required}"),
    ("864,197.5", "{gap}"),
)


class CompactWriter:
    """Writes per-community findings to a text stream as they come (see the module).

    :param out: where to write.
    :param lines: JSON Lines (one community a line) instead of one document.
    """

    def __init__(self, out: TextIO, *, lines: bool = False) -> None:
        self.out = out
        self.lines = lines
        self._targets: dict[tuple[Target, str], int] = {}
        self._target_list: list[dict[str, Any]] = []
        self._reasons: dict[Text, int] = {}
        self._started = False
        self._first = True
        #: how many communities were written.
        self.written = 0
        #: how many of them fail a target.
        self.failing = 0

    def write(self, assessments: Iterable[Assessment]) -> None:
        """Write the findings of these communities."""
        out = self.out
        if not self.lines and not self._started:
            out.write(f'{{"schema_version": "{SCHEMA_VERSION}", "kind": "compact_report",\n')
            out.write('"communities": [\n')
            self._started = True
        for assessment in assessments:
            community = assessment.community
            if self.lines:
                record: dict[str, Any] = {
                    "code": community.code,
                    "name": community.name,
                    "kind": community.kind.value,
                    "findings": {
                        f.target.id: [_VALUES[f.status], _finite(f.observed), _finite(f.required)]
                        for f in assessment.findings
                    },
                }
                out.write(_dumps(record))
                out.write("\n")
            else:
                record = {
                    "code": community.code,
                    "name": community.name,
                    "kind": community.kind.value,
                    "findings": [self._finding(f) for f in assessment.findings],
                }
                if not self._first:
                    out.write(",\n")
                out.write(_dumps(record))
                self._first = False
            self.written += 1
            self.failing += bool(assessment.failing)

    def _finding(self, finding: Finding) -> list[Any]:
        key = (finding.target, finding.level.value)
        target = self._targets.get(key)
        if target is None:
            target = self._targets[key] = len(self._target_list)
            self._target_list.append(_target(finding))
        reason = None
        if finding.reason is not None:
            reason = self._reasons.setdefault(finding.reason, len(self._reasons))
        return [
            target,
            _VALUES[finding.status],
            _finite(finding.observed),
            _finite(finding.required),
            reason,
        ]

    def _region(self, region: RegionAssessment) -> dict[str, Any]:
        findings = []
        for f in region.findings:
            c = f.counts
            counts = [c.met, c.not_met, c.not_applicable, c.no_data] if c else None
            findings.append(
                [
                    *self._finding(f),
                    counts,
                    finite(f.numerator),
                    finite(f.denominator),
                    list(f.failing),
                ]
            )
        return {
            "code": region.code,
            "name": region.name,
            "level": region.level,
            "communities": list(region.communities),
            "findings": findings,
        }

    def close(self, report: RegionReport | None = None) -> None:
        """End the document: the targets and reasons met, then the report's regions, summary
        and input notes (``report``: the regions-only report of the run). JSON Lines end
        as they are."""
        if self.lines:
            return
        if not self._started:
            self.write(())
        rest: dict[str, Any] = {}
        if report is not None:
            parts = _report_parts(report, include_communities=False)
            for key in ("schema_version", "kind", "regions"):
                parts.pop(key)  # the regions are written here, compactly
            rest.update(parts)
            for region in report.regions:  # their targets and reasons, listed before them
                for finding in region.findings:
                    self._finding(finding)
            rest["regions"] = (self._region(region) for region in report.regions)
        rest["targets"] = self._target_list
        rest["reasons"] = [text_dict(reason) for reason in self._reasons]
        out = self.out
        out.write("\n],\n")
        last = len(rest) - 1
        for index, (key, value) in enumerate(sorted(rest.items())):
            out.write(f"{json.dumps(key)}: ")
            if isinstance(value, list | Iterator):  # one item a line, a line at a time
                first = True
                for item in value:
                    out.write(f"{'[' if first else ','}\n{_dumps(item)}")
                    first = False
                out.write("[]" if first else "\n]")
            else:
                out.write(_dumps(value))
            out.write(f"{'' if index == last else ','}\n")
        out.write("}\n")


def _dumps(record: dict[str, Any]) -> str:
    return _ENCODE(record)


#: One encoder for every record (``json.dumps`` with these options makes one a call).
_ENCODE: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
#: Each status's value (an enum's ``value`` is a property).
_VALUES: Final = {status: status.value for status in Status}


def _finite(value: float | None) -> float | None:
    """:func:`~cssp.report._common.finite`, with a float kept as it is without a call."""
    if type(value) is float and value - value == 0.0:
        return value
    return finite(value)


def _target(finding: Finding) -> dict[str, Any]:
    """A target as ``targets`` states it: the targets document's fields, the level it was
    judged at, and its explanations with placeholders, by status."""
    described = target_to_dict(finding.target)
    described["unit_label"] = text_dict(finding.unit_label)
    described["kind"] = finding.kind.value
    described["level"] = finding.level.value
    described["explanation"] = {lang: _templates(finding, lang) for lang in ("zh", "en")}
    return described


def _templates(finding: Finding, lang: str) -> dict[str, str]:
    """The explanation of each status, with ``{observed}``, ``{required}``, ``{gap}`` and
    ``{reason}`` where a community's figures go (as :meth:`Finding.explain` words them)."""
    out = {}
    for status in Status:
        sample = attrs.evolve(
            finding,
            status=status,
            observed=_OBSERVED,
            required=_REQUIRED,
            reason=Text("{reason}", "{reason}"),
            approximate=False,
        )
        text = sample.explain(lang)
        for value, placeholder in _PLACES:
            text = text.replace(value, placeholder)
        out[status.value] = text
    return out
