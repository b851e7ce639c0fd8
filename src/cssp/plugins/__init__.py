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
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import os
import pathlib
import sys
from collections.abc import Iterable, Sequence
from typing import Any, Final

import attrs
import pluggy
from attrs import define

from cssp.errors import PluginError, ProfileError
from cssp.plugins import hookspecs
from cssp.plugins.hookspecs import hookimpl
from cssp.rules.profile import Profile
from cssp.rules.resolve import ProfileSet

__all__ = [
    "DISABLE_AUTOLOAD_ENV",
    "ENTRY_POINT_GROUP",
    "PluginHost",
    "PluginInfo",
    "default_profiles",
    "hookimpl",
    "list_plugins",
    "load_plugins",
    "load_profile",
    "reset",
]

#: The entry-point group cssp discovers plugins in.
ENTRY_POINT_GROUP: Final = "cssp"
#: Set this environment variable to a non-empty value to skip discovery.
DISABLE_AUTOLOAD_ENV: Final = "CSSP_DISABLE_PLUGIN_AUTOLOAD"
_TRACE_ENV: Final = "CSSP_PLUGIN_TRACE"


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
    """

    def __init__(self) -> None:
        self._pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
        self._pm.add_hookspecs(hookspecs)
        if os.environ.get(_TRACE_ENV):
            self._pm.trace.root.setwriter(lambda text: sys.stderr.write(str(text)))
            self._pm.enable_tracing()
        self._sources: dict[str, tuple[str, str, str]] = {}  # name -> (dist, version, kind)
        self._data: list[tuple[str, Profile]] = []  # (plugin name, profile)

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
        """Add a profile directly (a data plugin, or a profile built in code)."""
        if not isinstance(profile, Profile):
            raise PluginError(name or source or "?", f"{profile!r} is not a Profile")
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
            plugin = ep.load()
        except Exception as error:
            raise PluginError(source, f"cannot be imported ({ep.value}): {error!r}") from error
        self.register(plugin, name=ep.name, source=source)

    # -- results ---------------------------------------------------------------

    def profiles(self) -> tuple[Profile, ...]:
        """Every profile the plugins provide.

        Each carries its :attr:`~cssp.rules.profile.Profile.source`.
        """
        result = [profile for _, profile in self._data]
        for impl in self._pm.hook.cssp_profiles.get_hookimpls():
            name = impl.plugin_name
            dist, version, _ = self._sources.get(name, ("", "", "explicit"))
            source = f"{dist} {version}" if dist else name
            # Through pluggy (so CSSP_PLUGIN_TRACE shows the call), one plugin
            # at a time, so an error or a bad result is pinned on its plugin.
            others = [p for p in self._pm.get_plugins() if p is not impl.plugin]
            call = self._pm.subset_hook_caller("cssp_profiles", remove_plugins=others)
            try:
                results: list[Any] = call()
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
            result.extend(p if p.source else attrs.evolve(p, source=source) for p in returned)
        return tuple(result)

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
    try:
        spec = importlib.util.find_spec(ep.module)
    except (ImportError, ValueError) as error:
        raise PluginError(source, f"cannot find {ep.module!r}: {error}") from None
    if spec is None:
        raise PluginError(source, f"cannot find package {ep.module!r}")
    folders = list(spec.submodule_search_locations or [])
    if not folders and spec.origin:
        folders = [str(pathlib.Path(spec.origin).parent)]
    for folder in folders:
        file = pathlib.Path(folder) / str(ep.attr)
        if file.is_file():
            return parse_profile(
                file.read_text(encoding="utf-8"), where=f"{ep.module}/{ep.attr}", source=source
            )
    raise PluginError(source, f"{ep.attr} is not in package {ep.module!r}")


def _autoload_disabled() -> bool:
    return bool(os.environ.get(DISABLE_AUTOLOAD_ENV))


def load_plugins(
    *,
    autoload: bool | None = None,
    plugins: Sequence[object] = (),
    profiles: Sequence[Profile] = (),
    blocked: Iterable[str] = (),
) -> PluginHost:
    """Build a :class:`PluginHost`: discover, register and validate plugins.

    :param autoload: discover entry points; default ``True`` unless the
        ``CSSP_DISABLE_PLUGIN_AUTOLOAD`` environment variable is set.
    :param plugins: Python plugins (modules or objects) to register explicitly.
    :param profiles: profiles to add explicitly.
    :param blocked: entry-point names not to load.
    :raises PluginError: naming the plugin that cannot be loaded.
    """
    host = PluginHost()
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
