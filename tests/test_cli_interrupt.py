"""Interrupting ``cssp evaluate``: exit code 130, one line on stderr, and no output file.

SIGTERM (a service manager stopping the job) and SIGHUP (the terminal closing)
are handled as Ctrl-C is: exit codes 143 and 129 (128 + the signal), one line,
nothing left behind.

A user presses Ctrl-C (SIGINT) while ``cssp evaluate BIGFILE -o OUT --format
json`` reads or evaluates 30,000 communities. The command must stop with exit
code 130 and a one-line message, without a traceback, and leave neither OUT
nor a temporary file beside it (outputs are written atomically).

To interrupt at a known moment rather than after a guessed delay, the input is
a named pipe (FIFO) called ``big.csv``: opening it for writing returns only
once ``cssp`` has opened it for reading, so the test knows the command is past
its start-up and inside the reading (or, once the data is written, the
evaluation) when it sends the signal.
"""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import time
from typing import Final

import pytest

from cssp.model.divisions import load_divisions

pytestmark = pytest.mark.skipif(
    not hasattr(os, "mkfifo") or sys.platform == "win32", reason="needs POSIX named pipes"
)

COMMUNITIES: Final = 30_000


def big_table(count: int = COMMUNITIES) -> bytes:
    """A CSV table of ``count`` valid communities in real townships (without cssp.synth)."""
    townships = sorted(code for code in load_divisions() if len(code) == 9)
    lines = ["统计用区划代码,户数,常住人口,综合服务设施面积(平方米),社区工作者"]
    for index in range(count):
        township = townships[index // 399]
        village = index % 399 + 1  # 001–199 urban, 200–399 rural
        lines.append(
            f"{township}{village:03d},{1000 + index % 500},{3000 + index % 900},"
            f"{300 + index % 200},{5 + index % 7}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture(scope="module")
def table() -> bytes:
    return big_table()


def start(folder: pathlib.Path) -> tuple[subprocess.Popen[bytes], pathlib.Path, pathlib.Path]:
    """Start ``cssp evaluate big.csv -o out.json --format json`` on a named pipe."""
    pipe = folder / "big.csv"
    os.mkfifo(pipe)
    output = folder / "out.json"
    env = dict(os.environ, CSSP_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cssp",
            "evaluate",
            str(pipe),
            "-o",
            str(output),
            "--format",
            "json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        # a test run under nohup, or as a background job of a shell without job control,
        # would hand its ignoring of SIGHUP or SIGINT down to cssp (Python keeps a signal
        # ignored at start-up ignored)
        preexec_fn=_default_signals,  # noqa: PLW1509 - no threads start the command
    )
    return process, pipe, output


def _default_signals() -> None:
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def folder(tmp_path: pathlib.Path) -> pathlib.Path:
    folder = tmp_path / "run"
    folder.mkdir()
    return folder


def interrupt(process: subprocess.Popen[bytes], signum: int = signal.SIGINT) -> tuple[int, str]:
    process.send_signal(signum)
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # pragma: no cover - the command ignored the signal
        process.kill()
        process.communicate()
        raise
    return process.returncode, err.decode("utf-8", "replace")


def check_interrupted(
    code: int, err: str, folder: pathlib.Path, expected: int = 130, said: str = "interrupted"
) -> None:
    assert code == expected, err
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("cssp: ")
    assert said in lines[0]
    # no output, and no temporary file beside it: only the input pipe is left
    assert sorted(p.name for p in folder.iterdir()) == ["big.csv"]


def test_interrupted_while_evaluating(folder: pathlib.Path, table: bytes) -> None:
    process, pipe, _ = start(folder)
    try:
        with pipe.open("wb") as writer:  # returns once cssp has opened the file
            writer.write(table)
        time.sleep(1.0)  # reading takes about half a second; evaluating, far longer
        assert process.poll() is None, "the command finished before it was interrupted"
        code, err = interrupt(process)
    finally:
        if process.poll() is None:  # pragma: no cover
            process.kill()
            process.communicate()
    check_interrupted(code, err, folder)


def test_interrupted_while_reading(folder: pathlib.Path, table: bytes) -> None:
    process, pipe, _ = start(folder)
    try:
        with pipe.open("wb") as writer:
            writer.write(table[: len(table) // 2])  # cssp reads, and waits for the rest
            writer.flush()
            time.sleep(0.2)
            code, err = interrupt(process)
    finally:
        if process.poll() is None:  # pragma: no cover
            process.kill()
            process.communicate()
    check_interrupted(code, err, folder)


SIGNALS: Final = [
    pytest.param(signal.SIGTERM, 143, "terminated by SIGTERM", id="SIGTERM"),
    pytest.param(getattr(signal, "SIGHUP", 1), 129, "terminated by SIGHUP", id="SIGHUP"),
]


@pytest.mark.parametrize(("signum", "expected", "said"), SIGNALS)
def test_terminated_while_evaluating(
    folder: pathlib.Path, table: bytes, signum: int, expected: int, said: str
) -> None:
    process, pipe, _ = start(folder)
    try:
        with pipe.open("wb") as writer:
            writer.write(table)
        time.sleep(1.0)
        assert process.poll() is None, "the command finished before it was signalled"
        code, err = interrupt(process, signum)
    finally:
        if process.poll() is None:  # pragma: no cover
            process.kill()
            process.communicate()
    check_interrupted(code, err, folder, expected, said)


@pytest.mark.parametrize(("signum", "expected", "said"), SIGNALS)
def test_terminated_while_reading(
    folder: pathlib.Path, table: bytes, signum: int, expected: int, said: str
) -> None:
    process, pipe, _ = start(folder)
    try:
        with pipe.open("wb") as writer:
            writer.write(table[: len(table) // 2])
            writer.flush()
            time.sleep(0.2)
            code, err = interrupt(process, signum)
    finally:
        if process.poll() is None:  # pragma: no cover
            process.kill()
            process.communicate()
    check_interrupted(code, err, folder, expected, said)


def test_an_output_in_a_missing_directory_is_a_one_line_error(tmp_path: pathlib.Path) -> None:
    data = tmp_path / "in.csv"
    data.write_bytes(big_table(3))
    output = tmp_path / "no such folder" / "out.json"
    done = subprocess.run(
        [sys.executable, "-m", "cssp", "evaluate", str(data), "-o", str(output)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=dict(os.environ, CSSP_DISABLE_PLUGIN_AUTOLOAD="1"),
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2
    assert done.stderr.startswith("cssp: error: ")
    assert "no such folder" in done.stderr
    assert not output.parent.exists()
