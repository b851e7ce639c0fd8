"""Plugins: discovery, registration and the profiles they provide.

Plugins are found through the entry-point group ``cssp``. An entry point is
either

* a Python module (``beijing = "cssp_beijing"``) implementing the hooks of
  :mod:`cssp.plugins.hookspecs`; it is imported and registered with pluggy,
  whose hook validation runs at load (a misspelt hook is an error); or
* a TOML file inside a package (``guangdong = "cssp_guangdong:profile.toml"``):
  the file is located without importing the package and read as data by
  :func:`cssp.rules.toml.parse_profile` — a data-only plugin never runs code.

Set ``CSSP_DISABLE_PLUGIN_AUTOLOAD`` (to any non-empty value), or pass
``autoload=False``, to skip discovery; register plugins explicitly with
``plugins=`` and profiles with ``profiles=``; block entry points by name with
``blocked=``. ``CSSP_PLUGIN_TRACE`` prints pluggy's trace to stderr.

A plugin is contained as far as an in-process Python plugin can be (see
``SECURITY.md``): its import and each call of its hook run under a time limit
(``timeout=``, ``CSSP_PLUGIN_TIMEOUT``), so a plugin that hangs is named
instead of hanging cssp; what it returns is checked, down to the type of every
field of every profile; the profiles of an installed plugin always carry its
distribution's name and version as their source; and the scopes each
distribution may set can be restricted (``allowed_scopes=``,
``CSSP_PLUGIN_SCOPES``), so that a plugin named for one province cannot
silently change another's targets.
"""

from __future__ import annotations

import collections.abc
import datetime
import functools
import importlib.metadata
import importlib.util
import os
import pathlib
import re
import sys
import threading
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, TypeVar

import attrs
import pluggy
from attrs import define

from cssp.errors import InputError, PluginError, ProfileError
from cssp.model.community import Community
from cssp.model.measures import Measure, Observation
from cssp.plugins import hookspecs
from cssp.plugins.hookspecs import hookimpl
from cssp.rules.profile import Profile, check_scope
from cssp.rules.resolve import ProfileSet

__all__ = [
    "COLUMN_MAP_NAME",
    "DEFAULT_TIMEOUT",
    "DISABLE_AUTOLOAD_ENV",
    "ENTRY_POINT_GROUP",
    "SCOPES_ENV",
    "TIMEOUT_ENV",
    "PluginHost",
    "PluginInfo",
    "default_profiles",
    "hookimpl",
    "list_plugins",
    "load_plugins",
    "load_profile",
    "packaged_column_map",
    "reset",
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
#: The environment variable restricting the scopes each installed distribution
#: may set, e.g. ``"cssp-guangdong=44 cssp-hubei=42,4201"`` (see :func:`load_plugins`).
SCOPES_ENV: Final = "CSSP_PLUGIN_SCOPES"

_T = TypeVar("_T")


@define(frozen=True)
class PluginInfo:
    """What cssp knows of one loaded plugin.

    :param name: the entry point's name (or the name given on registration).
    :param distribution: the distribution that ships it (``""`` when registered in code).
    :param version: the distribution's version.
    :param kind: ``"python"`` (hooks), ``"toml"`` (data only) or ``"explicit"``.
    :param profiles: the ids of the profiles it provides.
    :param scopes: the scopes of those profiles.
    """

    name: str
    distribution: str
    version: str
    kind: str
    profiles: tuple[str, ...]
    scopes: tuple[str, ...]

    @property
    def source(self) -> str:
        """``"<distribution> <version>"``, or the plugin's name when registered in code."""
        return f"{self.distribution} {self.version}" if self.distribution else self.name


def load_profile(path: str | os.PathLike[str], source: str = "") -> Profile:
    """Read a data-only profile from a TOML file.

    :param path: the file.
    :param source: who provides it (default: the file's name).
    :raises ProfileError: naming the file and the offending entry.
    """
    from cssp.rules.toml import parse_profile  # noqa: PLC0415 - loads the engine's measures

    file = pathlib.Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ProfileError(source or str(file), "?", "", f"cannot read {file}: {error}") from None
    except UnicodeDecodeError as error:
        raise ProfileError(source or str(file), "?", "", f"{file} is not UTF-8: {error}") from None
    return parse_profile(text, where=str(file), source=source or file.name)


class PluginHost:
    """The plugins of one configuration, and the profiles they provide.

    Build one with :func:`load_plugins`; it wraps a :class:`pluggy.PluginManager`.

    :param timeout: the time limit, in seconds, of a plugin's import and of
        each call of its hook; ``None`` or ``0``: no limit.
    :param allowed_scopes: the scopes each installed distribution may set, by
        distribution name; ``None``: no restriction (see :func:`load_plugins`).
    """

    def __init__(
        self,
        *,
        timeout: float | None = None,
        allowed_scopes: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self._pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
        self._pm.add_hookspecs(hookspecs)
        if os.environ.get(_TRACE_ENV):
            self._pm.trace.root.setwriter(lambda text: sys.stderr.write(str(text)))
            self._pm.enable_tracing()
        self._sources: dict[str, tuple[str, str, str]] = {}  # name -> (dist, version, kind)
        self._data: list[tuple[str, Profile]] = []  # (plugin name, profile)
        self._timeout = timeout or None
        self._allowed = (
            None
            if allowed_scopes is None
            else {_normalise(name): tuple(scopes) for name, scopes in allowed_scopes.items()}
        )

    # -- registration -----------------------------------------------------------

    def register(self, plugin: object, name: str | None = None, *, source: str = "") -> str:
        """Register a Python plugin (a module or object with hook implementations).

        :param plugin: the plugin.
        :param name: its name (default: the module's or object's name).
        :param source: ``"<distribution> <version>"`` when it comes from one.
        :raises PluginError: if a hook is misspelt or its signature is wrong.
        """
        plugin_name = name or getattr(plugin, "__name__", None) or repr(plugin)
        try:
            registered = self._pm.register(plugin, name=plugin_name)
            self._pm.check_pending()
        except (pluggy.PluginValidationError, ValueError) as error:
            self._pm.unregister(name=plugin_name) if self._pm.has_plugin(plugin_name) else None
            raise PluginError(source or plugin_name, str(error)) from None
        dist, _, version = source.partition(" ")
        self._sources[registered or plugin_name] = (dist, version, "python" if dist else "explicit")
        return registered or plugin_name

    def add_profile(self, profile: Profile, *, name: str = "", source: str = "") -> None:
        """Add a profile directly (a data plugin, or a profile built in code).

        :raises PluginError: when ``profile`` is not a :class:`~cssp.rules.profile.Profile`,
            or one of its fields has the wrong type.
        """
        if not isinstance(profile, Profile):
            raise PluginError(name or source or "?", f"{profile!r} is not a Profile")
        profile = _checked(profile, source or name or profile.id)
        plugin_name = name or profile.id
        dist, _, version = source.partition(" ")
        self._sources.setdefault(plugin_name, (dist, version, "toml" if dist else "explicit"))
        if not profile.source:
            profile = attrs.evolve(profile, source=source or plugin_name)
        self._data.append((plugin_name, profile))

    def load_entry_points(self, blocked: Iterable[str] = ()) -> int:
        """Discover and load the plugins of the entry-point group ``cssp``.

        :param blocked: entry-point names to skip.
        :return: how many entry points were loaded.
        """
        skip = set(blocked)
        for name in skip:
            self._pm.set_blocked(name)
        seen: set[tuple[str, str]] = set()
        count = 0
        for dist in importlib.metadata.distributions():
            dist_name = dist.metadata["Name"] or "?"
            for ep in dist.entry_points:
                if ep.group != ENTRY_POINT_GROUP or ep.name in skip:
                    continue
                key = (dist_name, ep.name)
                if key in seen:  # the same distribution found twice on sys.path
                    continue
                seen.add(key)
                self._load(ep, f"{dist_name} {dist.version}")
                count += 1
        return count

    def _load(self, ep: importlib.metadata.EntryPoint, source: str) -> None:
        if ep.attr and ep.attr.endswith(".toml"):
            self.add_profile(_read_packaged_profile(ep, source), name=ep.name, source=source)
            return
        try:
            plugin = _within(self._timeout, ep.load)
        except _TimedOut:
            raise PluginError(
                source,
                f"importing entry point {ep.name!r} ({ep.value}) did not finish within "
                f"{self._timeout:g} s: it may hang. Block it with blocked=[{ep.name!r}], "
                f"or give it more time with {TIMEOUT_ENV}",
            ) from None
        except SystemExit as error:
            raise PluginError(
                source, f"importing entry point {ep.name!r} ({ep.value}) called sys.exit()"
            ) from error
        except Exception as error:
            raise PluginError(source, f"cannot be imported ({ep.value}): {error!r}") from error
        self.register(plugin, name=ep.name, source=source)

    # -- results ---------------------------------------------------------------

    def profiles(self) -> tuple[Profile, ...]:
        """Every profile the plugins provide.

        Each carries its :attr:`~cssp.rules.profile.Profile.source`.
        """
        result = []
        for name, profile in self._data:
            dist, _, _ = self._sources.get(name, ("", "", "explicit"))
            self._check_scope(dist, profile.source, profile)
            result.append(profile)
        for impl in self._pm.hook.cssp_profiles.get_hookimpls():
            name = impl.plugin_name
            dist, version, _ = self._sources.get(name, ("", "", "explicit"))
            source = f"{dist} {version}" if dist else name
            # Through pluggy (so CSSP_PLUGIN_TRACE shows the call), one plugin
            # at a time, so an error or a bad result is pinned on its plugin.
            others = [p for p in self._pm.get_plugins() if p is not impl.plugin]
            call = self._pm.subset_hook_caller("cssp_profiles", remove_plugins=others)
            try:
                results: list[Any] = _within(self._timeout, call)
            except _TimedOut:
                raise PluginError(
                    source,
                    f"cssp_profiles did not return within {self._timeout:g} s: it may hang "
                    f"(the limit is {TIMEOUT_ENV})",
                ) from None
            except SystemExit as error:
                raise PluginError(source, "cssp_profiles called sys.exit()") from error
            except Exception as error:
                raise PluginError(source, f"cssp_profiles raised {error!r}") from error
            if not results:  # pluggy leaves out a None result
                raise PluginError(
                    source,
                    "cssp_profiles returned None; return a list of Profile (it may be empty)",
                )
            returned: Any = results[0]
            if not isinstance(returned, list | tuple) or not all(
                isinstance(p, Profile) for p in returned
            ):
                raise PluginError(
                    source, f"cssp_profiles must return a list of Profile, not {returned!r:.200}"
                )
            for profile in tuple(returned):  # a copy: the plugin may change its list later
                checked = _checked(profile, source)
                # An installed plugin's profiles name its distribution, whatever source
                # they claim: provenance says who shipped the code. One registered in
                # code keeps the source it sets.
                if (dist and checked.source != source) or not checked.source:
                    checked = attrs.evolve(checked, source=source)
                self._check_scope(dist, source, checked)
                result.append(checked)
        return tuple(result)

    def _check_scope(self, dist: str, source: str, profile: Profile) -> None:
        """Refuse a profile outside the scopes its distribution may set (``allowed_scopes``)."""
        if self._allowed is None or not dist:  # no restriction, or a profile given in code
            return
        allowed = self._allowed.get(_normalise(dist))
        if allowed is None:
            raise PluginError(
                source,
                f"profile {profile.id!r} (scope {profile.scope!r}): the distribution {dist} "
                f"may set no scope (it is not listed in allowed_scopes or {SCOPES_ENV})",
            )
        if not profile.scope.startswith(tuple(allowed)):
            raise PluginError(
                source,
                f"profile {profile.id!r} has scope {profile.scope!r}, outside the scopes "
                f"{dist} may set ({', '.join(allowed) or 'none'})",
            )

    def profile_set(self, *, strict: bool = False) -> ProfileSet:
        """A validated :class:`~cssp.rules.resolve.ProfileSet` of every profile."""
        return ProfileSet(self.profiles(), strict=strict)

    def info(self) -> tuple[PluginInfo, ...]:
        """The loaded plugins, with versions and scopes, sorted by name."""
        by_plugin: dict[str, list[Profile]] = {name: [] for name in self._sources}
        for name, profile in self._data:
            by_plugin.setdefault(name, []).append(profile)
        for impl in self._pm.hook.cssp_profiles.get_hookimpls():
            source = self._source_of(impl.plugin_name)
            by_plugin.setdefault(impl.plugin_name, []).extend(
                p for p in self.profiles() if p.source == source
            )
        infos = []
        for name, profiles in sorted(by_plugin.items()):
            dist, version, kind = self._sources.get(name, ("", "", "explicit"))
            infos.append(
                PluginInfo(
                    name=name,
                    distribution=dist,
                    version=version,
                    kind=kind,
                    profiles=tuple(sorted({p.id for p in profiles})),
                    scopes=tuple(sorted({p.scope for p in profiles})),
                )
            )
        return tuple(infos)

    def _source_of(self, name: str) -> str:
        dist, version, _ = self._sources.get(name, ("", "", "explicit"))
        return f"{dist} {version}" if dist else name


def _read_packaged_profile(ep: importlib.metadata.EntryPoint, source: str) -> Profile:
    """Find ``module:file.toml`` without importing the module, and parse it."""
    from cssp.rules.toml import parse_profile  # noqa: PLC0415

    if "." in ep.module:
        raise PluginError(source, f"a data profile must sit in a top-level package: {ep.value}")
    for folder in _package_folders(ep.module, source):
        file = pathlib.Path(folder) / str(ep.attr)
        if file.is_file():
            return parse_profile(
                file.read_text(encoding="utf-8"), where=f"{ep.module}/{ep.attr}", source=source
            )
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
                    return file.read_text(encoding="utf-8"), f"{source}: columns/{wanted}.toml"
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


# --- containment: time limits, types, scopes -------------------------------------------


class _TimedOut(Exception):
    """A plugin's import or hook did not finish in time."""


def _within(timeout: float | None, function: Callable[[], _T]) -> _T:
    """``function()``, run in a daemon thread for at most ``timeout`` seconds.

    A thread cannot be stopped: one that does not finish is left running, as a
    daemon, so it does not keep the process alive. ``None``: no limit, and no thread.
    """
    if timeout is None:
        return function()
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, function()))
        except BaseException as error:  # handed to the caller, whatever it is
            outcome.append((False, error))

    thread = threading.Thread(target=run, name="cssp-plugin", daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        raise _TimedOut
    done, value = outcome[0]
    if not done:
        raise value
    return typing.cast(_T, value)


def _timeout_from_environment() -> float:
    text = os.environ.get(TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:  # also NaN
        raise PluginError(
            TIMEOUT_ENV, f"{text!r} is not a number of seconds (0 means no time limit)"
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


@functools.cache
def _field_types(cls: Any) -> tuple[tuple[str, Any], ...]:
    """The fields of an attrs class with their types; ``Any`` where they cannot be resolved.

    The model's annotations are strings (``from __future__ import annotations``),
    some naming classes imported only for type checkers: those are supplied here.
    """
    names = {"Measure": Measure, "Observation": Observation, "Community": Community}
    try:
        hints = typing.get_type_hints(cls, localns=names)
    except Exception:  # one annotation cssp cannot resolve: resolve the others one by one
        module = vars(sys.modules.get(cls.__module__, types.ModuleType("?")))
        hints = {}
        for field in attrs.fields(cls):
            try:
                hints[field.name] = typing.get_type_hints(
                    types.SimpleNamespace(__annotations__={field.name: field.type}),
                    globalns=module,
                    localns=names,
                )[field.name]
            except Exception:
                continue
    return tuple((field.name, hints.get(field.name, Any)) for field in attrs.fields(cls))


def _describe(value: object) -> str:
    text = repr(value)
    return f"{text[:60]}…" if len(text) > 60 else text


def _type_name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint).replace("typing.", "")


def _wrong_type(value: object, hint: Any, path: str) -> str | None:
    """Where ``value`` does not fit the type ``hint``, and how; ``None`` when it fits."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    wrong = f"{path}: {_describe(value)} ({type(value).__name__}) is not {_type_name(hint)}"
    if hint is Any or hint is object:
        return None
    if hint is None or hint is type(None):
        return None if value is None else wrong
    if origin is typing.Union or origin is types.UnionType:
        found = [_wrong_type(value, arg, path) for arg in args]
        if None in found:
            return None
        # a value of the right class, wrong inside: say where inside
        deeper = [p for p in found if p and not p.startswith(f"{path}: ")]
        return deeper[0] if deeper else wrong
    if origin in (tuple, list, collections.abc.Sequence):
        if isinstance(value, str) or not isinstance(value, tuple | list):
            return wrong
        items = args[:1] if len(args) == 2 and args[1] is Ellipsis else args
        for index, item in enumerate(value):
            kind = items[0] if len(items) == 1 else items[index] if index < len(items) else Any
            problem = _wrong_type(item, kind, f"{path}[{index}]")
            if problem:
                return problem
        return None
    if origin in (frozenset, set, collections.abc.Set):
        if not isinstance(value, frozenset | set):
            return wrong
        for item in value:
            problem = _wrong_type(item, args[0] if args else Any, f"{path}[…]")
            if problem:
                return problem
        return None
    if origin in (dict, collections.abc.Mapping):
        if not isinstance(value, Mapping):
            return wrong
        key_type, value_type = args if len(args) == 2 else (Any, Any)
        for key, item in value.items():
            problem = _wrong_type(key, key_type, f"{path}[{key!r}]") or _wrong_type(
                item, value_type, f"{path}[{key!r}]"
            )
            if problem:
                return problem
        return None
    if origin is collections.abc.Callable:
        return None if callable(value) else wrong
    if not isinstance(hint, type):
        return None  # a type this check does not know: trusted
    if hint is float:
        fits = isinstance(value, int | float) and not isinstance(value, bool)
    elif hint is int:
        fits = isinstance(value, int) and not isinstance(value, bool)
    elif hint is datetime.date:
        fits = isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
    else:
        fits = isinstance(value, hint)
    if not fits:
        return wrong
    cls: Any = type(value)
    if attrs.has(cls):
        for name, field_type in _field_types(cls):
            problem = _wrong_type(getattr(value, name), field_type, f"{path}.{name}")
            if problem:
                return problem
    return None


def _checked(profile: Profile, source: str) -> Profile:
    """The profile, its lists made tuples; a field of the wrong type is a :class:`PluginError`.

    A plugin builds profiles in code, and attrs does not check types: a
    citation given as a string, or a threshold as a number, would otherwise
    fail later, far from the plugin, as an ``AttributeError``.
    """
    problem = _wrong_type(profile, Profile, f"profile {profile.id!r}")
    if problem:
        raise PluginError(source, f"{problem}")
    overrides: Sequence[Any] = profile.overrides
    indicators: Sequence[Any] = profile.indicators
    if not isinstance(overrides, tuple) or not isinstance(indicators, tuple):  # lists
        profile = attrs.evolve(profile, overrides=tuple(overrides), indicators=tuple(indicators))
    return profile


def _autoload_disabled() -> bool:
    return bool(os.environ.get(DISABLE_AUTOLOAD_ENV))


def load_plugins(
    *,
    autoload: bool | None = None,
    plugins: Sequence[object] = (),
    profiles: Sequence[Profile] = (),
    blocked: Iterable[str] = (),
    timeout: float | None = None,
    allowed_scopes: Mapping[str, Iterable[str]] | None = None,
) -> PluginHost:
    """Build a :class:`PluginHost`: discover, register and validate plugins.

    :param autoload: discover entry points; default ``True`` unless the
        ``CSSP_DISABLE_PLUGIN_AUTOLOAD`` environment variable is set.
    :param plugins: Python plugins (modules or objects) to register explicitly.
    :param profiles: profiles to add explicitly.
    :param blocked: entry-point names not to load.
    :param timeout: the time limit, in seconds, of each plugin's import and of
        each call of its hook; a plugin that does not finish in time is a
        :class:`~cssp.errors.PluginError` naming its distribution and entry
        point (it is left running in a daemon thread: Python cannot stop it).
        Default: the ``CSSP_PLUGIN_TIMEOUT`` environment variable, else
        :data:`DEFAULT_TIMEOUT`; ``0``: no limit.
    :param allowed_scopes: the scopes each *installed* distribution may set, by
        distribution name: ``{"cssp-guangdong": ["44"]}`` lets cssp-guangdong
        set profiles of scope ``44`` and below (``4401``, ``440106`` …) and no
        other; a distribution not listed may set none. Plugins and profiles
        given in code are not restricted. Default: the ``CSSP_PLUGIN_SCOPES``
        environment variable (``"cssp-guangdong=44 cssp-hubei=42,4201"``),
        else no restriction. A profile outside its distribution's scopes is a
        :class:`~cssp.errors.PluginError` when the profiles are read.
    :raises PluginError: naming the plugin that cannot be loaded (or the
        environment variable that cannot be read).
    """
    if timeout is None:
        timeout = _timeout_from_environment()
    elif not timeout >= 0:
        raise ValueError(f"timeout must be a number of seconds, 0 or more, not {timeout!r}")
    if allowed_scopes is None:
        from_environment = _scopes_from_environment()
        scopes = None if from_environment is None else _checked_scopes(from_environment, SCOPES_ENV)
    else:
        scopes = _checked_scopes(allowed_scopes, "allowed_scopes")
    host = PluginHost(timeout=timeout, allowed_scopes=scopes)
    if autoload if autoload is not None else not _autoload_disabled():
        host.load_entry_points(blocked)
    for plugin in plugins:
        host.register(plugin)
    for profile in profiles:
        host.add_profile(profile)
    return host


@functools.cache
def _default_host() -> PluginHost:
    return load_plugins()


@functools.cache
def default_profiles() -> ProfileSet:
    """The profiles of the installed plugins, loaded once (what ``profiles=None`` means).

    Honours ``CSSP_DISABLE_PLUGIN_AUTOLOAD``. Call :func:`reset` after
    installing a plugin in a running process.
    """
    return _default_host().profile_set()


def reset() -> None:
    """Forget the default plugins, so the next evaluation discovers them again."""
    _default_host.cache_clear()
    default_profiles.cache_clear()


def list_plugins() -> tuple[PluginInfo, ...]:
    """The installed plugins cssp loads by default, with versions and scopes."""
    return _default_host().info()
