"""Tests for the ``cssp`` command, run the way a user runs it: in a subprocess.

Both ``python -m cssp`` and the ``cssp`` console script installed in the
environment's bin directory are exercised. Installed plugins are switched off
(conftest sets ``CSSP_DISABLE_PLUGIN_AUTOLOAD``, which subprocesses inherit)
except where a test says otherwise.
"""

from __future__ import annotations

import importlib.metadata
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

VERSION = importlib.metadata.version("cssp")
SCRIPT = pathlib.Path(sys.executable).parent / "cssp"
DISABLE = "CSSP_DISABLE_PLUGIN_AUTOLOAD"

MODULE = [sys.executable, "-m", "cssp"]
COMMANDS = {"python -m cssp": MODULE, "cssp script": [str(SCRIPT)]}


def run(
    *args: str,
    command: list[str] = MODULE,
    cwd: pathlib.Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture(params=list(COMMANDS), ids=list(COMMANDS))
def command(request: pytest.FixtureRequest) -> list[str]:
    name: str = request.param
    if name == "cssp script" and not SCRIPT.exists():
        pytest.skip(f"no console script at {SCRIPT}: cssp is not installed in this environment")
    return COMMANDS[name]


def test_version(command: list[str]) -> None:
    done = run("--version", command=command)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"cssp {VERSION}\n", "")


def test_no_command_is_a_usage_error(command: list[str]) -> None:
    done = run(command=command)
    assert done.returncode == 2
    assert "usage: cssp" in done.stdout + done.stderr
    assert "demo" in done.stdout + done.stderr


def test_an_unknown_command_is_a_usage_error() -> None:
    done = run("evaluat")
    assert done.returncode == 2
    assert "invalid choice" in done.stderr
    assert "Traceback" not in done.stderr


# --- demo ----------------------------------------------------------------------------------


def _marks(stdout: str) -> list[str]:
    return [
        line.strip()[0]
        for line in stdout.splitlines()
        if line.startswith("  ") and line.strip()[:1] in "✓✗?"
    ]


def test_demo_in_chinese(command: list[str]) -> None:
    done = run("demo", "--lang", "zh", command=command)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("cssp demo — 52 个示例社区")
    assert "“十四五”城乡社区服务体系建设规划" in out
    for region in ("西湖区（330106）", "松阳县（331124）", "天河区（440106）", "阳山县（441823）"):
        assert region in out
    marks = _marks(out)
    assert "✓" in marks
    assert "✗" in marks
    assert "每百户居民拥有社区综合服务设施面积" in out
    assert "个社区至少有一项未达标" in out
    assert done.stderr == ""


def test_demo_in_english_without_plugins() -> None:
    done = run("demo", "--lang", "en", "--no-plugins")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("cssp demo — 52 sample communities")
    assert "天河区 (440106), 14 communities" in out
    assert "✓ Comprehensive service facility area per 100 resident households" in out
    assert "≥30 m² per 100 households" in out
    assert "✗" in _marks(out)
    assert "communities fail at least one target" in out


def test_demo_by_province() -> None:
    done = run("demo", "--lang", "en", "--no-plugins", "--by", "province")
    assert done.returncode == 0, done.stderr
    assert "浙江省 (33), 25 communities" in done.stdout
    assert "广东省 (44), 27 communities" in done.stdout


def test_demo_with_a_bad_option_is_a_usage_error() -> None:
    done = run("demo", "--lang", "fr")
    assert done.returncode == 2
    assert "--lang" in done.stderr
    assert "Traceback" not in done.stderr


# --- plugins -------------------------------------------------------------------------------


def test_plugins_with_discovery_switched_off() -> None:
    done = run("plugins")
    assert done.returncode == 0, done.stderr
    assert "no cssp plugins" in done.stdout


def test_plugins_lists_an_installed_plugin(tmp_path: pathlib.Path) -> None:
    site = tmp_path / "site"
    info = site / "cssp_cli_guangxi-3.1.4.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: cssp-cli-guangxi\nVersion: 3.1.4\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[cssp]\ncliguangxi = cssp_cli_guangxi:profile.toml\n", encoding="utf-8"
    )
    package = site / "cssp_cli_guangxi"
    package.mkdir()
    (package / "__init__.py").write_text('raise RuntimeError("imported!")\n', encoding="utf-8")
    (package / "profile.toml").write_text(
        textwrap.dedent(
            """\
            schema = 1
            id = "cli-guangxi"
            plan = "fyp14"
            scope = "45"
            title = { zh = "广西（测试）", en = "Guangxi (test)" }
            issuer = "广西壮族自治区民政厅"
            document = "桂民发〔2099〕1号"
            """
        ),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k not in (DISABLE, "PYTHONPATH")}
    env["PYTHONPATH"] = str(site)
    done = run("plugins", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (line,) = (line for line in done.stdout.splitlines() if line.startswith("cliguangxi "))
    assert "cssp-cli-guangxi 3.1.4" in line
    assert "toml" in line
    assert "scopes: 45" in line
    assert "profiles: cli-guangxi" in line


# --- test-profile --------------------------------------------------------------------------

PROFILE = """\
schema = 1
id = "guangdong"
plan = "fyp14"
scope = "44"
title = { zh = "广东省城乡社区服务体系建设“十四五”规划", en = "Guangdong's plan" }
issuer = "广东省民政厅"
document = "广东省城乡社区服务体系建设“十四五”规划"
target_year = 2025

[[overrides]]
target = "facility_area_per_100_households"
threshold = "≥32 m^2 / (100 household)"
"""

CASES = """\
schema = 1
plan = "fyp14"
profiles = ["guangdong.toml"]

[[cases]]
name = "31 m² per 100 households meets the national 30 but not Guangdong's 32"
community = { code = "440106001001", households = 1000, facilities = [
    { kind = "comprehensive", floor_area = 310 } ] }
expect = { facility_area_per_100_households = "not_met" }

[[cases]]
name = "the same community in Zhejiang meets the national 30"
community = { code = "330106001001", households = 1000, facilities = [
    { kind = "comprehensive", floor_area = 310 } ] }
expect = { facility_area_per_100_households = "met" }

[[cases]]
name = "a county of two communities: 650 m² for 2000 households"
by = "county"
region = "440106"
communities = [
    { code = "440106001001", households = 1000, facilities = [
        { kind = "comprehensive", floor_area = 330 } ] },
    { code = "440106001002", households = 1000, facilities = [
        { kind = "comprehensive", floor_area = 320 } ] },
]
expect = { facility_area_per_100_households = "met" }

[[cases]]
name = "no households given"
community = { code = "440106001003", facilities = [ { kind = "comprehensive", floor_area = 320 } ] }
expect = { facility_area_per_100_households = "no_data" }
"""


def write_cases(folder: pathlib.Path, cases: str = CASES) -> pathlib.Path:
    (folder / "guangdong.toml").write_text(PROFILE, encoding="utf-8")
    file = folder / "cases.toml"
    file.write_text(cases, encoding="utf-8")
    return file


def test_test_profile_passes(tmp_path: pathlib.Path, command: list[str]) -> None:
    cases = write_cases(tmp_path)
    done = run("test-profile", str(cases), command=command)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "4 passed, 0 failed"
    assert sum(line.startswith("PASS ") for line in lines) == 4
    assert "FAIL" not in done.stdout


def test_test_profile_runs_from_another_directory(tmp_path: pathlib.Path) -> None:
    (tmp_path / "cases").mkdir()
    cases = write_cases(tmp_path / "cases")
    done = run("test-profile", str(cases.relative_to(tmp_path)), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "4 passed, 0 failed"


def test_test_profile_reports_a_failing_case(tmp_path: pathlib.Path) -> None:
    wrong = CASES.replace(
        'expect = { facility_area_per_100_households = "met" }\n\n[[cases]]\nname = "a county',
        'expect = { facility_area_per_100_households = "not_met" }\n\n[[cases]]\nname = "a county',
    )
    assert wrong != CASES
    cases = write_cases(tmp_path, wrong)
    done = run("test-profile", str(cases))
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    assert "FAIL" in out
    assert "the same community in Zhejiang meets the national 30" in out
    assert "facility_area_per_100_households: expected not_met, found met" in out
    assert "31 m² per 100 households" in out  # the finding's explanation
    assert out.splitlines()[-1] == "3 passed, 1 failed"
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            ('name = "no households given"', 'name = "no households given"\ncolour = "red"'),
            "colour",
        ),
        (("schema = 1\nplan", "schema = 1\nplann = 1\nplan"), "plann"),
        (('"no_data" }', '"nodata" }'), "cases[3]"),
        (('"no_data" }', '"no_data", no_such_target = "met" }'), "no_such_target"),
        (('[[cases]]\nname = "no', '[[cases]\nname = "no'), "TOML"),
    ],
    ids=[
        "unknown case key",
        "unknown top-level key",
        "unknown status",
        "unknown target",
        "bad TOML",
    ],
)
def test_test_profile_on_a_malformed_cases_file(
    tmp_path: pathlib.Path, change: tuple[str, str], words: str
) -> None:
    old, new = change
    assert old in CASES
    cases = write_cases(tmp_path, CASES.replace(old, new, 1))
    done = run("test-profile", str(cases))
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("cssp: error:")
    assert words in done.stderr
    assert "cases.toml" in done.stderr
    assert "Traceback" not in done.stderr


def test_test_profile_with_a_broken_profile(tmp_path: pathlib.Path) -> None:
    cases = write_cases(tmp_path)
    (tmp_path / "guangdong.toml").write_text(
        PROFILE.replace('threshold = "≥32 m^2 / (100 household)"', 'threshold = "32 kg"'),
        encoding="utf-8",
    )
    done = run("test-profile", str(cases))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "guangdong.toml" in done.stderr
    assert "overrides[0].threshold" in done.stderr
    assert "Traceback" not in done.stderr


def test_test_profile_on_a_missing_file(tmp_path: pathlib.Path) -> None:
    done = run("test-profile", str(tmp_path / "nope.toml"))
    assert done.returncode == 2
    assert "nope.toml" in done.stderr
    assert "Traceback" not in done.stderr
