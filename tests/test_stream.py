"""The streaming path: any file read in batches as read_input reads it whole, batches
evaluated as one, and the command's streamed formats (json-compact, jsonl)."""

from __future__ import annotations

import importlib.util
import io
import itertools
import json
import pathlib
import subprocess
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import cssp
from cssp.errors import InputError
from cssp.io.readers import read_input
from cssp.io.readers.stream import InputStream
from cssp.testing.strategies import community_lists
from helpers import run_cssp

np = pytest.importorskip("numpy")

from cssp.batch.stream import StreamRun, evaluate_stream  # noqa: E402
from cssp.report import render_report  # noqa: E402
from cssp.report.compact import CompactWriter  # noqa: E402

_HERE = pathlib.Path(__file__).parent


def _fuzz_module() -> Any:
    """The file strategies of test_fuzz_readers (files of every format, good and bad)."""
    spec = importlib.util.spec_from_file_location("_fuzz_files", _HERE / "test_fuzz_readers.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_FILES = _fuzz_module().files
_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _outcome(read: Any) -> Any:
    try:
        return read()
    except InputError as error:
        return (type(error).__name__, str(error), error.problems)


def _streamed(path: pathlib.Path, batch_rows: int, **options: Any) -> Any:
    stream = InputStream(path, batch_rows=batch_rows, **options)
    communities = tuple(c for batch in stream for c in batch)
    if stream.repeated and options.get("skip_invalid"):
        stream = InputStream(path, batch_rows=batch_rows, exclude=stream.repeated, **options)
        communities = tuple(c for batch in stream for c in batch)
    return communities, stream.notes, stream.files


def _whole(path: pathlib.Path, **options: Any) -> Any:
    result = read_input(path, **options)
    return result.communities, result.notes, result.files


@_SETTINGS
@example(file=(".jsonl", b"\x00\x80"), batch_rows=1, skip=False, strict=False)  # GB18030 cut short
@example(file=(".csv", b"\xef"), batch_rows=1, skip=False, strict=False)  # a BOM cut short
@example(file=(".csv", b"a,b\n\xef\xbb"), batch_rows=1, skip=False, strict=False)
@example(file=(".csv", b'code\n"\r440106001001'), batch_rows=1, skip=False, strict=False)  # quote
@given(file=_FILES(), batch_rows=st.integers(1, 5), skip=st.booleans(), strict=st.booleans())
def test_a_file_streamed_is_the_file_read_whole(
    tmp_path: pathlib.Path, file: tuple[str, bytes], batch_rows: int, skip: bool, strict: bool
) -> None:
    suffix, data = file
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    options = {"skip_invalid": skip, "strict_codes": strict}
    assert _outcome(lambda: _streamed(path, batch_rows, **options)) == _outcome(
        lambda: _whole(path, **options)
    )


def test_a_code_met_twice_across_batches_is_named_as_read_input_names_it(
    tmp_path: pathlib.Path,
) -> None:
    path = tmp_path / "twice.csv"
    rows = [f"4401060010{n:02d},{100 + n}" for n in range(1, 8)]
    path.write_text("code,households\n" + "\n".join([*rows, rows[1], rows[5]]) + "\n")
    for skip in (False, True):
        for batch_rows in (1, 2, 3, 100):
            assert _outcome(lambda b=batch_rows, s=skip: _streamed(path, b, skip_invalid=s)) == (
                _outcome(lambda s=skip: _whole(path, skip_invalid=s))
            )


def _report_json(report: Any) -> str:
    return render_report(report, "json", include_communities=False)


@settings(max_examples=60, deadline=None)
@given(
    communities=community_lists(max_size=12),
    cuts=st.lists(st.integers(1, 12), max_size=4),
    by=st.sampled_from(("township", "county", "province", "nation")),
)
def test_batches_evaluated_as_one_are_the_scalar_report(
    communities: list[Any], cuts: list[int], by: str
) -> None:
    """k batches give the report of one batch, and the scalar engine's, to the byte."""
    scalar = cssp.evaluate_region(communities, by=by, profiles=())
    edges = sorted({0, len(communities), *(c for c in cuts if c < len(communities))})
    batches = [communities[a:b] for a, b in itertools.pairwise(edges)]
    streamed = evaluate_stream(batches, profiles=()).report(by)
    whole = evaluate_stream([communities], profiles=()).report(by)
    expected = _report_json(scalar.without_members() if not communities else scalar)
    if communities:
        assert _report_json(streamed) == _report_json(whole) == expected
    assert len(evaluate_stream(batches, profiles=(), keep=False)) == len(communities)


def test_a_run_without_verdicts_kept_has_the_same_regions() -> None:
    communities = cssp.load_sample()
    run = StreamRun(profiles=(), keep=False)
    for first in range(0, len(communities), 5):
        run.add(communities[first : first + 5])
    kept = evaluate_stream([communities], profiles=())
    assert run.result().report("county", members=False) == kept.report("county", members=False)
    assert run.failing() == kept.failing()


def test_the_compact_document_says_what_the_full_one_says(check_schema: Any) -> None:
    report = cssp.evaluate_region(cssp.load_sample(), by="province", profiles=())
    out = io.StringIO()
    writer = CompactWriter(out)
    writer.write(report.assessments)
    writer.close(report)
    document = json.loads(out.getvalue())
    check_schema("compact", document)
    full = json.loads(render_report(report, "json"))
    assert document["summary"] == full["summary"]
    by_code = {c["community"]["code"]: c for c in full["communities"]}
    for community in document["communities"]:
        findings = by_code[community["code"]]["findings"]
        assert len(findings) == len(community["findings"])
        for compact, finding in zip(community["findings"], findings, strict=True):
            target = document["targets"][compact[0]]
            assert target["id"] == finding["target"]
            assert compact[1:4] == [finding["status"], finding["observed"], finding["required"]]
            template = target["explanation"]["en"][finding["status"]]
            if compact[4] is not None:
                reason = document["reasons"][compact[4]]
                assert reason == finding["reason"]
                assert template.replace("{reason}", reason["en"]) == finding["explanation"]["en"]
    assert len(out.getvalue()) < len(render_report(report, "json")) / 5


# --- the command ------------------------------------------------------------------------


def _cssp(*args: str, cwd: pathlib.Path) -> subprocess.CompletedProcess[str]:
    return run_cssp(*args, cwd=cwd)


@pytest.fixture(scope="module")
def ledgers(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """The sample as CSV, JSON Lines, JSON and Parquet."""
    folder = tmp_path_factory.mktemp("ledgers")
    communities = cssp.load_sample()
    from cssp.io import communities_to_json

    document = json.loads(communities_to_json(communities))
    (folder / "sample.json").write_text(json.dumps(document), encoding="utf-8")
    lines = "\n".join(json.dumps(record) for record in document["communities"])
    (folder / "sample.jsonl").write_text(lines + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", ["sample.json", "sample.jsonl"])
def test_the_command_streams_each_format_to_the_scalar_report(
    ledgers: pathlib.Path, name: str
) -> None:
    outputs = {}
    for engine in ("batch", "scalar"):
        for format in ("json-compact", "jsonl", "json"):
            target = f"{name}.{engine}.{format}"
            extra = ["--no-communities"] if format == "json" else []
            done = _cssp(
                "evaluate", name, "--no-plugins", "--engine", engine, "--format", format,
                "--batch-rows", "7", "-o", target, *extra, cwd=ledgers,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            outputs[engine, format] = (ledgers / target).read_text(encoding="utf-8")
    for format in ("json-compact", "jsonl", "json"):
        assert outputs["batch", format] == outputs["scalar", format], format
    for format in ("jsonl", "json"):  # to standard output, the same
        done = _cssp("evaluate", name, "--no-plugins", "--format", format, "--no-communities",
                     "--engine", "batch", cwd=ledgers)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stdout == outputs["batch", format]
    lines = outputs["batch", "jsonl"].splitlines()
    assert len(lines) == len(cssp.load_sample())
    assert all(json.loads(line)["findings"] for line in lines)


def test_a_bad_row_late_in_a_streamed_input_writes_nothing(tmp_path: pathlib.Path) -> None:
    rows = [f"4401060010{n:02d},{100 + n},40" for n in range(1, 30)]
    rows.append("440106001099,many,40")
    (tmp_path / "late.csv").write_text(
        "code,households,facility_floor_area\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    for format in ("jsonl", "json-compact"):
        done = _cssp(
            "evaluate", "late.csv", "--format", format, "--batch-rows", "4", "-o", "out",
            cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode == 2
        assert "late.csv: row 31" in done.stderr
        assert "Traceback" not in done.stderr
        assert not (tmp_path / "out").exists()
        assert [p.name for p in tmp_path.iterdir()] == ["late.csv"]
        done = _cssp("evaluate", "late.csv", "--format", format, "--batch-rows", "4", cwd=tmp_path)
        assert done.returncode == 2
        assert done.stdout == ""


def test_members_are_capped_with_the_counts_kept(tmp_path: pathlib.Path) -> None:
    rows = [f"4401060010{n:02d},{100 + n},1" for n in range(1, 31)]
    (tmp_path / "many.csv").write_text(
        "code,households,facility_floor_area\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    documents = {}
    for members in ("5", "all"):
        for engine in ("batch", "scalar"):
            done = _cssp(
                "evaluate", "many.csv", "--format", "json", "--no-communities", "--engine",
                engine, "--members", members, "--no-plugins", "-o", f"{engine}{members}.json",
                cwd=tmp_path,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            documents[engine, members] = json.loads(
                (tmp_path / f"{engine}{members}.json").read_text(encoding="utf-8")
            )
        assert documents["batch", members] == documents["scalar", members]
    capped, every = documents["batch", "5"]["regions"][0], documents["batch", "all"]["regions"][0]
    assert len(capped["communities"]) == 5
    assert len(every["communities"]) == 30
    assert capped["communities"] == every["communities"][:5]
    for short, full in zip(capped["findings"], every["findings"], strict=True):
        assert short["counts"] == full["counts"]
        assert short["failing"] == full["failing"][:5]
    done = _cssp("evaluate", "many.csv", "--members", "some", cwd=tmp_path)
    assert done.returncode == 2
    assert "expected a number or 'all'" in done.stderr


def test_the_how_to_commands_run_at_a_small_scale(tmp_path: pathlib.Path) -> None:
    """The console commands of docs/howto/evaluate-any-file.md's small-scale section."""
    page = (_HERE.parent / "docs" / "howto" / "evaluate-any-file.md").read_text("utf-8")
    section = page.partition("## Try it at a small scale")[2].partition("```python")[0]
    commands = [
        line.removeprefix("$ ").split() for line in section.splitlines() if line[:2] == "$ "
    ]
    assert len(commands) == 4
    for command in commands:
        assert command[0] == "cssp"
        done = _cssp(*command[1:], cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    compact = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    lines = (tmp_path / "findings.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(compact["communities"]) == len(lines) == compact["summary"]["communities"] > 1000
    regions = json.loads((tmp_path / "regions.json").read_text(encoding="utf-8"))
    assert regions["summary"]["communities"] == len(lines)
    # each community's part of the compact document: the goal (at most 2 KB); the
    # regions' part is shared (at this scale, a county holds one or two communities)
    each = [
        len(json.dumps(c, ensure_ascii=False, separators=(",", ":")))
        for c in compact["communities"]
    ]
    assert sum(each) / len(each) < 2048


def test_excel_and_parquet_streamed_are_read_as_whole(tmp_path: pathlib.Path) -> None:
    """The formats the fuzzed files lack: a worksheet row by row, Parquet a batch at a time."""
    import csv

    openpyxl = pytest.importorskip("openpyxl")
    pytest.importorskip("pyarrow")
    from cssp.synth import nation, write

    table = nation(scale=0.002, seed=5)
    write(table, tmp_path / "small.parquet")
    write(table, tmp_path / "small.csv")
    workbook = openpyxl.Workbook()
    with (tmp_path / "small.csv").open(encoding="utf-8", newline="") as rows:
        for row in csv.reader(rows):
            workbook.active.append(row)
    workbook.save(tmp_path / "small.xlsx")
    for name in ("small.parquet", "small.xlsx"):
        whole = _whole(tmp_path / name)
        assert len(whole[0]) > 1000
        assert _streamed(tmp_path / name, 97) == whole


@pytest.mark.parametrize(
    "name", ["external_formula.xlsx", "formula_without_value.xlsx", "merged_rows.xlsx"]
)
def test_a_workbooks_untrusted_cells_are_refused_streamed_as_read_whole(name: str) -> None:
    path = _HERE / "data" / "bad" / name
    with pytest.raises(InputError) as whole:
        read_input([path])
    with pytest.raises(InputError) as streamed:
        for _batch in InputStream([path], batch_rows=2):
            pass
    assert str(streamed.value) == str(whole.value)
    assert "cell" in str(whole.value)


def test_a_stream_makes_each_part_with_the_collector_paused(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each part is read with the garbage collector paused, as ``read_input`` reads; the
    code that takes the batches runs with it as it was, and so does the code after a read
    that failed."""
    import gc

    from cssp.io.readers import stream

    making: list[bool] = []
    parts = stream.InputStream._parts

    def spy(self: Any, *arguments: Any, **keywords: Any) -> Any:
        for part in parts(self, *arguments, **keywords):
            making.append(gc.isenabled())
            yield part

    monkeypatch.setattr(stream.InputStream, "_parts", spy)
    path = tmp_path / "rows.csv"
    rows = [f"440106001{n:03d},{n}" for n in range(1, 8)]
    path.write_text("code,households\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert gc.isenabled()
    taking = [gc.isenabled() for _ in stream.InputStream(path, batch_rows=3)]
    assert taking == [True, True, True]
    assert making == [False, False, False]
    path.write_text("code,households\n440106001001,-3\n", encoding="utf-8")
    with pytest.raises(cssp.InputError):
        list(stream.InputStream(path))
    assert gc.isenabled()
