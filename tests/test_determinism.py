"""Determinism: the same inputs give byte-identical JSON, whatever the process around them.

``SECURITY.md`` promises that evaluation is deterministic. These tests run
``cssp evaluate ... --format json`` in fresh interpreters that differ in what
could leak into the output: the string hash seed (``PYTHONHASHSEED``, which
orders sets and dicts of strings), the locale (``LC_ALL``: ``C``, ``C.UTF-8``,
and ``zh_CN.UTF-8`` where the system has it), the order of the input, and the
order in which plugins and profiles are registered (through the Python API).
The installed plugins are discovered in the subprocesses (discovery is switched
back on), so their profiles are part of what must not vary.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import pathlib
import subprocess
import sys
import types
from collections.abc import Sequence
from typing import Final

import pytest

import cssp
from cssp.io import communities_to_json, read_communities, write_atomic
from cssp.report import render_report

ROOT: Final = pathlib.Path(__file__).resolve().parents[1]
DATA: Final = ROOT / "tests" / "data"
COMMAND: Final = (sys.executable, "-m", "cssp", "evaluate")


@functools.cache
def _locales() -> frozenset[str]:
    try:
        done = subprocess.run(
            ["locale", "-a"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return frozenset()
    return frozenset(line.strip().lower().replace("-", "") for line in done.stdout.splitlines())


def _has_locale(name: str) -> bool:
    return name == "C" or name.lower().replace("-", "") in _locales()


def _environment(seed: str, locale: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("LC_")
        and key not in ("LANG", "LANGUAGE", "PYTHONHASHSEED", "CSSP_DISABLE_PLUGIN_AUTOLOAD")
    }
    env.update(PYTHONHASHSEED=seed, LC_ALL=locale, LANG=locale)
    return env


def evaluate(
    runs: Sequence[tuple[pathlib.Path, str, str]],
    folder: pathlib.Path,
    extra: Sequence[str] = (),
) -> list[bytes]:
    """``cssp evaluate FILE --format json -o OUT`` for each (file, seed, locale), two at a time.

    Each run is a fresh interpreter; the result is the bytes of each output file.
    """
    outputs = [folder / f"out{index}.json" for index in range(len(runs))]
    for start in range(0, len(runs), 2):
        started = [
            subprocess.Popen(
                [*COMMAND, str(file), *extra, "--format", "json", "-o", str(output)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                env=_environment(seed, locale),
            )
            for (file, seed, locale), output in list(zip(runs, outputs, strict=True))[
                start : start + 2
            ]
        ]
        for process in started:
            _, err = process.communicate(timeout=120)
            assert process.returncode == 0, err.decode("utf-8", "replace")
    return [output.read_bytes() for output in outputs]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return tmp_path_factory.mktemp("determinism")


@pytest.fixture(scope="module")
def sample(folder: pathlib.Path) -> pathlib.Path:
    """The sample communities (``cssp demo``'s) as a JSON file."""
    path = folder / "sample.json"
    write_atomic(path, communities_to_json(cssp.load_sample()))
    return path


@pytest.fixture(scope="module")
def reference(sample: pathlib.Path, folder: pathlib.Path) -> bytes:
    """The sample's JSON with PYTHONHASHSEED=0 and LC_ALL=C.UTF-8, installed plugins on."""
    (output,) = evaluate([(sample, "0", "C.UTF-8")], folder)
    assert output.startswith(b"{")
    return output


def test_the_hash_seed_and_the_locale_do_not_change_the_json(
    sample: pathlib.Path, reference: bytes, tmp_path: pathlib.Path
) -> None:
    runs = [(sample, "1", "C"), (sample, "12345", "C.UTF-8"), (sample, "random", "C")]
    if _has_locale("zh_CN.UTF-8"):
        runs.append((sample, "54321", "zh_CN.UTF-8"))
    for (_, seed, locale), output in zip(runs, evaluate(runs, tmp_path), strict=True):
        assert output == reference, f"PYTHONHASHSEED={seed} LC_ALL={locale} changed the JSON"


def test_the_order_of_the_input_does_not_change_the_json(
    sample: pathlib.Path, reference: bytes, tmp_path: pathlib.Path
) -> None:
    reversed_sample = tmp_path / "reversed.json"
    write_atomic(reversed_sample, communities_to_json(read_communities(sample)[::-1]))
    table = DATA / "communities.csv"
    shuffled = tmp_path / "shuffled.csv"
    header, *rows = table.read_text(encoding="utf-8").splitlines()
    shuffled.write_text("\n".join([header, *rows[1::2], *rows[::2]]) + "\n", encoding="utf-8")
    runs = [(reversed_sample, "random", "C"), (table, "1", "C"), (shuffled, "2", "C.UTF-8")]
    backwards, forward, mixed = evaluate(runs, tmp_path)
    assert backwards == reference
    assert forward == mixed


def test_the_command_and_the_api_give_the_same_json(
    sample: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    (command,) = evaluate([(sample, "1", "C")], tmp_path, extra=["--no-plugins"])
    report = cssp.evaluate_region(read_communities(sample), by="county", profiles=())
    assert render_report(report, "json").encode("utf-8") == command


# --- the order of registration, through the Python API ---------------------------------------


def _shipped_profiles() -> list[cssp.Profile]:
    """The shipped data-only profiles, as their plugins would give them."""
    profiles = []
    for folder in sorted((ROOT / "plugins").glob("cssp-*")):
        for file in folder.glob("cssp_*/profile.toml"):
            profiles.append(cssp.load_profile(file, source=f"{folder.name} 0.1.0"))
    return profiles


def _json(host: cssp.PluginHost) -> str:
    report = cssp.evaluate_region(cssp.load_sample(), by="county", profiles=host.profile_set())
    return render_report(report, "json")


def test_the_order_of_plugins_and_profiles_does_not_change_the_json() -> None:
    profiles = _shipped_profiles()
    assert len(profiles) >= 2
    plugins: list[object] = []
    if importlib.util.find_spec("cssp_beijing") is not None:  # the Python plugin, when installed
        plugins.append(importlib.import_module("cssp_beijing"))
    # a Python plugin of our own, giving one profile the shipped ones do not
    county = cssp.Profile(
        id="test_county",
        plan="fyp14",
        scope="440106",
        title=cssp.Text("测试区规划", "A test district's plan"),
        issuer="测试",
        document="测试文件",
        overrides=(
            cssp.Override("facility_area_per_100_households", "≥40", cssp.Citation("测试文件")),
        ),
    )

    @cssp.hookimpl
    def cssp_profiles() -> list[cssp.Profile]:
        return [county]

    own = types.ModuleType("cssp_test_county")
    own.cssp_profiles = cssp_profiles  # type: ignore[attr-defined]
    plugins.append(own)
    orders = [
        (profiles, plugins),
        (profiles[::-1], plugins[::-1]),
        (profiles[1:] + profiles[:1], plugins[::-1]),
    ]
    outputs = [_json(cssp.load_plugins(autoload=False, profiles=p, plugins=q)) for p, q in orders]
    assert outputs[0] == outputs[1] == outputs[2]
    assert '"source": "cssp-guangdong 0.1.0"' in outputs[0]
    assert '"id": "test_county"' in outputs[0]
