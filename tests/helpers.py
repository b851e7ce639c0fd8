"""Helpers shared by the test modules (importable as ``helpers``: pytest's ``pythonpath``)."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys


def run_cssp(
    *args: str,
    cwd: pathlib.Path | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run the ``cssp`` command as a user would: a new process, UTF-8 text, no colour.

    :param env: variables set on top of this process's environment.
    """
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "cssp", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=environment,
        cwd=cwd,
        input=stdin,
        check=False,
        timeout=timeout,
    )
