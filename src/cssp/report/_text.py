"""Plain text for a terminal: aligned tables, Chinese by default, ANSI colour on request."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from cssp.engine.explain import place_of
from cssp.model.divisions import division_path
from cssp.model.measures import Status
from cssp.model.plan import Attribute, Level, Plan, Strength, Target, Text
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
    TOWNSHIPS_LACKING,
    by_code,
    by_rule,
    changed_by_profile,
    community_counts,
    community_kind,
    count_phrase,
    display_width,
    division_line,
    failing_in,
    input_sections,
    left_out,
    number,
    observed,
    origin_note,
    reference_name,
    region_size,
    region_title,
    report_title,
    step_threshold,
    tally,
    target_threshold,
    touched_by_profile,
    truncate,
    worst,
    worst_heading,
    worst_note,
    wrap,
)

if TYPE_CHECKING:
    from cssp.engine.results import Assessment, Finding, RegionReport
    from cssp.rules.resolve import EffectiveTargets

#: ANSI styles by status: green, red, yellow, dim, cyan.
ANSI: Final = {
    Status.MET: "32",
    Status.NOT_MET: "31",
    Status.NO_DATA: "33",
    Status.NOT_APPLICABLE: "2",
    Status.NO_VERDICT: "36",
}
_RESET: Final = "\x1b[0m"
#: The widest an indicator name may be in a table, in terminal columns.
NAME_WIDTH: Final = 48


def paint(text: str, style: str | None, colour: bool) -> str:
    """Wrap ``text`` in an ANSI style when ``colour`` is on."""
    if not colour or not style or not text:
        return text
    return f"\x1b[{style}m{text}{_RESET}"


def pad(text: str, width: int, align: str) -> str:
    """Pad ``text`` to ``width`` display columns, left (``"<"``) or right (``">"``)."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if align == ">" else text + fill


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    aligns: str,
    *,
    styles: Sequence[Sequence[str | None]] | None = None,
    colour: bool = False,
    indent: str = "  ",
    ragged: bool = False,
) -> list[str]:
    """Lay out a table: a header, a rule of dashes and the rows, columns two spaces apart.

    Every line has the same display width (CJK characters count as two columns),
    unless ``ragged`` leaves a left-aligned last column unpadded. A cell with
    line breaks (a wrapped name) takes as many lines as it has, the row's
    other cells on its first.
    """
    widths = [
        max(display_width(line) for cell in column for line in cell.split("\n"))
        for column in zip(headers, *rows, strict=True)
    ]
    last = len(widths) - 1

    def line(cells: Sequence[str], cell_styles: Sequence[str | None] | None) -> str:
        out = []
        for index, cell in enumerate(cells):
            text = (
                cell
                if ragged and index == last and aligns[index] == "<"
                else pad(cell, widths[index], aligns[index])
            )
            style = cell_styles[index] if cell_styles else None
            out.append(paint(text, style, colour))
        return indent + "  ".join(out)

    lines = [line(headers, ["1"] * len(headers))]
    lines.append(indent + "  ".join("-" * w for w in widths))
    for index, row in enumerate(rows):
        parts = [cell.split("\n") for cell in row]
        height = max(len(p) for p in parts)
        for k in range(height):
            cells = [p[k] if k < len(p) else "" for p in parts]
            lines.append(line(cells, styles[index] if styles else None))
    return lines


def status_cell(status: Status, lang: str) -> str:
    return f"{STATUS_MARKS[status]} {STATUS_LABELS[status].get(lang)}"


_HEAD: Final = {
    "indicator": Text("指标", "Indicator"),
    "observed": Text("实际值", "Observed"),
    "required": Text("目标", "Target"),
    "unit": Text("单位", "Unit"),
    "status": Text("状态", "Status"),
    "year": Text("年份", "Year"),
    "scope": Text("适用范围", "Scope"),
    "levels": Text("层级", "Levels"),
    "attribute": Text("属性", "Attribute"),
    "strength": Text("表述", "Wording"),
    "evaluation": Text("评估方式", "Evaluation"),
    "citation": Text("依据", "Citation"),
}


def _h(key: str, lang: str) -> str:
    return _HEAD[key].get(lang)


def _name(target: Target, lang: str, width: int = NAME_WIDTH) -> str:
    return wrap(target.name.get(lang), width)


def _required(finding: Finding, lang: str) -> str:
    mark = "*" if changed_by_profile(finding.target) else ""
    if finding.required is None:
        return f"{target_threshold(finding.target, '', lang)}{mark}"
    return f"{finding.target.comparator.symbol}{number(finding.required)}{mark}"


def _notes(findings: Sequence[Finding], lang: str) -> list[str]:
    """Footnotes for the targets a profile set: the local figure and the national one."""
    notes = []
    for f in findings:
        note = origin_note(f.target, f.unit_label.get(lang), lang)
        if note:
            name = truncate(f.target.name.get(lang), NAME_WIDTH)
            notes.append(f"  * {name}: {note}" if lang == "en" else f"  * {name}：{note}")
    return notes


def render_report(report: RegionReport, lang: str, colour: bool) -> str:
    assessments = by_code(report)
    level = LEVEL_LABELS.get(report.by, Text(report.by, report.by)).get(lang)
    n_regions = len(report.regions)
    n_communities = community_counts(report)[0]
    if lang == "zh":
        meta = (
            f"{report.plan.document} · {report.year}年目标 · 按{level}汇总 · "
            f"{n_regions}个区域 · {n_communities}个社区"
        )
    else:
        meta = (
            f"{report.plan.document} · {report.year} targets · by {level} · "
            f"{count_phrase(n_regions, '', 'regions', lang)} · "
            f"{count_phrase(n_communities, '', 'communities', lang)}"
        )
    title = report_title(report, lang)
    out = [paint(title, "1", colour), meta, "=" * max(display_width(title), display_width(meta))]
    counts_head = [STATUS_LABELS[s].get(lang) for s in _COUNT_ORDER]
    headers = [
        _h("indicator", lang),
        _h("observed", lang),
        _h("required", lang),
        _h("unit", lang),
        _h("status", lang),
        *counts_head,
    ]
    for region in report.regions:
        members = count_phrase(region_size(region), "个社区", "communities", lang)
        if region.townships:
            members += " · " + count_phrase(
                len(region.townships), "个乡镇（街道）", "townships", lang
            )
        out += ["", paint(f"{region_title(region, lang)} · {members}", "1", colour)]
        rows = []
        styles: list[list[str | None]] = []
        for f in region.findings:
            c = f.counts
            counts = (
                [c.met, c.not_met, c.not_applicable, c.no_data, c.no_verdict]
                if c
                else [0, 0, 0, 0, 0]
            )
            rows.append(
                [
                    _name(f.target, lang),
                    observed(f, lang),
                    _required(f, lang),
                    f.unit_label.get(lang),
                    status_cell(f.status, lang),
                    *(str(n) for n in counts),
                ]
            )
            dim = ANSI[Status.NOT_APPLICABLE] if f.status is Status.NOT_APPLICABLE else None
            styles.append([dim, dim, dim, dim, ANSI[f.status], dim, dim, dim, dim, dim])
        out += table(headers, rows, "<>><<>>>>>", styles=styles, colour=colour)
        out += _notes(region.findings, lang)
        out += _lacking(region.findings, lang)
        failing = failing_in(region, assessments)
        if failing:
            label = (
                f"未达标的社区（{len(failing)}个）："
                if lang == "zh"
                else f"Communities not meeting a target ({len(failing)}):"
            )
            out += ["", f"  {paint(label, '1', colour)}"]
            for a in failing:
                out.append(f"    {a.community.code} {a.community.name}".rstrip())
                for f in a.failing:
                    mark = paint(STATUS_MARKS[f.status], ANSI[f.status], colour)
                    out.append(f"      {mark} {f.explain(lang)}")
    out += _worst(report, lang, colour)
    for heading, lines in input_sections(report.input, lang):
        out += ["", paint(heading, "1", colour), *(f"  {line}" for line in lines)]
    out += ["", _summary(report, lang)]
    note = left_out(report, lang)
    if note:
        out.append(note)
    return "\n".join(out) + "\n"


def _worst(report: RegionReport, lang: str, colour: bool) -> list[str]:
    """The worst communities of a report of regions alone, with their findings not met."""
    shown = worst(report)
    if not shown:
        return []
    colon = "：" if lang == "zh" else ":"
    out = [
        "",
        paint(worst_heading(report, lang) + colon, "1", colour),
        f"  {worst_note(report, lang)}",
    ]
    for a in shown:
        c = a.community
        where = division_line(c.code)
        count = f"{len(a.failing)}项未达标" if lang == "zh" else f"{len(a.failing)} not met"
        head = f"{c.code} {c.name}".rstrip()
        out.append(f"    {head} · {count}" + (f" · {where}" if where else ""))
        for f in a.failing:
            mark = paint(STATUS_MARKS[f.status], ANSI[f.status], colour)
            out.append(f"      {mark} {f.explain(lang)}")
    return out


_COUNT_ORDER: Final = (
    Status.MET,
    Status.NOT_MET,
    Status.NOT_APPLICABLE,
    Status.NO_DATA,
    Status.NO_VERDICT,
)


def _lacking(findings: Sequence[Finding], lang: str) -> list[str]:
    """For a coverage target communities are not judged on: those without the thing."""
    out: list[str] = []
    for f in findings:
        if f.lacking and f.failing:
            townships = f.unit is Level.TOWNSHIP
            label = (TOWNSHIPS_LACKING if townships else FAILING_LABELS[True]).get(lang)
            name = truncate(f.target.name.get(lang), NAME_WIDTH)
            shown = ", ".join(f.failing[:10])
            more = f" … (+{len(f.failing) - 10})" if len(f.failing) > 10 else ""
            sep = "：" if lang == "zh" else ": "
            out.append(f"  {name} — {label} ({len(f.failing)}){sep}{shown}{more}")
    return ["", *out] if out else out


def _summary(report: RegionReport, lang: str) -> str:
    counts = tally(f for r in report.regions for f in r.findings)
    total, failing = community_counts(report)
    regions = len(report.regions)
    met, not_met = counts[Status.MET], counts[Status.NOT_MET]
    no_data, na = counts[Status.NO_DATA], counts[Status.NOT_APPLICABLE]
    no_verdict = counts[Status.NO_VERDICT]
    if lang == "zh":
        return (
            f"共{regions}个区域：区域指标达标{met}项、未达标{not_met}项、不作评价{no_verdict}项、"
            f"无数据{no_data}项、不适用{na}项；{failing}/{total}个社区至少有一项未达标。"
        )
    return (
        f"{count_phrase(regions, '', 'regions', lang)}: {met} region findings met, "
        f"{not_met} not met, {no_verdict} without a verdict, {no_data} without data, "
        f"{na} not applicable; {failing} of {total} communities fail at least one target."
    )


def _community_heading(assessment: Assessment, lang: str) -> str:
    c = assessment.community
    path = division_line(c.code)
    name = c.name or c.code
    head = f"{name}（{c.code}）" if lang == "zh" else f"{name} ({c.code})"
    if name == c.code:
        head = c.code
    parts = [head, community_kind(assessment, lang)]
    if path:
        parts.append(path)
    return " · ".join(parts)


def render_assessment(assessment: Assessment, lang: str, colour: bool) -> str:
    plan = assessment.plan
    title = f"《{plan.title.zh}》" if lang == "zh" else plan.title.en
    year = f"{assessment.year}年目标" if lang == "zh" else f"{assessment.year} targets"
    heading = _community_heading(assessment, lang)
    out = [paint(heading, "1", colour), f"{title} · {plan.document} · {year}"]
    out.append("=" * max(display_width(line) for line in out))
    out.append("")
    headers = [
        _h("indicator", lang),
        _h("observed", lang),
        _h("required", lang),
        _h("unit", lang),
        _h("status", lang),
    ]
    rows = []
    styles: list[list[str | None]] = []
    for f in assessment.findings:
        rows.append(
            [
                _name(f.target, lang),
                observed(f, lang),
                _required(f, lang),
                f.unit_label.get(lang),
                status_cell(f.status, lang),
            ]
        )
        dim = ANSI[Status.NOT_APPLICABLE] if f.status is Status.NOT_APPLICABLE else None
        styles.append([dim, dim, dim, dim, ANSI[f.status]])
    out += table(headers, rows, "<>><<", styles=styles, colour=colour)
    out += _notes(assessment.findings, lang)
    for status in (Status.NOT_MET, Status.NO_DATA):
        chosen = [f for f in assessment.findings if f.status is status]
        if not chosen:
            continue
        label = STATUS_LABELS[status].get(lang)
        label = f"{label}：" if lang == "zh" else f"{label.capitalize()}:"
        out += ["", f"  {paint(label, '1', colour)}"]
        for f in chosen:
            mark = paint(STATUS_MARKS[f.status], ANSI[f.status], colour)
            out.append(f"    {mark} {f.explain(lang)}")
    counts = tally(assessment.findings)
    n = len(assessment.findings)
    if lang == "zh":
        tail = (
            f"{n}项指标：达标{counts[Status.MET]}项、未达标{counts[Status.NOT_MET]}项、"
            f"不作评价{counts[Status.NO_VERDICT]}项、"
            f"无数据{counts[Status.NO_DATA]}项、不适用{counts[Status.NOT_APPLICABLE]}项。"
        )
    else:
        tail = (
            f"{n} targets: {counts[Status.MET]} met, {counts[Status.NOT_MET]} not met, "
            f"{counts[Status.NO_VERDICT]} without a verdict, "
            f"{counts[Status.NO_DATA]} without data, "
            f"{counts[Status.NOT_APPLICABLE]} not applicable."
        )
    out += ["", tail]
    return "\n".join(out) + "\n"


def _step_line(index: int, step_target: Target, unit: Text, step_no: int) -> str:
    step = step_target.provenance[index]
    if step.scope:
        where = f"{place_of(step.scope, 'zh')} / {place_of(step.scope, 'en')}"
    else:
        where = "全国 / national"
    value = step_threshold(step, unit.zh, "zh", by_rule(step_target))
    change = f"{CHANGE_LABELS[step.change].zh} / {CHANGE_LABELS[step.change].en}"
    return (
        f"     {step_no}. {where} ({step.source}): {value} ({step.year}) — "
        f"{change} — {step.citation.text('zh')}"
    )


def render_explain(assessment: Assessment, colour: bool, all_findings: bool = True) -> str:
    plan = assessment.plan
    out = [
        paint(_community_heading(assessment, "zh"), "1", colour),
        _community_heading(assessment, "en"),
        f"《{plan.title.zh}》 / {plan.title.en} · {plan.document} · {assessment.year}",
    ]
    out.append("=" * max(display_width(line) for line in out))
    shown = [
        (number_, f)
        for number_, f in enumerate(assessment.findings, 1)
        if all_findings or f.status is Status.NOT_MET
    ]
    if not shown:
        out += ["", "没有未达标的指标。 / No target is unmet."]
    for number_, f in shown:
        t = f.target
        status = f"{STATUS_LABELS[f.status].zh} / {STATUS_LABELS[f.status].en}"
        mark = paint(f"{STATUS_MARKS[f.status]} {status}", ANSI[f.status], colour)
        unit = f.unit_label
        out += [
            "",
            f"{number_}. {mark} — {t.name.zh} / {t.name.en} [{t.id}]",
            f"   中文：{f.explain('zh')}",
            f"   English: {f.explain('en')}",
            f"   依据 / Citation: {t.citation.text('zh')} / {t.citation.text('en')}",
        ]
        if t.strength is not Strength.QUANTIFIED:
            out.append(f"   表述 / Wording: {t.strength.zh} / {t.strength.en}")
        if t.attribute is not Attribute.UNSPECIFIED:
            out.append(f"   属性 / Attribute: {t.attribute.zh} / {t.attribute.value}")
        if t.provenance:
            label = "   来源 / Provenance:"
            if t.loosened:
                looser = f"低于{reference_name(t, 'zh')} / LOOSER than {reference_name(t, 'en')}"
                label += " " + paint(looser, "31", colour)
            out.append(label)
            out += [_step_line(i, t, unit, i + 1) for i in range(len(t.provenance))]
    counts = tally(assessment.findings)
    parts_zh = "、".join(f"{STATUS_LABELS[s].zh}{counts[s]}项" for s in STATUS_ORDER)
    parts_en = ", ".join(f"{counts[s]} {STATUS_LABELS[s].en}" for s in STATUS_ORDER)
    n = len(assessment.findings)
    out += ["", f"{n}项指标：{parts_zh}。", f"{n} targets: {parts_en}."]
    if not all_findings:
        out += [
            f"以上列出未达标的{counts[Status.NOT_MET]}项；加 --all 列出全部{n}项。",
            f"The {counts[Status.NOT_MET]} unmet targets are shown above; --all shows all {n}.",
        ]
    return "\n".join(out) + "\n"


def _divisions(code: str) -> str:

    return " ".join(name or c for c, name in division_path(code)) if code else ""


def render_targets(effective: EffectiveTargets, lang: str, code: str) -> str:
    plan = effective.plan
    place = _divisions(code)
    if lang == "zh":
        where = f"{code}（{place}）" if code else "全国"
        head = f"《{plan.title.zh}》 · {plan.document} — {where}的生效目标"
    else:
        where = f"{code} ({place})" if code else "the nation"
        head = f"{plan.title.en} · {plan.document} — targets in force for {where}"
    out = [head]
    if effective.chain:
        chain = ", ".join(f"{p.id} ({p.source or '-'}, {p.scope})" for p in effective.chain)
        out.append(f"省级等本地规划：{chain}" if lang == "zh" else f"Profiles applied: {chain}")
    else:
        out.append("仅国家规划。" if lang == "zh" else "The national plan alone.")
    out.append("=" * max(display_width(line) for line in out))
    out.append("")
    headers = [
        "id",
        _h("indicator", lang),
        _h("required", lang),
        _h("unit", lang),
        _h("year", lang),
        _h("scope", lang),
        _h("levels", lang),
        _h("attribute", lang),
        _h("strength", lang),
        _h("evaluation", lang),
        _h("citation", lang),
    ]
    rows = []
    unstated = False
    recorded = []
    for indicator, t in effective.pairs:
        mark = "*" if changed_by_profile(t) else ""
        required = target_threshold(t, "", lang).strip()
        levels = ", ".join(
            TARGET_LEVEL_LABELS[level].get(lang)
            for level in sorted(t.levels, key=lambda v: list(TARGET_LEVEL_LABELS).index(v))
        )
        unstated = unstated or not t.year_stated
        evaluation = indicator.evaluation
        if evaluation == "recorded":
            recorded.append((indicator, t))
        rows.append(
            [
                t.id,
                _name(t, lang, 36),
                f"{required}{mark}",
                indicator.unit_label.get(lang),
                str(t.year) if t.year_stated else f"({t.year})",
                SCOPE_LABELS[t.scope].get(lang),
                levels,
                t.attribute.zh if lang == "zh" else t.attribute.value,
                t.strength.zh if lang == "zh" else t.strength.en,
                EVALUATION_LABELS[evaluation].get(lang),
                t.citation.text(lang),
            ]
        )
    out += table(headers, rows, "<<><><<<<<<", ragged=True)
    if unstated:
        out.append(
            "  （年份）：规划未单列年份，取规划期末。"
            if lang == "zh"
            else "  (year): the text states no year of its own; the plan's horizon."
        )
    if recorded:
        out += [
            "",
            "只收录、不评估的要求（所需数据）："
            if lang == "zh"
            else "Recorded, not evaluated (the input it would need):",
        ]
        for indicator, t in recorded:
            needs = indicator.needs.get(lang) if indicator.needs else ""
            out.append(f"  {t.name.get(lang)} [{t.id}]: {needs}")
    changed = [(i, t) for i, t in effective.pairs if touched_by_profile(t)]
    if changed:
        out += ["", "* 来源 / Provenance:"]
        for indicator, t in changed:
            flag = f" — 低于{reference_name(t, 'zh')} / LOOSER" if t.loosened else ""
            out.append(f"  {t.name.get(lang)} [{t.id}]{flag}")
            out += [
                _step_line(i, t, indicator.unit_label, i + 1)[2:] for i in range(len(t.provenance))
            ]
    if effective.staffing is not None:
        rule = effective.staffing
        label = "社区工作者配备标准" if lang == "zh" else "Staffing standard"
        out += ["", f"{label}: {rule.description.get(lang)} ({rule.citation.text(lang)})"]
    return "\n".join(out) + "\n"


def render_programmes(plan: Plan, lang: str) -> str:
    title = f"《{plan.title.zh}》" if lang == "zh" else plan.title.en
    label = "专栏与项目" if lang == "zh" else "programme columns and items"
    out = [f"{title} · {plan.document} — {label}"]
    out.append("=" * display_width(out[0]))
    for group in plan.programme_groups:
        kind = {
            "action_plan": Text("行动计划", "action plan"),
            "major_project": Text("重大工程", "major project"),
        }
        kind_label = kind.get(group.kind, Text(group.kind, group.kind)).get(lang)
        out += ["", f"{group.column} {group.title.get(lang)} ({kind_label})"]
        for p in group.programmes:
            out.append(f"  {p.item}. {p.title.get(lang)} [{p.id}]")
            out.append(f"     {p.summary.get(lang)}")
            if p.targets:
                names = ", ".join(
                    plan.targets[t].name.get(lang) if t in plan.targets else t for t in p.targets
                )
                out.append(f"     {'目标' if lang == 'zh' else 'Targets'}: {names}")
    return "\n".join(out) + "\n"
