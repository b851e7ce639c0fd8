"""One sentence per finding, in Chinese and in English: what was found, and why.

:meth:`Finding.explain <cssp.engine.results.Finding.explain>` calls these.
Each language is written whole in that language. A sentence says the
observed value, the requirement and how the plan words it, the citation, and
where a profile changed the target; a finding without a verdict says why
there is none — the target is judged for regions only, or the plan sets no
level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from cssp.catalogue import UNIT_LABELS
from cssp.model.measures import Status
from cssp.model.plan import Change, IndicatorKind, Level, Strength, Target, Text
from cssp.model.schema import village_rural

if TYPE_CHECKING:
    from cssp.engine.results import Finding

__all__ = ["STAFFING_TARGET", "explain_en", "explain_zh", "number", "place_of"]

#: Strengths an explanation names, as the plan's own word (weaker than a figure).
_WEAK: Final = {
    Strength.GENERALLY,
    Strength.AS_A_RULE,
    Strength.SHOULD,
    Strength.PROMOTE,
    Strength.ESTABLISH,
    Strength.REGULARLY,
}

STAFFING_TARGET: Final = "community_staffing"  # cssp.rules.resolve.STAFFING_TARGET


def number(value: float, other: float | None = None) -> str:
    """Format with two decimals, or more where fewer would hide a difference from ``other``."""
    places = 2
    if other is not None and value != other:
        while places < 12 and round(value, places) == round(other, places):
            places += 1
    text = f"{value:,.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _gap(f: Finding, lang: str) -> str:
    """The shortfall with its unit: ``9.73个百分点``, ``0.2 m² per 100 households``.

    A gap between percentages is in percentage points.
    """
    gap = f.gap or 0.0
    figure = number(gap, 0.0) if gap else "0"
    if f.unit_label.en == "%":
        return f"{figure}个百分点" if lang == "zh" else f"{figure} percentage points"
    unit = f.unit_label.get(lang)
    if lang == "zh":
        return f"{figure}{unit}"
    return f"{figure} {unit.removesuffix('s') if figure == '1' and unit == 'persons' else unit}"


def place_of(scope: str, lang: str = "zh") -> str:
    """The name of the division a profile's scope covers, or the scope itself.

    ``广东省``; in English a province's English name (``Guangdong``), and the
    official Chinese name of a lower division (a proper name).
    """
    from cssp.model.divisions import PROVINCES_BY_CODE, division_path  # noqa: PLC0415 - lazily

    if lang == "en" and scope in PROVINCES_BY_CODE:
        return PROVINCES_BY_CODE[scope].name_en
    try:
        path = division_path(scope)
    except ValueError:
        return scope
    name = path[-1][1] if path else None
    return name or scope


def _value_label(target: Target) -> Text:
    return UNIT_LABELS.get(target.unit, Text(target.unit, target.unit))


def _threshold(f: Finding, lang: str, value: float | None = None) -> str:
    t = f.target
    unit = f.unit_label.get(lang)
    sep = "" if lang == "zh" or unit == "%" else " "
    shown = f.required if value is None else value
    return f"{t.comparator.symbol}{number(shown or 0.0)}{sep}{unit}"


def _rural(code: str) -> bool:
    """Whether a community code is a village's (digits 10–12 of 200–399)."""
    if len(code) != 12 or not code.isdigit():
        return False
    known, rural = village_rural(int(code[9:]))
    return bool(known and rural)


def _unit_word(f: Finding, lang: str) -> str:
    """本村 / 本社区 / 本乡镇（街道）, or this village / this community / this township."""
    if f.level is Level.TOWNSHIP:
        return "本乡镇（街道）" if lang == "zh" else "this township"
    rural = _rural(f.subject)
    if lang == "zh":
        return "本村" if rural else "本社区"
    return "this village" if rural else "this community"


def _presence(f: Finding, lang: str) -> str:
    """What a unit has or lacks: ``已建有综合服务设施`` / ``has no comprehensive … facility``."""
    has = f.numerator is not None and f.numerator > 0
    if f.presence is not None:
        return f.presence[0 if has else 1].get(lang)
    if lang == "zh":
        return "已具备" if has else "尚不具备"
    return "has it" if has else "does not have it"


def _when(f: Finding, lang: str) -> str:
    """The milestone or target the finding is held against, and whether the year is stated."""
    t = f.target
    zh = lang == "zh"
    if f.is_milestone:
        return f"{f.year}年阶段目标" if zh else f"the {f.year} milestone"
    if t.year_stated:
        return f"{t.year}年目标" if zh else f"the {t.year} target"
    # No year of its own: the plan's horizon, and the sentence says so.
    return (
        f"规划期（至{t.year}年）的要求"
        if zh
        else f"the requirement for the plan's period (to {t.year})"
    )


def _no_milestone(f: Finding, lang: str) -> str:
    """Before the target year without a milestone: say there is none, and why."""
    t = f.target
    if f.year >= t.year or t.has_milestones or t.value is None:
        return ""
    zh = lang == "zh"
    if t.baseline is not None:  # a baseline, but of another scope (the nation's, not a province's)
        return (
            "；本地无基期值，不设阶段目标"
            if zh
            else "; no baseline for this scope, so no milestone"
        )
    return "；无基期值，不设阶段目标" if zh else "; no baseline, so no milestone"


def _weak(t: Target, lang: str) -> str:
    if t.strength not in _WEAK:
        return ""
    if lang == "zh":
        return f"（规划表述为“{t.strength.zh}”）"
    return f", which the plan words as '{t.strength.en}'"


#: What a direction asks, by its word: no level, so no verdict.
_DIRECTION: Final = {
    Strength.PROMOTE: Text("规划要求“推进”", "the plan asks to promote it"),
    Strength.ESTABLISH: Text("规划要求“建立”", "the plan asks to establish it"),
    Strength.REGULARLY: Text("规划要求“定期”开展", "the plan asks for it regularly"),
}


def _direction(t: Target, lang: str) -> str:
    found = _DIRECTION.get(t.strength)
    if found is None:
        asks = (
            f"规划表述为“{t.strength.zh}”"
            if lang == "zh"
            else f"the plan words it '{t.strength.en}'"
        )
    else:
        asks = found.get(lang)
    if lang == "zh":
        return f"{asks}，未设定具体水平，不作评价"
    return f"{asks} and sets no level, so there is no verdict"


def _levels_note(levels: frozenset[Level], lang: str) -> str:
    """A profile moved a coverage target across 100 %: where it is judged now."""
    per_unit = Level.COMMUNITY in levels or Level.TOWNSHIP in levels
    if lang == "zh":
        return "，为全覆盖目标，逐个评估" if per_unit else "，覆盖率低于100%，按区域评估"
    if per_unit:
        return ", a full-coverage target judged for each unit"
    return ", a coverage rate below 100% judged for regions only"


def _origin(f: Finding, lang: str) -> str:
    """Where a profile changed the target: whose threshold it changed, and whether it is looser.

    The reference is the first step of the provenance: the national plan's
    (``set``), or the profile's that added the target (``new``), named as
    such — never called the national plan. A profile restating the same
    threshold changes nothing and is not named here. A staffing rule has no
    threshold: a replaced one names the rule it replaces. Each profile is
    named by the division it covers.
    """
    steps = f.target.provenance
    changes = f.target.changes
    if len(steps) < 2 or not changes:
        return ""
    first, last = steps[0], changes[-1]
    zh = lang == "zh"
    where = place_of(last.scope, lang)
    local = f"；本地标准（{where}）" if zh else f"; local standard of {where}"
    if f.target.id == STAFFING_TARGET:  # staffing rules, the last replacing the one before it
        replaced = place_of(steps[-2].scope, lang)
        return f"{local}，替代{replaced}的标准" if zh else f"{local}, replacing that of {replaced}"
    levels = "" if last.levels is None else _levels_note(last.levels, lang)
    if first.value is None:  # a direction of the plan, given a level by a profile
        if zh:
            return f"{local}{levels}，国家规划未设定具体水平"
        return f"{local}{levels}, the national plan sets no level"
    unit = f.unit_label.get(lang)
    space = "" if zh or unit == "%" else " "
    reference = f"{first.comparator.symbol}{number(first.value)}{space}{unit}"
    if first.year != last.year:
        reference += f"（{first.year}年）" if zh else f" by {first.year}"
    looser = f.target.loosened
    if first.change is Change.SET:
        if zh:
            return f"{local}{levels}，国家规划为{reference}{'，低于国家标准' if looser else ''}"
        flag = "; LOOSER than the national plan" if looser else ""
        return f"{local}{levels}, national plan {reference}{flag}"
    origin = place_of(first.scope, lang)
    if zh:
        flag = f"，低于{origin}的标准" if looser else ""
        return f"{local}{levels}，{origin}规定为{reference}{flag}"
    flag = f"; LOOSER than the standard of {origin}" if looser else ""
    return f"{local}{levels}, standard of {origin} {reference}{flag}"


def _observed(f: Finding, lang: str) -> str:
    """The observed value with its unit; ``approximately`` before it in English when
    it is built on approximate values (Chinese says 约 in the verb)."""
    unit = f.unit_label.get(lang)
    sep = "" if lang == "zh" or unit == "%" else " "
    text = f"{number(f.observed or 0.0, f.required)}{sep}{unit}"
    return f"approximately {text}" if f.approximate and lang == "en" else text


# --- English ---------------------------------------------------------------------------


def _no_verdict_en(f: Finding, cite: str, origin: str) -> str:
    t = f.target
    name = t.name.en
    coverage = f.kind is IndicatorKind.COVERAGE
    if t.value is None:  # a direction: no level, no verdict anywhere
        why = _direction(t, "en")
        if f.level is not Level.REGION:
            what = (
                f"{_unit_word(f, 'en')} {_presence(f, 'en')}"
                if coverage
                else f"{_unit_word(f, 'en')}'s figure is {_observed(f, 'en')}"
            )
            return f"{name}: {what}; {why} ({cite}{origin})."
        counts = ""
        if coverage and f.numerator is not None and f.denominator is not None:
            units = "townships" if f.unit is Level.TOWNSHIP else "communities"
            counts = f" ({number(f.numerator)} of {number(f.denominator)} {units})"
        return f"{name}: {_observed(f, 'en')}{counts}; {why} ({cite}{origin})."
    judged = f"{_when(f, 'en')} is {_threshold(f, 'en')}, judged for regions"
    if coverage:
        what = f"{_unit_word(f, 'en')} {_presence(f, 'en')}"
        return (
            f"{name}: {what}; it counts towards its region's coverage ({judged}; {cite}{origin})."
        )
    what = f"{_unit_word(f, 'en')}'s figure is {_observed(f, 'en')}"
    return f"{name}: {what}; it counts towards its region's figure ({judged}; {cite}{origin})."


def explain_en(f: Finding) -> str:
    """The finding in one English sentence."""
    t = f.target
    name = t.name.en
    cite = t.citation.text("en")
    if f.status in (Status.NOT_APPLICABLE, Status.NO_DATA):
        verb = "does not apply" if f.status is Status.NOT_APPLICABLE else "cannot be evaluated"
        reason = f.reason.en if f.reason else ""
        return f"{name}: {verb}, as {reason} ({cite})."
    origin = _origin(f, "en")
    if f.status is Status.NO_VERDICT:
        return _no_verdict_en(f, cite, origin)
    when = _when(f, "en")
    weak = _weak(t, "en")
    origin = _no_milestone(f, "en") + origin
    if f.kind is IndicatorKind.COVERAGE and f.level is not Level.REGION:
        what = f"{_unit_word(f, 'en')} {_presence(f, 'en')}"
        return f"{name}: {what}; {when} is {_threshold(f, 'en')}{weak} ({cite}{origin})."
    if f.kind is IndicatorKind.PER_COMMUNITY and f.level is Level.REGION and f.counts:
        c = f.counts
        level = (
            "their staffing standard"
            if t.id == STAFFING_TARGET
            else f"{t.comparator.symbol}{number(t.value or 0.0)} {_value_label(t).en}"
        )
        share = f"{'approximately ' if f.approximate else ''}{number(f.observed or 0)}%"
        return (
            f"{name}: {c.met} of {c.evaluated} communities reach {level} "
            f"({share}); {when} asks for {_threshold(f, 'en')} of them"
            f"{weak} ({cite}{origin})."
        )
    verdict = "meets" if f.status is Status.MET else f"falls {_gap(f, 'en')} short of"
    target = f"{when} of {_threshold(f, 'en')}{weak}"
    return f"{name} is {_observed(f, 'en')}, which {verdict} {target} ({cite}{origin})."


# --- Chinese ---------------------------------------------------------------------------


def _no_verdict_zh(f: Finding, cite: str, origin: str) -> str:
    t = f.target
    name = t.name.zh
    coverage = f.kind is IndicatorKind.COVERAGE
    if t.value is None:
        why = _direction(t, "zh")
        if f.level is not Level.REGION:
            what = (
                f"{_unit_word(f, 'zh')}{_presence(f, 'zh')}"
                if coverage
                else f"{_unit_word(f, 'zh')}{'约为' if f.approximate else '为'}{_observed(f, 'zh')}"
            )
            return f"{name}：{what}；{why}（{cite}{origin}）。"
        counts = ""
        if coverage and f.numerator is not None and f.denominator is not None:
            units = "乡镇（街道）" if f.unit is Level.TOWNSHIP else "社区"
            counts = f"（{number(f.denominator)}个{units}中{number(f.numerator)}个）"
        return f"{name}：{_observed(f, 'zh')}{counts}；{why}（{cite}{origin}）。"
    judged = f"{_when(f, 'zh')}为{_threshold(f, 'zh')}，按区域评估"
    if coverage:
        what = f"{_unit_word(f, 'zh')}{_presence(f, 'zh')}"
        return f"{name}：{what}，计入所在区域的覆盖率（{judged}；{cite}{origin}）。"
    what = f"{_unit_word(f, 'zh')}{'约为' if f.approximate else '为'}{_observed(f, 'zh')}"
    return f"{name}：{what}，计入所在区域的数值（{judged}；{cite}{origin}）。"


def explain_zh(f: Finding) -> str:
    """The finding in one Chinese sentence."""
    t = f.target
    name = t.name.zh
    cite = t.citation.text("zh")
    if f.status in (Status.NOT_APPLICABLE, Status.NO_DATA):
        verb = "不适用" if f.status is Status.NOT_APPLICABLE else "无法评估"
        reason = f.reason.zh if f.reason else ""
        return f"{name}：{verb}，因为{reason}（{cite}）。"
    origin = _origin(f, "zh")
    if f.status is Status.NO_VERDICT:
        return _no_verdict_zh(f, cite, origin)
    when = _when(f, "zh")
    weak = _weak(t, "zh")
    origin = _no_milestone(f, "zh") + origin
    if f.kind is IndicatorKind.COVERAGE and f.level is not Level.REGION:
        what = f"{_unit_word(f, 'zh')}{_presence(f, 'zh')}"
        return f"{name}：{what}；{when}为{_threshold(f, 'zh')}{weak}（{cite}{origin}）。"
    if f.kind is IndicatorKind.PER_COMMUNITY and f.level is Level.REGION and f.counts:
        c = f.counts
        level = (
            "配备标准"
            if t.id == STAFFING_TARGET
            else f"{t.comparator.symbol}{number(t.value or 0.0)}{_value_label(t).zh}"
        )
        share = f"{'约' if f.approximate else ''}{number(f.observed or 0)}%"
        return (
            f"{name}：{c.evaluated}个社区中{c.met}个达到{level}"
            f"（{share}）；{when}为{_threshold(f, 'zh')}{weak}"
            f"（{cite}{origin}）。"
        )
    verdict = "达到" if f.status is Status.MET else f"未达到（差{_gap(f, 'zh')}）"
    required = f"{when}{_threshold(f, 'zh')}{weak}"
    verb = "约为" if f.approximate else "为"
    return f"{name}{verb}{_observed(f, 'zh')}，{verdict}{required}（{cite}{origin}）。"
