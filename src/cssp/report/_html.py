"""One self-contained HTML page: inline CSS and SVG, no script, no external reference.

The page opens offline and prints: every style is in one ``<style>`` element
(the stylesheet ``report.css``, shipped beside this module), every chart is
inline SVG (drawn by ``cssp.report._charts``), and nothing is fetched — no
font, no image, no stylesheet, no script. All text from the plan, the profiles
and the data is escaped. This module assembles the page; its words are in
``cssp.report._labels``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Final

from cssp.catalogue import UNIT_LABELS
from cssp.model.measures import Status
from cssp.model.plan import Change, IndicatorKind, Text
from cssp.report._charts import (
    _bar_chart,
    _f,
    _histogram,
    _histogram_targets,
    _mini_bar,
    _stacked,
)
from cssp.report._common import (
    CHANGE_LABELS,
    LEVEL_LABELS,
    STATUS_LABELS,
    STATUS_MARKS,
    STATUS_ORDER,
    by_code,
    changed_by_profile,
    community_kind,
    community_targets,
    division_line,
    failing_in,
    find,
    input_sections,
    number,
    observed,
    reference_name,
    region_label,
    regional_targets,
    step_threshold,
    tally,
    target_threshold,
    threshold,
    with_unit,
)
from cssp.report._labels import _CLASS, _l, esc

if TYPE_CHECKING:
    from cssp.engine.results import Assessment, Finding, RegionAssessment, RegionReport
    from cssp.model.plan import Target


@cache
def _stylesheet() -> str:
    """The page's stylesheet, ``report.css`` beside this module: read once."""
    return files("cssp.report").joinpath("report.css").read_text(encoding="utf-8")


# --- small pieces -----------------------------------------------------------------


def _badge(status: Status, lang: str) -> str:
    label = STATUS_LABELS[status].get(lang)
    return f'<span class="badge s-{_CLASS[status]}">{STATUS_MARKS[status]} {esc(label)}</span>'


def _legend(lang: str, statuses: Sequence[Status] = STATUS_ORDER) -> str:
    items = "".join(
        f'<span><i class="k-{_CLASS[s]}"></i>{esc(STATUS_LABELS[s].get(lang))}</span>'
        for s in statuses
    )
    return f'<div class="legend">{items}</div>'


def _unique_labels(regions: Sequence[RegionAssessment], lang: str) -> dict[str, str]:
    names = [region_label(r, lang) for r in regions]
    return {
        r.code: (f"{name} {r.code}" if names.count(name) > 1 and r.code else name)
        for r, name in zip(regions, names, strict=True)
    }


# --- the region report --------------------------------------------------------------


def _masthead_report(report: RegionReport, lang: str) -> str:
    plan = report.plan
    title = f"《{plan.title.zh}》" if lang == "zh" else plan.title.en
    level = LEVEL_LABELS.get(report.by, Text(report.by, report.by)).get(lang)
    meta = [
        plan.document,
        _l("target_year", lang, year=report.year),
        _l("by", lang, level=level),
    ]
    counts = tally(f for r in report.regions for f in r.findings)
    evaluated = counts[Status.MET] + counts[Status.NOT_MET]
    failing = sum(1 for a in report.assessments if a.failing)
    total = len(report.assessments)
    total_findings = max(1, sum(counts.values()))
    meter = "".join(
        f'<i class="k-{_CLASS[s]}" style="width:{_f(100 * counts[s] / total_findings)}%"></i>'
        for s in STATUS_ORDER
        if counts[s]
    )
    kpis = [
        (str(len(report.regions)), "", _l("regions", lang), ""),
        (str(total), "", _l("communities", lang), ""),
        (
            str(counts[Status.MET]),
            f"/ {evaluated}",
            _l("region_met", lang),
            f'<div class="meter">{meter}</div>',
        ),
        (str(failing), f"/ {total}", _l("failing_communities", lang), ""),
    ]
    cards = "".join(
        f'<div class="kpi"><b>{esc(big)}<small>{esc(small)}</small></b>'
        f"<span>{esc(label)}</span>{extra}</div>"
        for big, small, label, extra in kpis
    )
    return (
        '<header class="masthead"><div class="wrap">'
        f'<p class="eyebrow">{esc(_l("eyebrow", lang))}</p>'
        f"<h1>{esc(title)}</h1>"
        f'<p class="meta">{"".join(f"<span>{esc(m)}</span>" for m in meta)}</p>'
        f'<div class="kpis">{cards}</div>'
        "</div></header>"
    )


def _target_text(finding: Finding, lang: str) -> str:
    return threshold(
        finding.target.comparator, finding.required, finding.unit_label.get(lang), lang
    )


def _highlights(report: RegionReport, lang: str) -> str:
    """Three to five sentences a reader takes away: the totals, the weakest targets, ..."""
    zh = lang == "zh"
    points = []
    counts = tally(f for r in report.regions for f in r.findings)
    met, not_met = counts[Status.MET], counts[Status.NOT_MET]
    no_data = counts[Status.NO_DATA]
    if zh:
        text = f"{met + not_met}项区域指标有评估结论：达标{met}项，未达标{not_met}项"
        text += f"；另有{no_data}项因缺少数据无法评估。" if no_data else "。"
    else:
        text = f"{met + not_met} region findings have a verdict: {met} met, {not_met} not met"
        text += f"; {no_data} more lack the data to be evaluated." if no_data else "."
    points.append(text)
    rates = []
    for target_id in community_targets(report.assessments):
        findings = [f for a in report.assessments if (f := find(a.findings, target_id))]
        c = tally(findings)
        evaluated = c[Status.MET] + c[Status.NOT_MET]
        if evaluated and c[Status.NOT_MET]:
            rates.append((c[Status.MET] / evaluated, findings[0].target.name.get(lang)))
    if rates:
        weakest = sorted(rates)[:3]
        listed = ("、" if zh else "; ").join(
            f"{name}（{number(100 * rate)}%）" if zh else f"{name} ({number(100 * rate)}%)"
            for rate, name in weakest
        )
        points.append(
            f"社区达标率最低的指标：{listed}。"
            if zh
            else f"Targets the fewest communities meet: {listed}."
        )
    worst = max((len(r.failing) for r in report.regions), default=0)
    if worst and len(report.regions) > 1:
        names = [region_label(r, lang) for r in report.regions if len(r.failing) == worst]
        joined = ("、" if zh else ", ").join(names)
        points.append(
            f"未达标指标最多的区域：{joined}（{worst}项）。"
            if zh
            else f"Most region targets not met: {joined} ({worst})."
        )
    # Loosened targets, by the standard they are looser than (the national plan's first).
    loosened: dict[tuple[bool, str], set[str]] = {}
    for f in (f for r in report.regions for f in r.findings if f.target.loosened):
        key = (f.target.provenance[0].change is not Change.SET, _looser(f.target, lang))
        loosened.setdefault(key, set()).add(f.target.name.get(lang))
    for (_, looser), targets in sorted(loosened.items()):
        joined = ("、" if zh else ", ").join(sorted(targets))
        points.append(
            f"注意：以下目标的本地标准{looser}：{joined}。"
            if zh
            else f"Note: local standards {looser}: {joined}."
        )
    if report.year < report.plan.target_year:
        points.append(
            f"评估年份{report.year}年早于规划目标年{report.plan.target_year}年，"
            "有基线值的指标按阶段目标评估。"
            if zh
            else f"{report.year} is before the plan's target year {report.plan.target_year}: "
            "targets with a baseline are evaluated against their milestone for the year."
        )
    items = "".join(f"<li>{esc(point)}</li>" for point in points)
    heading = "要点" if zh else "Key points"
    return f'<div class="highlights"><h3>{esc(heading)}</h3><ul>{items}</ul></div>'


def _overview(report: RegionReport, target_ids: Sequence[str], lang: str) -> str:
    labels = _unique_labels(report.regions, lang)
    head = "".join(f'<th class="num">{esc(labels[r.code])}</th>' for r in report.regions)
    rows = []
    for target_id in target_ids:
        findings = [find(r.findings, target_id) for r in report.regions]
        first = next(f for f in findings if f is not None)
        targets = {_target_text(f, lang) for f in findings if f is not None}
        target_cell = next(iter(targets)) if len(targets) == 1 else _l("varies", lang)
        cells = []
        for f in findings:
            if f is None:
                cells.append('<td class="cell c-na">—</td>')
                continue
            value = (
                observed(f, lang) if f.observed is not None else STATUS_LABELS[f.status].get(lang)
            )
            tip = f.explain(lang)
            cells.append(
                f'<td class="cell c-{_CLASS[f.status]}" title="{esc(tip)}">'
                f"{STATUS_MARKS[f.status]} {esc(value)}</td>"
            )
        rows.append(
            f'<tr><td class="name">{esc(first.target.name.get(lang))}</td>'
            f'<td class="num muted">{esc(target_cell)}</td>{"".join(cells)}</tr>'
        )
    return (
        f'<section id="overview"><h2>{esc(_l("overview", lang))}</h2>'
        f"{_highlights(report, lang)}"
        f'<p class="lede">{esc(_l("overview_lede", lang))}</p>{_legend(lang)}'
        f'<div class="scroll"><table class="matrix"><thead><tr>'
        f'<th>{esc(_l("indicator", lang))}</th><th class="num">{esc(_l("target", lang))}</th>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _indicator_figure(
    report: RegionReport, target_id: str, labels: dict[str, str], lang: str
) -> str | None:
    rows = [(labels[r.code], find(r.findings, target_id)) for r in report.regions]
    present = [f for _, f in rows if f is not None]
    if not any(f.observed is not None for f in present):
        return None
    first = present[0]
    target = first.target
    name = target.name.get(lang)
    thresholds = sorted({_target_text(f, lang) for f in present})
    parts = []
    if len(thresholds) == 1:
        label = _l("target", lang)
        if first.is_milestone:
            label = _l("milestone", lang, year=first.year)
        parts.append(f"{label} {thresholds[0]}")
    else:
        colon = "：" if lang == "zh" else ": "
        parts.append(f"{_l('varies', lang)}{colon}{' / '.join(thresholds)}")
    if target.strength.value not in ("quantified", "full_coverage"):
        word = target.strength.zh if lang == "zh" else target.strength.value.replace("_", " ")
        parts.append(f"“{word}”" if lang == "zh" else f"'{word}'")
    parts.append(target.citation.text(lang) if not changed_by_profile(target) else "")
    caption = " · ".join(p for p in parts if p)
    notes = []
    if first.kind is IndicatorKind.PER_COMMUNITY:
        unit = _unit_label_of(target).get(lang)
        level = target_threshold(target, unit, lang)
        notes.append(f'<p class="note">{esc(_l("share_note", lang, level=level))}</p>')
    notes += _provenance_notes(report, target_id, lang)
    chart = _bar_chart(rows, name, lang)
    return (
        f"<figure><figcaption><h3>{esc(name)}</h3><p>{esc(caption)}</p></figcaption>"
        f"{chart}{''.join(notes)}</figure>"
    )


def _unit_label_of(target: Target) -> Text:

    return UNIT_LABELS.get(target.unit, Text(target.unit, target.unit))


def _provenance_groups(
    report: RegionReport, target_id: str, *, same: bool = True
) -> list[tuple[Finding, list[RegionAssessment]]]:
    """Regions whose target a profile set, grouped by the same provenance.

    :param same: include a profile that restates the same figure.
    """
    groups: dict[tuple[object, ...], tuple[Finding, list[RegionAssessment]]] = {}
    for region in report.regions:
        f = find(region.findings, target_id)
        if f is None or not changed_by_profile(f.target):
            continue
        if not same and f.target.provenance[-1].change is Change.SAME:
            continue
        key = tuple(f.target.provenance)
        groups.setdefault(key, (f, []))[1].append(region)
    return list(groups.values())


def _origin_parts(f: Finding, lang: str) -> tuple[str, str, str, str, bool]:
    """National figure, local figure, change, who: for one changed target."""
    t = f.target
    unit = (
        f.unit_label.get(lang)
        if f.kind is not IndicatorKind.PER_COMMUNITY
        else (_unit_label_of(t).get(lang))
    )
    steps = t.provenance
    first, last = steps[0], steps[-1]
    national = step_threshold(first, unit, lang) if first.change is Change.SET else "—"
    local = step_threshold(last, unit, lang)
    change = CHANGE_LABELS[last.change].get(lang)
    who = f"{last.profile} ({last.source}) · {last.citation.text(lang)}"
    return national, local, change, who, t.loosened


def _looser(target: Target, lang: str) -> str:
    """``低于国家标准`` / ``looser than the national plan``, or than the profile that added it."""
    name = reference_name(target, lang)
    return f"低于{name}" if lang == "zh" else f"looser than {name}"


def _provenance_notes(report: RegionReport, target_id: str, lang: str) -> list[str]:
    notes = []
    labels = _unique_labels(report.regions, lang)
    for f, regions in _provenance_groups(report, target_id, same=False):
        national, local, change, _, loosened = _origin_parts(f, lang)
        where = (
            "、".join(labels[r.code] for r in regions)
            if lang == "zh"
            else ", ".join(labels[r.code] for r in regions)
        )
        last = f.target.provenance[-1]
        if lang == "zh":
            text = f"{where}：本地标准{local}（{last.profile}），国家规划{national}，{change}"
        else:
            text = (
                f"{where}: local standard {local} ({last.profile}); national {national}; {change}"
            )
        if loosened:
            text += f" — {_looser(f.target, lang)}"
        cls = "note warn" if loosened else "note"
        notes.append(f'<p class="{cls}">{esc(text)}</p>')
    return notes


def _indicators(report: RegionReport, target_ids: Sequence[str], lang: str) -> str:
    labels = _unique_labels(report.regions, lang)
    figures = []
    skipped = []
    for target_id in target_ids:
        figure = _indicator_figure(report, target_id, labels, lang)
        if figure is None:
            first = next(
                f for r in report.regions if (f := find(r.findings, target_id)) is not None
            )
            reason = (
                first.reason.get(lang) if first.reason else STATUS_LABELS[first.status].get(lang)
            )
            skipped.append(
                f"{first.target.name.get(lang)}（{reason}）"
                if lang == "zh"
                else (f"{first.target.name.get(lang)} ({reason})")
            )
        else:
            figures.append(figure)
    extra = ""
    if skipped:
        sep = "；" if lang == "zh" else "; "
        colon = "：" if lang == "zh" else ": "
        extra = (
            f'<p class="note">{esc(_l("not_evaluated", lang))}{colon}{esc(sep.join(skipped))}</p>'
        )
    return (
        f'<section id="indicators"><h2>{esc(_l("charts", lang))}</h2>'
        f'<p class="lede">{esc(_l("charts_lede", lang))}</p>{_legend(lang)}'
        f'<div class="grid">{"".join(figures)}</div>{extra}</section>'
    )


def _distribution(assessments: Sequence[Assessment], lang: str) -> str:
    figures = [_stacked(assessments, lang)]
    figures += [_histogram(assessments, t, lang) for t in _histogram_targets(assessments)]
    shown = [f for f in figures if f]
    if not shown:
        return ""
    return (
        f'<section id="communities"><h2>{esc(_l("distribution", lang))}</h2>'
        f'<p class="lede">{esc(_l("distribution_lede", lang))}</p>{_legend(lang)}'
        f'<div class="grid">{"".join(shown)}</div></section>'
    )


def _provenance(report: RegionReport, target_ids: Sequence[str], lang: str) -> str:
    labels = _unique_labels(report.regions, lang)
    rows = []
    for target_id in target_ids:
        for f, regions in _provenance_groups(report, target_id):
            national, local, change, who, loosened = _origin_parts(f, lang)
            flag = (
                f' <span class="badge s-fail">{esc(_looser(f.target, lang))}</span>'
                if loosened
                else ""
            )
            where = ("、" if lang == "zh" else ", ").join(labels[r.code] for r in regions)
            rows.append(
                f'<tr><td class="name">{esc(f.target.name.get(lang))}</td>'
                f'<td class="where">{esc(where)}</td>'
                f'<td class="num">{esc(national)}</td><td class="num"><b>{esc(local)}</b></td>'
                f'<td class="nowrap">{esc(change)}{flag}</td><td class="muted">{esc(who)}</td></tr>'
            )
    if not rows:
        return ""
    head = _head(("indicator", "applies", "national", "local", "change", "source"), lang)
    return (
        f'<section id="provenance"><h2>{esc(_l("provenance", lang))}</h2>'
        f'<p class="lede">{esc(_l("provenance_lede", lang))}</p>'
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


#: The most failing communities the page lists per region; the rest are counted.
FAILING_SHOWN: Final = 200


def _failing(report: RegionReport, lang: str) -> str:
    assessments = by_code(report)
    parts = []
    for region in report.regions:
        failing = failing_in(region, assessments)
        if not failing:
            continue
        members = len(region.communities)
        count = f"{len(failing)} / {members}"
        title = region_label(region, lang)
        rows = []
        for a in failing[:FAILING_SHOWN]:
            c = a.community
            reasons = "".join(f"<li>{esc(f.explain(lang))}</li>" for f in a.failing)
            rows.append(
                f'<tr><td class="name"><b>{esc(c.name or c.code)}</b><br>'
                f'<span class="code">{esc(c.code)}</span>'
                f'<span class="pill">{esc(community_kind(a, lang))}</span></td>'
                f'<td class="num"><span class="badge s-fail">{len(a.failing)}</span></td>'
                f"<td><ul>{reasons}</ul></td></tr>"
            )
        hidden = len(failing) - FAILING_SHOWN
        if hidden > 0:
            rows.append(
                f'<tr><td colspan="3" class="muted">{esc(_l("more", lang, n=hidden))}</td></tr>'
            )
        code = f' <span class="code">{esc(region.code)}</span>' if region.code else ""
        parts.append(
            f'<h3 class="region-h">{esc(title)}{code} <span class="pill">{esc(count)}</span></h3>'
            f'<table class="failing"><thead><tr><th>{esc(_l("community", lang))}</th>'
            f'<th class="num">{esc(_l("count", lang))}</th><th>{esc(_l("reasons", lang))}</th>'
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
    body = "".join(parts) or f"<p>{esc(_l('none_failing', lang))}</p>"
    return (
        f'<section id="failing"><h2>{esc(_l("failing", lang))}</h2>'
        f'<p class="lede">{esc(_l("failing_lede", lang))}</p>{body}</section>'
    )


_NUMERIC: Final = frozenset({"national", "local", "observed", "target"})


def _head(keys: Sequence[str], lang: str) -> str:
    return "".join(
        f'<th class="num">{esc(_l(key, lang))}</th>'
        if key in _NUMERIC
        else f"<th>{esc(_l(key, lang))}</th>"
        for key in keys
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 - when needed

    try:
        return version("cssp")
    except PackageNotFoundError:  # pragma: no cover - a source tree never installed
        return ""


def _footer(document: str, lang: str) -> str:
    return (
        f'<footer><div class="wrap"><p>{esc(_l("legend_note", lang))}</p>'
        f"<p>{esc(_l('generated', lang, version=_version(), document=document))}</p>"
        "</div></footer>"
    )


def _page(title: str, lang: str, header: str, sections: Iterable[str], footer: str) -> str:
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>\n{_stylesheet()}</style>\n</head>\n<body>\n"
        f'{header}\n<main class="wrap">\n'
        + "\n".join(s for s in sections if s)
        + f"\n</main>\n{footer}\n</body>\n</html>\n"
    )


def render_report(report: RegionReport, lang: str) -> str:
    target_ids = regional_targets(report)
    assessments = list(by_code(report).values())
    plan = report.plan
    title = f"{plan.title.get(lang)} — {_l('eyebrow', lang)}"
    sections = [
        _overview(report, target_ids, lang) if report.regions else "",
        _indicators(report, target_ids, lang) if report.regions else "",
        _distribution(assessments, lang),
        _provenance(report, target_ids, lang),
        _failing(report, lang),
        _input(report, lang),
    ]
    return _page(
        title, lang, _masthead_report(report, lang), sections, _footer(plan.document, lang)
    )


def _input(report: RegionReport, lang: str) -> str:
    """What reading the input said (rows skipped, warnings, codes found from names)."""
    return "".join(
        f"<section><h2>{esc(heading)}</h2><ul>{''.join(f'<li>{esc(line)}</li>' for line in lines)}"
        "</ul></section>"
        for heading, lines in input_sections(report.input, lang)
    )


# --- one community -----------------------------------------------------------------


def render_assessment(assessment: Assessment, lang: str) -> str:
    c = assessment.community
    plan = assessment.plan
    path = division_line(c.code)
    counts = tally(assessment.findings)
    cards = "".join(
        f'<div class="kpi"><b>{counts[s]}</b><span>{STATUS_MARKS[s]} '
        f"{esc(STATUS_LABELS[s].get(lang))}</span></div>"
        for s in STATUS_ORDER
    )
    plan_title = f"《{plan.title.zh}》" if lang == "zh" else plan.title.en
    meta = [c.code, community_kind(assessment, lang), path]
    header = (
        '<header class="masthead"><div class="wrap">'
        f'<p class="eyebrow">{esc(_l("community_report", lang))} · {esc(plan_title)} · '
        f"{esc(plan.document)} · {esc(_l('target_year', lang, year=assessment.year))}</p>"
        f"<h1>{esc(c.name or c.code)}</h1>"
        f'<p class="meta">{"".join(f"<span>{esc(m)}</span>" for m in meta if m)}</p>'
        f'<div class="kpis">{cards}</div></div></header>'
    )
    rows = []
    for f in assessment.findings:
        explain = f.explain(lang) if f.status is not Status.MET else ""
        unit = f.unit_label.get(lang)
        rows.append(
            f'<tr><td class="name">{esc(f.target.name.get(lang))}</td>'
            f'<td class="num">{"约" if f.approximate and lang == "zh" else ""}'
            f"{'≈' if f.approximate and lang == 'en' else ''}"
            f"{esc(with_unit(f.observed, unit, lang))}</td>"
            f'<td class="num">{esc(_target_text(f, lang))}</td>'
            f"<td>{_mini_bar(f)}</td><td>{_badge(f.status, lang)}</td>"
            f'<td class="muted">{esc(explain)}</td></tr>'
        )
    head = _head(("indicator", "observed", "target", "comparison", "status", "explanation"), lang)
    table = (
        f"<section><h2>{esc(str(len(assessment.findings)))} {esc(_l('targets_label', lang))}</h2>"
        f'{_legend(lang)}<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )
    title = f"{c.name or c.code} — {_l('community_report', lang)}"
    return _page(title, lang, header, [table], _footer(plan.document, lang))
