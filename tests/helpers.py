"""Helpers shared by the test modules (importable as ``helpers``: pytest's ``pythonpath``)."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
from typing import Any


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


def collector_spy(monkeypatch: Any, owner: object, name: str) -> list[bool]:
    """Replace ``owner.name`` (a function) by one that notes whether Python's garbage
    collector is enabled at each call, then calls it; the notes, in order."""
    import gc

    seen: list[bool] = []
    function = getattr(owner, name)

    def spy(*arguments: Any, **keywords: Any) -> Any:
        seen.append(gc.isenabled())
        return function(*arguments, **keywords)

    monkeypatch.setattr(owner, name, spy)
    return seen
