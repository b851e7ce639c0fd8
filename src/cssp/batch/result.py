"""What a batch run gives: each community's verdicts and the region totals
(:class:`BatchResult`), or the region totals alone (:class:`Totals`, a partitioned run).

Both are documented, and imported, as :mod:`cssp.batch`'s (``cssp.batch.BatchResult``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from numpy.typing import NDArray

from cssp.batch.assess import assessments
from cssp.batch.columnar import ABSENT, MET, NO_DATA, NO_VERDICT, NOT_APPLICABLE, NOT_MET
from cssp.batch.engine import Partial
from cssp.batch.regions import RegionTable, finish
from cssp.engine.program import REGION_LEVELS, Programs, profile_set
from cssp.engine.results import STATUS_CODES, CommunitySummary, RegionReport, TownshipAssessment
from cssp.engine.townships import township_findings
from cssp.errors import InputError
from cssp.plugins import default_profiles

if TYPE_CHECKING:
    from cssp.engine.results import RegionAssessment
    from cssp.model.measures import Status
    from cssp.model.notes import InputNotes
    from cssp.model.plan import Plan, Target
    from cssp.model.township import Township
    from cssp.rules.profile import Profile
    from cssp.rules.resolve import ProfileSet

__all__ = ["STATUSES", "BatchResult", "Totals"]

#: The :class:`~cssp.model.measures.Status` of each status code but :data:`ABSENT`.
STATUSES: Final = STATUS_CODES


class Totals:
    """Region figures of a run, from its township totals (:class:`Partial`).

    What a partitioned run (:func:`cssp.batch.on_dask.evaluate_dask`) returns; a
    :class:`BatchResult` is one too, with each community's verdicts besides.
    """

    def __init__(self, programs: Programs, partial: Partial) -> None:
        #: the compiled programs of the run (plan, year and profiles).
        self.programs = programs
        #: the township totals: merge them with other partitions' (:meth:`Partial.merge`).
        self.partial = partial
        self._tables: dict[str, RegionTable] | None = None

    @classmethod
    def from_partial(
        cls,
        partial: Partial,
        plan: str | Plan = "fyp14",
        year: int | None = None,
        *,
        profiles: ProfileSet | Iterable[Profile] | None = None,
    ) -> Totals:
        """Region figures from township totals merged elsewhere (Spark, snapshots pooled).

        :param partial: the totals, e.g. :meth:`Partial.merge` of several runs'
            :attr:`partial`, or :func:`cssp.batch.on_dask.totals_from_frame`.
        :param plan: the plan the totals were computed for.
        :param year: the year they were computed for.
        :param profiles: the profiles they were computed with (regions are
            judged by the targets in force for each region's code).
        """
        return cls(_programs(plan, year, profiles), partial)

    @property
    def plan(self) -> Plan:
        """The plan evaluated."""
        return self.programs.plan

    @property
    def year(self) -> int:
        """The year evaluated."""
        return self.programs.year

    def regions(self, level: str) -> RegionTable:
        """The regions of ``level`` (``"township"`` … ``"nation"``) as a :class:`RegionTable`."""
        if level not in REGION_LEVELS:
            choices = ", ".join(REGION_LEVELS)
            raise InputError(f"{level!r} is not a region level; expected one of {choices}", "level")
        if self._tables is None:
            self._tables = finish(self.partial, self.programs)
        return self._tables[level]

    def region_assessments(
        self, level: str, *, members: bool = False
    ) -> tuple[RegionAssessment, ...]:
        """The regions of ``level`` as :class:`~cssp.engine.results.RegionAssessment` objects.

        They are built by the scalar engine's own code from the exact totals.

        :param members: also list each region's communities and, per finding,
            those that fail (as :func:`cssp.evaluate_region` does); costly
            for a large run, so off by default, and only for a :class:`BatchResult`.
        """
        if members and not isinstance(self, BatchResult):
            raise InputError("a partitioned run keeps no community verdicts", "members")
        batch = self if isinstance(self, BatchResult) else None
        return assessments(self, self.regions(level), members=members, batch=batch)


class BatchResult(Totals):
    """The verdicts of a batch run and the totals its region figures come from.

    Row ``i`` of :attr:`status` is the community ``codes[i]``, in input order;
    column ``j`` is the target ``targets[j]``.
    """

    def __init__(
        self,
        programs: Programs,
        codes: NDArray[np.bytes_],
        targets: tuple[str, ...],
        status: NDArray[np.uint8],
        partial: Partial,
    ) -> None:
        super().__init__(programs, partial)
        #: the communities' codes, in input order (bytes, ``S12``).
        self.codes = codes
        #: the target ids in force for any of the communities, the columns of
        #: :attr:`status`: the plan's in its order, then the others by id.
        self.targets = targets
        #: ``uint8`` status codes (:data:`~cssp.batch.MET` …
        #: :data:`~cssp.batch.ABSENT`), one row per community in input order.
        self.status = status
        #: the community-level targets in force for any of the communities.
        self.community_targets: tuple[Target, ...] = ()
        #: for each coverage target some communities are not judged on: a
        #: boolean numpy array, true for the communities (rows in input order)
        #: without the thing, which a region lists instead of failures.
        self.lacking: dict[str, Any] = {}
        #: the township records evaluated with the communities, sorted by code.
        self.townships: tuple[Township, ...] = ()
        #: each township record's raw results, by code and target id.
        self.township_raws: dict[str, Any] = {}
        #: what reading the input said (:class:`~cssp.model.notes.InputNotes`: warnings,
        #: approximate values, places found by name) when it was read as the
        #: default engine reads it; ``None`` when the columns were read directly.
        self.notes: InputNotes | None = None
        #: the kernel that evaluated the communities: ``"numpy"`` (the reference), or
        #: ``"polars"`` (:func:`~cssp.batch.evaluate_parquet` on Polars; the same result).
        self.kernel = "numpy"

    def failing(self) -> int:
        """How many communities fail at least one community-level target."""
        unmet = self._unmet()
        return 0 if unmet is None else int(np.count_nonzero(unmet))

    def worst_rows(self, n: int) -> NDArray[np.intp]:
        """The rows (in input order) of the ``n`` communities that fail the most
        community-level targets, worst first, then by code; only communities that fail one.

        ``cssp evaluate`` lists those communities' findings in its text, Markdown and HTML
        reports of a large input (``--worst``).
        """
        unmet = self._unmet()
        if n <= 0 or unmet is None:
            return np.empty(0, dtype=np.intp)
        rows = np.flatnonzero(unmet)
        return rows[np.lexsort((self.codes[rows], -unmet[rows]))][:n]

    def _unmet(self) -> NDArray[np.intp] | None:
        """How many community-level targets each community does not meet (``None``: no
        community-level target, or no verdicts kept)."""
        ids = {t.id for t in self.community_targets}
        columns = [i for i, target in enumerate(self.targets) if target in ids]
        if not columns or not len(self.codes):
            return None
        unmet: NDArray[np.intp] = (self.status[:, columns] == NOT_MET).sum(axis=1, dtype=np.intp)
        return unmet

    def report(self, by: str, *, members: bool = True) -> RegionReport:
        """The regions of level ``by`` as the scalar engine's report, without community findings.

        Rendered with ``include_communities=False`` it is byte for byte what
        :func:`cssp.evaluate_region` gives for the same communities (the CLI's
        ``cssp evaluate --engine batch``).

        :param members: list each region's communities, and per finding those
            that fail; ``False`` keeps the report small whatever the number
            of communities (``cssp evaluate --no-members``).
        """
        regions = self.region_assessments(by, members=members)
        summary = CommunitySummary(len(self), self.failing(), self.community_targets)
        townships = tuple(
            TownshipAssessment(
                t, self.plan, self.year, township_findings(self.programs.for_code(t.code), t)
            )
            for t in self.townships
        )
        return RegionReport(
            self.plan, self.year, by, regions, (), summary=summary, townships=townships
        )

    def __len__(self) -> int:
        return len(self.codes)

    def status_of(self, row: int) -> dict[str, Status]:
        """The statuses of one community (by input position), for the targets in force for it."""
        codes = self.status[row]
        return {
            target: STATUSES[code]
            for target, code in zip(self.targets, codes.tolist(), strict=True)
            if code != ABSENT
        }

    def counts(self) -> dict[str, tuple[int, int, int, int, int]]:
        """For each target, the communities met, not met, not applicable, without
        data and without a verdict (in the order of :data:`STATUSES`)."""
        out = {}
        for t, target in enumerate(self.targets):
            tally = np.bincount(self.status[:, t], minlength=256)
            out[target] = (
                int(tally[MET]),
                int(tally[NOT_MET]),
                int(tally[NOT_APPLICABLE]),
                int(tally[NO_DATA]),
                int(tally[NO_VERDICT]),
            )
        return out


def _programs(plan: str | Plan, year: int | None, profiles: Any) -> Programs:
    """The programs of a run; ``profiles=None``: the installed plugins' (as
    :func:`cssp.evaluate`)."""
    return Programs(plan, year, profile_set(default_profiles() if profiles is None else profiles))


def _community_targets(programs: Iterable[Any]) -> tuple[Target, ...]:
    found: dict[int, Target] = {}
    for program in programs:
        for check in program.checks:  # every check gives communities findings
            found.setdefault(id(check.target), check.target)
    return tuple(found.values())
