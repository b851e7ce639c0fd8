"""Figures a report asks a person to check: values far outside what is plausible.

A value more than an indicator's :attr:`~cssp.model.plan.Indicator.plausible_factor`
above or below its national baseline is more likely a slip of unit or decimal
point (square metres typed as 万平方米, households as persons) than a fact.
The verdict stands — cssp never changes or drops a figure — but every report
marks it 请核实 / "please check", with the range and its basis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from cssp.model.measures import Status
from cssp.model.plan import IndicatorKind, Text
from cssp.report._common import number

if TYPE_CHECKING:
    from cssp.engine.results import Finding
    from cssp.model.plan import Indicator, Plan

#: The mark of a figure to check.
CHECK_MARK: Final = "⚠"
CHECK_LABEL: Final = Text("请核实", "please check")


def _indicator(finding: Finding, plan: Plan) -> Indicator | None:
    return plan.indicators.get(finding.target.indicator)


def implausible(finding: Finding, plan: Plan) -> bool:
    """Whether the finding's observed value lies outside its indicator's plausible range.

    Only a ratio's value is checked (a share of communities is not), and not
    zero: a community without a facility has none, plausibly.
    """
    value = finding.observed
    if value is None or value == 0 or finding.kind is not IndicatorKind.RATIO:
        return False
    if finding.status not in (Status.MET, Status.NOT_MET):
        return False
    indicator = _indicator(finding, plan)
    span = indicator.plausible_range if indicator is not None else None
    return span is not None and not span[0] <= value <= span[1]


def check_note(finding: Finding, plan: Plan, lang: str) -> str:
    """Why the value is to be checked: the plausible range and its basis, in one language.

    ``请核实：每百户居民拥有社区综合服务设施面积通常在2.98至298平方米/百户之间（全国2020年
    为29.8，专栏1；相差十倍以上多为单位或小数点错误）``.
    """
    indicator = _indicator(finding, plan)
    if indicator is None or indicator.plausible_range is None or indicator.baseline is None:
        return ""
    low, high = indicator.plausible_range
    base = indicator.baseline
    factor = number(indicator.plausible_factor)
    unit = indicator.unit_label.get(lang)
    cite = indicator.citation.text(lang)
    if lang == "zh":
        return (
            f"请核实：{number(finding.observed)}{unit}超出合理范围{number(low)}至{number(high)}"
            f"{unit}（全国{base.year}年为{number(base.value)}{unit}，{cite}；"
            f"相差{factor}倍以上，多为单位或小数点错误）"
        )
    space = "" if unit == "%" else " "
    return (
        f"please check: {number(finding.observed)}{space}{unit} is outside the plausible range "
        f"of {number(low)} to {number(high)}{space}{unit} (the national figure for {base.year} "
        f"is {number(base.value)}{space}{unit}, {cite}; a value over {factor} times off is "
        "most often a slip of unit or decimal point)"
    )
