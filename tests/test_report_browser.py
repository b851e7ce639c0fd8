"""The HTML report in a real browser: it fits the screen, the phone and the A4 page.

Chromium from the distribution's packages (``make browser`` installs it as
root: ``chromium``, ``chromium-driver``, ``fonts-noto-cjk``, ``poppler-utils``),
driven by Selenium, opens each report at 1280 and 390 pixels: the page never
scrolls sideways, every table header is on screen (on a phone every cell
carries its header), and the overview's headers stay in view while its rows
scroll. Chromium's own ``--print-to-pdf`` prints it: A4 pages, each with the
report's title and "page n of N", and no chart cut by a page break (read from
the PDF's structure tree, where each chart is a Figure).

Screenshots, the PDFs and their pages as PNG images are kept as artefacts in
``artefacts/browser/`` (or ``$CSSP_ARTEFACTS/browser``), for a person to look at.
Without Chromium, its driver or poppler's tools, every test here skips and says
which is missing.
"""

from __future__ import annotations

import base64
import datetime
import os
import pathlib
import re
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any, Final

import pytest

import cssp
import cssp.synth
from cssp.batch.stream import evaluate_stream
from cssp.io import SourceFile
from cssp.report import ReportSource, render_report

REPO_ROOT: Final = pathlib.Path(__file__).resolve().parents[1]
ARTEFACTS: Final = pathlib.Path(os.environ.get("CSSP_ARTEFACTS", REPO_ROOT / "artefacts"))
PLUGINS: Final = REPO_ROOT / "plugins"
PROFILES: Final = tuple(
    PLUGINS / f"cssp-{name}" / f"cssp_{name}" / "profile.toml"
    for name in ("guangdong", "hubei", "jiangsu")
)
TOOLS: Final = ("chromium", "chromedriver", "pdfinfo", "pdftotext", "pdftoppm")
MISSING: Final = [tool for tool in TOOLS if shutil.which(tool) is None]

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
except ImportError:  # pragma: no cover - selenium is a dev dependency
    MISSING.append("selenium (pip)")

pytestmark = pytest.mark.skipif(
    bool(MISSING),
    reason=f"needs {', '.join(MISSING)}: run 'make browser' as root (apt-get install chromium "
    "chromium-driver fonts-noto-cjk poppler-utils)",
)

#: The widths a report is read at: a laptop, and a phone.
WIDE: Final = 1280
PHONE: Final = 390
#: The width of A4 inside the print stylesheet's margins (210 mm - 2 x 12 mm), in CSS pixels.
A4_CONTENT: Final = round((210 - 24) / 25.4 * 96)
DATE: Final = datetime.date(2025, 3, 4)


# --- the reports -------------------------------------------------------------------------


def _source(name: str, rows: int) -> ReportSource:
    files = (SourceFile(name, rows, 0, "5" * 64),)
    return ReportSource(files, f"cssp evaluate {name} --format html -o report.html", DATE)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pathlib.Path]:
    """The reports opened: four counties (Chinese, English), 31 provinces, 157 counties."""
    folder = tmp_path_factory.mktemp("reports")
    profiles = [cssp.load_profile(path) for path in PROFILES]
    sample = cssp.load_sample()
    nation = cssp.synth.communities(0.0005, seed=1)  # some 300 communities, in every province
    north = [c for c in cssp.synth.communities(0.003, seed=1) if c.code[:2] in ("13", "14", "15")]
    made = {
        "counties-4": (cssp.evaluate_region(sample, by="county", profiles=profiles), "zh"),
        "counties-4-en": (cssp.evaluate_region(sample, by="county", profiles=profiles), "en"),
        "provinces-31": (cssp.evaluate_region(nation, by="province", profiles=profiles), "zh"),
        "counties-157": (cssp.evaluate_region(north, by="county", profiles=profiles), "zh"),
        # a large input as cssp evaluate reads it in batches: regions, the worst communities
        "streamed-157": (
            evaluate_stream(
                (north[k : k + 100] for k in range(0, len(north), 100)),
                profiles=profiles,
                worst=100,
            )
            .report("county")
            .with_members(100),
            "zh",
        ),
    }
    paths = {}
    for name, (report, lang) in made.items():
        assert name != "counties-157" or len(report.regions) > 100
        assert name != "provinces-31" or len(report.regions) == 31
        path = folder / f"{name}.html"
        rows = report.summary.communities if report.summary else len(report.assessments)
        page = render_report(report, "html", lang=lang, source=_source(f"{name}.csv", rows))
        path.write_text(page, encoding="utf-8")
        paths[name] = path
    return paths


def _artefacts() -> pathlib.Path:
    folder = ARTEFACTS / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# --- the browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(shutil.which("chromium"))
    profile = tmp_path_factory.mktemp("chromium-profile")
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    driver.set_page_load_timeout(180)
    try:
        yield driver
    finally:
        driver.quit()


def _open(driver: Any, path: pathlib.Path, width: int, *, media: str = "screen") -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": media})
    driver.get(path.as_uri())
    driver.execute_script("window.scrollTo(0, 0)")


def _screenshot(driver: Any, name: str, y: float = 0, height: int = 1400) -> None:
    width = driver.execute_script("return window.innerWidth")
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": y, "width": width, "height": height, "scale": 1},
        },
    )
    (_artefacts() / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


_OVERFLOW: Final = """
const limit = document.documentElement.clientWidth + 1;
const out = [];
for (const el of document.querySelectorAll('body *')) {
  if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
  if (el.closest('thead') && getComputedStyle(el.closest('thead')).position === 'absolute')
    continue;  // the phone layout hides the header row; each cell carries its header
  const r = el.getBoundingClientRect();
  if (r.width > 0 && r.right > limit) out.push(el.tagName + '.' + el.className + ' ' + r.right);
}
return out.slice(0, 10);
"""

_HEADERS: Final = """
const width = document.documentElement.clientWidth;
const out = [];
for (const th of document.querySelectorAll('thead th')) {
  const r = th.getBoundingClientRect();
  if (!(r.width > 0 && r.left >= -0.5 && r.right <= width + 0.5))
    out.push(th.textContent.slice(0, 30) + ' ' + r.left + '..' + r.right);
}
return [document.querySelectorAll('thead th').length, out.slice(0, 10)];
"""

_CRAMPED: Final = """
const out = [];
for (const cell of document.querySelectorAll('th, td')) {
  const head = cell.closest('thead');
  if (head && getComputedStyle(head).position === 'absolute') continue;  // hidden on a phone
  if (cell.scrollWidth > cell.clientWidth + 1)
    out.push(cell.textContent.slice(0, 30) + ' ' + cell.scrollWidth + '>' + cell.clientWidth);
}
return out.slice(0, 10);
"""

_LABELS: Final = """
const out = [];
let n = 0;
for (const cell of document.querySelectorAll('table.matrix td, table.cards td')) {
  if (cell.hasAttribute('colspan')) continue;
  n += 1;
  const label = cell.getAttribute('data-label');
  const shown = getComputedStyle(cell, '::before').content;
  if (!label || shown !== JSON.stringify(label)) out.push(cell.outerHTML.slice(0, 80));
}
return [n, out.slice(0, 10)];
"""


@pytest.mark.parametrize(
    "name", ["counties-4", "counties-4-en", "provinces-31", "counties-157", "streamed-157"]
)
def test_fits_a_wide_screen_with_every_header_on_it(
    browser: Any, reports: dict[str, pathlib.Path], name: str
) -> None:
    _open(browser, reports[name], WIDE)
    _screenshot(browser, f"{name}-{WIDE}-top")
    overview = browser.execute_script(
        "return document.getElementById('overview').getBoundingClientRect().top + scrollY"
    )
    _screenshot(browser, f"{name}-{WIDE}-overview", overview, 1600)
    scroll_width = browser.execute_script("return document.documentElement.scrollWidth")
    assert scroll_width <= WIDE, "the page scrolls sideways"
    assert browser.execute_script(_OVERFLOW) == []
    count, off_screen = browser.execute_script(_HEADERS)
    assert count > 0
    assert off_screen == []
    assert browser.execute_script(_CRAMPED) == [], "a cell's text does not fit its column"


@pytest.mark.parametrize("name", ["counties-4", "provinces-31", "counties-157", "streamed-157"])
def test_fits_a_phone_with_every_cell_labelled(
    browser: Any, reports: dict[str, pathlib.Path], name: str
) -> None:
    _open(browser, reports[name], PHONE)
    _screenshot(browser, f"{name}-{PHONE}-top", 0, 2400)
    overview = browser.execute_script(
        "return document.getElementById('overview').getBoundingClientRect().top + scrollY"
    )
    _screenshot(browser, f"{name}-{PHONE}-overview", overview, 2400)
    assert browser.execute_script("return document.documentElement.scrollWidth") <= PHONE
    assert browser.execute_script(_OVERFLOW) == []
    count, unlabelled = browser.execute_script(_LABELS)
    assert count > 0
    assert unlabelled == []
    assert browser.execute_script(_CRAMPED) == [], "a cell's text does not fit its card"


def test_the_overview_s_headers_stay_in_view(
    browser: Any, reports: dict[str, pathlib.Path]
) -> None:
    _open(browser, reports["provinces-31"], WIDE)
    top = browser.execute_script(
        """
        const table = document.querySelector('table.matrix');
        const row = table.tBodies[0].rows[20];
        window.scrollTo(0, row.getBoundingClientRect().top + scrollY);
        const th = table.tHead.rows[0].cells[1].getBoundingClientRect();
        return [th.top, th.bottom, row.getBoundingClientRect().top];
        """
    )
    header_top, header_bottom, row_top = top
    assert abs(header_top) <= 1, "the header scrolled away with the page"
    assert header_bottom > row_top  # it covers the rows scrolling under it
    _screenshot(
        browser, f"provinces-31-{WIDE}-sticky-header", browser.execute_script("return scrollY"), 900
    )


def test_fits_the_printed_page(browser: Any, reports: dict[str, pathlib.Path]) -> None:
    for name in ("counties-4", "provinces-31", "counties-157"):
        _open(browser, reports[name], A4_CONTENT, media="print")
        assert browser.execute_script("return document.documentElement.scrollWidth") <= (
            A4_CONTENT
        ), name
        assert browser.execute_script(_OVERFLOW) == [], name
        assert browser.execute_script(_CRAMPED) == [], name


# --- printed -----------------------------------------------------------------------------


def _print(path: pathlib.Path, pdf: pathlib.Path, home: pathlib.Path) -> None:
    command = [
        str(shutil.which("chromium")),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={home / 'profile'}",
        "--no-pdf-header-footer",  # the report prints its own running heads
        f"--print-to-pdf={pdf}",
        path.as_uri(),
    ]
    env = {**os.environ, "HOME": str(home)}
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=600, env=env, check=False
    )
    assert pdf.is_file(), f"no PDF; chromium said:\n{done.stdout}{done.stderr}"


def _pages(pdf: pathlib.Path) -> tuple[int, str]:
    info = subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]
    size = re.search(r"^Page size:\s+(.*)$", info, re.MULTILINE).group(1)  # type: ignore[union-attr]
    return pages, size


def _page_text(pdf: pathlib.Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout


def _figure_pages(pdf: pathlib.Path) -> list[set[int]]:
    """The pages each Figure of the PDF's structure tree (a chart, an SVG) has content on."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    reader = PdfReader(pdf)
    number = {
        page.indirect_reference.idnum: index + 1
        for index, page in enumerate(reader.pages)
        if page.indirect_reference is not None
    }

    def page_of(node: DictionaryObject, inherited: int | None) -> int | None:
        ref = node.raw_get("/Pg") if "/Pg" in node else None
        return number.get(ref.idnum, inherited) if isinstance(ref, IndirectObject) else inherited

    def content(node: Any, page: int | None, out: set[int]) -> None:
        node = node.get_object() if isinstance(node, IndirectObject) else node
        if isinstance(node, ArrayObject):
            for kid in node:
                content(kid, page, out)
        elif isinstance(node, DictionaryObject):
            page = page_of(node, page)
            if "/K" in node:
                content(node["/K"], page, out)
            elif "/MCID" in node and page is not None:
                out.add(page)
        elif isinstance(node, int) and page is not None:
            out.add(page)

    figures: list[set[int]] = []

    def walk(node: Any, page: int | None) -> None:
        node = node.get_object() if isinstance(node, IndirectObject) else node
        if isinstance(node, ArrayObject):
            for kid in node:
                walk(kid, page)
        elif isinstance(node, DictionaryObject):
            page = page_of(node, page)
            if node.get("/S") == "/Figure":
                found: set[int] = set()
                content(node.get("/K"), page, found)
                figures.append(found)
            if "/K" in node:
                walk(node["/K"], page)

    catalog = reader.trailer["/Root"].get_object()
    assert isinstance(catalog, DictionaryObject)
    assert "/StructTreeRoot" in catalog, "the PDF is not tagged: its structure cannot be read"
    walk(catalog["/StructTreeRoot"], None)
    return figures


@pytest.mark.parametrize(
    ("name", "title", "charts"),
    [
        ("counties-4", "城乡社区服务体系建设评估报告（2个省级行政区）", 23),
        ("provinces-31", "城乡社区服务体系建设评估报告（31个省级行政区）", 20),
        ("streamed-157", "城乡社区服务体系建设评估报告（3个省级行政区）", 29),
    ],
    ids=["counties-4", "provinces-31", "streamed-157"],
)
def test_prints_to_a_clean_a4_pdf(
    reports: dict[str, pathlib.Path], tmp_path: pathlib.Path, name: str, title: str, charts: int
) -> None:
    pdf = _artefacts() / f"{name}.pdf"
    pdf.unlink(missing_ok=True)
    _print(reports[name], pdf, tmp_path)
    pages, size = _pages(pdf)
    assert "(A4)" in size, size
    # the particulars and overview, then a page each for the charts, the communities,
    # the local standards and the failing communities at least; not more than the list needs
    assert 5 <= pages <= 400, pages
    for page in range(1, pages + 1):
        text = _page_text(pdf, page)
        assert f"第 {page} 页，共 {pages} 页" in text, f"page {page} has no page number"
        assert title in re.sub(r"\s+", "", text), f"page {page} has no title"
        assert "2025年3月4日" in text
    figures = _figure_pages(pdf)
    assert len(figures) >= 2 * charts  # each chart: its figure, and its SVG inside
    split = [sorted(found) for found in figures if len(found) > 1]
    assert split == [], f"charts cut by a page break, on pages {split}"
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-l", "12", str(pdf), str(_artefacts() / f"{name}-page")],
        check=True,
        timeout=300,
    )
