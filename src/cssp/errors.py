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
