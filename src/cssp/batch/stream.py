"""Batches of communities evaluated as one input: the columnar engine fed from any reader.

:class:`StreamRun` evaluates each batch as it comes (a block of a CSV file,
lines of a JSON Lines file, rows of a worksheet — :class:`cssp.io.readers.stream.InputStream`
gives them) and adds its township totals to the run's, so that memory
depends on the batch, the townships and the verdicts kept (one byte a
community and target, and its 12-byte code) — not on the input. Its result is
the :class:`~cssp.batch.BatchResult` one batch of every community gives::

    >>> import cssp
    >>> from cssp.batch.stream import StreamRun
    >>> communities = cssp.load_sample()
    >>> run = StreamRun(profiles=())
    >>> for first in range(0, len(communities), 2):
    ...     _ = run.add(communities[first : first + 2])
    >>> whole = cssp.batch.evaluate_communities(communities, profiles=())
    >>> run.result().report("county") == whole.report("county")
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from cssp.batch.columnar import ABSENT
from cssp.batch.engine import Partial, evaluate_partial, target_order
from cssp.batch.frame import Frame
from cssp.batch.result import BatchResult, _community_targets, _programs
from cssp.engine import scalar

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from cssp.engine.results import Assessment, RegionReport
    from cssp.model.community import Community
    from cssp.model.plan import Plan
    from cssp.rules.profile import Profile
    from cssp.rules.resolve import ProfileSet

__all__ = ["StreamRun", "evaluate_stream"]


class StreamRun:
    """A run of the columnar engine over batches of communities (see the module).

    :param plan: a plan id or plan.
    :param year: the year; defaults to the plan's target year.
    :param profiles: as for :func:`cssp.evaluate`.
    :param keep: keep each community's verdicts (for the region reports'
        member lists and counts); ``False`` keeps only the township totals.
    :param worst: keep the communities that fail the most community-level
        targets, at most this many (ties: the lower code first): the report
        gives their findings (:meth:`worst`).
    """

    def __init__(
        self,
        plan: str | Plan = "fyp14",
        year: int | None = None,
        *,
        profiles: ProfileSet | Iterable[Profile] | None = None,
        keep: bool = True,
        worst: int = 0,
    ) -> None:
        if worst < 0:
            raise ValueError(f"worst must not be negative, not {worst}")
        self.programs = _programs(plan, year, profiles)
        self.keep = keep
        self.worst_kept = worst
        # the worst communities so far, worst first: (-targets not met, code, community)
        self._worst: list[tuple[int, bytes, Community]] = []
        self._partial: Partial | None = None
        self._kept: list[tuple[NDArray[np.bytes_], tuple[str, ...], NDArray[np.uint8]]] = []
        # per kept batch: the rows that lack the thing of a coverage target judged per region
        self._lacking: list[dict[str, NDArray[np.bool_]]] = []
        self._used: dict[int, Any] = {}
        self._size = 0
        self._failing = 0

    def add(self, communities: Sequence[Community] | Frame) -> BatchResult:
        """Evaluate a batch (communities, or the columns of a table read straight into the
        engine's frame, as :class:`~cssp.io.readers.stream.InputStream` gives them) and add it
        to the run.

        :return: the batch's own result (its verdicts in the batch's order).
        :raises cssp.InputError: as :func:`cssp.batch.evaluate_communities`
            (a code met twice in the batch; a community without a 12-digit code).
        """
        frame = (
            communities if isinstance(communities, Frame) else Frame.from_communities(communities)
        )
        targets, status, partial, used, lacking = evaluate_partial(frame, self.programs)
        in_order = np.empty_like(status)
        in_order[frame.order] = status
        codes = np.empty(frame.size, dtype="S12")
        codes[frame.order] = frame.codes
        result = BatchResult(self.programs, codes, targets, in_order, partial)
        result.community_targets = _community_targets(used)
        for target, rows in lacking.items():
            ordered = np.empty_like(rows)
            ordered[frame.order] = rows
            result.lacking[target] = ordered
        for program in used:
            self._used.setdefault(id(program), program)
        self._partial = (
            partial if self._partial is None else Partial.merge([self._partial, partial])
        )
        self._size += len(codes)
        self._failing += result.failing()
        if self.keep:
            self._kept.append((codes, targets, in_order))
            self._lacking.append(result.lacking)
        if self.worst_kept:
            self._keep_worst(frame, result)
        return result

    def _keep_worst(self, frame: Frame, result: BatchResult) -> None:
        """Merge the batch's worst communities into the run's: at most ``worst`` kept (a
        frame read into columns builds only those, as its reader builds a row)."""
        unmet = result._unmet()
        if unmet is None:
            return
        rows = result.worst_rows(self.worst_kept)  # the batch's worst
        sorted_row = np.empty_like(frame.order)  # input row -> the frame's (sorted) row
        sorted_row[frame.order] = np.arange(len(frame.order))
        found = [
            (-int(unmet[r]), bytes(result.codes[r]), frame.community(int(sorted_row[r])))
            for r in rows.tolist()
        ]
        merged = sorted([*self._worst, *found], key=lambda kept: kept[:2])
        self._worst = merged[: self.worst_kept]

    def worst(self) -> tuple[Assessment, ...]:
        """The worst communities so far (at most ``worst``), worst first, as the scalar engine
        (the reference) evaluates them: each finding with its explanation."""
        plan, year, profiles = self.programs.plan, self.programs.year, self.programs.profiles
        return tuple(
            scalar.evaluate(community, plan, year, profiles=profiles)
            for _, _, community in self._worst
        )

    def __len__(self) -> int:
        return self._size

    def failing(self) -> int:
        """How many communities so far fail at least one community-level target."""
        return self._failing

    def result(self) -> BatchResult:
        """The run's result, as one batch of every community would give it.

        Without ``keep``, its :attr:`~cssp.batch.BatchResult.codes` and
        :attr:`~cssp.batch.BatchResult.status` are empty: the region figures
        are whole, the member lists are not available.
        """
        used = list(self._used.values())
        targets = target_order(self.programs.plan, used)
        column = {target: t for t, target in enumerate(targets)}
        size = sum(len(codes) for codes, _, _ in self._kept)
        status = np.full((size, len(targets)), ABSENT, dtype=np.uint8)
        codes = np.empty(size, dtype="S12")
        lacking: dict[str, NDArray[np.bool_]] = {}
        row = 0
        for (batch_codes, batch_targets, batch_status), batch_lacking in zip(
            self._kept, self._lacking, strict=True
        ):
            end = row + len(batch_codes)
            codes[row:end] = batch_codes
            for target, lack in batch_lacking.items():
                if target not in lacking:
                    lacking[target] = np.zeros(size, dtype=bool)
                lacking[target][row:end] = lack
            if batch_targets == targets:
                status[row:end] = batch_status
            else:
                for k, target in enumerate(batch_targets):
                    status[row:end, column[target]] = batch_status[:, k]
            row = end
        partial = self._partial or Partial.merge([])
        result = _Streamed(self.programs, codes, targets, status, partial)
        result.community_targets = _community_targets(used)
        result.lacking = lacking
        result.streamed = (self._size, self._failing)
        if self._worst:
            result.worst = self.worst()
        return result


class _Streamed(BatchResult):
    """A stream's result: its count and failing communities are the stream's, kept or not."""

    streamed = (0, 0)
    worst: tuple[Assessment, ...] = ()

    def __len__(self) -> int:
        return self.streamed[0]

    def failing(self) -> int:
        return self.streamed[1]

    def report(self, by: str, *, members: bool = True) -> RegionReport:
        report = super().report(by, members=members)
        if not self.worst or report.summary is None:
            return report
        return attrs.evolve(report, summary=attrs.evolve(report.summary, worst=self.worst))


def evaluate_stream(
    batches: Iterable[Sequence[Community]],
    plan: str | Plan = "fyp14",
    year: int | None = None,
    *,
    profiles: ProfileSet | Iterable[Profile] | None = None,
    keep: bool = True,
    worst: int = 0,
) -> BatchResult:
    """Evaluate batches of communities as one input by the columnar engine (:class:`StreamRun`).

    :param batches: the batches, e.g. an :class:`~cssp.io.readers.stream.InputStream`.
    :param keep: as for :class:`StreamRun`.
    :param worst: as for :class:`StreamRun`.
    :raises cssp.InputError: as :meth:`StreamRun.add`, and as the batches raise.
    """
    run = StreamRun(plan, year, profiles=profiles, keep=keep, worst=worst)
    for batch in batches:
        run.add(batch)
    return run.result()
