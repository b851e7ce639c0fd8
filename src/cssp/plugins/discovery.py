"""Finding plugins: their entry points, packaged TOML profiles and the environment.

Plugins are found through the entry-point group :data:`ENTRY_POINT_GROUP` of
the installed distributions. A data-only plugin's entry point names a TOML file
inside a package (``guangdong = "cssp_guangdong:profile.toml"``): the file is
located without importing the package, and read as data. The environment
variables that switch discovery off, set the time limit and restrict the
scopes are read here too.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import pathlib
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Final

from cssp.errors import InputError, PluginError, ProfileError
from cssp.model.convert import utf8_text
from cssp.rules.profile import Profile, check_scope

__all__ = [
    "COLUMN_MAP_NAME",
    "DEFAULT_TIMEOUT",
    "DISABLE_AUTOLOAD_ENV",
    "ENTRY_POINT_GROUP",
    "MAX_TIMEOUT",
    "SCOPES_ENV",
    "TIMEOUT_ENV",
    "load_profile",
    "packaged_column_map",
]

#: The entry-point group cssp discovers plugins in.
ENTRY_POINT_GROUP: Final = "cssp"
#: Set this environment variable to a non-empty value to skip discovery.
DISABLE_AUTOLOAD_ENV: Final = "CSSP_DISABLE_PLUGIN_AUTOLOAD"
_TRACE_ENV: Final = "CSSP_PLUGIN_TRACE"
#: The environment variable giving the time limit, in seconds, of a plugin's
#: import and of each call of its hook (``0``: no limit).
TIMEOUT_ENV: Final = "CSSP_PLUGIN_TIMEOUT"
#: The time limit when neither ``timeout=`` nor :data:`TIMEOUT_ENV` gives one, in seconds.
DEFAULT_TIMEOUT: Final = 30.0
#: The longest time limit that can be given, in seconds (a week): the timers
#: the limit is kept with hold no more (give 0 for no limit).
MAX_TIMEOUT: Final = 604_800.0
#: The environment variable restricting the scopes each installed distribution
#: may set, e.g. ``"cssp-guangdong=44 cssp-hubei=42,4201"`` (see :func:`load_plugins`).
SCOPES_ENV: Final = "CSSP_PLUGIN_SCOPES"


def load_profile(path: str | os.PathLike[str], source: str = "") -> Profile:
    """Read a data-only profile from a TOML file.

    :param path: the file.
    :param source: who provides it (default: the file's name).
    :raises ProfileError: naming the file and the offending entry.
    """
    from cssp.rules.toml import parse_profile  # noqa: PLC0415 - loads the engine's measures

    file = pathlib.Path(path)
    try:
        data = file.read_bytes()
    except OSError as error:
        raise ProfileError(source or str(file), "?", "", f"cannot read {file}: {error}") from None
    return parse_profile(
        _utf8(data, str(file), source or str(file)), str(file), source or file.name
    )


def _utf8(data: bytes, where: str, source: str) -> str:
    """A profile file's text; bytes that are not UTF-8 are a ProfileError naming the file."""
    try:
        return utf8_text(data, where)
    except InputError as error:
        raise ProfileError(source, "?", "", str(error)) from None


def _entry_points(blocked: Iterable[str]) -> Iterator[tuple[importlib.metadata.EntryPoint, str]]:
    """Each entry point of the group not ``blocked``, with ``"<distribution> <version>"``.

    A distribution found twice on ``sys.path`` is loaded once.
    """
    skip = set(blocked)
    seen: set[tuple[str, str]] = set()
    for dist in importlib.metadata.distributions():
        dist_name = dist.metadata["Name"] or "?"
        for ep in dist.entry_points:
            if ep.group != ENTRY_POINT_GROUP or ep.name in skip:
                continue
            key = (dist_name, ep.name)
            if key in seen:
                continue
            seen.add(key)
            yield ep, f"{dist_name} {dist.version}"


def _is_data(ep: importlib.metadata.EntryPoint) -> bool:
    """Whether the entry point names a TOML profile (``module:file.toml``), not a module."""
    return bool(ep.attr and ep.attr.endswith(".toml"))


def _read_packaged_profile(ep: importlib.metadata.EntryPoint, source: str) -> Profile:
    """Find ``module:file.toml`` without importing the module, and parse it."""
    from cssp.rules.toml import parse_profile  # noqa: PLC0415

    if "." in ep.module:
        raise PluginError(source, f"a data profile must sit in a top-level package: {ep.value}")
    for folder in _package_folders(ep.module, source):
        file = pathlib.Path(folder) / str(ep.attr)
        if file.is_file():
            where = f"{ep.module}/{ep.attr}"
            return parse_profile(_utf8(file.read_bytes(), where, source), where, source)
    raise PluginError(source, f"{ep.attr} is not in package {ep.module!r}")


def _package_folders(module: str, source: str) -> list[str]:
    """The folders of an entry point's top-level package, found without importing it."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError) as error:
        raise PluginError(source, f"cannot find {module!r}: {error}") from None
    if spec is None:
        raise PluginError(source, f"cannot find package {module!r}")
    folders = list(spec.submodule_search_locations or [])
    if not folders and spec.origin:
        folders = [str(pathlib.Path(spec.origin).parent)]
    return folders


#: What names a column map a plugin ships: ``plugin:map`` (``gansu:ledger``).
COLUMN_MAP_NAME: Final = re.compile(r"^([A-Za-z0-9_.-]+):([A-Za-z0-9_-]+)$")


def packaged_column_map(name: str) -> tuple[str, str]:
    """The text of the column map ``plugin:map`` an installed plugin ships, and where it is.

    A plugin (data-only or Python) ships its maps for its province's standard
    forms as ``columns/<map>.toml`` in the package of its entry point in group
    ``cssp``: ``gansu:ledger`` is the file ``columns/ledger.toml`` of the
    package the entry point ``gansu`` names. The package is not imported.

    :raises InputError: naming ``name``, when no installed plugin has that
        name or it ships no such map (the maps it ships are listed).
    """
    match = COLUMN_MAP_NAME.match(name)
    if match is None:
        raise InputError("a plugin's column map is named plugin:map, such as gansu:ledger", name)
    plugin, wanted = match[1], match[2]
    for dist in importlib.metadata.distributions():
        for ep in dist.entry_points:
            if ep.group != ENTRY_POINT_GROUP or ep.name != plugin:
                continue
            source = f"{dist.metadata['Name']} {dist.version}"
            shipped: set[str] = set()
            for folder in _package_folders(ep.module.partition(".")[0], source):
                maps = pathlib.Path(folder) / "columns"
                file = maps / f"{wanted}.toml"
                if file.is_file():
                    where = f"{source}: columns/{wanted}.toml"
                    return utf8_text(file.read_bytes(), where), where
                shipped.update(p.stem for p in maps.glob("*.toml"))
            listed = ", ".join(f"{plugin}:{m}" for m in sorted(shipped)) or "none"
            raise InputError(
                f"plugin {plugin!r} ({source}) ships no column map {wanted!r}; its maps: {listed}",
                name,
            )
    raise InputError(
        f"no installed plugin is named {plugin!r} (see cssp plugins), and there is no such file",
        name,
    )


# --- the environment ------------------------------------------------------------------------


def _autoload_disabled() -> bool:
    return bool(os.environ.get(DISABLE_AUTOLOAD_ENV))


def _tracing() -> bool:
    return bool(os.environ.get(_TRACE_ENV))


def _timeout_from_environment() -> float:
    text = os.environ.get(TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= MAX_TIMEOUT:  # also NaN and infinity
        raise PluginError(
            TIMEOUT_ENV,
            f"{text!r} is not a number of seconds from 0 (no time limit) to {MAX_TIMEOUT:g} "
            "(a week)",
        )
    return seconds


def _normalise(name: str) -> str:
    """A distribution's name as packaging compares them (PEP 503): cssp_GD -> cssp-gd."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _scopes_from_environment() -> dict[str, tuple[str, ...]] | None:
    """Parse :data:`SCOPES_ENV`: ``dist=scope,scope`` entries, separated by spaces or ``;``."""
    text = os.environ.get(SCOPES_ENV, "").strip()
    if not text:
        return None
    allowed: dict[str, tuple[str, ...]] = {}
    for entry in re.split(r"[\s;]+", text):
        name, equals, scopes = entry.partition("=")
        if not equals or not name:
            raise PluginError(
                SCOPES_ENV,
                f"{entry!r} is not DISTRIBUTION=SCOPE[,SCOPE...], e.g. cssp-guangdong=44",
            )
        allowed[name] = tuple(scope for scope in scopes.split(",") if scope)
    return allowed


def _checked_scopes(allowed: Mapping[str, Iterable[str]], where: str) -> dict[str, tuple[str, ...]]:
    """The scopes each distribution may set, each scope checked; ``where`` names their origin."""
    result = {}
    for name, scopes in allowed.items():
        if isinstance(scopes, str):  # "44", not the letters "4" and "4"
            scopes = (scopes,)  # noqa: PLW2901
        listed = tuple(scopes)
        for scope in listed:
            try:
                check_scope(scope, f"{where}: {name}")
            except InputError as error:
                raise PluginError(where, f"{error.path}: {error.message}") from None
        result[name] = listed
    return result
