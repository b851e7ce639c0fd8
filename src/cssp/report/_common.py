"""What every output format shares: labels in two languages, numbers, widths, lookups."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final

from cssp.engine.explain import place_of
from cssp.errors import InputError
from cssp.model.divisions import division_path
from cssp.model.measures import Status
from cssp.model.notes import shown_warnings
from cssp.model.plan import Change, Comparator, Level, Provenance, Scope, Target, Text
from cssp.rules.resolve import STAFFING_TARGET

if TYPE_CHECKING:
    from cssp.engine.results import Assessment, Finding, RegionAssessment, RegionReport
    from cssp.model.notes import InputNotes

#: Statuses in the order reports list them.
STATUS_ORDER: Final = (
    Status.MET,
    Status.NOT_MET,
    Status.NO_VERDICT,
    Status.NO_DATA,
    Status.NOT_APPLICABLE,
)

STATUS_LABELS: Final = {
    Status.MET: Text("达标", "met"),
    Status.NOT_MET: Text("未达标", "not met"),
    Status.NOT_APPLICABLE: Text("不适用", "n/a"),
    Status.NO_DATA: Text("无数据", "no data"),
    Status.NO_VERDICT: Text("不作评价", "no verdict"),
}

STATUS_MARKS: Final = {
    Status.MET: "✓",
    Status.NOT_MET: "✗",
    Status.NOT_APPLICABLE: "-",
    Status.NO_DATA: "?",
    Status.NO_VERDICT: "○",
}

#: How a region's list of communities is headed: those that did not meet a
#: target, or, for a coverage target communities are not judged on, those
#: that lack the thing.
FAILING_LABELS: Final = {
    False: Text("未达标的社区", "communities not meeting it"),
    True: Text("尚不具备的村（社区）", "communities without it"),
}
#: The same for a township-level target: townships without the thing.
TOWNSHIPS_LACKING: Final = Text("尚不具备的乡镇（街道）", "townships without it")

#: How cssp treats a requirement (:attr:`cssp.Indicator.evaluation`).
EVALUATION_LABELS: Final = {
    "evaluated": Text("评估", "evaluated"),
    "direction": Text("方向性要求，不作评价", "a direction, no verdict"),
    "recorded": Text("只收录，不评估", "recorded, not evaluated"),
}

#: A direction's threshold: the plan sets no level.
NO_LEVEL: Final = Text("未设定具体水平", "no level set")

#: The region levels, as a report names them.
LEVEL_LABELS: Final = {
    "nation": Text("全国", "nation"),
    "province": Text("省级", "province"),
    "prefecture": Text("地级", "prefecture"),
    "county": Text("县级", "county"),
    "township": Text("乡级", "township"),
}

SCOPE_LABELS: Final = {
    Scope.ALL: Text("全部社区", "all"),
    Scope.URBAN: Text("城市社区", "urban"),
    Scope.RURAL: Text("农村社区", "rural"),
    Scope.RESETTLEMENT: Text("易地扶贫搬迁安置社区", "resettlement"),
    Scope.OLD_RESIDENTIAL_AREA: Text("城镇老旧小区", "old residential areas"),
    Scope.NEWLY_BUILT: Text("新建社区", "newly built"),
}

TARGET_LEVEL_LABELS: Final = {
    Level.COMMUNITY: Text("社区", "community"),
    Level.REGION: Text("区域", "region"),
    Level.TOWNSHIP: Text("乡镇（街道）", "township"),
}

CHANGE_LABELS: Final = {
    Change.SET: Text("国家规划设定", "set by the plan"),
    Change.SAME: Text("相同", "same"),
    Change.STRICTER: Text("更严", "stricter"),
    Change.LOOSER: Text("更宽松", "looser"),
    Change.NEW: Text("新增", "new"),
    Change.REPLACED: Text("替换", "replaced"),
}

LANGS: Final = ("zh", "en")


def check_lang(lang: str) -> None:
    """Raise :class:`~cssp.errors.InputError` unless ``lang`` is ``"zh"`` or ``"en"``."""
    if lang not in LANGS:
        raise InputError(f"{lang!r} is not a language; expected 'zh' or 'en'", "lang")


def check_format(format: str, allowed: Sequence[str], what: str) -> None:
    """Raise :class:`~cssp.errors.InputError` unless ``format`` is one of ``allowed``."""
    if format not in allowed:
        choices = ", ".join(allowed)
        raise InputError(
            f"{format!r} is not an output format for {what}; expected one of {choices}", "format"
        )


def finite(value: float | None) -> float | None:
    """``value`` as a plain float, or ``None`` for ``None``, NaN and infinities."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def number(value: float | None, *, grouping: bool = True) -> str:
    """Two decimals at most, trailing zeros dropped: ``37.07``, ``100``, ``1,234.5``."""
    value = finite(value)
    if value is None:
        return "—"
    text = f"{value:{',' if grouping else ''}.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def observed(finding: Finding, lang: str) -> str:
    """A finding's observed value as tables show it: 约 (≈ in English) before one built
    on approximate values."""
    text = number(finding.observed)
    if finding.approximate and finding.observed is not None:
        return f"{'约' if lang == 'zh' else '≈'}{text}"
    return text


def plain(value: float | None) -> str:
    """A number for CSV: up to 4 decimals, no grouping; empty for no value."""
    value = finite(value)
    if value is None:
        return ""
    rounded = round(value, 4)
    if rounded == int(rounded) and abs(rounded) < 1e15:
        return str(int(rounded))
    return repr(rounded)


#: The first characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
_NUMBER: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|nan)")
#: Characters a worksheet cannot hold (XML 1.0 forbids them): openpyxl refuses them.
_NOT_IN_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def spreadsheet_text(value: object) -> object:
    """A cell for CSV or Excel that a spreadsheet shows and never runs as a formula.

    Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading apostrophe, as OWASP recommends against formula injection
    (a community or indicator named ``=HYPERLINK(...)``); a number written as
    text (``-2.5``, ``+3``) and every non-text value stay as they are.

    >>> spreadsheet_text("=1+2"), spreadsheet_text("-2.5"), spreadsheet_text(-2.5)
    ("'=1+2", '-2.5', -2.5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def worksheet_text(value: object) -> object:
    r"""A cell for Excel: :func:`spreadsheet_text`; characters XML cannot hold as ``\uXXXX``."""
    value = spreadsheet_text(value)
    if isinstance(value, str):
        return _NOT_IN_XML.sub(lambda match: f"\\u{ord(match.group()):04x}", value)
    return value


def unit_sep(unit: str, lang: str) -> str:
    """The space between a number and its unit: none in Chinese or before ``%``."""
    return "" if lang == "zh" or unit in ("%", "") else " "


def threshold(comparator: Comparator, value: float, unit: str, lang: str) -> str:
    """``≥30平方米/百户`` or ``≥30 m² per 100 households``."""
    return f"{comparator.symbol}{number(value)}{unit_sep(unit, lang)}{unit}"


#: What a step without a single threshold (a staffing rule's) requires.
BY_RULE: Final = Text("按配备标准逐社区计算", "per community, by its rule")


def by_rule(target: Target) -> bool:
    """True when a staffing rule sets the target community by community (no single threshold)."""
    return target.id == STAFFING_TARGET


def target_threshold(target: Target, unit: str, lang: str) -> str:
    """The target's threshold with its unit; :data:`BY_RULE` when a staffing rule sets
    it, :data:`NO_LEVEL` for a direction."""
    if by_rule(target):
        return BY_RULE.get(lang)
    if target.value is None:
        return NO_LEVEL.get(lang)
    return threshold(target.comparator, target.value, unit, lang)


def step_threshold(step: Provenance, unit: str, lang: str, staffing: bool = False) -> str:
    """A provenance step's threshold; :data:`BY_RULE` for a staffing rule's step,
    :data:`NO_LEVEL` for a direction's."""
    if step.value is None:
        return (BY_RULE if staffing else NO_LEVEL).get(lang)
    return threshold(step.comparator, step.value, unit, lang)


def reference_name(target: Target, lang: str) -> str:
    """Whose standard a profile's change is measured against, for "looser than …".

    ``国家标准`` / ``the national plan``, or, for an indicator a profile
    introduced, ``广东省的标准`` / ``the standard of Guangdong``.
    """
    first = target.provenance[0]
    if first.change is Change.SET:
        return "国家标准" if lang == "zh" else "the national plan"
    place = place_of(first.scope, lang)
    return f"{place}的标准" if lang == "zh" else f"the standard of {place}"


def with_unit(value: float | None, unit: str, lang: str) -> str:
    """``37.07平方米/百户``; ``—`` when there is no value."""
    if finite(value) is None:
        return "—"
    return f"{number(value)}{unit_sep(unit, lang)}{unit}"


def display_width(text: str) -> int:
    """The number of terminal columns ``text`` takes: CJK characters take two."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def truncate(text: str, width: int) -> str:
    """Cut ``text`` to at most ``width`` columns, ending with ``…`` when cut."""
    if display_width(text) <= width:
        return text
    out = []
    used = 0
    for char in text:
        w = display_width(char)
        if used + w > width - 1:
            break
        out.append(char)
        used += w
    return "".join(out) + "…"


def wrap(text: str, width: int) -> str:
    """Break ``text`` into lines of at most ``width`` columns (CJK characters count as two).

    Lines break at a space where there is one in reach, else between
    characters; the lines are joined with ``"\n"`` (a table lays them out
    one under the other).
    """
    if display_width(text) <= width:
        return text
    lines: list[str] = []
    rest = text
    while display_width(rest) > width:
        used = 0
        cut = 0
        space = -1
        for index, char in enumerate(rest):
            w = display_width(char)
            if used + w > width:
                break
            used += w
            cut = index + 1
            if char == " ":
                space = index
        if space > 0:
            lines.append(rest[:space])
            rest = rest[space + 1 :]
        else:
            lines.append(rest[:cut])
            rest = rest[cut:]
    if rest:
        lines.append(rest)
    return "\n".join(lines)


def region_label(region: RegionAssessment, lang: str) -> str:
    """The region's name, or its code; ``全国`` / ``nation`` for the nation."""
    if not region.code:
        return LEVEL_LABELS["nation"].get(lang)
    return region.name or region.code


def region_title(region: RegionAssessment, lang: str) -> str:
    """``西湖区（330106）`` or ``西湖区 (330106)``."""
    label = region_label(region, lang)
    if not region.code or label == region.code:
        return label
    return f"{label}（{region.code}）" if lang == "zh" else f"{label} ({region.code})"


def count_phrase(n: int, zh_unit: str, en_word: str, lang: str) -> str:
    """``13个社区`` or ``13 communities``."""
    if lang == "zh":
        return f"{n}{zh_unit}"
    return f"{n} {en_word}" if n != 1 else f"{n} {en_word.removesuffix('s')}"


def by_code(report: RegionReport) -> dict[str, Assessment]:
    """The report's assessments by community code, sorted by code."""
    return {a.community.key: a for a in sorted(report.assessments, key=lambda a: a.community.key)}


def failing_in(region: RegionAssessment, assessments: dict[str, Assessment]) -> list[Assessment]:
    """The region's communities that fail at least one target, by code."""
    found = (assessments.get(code) for code in region.communities)
    return [a for a in found if a is not None and a.failing]


def tally(findings: Iterable[Finding]) -> dict[Status, int]:
    """How many findings reached each status, in :data:`STATUS_ORDER`."""
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for f in findings:
        counts[f.status] += 1
    return counts


def touched_by_profile(target: Target) -> bool:
    """True when a profile set, changed or restated the target (its provenance has its step)."""
    steps = target.provenance
    return bool(steps) and (len(steps) > 1 or steps[-1].change is not Change.SET)


def changed_by_profile(target: Target) -> bool:
    """True when a profile changed or added the target.

    A profile that restates the plan's threshold (:attr:`Change.SAME
    <cssp.Change.SAME>`) is kept in the provenance but changes nothing, and is
    not shown as a change.
    """
    steps = target.provenance
    return bool(steps) and (bool(target.changes) or steps[0].change is not Change.SET)


def levels_note(levels: frozenset[Level] | None, lang: str) -> str:
    """Where a coverage target is judged after a profile moved it across 100 %; empty if not."""
    if levels is None:
        return ""
    per_unit = Level.COMMUNITY in levels or Level.TOWNSHIP in levels
    if lang == "zh":
        return "；全覆盖目标，逐个评估" if per_unit else "；覆盖率低于100%，按区域评估"
    return (
        "; full coverage, judged for each unit" if per_unit else "; below 100%, judged for regions"
    )


def origin_note(target: Target, unit: str, lang: str) -> str:
    """Where a profile set the target: the local figure, the one it changed and the change.

    ``广东省：≥32平方米/百户；国家规划≥30平方米/百户（更严）``; empty for a target
    the national plan alone sets, or that profiles only restate. The figure
    changed is the first step's: the national plan's, or that of the profile
    that added the target.
    """
    if not changed_by_profile(target):
        return ""
    steps = target.provenance
    staffing = by_rule(target)
    first, last = steps[0], (target.changes or steps)[-1]
    local = step_threshold(last, unit, lang, staffing)
    who = place_of(last.scope, lang)
    if len(steps) == 1 or staffing:  # a new target, or a staffing rule
        change = CHANGE_LABELS[last.change].get(lang)
        return f"{who}：{local}（{change}）" if lang == "zh" else f"{who}: {local} ({change})"
    reference = step_threshold(first, unit, lang)
    if first.year != last.year:
        reference += f"（{first.year}年）" if lang == "zh" else f" by {first.year}"
    if first.change is Change.SET:
        reference = f"国家规划{reference}" if lang == "zh" else f"national plan {reference}"
    else:
        origin = place_of(first.scope, lang)
        reference = f"{origin}规定{reference}" if lang == "zh" else f"{origin} {reference}"
    change = CHANGE_LABELS[last.change].get(lang)
    flag = ""
    if target.loosened:
        name = reference_name(target, lang)
        flag = f"，低于{name}" if lang == "zh" else f", LOOSER than {name}"
    flag += levels_note(last.levels, lang)
    if lang == "zh":
        return f"{who}：{local}；{reference}（{change}{flag}）"
    return f"{who}: {local}; {reference} ({change}{flag})"


def regional_targets(report: RegionReport) -> list[str]:
    """The ids of the targets evaluated on regions, in the plan's order, new ones last."""
    seen: dict[str, None] = {}
    for region in report.regions:
        for f in region.findings:
            seen.setdefault(f.target.id, None)
    return list(seen)


def community_targets(assessments: Iterable[Assessment]) -> list[str]:
    """The ids of the targets evaluated on communities, in order of first appearance."""
    seen: dict[str, None] = {}
    for a in assessments:
        for f in a.findings:
            seen.setdefault(f.target.id, None)
    return list(seen)


def find(findings: Iterable[Finding], target_id: str) -> Finding | None:
    """The finding on ``target_id``, or ``None``."""
    for f in findings:
        if f.target.id == target_id:
            return f
    return None


def community_kind(assessment: Assessment, lang: str) -> str:
    """城市社区 / 农村社区, or urban / rural."""
    kind = assessment.community.kind
    return kind.zh if lang == "zh" else kind.value


def report_title(report: RegionReport, lang: str) -> str:
    """《title》 in Chinese, the title in English."""
    title = report.plan.title.get(lang)
    return f"《{title}》" if lang == "zh" else title


def division_line(code: str) -> str:
    """The names of the divisions enclosing ``code``: ``广东省 广州市 天河区 五山街道``.

    Empty for the nation and for a code that is not a division code.
    """

    if not code:
        return ""
    try:
        return " ".join(name or prefix for prefix, name in division_path(code))
    except InputError:
        return ""


def community_counts(report: RegionReport) -> tuple[int, int]:
    """How many communities a report covers, and how many fail at least one target.

    From the report's summary when it keeps no community findings (a streamed run).
    """
    if report.summary is not None:
        return report.summary.communities, report.summary.failing
    return len(report.assessments), sum(1 for a in report.assessments if a.failing)


def region_size(region: RegionAssessment) -> int:
    """How many communities a region has: its findings' counts, when its list is capped."""
    counted = (f.counts.total for f in region.findings if f.counts is not None)
    return max(len(region.communities), max(counted, default=0))


def worst(report: RegionReport) -> tuple[Assessment, ...]:
    """The worst communities a report of regions alone lists (the most targets not met
    first), from its summary; none when it lists every community's findings."""
    if report.summary is None or report.assessments:
        return ()
    return report.summary.worst


def left_out(report: RegionReport, lang: str) -> str | None:
    """What a report of regions alone leaves out (each community's findings, but for the
    worst communities it lists), in ``lang``; ``None`` when it lists them."""
    if report.summary is None or report.assessments:
        return None
    total, failing = report.summary.communities, report.summary.failing
    shown = len(report.summary.worst)
    if lang == "zh":
        if shown:
            return (
                f"本报告只列出区域和未达标项最多的{shown:,}个社区：{total:,}个社区中{failing:,}个"
                "至少有一项未达标，其余社区的评估结果未列出（请用 --format json-compact 或 jsonl "
                "查看全部）。"
            )
        return (
            f"本报告只列出区域：{total:,}个社区中{failing:,}个至少有一项未达标，"
            "各社区的评估结果未列出（请用 --format json-compact 或 jsonl 查看）。"
        )
    if shown:
        return (
            f"This report lists regions and the {shown:,} communities that fail the most "
            f"targets: {failing:,} of {total:,} communities fail at least one target; the other "
            "communities' findings are left out (see them all with --format json-compact or "
            "jsonl)."
        )
    return (
        f"This report lists regions only: {failing:,} of {total:,} communities fail at least "
        "one target; each community's findings are left out (see them with --format "
        "json-compact or jsonl)."
    )


def worst_heading(report: RegionReport, lang: str) -> str:
    """The heading of the worst communities' list: how many of how many failing."""
    shown = len(worst(report))
    failing = report.summary.failing if report.summary is not None else shown
    if lang == "zh":
        return f"未达标项最多的社区（{failing:,}个未达标社区中的{shown:,}个）"
    return f"Communities failing the most targets ({shown:,} of the {failing:,} that fail)"


def worst_note(report: RegionReport, lang: str) -> str:
    """How the worst communities were chosen, and how to list more or fewer."""
    if lang == "zh":
        return (
            "按未达标的社区级指标项数从多到少排列，项数相同的按代码排列；"
            "列出的个数用 --worst 设置。"
        )
    return (
        "Ordered by the number of community-level targets not met, most first, then by code; "
        "--worst sets how many are listed."
    )


#: The headings of what reading the input said (:func:`input_sections`).
INPUT_HEADINGS: Final = {
    "skipped": Text("跳过的行（有问题，未评估）", "Rows skipped (with problems, not evaluated)"),
    "warnings": Text("输入提示", "Warnings about the input"),
    "resolved": Text("按地名确定代码的社区", "Codes found from place names"),
}


def more_warnings(count: int, lang: str) -> str:
    """The line after the last warning of a kind shown: how many more of that kind there are."""
    if lang == "zh":
        return f"……另有{count:,}条同类提示未列出"
    return f"… and {count:,} more warnings of this kind, not listed"


def input_sections(notes: InputNotes | None, lang: str) -> list[tuple[str, list[str]]]:
    """What reading the input said, as (heading, lines) for each part that has any.

    Every format shows the same lines its own way; the JSON report has them as
    its ``input`` field. Of the warnings, at most
    :data:`~cssp.model.notes.WARNINGS_SHOWN` of a kind are shown (as on standard
    error), the last one followed by a line saying how many more of that kind
    there are.
    """
    if not notes:
        return []
    sections = []
    if notes.skipped:
        lines = []
        for row in notes.skipped:
            problems = "; ".join(
                f"{where.removeprefix(row.where).lstrip(', ')}: {message}".lstrip(": ")
                for where, message in row.problems
            )
            lines.append(f"{row.where}: {problems}")
        sections.append((INPUT_HEADINGS["skipped"].get(lang), lines))
    if notes.warnings:
        lines = []
        for note, more in shown_warnings(notes):
            lines.append(f"{note.where}: {note.message}")
            if more:
                lines.append(more_warnings(more, lang))
        sections.append((INPUT_HEADINGS["warnings"].get(lang), lines))
    if notes.resolved:
        lines = [
            f"{place.where}: {' '.join(place.names)} → {place.code} {' '.join(place.path)}"
            for place in notes.resolved
        ]
        sections.append((INPUT_HEADINGS["resolved"].get(lang), lines))
    return sections
