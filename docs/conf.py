"""Sphinx configuration for cssp's documentation.

Build with warnings as errors and every cross-reference checked::

    sphinx-build -n -W --keep-going -b html docs docs/_build/html
    sphinx-build -n -W --keep-going -b doctest docs docs/_build/doctest

The build needs no network: there is no intersphinx. References to the
standard library and third-party packages that cannot resolve offline are
listed one by one in ``nitpick_ignore`` below, each with its reason.
"""

from __future__ import annotations

import doctest
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docutils.nodes import Element  # type: ignore[import-untyped]
    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
# Document the checkout's source, whether or not cssp is installed.
sys.path.insert(0, str(HERE.parent / "src"))
# The docs' examples must hold whatever plugins a reader has installed: the
# tests build the doctests twice (tests/test_docs.py), with plugin discovery
# switched off (the default here) and with the shipped province plugins
# installed, as `make demo` leaves them (CSSP_DOCS_PLUGINS=installed). An
# example that depends on the profiles in force says which it uses.
if os.environ.get("CSSP_DOCS_PLUGINS") == "installed":
    os.environ.pop("CSSP_DISABLE_PLUGIN_AUTOLOAD", None)
else:
    os.environ["CSSP_DISABLE_PLUGIN_AUTOLOAD"] = "1"

import cssp  # noqa: E402 - after the path is set

# -- Project ---------------------------------------------------------------------

project = "cssp"
author = "The cssp authors"
copyright = "the cssp authors"
try:
    release = cssp.__version__
except Exception:  # a checkout that was never installed: no metadata
    release = "0+unknown"
version = ".".join(release.split(".")[:2])
language = "en"

# -- General ---------------------------------------------------------------------

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "cssp_catalogue",  # docs/_ext: the catalogue tables, generated from the data
    "cssp_cli",  # docs/_ext: the command reference, generated from its parser
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path: list[str] = []

nitpicky = True
# Each entry is one reference that cannot resolve without intersphinx (the
# build is offline by design). Never add a blanket pattern here.
nitpick_ignore: list[tuple[str, str]] = [
    # hypothesis: cssp.testing returns its strategies (no intersphinx offline).
    ("py:class", "hypothesis.strategies.SearchStrategy"),
    # pint: cssp.units wraps pint, and its signatures name pint's classes.
    ("py:class", "pint.Quantity"),
    ("py:class", "pint.UnitRegistry"),
    # attrs and cattrs, named in cssp.model.community and cssp.model.convert.
    ("py:func", "attrs.evolve"),
    ("py:func", "cattrs.transform_error"),
    ("py:class", "cattrs.converters.Converter"),  # get_converter's return type
    # Litestar, the service's framework: the application cssp.server returns.
    ("py:class", "litestar.app.Litestar"),
    # pluggy, which cssp.plugins wraps.
    ("py:class", "pluggy.PluginManager"),
    # The standard library's abstract classes, in signatures (autodoc_typehints).
    ("py:class", "collections.abc.Callable"),
    ("py:class", "collections.abc.Iterable"),
    ("py:class", "collections.abc.Iterator"),  # cssp.batch.on_spark: mapInArrow's functions
    ("py:class", "collections.abc.Mapping"),
    ("py:class", "collections.abc.Sequence"),
    ("py:class", "datetime.date"),  # Plan.issued and Plan.published
    ("py:class", "os.PathLike"),  # cssp.plugins.load_profile(path)
    # cssp.testing.plugin.PluginPackage: its root, profile and cases files,
    # its entry point and its module.
    ("py:class", "pathlib.Path"),
    ("py:class", "importlib.metadata.EntryPoint"),
    ("py:class", "types.ModuleType"),
    ("py:mod", "tomllib"),  # named in cssp.rules.toml's docstring
    ("py:func", "sys.exit"),  # named in cssp.plugins.hookspecs.cssp_profiles' docstring
    # numpy: the columns of cssp.synth are numpy arrays (NDArray in signatures).
    ("py:class", "numpy.ndarray"),
    ("py:class", "numpy.dtype"),
    # ... and the element types of the region tables' arrays (RegionTable.counts, .observed).
    ("py:class", "numpy.integer"),
    ("py:class", "numpy.float64"),
    ("py:class", "numpy.bool"),  # Partial.approximate and RegionTable.approximate: yes/no arrays
    ("py:class", "numpy.int64"),  # BatchResult.worst_rows: row numbers (numpy.intp)
    # The type variable of cssp.io.structure(data, type_: type[T]) -> T.
    ("py:class", "cssp.model.convert.T"),
    # The type variables of cssp.model.checks (instance_of(*types: type[T]) -> Check[T] …).
    ("py:class", "cssp.model.checks.T"),
    ("py:class", "cssp.model.checks.K"),
    ("py:class", "cssp.model.checks.V"),
]

# -- MyST ------------------------------------------------------------------------

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# -- autodoc ---------------------------------------------------------------------

autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_member_order = "bysource"
autodoc_class_signature = "mixed"
add_module_names = False

# -- doctest ---------------------------------------------------------------------

# Every ``{doctest}`` block of the pages is run by ``sphinx-build -b doctest``.
# The ``>>>`` examples of docstrings need their module's namespace, so they are
# run by pytest (tests/test_docs.py), not here.
doctest_global_setup = """
import cssp
"""
doctest_test_doctest_blocks = ""
# Check exception messages too: cssp's errors are part of what it promises.
doctest_default_flags = doctest.ELLIPSIS | doctest.DONT_ACCEPT_TRUE_FOR_1

# -- HTML ------------------------------------------------------------------------

html_theme = "furo"
html_title = f"cssp {release}"
html_static_path = ["_static"]
html_css_files = ["cssp.css"]  # the catalogue's tables fit the page
html_show_sourcelink = False

# -- Public names ----------------------------------------------------------------

#: The modules where the public names are defined; ``cssp`` re-exports them.
DEFINING_MODULES = (
    "cssp.catalogue",
    "cssp.errors",
    "cssp.api",
    "cssp.model.measures",
    "cssp.engine.results",
    "cssp.model.convert",
    "cssp.model.community",
    "cssp.model.plan",
    "cssp.model.township",
    "cssp.io.readers.townships",
    "cssp.plugins",
    "cssp.plugins.hookspecs",
    "cssp.rules.profile",
    "cssp.rules.resolve",
    "cssp.rules.toml",
    "cssp.sample",
    "cssp.testing.cases",
    "cssp.testing.plugin",
    "cssp.testing.strategies",
)
#: Public namespaces that re-export names defined elsewhere (besides a module's parents).
REEXPORTING = ("cssp", "cssp.io", "cssp.testing")


def _reexports() -> dict[str, str]:
    """Map each re-exported name to the full name it is documented under.

    ``cssp.load_plan`` → ``cssp.catalogue.load_plan``,
    ``cssp.io.structure`` → ``cssp.model.convert.structure``, and so on: every
    name of a defining module's ``__all__`` that a package re-exports.
    """
    import importlib  # noqa: PLC0415

    where: dict[str, str] = {}
    # Deeper modules last, so a name listed by a package and by the module
    # defining it (cssp.plugins and cssp.plugins.hookspecs both list hookimpl)
    # resolves to the module that defines it.
    for module_name in sorted(DEFINING_MODULES, key=lambda name: name.count(".")):
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            full = f"{module_name}.{name}"
            packages = []
            package = module_name
            while "." in package:
                package = package.rpartition(".")[0]
                packages.append(package)
            for package in dict.fromkeys([*packages, *REEXPORTING]):
                exported = getattr(importlib.import_module(package), "__all__", ())
                if name in exported and package != module_name:
                    where[f"{package}.{name}"] = full
    return where


REEXPORTS = _reexports()


def resolve_reexport(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: Element
) -> Element | None:
    """Resolve a re-exported name, or an attribute of one, to where it is documented.

    Users (and docstrings) write the public name, ``cssp.load_plan`` or
    ``cssp.Facility.floor_area``; the reference documents each name once, in
    the module that defines it. A reference that does not resolve there either
    is still reported by ``-n``.
    """
    if node.get("refdomain") != "py":
        return None
    # The longest re-exported prefix: cssp.Facility.floor_area is
    # cssp.model.community.Facility.floor_area.
    parts = node.get("reftarget", "").split(".")
    for end in range(len(parts), 1, -1):
        home = REEXPORTS.get(".".join(parts[:end]))
        if home is not None:
            target = ".".join([home, *parts[end:]])
            break
    else:
        return None
    domain = env.domains.python_domain
    resolved: Element | None = domain.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], target, node, contnode
    )
    return resolved


def setup(app: Sphinx) -> None:
    app.connect("missing-reference", resolve_reexport)
