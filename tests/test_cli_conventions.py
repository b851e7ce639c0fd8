"""The command's conventions: colour switches, -q/-v, shell completion, progress while reading."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import cssp
import cssp.io
import cssp.io.readers
from cssp.cli import main

SAMPLE = str(Path(cssp.__file__).parent / "data" / "sample_communities.json")
ESC = "\x1b["


def _run(*args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-m", "cssp", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_color_is_colour(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", SAMPLE, "--color", "always"]) == 0
    american = capsys.readouterr().out
    assert main(["evaluate", SAMPLE, "--colour", "always"]) == 0
    assert capsys.readouterr().out == american
    assert ESC in american


def test_force_color_and_no_color() -> None:
    assert ESC in _run("evaluate", SAMPLE, FORCE_COLOR="1").stdout
    assert ESC not in _run("evaluate", SAMPLE).stdout  # not a terminal
    assert ESC not in _run("evaluate", SAMPLE, NO_COLOR="1").stdout
    assert ESC not in _run("evaluate", SAMPLE, "--color", "never", FORCE_COLOR="1").stdout
    assert ESC in _run("evaluate", SAMPLE, FORCE_COLOR="1", NO_COLOR="1").stdout


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_says_what_was_done(where: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["evaluate", SAMPLE, "--format", "json"]
    args = ["-v", *args] if where == "before" else [*args, "-v"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "cssp: 52 communities from 1 file(s), 4 regions by county, fyp14 2025" in err


def test_quiet_leaves_out_the_notes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", SAMPLE, "--fail-on", "unmet", "--format", "json"]) == 1
    assert "not met" in capsys.readouterr().err
    assert main(["-q", "evaluate", SAMPLE, "--fail-on", "unmet", "--format", "json"]) == 1
    assert capsys.readouterr().err == ""
    assert main(["evaluate", "missing.json", "-q"]) == 2  # errors still show
    assert "cssp: error:" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("shell", "mark"), [("bash", "complete"), ("zsh", "#compdef cssp"), ("fish", "complete")]
)
def test_completion_scripts(shell: str, mark: str, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("argcomplete")
    assert main(["completion", shell]) == 0
    script = capsys.readouterr().out
    assert mark in script
    assert "cssp" in script


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("cssp ev", {"evaluate"}),
        ("cssp evaluate x.json --for", {"--format"}),
        ("cssp sch", {"schema"}),
    ],
)
def test_completion_completes_from_the_parser(
    line: str, expected: set[str], tmp_path: Path
) -> None:
    pytest.importorskip("argcomplete")
    out = tmp_path / "completions"
    environment = {
        **os.environ,
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_IFS": "\n",
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "COMP_TYPE": "9",
    }
    subprocess.run(  # argcomplete answers on file descriptor 8, as a shell reads it
        f'"{sys.executable}" -m cssp 8>"{out}" 9>/dev/null',
        shell=True,
        env=environment,
        capture_output=True,
        check=False,
    )
    words = {word.strip() for word in out.read_text().splitlines()}
    assert expected <= words, words


def test_a_progress_line_while_a_large_file_is_read(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = cssp.io.readers.read_input

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(1.6)
        return real(*args, **kwargs)

    monkeypatch.setattr(cssp.io.readers, "read_input", slow)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["validate", SAMPLE]) == 0
    err = capsys.readouterr().err
    assert f"reading {SAMPLE}" in err
    assert " MB): " in err  # the final line, with the time it took
    assert main(["validate", SAMPLE, "-q"]) == 0
    assert "reading" not in capsys.readouterr().err
