"""Hostile inputs on the output side: where cssp writes, what reaches a terminal or a spreadsheet.

Each test closes one class of issue 16 and fails on the old behaviour:

* ``-o`` onto a named pipe, a device or a socket was replaced with a regular
  file (as root, ``-o /dev/null`` replaced the system's device); an output name
  of 242–255 bytes failed because the temporary name beside it was longer;
* SIGTERM and SIGHUP during a write left the temporary file behind;
* community names carrying terminal escapes reached the terminal raw;
* a cell beginning with ``=`` reached CSV and Excel as a formula, and a control
  character in a name made the xlsx writer fail with a traceback;
* ``--seed -1``, ``--encoding rot13``, a closed standard output or error and a
  ``MemoryError`` gave tracebacks or wrong exit codes.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pathlib
import signal
import socket
import stat
import subprocess
import sys
from typing import Final

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cssp
import cssp.io
import cssp.report
from cssp import cli, commands
from cssp.commands import Terminal, printable
from cssp.io import write_atomic
from cssp.report._common import spreadsheet_text

HERE: Final = pathlib.Path(__file__).parent
SAMPLE: Final = HERE / "data" / "communities.csv"
POSIX: Final = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX files and signals")
#: A community name that would set the window title, clear the screen and reverse the text.
HOSTILE_NAME: Final = "恶意\x1b]0;pwned\x07\x1b[2J\u202e\x9b31m社区"
#: What a terminal acts on: ESC, BEL, CSI (C1) and the bidi override.
ACTIVE: Final = ("\x1b", "\x07", "\x9b", "\u202e")


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def hostile_csv(folder: pathlib.Path, name: str = HOSTILE_NAME) -> pathlib.Path:
    path = folder / "hostile.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["code", "name", "households", "population", "facility_floor_area"])
        writer.writerow(["440106001001", name, "1000", "3000", "400"])
        writer.writerow(["440106001002", '=HYPERLINK("http://x","y")', "800", "2400", "300"])
    return path


# --- -o: only regular files -------------------------------------------------------------


@POSIX
def test_a_named_pipe_as_output_is_refused_and_left_a_pipe(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipe = tmp_path / "out.json"
    os.mkfifo(pipe)
    code, _out, err = run(["evaluate", str(SAMPLE), "-o", str(pipe), "--format", "json"], capsys)
    assert code == 2
    assert err.startswith(f"cssp: error: cannot write {pipe}: it is a named pipe")
    assert err.count("\n") == 1
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


@POSIX
def test_a_socket_as_output_is_refused(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "s"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(OSError, match="it is a socket"):
            write_atomic(path, "x")
        assert stat.S_ISSOCK(path.stat().st_mode)
    finally:
        server.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]


@POSIX
def test_dev_null_as_output_is_refused_and_never_replaced(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The decision: ``-o /dev/null`` is refused (exit 2) like every non-regular file.

    ``os.replace`` fails the test if it is reached, so that the test itself can
    never replace the system's /dev/null, whatever the code does.
    """
    if not stat.S_ISCHR(os.stat("/dev/null").st_mode):  # pragma: no cover
        pytest.skip("this machine's /dev/null is not a device (something replaced it)")

    def never(*args: object) -> None:
        raise AssertionError("os.replace was called on a device")

    monkeypatch.setattr(os, "replace", never)
    code, _out, err = run(["targets", "-o", "/dev/null"], capsys)
    assert code == 2
    assert "cannot write /dev/null: it is a character device" in err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@POSIX
def test_a_character_device_made_for_the_test_is_refused(tmp_path: pathlib.Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    with pytest.raises(OSError, match="character device"):
        write_atomic(device, "x")
    assert stat.S_ISCHR(device.stat().st_mode)


def test_a_directory_as_output_is_refused(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["targets", "-o", str(tmp_path)], capsys)
    assert code == 2
    assert "it is a directory" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("length", [242, 250, 255])
def test_an_output_name_as_long_as_the_file_system_allows(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], length: int
) -> None:
    limit = os.pathconf(tmp_path, "PC_NAME_MAX") if hasattr(os, "pathconf") else 255
    if length > limit:  # pragma: no cover
        pytest.skip(f"the file system's names are at most {limit} bytes")
    name = "社" * ((length - 5) // 3) + "x" * ((length - 5) % 3) + ".json"
    assert len(name.encode()) == length
    code, _, err = run(["targets", "--format", "json", "-o", str(tmp_path / name)], capsys)
    assert code == 0, err
    assert [p.name for p in tmp_path.iterdir()] == [name]
    assert json.loads((tmp_path / name).read_text("utf-8"))["kind"] == "targets"


# --- signals during the write -----------------------------------------------------------


@POSIX
@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [
        (signal.SIGTERM, 143, "terminated by SIGTERM"),
        (getattr(signal, "SIGHUP", signal.SIGTERM), 129, "terminated by SIGHUP"),
        (signal.SIGINT, 130, "interrupted"),
    ],
)
def test_a_signal_during_the_write_leaves_nothing(
    tmp_path: pathlib.Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    signum: int,
    code: int,
    said: str,
) -> None:
    """The signal is really sent, while the temporary file is open and half-done."""
    real_fsync = os.fsync
    sent: list[int] = []

    def fsync_then_signal(descriptor: int) -> None:
        real_fsync(descriptor)
        if not sent:
            sent.append(signum)
            assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
            os.kill(os.getpid(), signum)

    monkeypatch.setattr(os, "fsync", fsync_then_signal)
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signum)}
    # Not the default (which would end pytest itself): a handler that only
    # notes the signal, which cssp must replace while it runs.
    noted: list[int] = []
    signal.signal(
        signum,
        signal.default_int_handler if signum == signal.SIGINT else lambda n, f: noted.append(n),
    )
    try:
        result, _, err = run(
            ["targets", "--format", "json", "-o", str(tmp_path / "t.json")], capsys
        )
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
    assert sent == [signum]
    assert noted == []
    assert result == code
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert said in lines[0]
    assert list(tmp_path.iterdir()) == []


@POSIX
def test_an_ignored_hangup_stays_ignored(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under ``nohup`` (SIGHUP ignored) cssp does not start catching it."""
    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        handlers: list[object] = []
        real = commands.on_termination

        def watch(active: bool = True) -> object:
            restore = real(active)
            handlers.append(signal.getsignal(signal.SIGHUP))
            return restore

        monkeypatch.setattr(commands, "on_termination", watch)
        assert cli.main(["programmes", "--format", "json"]) == 0
        assert handlers == [signal.SIG_IGN]
    finally:
        signal.signal(signal.SIGHUP, before)
    capsys.readouterr()


@POSIX
def test_the_handlers_are_put_back_after_a_run(capsys: pytest.CaptureFixture[str]) -> None:
    before = signal.getsignal(signal.SIGTERM)
    assert cli.main(["programmes", "--format", "json"]) == 0
    capsys.readouterr()
    assert signal.getsignal(signal.SIGTERM) is before


# --- what reaches a terminal ------------------------------------------------------------


def _safe(text: str) -> bool:
    without_colour = text
    for style in ("\x1b[0m", "\x1b[2m", "\x1b[31m", "\x1b[32m", "\x1b[33m"):
        without_colour = without_colour.replace(style, "")
    return not any(c in without_colour for c in ACTIVE)


@pytest.mark.parametrize(
    "argv",
    [
        ["evaluate", "{file}"],
        ["evaluate", "{file}", "--colour", "always"],
        ["evaluate", "{file}", "--format", "markdown"],
        ["evaluate", "{file}", "--format", "csv"],
        ["evaluate", "{file}", "--format", "html"],
        ["explain", "{file}", "--community", "440106001001"],
        ["explain", "{file}", "--community", "440106001001", "--lang", "en", "--all"],
        ["explain", "{file}", "--community", "\x1b[2Jnobody"],
        ["validate", "{file}", "--strict-codes"],
        ["evaluate", "{file}", "--by", "\x1b]0;x\x07"],
        ["evaluate", "\x1b[2J\u202emissing.csv"],
    ],
)
def test_text_on_a_terminal_carries_no_control_characters(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    file = hostile_csv(tmp_path)
    given = [part.replace("{file}", str(file)) for part in argv]
    try:
        code: object = cli.main(given)
    except SystemExit as stop:  # a usage error
        code = stop.code
    assert code in (0, 1, 2)
    captured = capsys.readouterr()
    assert captured.out or captured.err
    assert _safe(captured.out), captured.out
    assert _safe(captured.err), captured.err


def test_an_explained_hostile_name_is_shown_escaped(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = hostile_csv(tmp_path)
    code, out, err = run(["explain", str(file), "--community", "440106001001"], capsys)
    assert code == 0, err
    assert _safe(out)
    assert "恶意\\u001b]0;pwned\\u0007\\u001b[2J\\u202e\\u009b31m社区" in out
    code, out, err = run(["evaluate", str(file), "--colour", "always"], capsys)
    assert "\x1b[32m" in out or "\x1b[31m" in out  # cssp's own colours stay
    assert _safe(out)


def test_an_error_message_echoing_user_text_is_escaped(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = hostile_csv(tmp_path)
    code, _out, err = run(["explain", str(file), "--community", "\x1b[2J"], capsys)
    assert code == 2
    assert err == f"cssp: error: --community: no community \\u001b[2J in {file}\n"


def test_a_usage_error_echoing_user_text_is_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["targets", "\x1b]0;title\x07"])  # argparse echoes it as it is
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: \\u001b]0;title\\u0007" in err
    assert _safe(err)


@given(st.text())
def test_printable_leaves_nothing_a_terminal_acts_on_and_keeps_json_meaning(text: str) -> None:
    shown = printable(text)
    assert not any(c in shown for c in ACTIVE)
    assert all(c in "\t\n" or c.isprintable() or c == "\r" for c in shown if ord(c) < 0xA0)
    assert "\r" not in shown.replace("\r\n", "")
    assert json.loads(printable(json.dumps(text, ensure_ascii=False))) == text


def test_a_stream_that_cannot_encode_the_text_gets_escapes() -> None:
    raw = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    Terminal(raw, "standard output", required=True).write("社区\n")
    raw.flush()
    assert raw.buffer.getvalue() == b"\\u793e\\u533a\n"


# --- spreadsheets -----------------------------------------------------------------------


@given(st.text())
def test_no_spreadsheet_cell_begins_a_formula(text: str) -> None:
    cell = spreadsheet_text(text)
    assert isinstance(cell, str)
    if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
        float(cell)  # only a number may
    assert cell in (text, "'" + text)


@pytest.mark.parametrize("number", ["-2.5", "+3", "-1e+20", "-0.0001", "-7"])
def test_numbers_in_spreadsheet_cells_stay_numbers(number: str) -> None:
    assert spreadsheet_text(number) == number
    assert spreadsheet_text(float(number)) == float(number)


def test_a_formula_named_community_in_csv(tmp_path: pathlib.Path) -> None:
    communities = cssp.io.read_communities(hostile_csv(tmp_path))
    formula = cssp.evaluate(communities[1], profiles=())
    rows = list(csv.reader(io.StringIO(cssp.report.render_assessment(formula, "csv"))))
    names = {row[1] for row in rows[1:]}
    assert names == {'\'=HYPERLINK("http://x","y")'}
    gaps = [row[8] for row in rows[1:] if row[8].startswith("-")]
    assert all(float(gap) < 0 for gap in gaps)


def test_a_formula_and_a_control_character_in_xlsx(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    output = tmp_path / "out.xlsx"
    code, _, err = run(
        ["evaluate", str(hostile_csv(tmp_path)), "--format", "xlsx", "-o", str(output)], capsys
    )
    assert code == 0, err
    book = openpyxl.load_workbook(output)
    names = [cell.value for cell in book.worksheets[1]["B"]][1:]
    assert names == [
        "恶意\\u001b]0;pwned\\u0007\\u001b[2J\u202e\x9b31m社区",
        '\'=HYPERLINK("http://x","y")',
    ]
    assert all(cell.data_type != "f" for row in book.worksheets[1].iter_rows() for cell in row)


# --- numbers, encodings, closed streams, memory -----------------------------------------


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["synth", "--seed", "-1", "-o", "x.csv"], "--seed"),
        (["synth", "--seed", str(2**64), "-o", "x.csv"], "--seed"),
        (["serve", "--port", "99999"], "--port"),
        (["validate", "--encoding", "rot13", str(SAMPLE)], "--encoding"),
        (["validate", "--encoding", "uu_codec", str(SAMPLE)], "--encoding"),
        (["evaluate", "--encoding", "no-such-thing", str(SAMPLE)], "--encoding"),
        (["explain", "--encoding", "base64", str(SAMPLE), "--community", "x"], "--encoding"),
    ],
)
def test_an_option_out_of_its_range_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], argv: list[str], option: str
) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"error: argument {option}: " in err
    assert "Traceback" not in err


def test_targets_of_a_province_that_does_not_exist(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["targets", "--code", "99"], capsys)
    assert (code, out) == (2, "")
    assert err.startswith("cssp: error: --code: '99'")


def test_memory_exhaustion_is_one_line_and_nothing_written(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(cssp, "evaluate_region", exhausted)
    output = tmp_path / "out.json"
    code, out, err = run(["evaluate", str(SAMPLE), "-o", str(output)], capsys)
    assert (code, out) == (2, "")
    assert err == "cssp: error: out of memory; no output was written\n"
    assert list(tmp_path.iterdir()) == []


def test_memory_exhaustion_while_writing_leaves_no_temporary_file(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def exhausted(*args: object) -> None:
        raise MemoryError

    monkeypatch.setattr(os, "fsync", exhausted)
    code, _, err = run(["targets", "-o", str(tmp_path / "t.txt")], capsys)
    assert code == 2
    assert "out of memory" in err
    assert list(tmp_path.iterdir()) == []


@POSIX
@pytest.mark.parametrize(
    ("redirect", "argv", "code", "said"),
    [
        (">&-", ["programmes"], 2, "cssp: error: cannot write standard output: it is closed"),
        (">&-", ["targets", "-o", "{out}"], 0, ""),
        ("2>&-", ["programmes"], 0, None),
        ("2>&-", ["evaluate", "missing.csv"], 2, None),
        (">&- 2>&-", ["programmes"], 2, None),
    ],
)
def test_a_closed_standard_stream(
    tmp_path: pathlib.Path, redirect: str, argv: list[str], code: int, said: str | None
) -> None:
    """``>&-``: exit 2 and a line when text had to go there; ``2>&-``: messages are dropped."""
    import shlex

    output = tmp_path / "t.txt"
    words = " ".join(shlex.quote(a.replace("{out}", str(output))) for a in argv)
    errors = "" if "2>&-" in redirect else "2>err"
    script = f"{shlex.quote(sys.executable)} -m cssp {words} {redirect} {errors}; echo $? > code"
    subprocess.run(
        ["sh", "-c", script],
        timeout=120,
        env=dict(os.environ, CSSP_DISABLE_PLUGIN_AUTOLOAD="1"),
        check=True,
        cwd=tmp_path,
    )
    assert int((tmp_path / "code").read_text()) == code
    if said is not None:
        err = (tmp_path / "err").read_text("utf-8")
        assert "Traceback" not in err
        assert err.strip() == said
    if "-o" in argv:
        assert output.read_text("utf-8")


# --- the corpus of hostile inputs -------------------------------------------------------

HOSTILE: Final = HERE / "data" / "hostile-output"


def hostile_corpus() -> list[tuple[str, str, str]]:
    """(file, command, expected text) for each row of tests/data/hostile/README.md."""
    rows = []
    for line in (HOSTILE / "README.md").read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.replace("\\|", "\0").strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        name, _, command, expected = (c.replace("\0", "|") for c in cells)
        rows.append((name.strip("`"), command.strip("`"), expected.strip("`")))
    return rows


HOSTILE_CORPUS: Final = hostile_corpus()


def test_the_hostile_manifest_lists_every_file() -> None:
    listed = sorted({name for name, _, _ in HOSTILE_CORPUS})
    assert listed == sorted(p.name for p in HOSTILE.iterdir() if p.name != "README.md")


@pytest.mark.parametrize(
    ("name", "command", "expected"), HOSTILE_CORPUS, ids=[f"{c[0]}-{c[1]}" for c in HOSTILE_CORPUS]
)
def test_hostile_input_is_written_harmlessly(
    name: str,
    command: str,
    expected: str,
    tmp_path: pathlib.Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import shlex

    monkeypatch.chdir(HOSTILE)
    argv = [a.replace("out.xlsx", str(tmp_path / "out.xlsx")) for a in shlex.split(command)]
    code, out, err = run([*argv, "--no-plugins"], capsys)
    assert code == 0, err
    assert _safe(out), out
    assert _safe(err), err
    if "xlsx" in argv:
        openpyxl = pytest.importorskip("openpyxl")
        book = openpyxl.load_workbook(tmp_path / "out.xlsx")
        cells = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
        assert all(cell.data_type != "f" for s in book for row in s.iter_rows() for cell in row)
        out = "\n".join(str(v) for v in cells if v is not None)
    assert expected in out


def test_a_name_that_begins_with_a_carriage_return_is_escaped_on_standard_output(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # found by the whole-command fuzzer: the report's first line begins with the name, and
    # a carriage return that begins a write was let through as a progress line's
    path = tmp_path / "c.json"
    path.write_text(json.dumps([{"code": "110101002001", "name": "\r"}]), encoding="utf-8")
    code, out, _err = run(["explain", str(path), "--community", "110101002001"], capsys)
    assert code == 0
    assert "\r" not in out
    assert out.startswith("\\u000d")
