"""The plugin host: the plugins of one configuration, and the profiles they provide.

:func:`load_plugins` builds a :class:`PluginHost`, a small typed wrapper of a
:class:`pluggy.PluginManager`; :func:`default_profiles` and
:func:`list_plugins` use one built once, from the installed plugins.
"""

from __future__ import annotations

import functools
import importlib.metadata
import sys
from collections.abc import Iterable, Mapping, Sequence

import attrs
import pluggy
from attrs import define

from cssp.errors import PluginError
from cssp.plugins import hookspecs
from cssp.plugins.containment import _call_profiles_hook, _check_scope, _import
from cssp.plugins.discovery import (
    ENTRY_POINT_GROUP,
    MAX_TIMEOUT,
    SCOPES_ENV,
    _autoload_disabled,
    _checked_scopes,
    _entry_points,
    _is_data,
    _normalise,
    _read_packaged_profile,
    _scopes_from_environment,
    _timeout_from_environment,
    _tracing,
)
from cssp.rules.contained import set_limit
from cssp.rules.profile import Profile
from cssp.rules.resolve import ProfileSet

__all__ = [
    "PluginHost",
    "PluginInfo",
    "default_profiles",
    "list_plugins",
    "load_plugins",
    "reset",
]


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
        if _tracing():
            self._pm.trace.root.setwriter(lambda text: sys.stderr.write(str(text)))
            self._pm.enable_tracing()
        self._sources: dict[str, tuple[str, str, str]] = {}  # name -> (dist, version, kind)
        self._data: list[tuple[str, Profile]] = []  # (plugin name, profile)
        # What each plugin's cssp_profiles returned, its source set: the hook is
        # called once per plugin, however often the profiles are asked for.
        self._returned: dict[str, tuple[Profile, ...]] = {}
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

        :raises PluginError: when ``profile`` is not a :class:`~cssp.rules.profile.Profile`
            (the types of its fields were checked when it was built).
        """
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
        blocked = tuple(blocked)
        for name in blocked:
            self._pm.set_blocked(name)
        count = 0
        for ep, source in _entry_points(blocked):
            self._load(ep, source)
            count += 1
        return count

    def _load(self, ep: importlib.metadata.EntryPoint, source: str) -> None:
        if _is_data(ep):
            self.add_profile(_read_packaged_profile(ep, source), name=ep.name, source=source)
            return
        plugin = _import(ep, self._timeout, source)
        self.register(plugin, name=ep.name, source=source)

    # -- results ---------------------------------------------------------------

    def profiles(self) -> tuple[Profile, ...]:
        """Every profile the plugins provide.

        Each carries its :attr:`~cssp.rules.profile.Profile.source`. Each
        plugin's hook is called once, the first time its profiles are needed.
        """
        return tuple(profile for _, profiles in self._by_plugin() for profile in profiles)

    def _by_plugin(self) -> list[tuple[str, tuple[Profile, ...]]]:
        """The profiles of each plugin, by plugin name: the data ones, then the hooks'."""
        found: list[tuple[str, tuple[Profile, ...]]] = []
        for name, profile in self._data:
            dist, _, _ = self._sources.get(name, ("", "", "explicit"))
            _check_scope(self._allowed, dist, profile.source, profile)
            found.append((name, (profile,)))
        for impl in self._pm.hook.cssp_profiles.get_hookimpls():
            name = impl.plugin_name
            if name not in self._returned:
                self._returned[name] = self._call(impl)
            dist, _, _ = self._sources.get(name, ("", "", "explicit"))
            for profile in self._returned[name]:
                _check_scope(self._allowed, dist, profile.source, profile)
            found.append((name, self._returned[name]))
        return found

    def _call(self, impl: pluggy.HookImpl) -> tuple[Profile, ...]:
        """Call one plugin's ``cssp_profiles``; its profiles, each with its source."""
        name = impl.plugin_name
        dist, _, _ = self._sources.get(name, ("", "", "explicit"))
        source = self._source_of(name)
        # Through pluggy (so CSSP_PLUGIN_TRACE shows the call), one plugin at a
        # time, so an error or a bad result is pinned on its plugin.
        others = [p for p in self._pm.get_plugins() if p is not impl.plugin]
        call = self._pm.subset_hook_caller("cssp_profiles", remove_plugins=others)
        profiles = []
        for profile in _call_profiles_hook(call, self._timeout, source):
            # An installed plugin's profiles name its distribution, whatever source
            # they claim: provenance says who shipped the code. One registered in
            # code keeps the source it sets.
            if (dist and profile.source != source) or not profile.source:
                profile = attrs.evolve(profile, source=source)  # noqa: PLW2901
            profiles.append(profile)
        return tuple(profiles)

    def profile_set(self, *, strict: bool = False) -> ProfileSet:
        """A validated :class:`~cssp.rules.resolve.ProfileSet` of every profile."""
        return ProfileSet(self.profiles(), strict=strict)

    def info(self) -> tuple[PluginInfo, ...]:
        """The loaded plugins, with versions and scopes, sorted by name."""
        by_plugin: dict[str, list[Profile]] = {name: [] for name in self._sources}
        for name, provided in self._by_plugin():
            by_plugin.setdefault(name, []).extend(provided)
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
        Each call of a plugin's staffing rule or measure on a community has the
        same limit where it can be enforced (:mod:`cssp.rules.contained`).
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
    elif not 0 <= timeout <= MAX_TIMEOUT:
        raise ValueError(
            f"timeout must be a number of seconds from 0 to {MAX_TIMEOUT:g}, not {timeout!r}"
        )
    if allowed_scopes is None:
        from_environment = _scopes_from_environment()
        scopes = None if from_environment is None else _checked_scopes(from_environment, SCOPES_ENV)
    else:
        scopes = _checked_scopes(allowed_scopes, "allowed_scopes")
    set_limit(timeout)  # each call of a plugin's rule or measure, too
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
