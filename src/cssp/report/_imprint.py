"""What a report says of itself: its title, date, sources, plan, profiles, and how to remake it.

A document an official signs names when it was made, from which file (name,
rows, checksum), against which edition of the plan and which of its clauses,
with which version of cssp and which provincial profiles, and the command that
makes it again. :class:`ReportSource` carries what the report itself cannot
know (the files, the command, the day); the rest comes from the report.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Final

from attrs import define, field

from cssp.io.readers import SourceFile
from cssp.model.plan import Citation, Text, date_text
from cssp.report._common import LEVEL_LABELS
from cssp.report._names import profiles_in_force, report_area, report_targets

if TYPE_CHECKING:
    from cssp.engine.results import RegionReport
    from cssp.model.plan import Plan, Target

__all__ = ["ReportSource"]


def _files(files: Iterable[SourceFile]) -> tuple[SourceFile, ...]:
    return tuple(files)


@define(frozen=True)
class ReportSource:
    """Where a report comes from: its input files, the command that makes it, the day.

    The HTML and Markdown reports print it in their header and footer; without
    it they say that the source was not given.

    :param files: the input files, as :func:`cssp.io.readers.read_sources` describes them.
    :param command: the command that makes the report again, e.g.
        ``cssp evaluate communities.csv --format html -o report.html``.
    :param date: the day the report was made (``None``: not printed).
    """

    files: tuple[SourceFile, ...] = field(default=(), converter=_files)
    command: str = ""
    date: datetime.date | None = None


@cache
def version() -> str:
    """cssp's version, or ``""`` in a source tree never installed."""
    from importlib.metadata import PackageNotFoundError  # noqa: PLC0415 - when needed
    from importlib.metadata import version as _version  # noqa: PLC0415

    try:
        return _version("cssp")
    except PackageNotFoundError:  # pragma: no cover - a source tree never installed
        return ""


_L: Final = {
    "title": Text("{area}城乡社区服务体系建设评估报告", "Community service evaluation: {area}"),
    "title_many": Text(
        "城乡社区服务体系建设评估报告（{area}）", "Community service evaluation: {area}"
    ),
    "area": Text("评估范围", "Area"),
    "area_value": Text(
        "{area}；按{level}汇总，{regions}个区域，{communities}个社区",
        "{area}; {regions} regions by {level}, {communities} communities",
    ),
    "date": Text("报告日期", "Report date"),
    "data": Text("数据来源", "Data"),
    "file": Text(
        "{name}：读取{rows}行，跳过{skipped}行；SHA-256：{sha}",
        "{name}: {rows} rows read, {skipped} skipped; SHA-256 {sha}",
    ),
    "no_file": Text(
        "未注明（报告由程序调用生成，未附数据文件信息）",
        "not given (the report was made by a program that did not describe its input)",
    ),
    "plan": Text("依据规划", "Plan"),
    "plan_value": Text(
        "《{title}》（{document}，{issuer}{issued}印发）；评估{year}年目标",
        "{title} ({document}{issued}); {year} targets",
    ),
    "clauses": Text("所依条款", "Clauses"),
    "profiles": Text("本地标准", "Local standards"),
    "no_profiles": Text("未使用；仅依国家规划评估", "none: the national plan alone"),
    "profile": Text("{place}：{document}；插件 {source}", "{place}: {document}; plugin {source}"),
    "software": Text("软件版本", "Software"),
    "reproduce": Text("复现命令", "To reproduce"),
    "not_stated": Text("未注明", "not stated"),
    "footer": Text(
        "本报告由 cssp {version} 依据{document}生成{date}。",
        "Made by cssp {version} from {document}{date}.",
    ),
    "footer_data": Text("数据：{files}。", "Data: {files}."),
    "page": Text(
        '"第 " counter(page) " 页，共 " counter(pages) " 页"',
        '"Page " counter(page) " of " counter(pages)',
    ),
}


def _l(key: str, lang: str, **values: object) -> str:
    text = _L[key].get(lang)
    return text.format(**values) if values else text


def _count(n: int) -> str:
    return f"{n:,}"


def report_title(report: RegionReport, lang: str) -> str:
    """``广东省广州市天河区城乡社区服务体系建设评估报告``."""
    area = report_area(report, lang)
    provinces = {r.code[:2] for r in report.regions if r.code}
    if lang == "zh" and report.by != "nation" and len(provinces) > 1:
        return _l("title_many", lang, area=area)
    return _l("title", lang, area=area)


def clauses(plan: Plan, targets: Sequence[Target]) -> str:
    """The plan's clauses the report's targets come from, in the plan's order.

    ``一、专栏1；（十一）；（十二）；三、专栏3`` — the sections and columns of the
    national targets judged (a profile's own targets cite their documents).
    """
    judged = {t.id for t in targets}
    cited: dict[tuple[str, str], None] = {}
    for target in plan.targets.values():
        if target.id in judged:
            cited.setdefault((target.citation.section, target.citation.column), None)
    return "；".join(f"{section}{column}" for section, column in cited)


def _clauses_en(text: str) -> str:
    parts = []
    for clause in text.split("；"):
        section, _, column = clause.partition("专栏")
        cited = Citation("", section, f"专栏{column}" if column else "")
        parts.append(cited.text("en").removeprefix(", "))
    return "; ".join(parts)


def info_rows(
    report: RegionReport, source: ReportSource | None, lang: str
) -> list[tuple[str, str, bool]]:
    """The report's particulars, as (label, value, is code) rows: what the header prints."""
    plan = report.plan
    zh = lang == "zh"
    level = LEVEL_LABELS.get(report.by, Text(report.by, report.by)).get(lang)
    communities = (
        report.summary.communities if report.summary is not None else len(report.assessments)
    )
    rows = [
        (
            _l("area", lang),
            _l(
                "area_value",
                lang,
                area=report_area(report, lang),
                level=level,
                regions=_count(len(report.regions)),
                communities=_count(communities),
            ),
        )
    ]
    date = source.date if source is not None else None
    rows.append((_l("date", lang), date_text(date, lang) if date else _l("not_stated", lang)))
    files = source.files if source is not None else ()
    if files:
        for f in files:
            rows.append(
                (
                    _l("data", lang),
                    _l(
                        "file",
                        lang,
                        name=f.name,
                        rows=_count(f.rows),
                        skipped=_count(f.skipped),
                        sha=f.sha256 or _l("not_stated", lang),
                    ),
                )
            )
    else:
        rows.append((_l("data", lang), _l("no_file", lang)))
    issued = ""
    if plan.issued is not None:
        issued = date_text(plan.issued, lang) if zh else f", issued {date_text(plan.issued, lang)}"
    rows.append(
        (
            _l("plan", lang),
            _l(
                "plan_value",
                lang,
                title=plan.title.get(lang),
                document=plan.document,
                issuer=plan.issuer,
                issued=issued,
                year=report.year,
            ),
        )
    )
    targets = report_targets(report)
    cited = clauses(plan, targets)
    if cited:
        rows.append((_l("clauses", lang), cited if zh else _clauses_en(cited)))
    profiles = profiles_in_force(targets)
    if profiles:
        for p in profiles:
            rows.append(
                (
                    _l("profiles", lang),
                    _l(
                        "profile",
                        lang,
                        place=p.place(lang),
                        document=p.document(lang),
                        source=p.source or p.profile,
                    ),
                )
            )
    else:
        rows.append((_l("profiles", lang), _l("no_profiles", lang)))
    rows.append((_l("software", lang), f"cssp {version()}".strip()))
    out = [(label, value, False) for label, value in rows]
    if source is not None and source.command:
        out.append((_l("reproduce", lang), source.command, True))
    return out


def footer_text(report: RegionReport, source: ReportSource | None, lang: str) -> list[str]:
    """The footer's sentences: who made the report, when, from what."""
    date = source.date if source is not None else None
    when = ""
    if date is not None:
        when = f"，{date_text(date, lang)}" if lang == "zh" else f", {date_text(date, lang)}"
    out = [_l("footer", lang, version=version(), document=report.plan.document, date=when)]
    files = source.files if source is not None else ()
    if files:
        sep = "；" if lang == "zh" else "; "
        digest = "（SHA-256 {}…）" if lang == "zh" else " (SHA-256 {}…)"
        listed = sep.join(f.name + digest.format(f.sha256[:12]) for f in files)
        out.append(_l("footer_data", lang, files=listed))
    return out


def css_string(text: str) -> str:
    """``text`` as a CSS string literal: quotes, backslashes and ``<`` escaped."""
    escaped = "".join(f"\\{ord(c):x} " if c in '"\\<>\n\r' or ord(c) < 32 else c for c in text)
    return f'"{escaped}"'


def page_css(title: str, date: datetime.date | None, lang: str) -> str:
    """The printed page's running heads: the title at the top, the page number at the foot."""
    when = css_string(date_text(date, lang)) if date is not None else '""'
    return (
        "@page{"
        f"@top-left{{content:{css_string(title)}}}"
        f"@top-right{{content:{when}}}"
        f"@bottom-center{{content:{_l('page', lang)}}}"
        "}"
    )
