"""The documentation: every public name is documented, and the docs build and run.

As datasette's ``tests/test_docs.py`` does for its plugin hooks, the reference
pages are read as text and every name of ``cssp.__all__`` must be documented
there, exactly once, under the module that defines it. The Sphinx build itself
runs in a subprocess, with warnings as errors and every cross-reference
checked (``-n -W``), and so does its doctest builder, which runs every example
of the tutorial, how-to and explanation pages. The how-to must explain every key
of the TOML profile and cases formats.
"""

from __future__ import annotations

import doctest
import importlib
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Final

import pytest

import cssp
import cssp.plugins.hookspecs

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
DOCS: Final = REPO_ROOT / "docs"
REFERENCE: Final = DOCS / "reference"

#: Public names: everything ``cssp`` exports, except its version string.
PUBLIC: Final = sorted(name for name in cssp.__all__ if name != "__version__")

# An object directive in a reference page, reST (inside ``{eval-rst}``) or MyST:
# ".. autoclass:: cssp.model.plan.Plan", ".. py:data:: cssp.x.y", "```{autofunction} cssp.x".
_OBJECT: Final = re.compile(
    r"^\s*(?:\.\.\s+|```\{)"
    r"(?P<directive>auto(?:class|function|data|exception|attribute|method)"
    r"|py:(?:class|function|data|exception|attribute|method))"
    r"(?:::|\})\s+(?P<name>cssp(?:\.\w+)+)\s*$",
    re.MULTILINE,
)
_MODULE: Final = re.compile(
    r"^\s*(?:\.\.\s+|```\{)automodule(?:::|\})\s+(?P<name>cssp(?:\.\w+)*)\s*$", re.MULTILINE
)


def _reference_text() -> str:
    return "\n".join(path.read_text("utf-8") for path in sorted(REFERENCE.glob("*.md")))


def _documented_objects() -> list[str]:
    """Full names of the objects documented one by one in the reference pages."""
    return [match["name"] for match in _OBJECT.finditer(_reference_text())]


def _documented_modules() -> list[str]:
    return [match["name"] for match in _MODULE.finditer(_reference_text())]


def _resolve(full_name: str) -> object:
    """Import ``cssp.a.b.NAME`` and return NAME."""
    module_name, _, attribute = full_name.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


def test_public_names_are_listed() -> None:
    assert len(PUBLIC) > 20
    assert "load_plan" in PUBLIC
    assert "evaluate" in PUBLIC


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_is_documented_once(name: str) -> None:
    homes = [full for full in _documented_objects() if full.rpartition(".")[2] == name]
    assert homes, f"cssp.{name} is not documented in docs/reference/ (add it to api.md)"
    assert len(homes) == 1, f"cssp.{name} is documented {len(homes)} times: {homes}"
    assert _resolve(homes[0]) is getattr(cssp, name), (
        f"docs/reference documents {homes[0]}, which is not the object cssp.{name}"
    )


def test_no_object_is_documented_twice() -> None:
    counts = Counter(_documented_objects())
    assert [name for name, count in counts.items() if count > 1] == []


def test_every_documented_object_exists() -> None:
    for full in _documented_objects():
        _resolve(full)  # raises if the page names something that is gone


def test_every_hookspec_is_documented() -> None:
    documented = set(_documented_objects())
    hooks = [name for name in dir(cssp.plugins.hookspecs) if name.startswith("cssp_")]
    assert hooks, "cssp.plugins.hookspecs defines no hook"
    missing = [h for h in hooks if f"cssp.plugins.hookspecs.{h}" not in documented]
    assert missing == [], f"hooks missing from docs/reference/api.md: {missing}"


def test_catalogue_page_covers_every_plan() -> None:
    text = (REFERENCE / "catalogue.md").read_text("utf-8")
    shown = set(re.findall(r"^```\{cssp-catalogue\}\s+(\w+)\s*$", text, re.MULTILINE))
    assert shown == set(cssp.PLAN_IDS)


# --- the how-to: every key of the TOML formats is explained -------------------

HOWTO: Final = DOCS / "howto" / "write-a-plugin.md"


def _schema_keys() -> list[str]:
    """Every key of a TOML profile (cssp.rules.toml) and of a cases file (cssp.testing.cases)."""
    import attrs

    import cssp.rules.toml
    import cssp.testing.cases

    classes = [
        getattr(cssp.rules.toml, name)
        for name in (
            "_ProfileFile",
            "_OverrideEntry",
            "_IndicatorEntry",
            "_TargetEntry",
            "_StaffingEntry",
            "_CitationEntry",
            "_ReportedByEntry",
        )
    ]
    classes += [cssp.testing.cases._CasesFile, cssp.testing.cases._Case]
    return sorted({field.name for cls in classes for field in attrs.fields(cls)})


@pytest.mark.parametrize("key", _schema_keys())
def test_howto_explains_every_toml_key(key: str) -> None:
    """A key added to the profile or cases schema must be explained in the how-to."""
    text = HOWTO.read_text("utf-8")
    cells = (f"| `{key}`", f", `{key}`", f"| `[{key}]`", f"| `[[{key}]]`")
    assert any(cell in text for cell in cells), (
        f"the TOML key {key!r} is not explained in a table of docs/howto/write-a-plugin.md"
    )


# --- the examples of the modules the reference shows ---------------------------


@pytest.mark.parametrize("module_name", sorted(set(_documented_modules())))
def test_docstring_examples_run(module_name: str) -> None:
    """The ``>>>`` examples autodoc shows in the API reference pass.

    Sphinx's doctest builder runs only the pages' own examples; docstring
    examples need their module's namespace, so they run here.
    """
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(module, module_name, globs=vars(module).copy()):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {module_name} failed"


# --- the Sphinx builds ---------------------------------------------------------


def _sphinx(
    builder: str, out: Path, environment: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_parser")
    pytest.importorskip("furo")
    command = [
        sys.executable,
        "-m",
        "sphinx",
        "-n",
        "-W",
        "--keep-going",
        "-q",
        "-b",
        builder,
        "-d",
        str(out / "doctrees"),
        str(DOCS),
        str(out / builder),
    ]
    return subprocess.run(
        command,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=environment,
    )


@pytest.fixture(scope="module")
def html_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    result = _sphinx("html", out)
    assert result.returncode == 0, f"sphinx-build -b html failed:\n{result.stdout}{result.stderr}"
    return out / "html"


def test_html_build_has_no_warnings(html_build: Path) -> None:
    assert (html_build / "index.html").is_file()
    assert (html_build / "reference" / "api.html").is_file()


def test_catalogue_tables_are_generated_from_the_data(html_build: Path) -> None:
    page = (html_build / "reference" / "catalogue.html").read_text("utf-8")
    for plan_id in cssp.PLAN_IDS:
        plan = cssp.load_plan(plan_id)
        for target_id in plan.targets:
            assert f">{target_id}<" in page, f"{plan_id}: target {target_id} missing"
        for programme in plan.programmes:
            assert programme.title.zh in page, f"{plan_id}: programme {programme.id} missing"


def _shipped_plugins_installed() -> bool:
    from importlib.metadata import entry_points

    names = {entry.name for entry in entry_points(group="cssp")}
    shipped = {path.name.removeprefix("cssp-") for path in (REPO_ROOT / "plugins").glob("cssp-*")}
    return shipped <= names


@pytest.mark.parametrize("plugins", ["none", "installed"])
def test_doctest_build_passes(tmp_path: Path, plugins: str) -> None:
    """The examples hold with plugin discovery off, and with the shipped plugins installed.

    ``make demo`` installs the province plugins, and a reader follows the
    tutorial there; the docs' own build switches discovery off. Both run.
    """
    environment = dict(os.environ)
    if plugins == "installed":
        if not _shipped_plugins_installed():
            pytest.skip("the shipped province plugins are not installed (make venv installs them)")
        environment.pop("CSSP_DISABLE_PLUGIN_AUTOLOAD", None)
        environment["CSSP_DOCS_PLUGINS"] = "installed"
    result = _sphinx("doctest", tmp_path, environment)
    report = tmp_path / "doctest" / "output.txt"
    details = report.read_text("utf-8") if report.is_file() else ""
    assert result.returncode == 0, (
        f"sphinx-build -b doctest failed:\n{result.stdout}{result.stderr}{details}"
    )
    assert " 0 failures in tests" in details
