"""Reports an official can sign: dated, sourced, with units, in one language, flagged, printable.

What the page says is checked here, without a browser; how it lays out and
prints is checked in a real one (``test_report_browser.py``).
"""

from __future__ import annotations

import collections
import datetime
import hashlib
import html
import os
import pathlib
import re
import shlex
import subprocess
import sys
from html.parser import HTMLParser
from typing import Final

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cssp
import cssp.synth
from cssp.engine.results import RegionAssessment
from cssp.io import SourceFile, read_sources
from cssp.model.divisions import division_name, division_path, load_divisions
from cssp.report import ReportSource, render_report
from cssp.report._imprint import page_css
from cssp.report._names import qualified_labels
from helpers import run_cssp

REPO_ROOT: Final = pathlib.Path(__file__).resolve().parents[1]
PLUGINS: Final = REPO_ROOT / "plugins"
PROFILES: Final = (
    PLUGINS / "cssp-guangdong" / "cssp_guangdong" / "profile.toml",
    PLUGINS / "cssp-hubei" / "cssp_hubei" / "profile.toml",
    PLUGINS / "cssp-jiangsu" / "cssp_jiangsu" / "profile.toml",
)
DATE: Final = datetime.date(2025, 3, 4)


class _Text(HTMLParser):
    """The text a reader sees (and the tooltips and labels), without styles and code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.code: list[str] = []
        self._skip = 0
        self._in_code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script"):
            self._skip += 1
        if tag == "code":
            self._in_code += 1
        for key, value in attrs:
            if key in ("title", "aria-label", "data-label") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip -= 1
        if tag == "code":
            self._in_code -= 1

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        (self.code if self._in_code else self.parts).append(data)


def visible(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return "\n".join(parser.parts)


@pytest.fixture(scope="module")
def profiles() -> list[cssp.Profile]:
    return [cssp.load_profile(path) for path in PROFILES]


@pytest.fixture(scope="module")
def county_file(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A county's communities as a CSV file with Chinese headers, as a county's office keeps it."""
    communities = [c for c in cssp.load_sample() if c.code.startswith("440106")]
    header = (
        "统计用区划代码,村(社区)名称,户数(户),常住人口(人),综合服务设施面积(平方米),社区工作者(人)"
    )
    rows = [header]
    for c in communities:
        facilities = c.facilities or ()
        area = sum(f.floor_area or 0.0 for f in facilities if f.kind.value == "comprehensive")
        rows.append(
            f"{c.code},{c.name},{c.households or ''},{c.population or ''},{area or ''},"
            f"{c.staff.community_workers if c.staff.community_workers is not None else ''}"
        )
    path = tmp_path_factory.mktemp("county") / "天河区社区台账.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def county(
    county_file: pathlib.Path, profiles: list[cssp.Profile]
) -> tuple[cssp.RegionReport, ReportSource]:
    communities, files = read_sources([county_file])
    report = cssp.evaluate_region(communities, by="township", profiles=profiles)
    return report, ReportSource(files, "cssp evaluate 天河区社区台账.csv --by township", DATE)


# --- the particulars: date, source, plan, profiles, command ---------------------------------


def test_read_sources_describes_each_file(county_file: pathlib.Path) -> None:
    communities, files = read_sources([county_file])
    digest = hashlib.sha256(county_file.read_bytes()).hexdigest()
    assert files == (SourceFile(str(county_file), len(communities), 0, digest),)


def test_the_report_names_its_date_source_plan_and_profiles(
    county: tuple[cssp.RegionReport, ReportSource],
) -> None:
    report, source = county
    text = visible(render_report(report, "html", source=source))
    (file,) = source.files
    assert "报告日期" in text
    assert "2025年3月4日" in text
    assert f"{file.name}：读取{file.rows}行，跳过0行；SHA-256：{file.sha256}" in text
    plan = (
        "《“十四五”城乡社区服务体系建设规划》（国办发〔2021〕56号，国务院办公厅2021年12月27日印发）"
    )
    assert plan in text
    assert "所依条款" in text
    assert "一、专栏1" in text
    guangdong = (
        "广东省：《广东省城乡社区服务体系建设“十四五”规划》（据《羊城晚报》2022年6月16日报道）"
    )
    assert guangdong in text
    assert f"cssp {cssp.__version__}" in text
    page = render_report(report, "html", source=source)
    assert "<code>cssp evaluate 天河区社区台账.csv --by township</code>" in page
    # the title names the area, the printed page carries it with the date and page numbers
    assert "<h1>广东省广州市天河区城乡社区服务体系建设评估报告</h1>" in page
    assert '@top-left{content:"广东省广州市天河区城乡社区服务体系建设评估报告"}' in page
    assert '@top-right{content:"2025年3月4日"}' in page
    assert 'counter(page) " 页，共 " counter(pages)' in page


def test_without_a_source_the_report_says_so(
    county: tuple[cssp.RegionReport, ReportSource],
) -> None:
    report, _ = county
    text = visible(render_report(report, "html"))
    assert "报告日期\n未注明" in text
    assert "未注明（报告由程序调用生成，未附数据文件信息）" in text


def test_the_national_plan_alone_is_said(county: tuple[cssp.RegionReport, ReportSource]) -> None:
    communities = cssp.load_sample()
    report = cssp.evaluate_region(communities, by="county", profiles=())
    assert "未使用；仅依国家规划评估" in visible(render_report(report, "html"))


def test_markdown_has_the_particulars_in_chinese_punctuation(
    county: tuple[cssp.RegionReport, ReportSource],
) -> None:
    report, source = county
    text = render_report(report, "markdown", source=source)
    assert text.startswith("# 广东省广州市天河区城乡社区服务体系建设评估报告\n")
    assert "- **报告日期**：2025年3月4日" in text
    assert "- **复现命令**：`cssp evaluate 天河区社区台账.csv --by township`" in text
    # no half-width comma or bracket in Chinese prose (codes, commands and tables aside)
    prose = [
        line
        for line in text.splitlines()
        if line and not line.startswith("|") and "`" not in line and "SHA-256" not in line
    ]
    for line in prose:
        assert not re.search(r"[\u4e00-\u9fff][,(]|[,)][\u4e00-\u9fff]", line), line
        assert ", " not in line, line


# --- units, separators, the legend ---------------------------------------------------------


def test_every_figure_has_its_unit_and_every_gap_too(
    county: tuple[cssp.RegionReport, ReportSource],
) -> None:
    report, source = county
    page = render_report(report, "html", source=source)
    text = visible(page)
    assert "差" in text
    for gap in re.findall(r"差([0-9.,]+)([^）]*)）", text):
        assert gap[1] in ("个百分点", "平方米/百户", "人/万人", "小时/天", "人"), gap
    # each overview header says the unit of the figures beside or under it
    assert len(report.regions) > 5  # regions as rows: the targets head the columns
    columns = re.findall(r'<th class="num" scope="col"><span class="h-name">(.*?)</th>', page)
    assert len(columns) == len({f.target.id for r in report.regions for f in r.findings})
    for header in columns:
        assert '<span class="h-unit">单位：' in header or "达标社区占比" in header, header
    few = cssp.evaluate_region(cssp.load_sample(), by="county", profiles=())
    rows = re.findall(r'<th scope="row" class="name"[^>]*>(.*?)</th>', render_report(few, "html"))
    assert len(rows) == len(few.regions[0].findings)
    for header in rows:
        assert "<small>单位：" in header or "<small>达标社区占比" in header, header


def test_counts_have_thousands_separators() -> None:
    communities = cssp.synth.communities(0.002, seed=5)
    report = cssp.evaluate_region(communities, by="province", profiles=())
    page = render_report(report, "html")
    assert len(communities) >= 1000
    assert f"<b>{len(communities):,}<small>" in page
    assert f"{len(communities):,}个社区" in visible(page)


def test_the_legend_covers_every_mark(county: tuple[cssp.RegionReport, ReportSource]) -> None:
    report, source = county
    page = render_report(report, "html", source=source)
    legend = re.search(r'<div class="legend">(.*?)</div>', page)
    assert legend is not None
    for mark, label in (
        ("✓", "达标"),
        ("✗", "未达标"),
        ("?", "无数据"),
        ("-", "不适用"),
        ("—", "未设此目标"),
        ("⚠", "请核实"),
    ):
        assert f">{mark}</i>{label}</span>" in legend.group(1)
    cells = re.findall(r'<td class="cell [^"]*"[^>]*>([^<]*)', page)
    assert cells
    for cell in cells:
        assert cell[:1] in "✓✗?-—", cell


# --- names -------------------------------------------------------------------------


def test_ambiguous_names_carry_their_parents() -> None:
    # 朝阳区 is in Beijing and in Changchun; 市辖区 names Beijing's and Tianjin's districts
    codes = ["110105001001", "220104001001", "120101001001"]
    communities = [cssp.Community(code=code, households=1000) for code in codes]
    by_county = cssp.evaluate_region(communities, by="county", profiles=())
    text = visible(render_report(by_county, "html"))
    assert "北京市朝阳区" in text
    assert "吉林省朝阳区" in text
    by_prefecture = cssp.evaluate_region(communities, by="prefecture", profiles=())
    text = visible(render_report(by_prefecture, "html"))
    assert "北京市市辖区" in text
    assert "天津市市辖区" in text
    english = visible(render_report(by_prefecture, "html", lang="en"))
    assert "city districts, Beijing" in english


def test_one_province_s_counties_need_no_province() -> None:
    report = cssp.evaluate_region(cssp.load_sample(), by="county", profiles=())
    inside = attrs.evolve(report, regions=tuple(r for r in report.regions if r.code[:2] == "33"))
    page = render_report(inside, "html")
    assert '<th class="num" scope="col">西湖区</th>' in page


# --- one language at a time ----------------------------------------------------------------

#: What a Chinese report may hold in Latin letters: software and file names, checksums,
#: the 5G of an indicator's name, the format JSON, and data fields' identifiers.
_LATIN_ALLOWED: Final = re.compile(
    r"cssp(-[a-z]+)? ?[0-9][0-9a-z.+]*|cssp-[a-z]+|SHA-256[：:]? ?[0-9a-f]{64}|"
    r"SHA-256 [0-9a-f]{12}|5G|JSON|extra\.[a-z_0-9]+|[\w./-]+\.(csv|toml)"
)
_CJK: Final = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef《》“”]")


def test_a_chinese_report_has_no_english(profiles: list[cssp.Profile]) -> None:
    communities = cssp.load_sample()
    report = cssp.evaluate_region(communities, by="county", profiles=profiles)
    source = ReportSource((SourceFile("社区.csv", 52, 0, "0" * 64),), "cssp demo", DATE)
    for page in (
        visible(render_report(report, "html", source=source)),
        render_report(report, "markdown", source=source),
    ):
        rest = _LATIN_ALLOWED.sub("", page)
        rest = re.sub(r"`[^`]*`", "", rest)  # code in Markdown
        words = sorted(set(re.findall(r"[A-Za-z]{2,}", rest)))
        assert words == [], words


def test_an_english_report_has_no_chinese_but_proper_names(
    profiles: list[cssp.Profile],
) -> None:
    communities = cssp.load_sample()
    report = cssp.evaluate_region(communities, by="county", profiles=profiles)
    text = visible(render_report(report, "html", lang="en"))
    names = {c.name for c in communities} | {report.plan.document, "苏政办发〔2022〕60号"}
    for region in report.regions:
        names.update(name or "" for _, name in division_path(region.code))
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "")
    assert _CJK.findall(text) == []


def test_citations_in_each_language(profiles: list[cssp.Profile]) -> None:
    report = cssp.evaluate_region(cssp.load_sample(), by="county", profiles=profiles)
    zh = visible(render_report(report, "html"))
    en = visible(render_report(report, "html", lang="en"))
    assert "据《羊城晚报》2022年6月16日报道" in zh
    assert "as reported by" not in zh
    assert "as reported by Yangcheng Evening News, 16 June 2022" in en
    assert "羊城晚报" not in en


# --- noise and counts ----------------------------------------------------------------------


def test_no_op_overrides_are_not_listed_but_counted(profiles: list[cssp.Profile]) -> None:
    report = cssp.evaluate_region(cssp.load_sample(), by="county", profiles=profiles)
    page = render_report(report, "html")
    provenance = page.split('id="provenance"')[1].split("</section>")[0]
    assert ">相同<" not in provenance
    # Guangdong restates 100% for urban facilities: counted, not listed
    assert re.search(r"另有\d+项本地目标与国家规划相同，未单独列出", visible(provenance))
    # kept in the provenance: the targets in force, as JSON, still show the restating step
    effective = cssp.effective_targets("fyp14", "44", profiles=profiles)
    data = cssp.report.targets_to_dict(effective, "44")
    urban = next(t for t in data["targets"] if t["id"] == "urban_facility_coverage")
    assert [step["change"] for step in urban["provenance"]] == ["set", "same"]


def test_the_no_data_note_counts_every_region(profiles: list[cssp.Profile]) -> None:
    report = cssp.evaluate_region(cssp.load_sample(), by="county", profiles=profiles)
    page = visible(render_report(report, "html"))
    target = "gd_childcare_places_per_1000_population"
    missing = sum(
        f.counts.no_data
        for r in report.regions
        if (f := next((f for f in r.findings if f.target.id == target), None)) is not None
        and f.counts is not None
    )
    first = next(r for r in report.regions if any(f.target.id == target for f in r.findings))
    first_only = next(f for f in first.findings if f.target.id == target).counts
    assert first_only is not None
    assert missing > first_only.no_data  # more than the first region's
    assert f"每千人口拥有3岁以下婴幼儿托位数（{missing}个社区无数据" in page


def test_one_sentence_tells_a_region_s_figure_from_its_communities() -> None:
    report = cssp.evaluate_region(cssp.load_sample(), by="county", profiles=())
    both = [
        f
        for r in report.regions
        for f in r.findings
        if f.status is cssp.Status.MET
        and f.failing
        and f.kind is not cssp.IndicatorKind.PER_COMMUNITY
    ]
    assert both
    text = visible(render_report(report, "html"))
    assert f"{len(both)}项区域指标的区域值达标，但该区域仍有社区未达标" in text
    english = visible(render_report(report, "html", lang="en"))
    assert f"In {len(both)} region findings the region's figure meets the target" in english


# --- plausibility ------------------------------------------------------------------------


def test_an_implausible_value_is_flagged_not_silently_judged() -> None:
    # a two-storey facility entered as 17.58 m² for 1,000 households: 1.76 m² per 100
    odd = cssp.Community(
        code="440106001001",
        name="示例社区",
        households=1000,
        population=3000,
        facilities=[cssp.Facility("comprehensive", floor_area=17.58)],
    )
    plain = cssp.Community(
        code="440106001002",
        households=1000,
        population=3000,
        facilities=[cssp.Facility("comprehensive", floor_area=300.0)],
    )
    report = cssp.evaluate_region([odd, plain], by="county", profiles=())
    finding = report.assessments[0].finding("facility_area_per_100_households")
    assert finding.status is cssp.Status.NOT_MET  # the verdict stands
    page = render_report(report, "html")
    text = visible(page)
    assert "请核实：1.76平方米/百户超出合理范围2.98至298平方米/百户" in text
    assert "全国2020年为29.8平方米/百户" in text
    assert "1个数值远超出合理范围" in text
    english = visible(render_report(report, "html", lang="en"))
    assert "please check: 1.76 m² per 100 households is outside the plausible range" in english
    markdown = render_report(report, "markdown")
    assert "⚠ 请核实：1.76平方米/百户" in markdown
    # the other community's 30 m² is plausible: no flag on it
    assert len(re.findall(r"请核实：\d", text)) == 1


def test_the_plausible_ranges_come_from_the_baselines() -> None:
    plan = cssp.load_plan("fyp14")
    ranges = {i.id: i.plausible_range for i in plan.indicators.values() if i.plausible_range}
    assert ranges == {
        "facility_area_per_100_households": pytest.approx((2.98, 298.0)),
        "workers_per_10k_urban_residents": pytest.approx((1.5, 150.0)),
    }


# --- the command ---------------------------------------------------------------------------


def _cssp(*args: str, cwd: pathlib.Path) -> subprocess.CompletedProcess[str]:
    return run_cssp(*args, cwd=cwd, env={"SOURCE_DATE_EPOCH": "1741046400"})


def test_evaluate_writes_a_dated_sourced_report(county_file: pathlib.Path) -> None:
    done = _cssp(
        "evaluate",
        county_file.name,
        "--by",
        "township",
        "--format",
        "html",
        "-o",
        "r.html",
        cwd=county_file.parent,
    )
    assert done.returncode == 0, done.stderr
    page = (county_file.parent / "r.html").read_text(encoding="utf-8")
    digest = hashlib.sha256(county_file.read_bytes()).hexdigest()
    text = visible(page)
    assert f"SHA-256：{digest}" in text
    assert "2025年3月4日" in text  # SOURCE_DATE_EPOCH 1741046400
    args = ["evaluate", county_file.name, "--by", "township", "--format", "html", "-o", "r.html"]
    command = shlex.join(["cssp", *args])  # the file's name quoted as a shell needs it
    assert f"<code>{html.escape(command)}</code>" in page
    again = _cssp(*args, cwd=county_file.parent)
    assert again.returncode == 0
    assert (county_file.parent / "r.html").read_text(encoding="utf-8") == page  # reproducible


def test_a_bad_source_date_epoch_is_a_clear_error(county_file: pathlib.Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "yesterday"}
    done = subprocess.run(
        [sys.executable, "-m", "cssp", "evaluate", county_file.name, "--format", "html"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=county_file.parent,
        check=False,
        timeout=300,
    )
    assert done.returncode == 2
    assert "SOURCE_DATE_EPOCH" in done.stderr
    assert "Traceback" not in done.stderr


def test_demo_writes_an_html_report(tmp_path: pathlib.Path) -> None:
    done = _cssp("demo", "--format", "html", "-o", "demo.html", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "demo.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "<code>cssp demo --format html -o demo.html</code>" in page
    assert done.stdout == ""


def test_a_streamed_parquet_report_names_its_file(tmp_path: pathlib.Path) -> None:
    made = _cssp("synth", "--scale", "0.0005", "--seed", "2", "-o", "nation.parquet", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    done = _cssp(
        "evaluate", "nation.parquet", "--engine", "batch", "--format", "markdown", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    digest = hashlib.sha256((tmp_path / "nation.parquet").read_bytes()).hexdigest()
    rows = re.search(
        r"nation\.parquet：读取([\d,]+)行，跳过0行；SHA-256：([0-9a-f]{64})", done.stdout
    )
    assert rows is not None, done.stdout[:2000]
    assert rows.group(2) == digest
    assert int(rows.group(1).replace(",", "")) > 200


# --- properties --------------------------------------------------------------------------


def _shared_names(length: int) -> list[str]:
    """Codes of one level whose name another division of the level shares (朝阳区, 城关镇)."""
    codes = [code for code in load_divisions() if len(code) == length]
    names = collections.Counter(division_name(code) for code in codes)
    return sorted(code for code in codes if names[division_name(code)] > 1)


_SHARED: Final = {length: _shared_names(length) for length in (4, 6, 9)}


@st.composite
def _region_codes(draw: st.DrawFn) -> list[str]:
    """Divisions of one level, often sharing names, often within one province."""
    length = draw(st.sampled_from(sorted(_SHARED)))
    pool = _SHARED[length]
    if draw(st.booleans()):
        province = draw(st.sampled_from(sorted({code[:2] for code in pool})))
        pool = [code for code in pool if code.startswith(province)]
    return draw(st.lists(st.sampled_from(pool), min_size=1, max_size=40, unique=True))


@settings(max_examples=80)
@given(_region_codes(), st.sampled_from(["zh", "en"]))
def test_region_labels_are_unique_and_name_the_region(codes: list[str], lang: str) -> None:
    regions = [
        RegionAssessment(code, division_name(code), "county", (), ()) for code in sorted(codes)
    ]
    labels = qualified_labels(regions, lang)
    assert len(set(labels.values())) == len(regions)
    for region in regions:
        own = region.name or region.code
        if lang == "zh" or own not in _GENERIC:
            assert own in labels[region.code] or region.code in labels[region.code]
        if own in _GENERIC and lang == "zh":
            assert labels[region.code] != own  # a grouping never stands alone


_GENERIC: Final = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@given(st.text(max_size=80))
def test_a_running_head_is_one_css_string(title: str) -> None:
    css = page_css(title, DATE, "zh")
    head = css.split("@top-left{content:", 1)[1].split("}@top-right", 1)[0]
    assert head.startswith('"')
    assert head.endswith('"')
    inner = head[1:-1]
    assert '"' not in inner.replace('\\"', "")
    assert "<" not in inner
    assert "\n" not in inner
