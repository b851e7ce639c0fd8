"""The HTML page's charts: inline SVG drawn here, from the findings alone.

Horizontal bars for each indicator across the regions, a stacked bar of the
communities' statuses per target, histograms of the main figures, and a small
bar for each finding of one community. No script, no external reference; every
text is escaped. The page (``cssp.report._html``) puts them in its sections.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final

from attrs import define

from cssp.model.measures import Status
from cssp.model.plan import IndicatorKind
from cssp.report._common import (
    STATUS_LABELS,
    STATUS_MARKS,
    STATUS_ORDER,
    community_targets,
    display_width,
    find,
    number,
    tally,
    truncate,
)
from cssp.report._labels import _CLASS, _l, esc

if TYPE_CHECKING:
    from cssp.engine.results import Assessment, Finding, RegionAssessment


# --- drawing -----------------------------------------------------------------------


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


# --- the region report -------------------------------------------------------------

#: Up to this many regions, an indicator's chart has a bar per region; with
#: more it counts the regions in each range of values (a chart stays whole on
#: a printed page).
MANY_BARS: Final = 40


def _bar_chart(rows: Sequence[tuple[str, Finding | None]], title: str, lang: str) -> str:
    """Horizontal bars, one per region, with each region's target as a vertical line."""
    width = 560.0
    row_h = 30.0
    top = 26.0
    bottom = 24.0
    longest = max((_text_px(label) for label, _ in rows), default=40.0)
    label_w = min(170.0, max(56.0, longest + 14))
    x0, x1 = label_w, width - 76
    present = [f for _, f in rows if f is not None]
    values = [f.observed for f in present if f.observed is not None]
    values += [f.required for f in present if f.required is not None]
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
    requireds = {f.required for f in present if f.required is not None}
    shared = len(requireds) == 1 and all(f.required is not None for f in present)
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
            value = f"{STATUS_MARKS[f.status]} {number(f.observed)}"
            lx = bx + 6
            if f.required is not None:
                tx = x(f.required)
                if lx - 4 <= tx <= lx + _text_px(value) + 4:
                    lx = tx + 6  # clear of the target line
            body.append(
                f'<rect class="b-{cls}" x="{_f(x0)}" y="{_f(y + 7)}" '
                f'width="{_f(max(1.5, bx - x0))}" height="16" rx="3"/>'
                f'<text class="val halo t-{cls}" x="{_f(lx)}" y="{_f(cy + 4)}">'
                f"{esc(value)}</text>"
            )
        if f is not None and f.required is not None and not shared:
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


def _stacked(assessments: Sequence[Assessment], lang: str) -> str | None:
    """One stacked bar per community-level target: how many communities reach each status."""
    rows = []
    for target_id in community_targets(assessments):
        findings = [f for a in assessments if (f := find(a.findings, target_id)) is not None]
        rows.append((findings[0].target.name.get(lang), tally(findings)))
    return _stacked_figure(rows, lang)


def _stacked_of_regions(regions: Sequence[RegionAssessment], lang: str) -> str | None:
    """The chart of :func:`_stacked` from the regions' counts of communities, for a report
    of regions alone (its regions share out the communities: each is counted once)."""
    rows: dict[str, tuple[str, dict[Status, int]]] = {}
    for region in regions:
        for f in region.findings:
            c = f.counts
            if c is None or not c.total:  # judged on the region alone: no community counted
                continue
            if f.target.id not in rows:
                rows[f.target.id] = (f.target.name.get(lang), dict.fromkeys(STATUS_ORDER, 0))
            counts = rows[f.target.id][1]
            counts[Status.MET] += c.met
            counts[Status.NOT_MET] += c.not_met
            counts[Status.NOT_APPLICABLE] += c.not_applicable
            counts[Status.NO_DATA] += c.no_data
            counts[Status.NO_VERDICT] += c.no_verdict
    return _stacked_figure(list(rows.values()), lang)


def _stacked_figure(rows: Sequence[tuple[str, dict[Status, int]]], lang: str) -> str | None:
    """The stacked bars of ``rows``: each target's name and its communities by status."""
    if not rows:
        return None
    width = 1080.0
    label_w = min(330.0, max(120.0, max(_text_px(name) for name, _ in rows) + 16))
    x0, x1 = label_w, width - 90
    row_h = 24.0
    top = 6.0
    height = top + row_h * len(rows) + 6
    body = []
    order = (Status.MET, Status.NOT_MET, Status.NO_VERDICT, Status.NO_DATA, Status.NOT_APPLICABLE)
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
                f"{n:,}</title></rect>"
            )
            if w >= 22 and status is not Status.NOT_APPLICABLE:
                body.append(
                    f'<text class="inside" x="{_f(cursor + w / 2)}" y="{_f(y + 16)}" '
                    f'text-anchor="middle">{n:,}</text>'
                )
            elif w >= 22:
                body.append(
                    f'<text class="axis" x="{_f(cursor + w / 2)}" y="{_f(y + 16)}" '
                    f'text-anchor="middle">{n:,}</text>'
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
        and f.required is not None
        and f.status in (Status.MET, Status.NOT_MET)
    ]
    if len(findings) < 3:
        return None
    title = _l("histogram", lang, name=findings[0].target.name.get(lang))
    axis = "社区数" if lang == "zh" else "communities"
    return (
        f"<figure><figcaption><h3>{esc(title)}</h3>"
        f"<p>{esc(_l('histogram_note', lang))}</p></figcaption>"
        f"{_histogram_svg(findings, title, axis, lang)}</figure>"
    )


def _region_histogram(findings: Sequence[Finding], title: str, lang: str) -> str:
    """Regions by value range, for an indicator with too many regions for a bar each."""
    judged = [
        f for f in findings if f.observed is not None and f.status in (Status.MET, Status.NOT_MET)
    ]
    if not judged:
        return ""
    axis = "区域数" if lang == "zh" else "regions"
    return _histogram_svg(judged, title, axis, lang)


def _histogram_svg(findings: Sequence[Finding], title: str, axis_label: str, lang: str) -> str:
    """Counts by value range, stacked met / not met, with the target(s) as dashed lines."""
    requireds = sorted({f.required for f in findings if f.required is not None})
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
                    f"<title>{esc(number(low))}–{esc(number(high))}: {count:,} "
                    f"{esc(STATUS_LABELS[status].get(lang))}</title></rect>"
                )
                base += count
        if total:
            body.append(
                f'<text class="axis" x="{_f((left + right) / 2)}" y="{_f(y(total) - 4)}" '
                f'text-anchor="middle">{total:,}</text>'
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
    return _svg(width, height, title, body)


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


# --- one community -----------------------------------------------------------------


def _mini_bar(f: Finding) -> str:
    if f.observed is None:
        return ""
    width, height = 180.0, 20.0
    required = f.required
    dom, _ = _domain([f.observed] if required is None else [f.observed, required], _is_percent(f))
    x1 = width - 4

    def x(v: float) -> float:
        return 2 + (x1 - 2) * max(0.0, min(v, dom)) / dom

    cls = _CLASS[f.status]
    body = [
        f'<rect class="bg-na" x="2" y="5" width="{_f(x1 - 2)}" height="10" rx="2"/>',
        f'<rect class="b-{cls}" x="2" y="5" width="{_f(max(1.5, x(f.observed) - 2))}" '
        'height="10" rx="2"/>',
    ]
    if required is not None:
        body.append(
            f'<line class="tline" x1="{_f(x(required))}" y1="1" x2="{_f(x(required))}" y2="19"/>'
        )
    label = number(f.observed) if required is None else f"{number(f.observed)} / {number(required)}"
    return _svg(width, height, label, body)
