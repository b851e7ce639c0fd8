"""The HTML report: well-formed, self-contained, escaped, and drawn by a real browser."""

from __future__ import annotations

import os
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Final

import attrs
import pytest

import cssp
from cssp.report import render_assessment, render_report

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
GUANGDONG: Final = REPO_ROOT / "plugins" / "cssp-guangdong" / "cssp_guangdong" / "profile.toml"
CHROMIUM: Final = Path("/usr/bin/chromium")

#: HTML elements that have no end tag.
VOID: Final = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr"}
)


class _Checker(HTMLParser):
    """Checks that every element is closed in order, and collects what the tests look at."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.svg_in: dict[str, int] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "svg":
            section = next(
                (s for s in reversed(self.stack) if s.startswith("section#")), "section#"
            )
            self.svg_in[section] = self.svg_in.get(section, 0) + 1
        if tag not in VOID:
            ident = dict(attrs).get("id")
            self.stack.append(f"{tag}#{ident}" if tag == "section" else tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack:
            self.problems.append(f"</{tag}> closes nothing")
            return
        top = self.stack.pop()
        if top.split("#")[0] != tag:
            self.problems.append(f"</{tag}> closes <{top}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Checker:
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.problems == []
    assert checker.stack == [], f"unclosed elements: {checker.stack}"
    return checker


@pytest.fixture(scope="module")
def report() -> cssp.RegionReport:
    return cssp.evaluate_region(
        cssp.load_sample(), by="county", profiles=[cssp.load_profile(GUANGDONG)]
    )


@pytest.fixture(scope="module")
def page(report: cssp.RegionReport) -> str:
    return render_report(report, "html")


def _charted_targets(report: cssp.RegionReport) -> list[str]:
    """Targets with at least one region's figure: one chart each."""
    seen: dict[str, bool] = {}
    for region in report.regions:
        for finding in region.findings:
            seen[finding.target.id] = seen.get(finding.target.id, False) or (
                finding.observed is not None
            )
    return [target_id for target_id, charted in seen.items() if charted]


def test_html_parses_and_is_balanced(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>\n")
    checker = _parse(page)
    names = [tag for tag, _ in checker.tags]
    assert names.count("html") == names.count("head") == names.count("body") == 1
    assert ("meta", {"charset": "utf-8"}) in checker.tags


def test_an_svg_per_indicator_chart(report: cssp.RegionReport, page: str) -> None:
    checker = _parse(page)
    charted = _charted_targets(report)
    assert len(charted) > 15
    assert checker.svg_in["section#indicators"] == len(charted)
    figures = re.findall(
        r"<figure id=\"figure-\d+\">.*?</figure>",
        page.split('id="indicators"')[1].split("</section>", maxsplit=1)[0],
    )
    assert len(figures) == len(charted)
    for number, (figure, target_id) in enumerate(zip(figures, charted, strict=True), 1):
        assert figure.count("<svg") == 1
        name = report.regions[-1].finding(target_id).target.name.zh
        assert f"<h3>图{number}　{name}</h3>" in figure  # numbered, as figures in a document are
    # the distribution of communities: a stacked bar per target, and histograms
    assert checker.svg_in["section#communities"] >= 2
    assert "社区分布：每百户居民拥有社区综合服务设施面积" in page


def test_html_has_no_external_reference(page: str) -> None:
    lowered = page.lower()
    assert "http://" not in lowered
    assert "https://" not in lowered
    assert "<script" not in lowered
    assert "<link" not in lowered
    assert "@import" not in lowered
    assert "url(" not in lowered
    assert not re.search(r"\s(src|href|xlink:href)\s*=", lowered)


def test_html_shows_what_the_report_found(report: cssp.RegionReport, page: str) -> None:
    checker = _parse(page)
    text = "".join(checker.text)
    assert report.plan.title.zh in text
    assert report.plan.document in text
    assert "2025年目标" in text
    assert "按县级汇总" in text
    for region in report.regions:
        assert region.name is not None
        assert region.name in text
    for assessment in report.assessments:
        for finding in assessment.failing:
            assert finding.explain("zh") in text
    # provenance where the Guangdong profile changed a target, named in Chinese
    assert "本地标准与来源" in text
    assert "≥32平方米/百户" in text
    document = "《广东省城乡社区服务体系建设“十四五”规划》（据《羊城晚报》2022年6月16日报道）"
    assert f"广东省：{document}" in text
    assert "guangdong" not in text


def test_html_escapes_text(report: cssp.RegionReport) -> None:
    failing = next(a for a in report.assessments if a.failing)
    odd = attrs.evolve(failing.community, name='<x-evil a="1">社区 & 公司</x-evil>')
    changed = attrs.evolve(report, assessments=(attrs.evolve(failing, community=odd),))
    page = render_report(changed, "html")
    assert "<x-evil" not in page
    assert "&lt;x-evil a=&quot;1&quot;&gt;社区 &amp; 公司&lt;/x-evil&gt;" in page
    _parse(page)


def test_html_in_english(report: cssp.RegionReport) -> None:
    page = render_report(report, "html", lang="en")
    _parse(page)
    assert '<html lang="en">' in page
    assert "Each indicator against its target" in page
    assert "Communities not meeting a target" in page
    assert "各项指标对照目标" not in page


def test_assessment_html(report: cssp.RegionReport) -> None:
    assessment = report.assessments[0]
    page = render_assessment(assessment, "html")
    checker = _parse(page)
    text = "".join(checker.text)
    assert assessment.community.name in text
    for finding in assessment.failing:
        assert finding.explain("zh") in text
    assert "http" not in page


# --- a real browser -----------------------------------------------------------------


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
)
def test_html_renders_in_a_headless_browser(page: str, tmp_path: Path) -> None:
    html_file = tmp_path / "report.html"
    html_file.write_text(page, encoding="utf-8")
    png = tmp_path / "report.png"
    profile = tmp_path / "profile"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--screenshot={png}",
        "--window-size=1280,2000",
        html_file.as_uri(),
    ]
    env = {**os.environ, "HOME": str(tmp_path)}
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=180, check=False, env=env
    )
    assert png.is_file(), f"no screenshot; chromium said:\n{result.stdout}{result.stderr}"
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 10_000, f"the screenshot is only {len(data)} bytes"


def test_html_counts_the_failing_communities_it_does_not_list(
    report: cssp.RegionReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cssp.report._html

    monkeypatch.setattr(cssp.report._html, "FAILING_SHOWN", 2)
    page = render_report(report, "html")
    _parse(page)
    region = report.regions[0]
    failing = [a for a in report.assessments if a.community.code in region.communities]
    hidden = sum(1 for a in failing if a.failing) - 2
    assert f"另有{hidden}个社区未达标" in page
