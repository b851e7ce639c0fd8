"""What reading an input says besides its communities: rows skipped, warnings, places resolved.

A reader (:func:`cssp.io.readers.read_input`) returns these with the
communities, and a region report can carry them
(:attr:`cssp.engine.results.RegionReport.input`), so that a report says what
its figures leave out and what was read in a way worth checking.
"""

from __future__ import annotations

from collections.abc import Iterable

from attrs import define, field

__all__ = ["InputNotes", "Note", "ResolvedPlace", "SkippedRow"]


def _pairs(value: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((str(where), str(message)) for where, message in value)


@define(frozen=True)
class SkippedRow:
    """A row (or record) left out of the evaluation because it has problems.

    :param where: the row, as errors locate it (``ledger.csv: row 5``,
        ``data.json: communities[3]``).
    :param problems: every problem of the row, as ``(location, message)``.
    """

    where: str
    problems: tuple[tuple[str, str], ...] = field(converter=_pairs)


@define(frozen=True)
class Note:
    """Something worth checking about the input, though it is no error.

    :param where: its location (a file, a row, a cell).
    :param message: what it is, in words.
    """

    where: str
    message: str


@define(frozen=True)
class ResolvedPlace:
    """A community placed by the names of its divisions, having no code of its own.

    :param where: its row.
    :param names: the names as written (province, prefecture or county, township).
    :param code: the division code they were resolved to (a township's 9
        digits, or a county's 6).
    :param path: the official names of the divisions of ``code``, outermost first.
    """

    where: str
    names: tuple[str, ...]
    code: str
    path: tuple[str, ...]


@define(frozen=True)
class InputNotes:
    """What reading said of an input: the rows skipped, the warnings, the places resolved.

    :param skipped: the rows left out (with ``skip_invalid``), in input order.
    :param warnings: things worth checking, such as a code whose township
        is not in the division list.
    :param resolved: the communities whose codes were found from place names.
    """

    skipped: tuple[SkippedRow, ...] = ()
    warnings: tuple[Note, ...] = ()
    resolved: tuple[ResolvedPlace, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.skipped or self.warnings or self.resolved)
