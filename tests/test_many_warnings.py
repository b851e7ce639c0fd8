"""Many warnings of one kind: kept within a bound, counted, and shown a few of a kind.

A province's ledger classes its villages 111 (主城区), as the bureau's lists
do: every village is then warned about. Reading keeps the first
``WARNINGS_KEPT`` of a kind and counts the rest; the command and the text,
Markdown and HTML reports show ``WARNINGS_SHOWN`` of a kind and say how many
more there are; the JSON documents list the kept ones and the counts.
"""

from __future__ import annotations

import gc
import itertools
import json
import math
import pathlib
import re
from collections.abc import Sequence
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cssp
from cssp.io.readers import read_input
from cssp.io.readers.stream import InputStream
from cssp.model import notes as notes_module
from cssp.model.notes import (
    WARNING_KINDS,
    WARNINGS_KEPT,
    WARNINGS_SHOWN,
    InputNotes,
    Note,
    WarningTally,
    shown_warnings,
)
from cssp.report import render_report, report_to_dict
from helpers import run_cssp

np = pytest.importorskip("numpy")

from cssp.batch.blocks import block_frame  # noqa: E402
from cssp.synth import nation  # noqa: E402

CLASS = "the urban-rural class 111 (主城区: 城镇, urban) disagrees with its kind"
UNLISTED = "130631204"  # a township no longer in the 2022 division list
HEADER = "统计用区划代码,名称,城乡分类代码,户数,常住人口,综合服务设施建筑面积"


def _first_per_kind(notes: Sequence[Note], keep: int) -> tuple[list[Note], dict[str, int]]:
    """The first ``keep`` notes of each kind, in order, and how many of each kind are left."""
    kept: list[Note] = []
    seen: dict[str, int] = {}
    for note in notes:
        seen[note.group] = seen.get(note.group, 0) + 1
        if seen[note.group] <= keep:
            kept.append(note)
    return kept, {kind: count - keep for kind, count in seen.items() if count > keep}


# --- a real-shaped province ledger through the command ------------------------------------


class Ledger:
    """A ledger of ~2,000 communities in GB18030, Chinese headers, every row classed 111."""

    def __init__(self, folder: pathlib.Path) -> None:
        columns = nation(0.003, seed=11)
        codes = [str(code) for code in columns["code"].tolist()]
        codes += [f"{UNLISTED}{200 + i:03d}" for i in range(150)]  # at the end
        households = [*columns["households"].tolist(), *([300.0] * 150)]
        population = [*columns["population"].tolist(), *([900.0] * 150)]
        area = [*columns["facility_floor_area"].tolist(), *([math.nan] * 150)]
        self.rows: list[tuple[int, str, str]] = []  # (row, code, name)
        lines = [HEADER]
        for index, code in enumerate(codes):
            rural = int(code[9:]) >= 200
            name = f"示例{index}{'村委会' if rural else '社区居委会'}"
            if index in (3, 40, 41):
                name += " [已撤销]"
            cells = [code, name, "111"]
            for value in (households[index], population[index], area[index]):
                cells.append("" if math.isnan(value) else f"{value:g}")  # gaps, as ledgers have
            lines.append(",".join(cells))
            self.rows.append((index + 2, code, name))
        self.path = folder / "省台账.csv"
        self.path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
        self.name = self.path.name
        self.rural = [(row, code) for row, code, _ in self.rows if int(code[9:]) >= 200]
        self.revoked = [(row, name) for row, _, name in self.rows if "已撤销" in name]
        self.unlisted = [(row, code) for row, code, _ in self.rows if code.startswith(UNLISTED)]

    def expected_stderr(self, document: bool) -> list[str]:
        """The warnings the command prints: 5 of a kind, then the count of the others."""
        listed = "; the JSON document lists the first 100" if document else ""
        out = [
            f"cssp: warning: {self.name}: row {row}, column 城乡分类代码: {CLASS}: "
            f"a rural community by its code {code}"
            for row, code in self.rural[:WARNINGS_SHOWN]
        ]
        out.append(
            f"cssp: warning: {len(self.rural) - WARNINGS_SHOWN:,} more of this kind not shown"
            + listed
        )
        out += [
            f"cssp: warning: {self.name}: row {row}, column 统计用区划代码: the name {name!r} "
            "says the unit is revoked (已撤销)"
            for row, name in self.revoked
        ]
        out += [
            f"cssp: warning: {self.name}: row {row}, column 统计用区划代码: township {UNLISTED} "
            "is not in the division list (2022 edition of 统计用区划代码): a division revoked, "
            "merged or renamed, or a code never issued"
            for row, _ in self.unlisted[:WARNINGS_SHOWN]
        ]
        out.append(
            f"cssp: warning: {len(self.unlisted) - WARNINGS_SHOWN:,} more of this kind not shown"
            + listed
        )
        return out


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    return Ledger(tmp_path_factory.mktemp("ledger"))


_RUNS: dict[tuple[str, ...], tuple[str, str]] = {}


def _evaluate(ledger: Ledger, *options: str) -> tuple[str, str]:
    """``cssp evaluate`` of the ledger (once for each set of options): the output and stderr."""
    if options not in _RUNS:
        output = ledger.path.parent / f"out{len(_RUNS)}"
        done = run_cssp(  # by province: documents of a few MB, quick to check
            "evaluate",
            ledger.name,
            "--by",
            "province",
            *options,
            "-o",
            output.name,
            cwd=ledger.path.parent,
        )
        assert done.returncode == 0, done.stderr
        _RUNS[options] = (output.read_text("utf-8"), done.stderr)
    return _RUNS[options]


def test_the_ledger_is_what_it_says(ledger: Ledger) -> None:
    assert len(ledger.rows) > 1500
    assert len(ledger.rural) > WARNINGS_KEPT  # beyond the bound
    assert WARNINGS_SHOWN < len(ledger.unlisted) - WARNINGS_KEPT < WARNINGS_KEPT
    assert 0 < len(ledger.revoked) < WARNINGS_SHOWN  # all shown, no count line
    assert ledger.path.read_bytes().decode("gb18030").startswith(HEADER)


@pytest.mark.parametrize(
    "options",
    [
        ("--format", "json-compact"),  # read in batches, row by row
        ("--format", "json", "--no-members", "--engine", "batch"),  # blocks into columns
        ("--format", "json", "--no-members", "--engine", "scalar"),  # read whole
    ],
    ids=["json-compact", "columnar", "scalar"],
)
def test_the_command_shows_five_of_a_kind_and_the_document_lists_the_first_hundred(
    ledger: Ledger, options: tuple[str, ...], check_schema: Any
) -> None:
    text, stderr = _evaluate(ledger, *options)
    assert stderr.splitlines() == ledger.expected_stderr(document=True)
    document = json.loads(text)
    check_schema("compact" if "json-compact" in options else "report", document)
    said = document["input"]
    classes = [w for w in said["warnings"] if w["kind"] == "class_disagrees"]
    assert [w["where"] for w in classes] == [
        f"{ledger.name}: row {row}, column 城乡分类代码" for row, _ in ledger.rural[:WARNINGS_KEPT]
    ]
    assert [w["kind"] for w in said["warnings"]] == (
        ["class_disagrees"] * WARNINGS_KEPT
        + ["revoked_name"] * len(ledger.revoked)
        + ["division_unlisted"] * WARNINGS_KEPT
    )
    assert said["warnings_left_out"] == [
        {"kind": "class_disagrees", "count": len(ledger.rural) - WARNINGS_KEPT},
        {"kind": "division_unlisted", "count": len(ledger.unlisted) - WARNINGS_KEPT},
    ]


def test_quiet_leaves_the_warnings_out_of_standard_error_but_not_out_of_the_document(
    ledger: Ledger,
) -> None:
    text, stderr = _evaluate(ledger, "--format", "json", "--no-members", "--engine", "batch", "-q")
    assert stderr == ""
    loud, _ = _evaluate(ledger, "--format", "json", "--no-members", "--engine", "batch")
    assert json.loads(text)["input"] == json.loads(loud)["input"]


def test_every_engine_says_the_same(ledger: Ledger) -> None:
    inputs = [
        json.loads(_evaluate(ledger, *options)[0])["input"]
        for options in [
            ("--format", "json-compact"),
            ("--format", "json", "--no-members", "--engine", "batch"),
            ("--format", "json", "--no-members", "--engine", "scalar"),
        ]
    ]
    assert inputs[0] == inputs[1] == inputs[2]


def test_a_report_that_is_no_json_document_says_nothing_of_one(ledger: Ledger) -> None:
    text, stderr = _evaluate(ledger, "--format", "text", "--lang", "en")
    assert stderr.splitlines() == ledger.expected_stderr(document=False)
    section = text.split("\nWarnings about the input\n")[1].split("\n\n")[0].splitlines()
    expected = [line.removeprefix("cssp: warning: ") for line in ledger.expected_stderr(False)]
    counts = {
        len(ledger.rural) - WARNINGS_SHOWN: "class",
        len(ledger.unlisted) - WARNINGS_SHOWN: "unlisted",
    }
    for count in counts:
        more = f"{count:,} more of this kind not shown"
        expected[expected.index(more)] = f"… and {count:,} more warnings of this kind, not listed"
    assert section == [f"  {line}" for line in expected]


def test_the_html_report_lists_five_of_a_kind(ledger: Ledger) -> None:
    page, _ = _evaluate(ledger, "--format", "html", "--lang", "zh")
    section = page.split("<h2>输入提示</h2>")[1].split("</section>")[0]
    items = re.findall(r"<li>(.*?)</li>", section)
    assert len(items) == 2 * WARNINGS_SHOWN + len(ledger.revoked) + 2
    assert items[WARNINGS_SHOWN] == f"……另有{len(ledger.rural) - WARNINGS_SHOWN:,}条同类提示未列出"
    assert items[-1] == f"……另有{len(ledger.unlisted) - WARNINGS_SHOWN:,}条同类提示未列出"
    assert sum("城乡分类代码: the urban-rural class 111" in item for item in items) == 5


def test_validate_counts_every_warning(ledger: Ledger) -> None:
    done = run_cssp("validate", ledger.name, cwd=ledger.path.parent)
    warned = len(ledger.rural) + len(ledger.revoked) + len(ledger.unlisted)
    assert f": {warned} warnings\n" in done.stdout
    assert done.stderr.splitlines() == ledger.expected_stderr(document=False)
    done = run_cssp("validate", ledger.name, "--format", "json", cwd=ledger.path.parent)
    assert done.stderr.splitlines() == ledger.expected_stderr(document=True)
    said = json.loads(done.stdout)["input"]
    kept = len(said["warnings"]) + sum(item["count"] for item in said["warnings_left_out"])
    assert kept == warned


# --- the rule, property-tested -------------------------------------------------------------

_KINDS = st.sampled_from(["", *WARNING_KINDS])


@st.composite
def _notes(draw: st.DrawFn) -> list[Note]:
    kinds = draw(st.lists(_KINDS, max_size=60))
    words = st.sampled_from(["a", "b", "c"])
    return [
        Note(f"f.csv: row {index + 2}", draw(words) if not kind else f"m{index}", kind)
        for index, kind in enumerate(kinds)
    ]


@settings(max_examples=300, deadline=None)
@given(notes=_notes(), keep=st.integers(1, 6), cuts=st.lists(st.integers(0, 60), max_size=5))
def test_a_tally_keeps_the_first_of_each_kind_however_the_notes_come(
    notes: list[Note], keep: int, cuts: list[int]
) -> None:
    """Notes added in parts, each part's tally merged in turn, or added one by one: the
    first ``keep`` of each kind (a note without a kind: its message is its kind)."""
    whole = WarningTally(keep)
    whole.extend(notes)
    merged = WarningTally(keep)
    bounds = [0, *sorted(cuts), len(notes)]
    for start, end in itertools.pairwise(bounds):
        part = WarningTally(keep)
        part.extend(notes[start:end])
        merged.merge(part)
    kept, left = _first_per_kind(notes, keep)
    for tally in (whole, merged):
        assert list(tally.warnings) == kept
        assert dict(tally.left_out) == left
        assert len(tally.warnings) + sum(count for _, count in tally.left_out) == len(notes)
    shown = list(
        shown_warnings(
            InputNotes(warnings=whole.warnings, warnings_left_out=tuple(left.items())), 2
        )
    )
    assert [note for note, _ in shown] == _first_per_kind(notes, min(keep, 2))[0]
    assert sum(more for _, more in shown) + len(shown) == len(notes)


# Rows of a CSV, each with what it warns of (several kinds, interleaved).
_ROW = st.tuples(
    st.sampled_from(["111", "220", ""]),  # a class: 111 on a village, 220 on a town, disagree
    st.booleans(),  # a name that says 已撤销
    st.booleans(),  # under a township the division list lacks
    st.booleans(),  # a village (rural) code
)


def _csv(rows: list[tuple[str, bool, bool, bool]]) -> str:
    lines = ["code,name,urban_rural_class,households"]
    for index, (klass, revoked, unlisted, rural) in enumerate(rows):
        township = UNLISTED if unlisted else "440983102"
        code = f"{township}{(200 if rural else 1) + index:03d}"
        lines.append(f"{code},{'村 [已撤销]' if revoked else '社区'},{klass},100")
    return "\n".join(lines) + "\n"


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(_ROW, min_size=1, max_size=150),
    keep=st.integers(1, 4),
    batch_rows=st.integers(1, 40),
    columnar=st.booleans(),
)
def test_streamed_notes_are_the_first_of_each_kind_of_the_whole_list(
    tmp_path: pathlib.Path,
    rows: list[tuple[str, bool, bool, bool]],
    keep: int,
    batch_rows: int,
    columnar: bool,
) -> None:
    """However the input is cut into batches (and whether blocks are read into columns), the
    streamed notes are the first ``keep`` of each kind of every warning read_input gives
    unbounded, and the counts add up: streaming equals reading in one batch."""
    path = tmp_path / "rows.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(notes_module, "WARNINGS_KEPT", 10**9)
        every = read_input(path).notes.warnings
        patch.setattr(notes_module, "WARNINGS_KEPT", keep)
        stream = InputStream(
            path, batch_rows=batch_rows, columnar=block_frame if columnar else None
        )
        for _ in stream:
            pass
        whole = read_input(path).notes
    kept, left = _first_per_kind(every, keep)
    assert list(stream.notes.warnings) == kept
    assert dict(stream.notes.warnings_left_out) == left
    assert stream.notes.warning_count == len(every)
    assert stream.notes == whole  # read whole, the same bound


# --- memory: the Note objects alive stay bounded ------------------------------------------


def _live_notes() -> int:
    gc.collect()
    return sum(1 for thing in gc.get_objects() if type(thing) is Note)


def test_a_stream_warned_about_on_every_row_keeps_a_bounded_number_of_notes(
    tmp_path: pathlib.Path,
) -> None:
    """20,000 rows, each with two warnings: the notes alive while the stream is read, and
    those it keeps, do not grow with the input (no wall clock, no RSS: objects counted)."""
    rows = 20_000
    path = tmp_path / "all_warned.csv"
    lines = ["code,name,urban_rural_class"]
    # villages (rural: 200-399) classed 111 and named revoked, 200 under each of 100 townships
    townships = sorted({str(c)[:9] for c in nation(0.01, seed=2)["code"].tolist()})
    for index in range(rows):
        lines.append(f"{townships[index // 200]}{200 + index % 200:03d},村 [已撤销],111")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    batch = 500
    before = _live_notes()
    stream = InputStream(path, batch_rows=batch)
    alive = []
    for number, _ in enumerate(stream):
        if number % 8 == 0:
            alive.append(_live_notes() - before)
    alive.append(_live_notes() - before)
    assert stream.notes.warning_count == 2 * rows  # every warning counted
    assert len(stream.notes.warnings) == 2 * WARNINGS_KEPT  # two kinds, the bound of each
    assert max(alive) <= 2 * WARNINGS_KEPT + 2 * batch  # the kept, and one batch's own
    assert alive[-1] == 2 * WARNINGS_KEPT


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(cssp.InputError, match="'class' is not a kind of warning"):
        Note("f.csv: row 2", "text", "class")


def test_the_json_report_of_the_api_lists_the_counts(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(_csv([("111", False, False, True)]), encoding="utf-8")
    result = read_input(path)
    report = cssp.evaluate_region(result.communities, profiles=())
    report = attrs.evolve(
        report,
        input=InputNotes(
            warnings=result.notes.warnings, warnings_left_out=(("class_disagrees", 7),)
        ),
    )
    said = report_to_dict(report)["input"]
    assert said["warnings_left_out"] == [{"kind": "class_disagrees", "count": 7}]
    markdown = render_report(report, "markdown", lang="en")
    assert "- … and 7 more warnings of this kind, not listed" in markdown
