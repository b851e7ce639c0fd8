"""Markdown: headings per region, GitHub-style tables, failing communities with their reasons."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from cssp.model.divisions import division_path
from cssp.model.measures import Status
from cssp.model.plan import Level, Plan, Text
from cssp.report._checks import CHECK_MARK, check_note, implausible
from cssp.report._common import (
    CHANGE_LABELS,
    EVALUATION_LABELS,
    FAILING_LABELS,
    LEVEL_LABELS,
    SCOPE_LABELS,
    STATUS_LABELS,
    STATUS_MARKS,
    STATUS_ORDER,
    TARGET_LEVEL_LABELS,
    by_code,
    changed_by_profile,
    community_counts,
    community_kind,
    failing_in,
    input_sections,
    left_out,
    number,
    observed,
    origin_note,
    region_size,
    region_title,
    step_threshold,
    tally,
    target_threshold,
    touched_by_profile,
    worst,
    worst_heading,
    worst_note,
)
from cssp.report._common import by_rule as _by_rule
from cssp.report._names import full_name

if TYPE_CHECKING:
    from cssp.engine.results import Assessment, Finding, RegionReport
    from cssp.report._imprint import ReportSource
    from cssp.rules.resolve import EffectiveTargets

_SPECIAL: Final = re.compile(r"([\\`*_\[\]<>|])")


def escape(text: str) -> str:
    r"""Escape Markdown's special characters, ``|`` included, and fold line breaks.

    >>> escape("a|b *c*")
    'a\\|b \\*c\\*'
    """
    return _SPECIAL.sub(r"\\\1", " ".join(text.splitlines()))


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], aligns: str) -> list[str]:
    """A GitHub-style table; every cell is escaped."""
    rule = {"<": "---", ">": "---:"}
    lines = ["| " + " | ".join(escape(h) for h in headers) + " |"]
    lines.append("| " + " | ".join(rule[a] for a in aligns) + " |")
    lines += ["| " + " | ".join(escape(cell) for cell in row) + " |" for row in rows]
    return lines


_L: Final = {
    "report": Text("评估报告", "evaluation report"),
    "document": Text("文件", "Document"),
    "year": Text("评估年份", "Year evaluated"),
    "level": Text("区域层级", "Regions by"),
    "communities": Text("社区", "Communities"),
    "regional": Text("区域指标", "Region findings"),
    "indicator": Text("指标", "Indicator"),
    "observed": Text("实际值", "Observed"),
    "required": Text("目标", "Target"),
    "unit": Text("单位", "Unit"),
    "status": Text("状态", "Status"),
    "failing": Text("未达标的社区", "Communities not meeting a target"),
    "local": Text("本地标准", "Local standards"),
    "no_data": Text("无数据", "Without data"),
    "scope": Text("适用范围", "Scope"),
    "levels": Text("层级", "Levels"),
    "citation": Text("依据", "Citation"),
    "year_col": Text("年份", "Year"),
    "provenance": Text("来源", "Provenance"),
}


def _l(key: str, lang: str) -> str:
    return _L[key].get(lang)


def _status(status: Status, lang: str) -> str:
    return f"{STATUS_MARKS[status]} {STATUS_LABELS[status].get(lang)}"


def _required(f: Finding, lang: str) -> str:
    mark = "*" if changed_by_profile(f.target) else ""
    if f.required is None:
        return f"{target_threshold(f.target, '', lang).strip()}{mark}"
    return f"{f.target.comparator.symbol}{number(f.required)}{mark}"


def _notes(findings: Sequence[Finding], lang: str) -> list[str]:
    lines = []
    for f in findings:
        note = origin_note(f.target, f.unit_label.get(lang), lang)
        if note:
            sep = "：" if lang == "zh" else ": "
            lines.append(f"- \\* {escape(f.target.name.get(lang))}{sep}{escape(note)}")
    if lines:
        return ["", f"{_l('local', lang)}{'：' if lang == 'zh' else ':'}", "", *lines]
    return []


def _kv(key: str, value: str, lang: str) -> str:
    sep = "：" if lang == "zh" else ": "
    return f"- **{_l(key, lang)}**{sep}{escape(value)}"


def _comma(lang: str) -> str:
    """The list separator: ``，`` in Chinese, ``, `` in English."""
    return "，" if lang == "zh" else ", "


def _brackets(text: str, lang: str) -> str:
    """``（text）`` in Chinese, `` (text)`` in English."""
    return f"（{text}）" if lang == "zh" else f" ({text})"


def render_report(report: RegionReport, lang: str, source: ReportSource | None = None) -> str:
    from cssp.report._imprint import info_rows, report_title  # noqa: PLC0415 - its own module

    assessments = by_code(report)
    level = LEVEL_LABELS.get(report.by, Text(report.by, report.by)).get(lang)
    total, failing_total = community_counts(report)
    counts = tally(f for r in report.regions for f in r.findings)
    space = "" if lang == "zh" else " "
    regional = _comma(lang).join(
        f"{STATUS_LABELS[s].get(lang)}{space}{counts[s]:,}" for s in STATUS_ORDER
    )
    if lang == "zh":
        communities = f"{total:,}个，其中{failing_total:,}个至少有一项未达标"
    else:
        communities = f"{total:,}, of which {failing_total:,} fail at least one target"
    out = [f"# {escape(report_title(report, lang))}", ""]
    sep = "：" if lang == "zh" else ": "
    for label, value, code in info_rows(report, source, lang):
        shown = f"`{value}`" if code else escape(value)
        out.append(f"- **{escape(label)}**{sep}{shown}")
    out += [
        _kv("level", level, lang),
        _kv("communities", communities, lang),
        _kv("regional", regional, lang),
        *([f"- {escape(note)}"] if (note := left_out(report, lang)) else []),
    ]
    headers = [
        _l("indicator", lang),
        _l("observed", lang),
        _l("required", lang),
        _l("unit", lang),
        _l("status", lang),
        *(STATUS_LABELS[s].get(lang) for s in _COUNT_ORDER),
    ]
    for region in report.regions:
        heading = region_title(region, lang)
        if region.code:
            heading = f"{full_name(region.code, lang)}{_brackets(region.code, lang)}"
        out += ["", f"## {escape(heading)}", ""]
        n = region_size(region)
        out.append(f"{n:,}个社区。" if lang == "zh" else f"{n:,} communities.")
        out.append("")
        rows = []
        for f in region.findings:
            c = f.counts
            counts_row = (
                [c.met, c.not_met, c.not_applicable, c.no_data, c.no_verdict]
                if c
                else [0, 0, 0, 0, 0]
            )
            rows.append(
                [
                    f.target.name.get(lang),
                    observed(f, lang),
                    _required(f, lang),
                    f.unit_label.get(lang),
                    _status(f.status, lang),
                    *(str(x) for x in counts_row),
                ]
            )
        out += table(headers, rows, "<>><<>>>>>")
        out += _notes(region.findings, lang)
        for f in region.findings:
            if f.lacking and f.failing:
                label = FAILING_LABELS[True].get(lang)
                if f.unit is Level.TOWNSHIP:
                    label = "尚不具备的乡镇（街道）" if lang == "zh" else "townships without it"
                sep = "：" if lang == "zh" else ": "
                shown = ", ".join(f.failing)
                out += [
                    "",
                    f"- {escape(f.target.name.get(lang))} — {escape(label)} "
                    f"({len(f.failing)}){sep}{escape(shown)}",
                ]
        failing = failing_in(region, assessments)
        if failing:
            count = _brackets(f"{len(failing):,}", lang)
            out += ["", f"### {_l('failing', lang)}{count}", ""]
            for a in failing:
                out.append(f"- **{escape(a.community.code)}** {escape(a.community.name)}".rstrip())
                out += [f"  - {escape(f.explain(lang))}" for f in a.failing]
                out += [
                    f"  - {CHECK_MARK} {escape(check_note(f, report.plan, lang))}"
                    for f in a.findings
                    if implausible(f, report.plan)
                ]
    out += _worst(report, lang)
    for heading, lines in input_sections(report.input, lang):
        out += ["", f"## {escape(heading)}", "", *(f"- {escape(line)}" for line in lines)]
    return "\n".join(out) + "\n"


def _worst(report: RegionReport, lang: str) -> list[str]:
    """The worst communities of a report of regions alone, with their findings not met."""
    shown = worst(report)
    if not shown:
        return []
    out = ["", f"## {escape(worst_heading(report, lang))}", "", escape(worst_note(report, lang))]
    out.append("")
    for a in shown:
        c = a.community
        count = f"{len(a.failing)}项未达标" if lang == "zh" else f"{len(a.failing)} not met"
        where = f"{full_name(c.code[:9], lang)} · " if c.code else ""
        out.append(f"- **{escape(c.code)}** {escape(c.name)} · {escape(where + count)}")
        out += [f"  - {escape(f.explain(lang))}" for f in a.failing]
        out += [
            f"  - {CHECK_MARK} {escape(check_note(f, report.plan, lang))}"
            for f in a.findings
            if implausible(f, report.plan)
        ]
    return out


_COUNT_ORDER: Final = (
    Status.MET,
    Status.NOT_MET,
    Status.NOT_APPLICABLE,
    Status.NO_DATA,
    Status.NO_VERDICT,
)


def render_assessment(assessment: Assessment, lang: str) -> str:
    c = assessment.community
    plan = assessment.plan
    title = f"{c.name}{_brackets(c.code, lang)}"
    counts = tally(assessment.findings)
    space = "" if lang == "zh" else " "
    summary = _comma(lang).join(
        f"{STATUS_LABELS[s].get(lang)}{space}{counts[s]}" for s in STATUS_ORDER
    )
    document = f"《{plan.title.zh}》" if lang == "zh" else plan.title.en
    out = [
        f"# {escape(title if c.name else c.code)}",
        "",
        _kv("document", f"{document}{_brackets(plan.document, lang)}", lang),
        _kv("year", str(assessment.year), lang),
        f"- **{'类型' if lang == 'zh' else 'Kind'}**{'：' if lang == 'zh' else ': '}"
        f"{community_kind(assessment, lang)}",
        f"- **{_l('status', lang)}**{'：' if lang == 'zh' else ': '}{escape(summary)}",
        "",
    ]
    rows = [
        [
            f.target.name.get(lang),
            observed(f, lang),
            _required(f, lang),
            f.unit_label.get(lang),
            _status(f.status, lang),
        ]
        for f in assessment.findings
    ]
    out += table(
        [
            _l("indicator", lang),
            _l("observed", lang),
            _l("required", lang),
            _l("unit", lang),
            _l("status", lang),
        ],
        rows,
        "<>><<",
    )
    out += _notes(assessment.findings, lang)
    for status, key in ((Status.NOT_MET, "failing"), (Status.NO_DATA, "no_data")):
        chosen = [f for f in assessment.findings if f.status is status]
        if chosen:
            heading = STATUS_LABELS[status].get(lang) if key == "failing" else _l(key, lang)
            out += ["", f"## {heading.capitalize()}", ""]
            out += [f"- {escape(f.explain(lang))}" for f in chosen]
    return "\n".join(out) + "\n"


def render_targets(effective: EffectiveTargets, lang: str, code: str) -> str:

    plan = effective.plan
    place = " ".join(name or c for c, name in division_path(code)) if code else ""
    if lang == "zh":
        where = f"{code}（{place}）" if code else "全国"
        out = [f"# {escape(where)}的生效目标", ""]
    else:
        where = f"{code} ({place})" if code else "the nation"
        out = [f"# Targets in force for {escape(where)}", ""]
    title = f"《{plan.title.zh}》" if lang == "zh" else plan.title.en
    out.append(_kv("document", f"{title}{_brackets(plan.document, lang)}", lang))
    for p in effective.chain:
        label = "本地规划" if lang == "zh" else "Profile"
        sep = "：" if lang == "zh" else ": "
        if lang == "zh":
            plugin = escape(p.source or "-")
            about = f"（`{escape(p.id)}`，插件{plugin}，适用范围{escape(p.scope)}）"
            out.append(f"- **{label}**{sep}《{escape(p.title.zh)}》{about}")
        else:
            out.append(
                f"- **{label}**{sep}{escape(p.title.en)} "
                f"(`{escape(p.id)}`, plugin {escape(p.source or '-')}, scope {escape(p.scope)})"
            )
    out.append("")
    rows = []
    for indicator, t in effective.pairs:
        levels = ("、" if lang == "zh" else ", ").join(
            TARGET_LEVEL_LABELS[lv].get(lang)
            for lv in sorted(t.levels, key=lambda v: list(TARGET_LEVEL_LABELS).index(v))
        )
        mark = "*" if changed_by_profile(t) else ""
        rows.append(
            [
                t.name.get(lang),
                f"{target_threshold(t, indicator.unit_label.get(lang), lang)}{mark}",
                str(t.year) if t.year_stated else f"({t.year})",
                SCOPE_LABELS[t.scope].get(lang),
                levels,
                t.strength.zh if lang == "zh" else t.strength.en,
                EVALUATION_LABELS[indicator.evaluation].get(lang),
                t.citation.text(lang),
            ]
        )
    out += table(
        [
            _l("indicator", lang),
            _l("required", lang),
            _l("year_col", lang),
            _l("scope", lang),
            _l("levels", lang),
            "表述" if lang == "zh" else "Wording",
            "评估方式" if lang == "zh" else "Evaluation",
            _l("citation", lang),
        ],
        rows,
        "<<><<<<<",
    )
    if any(not t.year_stated for t in effective.targets):
        out += [
            "",
            "（年份）：规划未单列年份，取规划期末。"
            if lang == "zh"
            else "(year): the text states no year of its own; the plan's horizon.",
        ]
    recorded = [(i, t) for i, t in effective.pairs if i.evaluation == "recorded"]
    if recorded:
        heading = "只收录、不评估的要求" if lang == "zh" else "Recorded, not evaluated"
        out += ["", f"## {heading}", ""]
        for indicator, t in recorded:
            needs = indicator.needs.get(lang) if indicator.needs else ""
            out.append(f"- **{escape(t.name.get(lang))}** (`{t.id}`): {escape(needs)}")
    changed = [(i, t) for i, t in effective.pairs if touched_by_profile(t)]
    if changed:
        out += ["", f"## {_l('provenance', lang)}"]
        for indicator, t in changed:
            out += ["", f"**{escape(t.name.get(lang))}**{_brackets(f'`{t.id}`', lang)}", ""]
            unit = indicator.unit_label.get(lang)
            for step in t.provenance:
                where = step.scope or ("全国" if lang == "zh" else "national")
                change = CHANGE_LABELS[step.change].get(lang)
                threshold_ = escape(step_threshold(step, unit, lang, _by_rule(t)))
                cite = escape(step.citation.text(lang))
                if lang == "zh":
                    out.append(
                        f"1. `{escape(step.profile)}`（{escape(step.source)}，{escape(where)}）："
                        f"{threshold_}，{step.year}年——{change}——{cite}"
                    )
                else:
                    out.append(
                        f"1. `{escape(step.profile)}` ({escape(step.source)}, {escape(where)}): "
                        f"{threshold_}, {step.year} — {change} — {cite}"
                    )
    return "\n".join(out) + "\n"


def render_programmes(plan: Plan, lang: str) -> str:
    kinds = {
        "action_plan": Text("行动计划", "action plan"),
        "major_project": Text("重大工程", "major project"),
    }
    heading = "专栏与项目" if lang == "zh" else "Programmes"
    if lang == "zh":
        out = [f"# 《{escape(plan.title.zh)}》{heading}", ""]
    else:
        out = [f"# {escape(plan.title.en)}: {heading}", ""]
    out.append(_kv("document", plan.document, lang))
    for group in plan.programme_groups:
        kind = kinds.get(group.kind, Text(group.kind, group.kind)).get(lang)
        out += [
            "",
            f"## {escape(group.column)} {escape(group.title.get(lang))}{_brackets(kind, lang)}",
            "",
        ]
        for p in group.programmes:
            out.append(f"{p.item}. **{escape(p.title.get(lang))}** — {escape(p.summary.get(lang))}")
            if p.targets:
                names = ("、" if lang == "zh" else ", ").join(
                    plan.targets[t].name.get(lang) if t in plan.targets else t for t in p.targets
                )
                label = "目标：" if lang == "zh" else "Targets: "
                out.append(f"   {label}{escape(names)}")
    return "\n".join(out) + "\n"
