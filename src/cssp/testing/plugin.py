"""The tests every province plugin package shares.

A plugin package — ``pyproject.toml``, the package with its ``profile.toml``
or its hooks, and ``tests/cases.toml`` — is tested from its own files, so the
tests pass whether or not it is installed (``pytest plugins/cssp-guangdong``).
:class:`PluginPackage` reads those files and loads the plugin as cssp would
load its installed entry point; subclass :class:`DataPluginTests` (a
``profile.toml``) or :class:`PythonPluginTests` (a module with hooks) in the
package's tests, and pytest runs the checks every plugin needs:

* its packaging: a ``cssp-`` distribution depending on cssp, with one entry
  point in group ``cssp``, shipping its profile file;
* the plugin host loads it as its entry point would, with its distribution's
  name and version as the source of every profile, and lists it;
* its profiles load against their plan in strict mode (no national target
  loosened), unless the class says ``strict = False``;
* the cases of ``tests/cases.toml`` pass
  (:func:`~cssp.testing.cases.run_profile_tests`), there are enough of them,
  and they test this package's profiles, not an installed copy's;
* a data plugin's package holds no code; a Python plugin's hook leaves the
  source to the host.

In ``plugins/cssp-guangdong/tests/test_guangdong.py``::

    from cssp.testing.plugin import DataPluginTests, PluginPackage

    PACKAGE = PluginPackage.of_test(__file__)


    class TestPackage(DataPluginTests):
        package = PACKAGE


    def test_the_facility_area_is_32():
        effective = cssp.effective_targets("fyp14", "440106001001", profiles=PACKAGE.profile_set())
        ...

No hypothesis needed; pytest only runs the tests.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.metadata
import importlib.util
import os
import pathlib
import re
import sys
import tomllib
import types
from typing import Any, ClassVar, Final

from attrs import define, field

from cssp.plugins import ENTRY_POINT_GROUP, PluginHost, load_plugins, load_profile
from cssp.rules.profile import Profile
from cssp.rules.resolve import ProfileSet
from cssp.testing.cases import CaseResult, run_profile_tests

__all__ = ["DataPluginTests", "PluginPackage", "PluginTests", "PythonPluginTests"]

#: A requirement's distribution name: what comes before a version, marker or extra.
_REQUIREMENT_NAME: Final = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _resolved(path: str | os.PathLike[str]) -> pathlib.Path:
    return pathlib.Path(path).resolve()


@define(frozen=True, slots=False)  # a __dict__ for the cached properties
class PluginPackage:
    """A plugin package's checkout: its ``pyproject.toml``, its package and its cases.

    :param root: the folder holding ``pyproject.toml`` (``plugins/cssp-guangdong``).
    """

    root: pathlib.Path = field(converter=_resolved)

    @classmethod
    def of_test(cls, test_file: str | os.PathLike[str]) -> PluginPackage:
        """The package whose ``tests`` folder holds ``test_file``.

        In a test module: ``PluginPackage.of_test(__file__)``.
        """
        return cls(pathlib.Path(test_file).resolve().parent.parent)

    @functools.cached_property
    def pyproject(self) -> dict[str, Any]:
        """The parsed ``pyproject.toml``."""
        return tomllib.loads((self.root / "pyproject.toml").read_text(encoding="utf-8"))

    @property
    def name(self) -> str:
        """The distribution's name (``cssp-guangdong``)."""
        return str(self.pyproject["project"]["name"])

    @property
    def version(self) -> str:
        """The distribution's version."""
        return str(self.pyproject["project"]["version"])

    @property
    def source(self) -> str:
        """What the plugin host records as the source of the installed plugin's profiles."""
        return f"{self.name} {self.version}"

    @functools.cached_property
    def entry_point(self) -> importlib.metadata.EntryPoint:
        """The package's one entry point in group ``cssp``.

        :raises AssertionError: when it declares none, or several.
        """
        declared = self.pyproject["project"].get("entry-points", {}).get(ENTRY_POINT_GROUP, {})
        assert len(declared) == 1, (
            f"{self.root / 'pyproject.toml'} declares {len(declared)} entry points in "
            f"[project.entry-points.{ENTRY_POINT_GROUP}]; a plugin package declares one"
        )
        ((name, value),) = declared.items()
        return importlib.metadata.EntryPoint(name, value, ENTRY_POINT_GROUP)

    @property
    def kind(self) -> str:
        """``"toml"`` (the entry point names a profile file) or ``"python"`` (a module)."""
        attr = self.entry_point.attr
        return "toml" if attr and attr.endswith(".toml") else "python"

    @property
    def package(self) -> pathlib.Path:
        """The top-level package (or module file) the entry point names, in this checkout."""
        top = self.entry_point.module.partition(".")[0]
        for base in (self.root, self.root / "src"):
            for candidate in (base / top, base / f"{top}.py"):
                if candidate.exists():
                    return candidate
        raise AssertionError(f"{top!r}, named by the entry point, is not in {self.root}")

    @property
    def profile_file(self) -> pathlib.Path:
        """A data plugin's profile file (``cssp_guangdong/profile.toml``)."""
        assert self.kind == "toml", f"{self.name}'s entry point names a module, not a profile"
        return self.package / str(self.entry_point.attr)

    @property
    def cases_file(self) -> pathlib.Path:
        """The declarative test cases, ``tests/cases.toml``."""
        return self.root / "tests" / "cases.toml"

    def module(self) -> types.ModuleType:
        """A Python plugin's module, imported from this checkout under a private name.

        The name (``_cssp_beijing_from_checkout``) keeps it apart from an
        installed copy; it is imported once. Its own absolute imports of its
        package find the installed copy, if any: use relative imports.
        """
        assert self.kind == "python", f"{self.name} is a data plugin: its package is never imported"
        top, _, rest = self.entry_point.module.partition(".")
        name = f"_{top}_from_checkout"
        if name not in sys.modules:
            path = self.package
            init = path / "__init__.py" if path.is_dir() else path
            folders = [str(path)] if path.is_dir() else None
            spec = importlib.util.spec_from_file_location(
                name, init, submodule_search_locations=folders
            )
            assert spec is not None, f"cannot import {init}"
            assert spec.loader is not None, f"cannot import {init}"
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[name]
                raise
        return importlib.import_module(f"{name}.{rest}" if rest else name)

    def plugin(self) -> object:
        """A Python plugin's hooks: its module, or the attribute its entry point names."""
        found: object = self.module()
        for attribute in (self.entry_point.attr or "").split("."):
            if attribute:
                found = getattr(found, attribute)
        return found

    def host(self) -> PluginHost:
        """A plugin host holding this plugin alone, loaded as its installed entry point would be."""
        host = load_plugins(autoload=False)
        name = self.entry_point.name
        if self.kind == "toml":
            profile = load_profile(self.profile_file, source=self.source)
            host.add_profile(profile, name=name, source=self.source)
        else:
            host.register(self.plugin(), name=name, source=self.source)
        return host

    def profiles(self) -> tuple[Profile, ...]:
        """The plugin's profiles, as the host reads them (each with :attr:`source`)."""
        return self.host().profiles()

    def profile_set(self, *, strict: bool = True) -> ProfileSet:
        """The plugin's profiles, validated against their plans (strict by default)."""
        return ProfileSet(self.profiles(), strict=strict)

    def cases(self) -> dict[str, Any]:
        """The parsed cases file."""
        return tomllib.loads(self.cases_file.read_text(encoding="utf-8"))

    def run_cases(self) -> tuple[CaseResult, ...]:
        """Run the cases file against this checkout's profiles, never an installed copy's.

        A data plugin's cases file lists its profile file; a Python plugin's
        lists none, and is run against the module's profiles, in strict mode
        when the cases file says ``strict = true``.
        """
        if self.kind == "toml":
            return run_profile_tests(self.cases_file, autoload=False)
        strict = bool(self.cases().get("strict", False))
        return run_profile_tests(self.cases_file, profiles=self.profile_set(strict=strict))


class PluginTests:
    """The tests every plugin package shares: subclass it, as ``Test…``, in the package's tests.

    Prefer :class:`DataPluginTests` or :class:`PythonPluginTests`, which add
    the checks of each kind.
    """

    #: The package under test: set it in the subclass.
    package: ClassVar[PluginPackage]
    #: The fewest cases the cases file may hold (the edges of each target: at,
    #: just below, just outside the scope).
    minimum_cases: ClassVar[int] = 4
    #: Whether the profiles must load in strict mode (no national target loosened).
    strict: ClassVar[bool] = True

    def test_packaging(self) -> None:
        """A ``cssp-`` distribution that depends on cssp, with one entry point in group ``cssp``."""
        package = self.package
        assert package.name.startswith("cssp-"), f"{package.name!r} is not named cssp-<name>"
        needs = package.pyproject["project"].get("dependencies", [])
        names = {_normalise(m[1]) for m in map(_REQUIREMENT_NAME.match, needs) if m}
        assert "cssp" in names, f"{package.name} does not depend on cssp: {needs}"
        assert package.package.exists()

    def test_the_license_is_declared(self) -> None:
        """A licence others can ship under, declared and included in the distribution."""
        project = self.package.pyproject["project"]
        assert project.get("license"), f"{self.package.name} declares no licence"
        files = project.get("license-files", [])
        assert files, f"{self.package.name} lists no license-files"
        missing = [name for name in files if not (self.package.root / name).is_file()]
        assert not missing, f"{self.package.name}: license-files not found: {missing}"

    def test_the_host_loads_it_as_its_entry_point(self) -> None:
        """Loaded as installed: listed once, every profile's source its name and version."""
        package = self.package
        (info,) = package.host().info()
        assert (info.name, info.distribution, info.version, info.kind) == (
            package.entry_point.name,
            package.name,
            package.version,
            package.kind,
        )
        profiles = package.profiles()
        assert profiles, f"{package.name} provides no profile"
        assert {p.source for p in profiles} == {package.source}
        assert info.profiles == tuple(sorted({p.id for p in profiles}))
        assert info.scopes == tuple(sorted({p.scope for p in profiles}))

    def test_its_profiles_load(self) -> None:
        """The profiles load against their plans; in strict mode nothing is loosened."""
        profiles = self.package.profile_set(strict=self.strict)
        if self.strict:
            for profile in profiles.profiles:
                assert profiles.effective(profile.plan, profile.scope).loosened == ()

    def test_the_cases_pass(self) -> None:
        """Every case of ``tests/cases.toml`` passes, and there are enough of them."""
        results = self.package.run_cases()
        assert len(results) >= self.minimum_cases, (
            f"{self.package.cases_file} holds {len(results)} cases; test at least "
            f"{self.minimum_cases} (at each threshold, just below it, outside the scope)"
        )
        failures = [
            f"{result.name}: {target} expected {expected}, found {found} ({why})"
            for result in results
            for target, expected, found, why in result.mismatches
        ]
        assert failures == [], "cases fail:\n" + "\n".join(failures)

    def test_the_cases_test_this_package(self) -> None:
        """A data plugin's cases list its own profile file; a Python plugin's list none."""
        package = self.package
        listed = package.cases().get("profiles", [])
        found = [(package.cases_file.parent / name).resolve() for name in listed]
        if package.kind == "toml":
            assert found == [package.profile_file], (
                f"{package.cases_file} tests {found}, not {package.profile_file}"
            )
        else:
            assert found == [], f"{package.cases_file} lists profile files: {found}"


class DataPluginTests(PluginTests):
    """The tests of a data plugin: a ``profile.toml`` in a package that holds no code."""

    def test_it_is_a_data_plugin(self) -> None:
        """Its entry point names the profile file (``module:profile.toml``)."""
        assert self.package.kind == "toml", f"{self.package.entry_point.value} is not a file"
        assert self.package.profile_file.is_file()

    def test_the_package_holds_no_code(self) -> None:
        """The package's ``__init__.py``, if any, is a docstring: a data plugin runs nothing."""
        init = self.package.package / "__init__.py"
        if init.exists():
            tree = ast.parse(init.read_text(encoding="utf-8"))
            assert len(tree.body) <= 1, f"{init} holds code; a data plugin is never imported"
            for node in tree.body:
                assert isinstance(node, ast.Expr), f"{init} holds code"
                assert isinstance(node.value, ast.Constant), f"{init} holds code"
                assert isinstance(node.value.value, str), f"{init} holds code"

    def test_the_profile_file_is_shipped(self) -> None:
        """setuptools' ``package-data`` lists the profile file (with another backend: skipped)."""
        package = self.package
        tool = package.pyproject.get("tool", {}).get("setuptools")
        if tool is None:
            return
        shipped = tool.get("package-data", {}).get(package.entry_point.module, [])
        assert package.entry_point.attr in shipped, (
            f"[tool.setuptools.package-data] of {package.name} does not list "
            f"{package.entry_point.attr}: the installed package would lack it"
        )


class PythonPluginTests(PluginTests):
    """The tests of a Python plugin: a module with hooks."""

    def test_it_is_a_python_plugin(self) -> None:
        """Its entry point names a module, and the module imports from this checkout."""
        assert self.package.kind == "python", f"{self.package.entry_point.value} is a data file"
        assert self.package.module().__file__ is not None

    def test_the_hook_leaves_the_source_to_the_host(self) -> None:
        """``cssp_profiles`` returns profiles without a source: the host sets it."""
        host = load_plugins(autoload=False)
        host.register(self.package.plugin(), name="unnamed")
        assert {p.source for p in host.profiles()} == {"unnamed"}
