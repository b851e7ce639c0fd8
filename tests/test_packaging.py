"""What users install: the metadata, the plugins' packages, and a source
distribution that can run its own tests and build its docs."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path
from typing import Any, Final

import pytest

ROOT: Final = Path(__file__).resolve().parents[1]
PLUGINS: Final = sorted(p for p in (ROOT / "plugins").glob("cssp-*") if p.is_dir())


def _project(path: Path) -> dict[str, Any]:
    table: dict[str, Any] = tomllib.loads(path.read_text("utf-8"))["project"]
    return table


def test_the_dev_tools_are_not_an_extra() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "dev" not in data["project"]["optional-dependencies"]
    assert "pytest>=8" in data["dependency-groups"]["dev"]


def test_the_classifiers_claim_only_tested_pythons() -> None:
    """Each claimed version is one `make test-pythons` runs the tests on."""
    classifiers = _project(ROOT / "pyproject.toml")["classifiers"]
    claimed = {c.rpartition(":: ")[2] for c in classifiers if c.startswith("Programming Language")}
    makefile = (ROOT / "Makefile").read_text("utf-8")
    line = next(x for x in makefile.splitlines() if x.startswith("OTHER_PYTHONS :="))
    tested = {"3.11", *line.partition(":=")[2].split()}
    versions = {c for c in claimed if c[:2] == "3." and c[2:].isdigit()}
    assert versions == tested


@pytest.mark.parametrize("plugin", PLUGINS, ids=lambda p: p.name)
def test_a_plugin_has_a_licence_and_a_lower_bound(plugin: Path) -> None:
    project = _project(plugin / "pyproject.toml")
    assert project["license"] == "MIT"
    assert (plugin / "LICENSE").is_file()
    assert any(d.startswith("cssp>=") for d in project["dependencies"]), project["dependencies"]


def _tracked() -> list[str]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout (an unpacked sdist): nothing to compare the sdist with")
    return [name for name in out.decode().split("\0") if name]


def test_the_sdist_carries_the_tests_docs_and_examples(tmp_path: Path) -> None:
    pytest.importorskip("setuptools")
    tracked = _tracked()
    tree = tmp_path / "tree"
    for name in tracked:
        source = ROOT / name
        if source.is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tree / name)
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"from setuptools import build_meta; build_meta.build_sdist({str(dist)!r})",
        ],
        cwd=tree,
        check=True,
        capture_output=True,
    )
    (archive,) = dist.glob("cssp-*.tar.gz")
    with tarfile.open(archive) as tar:
        names = {name.partition("/")[2] for name in tar.getnames()}
    wanted = [
        name
        for name in tracked
        if name.split("/")[0] in ("tests", "docs", "examples", "benchmarks", "plugins", "tools")
    ]
    missing = sorted(set(wanted) - names)
    assert missing == []
    for needed in ("tests/conftest.py", "docs/conf.py", "Makefile", "constraints.txt", "LICENSE"):
        assert needed in names
    assert not [n for n in names if n.startswith("plugins/") and ".egg-info" in n]
