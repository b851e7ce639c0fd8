"""Tests for the plugin host (cssp.plugins): registration, validation, discovery.

Explicit registration and pluggy's validation are tested in process; discovery
through the entry-point group ``cssp`` is tested with fake distributions on
``sys.path`` (as pluggy's own tests do) and once end to end: throw-away plugin
distributions are installed with pip into a temporary directory and found by
a fresh interpreter through their entry points.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import pathlib
import re
import subprocess
import sys
import textwrap
import types
import zipfile
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

import cssp
import cssp.plugins
from cssp import (
    Change,
    Citation,
    Community,
    Facility,
    Override,
    PluginError,
    PluginHost,
    PluginInfo,
    Profile,
    ProfileSet,
    Status,
    Text,
)
from cssp.plugins import DISABLE_AUTOLOAD_ENV

AREA = "facility_area_per_100_households"  # ≥30 m² per 100 households
WORKERS = "workers_per_10k_urban_residents"  # ≥18 per 10,000 urban residents
RURAL = "rural_facility_coverage"  # ≥80%


def make_profile(id: str, scope: str, overrides: Mapping[str, str], source: str = "") -> Profile:
    return Profile(
        id=id,
        plan="fyp14",
        scope=scope,
        title=Text(f"{id}规划", f"{id} plan"),
        issuer=f"{id} issuer",
        document=f"{id} doc",
        overrides=tuple(Override(t, v, Citation(f"{id} doc")) for t, v in overrides.items()),
        source=source,
    )


def module_plugin(name: str, **hooks: Callable[..., Any]) -> types.ModuleType:
    """A module-like plugin object with the given hook implementations."""
    module = types.ModuleType(name)
    for hook_name, function in hooks.items():
        setattr(module, hook_name, function)
    return module


def area_of(profiles: ProfileSet, code: str) -> cssp.Target:
    (found,) = (t for t in profiles.effective("fyp14", code).targets if t.id == AREA)
    return found


# --- explicit registration -----------------------------------------------------------------


def test_a_module_plugin_registered_explicitly_provides_its_profiles() -> None:
    @cssp.hookimpl
    def cssp_profiles() -> list[Profile]:
        return [make_profile("zhejiang", "33", {AREA: "35"})]

    host = cssp.load_plugins(
        autoload=False, plugins=[module_plugin("cssp_zj", cssp_profiles=cssp_profiles)]
    )
    assert isinstance(host, PluginHost)
    (profile,) = host.profiles()
    assert (profile.id, profile.scope, profile.source) == ("zhejiang", "33", "cssp_zj")
    assert host.info() == (
        PluginInfo(
            name="cssp_zj",
            distribution="",
            version="",
            kind="explicit",
            profiles=("zhejiang",),
            scopes=("33",),
        ),
    )
    area = area_of(host.profile_set(), "330106001001")
    assert area.value == 35.0
    assert area.provenance[-1].source == "cssp_zj"
    assert area.provenance[-1].change is Change.STRICTER
    assert area_of(host.profile_set(), "440106001001").value == 30.0


def test_a_plugin_keeps_the_source_it_sets_and_may_return_a_tuple() -> None:
    @cssp.hookimpl
    def cssp_profiles() -> tuple[Profile, ...]:
        return (
            make_profile("a", "33", {AREA: "31"}, source="my-own-source 3"),
            make_profile("b", "3301", {AREA: "32"}),
        )

    host = cssp.load_plugins(
        autoload=False, plugins=[module_plugin("cssp_two", cssp_profiles=cssp_profiles)]
    )
    assert [p.source for p in host.profiles()] == ["my-own-source 3", "cssp_two"]


def test_two_plugins_are_resolved_together() -> None:
    @cssp.hookimpl(specname="cssp_profiles")
    def province() -> list[Profile]:
        return [make_profile("zhejiang", "33", {AREA: "32"})]

    @cssp.hookimpl(specname="cssp_profiles")
    def city() -> list[Profile]:
        return [make_profile("hangzhou", "3301", {AREA: "34"})]

    for order in ([("p", province), ("c", city)], [("c", city), ("p", province)]):
        plugins = [module_plugin(f"cssp_{n}", cssp_profiles=f) for n, f in order]
        host = cssp.load_plugins(autoload=False, plugins=plugins)
        area = area_of(host.profile_set(), "330106001001")
        assert [(s.profile, s.value) for s in area.provenance] == [
            ("fyp14", 30.0),
            ("zhejiang", 32.0),
            ("hangzhou", 34.0),
        ]


def test_profiles_can_be_added_explicitly() -> None:
    host = cssp.load_plugins(autoload=False, profiles=[make_profile("gd", "44", {AREA: "32"})])
    assert host.info() == (PluginInfo("gd", "", "", "explicit", profiles=("gd",), scopes=("44",)),)
    assert area_of(host.profile_set(), "440106001001").provenance[-1].source == "gd"


def test_a_plugin_without_hooks_is_allowed() -> None:
    host = cssp.load_plugins(autoload=False, plugins=[module_plugin("cssp_empty")])
    assert host.profiles() == ()
    assert [i.name for i in host.info()] == ["cssp_empty"]


# --- validation: errors name the plugin ----------------------------------------------------


def test_a_misspelt_hook_fails_at_load_naming_the_plugin() -> None:
    @cssp.hookimpl
    def cssp_profile() -> list[Profile]:  # missing "s"
        return []

    with pytest.raises(PluginError) as caught:
        cssp.load_plugins(
            autoload=False, plugins=[module_plugin("cssp_typo", cssp_profile=cssp_profile)]
        )
    assert caught.value.plugin == "cssp_typo"
    assert "cssp_typo" in str(caught.value)
    assert "cssp_profile" in str(caught.value)


def test_a_hook_with_an_unknown_argument_fails_at_load() -> None:
    @cssp.hookimpl
    def cssp_profiles(province: str) -> list[Profile]:
        return []

    with pytest.raises(PluginError) as caught:
        cssp.load_plugins(
            autoload=False, plugins=[module_plugin("cssp_args", cssp_profiles=cssp_profiles)]
        )
    assert caught.value.plugin == "cssp_args"
    assert "province" in str(caught.value)


def test_a_plugin_that_raises_is_named() -> None:
    @cssp.hookimpl
    def cssp_profiles() -> list[Profile]:
        raise KeyError("no such sheet")

    host = cssp.load_plugins(
        autoload=False, plugins=[module_plugin("cssp_boom", cssp_profiles=cssp_profiles)]
    )
    with pytest.raises(PluginError) as caught:
        host.profile_set()
    assert caught.value.plugin == "cssp_boom"
    assert "no such sheet" in str(caught.value)
    assert isinstance(caught.value.__cause__, KeyError)


@pytest.mark.parametrize(
    "returned",
    [
        None,
        {"guangdong": "32"},
        "guangdong",
        make_profile("gd", "44", {AREA: "32"}),  # one profile, not a list
        [make_profile("gd", "44", {AREA: "32"}), "not a profile"],
        [{"id": "gd"}],
    ],
    ids=["None", "dict", "str", "bare profile", "list with a str", "list of dict"],
)
def test_a_plugin_returning_the_wrong_type_is_named(returned: object) -> None:
    @cssp.hookimpl
    def cssp_profiles() -> object:
        return returned

    host = cssp.load_plugins(
        autoload=False, plugins=[module_plugin("cssp_wrong", cssp_profiles=cssp_profiles)]
    )
    with pytest.raises(PluginError) as caught:
        host.profiles()
    assert caught.value.plugin == "cssp_wrong"
    assert "Profile" in str(caught.value)


def test_add_profile_refuses_a_non_profile() -> None:
    host = cssp.load_plugins(autoload=False)
    with pytest.raises(PluginError, match="cssp_x"):
        host.add_profile("guangdong", name="cssp_x")  # type: ignore[arg-type]


def test_a_plugin_building_an_invalid_profile_is_named() -> None:
    @cssp.hookimpl
    def cssp_profiles() -> list[Profile]:
        return [make_profile("guangdong", "4", {AREA: "32"})]

    host = cssp.load_plugins(
        autoload=False, plugins=[module_plugin("cssp_badscope", cssp_profiles=cssp_profiles)]
    )
    with pytest.raises(cssp.CsspError) as caught:
        host.profile_set()
    assert "cssp_badscope" in str(caught.value)


def test_an_invalid_profile_from_a_plugin_names_the_plugin_and_entry() -> None:
    @cssp.hookimpl
    def cssp_profiles() -> list[Profile]:
        return [make_profile("guangdong", "44", {RURAL: "30 m²"})]

    host = cssp.load_plugins(
        autoload=False, plugins=[module_plugin("cssp_gd", cssp_profiles=cssp_profiles)]
    )
    with pytest.raises(cssp.ProfileError) as caught:
        host.profile_set()
    assert (caught.value.source, caught.value.entry) == ("cssp_gd", "overrides[0].threshold")


def test_two_plugins_setting_one_target_for_one_scope_conflict_naming_both() -> None:
    @cssp.hookimpl(specname="cssp_profiles")
    def first() -> list[Profile]:
        return [make_profile("gd-one", "44", {AREA: "32"})]

    @cssp.hookimpl(specname="cssp_profiles")
    def second() -> list[Profile]:
        return [make_profile("gd-two", "44", {AREA: "33"})]

    plugins = [
        module_plugin("cssp_one", cssp_profiles=first),
        module_plugin("cssp_two", cssp_profiles=second),
    ]
    for order in (plugins, plugins[::-1]):
        with pytest.raises(cssp.ProfileConflictError) as caught:
            cssp.load_plugins(autoload=False, plugins=order).profile_set()
        for name in ("cssp_one", "cssp_two", "gd-one", "gd-two"):
            assert name in str(caught.value)


# --- discovery with fake distributions on sys.path -----------------------------------------

PROFILE_TOML = """\
schema = 1
id = "{id}"
plan = "fyp14"
scope = "{scope}"
title = {{ zh = "{id}规划", en = "{id} plan" }}
issuer = "{id} issuer"
document = "{id} doc"
reported_by = {{ outlet = {{ zh = "测试", en = "a test" }} }}

[[overrides]]
target = "{target}"
threshold = "{threshold}"
"""

PYTHON_PLUGIN = """\
from cssp import Citation, Override, Profile, Text, hookimpl


@hookimpl
def cssp_profiles():
    return [
        Profile(
            id="{id}",
            plan="fyp14",
            scope="{scope}",
            title=Text("{id}规划", "{id} plan"),
            issuer="{id} issuer",
            document="{id} doc",
            overrides=(Override("{target}", "{threshold}", Citation("{id} doc")),),
        )
    ]
"""

RAISES_ON_IMPORT = 'raise RuntimeError("imported!")\n'


def fake_distribution(
    site: pathlib.Path,
    name: str,
    version: str,
    entry_points: Mapping[str, str],
    files: Mapping[str, str],
) -> None:
    """Write an installed distribution's metadata and files into ``site``."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    lines = "".join(f"{key} = {value}\n" for key, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[cssp]\n{lines}", encoding="utf-8")
    for path, text in files.items():
        file = site / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")


FAKE_PY_MODULE = "cssp_fake_hainan_py"


@pytest.fixture
def fake_site(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[pathlib.Path]:
    """A directory on sys.path with two fake plugin distributions (scopes 45 and 46)."""
    site = tmp_path / "site"
    fake_distribution(
        site,
        "cssp-fake-guangxi",
        "0.4.0",
        {
            "fakeguangxi": "cssp_fake_guangxi:profile.toml",
            "fakebroken": "cssp_fake_guangxi:missing.toml",
        },
        {
            "cssp_fake_guangxi/__init__.py": RAISES_ON_IMPORT,
            "cssp_fake_guangxi/profile.toml": PROFILE_TOML.format(
                id="fake-guangxi", scope="45", target=AREA, threshold="≥33"
            ),
        },
    )
    fake_distribution(
        site,
        "cssp-fake-hainan",
        "1.1",
        {"fakehainan": FAKE_PY_MODULE},
        {
            f"{FAKE_PY_MODULE}.py": PYTHON_PLUGIN.format(
                id="fake-hainan", scope="46", target=RURAL, threshold="≥95%"
            )
        },
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delenv(DISABLE_AUTOLOAD_ENV, raising=False)
    cssp.plugins.reset()
    yield site
    cssp.plugins.reset()
    sys.modules.pop(FAKE_PY_MODULE, None)
    sys.modules.pop("cssp_fake_guangxi", None)


def names(host: PluginHost) -> set[str]:
    return {info.name for info in host.info()}


def test_discovery_finds_entry_points(fake_site: pathlib.Path) -> None:
    host = cssp.load_plugins(blocked=["fakebroken"])
    infos = {info.name: info for info in host.info()}
    assert infos["fakeguangxi"] == PluginInfo(
        name="fakeguangxi",
        distribution="cssp-fake-guangxi",
        version="0.4.0",
        kind="toml",
        profiles=("fake-guangxi",),
        scopes=("45",),
    )
    assert infos["fakehainan"] == PluginInfo(
        name="fakehainan",
        distribution="cssp-fake-hainan",
        version="1.1",
        kind="python",
        profiles=("fake-hainan",),
        scopes=("46",),
    )
    assert infos["fakeguangxi"].source == "cssp-fake-guangxi 0.4.0"
    profiles = host.profile_set()
    area = area_of(profiles, "450102001001")
    assert area.value == 33.0
    assert area.provenance[-1].source == "cssp-fake-guangxi 0.4.0"
    (rural,) = (t for t in profiles.effective("fyp14", "460105001201").targets if t.id == RURAL)
    assert rural.value == 95.0
    assert rural.provenance[-1].source == "cssp-fake-hainan 1.1"
    # The data-only package is located, never imported (its __init__ raises).
    assert "cssp_fake_guangxi" not in sys.modules


def test_a_data_entry_point_that_cannot_be_found_names_the_distribution(
    fake_site: pathlib.Path,
) -> None:
    with pytest.raises(PluginError) as caught:
        cssp.load_plugins()
    assert caught.value.plugin == "cssp-fake-guangxi 0.4.0"
    assert "missing.toml" in str(caught.value)


def test_blocked_entry_points_are_not_loaded(fake_site: pathlib.Path) -> None:
    host = cssp.load_plugins(blocked=["fakebroken", "fakehainan"])
    assert "fakeguangxi" in names(host)
    assert not {"fakebroken", "fakehainan"} & names(host)
    assert FAKE_PY_MODULE not in sys.modules
    assert all(p.scope != "46" for p in host.profiles())


def test_autoload_false_switches_discovery_off(fake_site: pathlib.Path) -> None:
    host = cssp.load_plugins(autoload=False)
    assert host.info() == ()
    assert host.profiles() == ()


@pytest.mark.parametrize("value", ["1", "yes", "0"])
def test_the_environment_variable_switches_discovery_off(
    fake_site: pathlib.Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(DISABLE_AUTOLOAD_ENV, value)  # any non-empty value
    assert cssp.load_plugins().info() == ()
    # An explicit argument wins over the environment.
    assert "fakeguangxi" in names(cssp.load_plugins(autoload=True, blocked=["fakebroken"]))


def test_an_empty_environment_variable_does_not_switch_discovery_off(
    fake_site: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DISABLE_AUTOLOAD_ENV, "")
    assert "fakeguangxi" in names(cssp.load_plugins(blocked=["fakebroken"]))


def test_a_python_entry_point_that_fails_to_import_is_named(
    fake_site: pathlib.Path,
) -> None:
    fake_distribution(
        fake_site,
        "cssp-fake-broken",
        "9.0",
        {"fakeimport": "cssp_fake_import_error"},
        {"cssp_fake_import_error.py": "import cssp_no_such_module\n"},
    )
    with pytest.raises(PluginError) as caught:
        cssp.load_plugins(blocked=["fakebroken"])
    assert caught.value.plugin == "cssp-fake-broken 9.0"
    assert "cssp_no_such_module" in str(caught.value)
    sys.modules.pop("cssp_fake_import_error", None)


def test_list_plugins_and_the_default_profiles(
    fake_site: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The default host loads every entry point: drop the broken one from the site.
    entry_points = next(fake_site.glob("cssp_fake_guangxi-*.dist-info")) / "entry_points.txt"
    entry_points.write_text(
        "[cssp]\nfakeguangxi = cssp_fake_guangxi:profile.toml\n", encoding="utf-8"
    )
    infos = {info.name: info for info in cssp.list_plugins()}
    assert (infos["fakeguangxi"].version, infos["fakeguangxi"].scopes) == ("0.4.0", ("45",))
    assert (infos["fakehainan"].kind, infos["fakehainan"].scopes) == ("python", ("46",))
    # profiles=None means the installed plugins.
    community = Community(
        "450102001001", households=1000, facilities=[Facility("comprehensive", floor_area=320)]
    )
    assert cssp.evaluate(community).finding(AREA).status is Status.NOT_MET  # 32 < 33
    assert cssp.evaluate(community, profiles=()).finding(AREA).status is Status.MET  # 32 ≥ 30
    assert area_of(cssp.default_profiles(), "450102001001").value == 33.0


# --- end to end: real distributions installed with pip -------------------------------------

TMPPROV_TOML = f"""\
schema = 1
id = "tmp-guangxi"
plan = "fyp14"
scope = "45"
title = {{ zh = "广西壮族自治区城乡社区服务体系建设规划（测试）", en = "Guangxi (test)" }}
issuer = "广西壮族自治区民政厅"
document = "桂民发〔2099〕1号"
target_year = 2025

[[overrides]]
target = "{AREA}"
threshold = "≥32平方米/百户"
citation = {{ section = "二、", column = "专栏1", item = 4 }}
"""

NOIMPORT_TOML = f"""\
schema = 1
id = "tmp-hainan"
plan = "fyp14"
scope = "46"
title = {{ zh = "海南省规划（测试）", en = "Hainan (test)" }}
issuer = "海南省民政厅"
document = "琼民发〔2099〕1号"
target_year = 2025

[[overrides]]
target = "{RURAL}"
threshold = "≥95%"
"""

TMPPY_INIT = textwrap.dedent(
    """\
    \"\"\"A throw-away cssp plugin with Python hooks: Nanning's targets.\"\"\"

    from cssp import Citation, Override, Profile, Text, hookimpl


    @hookimpl
    def cssp_profiles():
        return [
            Profile(
                id="tmp-nanning",
                plan="fyp14",
                scope="4501",
                title=Text("南宁市规划（测试）", "Nanning (test)"),
                issuer="南宁市民政局",
                document="南民发〔2099〕1号",
                overrides=(
                    Override("{area}", "34", Citation("南民发〔2099〕1号", section="三、")),
                    Override("{workers}", "≥20人/万人", Citation("南民发〔2099〕1号")),
                ),
            )
        ]
    """
).format(area=AREA, workers=WORKERS)


class Project:
    """A throw-away plugin project: a pyproject for setuptools and one package."""

    def __init__(
        self,
        name: str,
        version: str,
        package: str,
        entry_points: Mapping[str, str],
        files: Mapping[str, str],
    ) -> None:
        self.name, self.version, self.package = name, version, package
        self.entry_points, self.files = dict(entry_points), dict(files)

    def write(self, root: pathlib.Path) -> pathlib.Path:
        project = root / self.name
        lines = "".join(f'{k} = "{v}"\n' for k, v in self.entry_points.items())
        data = [name for name in self.files if not name.endswith(".py")]
        (project / self.package).mkdir(parents=True)
        (project / "pyproject.toml").write_text(
            textwrap.dedent(
                f"""\
                [build-system]
                requires = ["setuptools"]
                build-backend = "setuptools.build_meta"

                [project]
                name = "{self.name}"
                version = "{self.version}"
                description = "A throw-away cssp plugin for cssp's tests"

                [project.entry-points.cssp]
                """
            )
            + lines
            + f'\n[tool.setuptools]\npackages = ["{self.package}"]\n'
            + f"\n[tool.setuptools.package-data]\n{self.package} = {json.dumps(data)}\n",
            encoding="utf-8",
        )
        for name, text in self.files.items():
            (project / self.package / name).write_text(text, encoding="utf-8")
        return project

    def wheel(self, root: pathlib.Path) -> pathlib.Path:
        """Build the same distribution as a wheel by hand (PEP 427), without a build backend."""
        stem = f"{self.name.replace('-', '_')}-{self.version}"
        info = f"{stem}.dist-info"
        lines = "".join(f"{k} = {v}\n" for k, v in self.entry_points.items())
        members = {f"{self.package}/{name}": text for name, text in self.files.items()}
        members[f"{info}/METADATA"] = (
            f"Metadata-Version: 2.1\nName: {self.name}\nVersion: {self.version}\n"
        )
        members[f"{info}/WHEEL"] = (
            "Wheel-Version: 1.0\nGenerator: cssp-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        members[f"{info}/entry_points.txt"] = f"[cssp]\n{lines}"
        record = []
        path = root / f"{stem}-py3-none-any.whl"
        with zipfile.ZipFile(path, "w") as archive:
            for member, text in members.items():
                data = text.encode("utf-8")
                archive.writestr(member, data)
                digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
                record.append(f"{member},sha256={digest.decode()},{len(data)}")
            record.append(f"{info}/RECORD,,")
            archive.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
        return path


PROJECTS = (
    Project(
        "cssp-tmpprov",
        "1.2.3",
        "cssp_tmpprov",
        {"tmpprov": "cssp_tmpprov:profile.toml"},
        {"__init__.py": '"""Guangxi\'s profile (data only)."""\n', "profile.toml": TMPPROV_TOML},
    ),
    Project(
        "cssp-tmppy",
        "2.0.0",
        "cssp_tmppy",
        {"tmppy": "cssp_tmppy"},
        {"__init__.py": TMPPY_INIT},
    ),
    Project(
        "cssp-tmpnoimport",
        "0.0.1",
        "cssp_tmpnoimport",
        {"tmpnoimport": "cssp_tmpnoimport:profile.toml"},
        {"__init__.py": RAISES_ON_IMPORT, "profile.toml": NOIMPORT_TOML},
    ),
)


def _setuptools_builds_wheels() -> bool:
    """setuptools ≥ 70.1 has bdist_wheel; older ones need the ``wheel`` package."""
    found = re.match(r"(\d+)\.(\d+)", importlib.metadata.version("setuptools"))
    version = (int(found[1]), int(found[2])) if found else (0, 0)
    return version >= (70, 1) or importlib.util.find_spec("wheel") is not None


def _install(root: pathlib.Path) -> pathlib.Path:
    """pip-install the throw-away projects into ``root/site``; return the site."""
    if importlib.util.find_spec("setuptools") is None:
        pytest.skip("setuptools is not importable in this environment: cannot build the plugins")
    site = root / "site"
    if _setuptools_builds_wheels():
        targets = [project.write(root / "projects") for project in PROJECTS]
    else:
        # pip builds a wheel from a project; this setuptools cannot (no bdist_wheel,
        # no `wheel` package), so the same distributions are built as wheels by hand.
        (root / "wheels").mkdir()
        targets = [project.wheel(root / "wheels") for project in PROJECTS]
    command = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation"]
    command += ["--no-index", "--disable-pip-version-check", "--quiet", "--target", str(site)]
    done = subprocess.run(
        [*command, *map(str, targets)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return site


PROBE = """\
import json, sys
import cssp

out = {"plugins": [], "targets": {}, "imported": {}}
for info in cssp.list_plugins():
    out["plugins"].append(
        {"name": info.name, "distribution": info.distribution, "version": info.version,
         "kind": info.kind, "profiles": list(info.profiles), "scopes": list(info.scopes)}
    )
for code in ("450102001001", "450205001001", "460105001201", "440106001001"):
    effective = cssp.effective_targets("fyp14", code)
    out["targets"][code] = {
        t.id: [[s.source, s.profile, s.scope, s.comparator.value, s.value, s.change.value,
                s.citation.document] for s in t.provenance]
        for t in effective.targets
    }
for module in ("cssp_tmpprov", "cssp_tmppy", "cssp_tmpnoimport"):
    out["imported"][module] = module in sys.modules
print(json.dumps(out, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Install the throw-away plugins and probe them from a fresh interpreter."""
    root = tmp_path_factory.mktemp("e2e")
    site = _install(root)
    env = {k: v for k, v in os.environ.items() if k not in (DISABLE_AUTOLOAD_ENV, "PYTHONPATH")}
    env["PYTHONPATH"] = str(site)
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=root,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    result["plugins"] = {p["name"]: p for p in result["plugins"]}
    return result


def test_end_to_end_a_data_plugin_is_found_through_its_entry_point(
    installed: dict[str, Any],
) -> None:
    assert installed["plugins"]["tmpprov"] == {
        "name": "tmpprov",
        "distribution": "cssp-tmpprov",
        "version": "1.2.3",
        "kind": "toml",
        "profiles": ["tmp-guangxi"],
        "scopes": ["45"],
    }
    # Elsewhere in Guangxi (outside Nanning) the provincial override is in force.
    steps = installed["targets"]["450205001001"][AREA]
    assert [step[:6] for step in steps[1:]] == [
        ["cssp-tmpprov 1.2.3", "tmp-guangxi", "45", ">=", 32.0, "stricter"],
    ]
    assert steps[0][1:5] == ["fyp14", "", ">=", 30.0]
    assert steps[1][6] == "桂民发〔2099〕1号"


def test_end_to_end_a_python_plugin_is_found_through_its_entry_point(
    installed: dict[str, Any],
) -> None:
    assert installed["plugins"]["tmppy"] == {
        "name": "tmppy",
        "distribution": "cssp-tmppy",
        "version": "2.0.0",
        "kind": "python",
        "profiles": ["tmp-nanning"],
        "scopes": ["4501"],
    }
    nanning = installed["targets"]["450102001001"]
    # The chain: the plan → Guangxi (data plugin) → Nanning (Python plugin).
    assert [step[:6] for step in nanning[AREA]] == [
        [nanning[AREA][0][0], "fyp14", "", ">=", 30.0, "set"],
        ["cssp-tmpprov 1.2.3", "tmp-guangxi", "45", ">=", 32.0, "stricter"],
        ["cssp-tmppy 2.0.0", "tmp-nanning", "4501", ">=", 34.0, "stricter"],
    ]
    assert nanning[WORKERS][-1][:6] == [
        "cssp-tmppy 2.0.0",
        "tmp-nanning",
        "4501",
        ">=",
        20.0,
        "stricter",
    ]
    assert installed["imported"]["cssp_tmppy"] is True


def test_end_to_end_a_data_plugin_is_never_imported(installed: dict[str, Any]) -> None:
    # cssp_tmpnoimport/__init__.py raises if imported: its profile loads all the same.
    assert installed["plugins"]["tmpnoimport"]["scopes"] == ["46"]
    assert installed["plugins"]["tmpnoimport"]["kind"] == "toml"
    steps = installed["targets"]["460105001201"][RURAL]
    assert steps[-1][:6] == ["cssp-tmpnoimport 0.0.1", "tmp-hainan", "46", ">=", 95.0, "stricter"]
    assert installed["imported"] == {
        "cssp_tmpprov": False,
        "cssp_tmppy": True,
        "cssp_tmpnoimport": False,
    }


def test_end_to_end_other_provinces_keep_the_national_plan(installed: dict[str, Any]) -> None:
    guangdong = installed["targets"]["440106001001"]
    assert all(step[1] != "tmp-guangxi" for steps in guangdong.values() for step in steps)
    assert guangdong[AREA][0][4] == 30.0
