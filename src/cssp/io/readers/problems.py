"""What reading gives: the communities found in a file, and every problem with its location.

``_Problems`` collects the problems of all the files read as one input
(up to a limit, all counted) and raises them as one
:class:`~cssp.errors.InputError`; ``_Found`` holds the communities of one
file and where each one's code is. ``_optional_import`` imports the library
an optional format needs, or says what to install.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import attrs

from cssp.errors import InputError
from cssp.model.community import Community
from cssp.model.notes import Note, ResolvedPlace


class _Problems:
    """Every problem found, up to ``limit``, each with its location.

    With ``skip`` (``skip_invalid``), a problem of a row (``row`` given) does
    not count as an error: the row is skipped, and its problems are kept in
    :attr:`skipped`, by row, in the order met.
    """

    __slots__ = ("count", "items", "kinds", "limit", "skip", "skipped")

    def __init__(self, limit: int, *, skip: bool = False) -> None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        self.limit = limit
        self.count = 0
        self.items: list[tuple[str, str]] = []
        self.kinds: list[type[InputError]] = []
        self.skip = skip
        self.skipped: dict[str, list[tuple[str, str]]] = {}

    def add(
        self,
        where: str,
        message: str,
        kind: type[InputError] = InputError,
        row: str | None = None,
    ) -> None:
        if self.skip and row is not None:
            self.skipped.setdefault(row, []).append((where, message))
            return
        self.count += 1
        if len(self.items) < self.limit:
            self.items.append((where, message))
            self.kinds.append(kind)

    def add_error(
        self,
        error: InputError,
        locate: Callable[[str], str] | None = None,
        row: str | None = None,
    ) -> None:
        kind = type(error) if len(error.problems) == 1 else InputError
        for path, message in error.problems:
            self.add(locate(path) if locate else path, message, kind, row)

    def check(self, what: str) -> None:
        """Raise one error listing the problems, if there are any."""
        if self.count == 0:
            return
        if self.count == 1:
            where, message = self.items[0]
            raise self.kinds[0](message, where)
        more = f" (showing the first {len(self.items)})" if self.count > len(self.items) else ""
        raise InputError(f"{self.count} problems in {what}{more}", what, tuple(self.items))


@attrs.define
class _Found:
    """The communities read from one file, and where each one's code is."""

    communities: list[Community] = attrs.field(factory=list)
    # the location of the code of communities[i], made only when it is needed
    locate: Callable[[int], str] = str
    # the location of the row (or record) of communities[i]
    row: Callable[[int], str] = str
    # what is worth saying about the file though it is no error, each of its kind
    warnings: list[Note] = attrs.field(factory=list)
    # the communities placed by the names of their divisions
    resolved: list[ResolvedPlace] = attrs.field(factory=list)
    # the rows read into columns instead (cssp.io.readers.blocks), for the columnar engine
    block: Any = None


def _optional_import(module: str, extra: str, what: str, name: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        package = module.partition(".")[0]
        raise InputError(
            f"reading {what} files needs {package}: pip install 'cssp[{extra}]'", name
        ) from None
