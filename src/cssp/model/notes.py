"""What reading an input says besides its communities: rows skipped, warnings, places resolved.

A reader (:func:`cssp.io.readers.read_input`) returns these with the
communities, and a region report can carry them
(:attr:`cssp.engine.results.RegionReport.input`), so that a report says what
its figures leave out and what was read in a way worth checking.

Warnings come in kinds (:data:`WARNING_KINDS`): each reader names the kind of
every warning it makes (``kind`` of a :class:`Note`), and warnings of one kind differ
only in their places, numbers and codes. An input can give one on every row
(a province's ledger whose every village is classed 111), so reading keeps
the first :data:`WARNINGS_KEPT` of each kind, in input order, and counts the
others (``warnings_left_out`` of :class:`InputNotes`): what is kept never grows with
the input. The screen and the text, Markdown and HTML reports show at most
:data:`WARNINGS_SHOWN` of a kind (:func:`shown_warnings`), then how many more
there are.

>>> tally = WarningTally(keep=2)
>>> for row in range(2, 7):
...     tally.add(Note(f"p.csv: row {row}", "the urban-rural class 111 disagrees",
...                    "class_disagrees"))
>>> notes = InputNotes(warnings=tally.warnings, warnings_left_out=tally.left_out)
>>> [note.where for note in notes.warnings], notes.warnings_left_out
(['p.csv: row 2', 'p.csv: row 3'], (('class_disagrees', 3),))
>>> [(note.where, more) for note, more in shown_warnings(notes, 1)]
[('p.csv: row 2', 4)]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Final

from attrs import define, field

from cssp.errors import InputError

__all__ = [
    "WARNINGS_KEPT",
    "WARNINGS_SHOWN",
    "WARNING_KINDS",
    "InputNotes",
    "Note",
    "ResolvedPlace",
    "SkippedRow",
    "WarningTally",
    "shown_warnings",
]

#: The kinds of warning the readers give (a :class:`Note`'s ``kind``), and what each is about.
WARNING_KINDS: Final[Mapping[str, str]] = {
    "ignored_columns": "columns a column map says to ignore",
    "places_unfit": "place names that fit no division",
    "places_disagree": "place names of another division than the code's",
    "class_disagrees": "an urban-rural class (城乡分类代码) that disagrees with the kind",
    "division_unlisted": "a code under a division the shipped division list lacks",
    "revoked_name": "a name that says the unit is revoked (已撤销)",
}

#: Warnings of one kind that reading keeps, the first in input order: the others
#: are counted (``warnings_left_out`` of :class:`InputNotes`), so that memory does not
#: grow with an input warned about on every row. The JSON report lists these.
WARNINGS_KEPT: Final = 100

#: Warnings of one kind shown on standard error and in the text, Markdown and
#: HTML reports; one line then says how many more of that kind there are.
WARNINGS_SHOWN: Final = 5


def _pairs(value: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((str(where), str(message)) for where, message in value)


def _counts(value: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    return tuple((str(kind), int(count)) for kind, count in value)


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
    :param kind: its kind, one of :data:`WARNING_KINDS`; ``""`` (a note not
        made by a reader): its message is its kind.
    """

    where: str
    message: str
    kind: str = ""

    def __attrs_post_init__(self) -> None:
        if self.kind and self.kind not in WARNING_KINDS:
            raise InputError(
                f"{self.kind!r} is not a kind of warning; known kinds: {', '.join(WARNING_KINDS)}",
                "kind",
            )

    @property
    def group(self) -> str:
        """What warnings are counted by: its ``kind``, or its message when it has none."""
        return self.kind or self.message


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
        is not in the division list: the first :data:`WARNINGS_KEPT` of each
        kind, in input order.
    :param resolved: the communities whose codes were found from place names.
    :param warnings_left_out: how many more warnings of each kind there were
        beyond those kept, as ``(kind, count)`` (the kind as
        :attr:`Note.group` gives it), in the order the kinds were first met;
        empty when every warning is kept.
    """

    skipped: tuple[SkippedRow, ...] = ()
    warnings: tuple[Note, ...] = ()
    resolved: tuple[ResolvedPlace, ...] = ()
    warnings_left_out: tuple[tuple[str, int], ...] = field(default=(), converter=_counts)

    def __bool__(self) -> bool:
        return bool(self.skipped or self.warnings or self.resolved or self.warnings_left_out)

    @property
    def warning_count(self) -> int:
        """How many warnings reading gave: those kept and those left out."""
        return len(self.warnings) + sum(count for _, count in self.warnings_left_out)


class WarningTally:
    """Warnings as a reader makes them: the first ``keep`` of each kind kept, in the order
    added, and the others counted — in memory that does not grow with them.

    :param keep: warnings of a kind to keep (default :data:`WARNINGS_KEPT`).
    """

    def __init__(self, keep: int | None = None) -> None:
        self.keep = WARNINGS_KEPT if keep is None else keep
        self._kept: list[Note] = []
        self._counts: dict[str, int] = {}  # kind -> warnings met

    def add(self, note: Note) -> None:
        """Count a warning, and keep it when fewer than ``keep`` of its kind are kept."""
        group = note.group
        count = self._counts.get(group, 0)
        self._counts[group] = count + 1
        if count < self.keep:
            self._kept.append(note)

    def extend(self, notes: Iterable[Note]) -> None:
        """:meth:`add` each of ``notes``, in order."""
        for note in notes:
            self.add(note)

    def merge(self, other: WarningTally) -> None:
        """Add the warnings ``other`` met after this one's, as if they had been added here:
        what is kept and counted is then what adding them all in that order gives."""
        self.extend(other._kept)
        for group, count in other._counts.items():
            beyond = count - min(count, other.keep)
            if beyond:
                self._counts[group] = self._counts.get(group, 0) + beyond

    @property
    def warnings(self) -> tuple[Note, ...]:
        """The warnings kept, in the order added."""
        return tuple(self._kept)

    @property
    def left_out(self) -> tuple[tuple[str, int], ...]:
        """``(kind, count)`` of the warnings counted and not kept, by kind first met."""
        return tuple(
            (group, count - self.keep) for group, count in self._counts.items() if count > self.keep
        )


def shown_warnings(notes: InputNotes, per_kind: int = WARNINGS_SHOWN) -> Iterator[tuple[Note, int]]:
    """The warnings to show, at most ``per_kind`` of each kind, in order, each with how
    many more of its kind there are after it that are not shown (kept or left out):
    ``0`` but for the last one shown of a kind that has more."""
    kept: dict[str, int] = {}
    for note in notes.warnings:
        kept[note.group] = kept.get(note.group, 0) + 1
    beyond = dict(notes.warnings_left_out)
    shown: dict[str, int] = {}
    for note in notes.warnings:
        group = note.group
        count = shown[group] = shown.get(group, 0) + 1
        if count > per_kind:
            continue
        last = min(per_kind, kept[group])
        yield note, (kept[group] - last + beyond.get(group, 0) if count == last else 0)
