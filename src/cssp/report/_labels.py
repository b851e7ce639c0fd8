"""The HTML page's words: its labels in Chinese and English, each status's CSS class, escaping.

The Markdown report keeps its own, shorter labels (``cssp.report._markdown``).
"""

from __future__ import annotations

import html
from typing import Final

from cssp.model.measures import Status
from cssp.model.plan import Text


def esc(text: object) -> str:
    """Escape text for HTML, quotes included."""
    return html.escape(str(text), quote=True)


_CLASS: Final = {
    Status.MET: "met",
    Status.NOT_MET: "fail",
    Status.NO_DATA: "nodata",
    Status.NOT_APPLICABLE: "na",
    Status.NO_VERDICT: "nv",
}

_L: Final = {
    "eyebrow": Text(
        "城乡社区服务体系建设 · 评估报告", "Community service plan · evaluation report"
    ),
    "target_year": Text("{year}年目标", "{year} targets"),
    "by": Text("按{level}汇总", "regions by {level}"),
    "regions": Text("区域", "regions"),
    "communities": Text("社区", "communities"),
    "region_met": Text("区域指标达标", "region findings met"),
    "failing_communities": Text("至少一项未达标的社区", "communities failing a target"),
    "overview": Text("总览", "Overview"),
    "overview_lede": Text(
        "每个区域在各项指标上的数值与达标情况。区域值按区域内全部社区的总量计算，"
        "区域达标不代表每个社区都达标；单位见各列（行）标题。",
        "Each region's figure and status per indicator. A region's figure comes from the "
        "totals of all its communities, so a region meeting a target does not mean every "
        "community does; the units are in the headings.",
    ),
    "particulars": Text("报告信息", "About this report"),
    "unit_of": Text("单位：{unit}", "unit: {unit}"),
    "figure": Text("图{n}　{title}", "Figure {n}. {title}"),
    "same_note": Text(
        "另有{n}项本地目标与国家规划相同，未单独列出（其来源保留在JSON输出中）。",
        "{n} more local targets restate the national plan's figures and are not listed "
        "(their provenance is kept in the JSON output).",
    ),
    "indicator": Text("指标", "Indicator"),
    "target": Text("目标", "Target"),
    "charts": Text("各项指标对照目标", "Each indicator against its target"),
    "charts_lede": Text(
        "条形为各区域的实际值，竖线为目标值；颜色和数值前的符号表示是否达标。区域较多时，"
        "图中为各数值区间内的区域数。",
        "Bars are each region's value; the vertical line is the target; the colour and the mark "
        "before each value give the status. With many regions, a chart counts the regions in "
        "each range of values.",
    ),
    "distribution": Text("社区分布", "How communities fare"),
    "distribution_lede": Text(
        "全部社区在各项社区指标上的达标情况，以及主要数值指标的分布。",
        "Every community's status on each community-level target, and the spread of "
        "the main figures.",
    ),
    "distribution_left_out": Text(
        "达标情况按各区域统计的社区数汇总。本报告未保留各社区的数值，因此不绘制数值分布图"
        "（请用 --format json-compact 或 jsonl 取得各社区的数值）。",
        "The statuses are added up from each region's counts of communities. This report does "
        "not keep each community's values, so the charts of their spread are left out (get "
        "every community's values with --format json-compact or jsonl).",
    ),
    "stacked_title": Text("各项指标的社区达标情况", "Communities by status, per target"),
    "rate_note": Text(
        "右侧为达标率：达标社区数 ÷（达标 + 未达标）。",
        "On the right, the met rate: met ÷ (met + not met).",
    ),
    "histogram": Text("社区分布：{name}", "Distribution of communities: {name}"),
    "histogram_note": Text(
        "每根柱为一个数值区间内的社区数，绿色达标、红色未达标；虚线为目标值。",
        "Each column counts the communities in one range; green met, red not met; "
        "the dashed line is the target.",
    ),
    "failing": Text("未达标的社区", "Communities not meeting a target"),
    "failing_lede": Text(
        "每个社区列出未达到的各项指标及原因，依据规划原文。区域值达标时，区域内个别社区仍可能"
        "未达标，这些社区同样列在这里。",
        "For each community, the targets it does not meet and why, with the plan's citation. "
        "Where a region's figure meets a target, some of its communities may still fall "
        "short: they are listed here too.",
    ),
    "community": Text("社区", "Community"),
    "count": Text("未达标项", "Failing"),
    "reasons": Text("原因", "Reasons"),
    "more": Text(
        "另有{n}个社区未达标，完整名单见CSV或JSON输出。",
        "{n} more communities do not meet a target; the CSV or JSON output lists them all.",
    ),
    "none_failing": Text("所有社区均达标。", "Every community meets every target."),
    "provenance": Text("本地标准与来源", "Local standards and provenance"),
    "provenance_lede": Text(
        "以下目标由省级等本地规划设定或调整，报告中对相应区域使用本地标准。",
        "These targets were set or changed by a province's (or lower) plan; the report "
        "uses the local standard for the regions it covers.",
    ),
    "national": Text("国家规划", "National plan"),
    "local": Text("本地标准", "Local standard"),
    "change": Text("变化", "Change"),
    "applies": Text("适用区域", "Regions"),
    "source": Text("依据", "Source"),
    "not_evaluated": Text("无法评估的指标", "Indicators without a verdict"),
    "observed": Text("实际值", "Observed"),
    "status": Text("状态", "Status"),
    "explanation": Text("说明", "Explanation"),
    "comparison": Text("对照目标", "Against the target"),
    "generated": Text(
        "本报告由 cssp {version} 依据{document}生成。",
        "Generated by cssp {version} from {document}.",
    ),
    "legend_note": Text(
        "✓ 达标：达到目标；✗ 未达标：未达到；? 无数据：缺少计算所需数据；- 不适用：目标不适用于"
        "该地区或社区；— 未设此目标：该地区不执行此项目标；⚠ 请核实：数值远超出合理范围。",
        "✓ met: reaches the target; ✗ not met: falls short; ? no data: the data needed is "
        "missing; - n/a: the target does not apply there; — target not in force there; "
        "⚠ please check: the value lies far outside the plausible range.",
    ),
    "milestone": Text("{year}年阶段目标", "{year} milestone"),
    "varies": Text("各地区目标不同", "targets differ by region"),
    "share_note": Text(
        "区域值为达到“{level}”的社区比例。",
        "A region's figure is the share of its communities reaching {level}.",
    ),
    "community_report": Text("社区评估", "Community assessment"),
    "targets_label": Text("项指标", "targets"),
}


def _l(key: str, lang: str, **values: object) -> str:
    text = _L[key].get(lang)
    return text.format(**values) if values else text
