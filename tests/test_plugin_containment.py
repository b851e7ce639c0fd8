"""Plugins contained: a plugin that hangs, returns wrong types, mutates or oversteps is named.

cssp cannot sandbox a Python plugin: it runs in the same process, with the
same rights (``SECURITY.md``). What the plugin host does, and these tests
show:

* **hangs**: a plugin's import and each call of its hook run under a time
  limit (``timeout=``, ``CSSP_PLUGIN_TIMEOUT``); past it, a ``PluginError``
  names the distribution and the entry point;
* **wrong types**: what a plugin returns must be a list of profiles, and the
  model's objects check the type of every field when they are built; a
  mismatch names the plugin, the field, the object and the plugin's line;
* **mutation**: the model and the catalogue are frozen, their mappings
  read-only, and a plugin's returned list is copied, so a plugin cannot change
  what other users of cssp see through those objects;
* **scopes**: the profiles of an installed plugin carry its distribution's name
  in every step of provenance (whatever source they claim), and the scopes each
  distribution may set can be restricted (``allowed_scopes=``,
  ``CSSP_PLUGIN_SCOPES``): a distribution named for Guangdong (``44``) that
  sets Zhejiang's targets (``33``) is then refused, naming both.
"""

from __future__ import annotations

import importlib.metadata
import pathlib
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

import attrs
import pytest

import cssp
import cssp.plugins
from cssp import (
    Citation,
    Community,
    Facility,
    Override,
    PluginError,
    Profile,
    ProfileConflictError,
    Text,
)
from cssp.plugins import DISABLE_AUTOLOAD_ENV, SCOPES_ENV, TIMEOUT_ENV

AREA: Final = "facility_area_per_100_households"  # ≥30 m² per 100 households
GATE: Final = "cssp_test_containment_gate"  # a module holding an Event the slow plugins wait on


def make_profile(name: str, scope: str, threshold: str = "32", **fields: Any) -> Profile:
    values: dict[str, Any] = {
        "id": name,
        "plan": "fyp14",
        "scope": scope,
        "title": Text(f"{name}规划", f"{name} plan"),
        "issuer": f"{name} issuer",
        "document": f"{name} doc",
        "overrides": (Override(AREA, threshold, Citation(f"{name} doc")),),
    }
    values.update(fields)
    return Profile(**values)


def module_plugin(name: str, **hooks: Callable[..., Any]) -> types.ModuleType:
    module = types.ModuleType(name)
    for hook_name, function in hooks.items():
        setattr(module, hook_name, function)
    return module


def profiles_plugin(name: str, returned: Callable[[], object]) -> types.ModuleType:
    """A plugin whose cssp_profiles returns what ``returned()`` gives."""

    @cssp.hookimpl
    def cssp_profiles() -> object:
        return returned()

    return module_plugin(name, cssp_profiles=cssp_profiles)


def area_of(profiles: cssp.ProfileSet, code: str) -> cssp.Target:
    (found,) = (t for t in profiles.effective("fyp14", code).targets if t.id == AREA)
    return found


# --- fake installed distributions ---------------------------------------------------------

PROFILE_TOML: Final = """\
schema = 1
id = "{id}"
plan = "fyp14"
scope = "{scope}"
title = {{ zh = "{id}规划", en = "{id} plan" }}
issuer = "{id} issuer"
document = "{id} doc"

[[overrides]]
target = "{target}"
threshold = "{threshold}"
"""

PYTHON_PLUGIN: Final = """\
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
            source={source!r},
        )
    ]
"""


class Site:
    """A directory on sys.path holding fake installed distributions (their metadata and files)."""

    def __init__(self, root: pathlib.Path) -> None:
        self.root = root
        self.entry_points: list[str] = []
        self.modules: list[str] = []

    def add(
        self, name: str, version: str, entry_points: Mapping[str, str], files: Mapping[str, str]
    ) -> None:
        info = self.root / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
        )
        lines = "".join(f"{key} = {value}\n" for key, value in entry_points.items())
        (info / "entry_points.txt").write_text(f"[cssp]\n{lines}", encoding="utf-8")
        for path, text in files.items():
            file = self.root / path
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(text, encoding="utf-8")
            self.modules.append(path.partition("/")[0].removesuffix(".py"))
        self.entry_points.extend(entry_points)

    def others(self) -> list[str]:
        """The entry points installed for real (the shipped province plugins): to block them."""
        found = importlib.metadata.entry_points(group=cssp.plugins.ENTRY_POINT_GROUP)
        return sorted({ep.name for ep in found} - set(self.entry_points))


@pytest.fixture
def site(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    fake = Site(tmp_path / "site")
    fake.root.mkdir()
    monkeypatch.syspath_prepend(str(fake.root))
    monkeypatch.delenv(DISABLE_AUTOLOAD_ENV, raising=False)
    monkeypatch.delenv(TIMEOUT_ENV, raising=False)
    monkeypatch.delenv(SCOPES_ENV, raising=False)
    cssp.plugins.reset()
    yield fake
    cssp.plugins.reset()
    for module in fake.modules:
        sys.modules.pop(module, None)


@pytest.fixture
def gate() -> Iterator[threading.Event]:
    """An Event, importable as a module, that the slow plugins wait on; opened at the end."""
    event = threading.Event()
    module = types.ModuleType(GATE)
    module.GATE = event  # type: ignore[attr-defined]
    sys.modules[GATE] = module
    yield event
    event.set()  # let the abandoned thread finish its import
    for thread in threading.enumerate():
        if thread.name == "cssp-plugin":
            thread.join(5)
    sys.modules.pop(GATE, None)


SLOW_IMPORT: Final = f"import {GATE}\n{GATE}.GATE.wait(60)\n"


# --- a plugin that hangs ------------------------------------------------------------------


def test_a_plugin_whose_import_hangs_is_named(site: Site, gate: threading.Event) -> None:
    site.add(
        "cssp-fake-slow", "1.0", {"slowpoke": "cssp_fake_slow"}, {"cssp_fake_slow.py": SLOW_IMPORT}
    )
    start = time.monotonic()
    with pytest.raises(PluginError) as caught:
        cssp.load_plugins(blocked=site.others(), timeout=0.2)
    assert time.monotonic() - start < 10
    assert caught.value.plugin == "cssp-fake-slow 1.0"
    message = str(caught.value)
    for part in ("cssp-fake-slow 1.0", "'slowpoke'", "cssp_fake_slow", "0.2 s", TIMEOUT_ENV):
        assert part in message


def test_the_time_limit_comes_from_the_environment(
    site: Site, gate: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.add(
        "cssp-fake-slow", "1.0", {"slowpoke": "cssp_fake_slow"}, {"cssp_fake_slow.py": SLOW_IMPORT}
    )
    monkeypatch.setenv(TIMEOUT_ENV, "0.2")
    with pytest.raises(PluginError, match=r"did not finish within 0\.2 s"):
        cssp.load_plugins(blocked=site.others())
    # the default host (what `cssp evaluate` uses) says the same
    with pytest.raises(PluginError, match="slowpoke"):
        cssp.plugins.default_profiles()


def test_a_slow_plugin_loads_within_its_time(site: Site, gate: threading.Event) -> None:
    site.add(
        "cssp-fake-slow",
        "1.0",
        {"slowpoke": "cssp_fake_slow"},
        {"cssp_fake_slow.py": SLOW_IMPORT + "from cssp import hookimpl\n"},
    )
    threading.Timer(0.1, gate.set).start()  # the import takes 0.1 s
    host = cssp.load_plugins(blocked=site.others(), timeout=30)
    assert "slowpoke" in {info.name for info in host.info()}


def test_a_time_limit_of_zero_means_none(site: Site, gate: threading.Event) -> None:
    site.add("cssp-fake-quick", "1.0", {"quick": "cssp_fake_quick"}, {"cssp_fake_quick.py": ""})
    seen: list[str] = []
    original = threading.Thread.start

    def start(self: threading.Thread) -> None:
        seen.append(self.name)
        original(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(threading.Thread, "start", start)
        host = cssp.load_plugins(blocked=site.others(), timeout=0)
    assert "quick" in {info.name for info in host.info()}
    assert "cssp-plugin" not in seen  # loaded in the calling thread


@pytest.mark.parametrize("value", ["soon", "-1", "nan"])
def test_a_bad_time_limit_in_the_environment_is_named(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(TIMEOUT_ENV, value)
    with pytest.raises(PluginError, match=TIMEOUT_ENV):
        cssp.load_plugins(autoload=False)
    with pytest.raises(ValueError, match="timeout"):
        cssp.load_plugins(autoload=False, timeout=-1)


def test_a_hook_that_hangs_is_named(gate: threading.Event) -> None:
    def wait() -> list[Profile]:
        gate.wait(60)
        return []

    host = cssp.load_plugins(
        autoload=False, plugins=[profiles_plugin("cssp_stuck", wait)], timeout=0.2
    )
    with pytest.raises(PluginError) as caught:
        host.profile_set()
    assert caught.value.plugin == "cssp_stuck"
    assert "cssp_profiles did not return within 0.2 s" in str(caught.value)


def test_a_plugin_calling_sys_exit_is_named(site: Site) -> None:
    site.add(
        "cssp-fake-exit",
        "2.0",
        {"quitter": "cssp_fake_exit"},
        {"cssp_fake_exit.py": "import sys\nsys.exit('no data for this year')\n"},
    )
    with pytest.raises(PluginError) as caught:
        cssp.load_plugins(blocked=site.others())
    assert caught.value.plugin == "cssp-fake-exit 2.0"
    assert "sys.exit()" in str(caught.value)

    def leave() -> list[Profile]:
        sys.exit(3)

    host = cssp.load_plugins(autoload=False, plugins=[profiles_plugin("cssp_leaves", leave)])
    with pytest.raises(PluginError, match=r"cssp_leaves: cssp_profiles called sys\.exit"):
        host.profiles()


def test_a_keyboard_interrupt_raised_at_import_is_the_plugins_error(site: Site) -> None:
    # not the user's Ctrl-C: it came from the plugin's import, in the plugin's thread
    site.add(
        "cssp-fake-interrupt",
        "1.5",
        {"interrupter": "cssp_fake_interrupt"},
        {"cssp_fake_interrupt.py": "raise KeyboardInterrupt\n"},
    )
    with pytest.raises(PluginError) as caught:
        cssp.load_plugins(blocked=site.others())
    assert caught.value.plugin == "cssp-fake-interrupt 1.5"
    assert "raised KeyboardInterrupt" in str(caught.value)


def test_a_hook_raising_a_base_exception_is_the_plugins_error() -> None:
    class Odd(BaseException):
        pass

    def odd() -> list[Profile]:
        raise Odd("not an Exception")

    host = cssp.load_plugins(autoload=False, plugins=[profiles_plugin("cssp_odd", odd)])
    with pytest.raises(PluginError, match=r"cssp_odd: cssp_profiles raised Odd: not an Exception"):
        host.profiles()


@pytest.mark.parametrize("value", ["1e400", "inf", "-inf", "99999999999", "604800.5"])
def test_a_time_limit_beyond_a_week_is_named_not_a_plugin(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(TIMEOUT_ENV, value)
    with pytest.raises(PluginError, match=f"{TIMEOUT_ENV}: '{value}' is not a number of seconds"):
        cssp.load_plugins(autoload=False)
    with pytest.raises(ValueError, match="timeout"):
        cssp.load_plugins(autoload=False, timeout=float(value))


# --- a plugin that builds objects of the wrong types ---------------------------------------
# (a plugin that raises, or returns something that is not a list of profiles, is
# tested in test_plugins.py; here the objects it builds refuse a field of the
# wrong type when they are built, and the plugin host names the plugin)


def make_target(**fields: Any) -> cssp.Target:
    values: dict[str, Any] = {
        "id": "gd_new",
        "indicator": "gd_new",
        "comparator": cssp.Comparator.GE,
        "value": 5.0,
        "unit": "percent",
        "year": 2025,
        "scope": cssp.Scope.ALL,
        "levels": frozenset({cssp.Level.REGION}),
        "attribute": cssp.Attribute.UNSPECIFIED,
        "strength": cssp.Strength.QUANTIFIED,
        "citation": Citation("d"),
        "name": Text("新", "new"),
    }
    values.update(fields)
    return cssp.Target(**values)


def wrong_indicator() -> cssp.Indicator:
    name, label, kind = Text("新", "new"), Text("%", "%"), cssp.IndicatorKind.RATIO
    targets = (make_target(), "a target")
    return cssp.Indicator(
        "gd_new",
        name,
        "percent",
        label,
        kind,
        None,
        Citation("d"),
        targets=targets,  # type: ignore[arg-type]
    )


def gd(**fields: Any) -> Callable[[], Profile]:
    return lambda: make_profile("gd", "44", **fields)


#: (what the plugin builds, the field named, the object named)
WRONG_FIELDS: Final[list[tuple[Callable[[], object], str, str]]] = [
    (gd(overrides=["a string"]), "overrides[0]", "profile 'gd'"),
    (gd(overrides=5), "overrides", "profile 'gd'"),
    (lambda: Override(AREA, 32, Citation("d")), "threshold", "an Override"),  # type: ignore[arg-type]
    (lambda: Override(AREA, "32", "a citation"), "citation", "an Override"),  # type: ignore[arg-type]
    (lambda: Override(AREA, "32", Citation("d"), year="2025"), "year", "an Override"),  # type: ignore[arg-type]
    (gd(indicators=["an indicator"]), "indicators[0]", "profile 'gd'"),
    (gd(staffing="one worker per 300 households"), "staffing", "profile 'gd'"),
    (gd(plan=14), "plan", "profile 'gd'"),
    (gd(id=None), "id", "a Profile"),
    (gd(title="a title"), "title", "profile 'gd'"),
    (lambda: Text("标题", None), "en", "a Text"),  # type: ignore[arg-type]
    (lambda: Citation(None), "document", "a Citation"),  # type: ignore[arg-type]
    (gd(issued="2022-01-01"), "issued", "profile 'gd'"),
    (gd(measures={"m": "not a measure"}), "measures['m']", "profile 'gd'"),
    (lambda: make_target(comparator=">="), "comparator", "target 'gd_new'"),
    (lambda: make_target(levels=frozenset({"region"})), "levels", "target 'gd_new'"),
    (lambda: make_target(year="2025"), "year", "target 'gd_new'"),
    (wrong_indicator, "targets[1]", "indicator 'gd_new'"),
]  # fmt: skip


def _case_id(where: str, owner: str) -> str:
    """``profile.overrides[0]``, ``Override.threshold`` …"""
    kind = owner.partition(" ")[0] if owner.endswith("'") else owner.rpartition(" ")[2]
    return f"{kind}.{where}"


_IDS: Final = [_case_id(where, owner) for _, where, owner in WRONG_FIELDS]


@pytest.mark.parametrize(("build", "where", "owner"), WRONG_FIELDS, ids=_IDS)
def test_an_object_with_a_field_of_the_wrong_type_is_refused_when_built(
    build: Callable[[], object], where: str, owner: str
) -> None:
    with pytest.raises(cssp.InputError) as caught:
        build()
    assert caught.value.path == where
    assert str(caught.value).startswith(f"{where}: ")
    assert " is not a" in str(caught.value)
    assert str(caught.value).endswith(f", in {owner}")


@pytest.mark.parametrize(("build", "where", "owner"), WRONG_FIELDS, ids=_IDS)
def test_a_plugin_building_a_field_of_the_wrong_type_is_named_with_the_field(
    build: Callable[[], object], where: str, owner: str
) -> None:
    host = cssp.load_plugins(autoload=False, plugins=[profiles_plugin("cssp_typed", build)])
    with pytest.raises(PluginError) as caught:
        host.profile_set()
    assert caught.value.plugin == "cssp_typed"
    message = str(caught.value)
    assert f"plugin cssp_typed: cssp_profiles: {where}: " in message
    assert f", in {owner} (at tests/test_plugin_containment.py:" in message
    assert isinstance(caught.value.__cause__, cssp.InputError)


TYPO_PLUGIN: Final = """\
from cssp import Citation, Override, Profile, Text, hookimpl

THRESHOLD = {threshold}
OVERRIDE = {override}


@hookimpl
def cssp_profiles():
    return [
        Profile(
            id="typed",
            plan="fyp14",
            scope="44",
            title=Text("规划", "plan"),
            issuer="issuer",
            document="doc",
            overrides=(Override("{target}", THRESHOLD, Citation("doc")),),
        )
    ]
"""


@pytest.mark.parametrize(
    ("override", "threshold", "message"),
    [
        (
            'Override("x", 1, Citation("doc"))',  # built when the module is imported
            '"32"',
            "importing cssp_fake_typed: threshold: 1 (int) is not a str, in an Override "
            "(at site/cssp_fake_typed.py:4)",
        ),
        (
            "None",
            "32",  # built when the hook is called
            "cssp_profiles: threshold: 32 (int) is not a str, in an Override "
            "(at site/cssp_fake_typed.py:17)",
        ),
    ],
    ids=["at import", "in the hook"],
)
def test_an_installed_plugin_building_a_wrong_type_is_named_with_its_version(
    site: Site, override: str, threshold: str, message: str
) -> None:
    source = TYPO_PLUGIN.format(override=override, threshold=threshold, target=AREA)
    site.add("cssp-fake-typed", "2.1", {"typed": "cssp_fake_typed"}, {"cssp_fake_typed.py": source})
    with pytest.raises(PluginError) as caught:
        cssp.load_plugins(blocked=site.others()).profiles()
    assert caught.value.plugin == "cssp-fake-typed 2.1"
    assert str(caught.value) == f"plugin cssp-fake-typed 2.1: {message}"


def test_the_shipped_and_documented_profiles_have_the_right_types() -> None:
    """The checks find nothing wrong with well-made profiles (no false alarm)."""
    root = pathlib.Path(__file__).resolve().parents[1]
    files = [
        *root.glob("plugins/*/cssp_*/profile.toml"),
        root / "docs/howto/cssp-myprovince/cssp_myprovince/profile.toml",
    ]
    assert files
    host = cssp.load_plugins(autoload=False, profiles=[cssp.load_profile(f) for f in files])
    assert len(host.profiles()) == len(files)
    staffing = cssp.HouseholdStaffingRule(
        Citation("d"), Text("每300户1人", "1 per 300"), households_per_worker=300
    )
    assert cssp.load_plugins(autoload=False, profiles=[make_profile("s", "44", staffing=staffing)])


# --- a plugin's hook is called once ------------------------------------------------------


def test_each_plugin_s_hook_is_called_once() -> None:
    """Listing the plugins and reading their profiles call each hook once, not once per plugin."""
    calls: dict[str, int] = {}

    def counting(name: str, scope: str, source: str = "") -> types.ModuleType:
        def profiles() -> list[Profile]:
            calls[name] = calls.get(name, 0) + 1
            return [make_profile(name, scope, source=source)]

        return profiles_plugin(f"cssp_{name}", profiles)

    plugins = [counting("gd", "44"), counting("zj", "33"), counting("hb", "42", "hb-own 1.0")]
    host = cssp.load_plugins(autoload=False, plugins=plugins)
    infos = host.info()
    assert calls == {"gd": 1, "zj": 1, "hb": 1}
    # each plugin's profiles are its own, whatever source a profile sets
    assert [(i.name, i.profiles) for i in infos] == [
        ("cssp_gd", ("gd",)),
        ("cssp_hb", ("hb",)),
        ("cssp_zj", ("zj",)),
    ]
    host.profiles()
    host.profile_set()
    assert host.info() == infos
    assert calls == {"gd": 1, "zj": 1, "hb": 1}


def test_a_hook_that_failed_is_called_again() -> None:
    """Only what a hook returned is kept: a failure is not, so it is reported each time."""
    calls: list[int] = []

    def failing() -> list[Profile]:
        calls.append(1)
        raise OSError("the sheet is not there")

    host = cssp.load_plugins(autoload=False, plugins=[profiles_plugin("cssp_failing", failing)])
    for _ in range(2):
        with pytest.raises(PluginError, match="the sheet is not there"):
            host.info()
    assert len(calls) == 2


# --- a plugin that mutates shared objects ------------------------------------------------


def shared_objects() -> list[tuple[str, object, str, object]]:
    """A sample of what every user of cssp shares: (name, object, attribute, new value)."""
    plan = cssp.load_plan("fyp14")
    indicator = plan.indicators[AREA]
    target = indicator.targets[0]
    profile = make_profile("gd", "44")
    community = Community("440106001001", households=100)
    effective = cssp.effective_targets("fyp14", "440106001001", profiles=[profile])
    return [
        ("Plan", plan, "title", Text("x", "x")),
        ("Indicator", indicator, "targets", ()),
        ("Target", target, "value", 0.0),
        ("Citation", target.citation, "document", "x"),
        ("Provenance", effective.targets[0].provenance[0], "value", 0.0),
        ("Text", plan.title, "zh", "x"),
        ("Profile", profile, "scope", "33"),
        ("Override", profile.overrides[0], "threshold", "0"),
        ("Community", community, "households", 0),
        ("Facility", Facility("comprehensive", floor_area=1), "floor_area", 0.0),
        ("Staff", community.staff, "community_workers", 99),
        ("EffectiveTargets", effective, "pairs", ()),
    ]


@pytest.mark.parametrize(
    ("obj", "attribute", "value"),
    [(o, a, v) for _, o, a, v in shared_objects()],
    ids=[name for name, *_ in shared_objects()],
)
def test_frozen_model_objects_cannot_be_changed(obj: object, attribute: str, value: object) -> None:
    before = getattr(obj, attribute)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(obj, attribute, value)
    assert getattr(obj, attribute) is before


def test_the_catalogue_and_profile_mappings_are_read_only() -> None:
    plan = cssp.load_plan("fyp14")
    indicator = plan.indicators[AREA]
    with pytest.raises(TypeError):
        plan.indicators[AREA] = indicator  # type: ignore[index]
    with pytest.raises(TypeError):
        del plan.indicators[AREA]  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        plan.targets["x"] = indicator.targets[0]  # type: ignore[index]
    with pytest.raises(TypeError):
        make_profile("gd", "44").measures["x"] = None  # type: ignore[index]
    with pytest.raises(TypeError):
        Community("440106001001", extra={"a": 1}).extra["a"] = 2  # type: ignore[index]
    with pytest.raises(AttributeError):
        plan.indicators[AREA].targets.append(None)  # type: ignore[attr-defined]


def test_a_plugin_trying_to_change_the_national_plan_fails_and_changes_nothing() -> None:
    plan = cssp.load_plan("fyp14")
    before = plan.indicators[AREA].targets[0].value

    def tamper() -> list[Profile]:
        target = cssp.load_plan("fyp14").indicators[AREA].targets[0]
        target.value = 0.0  # type: ignore[misc]
        return []

    host = cssp.load_plugins(autoload=False, plugins=[profiles_plugin("cssp_tamper", tamper)])
    with pytest.raises(PluginError) as caught:
        host.profile_set()
    assert caught.value.plugin == "cssp_tamper"
    assert isinstance(caught.value.__cause__, attrs.exceptions.FrozenInstanceError)
    assert cssp.load_plan("fyp14").indicators[AREA].targets[0].value == before == 30.0


def test_a_plugin_changing_its_lists_later_changes_nothing() -> None:
    returned = [make_profile("gd", "44", "32")]
    overrides = [Override(AREA, "33", Citation("zj doc"))]
    returned.append(make_profile("zj", "33", overrides=overrides))  # a list, not a tuple
    host = cssp.load_plugins(
        autoload=False, plugins=[profiles_plugin("cssp_lists", lambda: returned)]
    )
    profiles = host.profile_set()
    # later, the plugin changes what it returned, and what it built its profiles from
    returned.append(make_profile("hb", "42", "99"))
    returned[0] = make_profile("gd", "44", "99")
    overrides[0] = Override(AREA, "99", Citation("zj doc"))
    assert sorted(p.id for p in profiles.profiles) == ["gd", "zj"]
    assert area_of(profiles, "440106001001").value == 32.0
    assert area_of(profiles, "330106001001").value == 33.0
    assert area_of(profiles, "420106001001").value == 30.0


def test_one_host_s_plugins_do_not_reach_another_user() -> None:
    host = cssp.load_plugins(
        autoload=False,
        plugins=[profiles_plugin("cssp_local", lambda: [make_profile("gd", "44", "40")])],
    )
    assert area_of(host.profile_set(), "440106001001").value == 40.0
    community = Community(
        "440106001001", households=1000, facilities=[Facility("comprehensive", floor_area=320)]
    )
    # another host, the national plan alone, the default profiles: untouched
    assert area_of(cssp.load_plugins(autoload=False).profile_set(), "440106001001").value == 30.0
    assert cssp.evaluate(community, profiles=()).finding(AREA).status is cssp.Status.MET
    assert cssp.evaluate(community, profiles=host.profile_set()).finding(AREA).status is (
        cssp.Status.NOT_MET
    )


# --- a plugin that oversteps its scope --------------------------------------------------------


def guangdong_touching_zhejiang(site: Site, *, kind: str = "toml", source: str = "") -> None:
    """A distribution named for Guangdong (44) whose profile sets Zhejiang's targets (33)."""
    if kind == "toml":
        site.add(
            "cssp-fake-guangdong",
            "0.3",
            {"fakegd": "cssp_fake_gd:profile.toml"},
            {
                "cssp_fake_gd/__init__.py": "",
                "cssp_fake_gd/profile.toml": PROFILE_TOML.format(
                    id="fake-gd", scope="33", target=AREA, threshold="≥35"
                ),
            },
        )
    else:
        site.add(
            "cssp-fake-guangdong",
            "0.3",
            {"fakegd": "cssp_fake_gd_py"},
            {
                "cssp_fake_gd_py.py": PYTHON_PLUGIN.format(
                    id="fake-gd", scope="3301", target=AREA, threshold="≥35", source=source
                )
            },
        )


@pytest.mark.parametrize("kind", ["toml", "python"])
def test_a_distribution_setting_a_scope_it_may_not_is_refused(site: Site, kind: str) -> None:
    guangdong_touching_zhejiang(site, kind=kind)
    host = cssp.load_plugins(blocked=site.others(), allowed_scopes={"cssp-fake-guangdong": ["44"]})
    with pytest.raises(PluginError) as caught:
        host.profile_set()
    assert caught.value.plugin == "cssp-fake-guangdong 0.3"
    message = str(caught.value)
    for part in ("'fake-gd'", "33", "outside the scopes cssp-fake-guangdong may set (44)"):
        assert part in message


def test_a_distribution_within_its_scopes_is_loaded(site: Site) -> None:
    guangdong_touching_zhejiang(site, kind="python")  # scope 3301, within 33
    host = cssp.load_plugins(blocked=site.others(), allowed_scopes={"cssp_Fake.Guangdong": "33"})
    area = area_of(host.profile_set(), "330106001001")
    assert (area.value, area.provenance[-1].source) == (35.0, "cssp-fake-guangdong 0.3")


def test_a_distribution_not_listed_may_set_no_scope(site: Site) -> None:
    guangdong_touching_zhejiang(site)
    host = cssp.load_plugins(blocked=site.others(), allowed_scopes={"cssp-fake-zhejiang": ["33"]})
    with pytest.raises(PluginError, match="the distribution cssp-fake-guangdong may set no scope"):
        host.profiles()
    # profiles and plugins given in code are the caller's own: not restricted
    host = cssp.load_plugins(
        autoload=False,
        profiles=[make_profile("mine", "33")],
        plugins=[profiles_plugin("cssp_mine", lambda: [make_profile("also-mine", "11")])],
        allowed_scopes={},
    )
    assert len(host.profile_set()) == 2


def test_the_allowed_scopes_come_from_the_environment(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    guangdong_touching_zhejiang(site)
    monkeypatch.setenv(SCOPES_ENV, "cssp_fake_guangdong=44,4401 ; cssp-beijing=11")
    host = cssp.load_plugins(blocked=site.others())
    with pytest.raises(PluginError, match="outside the scopes cssp-fake-guangdong may set"):
        host.profile_set()
    monkeypatch.setenv(SCOPES_ENV, "cssp-fake-guangdong=33")
    assert (
        area_of(cssp.load_plugins(blocked=site.others()).profile_set(), "330106001001").value == 35
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("cssp-fake-guangdong", "is not DISTRIBUTION=SCOPE"),
        ("=44", "is not DISTRIBUTION"),
        ("cssp-x=4", "'4' is not a division code"),
    ],
)
def test_bad_allowed_scopes_are_named(
    monkeypatch: pytest.MonkeyPatch, value: str, message: str
) -> None:
    monkeypatch.setenv(SCOPES_ENV, value)
    with pytest.raises(PluginError, match=message) as caught:
        cssp.load_plugins(autoload=False)
    assert caught.value.plugin == SCOPES_ENV
    monkeypatch.delenv(SCOPES_ENV)
    with pytest.raises(PluginError, match="allowed_scopes"):
        cssp.load_plugins(autoload=False, allowed_scopes={"cssp-x": ["99"]})


def test_a_distribution_cannot_claim_another_s_name_in_provenance(site: Site) -> None:
    guangdong_touching_zhejiang(site, kind="python", source="cssp-zhejiang 1.0")
    host = cssp.load_plugins(blocked=site.others())
    (profile,) = host.profiles()
    assert profile.source == "cssp-fake-guangdong 0.3"
    steps = area_of(host.profile_set(), "330106001001").provenance
    assert [step.source for step in steps[1:]] == ["cssp-fake-guangdong 0.3"]
    info = {i.name: i for i in host.info()}["fakegd"]
    assert (info.distribution, info.scopes) == ("cssp-fake-guangdong", ("3301",))


def test_two_distributions_setting_one_scope_conflict_naming_both(site: Site) -> None:
    guangdong_touching_zhejiang(site)
    site.add(
        "cssp-fake-zhejiang",
        "1.1",
        {"fakezj": "cssp_fake_zj:profile.toml"},
        {
            "cssp_fake_zj/__init__.py": "",
            "cssp_fake_zj/profile.toml": PROFILE_TOML.format(
                id="fake-zj", scope="33", target=AREA, threshold="≥34"
            ),
        },
    )
    with pytest.raises(ProfileConflictError) as caught:
        cssp.load_plugins(blocked=site.others()).profile_set()
    for part in ("cssp-fake-guangdong 0.3", "cssp-fake-zhejiang 1.1", "'33'", AREA):
        assert part in str(caught.value)


def test_the_measures_cannot_be_replaced_in_place() -> None:
    from cssp.model.measures import MEASURES

    with pytest.raises(TypeError):
        MEASURES["facility_area_per_household"] = MEASURES["comprehensive_facility"]  # type: ignore[index]
