"""Containing a mistaken plugin: time limits, and checks on what it returns.

A plugin runs in cssp's process (``SECURITY.md``): cssp cannot sandbox it, but
it can name it. Its import and each call of its hook run under a time limit
(:func:`_within`); what the hook returns must be a list or tuple of
:class:`~cssp.rules.profile.Profile`; an error it raises, a ``sys.exit()`` or
a hang becomes a :class:`~cssp.errors.PluginError` naming its distribution and
version; and an installed distribution may be restricted to some scopes.
"""

from __future__ import annotations

import collections.abc
import datetime
import functools
import importlib.metadata
import sys
import threading
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from cssp.errors import PluginError
from cssp.model.community import Community
from cssp.model.measures import Measure, Observation
from cssp.plugins.discovery import SCOPES_ENV, TIMEOUT_ENV, _normalise
from cssp.rules.profile import Profile

__all__: list[str] = []

_T = TypeVar("_T")


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


def _import(ep: importlib.metadata.EntryPoint, timeout: float | None, source: str) -> object:
    """Import the module an entry point names, under the time limit.

    :raises PluginError: naming ``source`` when the import hangs, exits or fails.
    """
    try:
        return _within(timeout, ep.load)
    except _TimedOut:
        raise PluginError(
            source,
            f"importing entry point {ep.name!r} ({ep.value}) did not finish within "
            f"{timeout:g} s: it may hang. Block it with blocked=[{ep.name!r}], "
            f"or give it more time with {TIMEOUT_ENV}",
        ) from None
    except SystemExit as error:
        raise PluginError(
            source, f"importing entry point {ep.name!r} ({ep.value}) called sys.exit()"
        ) from error
    except Exception as error:
        raise PluginError(source, f"cannot be imported ({ep.value}): {error!r}") from error


def _call_profiles_hook(
    call: Callable[[], list[Any]], timeout: float | None, source: str
) -> tuple[Profile, ...]:
    """Call one plugin's ``cssp_profiles`` under the time limit, and check what it returns.

    :return: a copy of the profiles it returned (the plugin may change its list later).
    :raises PluginError: naming ``source`` when the hook hangs, exits, raises or
        returns anything but a list or tuple of profiles.
    """
    try:
        results: list[Any] = _within(timeout, call)
    except _TimedOut:
        raise PluginError(
            source,
            f"cssp_profiles did not return within {timeout:g} s: it may hang "
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
    if not isinstance(returned, list | tuple) or not all(isinstance(p, Profile) for p in returned):
        raise PluginError(
            source, f"cssp_profiles must return a list of Profile, not {returned!r:.200}"
        )
    return tuple(returned)


def _check_scope(
    allowed_scopes: Mapping[str, tuple[str, ...]] | None, dist: str, source: str, profile: Profile
) -> None:
    """Refuse a profile outside the scopes its distribution may set (``allowed_scopes``)."""
    if allowed_scopes is None or not dist:  # no restriction, or a profile given in code
        return
    allowed = allowed_scopes.get(_normalise(dist))
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
