"""One self-contained HTML page: inline CSS and SVG, no script, no external reference.

The page opens offline and prints: every style is in one ``<style>`` element
(the stylesheet ``report.css``, shipped beside this module, and the printed
page's running heads), every chart is inline SVG (drawn by
``cssp.report._charts``), and nothing is fetched — no font, no image, no
stylesheet, no script. All text from the plan, the profiles and the data is
escaped. This module assembles the page; its words are in
``cssp.report._labels``, the overview's tables in ``cssp.report._overview``
and the report's particulars (date, sources, plan, profiles) in
``cssp.report._imprint``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Final

from cssp.catalogue import UNIT_LABELS
from cssp.engine.explain import place_of
from cssp.model.measures import Status
from cssp.model.plan import Change, IndicatorKind, Text
from cssp.report._charts import (
    MANY_BARS,
    _bar_chart,
    _f,
    _histogram,
    _histogram_targets,
    _mini_bar,
    _region_histogram,
    _stacked,
    _stacked_of_regions,
)
from cssp.report._checks import CHECK_LABEL, CHECK_MARK, check_note, implausible
from cssp.report._common import (
    CHANGE_LABELS,
    LEVEL_LABELS,
    STATUS_LABELS,
    STATUS_MARKS,
    STATUS_ORDER,
    by_code,
    by_rule,
    changed_by_profile,
    community_counts,
    community_kind,
    community_targets,
    division_line,
    failing_in,
    find,
    input_sections,
    left_out,
    number,
    reference_name,
    regional_targets,
    step_threshold,
    tally,
    target_threshold,
    with_unit,
    worst,
    worst_heading,
    worst_note,
)
from cssp.report._imprint import (
    ReportSource,
    footer_text,
    info_rows,
    page_css,
    report_title,
    version,
)
from cssp.report._labels import _CLASS, _l, esc
from cssp.report._names import full_name, qualified_labels
from cssp.report._overview import legend, overview_tables, target_text

if TYPE_CHECKING:
    from cssp.engine.results import Assessment, Finding, RegionAssessment, RegionReport
    from cssp.model.plan import Plan, Target


@cache
def _stylesheet() -> str:
    """The page's stylesheet, ``report.css`` beside this module: read once."""
    return files("cssp.report").joinpath("report.css").read_text(encoding="utf-8")


def _count(n: int) -> str:
    """A count with thousands separators: ``30,012``."""
    return f"{n:,}"


def _sep(lang: str) -> str:
    return "、" if lang == "zh" else ", "


# --- small pieces -----------------------------------------------------------------


def _badge(status: Status, lang: str) -> str:
    label = STATUS_LABELS[status].get(lang)
    return f'<span class="badge s-{_CLASS[status]}">{STATUS_MARKS[status]} {esc(label)}</span>'


# --- the region report --------------------------------------------------------------


def _masthead_report(report: RegionReport, title: str, lang: str) -> str:
    plan = report.plan
    plan_title = f"《{plan.title.zh}》" if lang == "zh" else plan.title.en
    level = LEVEL_LABELS.get(report.by, Text(report.by, report.by)).get(lang)
    meta = [plan.document, _l("target_year", lang, year=report.year), _l("by", lang, level=level)]
    counts = tally(f for r in report.regions for f in r.findings)
    evaluated = counts[Status.MET] + counts[Status.NOT_MET]
    total, failing = community_counts(report)
    total_findings = max(1, sum(counts.values()))
    meter = "".join(
        f'<i class="k-{_CLASS[s]}" style="width:{_f(100 * counts[s] / total_findings)}%"></i>'
        for s in STATUS_ORDER
        if counts[s]
    )
    kpis = [
        (_count(len(report.regions)), "", _l("regions", lang), ""),
        (_count(total), "", _l("communities", lang), ""),
        (
            _count(counts[Status.MET]),
            f"/ {_count(evaluated)}",
            _l("region_met", lang),
            f'<div class="meter">{meter}</div>',
        ),
        (_count(failing), f"/ {_count(total)}", _l("failing_communities", lang), ""),
    ]
    cards = "".join(
        f'<div class="kpi"><b>{esc(big)}<small>{esc(small)}</small></b>'
        f"<span>{esc(label)}</span>{extra}</div>"
        for big, small, label, extra in kpis
    )
    return (
        '<header class="masthead"><div class="wrap">'
        f'<p class="eyebrow">{esc(plan_title)}</p>'
        f"<h1>{esc(title)}</h1>"
        f'<p class="meta">{"".join(f"<span>{esc(m)}</span>" for m in meta)}</p>'
        f'<div class="kpis">{cards}</div>'
        "</div></header>"
    )


def _particulars(report: RegionReport, source: ReportSource | None, lang: str) -> str:
    """The report's particulars: area, date, data, plan and clauses, profiles, software, command."""
    items = []
    last = ""
    for label, value, code in info_rows(report, source, lang):
        if label != last:
            items.append(f"<dt>{esc(label)}</dt>")
            last = label
        items.append(f"<dd><code>{esc(value)}</code></dd>" if code else f"<dd>{esc(value)}</dd>")
    return (
        f'<section id="particulars" class="particulars"><h2>{esc(_l("particulars", lang))}</h2>'
        f"<dl>{''.join(items)}</dl></section>"
    )


def _met_but_some_fail(report: RegionReport) -> int:
    """Region findings met while some of the region's communities do not meet the target."""
    return sum(
        1
        for r in report.regions
        for f in r.findings
        if f.status is Status.MET and f.failing and f.kind is not IndicatorKind.PER_COMMUNITY
    )


def _highlights(report: RegionReport, lang: str) -> str:
    """Three to six sentences a reader takes away: the totals, the weakest targets, ..."""
    zh = lang == "zh"
    points = []
    counts = tally(f for r in report.regions for f in r.findings)
    met, not_met = counts[Status.MET], counts[Status.NOT_MET]
    no_data = counts[Status.NO_DATA]
    if zh:
        text = f"{met + not_met:,}项区域指标有评估结论：达标{met:,}项，未达标{not_met:,}项"
        text += f"；另有{no_data:,}项因缺少数据无法评估。" if no_data else "。"
    else:
        text = f"{met + not_met:,} region findings have a verdict: {met:,} met, {not_met:,} not met"
        text += f"; {no_data:,} more lack the data to be evaluated." if no_data else "."
    points.append(text)
    both = _met_but_some_fail(report)
    if both:
        points.append(
            f"{both:,}项区域指标的区域值达标，但该区域仍有社区未达标：区域值按全部社区的总量计算，"
            "每个社区仍须各自达标，未达标的社区列于本报告末尾。"
            if zh
            else f"In {both:,} region findings the region's figure meets the target while some "
            "of its communities do not: a region's figure comes from the totals of all its "
            "communities, and each community must still meet the target itself (they are "
            "listed at the end of this report)."
        )
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
        labels = qualified_labels(report.regions, lang)
        names = [labels[r.code] for r in report.regions if len(r.failing) == worst]
        shown = _sep(lang).join(names[:10]) + ("等" if zh and len(names) > 10 else "")
        if not zh and len(names) > 10:
            shown += f" and {len(names) - 10} more"
        points.append(
            f"未达标指标最多的区域：{shown}（{worst}项）。"
            if zh
            else f"Most region targets not met: {shown} ({worst})."
        )
    flagged = _flagged(report)
    if flagged:
        points.append(
            f"{flagged:,}个数值远超出合理范围，已标注“{CHECK_MARK}{CHECK_LABEL.zh}”，"
            "请先核对原始数据再采用其结论。"
            if zh
            else f"{flagged:,} figures lie far outside the plausible range and are marked "
            f"'{CHECK_MARK} {CHECK_LABEL.en}': check the source data before relying on them."
        )
    # Loosened targets, by the standard they are looser than (the national plan's first).
    loosened: dict[tuple[bool, str], set[str]] = {}
    for f in (f for r in report.regions for f in r.findings if f.target.loosened):
        key = (f.target.provenance[0].change is not Change.SET, _looser(f.target, lang))
        loosened.setdefault(key, set()).add(f.target.name.get(lang))
    for (_, looser), targets in sorted(loosened.items()):
        joined = _sep(lang).join(sorted(targets))
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


def _flagged(report: RegionReport) -> int:
    plan = report.plan
    regions = sum(1 for r in report.regions for f in r.findings if implausible(f, plan))
    return regions + sum(1 for a in report.assessments for f in a.findings if implausible(f, plan))


def _approximately(f: Finding, lang: str) -> str:
    """The mark of a figure built on an approximate value: 约 (Chinese) or ≈ (English)."""
    if not f.approximate:
        return ""
    return "约" if lang == "zh" else "≈"


def _overview(
    report: RegionReport, target_ids: Sequence[str], labels: dict[str, str], lang: str
) -> str:
    return (
        f'<section id="overview"><h2>{esc(_l("overview", lang))}</h2>'
        f"{_highlights(report, lang)}"
        f'<p class="lede">{esc(_l("overview_lede", lang))}</p>{legend(lang)}'
        f"{overview_tables(report, target_ids, labels, lang)}</section>"
    )


def _indicator_figure(
    report: RegionReport, target_id: str, labels: dict[str, str], lang: str, number_: int
) -> str | None:
    rows = [(labels[r.code], find(r.findings, target_id)) for r in report.regions]
    present = [f for _, f in rows if f is not None]
    if not any(f.observed is not None for f in present):
        return None
    first = present[0]
    target = first.target
    name = target.name.get(lang)
    thresholds = sorted({target_text(f, lang) for f in present})
    parts = []
    if len(thresholds) == 1:
        label = _l("target", lang)
        if first.is_milestone:
            label = _l("milestone", lang, year=first.year)
        parts.append(f"{label} {thresholds[0]}")
    else:
        colon = "：" if lang == "zh" else ": "
        parts.append(f"{_l('varies', lang)}{colon}{' / '.join(thresholds)}")
    if first.kind is not IndicatorKind.PER_COMMUNITY:
        parts.append(_l("unit_of", lang, unit=first.unit_label.get(lang)))
    if target.strength.value not in ("quantified", "full_coverage"):
        word = target.strength.zh if lang == "zh" else target.strength.en
        parts.append(f"“{word}”" if lang == "zh" else f"'{word}'")
    parts.append(target.citation.text(lang) if not changed_by_profile(target) else "")
    caption = " · ".join(p for p in parts if p)
    notes = []
    if first.kind is IndicatorKind.PER_COMMUNITY:
        unit = _unit_label_of(target).get(lang)
        level = target_threshold(target, unit, lang)
        notes.append(f'<p class="note">{esc(_l("share_note", lang, level=level))}</p>')
    notes += _provenance_notes(report, target_id, labels, lang)
    if len(rows) > MANY_BARS:
        chart = _region_histogram(present, name, lang)
    else:
        chart = _bar_chart(rows, name, lang)
    heading = _l("figure", lang, n=number_, title=name)
    return (
        f'<figure id="figure-{number_}"><figcaption><h3>{esc(heading)}</h3>'
        f"<p>{esc(caption)}</p></figcaption>{chart}{''.join(notes)}</figure>"
    )


def _unit_label_of(target: Target) -> Text:
    return UNIT_LABELS.get(target.unit, Text(target.unit, target.unit))


def _provenance_groups(
    report: RegionReport, target_id: str
) -> list[tuple[Finding, list[RegionAssessment]]]:
    """Regions whose target a profile changed or added, grouped by the same provenance.

    A profile that only restates the figure in force (``same``) changes
    nothing, and is left out: it is named among the report's particulars and
    kept in the JSON output's provenance.
    """
    groups: dict[tuple[object, ...], tuple[Finding, list[RegionAssessment]]] = {}
    for region in report.regions:
        f = find(region.findings, target_id)
        if f is None or not changed_by_profile(f.target) or _noop(f.target):
            continue
        key = tuple(f.target.provenance)
        groups.setdefault(key, (f, []))[1].append(region)
    return list(groups.values())


def _noop(target: Target) -> bool:
    """True when every profile step restates the figure before it."""
    steps = target.provenance
    return len(steps) > 1 and all(step.change is Change.SAME for step in steps[1:])


def _same_count(report: RegionReport, target_ids: Sequence[str]) -> int:
    seen = set()
    for target_id in target_ids:
        for region in report.regions:
            f = find(region.findings, target_id)
            if f is not None and _noop(f.target):
                seen.add((target_id, f.target.provenance))
    return len(seen)


def _who(target: Target, lang: str) -> str:
    """The profile that set the figure: where it applies and its document."""
    last = target.provenance[-1]
    colon = "：" if lang == "zh" else ": "
    return f"{place_of(last.scope, lang)}{colon}{last.citation.text(lang)}"


def _origin_parts(f: Finding, lang: str) -> tuple[str, str, str, bool]:
    """National figure, local figure, change: for one changed target."""
    t = f.target
    unit = (
        f.unit_label.get(lang)
        if f.kind is not IndicatorKind.PER_COMMUNITY
        else (_unit_label_of(t).get(lang))
    )
    steps = t.provenance
    first, last = steps[0], steps[-1]
    staffing = by_rule(t)
    national = step_threshold(first, unit, lang, staffing) if first.change is Change.SET else "—"
    local = step_threshold(last, unit, lang, staffing)
    change = CHANGE_LABELS[last.change].get(lang)
    return national, local, change, t.loosened


def _looser(target: Target, lang: str) -> str:
    """``低于国家标准`` / ``looser than the national plan``, or than the profile that added it."""
    name = reference_name(target, lang)
    return f"低于{name}" if lang == "zh" else f"looser than {name}"


def _provenance_notes(
    report: RegionReport, target_id: str, labels: dict[str, str], lang: str
) -> list[str]:
    notes = []
    for f, regions in _provenance_groups(report, target_id):
        national, local, change, loosened = _origin_parts(f, lang)
        where = _sep(lang).join(labels[r.code] for r in regions[:12])
        if len(regions) > 12:
            where += "等" if lang == "zh" else f" and {len(regions) - 12} more"
        place = place_of(f.target.provenance[-1].scope, lang)
        if lang == "zh":
            text = f"{where}：本地标准{local}（{place}），国家规划{national}，{change}"
        else:
            text = f"{where}: local standard {local} ({place}); national {national}; {change}"
        if loosened:
            text += f" — {_looser(f.target, lang)}"
        cls = "note warn" if loosened else "note"
        notes.append(f'<p class="{cls}">{esc(text)}</p>')
    return notes


def _no_data_reason(report: RegionReport, target_id: str, lang: str) -> str:
    """Why no region has a figure: how many communities lack the data, and the commonest reason."""
    missing = 0
    applicable = 0
    for region in report.regions:
        f = find(region.findings, target_id)
        if f is not None and f.counts is not None:
            missing += f.counts.no_data
            applicable += f.counts.total - f.counts.not_applicable
    reasons: dict[str, int] = {}
    for a in report.assessments:
        f = find(a.findings, target_id)
        if f is not None and f.status is Status.NO_DATA and f.reason is not None:
            text = f.reason.get(lang)
            reasons[text] = reasons.get(text, 0) + 1
    why = max(reasons, key=lambda r: reasons[r]) if reasons else ""
    if lang == "zh":
        text = f"{missing:,}个社区无数据" if missing else "区域内没有适用的社区"
        return f"{text}：{why}" if why else text
    text = f"{missing:,} communities without the data" if missing else "no community it applies to"
    return f"{text}: {why}" if why else text


def _indicators(
    report: RegionReport, target_ids: Sequence[str], labels: dict[str, str], lang: str
) -> str:
    figures: list[str] = []
    skipped: list[str] = []
    for target_id in target_ids:
        figure = _indicator_figure(report, target_id, labels, lang, len(figures) + 1)
        if figure is None:
            first = next(
                f for r in report.regions if (f := find(r.findings, target_id)) is not None
            )
            reason = _no_data_reason(report, target_id, lang)
            name = first.target.name.get(lang)
            skipped.append(f"{name}（{reason}）" if lang == "zh" else f"{name} ({reason})")
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
        f'<p class="lede">{esc(_l("charts_lede", lang))}</p>{legend(lang)}'
        f'<div class="grid">{"".join(figures)}</div>{extra}</section>'
    )


def _distribution(report: RegionReport, assessments: Sequence[Assessment], lang: str) -> str:
    note = ""
    if report.summary is not None and not assessments:  # a report of regions alone
        figures = [_stacked_of_regions(report.regions, lang)]
        note = f'<p class="note">{esc(_l("distribution_left_out", lang))}</p>'
    else:
        figures = [_stacked(assessments, lang)]
        figures += [_histogram(assessments, t, lang) for t in _histogram_targets(assessments)]
    shown = [f for f in figures if f]
    if not shown:
        return ""
    return (
        f'<section id="communities"><h2>{esc(_l("distribution", lang))}</h2>'
        f'<p class="lede">{esc(_l("distribution_lede", lang))}</p>{legend(lang)}'
        f'<div class="grid">{"".join(shown)}</div>{note}</section>'
    )


def _provenance(
    report: RegionReport, target_ids: Sequence[str], labels: dict[str, str], lang: str
) -> str:
    rows = []
    heads = ("indicator", "applies", "national", "local", "change", "source")
    names = [_l(key, lang) for key in heads]
    for target_id in target_ids:
        for f, regions in _provenance_groups(report, target_id):
            national, local, change, loosened = _origin_parts(f, lang)
            flag = (
                f' <span class="badge s-fail">{esc(_looser(f.target, lang))}</span>'
                if loosened
                else ""
            )
            where = _sep(lang).join(labels[r.code] for r in regions)
            cells = [
                ("name", esc(f.target.name.get(lang))),
                ("where", esc(where)),
                ("num", esc(national)),
                ("num", f"<b>{esc(local)}</b>"),
                ("nowrap", f"{esc(change)}{flag}"),
                ("muted", esc(_who(f.target, lang))),
            ]
            rows.append(
                "<tr>"
                + "".join(
                    f'<td class="{cls}" data-label="{esc(name)}">{body}</td>'
                    for (cls, body), name in zip(cells, names, strict=True)
                )
                + "</tr>"
            )
    same = _same_count(report, target_ids)
    note = f'<p class="note">{esc(_l("same_note", lang, n=same))}</p>' if same else ""
    if not rows:
        if not note:
            return ""
        return f'<section id="provenance"><h2>{esc(_l("provenance", lang))}</h2>{note}</section>'
    return (
        f'<section id="provenance"><h2>{esc(_l("provenance", lang))}</h2>'
        f'<p class="lede">{esc(_l("provenance_lede", lang))}</p>'
        f'<div class="scroll"><table class="cards"><thead><tr>{_head(heads, lang)}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>{note}</section>"
    )


#: The most failing communities the page lists per region; the rest are counted.
FAILING_SHOWN: Final = 200


def _reasons(a: Assessment, plan: Plan, lang: str) -> str:
    items = []
    for f in a.failing:
        check = ""
        if implausible(f, plan):
            check = f'<br><b class="check">{CHECK_MARK} {esc(check_note(f, plan, lang))}</b>'
        items.append(f"<li>{esc(f.explain(lang))}{check}</li>")
    for f in a.findings:
        if f.status is Status.MET and implausible(f, plan):
            items.append(
                f'<li><b class="check">{CHECK_MARK} {esc(check_note(f, plan, lang))}</b></li>'
            )
    return "".join(items)


def _failing_row(a: Assessment, heads: Sequence[str], plan: Plan, lang: str, where: str) -> str:
    c = a.community
    place = f'<br><span class="muted">{esc(where)}</span>' if where else ""
    return (
        f'<tr><td class="name" data-label="{esc(heads[0])}"><b>{esc(c.name or c.code)}</b>'
        f'<br><span class="code">{esc(c.code)}</span>'
        f'<span class="pill">{esc(community_kind(a, lang))}</span>{place}</td>'
        f'<td class="num" data-label="{esc(heads[1])}">'
        f'<span class="badge s-fail">{len(a.failing)}</span></td>'
        f'<td data-label="{esc(heads[2])}"><ul>{_reasons(a, plan, lang)}</ul></td>'
        "</tr>"
    )


def _failing_table(heads: Sequence[str], rows: Sequence[str]) -> str:
    return (
        f'<div class="scroll"><table class="failing cards"><thead><tr>'
        f'<th scope="col">{esc(heads[0])}</th><th class="num" scope="col">{esc(heads[1])}</th>'
        f'<th scope="col">{esc(heads[2])}</th></tr></thead><tbody>{"".join(rows)}</tbody>'
        "</table></div>"
    )


def _worst(report: RegionReport, lang: str) -> str:
    """A report of regions alone: the worst communities it kept, and what it left out."""
    note = left_out(report, lang) or ""
    shown = worst(report)
    if not shown:
        return f'<section id="failing"><p class="note">{esc(note)}</p></section>'
    heads = [_l("community", lang), _l("count", lang), _l("reasons", lang)]
    rows = [
        _failing_row(a, heads, report.plan, lang, full_name(a.community.code[:9], lang))
        for a in shown
    ]
    return (
        f'<section id="failing"><h2>{esc(worst_heading(report, lang))}</h2>'
        f'<p class="lede">{esc(worst_note(report, lang))}</p>'
        f'<p class="note">{esc(note)}</p>{_failing_table(heads, rows)}</section>'
    )


def _failing(report: RegionReport, labels: dict[str, str], lang: str) -> str:
    if report.summary is not None and not report.assessments:
        return _worst(report, lang)
    assessments = by_code(report)
    parts = []
    heads = [_l("community", lang), _l("count", lang), _l("reasons", lang)]
    for region in report.regions:
        failing = failing_in(region, assessments)
        if not failing:
            continue
        count = f"{len(failing):,} / {len(region.communities):,}"
        rows = [_failing_row(a, heads, report.plan, lang, "") for a in failing[:FAILING_SHOWN]]
        hidden = len(failing) - FAILING_SHOWN
        if hidden > 0:
            more = esc(_l("more", lang, n=f"{hidden:,}"))
            rows.append(f'<tr><td colspan="3" class="muted">{more}</td></tr>')
        path = full_name(region.code, lang) if region.code else labels[region.code]
        code = f' <span class="code">{esc(region.code)}</span>' if region.code else ""
        parts.append(
            f'<h3 class="region-h">{esc(path)}{code} <span class="pill">{esc(count)}</span></h3>'
            f"{_failing_table(heads, rows)}"
        )
    body = "".join(parts) or f"<p>{esc(_l('none_failing', lang))}</p>"
    return (
        f'<section id="failing"><h2>{esc(_l("failing", lang))}</h2>'
        f'<p class="lede">{esc(_l("failing_lede", lang))}</p>{body}</section>'
    )


_NUMERIC: Final = frozenset({"national", "local", "observed", "target"})


def _head(keys: Sequence[str], lang: str) -> str:
    return "".join(
        f'<th class="num" scope="col">{esc(_l(key, lang))}</th>'
        if key in _NUMERIC
        else f'<th scope="col">{esc(_l(key, lang))}</th>'
        for key in keys
    )


def _footer(lines: Iterable[str], lang: str) -> str:
    paragraphs = "".join(f"<p>{esc(line)}</p>" for line in lines)
    return (
        f'<footer><div class="wrap"><p>{esc(_l("legend_note", lang))}</p>{paragraphs}'
        "</div></footer>"
    )


def _page(
    title: str,
    lang: str,
    header: str,
    sections: Iterable[str],
    footer: str,
    page: str = "",
) -> str:
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>\n{_stylesheet()}{page}\n</style>\n</head>\n<body>\n"
        f'{header}\n<main class="wrap">\n'
        + "\n".join(s for s in sections if s)
        + f"\n</main>\n{footer}\n</body>\n</html>\n"
    )


def render_report(report: RegionReport, lang: str, source: ReportSource | None = None) -> str:
    target_ids = regional_targets(report)
    assessments = list(by_code(report).values())
    labels = qualified_labels(report.regions, lang)
    title = report_title(report, lang)
    sections = [
        _particulars(report, source, lang),
        _overview(report, target_ids, labels, lang) if report.regions else "",
        _indicators(report, target_ids, labels, lang) if report.regions else "",
        _distribution(report, assessments, lang),
        _provenance(report, target_ids, labels, lang),
        _failing(report, labels, lang),
        _input(report, lang),
    ]
    date = source.date if source is not None else None
    return _page(
        title,
        lang,
        _masthead_report(report, title, lang),
        sections,
        _footer(footer_text(report, source, lang), lang),
        page_css(title, date, lang),
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
    keys = ("indicator", "observed", "target", "comparison", "status", "explanation")
    names = [_l(key, lang) for key in keys]
    for f in assessment.findings:
        explain = f.explain(lang) if f.status is not Status.MET else ""
        if implausible(f, plan):
            explain = f"{CHECK_MARK} {check_note(f, plan, lang)} {explain}".strip()
        unit = f.unit_label.get(lang)
        cells = [
            ("name", esc(f.target.name.get(lang))),
            ("num", _approximately(f, lang) + esc(with_unit(f.observed, unit, lang))),
            ("num", esc(target_text(f, lang))),
            ("", _mini_bar(f)),
            ("", _badge(f.status, lang)),
            ("muted", esc(explain)),
        ]
        rows.append(
            "<tr>"
            + "".join(
                f'<td class="{cls}" data-label="{esc(name)}">{body}</td>'
                for (cls, body), name in zip(cells, names, strict=True)
            )
            + "</tr>"
        )
    table = (
        f"<section><h2>{esc(str(len(assessment.findings)))} {esc(_l('targets_label', lang))}</h2>"
        f'{legend(lang)}<div class="scroll"><table class="cards"><thead><tr>{_head(keys, lang)}'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div></section>"
    )
    title = f"{c.name or c.code} — {_l('community_report', lang)}"
    lines = [_l("generated", lang, version=version(), document=plan.document)]
    return _page(title, lang, header, [table], _footer(lines, lang), page_css(title, None, lang))
