"""Large reports list the worst communities: a run read in batches keeps the N communities
that fail the most community-level targets (ties: the lower code first), and the text,
Markdown and HTML reports give their findings from the scalar engine, saying what they left
out (issue 15, item 2)."""

from __future__ import annotations

import csv
import html
import io
import itertools
import json
import pathlib
import random
import re
from typing import Any, Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cssp
from cssp.testing.strategies import community_lists
from helpers import run_cssp

np = pytest.importorskip("numpy")

from cssp.batch.stream import StreamRun, evaluate_stream  # noqa: E402
from cssp.report import render_report  # noqa: E402
from cssp.report._markdown import escape as markdown_escape  # noqa: E402

REAL: Final = pathlib.Path(__file__).parent / "data" / "real"


def _written(text: str, format: str) -> str:
    """``text`` as the report of ``format`` writes it (escaped)."""
    if format == "html":
        return html.escape(text, quote=True)
    if format == "markdown":
        return markdown_escape(text)
    return text


def _worst_of(assessments: Any, n: int) -> list[Any]:
    """The reference: the n worst of every community's scalar assessment."""
    failing = [a for a in assessments if a.failing]
    return sorted(failing, key=lambda a: (-len(a.failing), a.community.key))[:n]


@settings(max_examples=80, deadline=None)
@given(
    communities=community_lists(max_size=14),
    cuts=st.lists(st.integers(1, 14), max_size=4),
    n=st.integers(0, 6),
    order=st.randoms(use_true_random=False),
)
def test_the_worst_are_the_scalar_engines_whatever_the_batches_and_the_order(
    communities: list[Any], cuts: list[int], n: int, order: random.Random
) -> None:
    whole = cssp.evaluate_region(communities, profiles=()).assessments
    expected = _worst_of(whole, n)
    failing = sum(1 for a in whole if a.failing)
    assert len(expected) == min(n, failing)
    shuffled = list(communities)
    order.shuffle(shuffled)
    edges = sorted({0, len(shuffled), *(c for c in cuts if c < len(shuffled))})
    batches = [shuffled[a:b] for a, b in itertools.pairwise(edges)]
    run = StreamRun(profiles=(), worst=n)
    for batch in batches:
        run.add(batch)
    assert list(run.worst()) == expected  # the same communities and findings, worst first
    if communities:
        summary = run.result().report("county").summary
        assert summary is not None
        assert list(summary.worst) == expected
        assert summary.failing == failing


def test_the_run_keeps_no_more_than_asked() -> None:
    communities = cssp.load_sample()
    run = StreamRun(profiles=(), worst=3)
    for first in range(0, len(communities), 4):
        run.add(communities[first : first + 4])
        assert len(run.worst()) <= 3
    whole = cssp.evaluate_region(communities, profiles=())
    assert list(run.worst()) == _worst_of(whole.assessments, 3)
    summary = evaluate_stream([communities], profiles=()).report("county").summary
    assert summary is not None
    assert summary.worst == ()
    with pytest.raises(ValueError, match="worst must not be negative"):
        StreamRun(profiles=(), worst=-1)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_report_lists_the_worst_and_says_what_it_left_out(lang: str) -> None:
    communities = cssp.load_sample()
    whole = cssp.evaluate_region(communities, profiles=())
    expected = _worst_of(whole.assessments, 4)
    report = evaluate_stream([communities[:20], communities[20:]], profiles=(), worst=4).report(
        "county"
    )
    failing = sum(1 for a in whole.assessments if a.failing)
    heading = (
        f"未达标项最多的社区（{failing}个未达标社区中的4个）"
        if lang == "zh"
        else f"Communities failing the most targets (4 of the {failing} that fail)"
    )
    note = (
        f"本报告只列出区域和未达标项最多的4个社区：{len(communities)}个社区中{failing}个至少有一项"
        "未达标，其余社区的评估结果未列出（请用 --format json-compact 或 jsonl 查看全部）。"
        if lang == "zh"
        else f"This report lists regions and the 4 communities that fail the most targets: "
        f"{failing} of {len(communities)} communities fail at least one target; the other "
        "communities' findings are left out (see them all with --format json-compact or jsonl)."
    )
    for format in ("text", "markdown", "html"):
        page = render_report(report, format, lang=lang)
        assert _written(heading, format) in page, format
        assert _written(note, format) in page, format
        part = page[page.index(_written(heading, format)) :]
        codes = [a.community.code for a in expected]
        positions = [part.index(code) for code in codes]
        assert positions == sorted(positions), format  # worst first
        for a in expected:
            for f in a.failing:
                assert _written(f.explain(lang), format) in part, (format, f.target.id)
    # without the worst, the report says it lists regions only (and the page never says that
    # every community meets every target)
    bare = evaluate_stream([communities], profiles=()).report("county")
    for format in ("text", "markdown", "html"):
        page = render_report(bare, format, lang=lang)
        assert heading not in page
        alone = "本报告只列出区域：" if lang == "zh" else "This report lists regions only:"
        assert _written(alone, format) in page
        assert "所有社区均达标" not in page
        assert "Every community meets every target" not in page


# --- a real-shaped file through the command ---------------------------------------------------


def _real_shaped(folder: pathlib.Path) -> pathlib.Path:
    """The ledger's own headers and GB18030 (tests/data/real/ledger.csv), with the 42 real
    village-level codes of bureau_codes.csv, figures written as people write them and gaps."""
    header = (REAL / "ledger.csv").read_bytes().decode("gb18030").splitlines()[0].split(",")
    bureau = list(csv.reader(io.StringIO((REAL / "bureau_codes.csv").read_text("utf-8"))))[1:]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for n, (code, name, klass) in enumerate(bureau, 1):
        households = 150 + 37 * n
        floor = 0 if n % 6 == 0 else households * (n % 4 + 1) // 4
        cells = [
            str(n), code, name, "", "", "", klass, "",  # the kind: from the code
            f"约{households}户" if n % 11 == 0 else str(households),  # some blocks by rows
            "" if n % 7 == 0 else str(households * 3),
            str(n % 9), str(floor) if floor else "",  # a gap: not given
            str(floor * (50 + n % 20) // 100) if floor else "",
            str(floor // 10) if floor else "",
            f"https://example.org/r{n:02d}",
        ]  # fmt: skip
        writer.writerow(cells)
    path = folder / "台账.csv"
    path.write_bytes(out.getvalue().encode("gb18030"))
    (folder / "ledger.columns.toml").write_bytes((REAL / "ledger.columns.toml").read_bytes())
    return path


def test_a_real_shaped_ledger_streamed_lists_the_worst_of_the_scalar_report(
    tmp_path: pathlib.Path,
) -> None:
    path = _real_shaped(tmp_path)
    common = [path.name, "--columns", "ledger.columns.toml", "--no-plugins", "--by", "county"]
    done = run_cssp("evaluate", *common, "--engine", "scalar", "--format", "json", "-o",
                    "all.json", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    document = json.loads((tmp_path / "all.json").read_text("utf-8"))
    unmet = {
        c["community"]["code"]: [f for f in c["findings"] if f["status"] == "not_met"]
        for c in document["communities"]
    }
    ranked = sorted((code for code in unmet if unmet[code]), key=lambda c: (-len(unmet[c]), c))
    assert len(ranked) > 5
    patterns = {
        "text": r"^    (\d{12}) ",
        "markdown": r"^- \*\*(\d{12})\*\*",
        "html": r'<span class="code">(\d{12})</span>',
    }
    for lang, (format, pattern) in itertools.product(("zh", "en"), patterns.items()):
        target = f"worst.{lang}.{format}"
        done = run_cssp("evaluate", *common, "--engine", "batch", "--batch-rows", "5",
                        "--format", format, "--worst", "5", "--lang", lang, "-o", target,
                        cwd=tmp_path)  # fmt: skip
        assert done.returncode == 0, done.stderr
        page = (tmp_path / target).read_text("utf-8")
        heading = (
            f"未达标项最多的社区（{len(ranked)}个未达标社区中的5个）"
            if lang == "zh"
            else f"Communities failing the most targets (5 of the {len(ranked)} that fail)"
        )
        assert _written(heading, format) in page
        part = page[page.index(_written(heading, format)) :]
        assert re.findall(pattern, part, re.MULTILINE)[:5] == ranked[:5], (lang, format)
        for code in ranked[:5]:
            for finding in unmet[code]:
                text = _written(finding["explanation"][lang], format)
                assert text in part, (lang, format, code, finding["target"])
        told = (
            "其余社区的评估结果未列出（请用 --format json-compact 或 jsonl 查看全部）"
            if lang == "zh"
            else "the other communities' findings are left out (see them all with --format "
            "json-compact or jsonl)"
        )
        assert _written(told, format) in page
    done = run_cssp("evaluate", *common, "--worst", "many", cwd=tmp_path)
    assert done.returncode == 2
    assert "expected a number of communities, not 'many'" in done.stderr


def test_a_large_input_to_html_is_streamed(tmp_path: pathlib.Path, monkeypatch: Any) -> None:
    """--engine auto reads a large input in batches for HTML too (the stream's threshold is
    lowered here), and the page counts every community."""
    from cssp import evaluating
    from cssp.cli import main

    path = _real_shaped(tmp_path)
    monkeypatch.setattr(evaluating, "STREAM_BYTES", 1)
    monkeypatch.chdir(tmp_path)
    args = [path.name, "--columns", "ledger.columns.toml", "--no-plugins", "--format", "html"]
    assert main(["evaluate", *args, "--lang", "en", "-o", "auto.html"]) == 0
    assert main(["evaluate", *args, "--engine", "scalar", "--lang", "en", "-o", "all.html"]) == 0
    streamed = (tmp_path / "auto.html").read_text("utf-8")
    whole = (tmp_path / "all.html").read_text("utf-8")
    assert "Communities failing the most targets" in streamed
    assert "Communities failing the most targets" not in whole
    kpis = re.compile(r'<div class="kpis">.*?</header>', re.DOTALL)
    assert kpis.findall(streamed) == kpis.findall(whole)  # regions and counts: the same


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_streamed_html_page_draws_the_statuses_of_the_communities_and_says_what_it_left_out(
    tmp_path: pathlib.Path, monkeypatch: Any, lang: str
) -> None:
    """The chart of every community's status on each target is added up from the regions'
    counts when the page is streamed: the same chart as the page made from every community.
    The spread of the values needs each community's values: left out, and said."""
    from cssp import evaluating
    from cssp.cli import main

    path = _real_shaped(tmp_path)
    monkeypatch.setattr(evaluating, "STREAM_BYTES", 1)
    monkeypatch.chdir(tmp_path)
    args = [path.name, "--columns", "ledger.columns.toml", "--no-plugins", "--format", "html"]
    assert main(["evaluate", *args, "--lang", lang, "-o", "auto.html"]) == 0
    assert main(["evaluate", *args, "--engine", "scalar", "--lang", lang, "-o", "all.html"]) == 0
    streamed = (tmp_path / "auto.html").read_text("utf-8")
    whole = (tmp_path / "all.html").read_text("utf-8")
    section = re.compile(r'<section id="communities">.*?</section>', re.DOTALL)
    stacked = re.compile(r'<figure class="wide">.*?</figure>', re.DOTALL)
    (ours,), (theirs,) = section.findall(streamed), section.findall(whole)
    assert stacked.findall(ours) == stacked.findall(theirs)
    assert len(stacked.findall(ours)) == 1
    assert theirs.count("<figure") > 1
    assert ours.count("<figure") == 1
    said = "不绘制数值分布图" if lang == "zh" else "the charts of their spread are left out"
    assert said in ours
    assert said not in theirs


def test_batches_read_into_columns_give_the_same_worst(tmp_path: pathlib.Path) -> None:
    """A clean CSV read block by block straight into columns (no Community objects): the
    worst communities are built by the reader only for those kept, and equal the reference."""
    from cssp.batch.blocks import block_frame
    from cssp.batch.frame import Frame
    from cssp.io.readers import read_input
    from cssp.io.readers.stream import InputStream

    path = tmp_path / "n.csv"
    done = run_cssp("synth", "--scale", "0.0005", "--seed", "3", "-o", str(path))
    assert done.returncode == 0, done.stderr
    run = StreamRun(profiles=(), worst=7)
    kinds = set()
    for batch in InputStream(path, batch_rows=40, columnar=block_frame):
        kinds.add(type(batch))
        run.add(batch)
    assert Frame in kinds  # the column path was taken
    whole = cssp.evaluate_region(read_input([path]).communities, profiles=())
    assert list(run.worst()) == _worst_of(whole.assessments, 7)


def test_a_parquet_file_read_by_columns_lists_the_same_worst_as_its_csv(
    tmp_path: pathlib.Path,
) -> None:
    """The Parquet path reads no Community: the worst rows are read again from the file
    (a row group at a time) and give the streamed CSV's list, in every read format."""
    for name in ("n.csv", "n.parquet"):
        done = run_cssp("synth", "--scale", "0.001", "--seed", "5", "-o", name, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    for format in ("text", "markdown", "html"):
        pages = []
        for name in ("n.csv", "n.parquet"):
            out = f"{name}.{format}"
            done = run_cssp("evaluate", name, "--engine", "batch", "--format", format,
                            "--worst", "4", "--no-plugins", "-o", out, cwd=tmp_path)  # fmt: skip
            assert done.returncode == 0, done.stderr
            page = (tmp_path / out).read_text("utf-8").replace(name, "FILE")
            pages.append(re.sub(r"SHA-256 [0-9a-f]+", "SHA-256 …", page))  # the files differ
        heading = "未达标项最多的社区"
        assert heading in pages[1], format
        assert pages[0][pages[0].index(heading) :] == pages[1][pages[1].index(heading) :]
