"""One self-contained HTML page: inline CSS and SVG, no script, no external reference.

The page opens offline and prints: every style is in one ``<style>`` element,
every chart is inline SVG drawn here, and nothing is fetched — no font, no
image, no stylesheet, no script. All text from the plan, the profiles and the
data is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Final

from attrs import define

from cssp.engine.measures import Status
from cssp.model.plan import Change, IndicatorKind, Text
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
    display_width,
    division_line,
    failing_in,
    find,
    number,
    reference_name,
    region_label,
    regional_targets,
    step_threshold,
    tally,
    target_threshold,
    threshold,
    truncate,
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


def _f(x: float) -> str:
    """An SVG coordinate."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _nice_step(
    span: float, ticks: int = 5, steps: Sequence[float] = (1.0, 2.0, 2.5, 5.0, 10.0)
) -> float:
    """A round step that cuts ``span`` into about ``ticks`` parts."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for m in steps:
        if raw <= m * magnitude:
            return m * magnitude
    return 10.0 * magnitude


def _domain(values: Iterable[float], percent: bool) -> tuple[float, float]:
    """The axis maximum and its tick step."""
    top = max([0.0, *values])
    if percent and top <= 100:
        return 100.0, 25.0
    if top == 0:
        return 1.0, 0.25
    step = _nice_step(top * 1.05)
    return math.ceil(top * 1.05 / step) * step, step


def _svg_label(text: str, max_px: float) -> str:
    cols = max(4, int(max_px / 6.5))
    return truncate(text, cols)


def _text_px(text: str) -> float:
    return display_width(text) * 6.5


def _svg(width: float, height: float, label: str, body: Iterable[str]) -> str:
    return (
        f'<svg viewBox="0 0 {_f(width)} {_f(height)}" role="img" aria-label="{esc(label)}">'
        f"<title>{esc(label)}</title>{''.join(body)}</svg>"
    )


def _is_percent(finding: Finding) -> bool:
    return finding.unit_label.en == "%"


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
                number(f.observed) if f.observed is not None else STATUS_LABELS[f.status].get(lang)
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


def _bar_chart(rows: Sequence[tuple[str, Finding | None]], title: str, lang: str) -> str:
    """Horizontal bars, one per region, with each region's target as a vertical line."""
    width = 560.0
    row_h = 30.0
    top = 26.0
    bottom = 24.0
    longest = max((_text_px(label) for label, _ in rows), default=40.0)
    label_w = min(170.0, max(56.0, longest + 14))
    x0, x1 = label_w, width - 60
    present = [f for _, f in rows if f is not None]
    values = [f.observed for f in present if f.observed is not None]
    values += [f.required for f in present]
    percent = all(_is_percent(f) for f in present)
    dom, step = _domain(values, percent)

    def x(v: float) -> float:
        return x0 + (x1 - x0) * max(0.0, min(v, dom)) / dom

    height = top + row_h * len(rows) + bottom
    body = []
    tick = 0.0
    while tick <= dom + 1e-9:
        tx = x(tick)
        body.append(
            f'<line class="grid" x1="{_f(tx)}" y1="{_f(top - 4)}" x2="{_f(tx)}" '
            f'y2="{_f(height - bottom + 2)}"/>'
            f'<text class="axis" x="{_f(tx)}" y="{_f(height - 6)}" text-anchor="middle">'
            f"{esc(number(tick))}</text>"
        )
        tick += step
    body.append(
        f'<line class="base" x1="{_f(x0)}" y1="{_f(top - 4)}" x2="{_f(x0)}" '
        f'y2="{_f(height - bottom + 2)}"/>'
    )
    requireds = {f.required for f in present}
    shared = len(requireds) == 1
    for index, (label, f) in enumerate(rows):
        y = top + index * row_h
        cy = y + row_h / 2
        body.append(
            f'<text x="{_f(x0 - 8)}" y="{_f(cy + 4)}" text-anchor="end">'
            f"{esc(_svg_label(label, label_w - 14))}</text>"
        )
        if f is None or f.observed is None:
            status = f.status if f is not None else Status.NOT_APPLICABLE
            word = STATUS_LABELS[status].get(lang)
            body.append(
                f'<rect class="bg-{_CLASS[status]}" x="{_f(x0 + 1)}" y="{_f(y + 7)}" '
                f'width="{_f(x1 - x0 - 1)}" height="16" rx="3"/>'
                f'<text class="t-{_CLASS[status]}" x="{_f(x0 + 8)}" y="{_f(cy + 4)}">'
                f"{esc(word)}</text>"
            )
        else:
            bx = x(f.observed)
            cls = _CLASS[f.status]
            value = number(f.observed)
            lx = bx + 6
            tx = x(f.required)
            if lx - 4 <= tx <= lx + _text_px(value) + 4:
                lx = tx + 6  # clear of the target line
            body.append(
                f'<rect class="b-{cls}" x="{_f(x0)}" y="{_f(y + 7)}" '
                f'width="{_f(max(1.5, bx - x0))}" height="16" rx="3"/>'
                f'<text class="val halo t-{cls}" x="{_f(lx)}" y="{_f(cy + 4)}">'
                f"{esc(value)}</text>"
            )
        if f is not None and not shared:
            tx = x(f.required)
            body.append(
                f'<line class="tline" x1="{_f(tx)}" y1="{_f(y + 3)}" x2="{_f(tx)}" '
                f'y2="{_f(y + row_h - 3)}"/>'
            )
    if shared and present:
        required = next(iter(requireds))
        tx = x(required)
        label = f"{_l('target', lang)} {present[0].target.comparator.symbol}{number(required)}"
        anchor = "end" if tx > x1 - 30 else "middle"
        body.append(
            f'<line class="tdash" x1="{_f(tx)}" y1="{_f(top - 6)}" x2="{_f(tx)}" '
            f'y2="{_f(height - bottom + 2)}"/>'
            f'<text class="tlabel" x="{_f(tx)}" y="{_f(top - 10)}" text-anchor="{anchor}">'
            f"{esc(label)}</text>"
        )
    return _svg(width, height, title, body)


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
    from cssp.catalogue import UNIT_LABELS  # noqa: PLC0415

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


def _charts(report: RegionReport, target_ids: Sequence[str], lang: str) -> str:
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


def _stacked(assessments: Sequence[Assessment], lang: str) -> str | None:
    """One stacked bar per community-level target: how many communities reach each status."""
    target_ids = community_targets(assessments)
    if not target_ids:
        return None
    rows = []
    for target_id in target_ids:
        findings = [f for a in assessments if (f := find(a.findings, target_id)) is not None]
        rows.append((findings[0].target.name.get(lang), tally(findings)))
    width = 1080.0
    label_w = min(330.0, max(120.0, max(_text_px(name) for name, _ in rows) + 16))
    x0, x1 = label_w, width - 90
    row_h = 24.0
    top = 6.0
    height = top + row_h * len(rows) + 6
    body = []
    order = (Status.MET, Status.NOT_MET, Status.NO_DATA, Status.NOT_APPLICABLE)
    for index, (name, counts) in enumerate(rows):
        y = top + index * row_h
        total = sum(counts.values()) or 1
        body.append(
            f'<text x="{_f(x0 - 10)}" y="{_f(y + 16)}" text-anchor="end">'
            f"{esc(_svg_label(name, label_w - 16))}</text>"
        )
        cursor = x0
        for status in order:
            n = counts[status]
            if not n:
                continue
            w = (x1 - x0) * n / total
            body.append(
                f'<rect class="b-{_CLASS[status]}" x="{_f(cursor)}" y="{_f(y + 4)}" '
                f'width="{_f(w)}" height="16"><title>{esc(STATUS_LABELS[status].get(lang))}: '
                f"{n}</title></rect>"
            )
            if w >= 22 and status is not Status.NOT_APPLICABLE:
                body.append(
                    f'<text class="inside" x="{_f(cursor + w / 2)}" y="{_f(y + 16)}" '
                    f'text-anchor="middle">{n}</text>'
                )
            elif w >= 22:
                body.append(
                    f'<text class="axis" x="{_f(cursor + w / 2)}" y="{_f(y + 16)}" '
                    f'text-anchor="middle">{n}</text>'
                )
            cursor += w
        evaluated = counts[Status.MET] + counts[Status.NOT_MET]
        rate = f"{number(100 * counts[Status.MET] / evaluated)}%" if evaluated else "—"
        body.append(f'<text class="val" x="{_f(x1 + 10)}" y="{_f(y + 16)}">{esc(rate)}</text>')
    title = _l("stacked_title", lang)
    return (
        f'<figure class="wide"><figcaption><h3>{esc(title)}</h3>'
        f"<p>{esc(_l('rate_note', lang))}</p></figcaption>"
        f"{_svg(width, height, title, body)}</figure>"
    )


@define(frozen=True)
class _Bins:
    """A histogram's bins: ``start + i × step``, with the met and not-met counts of each."""

    start: float
    step: float
    met: list[int]
    not_met: list[int]

    @property
    def end(self) -> float:
        return self.start + len(self.met) * self.step

    @property
    def totals(self) -> list[int]:
        return [m + n for m, n in zip(self.met, self.not_met, strict=True)]


def _bins(findings: Sequence[Finding], requireds: Sequence[float]) -> _Bins:
    values = [f.observed or 0.0 for f in findings]
    low = min(*values, *requireds)
    high = max(*values, *requireds)
    step = _nice_step(max(high - low, abs(high) * 0.1, 1e-9), 12, (1.0, 2.0, 5.0, 10.0))
    start = math.floor(low / step) * step
    count = max(1, math.ceil((high - start) / step - 1e-9))
    if start + count * step <= high:
        count += 1
    bins = _Bins(start, step, [0] * count, [0] * count)
    for f, value in zip(findings, values, strict=True):
        index = max(0, min(count - 1, int((value - start) // step)))
        if f.status is Status.MET:
            bins.met[index] += 1
        else:
            bins.not_met[index] += 1
    return bins


def _histogram(assessments: Sequence[Assessment], target_id: str, lang: str) -> str | None:
    """Communities by value range, stacked met / not met, with the target(s) as dashed lines."""
    findings = [
        f
        for a in assessments
        if (f := find(a.findings, target_id)) is not None
        and f.observed is not None
        and f.status in (Status.MET, Status.NOT_MET)
    ]
    if len(findings) < 3:
        return None
    requireds = sorted({f.required for f in findings})
    bins = _bins(findings, requireds)
    most = max(bins.totals) or 1
    y_step = _nice_step(most, 4, (1.0, 2.0, 5.0, 10.0)) if most > 4 else 1.0
    peak = math.ceil(most / y_step) * y_step
    width, height = 560.0, 250.0
    x0, x1, y0, y1 = 40.0, width - 14, 30.0, height - 34

    def x(v: float) -> float:
        return x0 + (x1 - x0) * (v - bins.start) / (bins.end - bins.start)

    def y(n: float) -> float:
        return y1 - (y1 - y0) * n / peak

    body = []
    for index in range(int(peak / y_step) + 1):
        level = index * y_step
        body.append(
            f'<line class="grid" x1="{_f(x0)}" y1="{_f(y(level))}" x2="{_f(x1)}" '
            f'y2="{_f(y(level))}"/><text class="axis" x="{_f(x0 - 6)}" '
            f'y="{_f(y(level) + 4)}" text-anchor="end">{esc(number(level))}</text>'
        )
    axis_label = "社区数" if lang == "zh" else "communities"
    body.append(f'<text class="axis" x="{_f(x0 - 6)}" y="{_f(y0 - 14)}">{esc(axis_label)}</text>')
    for index, total in enumerate(bins.totals):
        low, high = bins.start + index * bins.step, bins.start + (index + 1) * bins.step
        left, right = x(low) + 1, x(high) - 1
        base = 0
        for status, count in ((Status.MET, bins.met[index]), (Status.NOT_MET, bins.not_met[index])):
            if count:
                body.append(
                    f'<rect class="b-{_CLASS[status]}" x="{_f(left)}" y="{_f(y(base + count))}" '
                    f'width="{_f(right - left)}" height="{_f(y(base) - y(base + count))}">'
                    f"<title>{esc(number(low))}–{esc(number(high))}: {count} "
                    f"{esc(STATUS_LABELS[status].get(lang))}</title></rect>"
                )
                base += count
        if total:
            body.append(
                f'<text class="axis" x="{_f((left + right) / 2)}" y="{_f(y(total) - 4)}" '
                f'text-anchor="middle">{total}</text>'
            )
    every = max(1, math.ceil(len(bins.met) / 8))
    for index in range(0, len(bins.met) + 1, every):
        v = bins.start + index * bins.step
        body.append(
            f'<text class="axis" x="{_f(x(v))}" y="{_f(y1 + 16)}" text-anchor="middle">'
            f"{esc(number(v))}</text>"
        )
    unit = findings[0].unit_label.get(lang)
    body.append(
        f'<line class="base" x1="{_f(x0)}" y1="{_f(y1)}" x2="{_f(x1)}" y2="{_f(y1)}"/>'
        f'<text class="axis" x="{_f(x1)}" y="{_f(height - 2)}" text-anchor="end">{esc(unit)}</text>'
    )
    symbol = findings[0].target.comparator.symbol
    label_x = x0
    for required in requireds:
        tx = x(required)
        label = f"{_l('target', lang)} {symbol}{number(required)}"
        lx = max(tx + 4, label_x)
        body.append(
            f'<line class="tdash" x1="{_f(tx)}" y1="{_f(y0 - 10)}" x2="{_f(tx)}" y2="{_f(y1)}"/>'
            f'<text class="tlabel halo" x="{_f(lx)}" y="{_f(y0 - 14)}">{esc(label)}</text>'
        )
        label_x = lx + _text_px(label) + 10
    title = _l("histogram", lang, name=findings[0].target.name.get(lang))
    return (
        f"<figure><figcaption><h3>{esc(title)}</h3>"
        f"<p>{esc(_l('histogram_note', lang))}</p></figcaption>"
        f"{_svg(width, height, title, body)}</figure>"
    )


_HISTOGRAM_PREFERRED: Final = (
    "facility_area_per_100_households",
    "workers_per_10k_urban_residents",
)


def _histogram_targets(assessments: Sequence[Assessment]) -> list[str]:
    candidates: dict[str, int] = {}
    for a in assessments:
        for f in a.findings:
            if f.kind is IndicatorKind.RATIO and f.unit_label.en != "%" and f.observed is not None:
                candidates[f.target.id] = candidates.get(f.target.id, 0) + 1
    chosen = [t for t in _HISTOGRAM_PREFERRED if candidates.get(t, 0) >= 3]
    others = sorted((t for t in candidates if t not in chosen), key=lambda t: -candidates[t])
    return (chosen + [t for t in others if candidates[t] >= 3])[:2]


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
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

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
        _charts(report, target_ids, lang) if report.regions else "",
        _distribution(assessments, lang),
        _provenance(report, target_ids, lang),
        _failing(report, lang),
    ]
    return _page(
        title, lang, _masthead_report(report, lang), sections, _footer(plan.document, lang)
    )


# --- one community -----------------------------------------------------------------


def _mini_bar(f: Finding) -> str:
    if f.observed is None:
        return ""
    width, height = 180.0, 20.0
    dom, _ = _domain([f.observed, f.required], _is_percent(f))
    x1 = width - 4

    def x(v: float) -> float:
        return 2 + (x1 - 2) * max(0.0, min(v, dom)) / dom

    cls = _CLASS[f.status]
    return _svg(
        width,
        height,
        f"{number(f.observed)} / {number(f.required)}",
        [
            f'<rect class="bg-na" x="2" y="5" width="{_f(x1 - 2)}" height="10" rx="2"/>',
            f'<rect class="b-{cls}" x="2" y="5" width="{_f(max(1.5, x(f.observed) - 2))}" '
            'height="10" rx="2"/>',
            f'<line class="tline" x1="{_f(x(f.required))}" y1="1" x2="{_f(x(f.required))}" '
            'y2="19"/>',
        ],
    )


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
            f'<td class="num">{esc(with_unit(f.observed, unit, lang))}</td>'
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
