"""The layers import one way (CONTRIBUTING.md, "Layers"), and no private name crosses them.

Every import in ``src/cssp`` counts — at module level, inside functions, and
under ``TYPE_CHECKING`` — because an import made inside a function "to avoid
a cycle" is still a cycle.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

SRC: Final = Path(__file__).resolve().parents[1] / "src" / "cssp"

#: The layers, lowest first: a module may import only from its own layer's
#: unit (its subpackage or module) or from a lower layer. Units on one line
#: share a layer and may not import each other.
LAYERS: Final = (
    ("errors",),
    ("units",),
    ("model",),
    ("catalogue",),
    ("rules",),
    ("engine", "plugins"),
    ("io",),
    ("batch", "report"),
    ("sample", "synth", "schemas"),
    ("api",),
    ("__init__",),
    ("testing", "server"),
    ("commands",),
    ("evaluating",),
    ("cli",),
    ("__main__",),
)
_RANK: Final = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}


def _unit(module: str) -> str:
    """The layer unit of a module name: ``cssp.engine.scalar`` → ``engine``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> Iterator[tuple[int, str, tuple[str, ...]]]:
    """Each import of a file: its line, the module imported from, the names imported."""
    tree = ast.parse(path.read_text("utf-8"))
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, module] if module else base)
            yield node.lineno, module, tuple(alias.name for alias in node.names)


def _edges() -> Iterator[tuple[str, int, str, str, tuple[str, ...]]]:
    """(file, line, importing unit, imported module, names) for every import of cssp."""
    for path in sorted(SRC.rglob("*.py")):
        importer = _unit(_module_name(path))
        for line, module, names in _imports(path):
            if module == "cssp" or module.startswith("cssp."):
                yield str(path.relative_to(SRC)), line, importer, module, names


def test_every_unit_has_a_layer() -> None:
    units = {_unit(_module_name(p)) for p in SRC.rglob("*.py")}
    assert units - set(_RANK) == set(), "add the new module to LAYERS (and CONTRIBUTING.md)"


def test_imports_go_down_the_layers() -> None:
    wrong = []
    for where, line, importer, module, names in _edges():
        # "from cssp import X" imports the facade, or submodule X.
        targets = ["__init__"] if module == "cssp" else [_unit(module)]
        if module == "cssp" and names and all(n in _SUBMODULES for n in names):
            targets = list(names)
        for target in targets:
            if target == importer:
                continue
            if _RANK[target] >= _RANK[importer]:
                wrong.append(f"{where}:{line}: {importer} imports {module} ({target})")
    assert wrong == []


_SUBMODULES: Final = {_unit(_module_name(p)) for p in SRC.rglob("*.py")}


def test_no_private_name_crosses_a_unit() -> None:
    wrong = []
    for where, line, importer, module, names in _edges():
        target = _unit(module) if module != "cssp" else "__init__"
        if target == importer:
            continue
        private_module = any(part.startswith("_") for part in module.split(".")[1:])
        private_names = [n for n in names if n.startswith("_") and n != "__version__"]
        if private_module or private_names:
            wrong.append(f"{where}:{line}: {module} {private_names or ''}")
    assert wrong == []


def test_the_layers_are_written_down() -> None:
    text = (SRC.parents[1] / "CONTRIBUTING.md").read_text("utf-8")
    for units in LAYERS:
        for unit in units:
            if unit not in ("__init__", "__main__"):
                assert f"`{unit}`" in text, f"CONTRIBUTING.md does not place `{unit}` in a layer"


@pytest.mark.parametrize(
    "heavy",
    ["cssp.io.readers", "cssp.io.writers", "cssp.report", "cssp.batch", "pint", "numpy"],
)
def test_import_cssp_loads_no_reader_writer_report_or_pint(heavy: str) -> None:
    code = f"import sys, cssp; print({heavy!r} in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
