"""The exceptions cssp raises.

Every error cssp raises on purpose is a :class:`CsspError`. The subclasses also
inherit the matching built-in exception (as pint and attrs do), so code that
already catches :class:`ValueError` or :class:`LookupError` keeps working.
"""

from __future__ import annotations

__all__ = [
    "CatalogueError",
    "CsspError",
    "InputError",
    "PluginError",
    "ProfileConflictError",
    "ProfileError",
    "UnitError",
    "UnknownPlanError",
]


class CsspError(Exception):
    """Base class of every error cssp raises on purpose."""


class InputError(CsspError, ValueError):
    """A value given to cssp is invalid.

    :param message: what is wrong, in words a non-programmer can act on.
    :param path: where the bad value is, e.g. ``facilities[0].floor_area``;
        empty when the error concerns the whole object.
    """

    def __init__(
        self, message: str, path: str = "", problems: tuple[tuple[str, str], ...] = ()
    ) -> None:
        self.message = message
        self.path = path
        #: every problem found, as ``(path, message)`` pairs (one for a single error).
        self.problems = problems or ((path, message),)
        if len(self.problems) > 1:
            lines = "\n".join(f"  {p}: {m}" if p else f"  {m}" for p, m in self.problems)
            text = f"{message}\n{lines}"
        else:
            text = f"{path}: {message}" if path else message
        super().__init__(text)

    def at(self, prefix: str) -> InputError:
        """Return a copy of this error located under ``prefix``.

        Used when a nested object (a facility) is validated as part of its
        parent (a community): ``floor_area`` becomes ``facilities[0].floor_area``.
        """
        path = f"{prefix}.{self.path}" if self.path else prefix
        clone = type(self).__new__(type(self))
        InputError.__init__(clone, self.message, path)
        return clone


class UnitError(InputError):
    """A quantity has the wrong dimension or an unknown unit.

    Raised, for example, for ``floor_area="3 kg"``: the message names the
    field, the dimension found and the dimension expected.
    """


class CatalogueError(CsspError, ValueError):
    """A plan's data file is malformed (a bug in cssp or in a profile)."""


class UnknownPlanError(CsspError, LookupError):
    """No plan with the given id is known."""


class PluginError(CsspError, RuntimeError):
    """A plugin failed: it raised, returned the wrong type, or could not be loaded.

    :param plugin: the plugin's name (its distribution name where known).
    :param message: what went wrong.
    """

    def __init__(self, plugin: str, message: str) -> None:
        self.plugin = plugin
        super().__init__(f"plugin {plugin}: {message}")


class ProfileError(CsspError, ValueError):
    """A profile is invalid.

    For example: an unknown target, a wrong unit, a bad scope, or a loosened
    target in strict mode.

    :param source: the plugin (or file) that provided the profile.
    :param profile: the profile's id.
    :param entry: the offending entry, e.g. ``overrides[2].threshold``.
    :param message: what is wrong.
    """

    def __init__(self, source: str, profile: str, entry: str, message: str) -> None:
        self.source = source
        self.profile = profile
        self.entry = entry
        where = f"profile {profile!r}" + (f" from {source}" if source else "")
        super().__init__(f"{where}: {entry}: {message}" if entry else f"{where}: {message}")


class ProfileConflictError(ProfileError):
    """Two profiles of the same scope set the same thing; the message names both."""
