"""Reports: evaluation results as text, JSON, Markdown, CSV and a self-contained HTML page.

Every function here takes what the engine returns — a
:class:`~cssp.engine.results.RegionReport`, an
:class:`~cssp.engine.results.Assessment` or the
:class:`~cssp.rules.resolve.EffectiveTargets` of a code — and gives back a
string, ready to print or write to a file. Nothing is printed or written here.

>>> import cssp
>>> from cssp.report import render_report
>>> report = cssp.evaluate_region(cssp.load_sample(), by="province", profiles=())
>>> print(render_report(report, "text", lang="en").splitlines()[-1])
2 regions: 15 region findings met, 38 not met, 8 without a verdict, 1 without data, 2 not ap...

The formats (:data:`FORMATS`):

``text``
    For a terminal: aligned tables (Chinese characters count as two columns),
    Chinese by default, ``lang="en"`` for English; ANSI colour only with
    ``colour=True`` (green met, red not met, yellow no data, dim not applicable).
``json``
    A versioned document (:data:`SCHEMA_VERSION`), described field by field in
    :doc:`/reference/json-schema`; the same input always gives the same bytes
    (sorted keys, communities sorted by code).
``markdown``
    Headings per region and GitHub-style tables, ``|`` escaped in cells.
``csv``
    One row per region and target (a report) or per community and target (an
    assessment), with a header row. The text starts with a UTF-8 byte order
    mark (``"\\ufeff"``) so that Excel opens Chinese text correctly; write it
    with ``encoding="utf-8"`` (not ``"utf-8-sig"``, which would add a second).
``html``
    One self-contained page: inline CSS and SVG charts, no script and no
    external reference of any kind, so it opens offline and prints.

Every text output ends with a newline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, TextIO

from cssp.report import _csv, _html, _markdown, _schema, _text
from cssp.report._common import check_format, check_lang
from cssp.report._imprint import ReportSource
from cssp.report._schema import (
    assessment_to_dict,
    dumps,
    input_to_dict,
    programmes_to_dict,
    report_to_dict,
    target_to_dict,
    targets_to_dict,
)

if TYPE_CHECKING:
    from cssp.engine.results import Assessment, RegionReport
    from cssp.model.plan import Plan
    from cssp.rules.resolve import EffectiveTargets

__all__ = [
    "FORMATS",
    "PROGRAMME_FORMATS",
    "SCHEMA_VERSION",
    "TARGET_FORMATS",
    "ReportSource",
    "assessment_to_dict",
    "dumps",
    "input_to_dict",
    "programmes_to_dict",
    "render_assessment",
    "render_explain",
    "render_programmes",
    "render_report",
    "render_targets",
    "report_to_dict",
    "target_to_dict",
    "targets_to_dict",
    "write_report_json",
]

#: The version of the JSON documents (their ``schema_version`` field): bumped
#: when a field is removed or renamed or changes meaning, not when one is added.
SCHEMA_VERSION: Final = _schema.SCHEMA_VERSION
#: The output formats of :func:`render_report` and :func:`render_assessment`.
FORMATS: Final = ("text", "json", "markdown", "csv", "html")
#: The formats of :func:`render_targets`.
TARGET_FORMATS: Final = ("text", "json", "markdown", "csv")
#: The formats of :func:`render_programmes`.
PROGRAMME_FORMATS: Final = ("text", "json", "markdown")


def render_report(
    report: RegionReport,
    format: str,
    *,
    lang: str = "zh",
    colour: bool = False,
    include_communities: bool = True,
    source: ReportSource | None = None,
) -> str:
    """Render a region report in one of :data:`FORMATS`.

    The HTML page lists at most 200 failing communities per region and counts
    the rest; the other formats list them all. The HTML and Markdown reports
    open with the report's particulars — the area, the date, the data files
    (name, rows, SHA-256), the plan and the clauses judged, the profiles in
    force, cssp's version and the command that makes the report again — from
    ``source`` and the report; the HTML page prints on A4 with the title and
    the page number on every page.

    :param report: what :func:`cssp.evaluate_region` returned.
    :param format: ``"text"``, ``"json"``, ``"markdown"``, ``"csv"`` or ``"html"``.
    :param lang: ``"zh"`` (the default) or ``"en"``: the language of names and
        labels (JSON always carries both).
    :param colour: ANSI colour in ``text`` output; ignored by the other formats.
    :param include_communities: for ``json``, every community's findings too
        (see :func:`report_to_dict`); about 25 kB per community.
    :param source: the input files, the command and the date
        (:class:`ReportSource`), for the HTML and Markdown reports (the other
        formats do not print them).
    :raises cssp.InputError: for an unknown format or language (path ``format``
        or ``lang``).
    """
    check_format(format, FORMATS, "a region report")
    check_lang(lang)
    if format == "json":
        return dumps(report_to_dict(report, include_communities=include_communities))
    if format == "text":
        return _text.render_report(report, lang, colour)
    if format == "markdown":
        return _markdown.render_report(report, lang, source)
    if format == "csv":
        return _csv.render_report(report, lang)
    return _html.render_report(report, lang, source)


def write_report_json(
    report: RegionReport, out: TextIO, *, include_communities: bool = True
) -> None:
    """Write a region report's JSON document to ``out``, a region (and community) at a time.

    The bytes are those of ``render_report(report, "json")``; the document is
    never whole in memory, only the text of one region at a time.
    """
    _schema.write_document(
        _schema._report_parts(report, include_communities=include_communities), out
    )


def render_assessment(
    assessment: Assessment, format: str, *, lang: str = "zh", colour: bool = False
) -> str:
    """Render one community's assessment in one of :data:`FORMATS`.

    :param assessment: what :func:`cssp.evaluate` returned.
    :param format: ``"text"``, ``"json"``, ``"markdown"``, ``"csv"`` or ``"html"``.
    :param lang: ``"zh"`` (the default) or ``"en"``.
    :param colour: ANSI colour in ``text`` output.
    :raises cssp.InputError: for an unknown format or language.
    """
    check_format(format, FORMATS, "an assessment")
    check_lang(lang)
    if format == "json":
        return dumps(assessment_to_dict(assessment))
    if format == "text":
        return _text.render_assessment(assessment, lang, colour)
    if format == "markdown":
        return _markdown.render_assessment(assessment, lang)
    if format == "csv":
        return _csv.render_assessment(assessment, lang)
    return _html.render_assessment(assessment, lang)


def render_explain(
    assessment: Assessment, *, colour: bool = False, all_findings: bool = True
) -> str:
    """The findings of one community, in Chinese and in English, as text, and a summary.

    Each finding shows its status, the target's names, the explanation in both
    languages, the citation, how the plan words it, and the provenance of the
    target: the national plan's step and each profile's, with its citation.

    :param assessment: what :func:`cssp.evaluate` returned.
    :param colour: ANSI colour for the statuses.
    :param all_findings: every finding; ``False`` shows the unmet ones only,
        before the summary of all (what ``cssp explain`` prints without ``--all``).
    """
    return _text.render_explain(assessment, colour, all_findings)


def render_targets(
    effective: EffectiveTargets, format: str, *, lang: str = "zh", code: str = ""
) -> str:
    """Render the targets in force for a code, with provenance.

    :param effective: what :func:`cssp.effective_targets` returned for ``code``.
    :param format: ``"text"``, ``"json"``, ``"markdown"`` or ``"csv"``.
    :param lang: ``"zh"`` or ``"en"``.
    :param code: the division code the targets were resolved for (``""``: the nation).
    :raises cssp.InputError: for an unknown format or language, or a malformed code.
    """
    check_format(format, TARGET_FORMATS, "targets")
    check_lang(lang)
    if format == "json":
        return dumps(targets_to_dict(effective, code))
    if format == "text":
        return _text.render_targets(effective, lang, code)
    if format == "markdown":
        return _markdown.render_targets(effective, lang, code)
    return _csv.render_targets(effective, lang, code)


def render_programmes(plan: Plan, format: str, *, lang: str = "zh") -> str:
    """Render the plan's programme columns (专栏2–6) and their items.

    :param plan: a plan (:func:`cssp.load_plan`).
    :param format: ``"text"``, ``"json"`` or ``"markdown"``.
    :param lang: ``"zh"`` or ``"en"``.
    :raises cssp.InputError: for an unknown format or language.
    """
    check_format(format, PROGRAMME_FORMATS, "programmes")
    check_lang(lang)
    if format == "json":
        return dumps(programmes_to_dict(plan))
    if format == "text":
        return _text.render_programmes(plan, lang)
    return _markdown.render_programmes(plan, lang)
