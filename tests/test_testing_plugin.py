"""The shared tests of plugin packages (cssp.testing.plugin) catch what they say they catch.

Each test writes a small plugin package into a temporary folder, runs the
shared checks on it as pytest would, and breaks one thing at a time.
"""

from __future__ import annotations

import pathlib
import sys
import textwrap
from collections.abc import Callable, Iterator
from typing import Final

import pytest

import cssp
import cssp.testing
from cssp.testing.plugin import DataPluginTests, PluginPackage, PluginTests, PythonPluginTests

AREA: Final = "facility_area_per_100_households"

PYPROJECT: Final = """\
[project]
name = "{name}"
version = "0.2.0"
license = "MIT"
license-files = ["LICENSE"]
dependencies = ["cssp>=0.1"]

[project.entry-points.cssp]
{entry_point}

[tool.setuptools.package-data]
{package} = ["profile.toml"]
"""

PROFILE: Final = """\
schema = 1
id = "gd-test"
plan = "fyp14"
scope = "44"
title = { zh = "广东（测试）", en = "Guangdong (test)" }
issuer = "广东省民政厅"
document = "粤民发〔2099〕1号"
target_year = 2025

[[overrides]]
target = "@AREA@"
threshold = "≥@THRESHOLD@"
"""

MODULE: Final = '''\
"""A Python plugin for the tests."""

import cssp

DOCUMENT = "京民发〔2099〕1号"


@cssp.hookimpl
def cssp_profiles():
    return [
        cssp.Profile(
            id="bj-test",
            plan="fyp14",
            scope="11",
            title=cssp.Text("北京（测试）", "Beijing (test)"),
            issuer="北京市民政局",
            document=DOCUMENT,
            overrides=(cssp.Override("@AREA@", "≥@THRESHOLD@", cssp.Citation(DOCUMENT)),),
            @SOURCE@
        )
    ]
'''


def cases(code: str, profiles: str, count: int = 4) -> str:
    """``count`` cases: a community with 310 m² per 1,000 households meets 30, not 32."""
    case = f"""
[[cases]]
name = "31 m² per 100 households"
community = {{ code = "{code}", households = 1000, facilities = [
  {{ kind = "comprehensive", floor_area = 310 }} ] }}
expect = {{ {AREA} = "not_met" }}
"""
    return f"schema = 1\n{profiles}strict = true\n" + case * count


def data_package(root: pathlib.Path, threshold: str = "32", count: int = 4) -> PluginPackage:
    (root / "cssp_gdtest").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(
        PYPROJECT.format(
            name="cssp-gdtest",
            entry_point='gdtest = "cssp_gdtest:profile.toml"',
            package="cssp_gdtest",
        ),
        encoding="utf-8",
    )
    (root / "LICENSE").write_text("MIT License\n", encoding="utf-8")
    (root / "cssp_gdtest" / "__init__.py").write_text('"""Data only."""\n', encoding="utf-8")
    (root / "cssp_gdtest" / "profile.toml").write_text(
        PROFILE.replace("@AREA@", AREA).replace("@THRESHOLD@", threshold), encoding="utf-8"
    )
    listed = 'profiles = ["../cssp_gdtest/profile.toml"]\n'
    (root / "tests" / "cases.toml").write_text(
        cases("440106001001", listed, count), encoding="utf-8"
    )
    return PluginPackage(root)


def python_package(root: pathlib.Path, source: str = "") -> PluginPackage:
    (root / "cssp_bjtest").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(
        PYPROJECT.format(name="cssp-bjtest", entry_point='bjtest = "cssp_bjtest"', package="x"),
        encoding="utf-8",
    )
    (root / "LICENSE").write_text("MIT License\n", encoding="utf-8")
    (root / "cssp_bjtest" / "__init__.py").write_text(
        MODULE.replace("@AREA@", AREA).replace("@THRESHOLD@", "32").replace("@SOURCE@", source),
        encoding="utf-8",
    )
    (root / "tests" / "cases.toml").write_text(cases("110105001001", ""), encoding="utf-8")
    return PluginPackage(root)


@pytest.fixture(autouse=True)
def _forget_checkout_modules() -> Iterator[None]:
    yield
    sys.modules.pop("_cssp_bjtest_from_checkout", None)


def run(tests: type[PluginTests], package: PluginPackage) -> dict[str, str]:
    """Run each shared test on ``package``: its name → ``"passed"`` or the assertion's message."""

    class Suite(tests):  # type: ignore[valid-type, misc]
        pass

    Suite.package = package
    outcome = {}
    for name in sorted(n for n in dir(Suite) if n.startswith("test_")):
        try:
            getattr(Suite(), name)()
        except AssertionError as error:
            outcome[name] = str(error) or "failed"
        except cssp.CsspError as error:  # pytest reports it as the test's failure too
            outcome[name] = f"{type(error).__name__}: {error}"
        else:
            outcome[name] = "passed"
    return outcome


def failed(outcome: dict[str, str]) -> dict[str, str]:
    return {name: result for name, result in outcome.items() if result != "passed"}


def test_a_good_data_package_passes(tmp_path: pathlib.Path) -> None:
    package = data_package(tmp_path)
    outcome = run(DataPluginTests, package)
    assert failed(outcome) == {}
    assert len(outcome) == 9  # the shared tests, the licence one included
    assert (package.name, package.source, package.kind) == (
        "cssp-gdtest",
        "cssp-gdtest 0.2.0",
        "toml",
    )
    assert package.profile_file == tmp_path.resolve() / "cssp_gdtest" / "profile.toml"


def test_a_good_python_package_passes(tmp_path: pathlib.Path) -> None:
    package = python_package(tmp_path)
    outcome = run(PythonPluginTests, package)
    assert failed(outcome) == {}
    assert len(outcome) == 8
    (profile,) = package.profiles()
    assert profile.source == "cssp-bjtest 0.2.0"
    assert package.module() is package.module()  # imported once


Break = Callable[[pathlib.Path], None]


def _replace(path: str, old: str, new: str) -> Break:
    def change(root: pathlib.Path) -> None:
        file = root / path
        file.write_text(file.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")

    return change


def _elsewhere(root: pathlib.Path) -> None:
    profile = root / "cssp_gdtest" / "profile.toml"
    (root / "elsewhere.toml").write_text(profile.read_text(encoding="utf-8"), encoding="utf-8")
    _replace("tests/cases.toml", "../cssp_gdtest/profile.toml", "../elsewhere.toml")(root)


@pytest.mark.parametrize(
    ("breakage", "test", "words"),
    [
        (
            _elsewhere,  # the cases test an installed copy, or another file
            "test_the_cases_test_this_package",
            "elsewhere.toml",
        ),
        (
            _replace("tests/cases.toml", '"not_met"', '"met"'),
            "test_the_cases_pass",
            "expected",
        ),
        (
            _replace("cssp_gdtest/__init__.py", '"""Data only."""', "import os\nos.getcwd()"),
            "test_the_package_holds_no_code",
            "holds code",
        ),
        (
            _replace("pyproject.toml", '= ["profile.toml"]', "= []"),
            "test_the_profile_file_is_shipped",
            "does not list profile.toml",
        ),
        (
            _replace("pyproject.toml", 'dependencies = ["cssp>=0.1"]', "dependencies = []"),
            "test_packaging",
            "does not depend on cssp",
        ),
        (
            _replace("pyproject.toml", 'license = "MIT"\n', ""),
            "test_the_license_is_declared",
            "declares no licence",
        ),
        (
            _replace(
                "pyproject.toml", 'license-files = ["LICENSE"]', 'license-files = ["COPYING"]'
            ),
            "test_the_license_is_declared",
            "license-files not found",
        ),
        (
            _replace("pyproject.toml", 'name = "cssp-gdtest"', 'name = "gdtest"'),
            "test_packaging",
            "is not named cssp-<name>",
        ),
        (
            _replace("cssp_gdtest/profile.toml", "≥32", "≥28"),  # looser than the plan's 30
            "test_its_profiles_load",
            "strict mode refuses a looser target",
        ),
    ],
    ids=[
        "other profile",
        "a case fails",
        "code",
        "not shipped",
        "no cssp",
        "no licence",
        "licence file missing",
        "name",
        "looser",
    ],
)
def test_a_broken_data_package_fails_the_check_that_names_it(
    tmp_path: pathlib.Path, breakage: Break, test: str, words: str
) -> None:
    package = data_package(tmp_path)
    breakage(tmp_path)
    outcome = run(DataPluginTests, package)
    assert test in failed(outcome)
    assert words in outcome[test]


def test_too_few_cases_fail(tmp_path: pathlib.Path) -> None:
    outcome = run(DataPluginTests, data_package(tmp_path, count=2))
    assert failed(outcome) == {
        "test_the_cases_pass": outcome["test_the_cases_pass"],
    }
    assert "holds 2 cases; test at least 4" in outcome["test_the_cases_pass"]


def test_a_python_plugin_setting_its_own_source_fails(tmp_path: pathlib.Path) -> None:
    outcome = run(PythonPluginTests, python_package(tmp_path, source='source="mine 1.0",'))
    assert list(failed(outcome)) == ["test_the_hook_leaves_the_source_to_the_host"]


def test_the_kind_must_match_the_class(tmp_path: pathlib.Path) -> None:
    assert "test_it_is_a_python_plugin" in failed(run(PythonPluginTests, data_package(tmp_path)))


def test_two_entry_points_are_refused(tmp_path: pathlib.Path) -> None:
    package = data_package(tmp_path)
    _replace("pyproject.toml", "[tool", 'other = "cssp_gdtest:other.toml"\n\n[tool')(tmp_path)
    with pytest.raises(AssertionError, match="declares 2 entry points"):
        package.entry_point  # noqa: B018


def test_the_names_load_lazily_from_cssp_testing() -> None:
    assert cssp.testing.PluginPackage is PluginPackage
    assert cssp.testing.DataPluginTests is DataPluginTests
    assert PluginPackage.of_test(__file__).root == pathlib.Path(__file__).resolve().parents[1]


def test_importing_it_does_not_import_hypothesis() -> None:
    import subprocess

    code = textwrap.dedent(
        """\
        import sys
        import cssp.testing.plugin
        print("hypothesis" in sys.modules)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "False"
