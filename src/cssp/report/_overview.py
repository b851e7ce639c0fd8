"""The overview: each region's figure and status on each target, in tables that fit the page.

A few regions (at most :data:`FEW_REGIONS`) are columns beside the list of
targets. More regions are rows, and the targets are columns in groups of at
most :data:`COLUMNS_PER_TABLE` — the plan's main indicators (专栏1), its other
requirements, then the profiles' own — so that the table fits a 1280-pixel
screen and an A4 page whether there are 7 regions or 3,000. Every header says
the target and its unit; every cell the value and a mark that reads without
colour. On a narrow screen each row becomes a card whose cells carry their
headers (``data-label``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from cssp.model.measures import Status
from cssp.model.plan import IndicatorKind, Text
from cssp.report._checks import CHECK_LABEL, CHECK_MARK, check_note, implausible
from cssp.report._common import (
    STATUS_LABELS,
    STATUS_MARKS,
    find,
    number,
    target_threshold,
    threshold,
)
from cssp.report._labels import _CLASS, esc

if TYPE_CHECKING:
    from cssp.engine.results import Finding, RegionReport
    from cssp.model.plan import Plan

#: Up to this many regions are columns; more are rows.
FEW_REGIONS: Final = 5
#: The most target columns one table has when regions are rows.
COLUMNS_PER_TABLE: Final = 7

ABSENT: Final = Text("未设此目标", "target not in force")
_L: Final = {
    "indicator": Text("指标", "Indicator"),
    "region": Text("区域", "Region"),
    "target": Text("目标", "Target"),
    "unit": Text("单位：{unit}", "unit: {unit}"),
    "share": Text("达标社区占比", "share of communities meeting it"),
    "varies": Text("各地不同", "differs by region"),
    "main": Text("主要指标（专栏1）", "Main indicators (column 1)"),
    "other": Text("规划的其他要求", "The plan's other requirements"),
    "local": Text("本地新增指标", "Indicators added by local plans"),
    "table": Text("表{n}　{title}", "Table {n}. {title}"),
    "part": Text("（{i}/{n}）", " ({i} of {n})"),
}


def _l(key: str, lang: str, **values: object) -> str:
    text = _L[key].get(lang)
    return text.format(**values) if values else text


def legend(lang: str) -> str:
    """Every mark the report uses, with its colour and its meaning."""
    items = [
        (f"k-{_CLASS[s]}", STATUS_MARKS[s], STATUS_LABELS[s].get(lang))
        for s in (Status.MET, Status.NOT_MET, Status.NO_DATA, Status.NOT_APPLICABLE)
    ]
    items.append(("k-absent", "—", ABSENT.get(lang)))
    items.append(("k-check", CHECK_MARK, CHECK_LABEL.get(lang)))
    spans = "".join(
        f'<span><i class="{cls}">{esc(mark)}</i>{esc(label)}</span>' for cls, mark, label in items
    )
    return f'<div class="legend">{spans}</div>'


def target_text(finding: Finding, lang: str) -> str:
    """The threshold the finding was judged against, with its unit (a direction: no level)."""
    if finding.required is None:
        return target_threshold(finding.target, "", lang)
    return threshold(
        finding.target.comparator, finding.required, finding.unit_label.get(lang), lang
    )


def _unit_line(first: Finding, lang: str) -> str:
    if first.kind is IndicatorKind.PER_COMMUNITY:
        return _l("share", lang)
    return _l("unit", lang, unit=first.unit_label.get(lang))


def cell(f: Finding | None, plan: Plan, lang: str, label: str) -> str:
    """One region's figure on one target: mark and value, coloured by status."""
    data = f' data-label="{esc(label)}"'
    if f is None:
        return f'<td class="cell c-absent"{data}>—</td>'
    value = STATUS_LABELS[f.status].get(lang) if f.observed is None else number(f.observed)
    tip = f.explain(lang)
    flag = ""
    cls = f"cell c-{_CLASS[f.status]}"
    if implausible(f, plan):
        tip = f"{check_note(f, plan, lang)} {tip}"
        flag = f' <b class="check">{CHECK_MARK}{esc(CHECK_LABEL.get(lang))}</b>'
        cls += " flagged"
    return (
        f'<td class="{cls}"{data} title="{esc(tip)}">'
        f"{STATUS_MARKS[f.status]} {esc(value)}{flag}</td>"
    )


def _targets_of(findings: Sequence[Finding | None], lang: str) -> str:
    """The target; when regions differ, each threshold (up to three), or that they differ."""
    found = [f for f in findings if f is not None]
    texts = sorted({target_text(f, lang) for f in found}, key=lambda t: _required(t, found, lang))
    if len(texts) == 1:
        return texts[0]
    if len(texts) <= 3:
        colon = "：" if lang == "zh" else ": "
        return f"{_l('varies', lang)}{colon}{' / '.join(texts)}"
    return _l("varies", lang)


def _required(text: str, findings: Sequence[Finding], lang: str) -> float:
    return min(f.required or 0.0 for f in findings if target_text(f, lang) == text)


def _by_target(
    report: RegionReport, target_ids: Sequence[str], labels: dict[str, str], lang: str
) -> str:
    regions = report.regions
    head = "".join(f'<th class="num" scope="col">{esc(labels[r.code])}</th>' for r in regions)
    rows = []
    for target_id in target_ids:
        findings = [find(r.findings, target_id) for r in regions]
        first = next(f for f in findings if f is not None)
        name = first.target.name.get(lang)
        cells = "".join(
            cell(f, report.plan, lang, labels[r.code])
            for r, f in zip(regions, findings, strict=True)
        )
        rows.append(
            f'<tr><th scope="row" class="name" data-label="{esc(_l("indicator", lang))}">'
            f"{esc(name)}<small>{esc(_unit_line(first, lang))}</small></th>"
            f'<td class="num muted" data-label="{esc(_l("target", lang))}">'
            f"{esc(_targets_of(findings, lang))}</td>{cells}</tr>"
        )
    return (
        '<div class="scroll"><table class="matrix by-target"><thead><tr>'
        f'<th scope="col">{esc(_l("indicator", lang))}</th>'
        f'<th class="num" scope="col">{esc(_l("target", lang))}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _groups(report: RegionReport, target_ids: Sequence[str]) -> list[tuple[str, list[str]]]:
    plan = report.plan
    main, other, local = [], [], []
    for target_id in target_ids:
        target = plan.targets.get(target_id)
        if target is None:
            local.append(target_id)
        elif target.citation.column == "专栏1":
            main.append(target_id)
        else:
            other.append(target_id)
    return [(key, ids) for key, ids in (("main", main), ("other", other), ("local", local)) if ids]


def _chunks(ids: list[str]) -> list[list[str]]:
    parts = -(-len(ids) // COLUMNS_PER_TABLE)
    size = -(-len(ids) // parts)  # as even as the parts can be
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _by_region(
    report: RegionReport, target_ids: Sequence[str], labels: dict[str, str], lang: str
) -> str:
    regions = report.regions
    tables = []
    number_ = 0
    for key, ids in _groups(report, target_ids):
        chunks = _chunks(ids)
        for index, chunk in enumerate(chunks, 1):
            number_ += 1
            title = _l(key, lang)
            if len(chunks) > 1:
                title += _l("part", lang, i=index, n=len(chunks))
            columns = [[find(r.findings, t) for r in regions] for t in chunk]
            head = []
            names = []
            for findings in columns:
                first = next(f for f in findings if f is not None)
                name = first.target.name.get(lang)
                unit = first.unit_label.get(lang)
                if first.kind is IndicatorKind.PER_COMMUNITY:
                    unit = f"{_l('share', lang)}{'，' if lang == 'zh' else ', '}{unit}"
                names.append(f"{name}（{unit}）" if lang == "zh" else f"{name} ({unit})")
                head.append(
                    f'<th class="num" scope="col"><span class="h-name">{esc(name)}</span>'
                    f'<span class="h-target">{esc(_targets_of(findings, lang))}</span>'
                    f'<span class="h-unit">{esc(_unit_line(first, lang))}</span></th>'
                )
            rows = []
            for row, region in enumerate(regions):
                cells = "".join(
                    cell(findings[row], report.plan, lang, name)
                    for findings, name in zip(columns, names, strict=True)
                )
                rows.append(
                    f'<tr><th scope="row" class="name" data-label="{esc(_l("region", lang))}">'
                    f"{esc(labels[region.code])}</th>{cells}</tr>"
                )
            caption = _l("table", lang, n=number_, title=title)
            tables.append(
                f'<div class="scroll"><table class="matrix by-region">'
                f"<caption>{esc(caption)}</caption><thead><tr>"
                f'<th scope="col">{esc(_l("region", lang))}</th>{"".join(head)}</tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table></div>"
            )
    return "".join(tables)


def overview_tables(
    report: RegionReport,
    target_ids: Sequence[str],
    labels: dict[str, str],
    lang: str,
) -> str:
    """The overview's tables: targets down the side for a few regions, regions for more."""
    if len(report.regions) <= FEW_REGIONS:
        return _by_target(report, target_ids, labels, lang)
    return _by_region(report, target_ids, labels, lang)
