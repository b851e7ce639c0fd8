"""Containing a mistaken plugin: time limits, and checks on what it returns.

A plugin runs in cssp's process (``SECURITY.md``): cssp cannot sandbox it, but
it can name it. Its import and each call of its hook run under a time limit
(:func:`_within`); what the hook returns must be a list or tuple of
:class:`~cssp.rules.profile.Profile`; an error it raises, a ``sys.exit()`` or
a hang becomes a :class:`~cssp.errors.PluginError` naming its distribution and
version; and an installed distribution may be restricted to some scopes.

The types of the profiles' fields are checked when the plugin builds them
(:mod:`cssp.model.checks`): the :class:`~cssp.errors.InputError` it then
meets becomes a :class:`~cssp.errors.PluginError` naming the plugin, the field
and the line of the plugin's code that built the object (:func:`_built_wrong`).
"""

from __future__ import annotations

import importlib.metadata
import os
import pathlib
import threading
import traceback
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

import attr
import attrs
import pluggy

from cssp.errors import InputError, PluginError
from cssp.plugins.discovery import SCOPES_ENV, TIMEOUT_ENV, _normalise
from cssp.rules.profile import Profile

__all__: list[str] = []

_T = TypeVar("_T")

#: Where cssp's own code and the libraries between it and a plugin live (and
#: the code attrs generates): the frames a plugin's mistake is not pinned on.
_NOT_THE_PLUGIN: Final = (
    *(
        f"{folder}{os.sep}"
        for folder in (
            pathlib.Path(__file__).parents[1],  # cssp
            *(pathlib.Path(module.__file__ or "").parent for module in (attrs, attr, pluggy)),
        )
    ),
    "<attrs generated",
)


class _TimedOut(Exception):
    """A plugin's import or hook did not finish in time."""


class _Escaped(Exception):
    """A plugin's import or hook raised what is not an error: a ``KeyboardInterrupt``
    (not the user's: it came from the plugin's thread), a ``GeneratorExit``, its own
    ``BaseException``. It is the plugin's error, not a reason to stop as if interrupted."""

    def __init__(self, raised: BaseException) -> None:
        super().__init__(f"raised {type(raised).__name__}: {raised}".rstrip(": "))


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
        if isinstance(value, Exception | SystemExit):
            raise value
        raise _Escaped(value) from None
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
    except InputError as error:
        raise _built_wrong(error, source, f"importing {ep.value}") from error
    except _Escaped as error:
        raise PluginError(
            source, f"importing entry point {ep.name!r} ({ep.value}) {error}"
        ) from None
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
    except InputError as error:
        raise _built_wrong(error, source, "cssp_profiles") from error
    except _Escaped as error:
        raise PluginError(source, f"cssp_profiles {error}") from None
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


def _built_wrong(error: InputError, source: str, doing: str) -> PluginError:
    """The error of a plugin that built a model object wrong: a field of the wrong type.

    The object refused itself when it was built (:mod:`cssp.model.checks`);
    this names the plugin, what it was doing, the field, and the line of the
    plugin's own code where the object was built.
    """
    line = _plugin_line(error.__traceback__)
    return PluginError(source, f"{doing}: {error}" + (f" (at {line})" if line else ""))


def _plugin_line(trace: types.TracebackType | None) -> str:
    """``file:line`` of the innermost frame of ``trace`` outside cssp, attrs and pluggy."""
    found = ""
    for frame, line in traceback.walk_tb(trace):
        file = frame.f_code.co_filename
        if file.startswith(_NOT_THE_PLUGIN):
            continue
        path = pathlib.PurePath(file)
        found = f"{pathlib.PurePath(*path.parts[-2:]) if len(path.parts) > 1 else file}:{line}"
    return found
