"""The columnar batch engine: a whole province or the nation at once (extra ``cssp[batch]``).

It evaluates columns — a mapping of arrays, a pandas DataFrame, a pyarrow
Table or a Parquet file in cssp's table format — against the targets in force
for each community (province profiles included), and gives one small integer
per community × target plus exact region figures at township, county,
prefecture, province and nation level. Its verdicts and figures are those of
:func:`cssp.evaluate` and :func:`cssp.evaluate_region`, to the bit.

>>> import cssp, cssp.batch
>>> table = {
...     "code": ["440106001001", "440106001002"],
...     "households": [1700, 2000],
...     "facility_floor_area": [510.0, 480.0],
... }
>>> result = cssp.batch.evaluate_columns(table, profiles=())
>>> result.status_of(0)["facility_area_per_100_households"]
<Status.MET: 'met'>
>>> county = result.regions("county")
>>> float(county.observed[0, county.targets.index("facility_area_per_100_households")])
26.756756756756758

Status codes: :data:`MET` 0, :data:`NOT_MET` 1, :data:`NOT_APPLICABLE` 2,
:data:`NO_DATA` 3, and :data:`ABSENT` 255 where a target is not in force for
the community (a province's own indicator, elsewhere).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final

try:
    import numpy as np
except ImportError as error:  # pragma: no cover - exercised without numpy
    from cssp.errors import CsspError

    raise CsspError(
        "the batch engine needs numpy (and pyarrow for Parquet): pip install 'cssp[batch]'"
    ) from error

from cssp.batch.engine import Partial, RegionTable, canonical, evaluate_partial, finish
from cssp.batch.frame import Frame
from cssp.batch.measures import ABSENT, MET, NO_DATA, NOT_APPLICABLE, NOT_MET
from cssp.engine.measures import Status
from cssp.engine.results import RegionReport
from cssp.engine.scalar import REGION_LEVELS, _profile_set, _Programs
from cssp.errors import InputError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from cssp.engine.results import RegionAssessment
    from cssp.model.community import Community
    from cssp.model.plan import Plan, Target
    from cssp.rules.profile import Profile
    from cssp.rules.resolve import ProfileSet

__all__ = [
    "ABSENT",
    "MET",
    "NOT_APPLICABLE",
    "NOT_MET",
    "NO_DATA",
    "STATUSES",
    "BatchResult",
    "Partial",
    "RegionTable",
    "Totals",
    "evaluate_columns",
    "evaluate_communities",
    "evaluate_parquet",
]

#: The :class:`~cssp.engine.measures.Status` of each status code but :data:`ABSENT`.
STATUSES: Final = (Status.MET, Status.NOT_MET, Status.NOT_APPLICABLE, Status.NO_DATA)

_Profiles = "ProfileSet | Iterable[Profile] | None"


class Totals:
    """Region figures of a run, from its township totals (:class:`Partial`).

    What a partitioned run (:func:`cssp.batch.on_dask.evaluate_dask`) returns; a
    :class:`BatchResult` is one too, with each community's verdicts besides.
    """

    def __init__(self, programs: _Programs, partial: Partial) -> None:
        self._programs = programs
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
        return self._programs.plan

    @property
    def year(self) -> int:
        """The year evaluated."""
        return self._programs.year

    def regions(self, level: str) -> RegionTable:
        """The regions of ``level`` (``"township"`` … ``"nation"``) as a :class:`RegionTable`."""
        if level not in REGION_LEVELS:
            choices = ", ".join(REGION_LEVELS)
            raise InputError(f"{level!r} is not a region level; expected one of {choices}", "level")
        if self._tables is None:
            self._tables = finish(self.partial, self._programs)
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
        from cssp.batch.assess import assessments  # noqa: PLC0415

        if members and not isinstance(self, BatchResult):
            raise InputError("a partitioned run keeps no community verdicts", "members")
        return assessments(self, self.regions(level), members=members)


class BatchResult(Totals):
    """The verdicts of a batch run and the totals its region figures come from.

    Row ``i`` of :attr:`status` is the community ``codes[i]``, in input order;
    column ``j`` is the target ``targets[j]``.
    """

    def __init__(
        self,
        programs: _Programs,
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

    def failing(self) -> int:
        """How many communities fail at least one community-level target."""
        ids = {t.id for t in self.community_targets}
        columns = [i for i, target in enumerate(self.targets) if target in ids]
        if not columns or not len(self):
            return 0
        return int((self.status[:, columns] == NOT_MET).any(axis=1).sum())

    def report(self, by: str, *, members: bool = True) -> RegionReport:
        """The regions of level ``by`` as the scalar engine's report, without community findings.

        Rendered with ``include_communities=False`` it is byte for byte what
        :func:`cssp.evaluate_region` gives for the same communities (the CLI's
        ``cssp evaluate --engine batch``).

        :param members: list each region's communities, and per finding those
            that fail; ``False`` keeps the report small whatever the number
            of communities (``cssp evaluate --no-members``).
        """
        from cssp.engine.results import CommunitySummary  # noqa: PLC0415

        regions = self.region_assessments(by, members=members)
        summary = CommunitySummary(len(self), self.failing(), self.community_targets)
        return RegionReport(self.plan, self.year, by, regions, (), summary=summary)

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

    def counts(self) -> dict[str, tuple[int, int, int, int]]:
        """For each target, the communities met, not met, not applicable and without data."""
        out = {}
        for t, target in enumerate(self.targets):
            tally = np.bincount(self.status[:, t], minlength=256)
            out[target] = (int(tally[MET]), int(tally[NOT_MET]), int(tally[2]), int(tally[3]))
        return out


def _programs(plan: str | Plan, year: int | None, profiles: Any) -> _Programs:
    return _Programs(plan, year, _profile_set(profiles))


def _run(frame: Frame, programs: _Programs) -> BatchResult:
    targets, status, partial, used = evaluate_partial(frame, programs)
    in_input_order = np.empty_like(status)
    in_input_order[frame.order] = status
    codes = np.empty(frame.size, dtype="S12")
    codes[frame.order] = frame.codes
    result = BatchResult(programs, codes, targets, in_input_order, partial)
    result.community_targets = _community_targets(used)
    return result


def _community_targets(programs: Iterable[Any]) -> tuple[Target, ...]:
    found: dict[int, Target] = {}
    for program in programs:
        for check in program.checks:
            if check.community:
                found.setdefault(id(check.target), check.target)
    return tuple(found.values())


def evaluate_columns(
    table: object,
    plan: str | Plan = "fyp14",
    year: int | None = None,
    *,
    profiles: ProfileSet | Iterable[Profile] | None = None,
) -> BatchResult:
    """Evaluate a table of communities in cssp's table format.

    :param table: a mapping of column name to array (NumPy arrays, lists), a
        pandas DataFrame or a pyarrow Table: the columns of
        :data:`cssp.io.readers.COLUMNS` (numbers in their canonical units, NaN
        or null for "not given"), one yes/no column per
        :class:`~cssp.model.community.Service` named by its value, and
        ``extra.NAME`` columns.
    :param plan: a plan id or plan.
    :param year: the year; defaults to the plan's target year.
    :param profiles: as for :func:`cssp.evaluate`.
    :raises cssp.InputError: naming every bad row and column (``rows[12].households``).
    """
    programs = _programs(plan, year, profiles)
    return _run(Frame.from_columns(table), programs)


def evaluate_communities(
    communities: Iterable[Community],
    plan: str | Plan = "fyp14",
    year: int | None = None,
    *,
    profiles: ProfileSet | Iterable[Profile] | None = None,
) -> BatchResult:
    """Evaluate :class:`~cssp.model.community.Community` objects with the batch engine.

    :raises cssp.InputError: if an item is not a Community, or two share a code.
    """
    programs = _programs(plan, year, profiles)
    return _run(Frame.from_communities(communities), programs)


#: Rows read from a Parquet file at a time.
BATCH_ROWS: Final = 65_536


def evaluate_parquet(
    path: str | os.PathLike[str],
    plan: str | Plan = "fyp14",
    year: int | None = None,
    *,
    profiles: ProfileSet | Iterable[Profile] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> BatchResult:
    """Evaluate a Parquet file in cssp's table format, streaming it in batches of rows.

    Memory grows with the verdicts (one byte per community and target, and
    the community's 12-byte code) and the township totals, not with the file:
    each batch is read, evaluated, reduced to township totals and dropped.

    :param batch_rows: rows read at a time.
    :raises cssp.InputError: for a bad row (located by its row number in the
        file), a code that appears twice anywhere in the file, or a file that
        is not Parquet.
    """
    programs = _programs(plan, year, profiles)
    codes: list[NDArray[np.bytes_]] = []
    statuses: list[NDArray[np.uint8]] = []
    partials: list[Partial] = []
    targets_seen: list[tuple[str, ...]] = []
    community_targets: dict[int, Target] = {}
    first_row = 0
    for batch in _parquet_batches(path, batch_rows):
        frame = Frame.from_columns(batch, first_row=first_row)
        result = _run(frame, programs)
        codes.append(result.codes)
        statuses.append(result.status)
        targets_seen.append(result.targets)
        partials.append(result.partial)
        for target in result.community_targets:
            community_targets.setdefault(id(target), target)
        if len(partials) >= 2:  # keep one running total
            partials = [Partial.merge(partials)]
        first_row += frame.size
    all_codes = np.concatenate(codes) if codes else np.zeros(0, dtype="S12")
    _check_unique(all_codes)
    partial = Partial.merge(partials)
    partial = partial.reordered(canonical(programs.plan, partial.targets))
    targets = partial.targets
    status = _align(statuses, targets_seen, targets, len(all_codes))
    result = BatchResult(programs, all_codes, targets, status, partial)
    result.community_targets = tuple(community_targets.values())
    return result


def _parquet_batches(path: str | os.PathLike[str], rows: int) -> Iterator[Any]:
    try:
        import pyarrow.parquet as pq  # noqa: PLC0415
    except ImportError as error:  # pragma: no cover
        raise InputError(
            "reading Parquet needs pyarrow: pip install 'cssp[batch]'", "path"
        ) from error
    try:
        source = pq.ParquetFile(os.fspath(path))
    except (OSError, ValueError) as error:
        raise InputError(f"cannot read {os.fspath(path)!r} as Parquet: {error}", "path") from None
    # One row group decoded at a time (iter_batches reads ahead, and holds twice as much).
    for group in range(source.metadata.num_row_groups):
        table = source.read_row_group(group)
        for start in range(0, table.num_rows, rows):
            yield table.slice(start, rows)
        del table


def _check_unique(codes: NDArray[np.bytes_]) -> None:
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    same = np.flatnonzero(ordered[1:] == ordered[:-1])
    if same.size:
        a, b = sorted((int(order[same[0]]), int(order[same[0] + 1])))
        code = ordered[same[0]].decode()
        raise InputError(
            f"community {code} appears twice (also at rows[{a}]); it would be counted twice",
            f"rows[{b}].code",
        )


def _align(
    statuses: list[NDArray[np.uint8]],
    seen: Sequence[tuple[str, ...]],
    targets: tuple[str, ...],
    n: int,
) -> NDArray[np.uint8]:
    """One matrix of the batches' statuses; each batch's is freed once copied."""
    out = np.full((n, len(targets)), ABSENT, dtype=np.uint8)
    row = 0
    statuses.reverse()
    for columns in seen:
        status = statuses.pop()
        for c, target in enumerate(columns):
            out[row : row + len(status), targets.index(target)] = status[:, c]
        row += len(status)
        del status
    return out
