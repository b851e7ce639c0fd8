"""A region report as files for spreadsheets and data tools: Excel (xlsx) and Parquet.

:func:`report_xlsx` writes one workbook (openpyxl, ``pip install 'cssp[xlsx]'``):

* one sheet per level — **地区** (regions) and **社区** (communities, when the
  report keeps their findings) — a row per region or community and, for each
  target, its observed value (a number, the unit in the header) and its status;
* one sheet of **指标结果** (findings): a row per region × target and per
  community × target, with every field of a finding.

Headers are Chinese (``lang="en"``: English), the header row is frozen, and
numbers are numbers. :func:`report_parquet` writes the findings table — the
columns of :data:`cssp.engine.tables.FINDING_COLUMNS`, both levels — as one
Parquet file (pyarrow, ``pip install 'cssp[parquet]'``).

>>> import cssp, io
>>> from cssp.report.tables import report_xlsx
>>> report = cssp.evaluate_region(cssp.load_sample()[:3], profiles=())
>>> import openpyxl
>>> book = openpyxl.load_workbook(io.BytesIO(report_xlsx(report)))
>>> book.sheetnames
['地区', '社区', '指标结果']
>>> book["地区"]["C1"].value
'农村社区综合服务设施覆盖率（%）'
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from cssp.engine import tables
from cssp.model.measures import Status
from cssp.report._common import check_lang, worksheet_text

if TYPE_CHECKING:
    from cssp.engine.results import Finding, RegionReport

__all__ = ["report_parquet", "report_xlsx"]

_STATUS: Final = {
    "zh": {
        Status.MET: "达标",
        Status.NOT_MET: "未达标",
        Status.NOT_APPLICABLE: "不适用",
        Status.NO_DATA: "无数据",
        Status.NO_VERDICT: "不作评价",
    },
    "en": {
        Status.MET: "met",
        Status.NOT_MET: "not met",
        Status.NOT_APPLICABLE: "not applicable",
        Status.NO_DATA: "no data",
        Status.NO_VERDICT: "no verdict",
    },
}
_SHEETS: Final = {
    "zh": ("地区", "社区", "指标结果"),
    "en": ("regions", "communities", "findings"),
}
_HEAD: Final = {
    "zh": ("代码", "名称", "状态"),
    "en": ("code", "name", "status"),
}
#: The findings sheet's headers, by column of FINDING_COLUMNS.
_FINDING_HEADERS: Final = {
    "subject": ("代码", "code"),
    "level": ("层级", "level"),
    "region": ("所属地区", "region"),
    "target": ("目标", "target"),
    "indicator": ("指标", "indicator"),
    "name_zh": ("指标名称", "name (Chinese)"),
    "name_en": ("指标名称（英文）", "name"),
    "kind": ("类型", "kind"),
    "status": ("状态", "status"),
    "comparator": ("比较", "comparator"),
    "observed": ("实际值", "observed"),
    "required": ("要求值", "required"),
    "unit": ("单位（pint）", "unit (pint)"),
    "unit_zh": ("单位", "unit (Chinese)"),
    "gap": ("差距", "gap"),
    "year": ("年份", "year"),
    "milestone": ("阶段目标", "milestone"),
    "on_track": ("按进度", "on track"),
    "numerator": ("分子", "numerator"),
    "denominator": ("分母", "denominator"),
    "met": ("达标社区数", "communities met"),
    "not_met": ("未达标社区数", "communities not met"),
    "not_applicable": ("不适用社区数", "communities not applicable"),
    "no_data": ("无数据社区数", "communities without data"),
    "loosened": ("低于国家标准", "loosened"),
    "citation_zh": ("出处", "citation"),
    "explanation_zh": ("说明", "explanation (Chinese)"),
    "explanation_en": ("说明（英文）", "explanation"),
}


def _openpyxl() -> Any:
    return tables.module("openpyxl", "xlsx")


def _level_sheet(sheet: Any, rows: Sequence[tuple[str, str, Sequence[Finding]]], lang: str) -> None:
    """A row per subject, two columns per target: its value (unit in the header) and status."""
    order: dict[str, Finding] = {}
    for _, _, findings in rows:
        for finding in findings:
            order.setdefault(finding.target.id, finding)
    code, name, status = _HEAD[lang]
    header: list[str] = [code, name]
    for finding in order.values():
        label = finding.target.name.get(lang)
        unit = finding.unit_label.get(lang)
        header += [
            f"{label}（{unit}）" if lang == "zh" else f"{label} ({unit})",
            f"{label} {status}",
        ]
    sheet.append([worksheet_text(cell) for cell in header])
    words = _STATUS[lang]
    for subject, title, findings in rows:
        by_target = {f.target.id: f for f in findings}
        line: list[Any] = [subject, title]
        for target in order:
            found = by_target.get(target)
            line += [None, None] if found is None else [found.observed, words[found.status]]
        sheet.append([worksheet_text(cell) for cell in line])


def _findings_sheet(sheet: Any, report: RegionReport, lang: str) -> None:
    index = 0 if lang == "zh" else 1
    names = [name for name, _ in tables.FINDING_COLUMNS]
    sheet.append([_FINDING_HEADERS[name][index] for name in names])  # cssp's own words
    for level in ("region", "community"):
        columns = report.finding_columns(level)
        count = len(columns["subject"])
        for row in range(count):
            sheet.append([worksheet_text(columns[name][row]) for name in names])


def _finish(sheet: Any) -> None:
    bold = tables.module("openpyxl.styles", "xlsx").Font(bold=True)
    sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = bold
    for column in sheet.columns:
        width = max((len(str(c.value)) for c in column[:50] if c.value is not None), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, width + 2))


def report_xlsx(report: RegionReport, *, lang: str = "zh") -> bytes:
    """The report as an Excel workbook: a sheet per level and one of findings.

    :param report: what :func:`cssp.evaluate_region` returned.
    :param lang: ``"zh"`` (Chinese headers, the default) or ``"en"``.
    :raises cssp.CsspError: without openpyxl.
    """
    check_lang(lang)
    openpyxl = _openpyxl()
    book = openpyxl.Workbook(write_only=False)
    regions_name, communities_name, findings_name = _SHEETS[lang]
    regions = book.active
    regions.title = regions_name
    _level_sheet(regions, [(r.code, r.name or "", r.findings) for r in report.regions], lang)
    _finish(regions)
    if report.assessments:
        communities = book.create_sheet(communities_name)
        ordered = sorted(report.assessments, key=lambda a: a.community.code)
        _level_sheet(
            communities,
            [(a.community.code, a.community.name, a.findings) for a in ordered],
            lang,
        )
        _finish(communities)
    findings = book.create_sheet(findings_name)
    _findings_sheet(findings, report, lang)
    _finish(findings)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def report_parquet(report: RegionReport) -> bytes:
    """The report's findings, both levels, as one Parquet file (a row per finding).

    :param report: what :func:`cssp.evaluate_region` returned.
    :raises cssp.CsspError: without pyarrow.
    """
    arrow = tables.module("pyarrow", "parquet")
    parquet = tables.module("pyarrow.parquet", "parquet")
    table = arrow.concat_tables([report.to_arrow("region"), report.to_arrow("community")])
    sink = arrow.BufferOutputStream()
    parquet.write_table(table, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())
