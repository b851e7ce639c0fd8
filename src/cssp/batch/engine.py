"""The batch engine: every community × target at once, and the township totals.

It evaluates the programs the scalar engine runs (:mod:`cssp.engine.program`)
— the targets in force for each chain of profiles, their thresholds for the
year, the scales from measure units to indicator units — applying each
measure's declaration to whole columns (:mod:`cssp.batch.columnar`), each
target's comparison (:attr:`Comparator.holds <cssp.model.plan.Comparator.holds>`,
the same function, elementwise), and sums each township's communities. Region
sums are exact (:mod:`cssp.batch._exact`), so the figures equal the scalar
engine's :func:`math.fsum` to the bit, and partial results of partitions merge
exactly. The regions at five levels, and the one region verdict
(:func:`~cssp.engine.program.region_status`), are :mod:`cssp.batch.regions`'s.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from cssp.batch._exact import ExactSums, Summable, group_sums
from cssp.batch.columnar import (
    ABSENT,
    MEASURED,
    MET,
    NO_DATA,
    NO_VERDICT,
    NOT_APPLICABLE,
    NOT_MET,
    STATUS_COUNT,
    Observed,
    observe,
)
from cssp.batch.frame import Frame
from cssp.batch.staffing import staffing_required
from cssp.engine.program import (
    Check,
    Program,
    Programs,
    built_on,
    canonical_targets,
)
from cssp.model.measures import FIELDS, FLAG_NAMES, ONE, Measure, Skip, in_scope
from cssp.model.plan import Plan, Scope

__all__ = [
    "AppendedTotals",
    "OutOfOrder",
    "Partial",
    "RunningTotals",
    "evaluate_partial",
    "target_order",
    "township_programs",
]

Floats = NDArray[np.float64]
Codes = NDArray[np.uint8]


def _scope_mask(frame: Frame, scope: Scope) -> NDArray[np.bool_] | None:
    """The rows a target of ``scope`` applies to (``None``: all): the one scope rule."""
    flags = {"rural": frame.rural, **frame.flags}
    mask = in_scope(scope, {name: flags[name] for name in FLAG_NAMES})
    return None if mask is True else np.asarray(mask, dtype=bool)


class _Columns:
    """The measures of one frame, each computed once, and the fields they sum."""

    def __init__(
        self, frame: Frame, sums: Iterable[str] = (), measures: Iterable[Measure] = ()
    ) -> None:
        """
        :param sums: the fields the targets will sum, once a use: each is
            prepared once and dropped after its last use.
        :param measures: the measures the targets will observe, once a use:
            likewise.
        """
        self.frame = frame
        self._cache: dict[Measure, Observed] = {}
        self._summable: dict[str, Summable] = {}
        self._uses = collections.Counter(sums)
        self._observed = collections.Counter(measures)

    def summable(self, name: str) -> Summable:
        """Field ``name`` prepared for exact sums under each target's mask (once)."""
        found = self._summable.get(name)
        if found is None:
            info = FIELDS.get(name)
            whole = info is not None and info.whole
            found = self._summable[name] = Summable(self.frame.field(name), whole=whole)
        self._uses[name] -= 1
        if self._uses[name] <= 0:
            del self._summable[name]  # its last use: the caller holds it
        return found

    def observe(self, measure: Measure) -> Observed:
        found = self._cache.get(measure)
        if found is None:
            found = self._cache[measure] = (
                observe(measure, self.frame) if measure.declared else self._row_by_row(measure)
            )
        self._observed[measure] -= 1
        if self._observed[measure] == 0:
            del self._cache[measure]  # its last use (a count below 0: not announced, kept)
        return found

    def _row_by_row(self, measure: Measure) -> Observed:
        """A measure with no declaration: computed on each community (slow, exact)."""
        assert measure.compute is not None
        n = self.frame.size
        numerator, denominator = np.zeros(n), np.ones(n)
        status = np.zeros(n, dtype=np.uint8)
        for i in range(n):
            observation = measure.compute(self.frame.community(i))
            if isinstance(observation, Skip):
                status[i] = _CODE[observation.status.value]
            else:
                numerator[i], denominator[i] = observation
        return numerator, denominator, status


_CODE: Final = {
    "met": MEASURED,
    "not_met": NOT_MET,
    "not_applicable": NOT_APPLICABLE,
    "no_data": NO_DATA,
    "no_verdict": NO_VERDICT,
}


def target_order(plan: Plan, programs: Iterable[Program]) -> tuple[str, ...]:
    """Every target id in force anywhere: the plan's in its order, then the others by id."""
    return canonical(plan, (c.target.id for p in programs for c in p.checks))


canonical = canonical_targets


class Partial:
    """Township totals of one or more partitions: what merges exactly.

    For each target: the communities met / not met / not applicable / without
    data / without a verdict, and the exact sums of the numerators and
    denominators of those measured (met, not met or without a verdict), per
    township (9-digit code). Regions above a township are sums
    of townships, so merging partials of any partitioning — then computing the
    regions from the merged totals (:class:`~cssp.batch.Totals`) — gives the
    figures of a single run.

    Where some communities' values are approximate, it says which townships'
    figures are built on them, target by target (:attr:`approximate`).
    """

    def __init__(
        self,
        townships: NDArray[np.int64],
        targets: tuple[str, ...],
        counts: NDArray[np.integer[Any]],
        numerators: list[ExactSums],
        denominators: list[ExactSums],
        approximate: NDArray[np.bool_] | None = None,
    ) -> None:
        #: the 9-digit township codes as integers, sorted and unique.
        self.townships = townships
        #: the target ids of the other attributes' first axis.
        self.targets = targets
        #: counts by target, township and status (met, not met, n/a, no data, no verdict).
        self.counts = counts
        #: per target, the exact sums of the numerators by township.
        self.numerators = numerators
        #: per target, the exact sums of the denominators by township.
        self.denominators = denominators
        #: by target and township, whether a community met or not met has a value it
        #: is judged on written as approximate (``约300户``); ``None``: none has.
        self.approximate = approximate

    @staticmethod
    def merge(parts: Sequence[Partial]) -> Partial:
        """One partial for all of ``parts`` (townships split across parts are summed)."""
        parts = [p for p in parts if len(p.townships)]
        if not parts:
            return Partial(
                np.zeros(0, np.int64), (), np.zeros((0, 0, STATUS_COUNT), np.int32), [], []
            )
        if len(parts) == 1:
            return parts[0]
        targets: tuple[str, ...] = ()
        for p in parts:
            targets = (*targets, *(t for t in p.targets if t not in targets))
        townships = np.concatenate([p.townships for p in parts])
        order = np.argsort(townships, kind="stable")
        ordered = townships[order]
        starts = _run_starts(ordered)
        counts = np.zeros((len(targets), len(starts), STATUS_COUNT), dtype=np.int32)
        numerators, denominators = [], []
        for t, target in enumerate(targets):
            stacked_counts = []
            nums, dens = [], []
            for p in parts:
                if target in p.targets:
                    k = p.targets.index(target)
                    stacked_counts.append(p.counts[k])
                    nums.append(p.numerators[k])
                    dens.append(p.denominators[k])
                else:
                    size = len(p.townships)
                    stacked_counts.append(np.zeros((size, STATUS_COUNT), dtype=np.int32))
                    nums.append(_zeros(size))
                    dens.append(_zeros(size))
            counts[t] = np.add.reduceat(
                np.concatenate(stacked_counts)[order], starts, axis=0, dtype=np.int64
            )
            numerators.append(ExactSums.concat(nums).take(order).regroup(starts))
            denominators.append(ExactSums.concat(dens).take(order).regroup(starts))
        near = None
        if any(p.approximate is not None for p in parts):
            near = np.zeros((len(targets), len(starts)), dtype=bool)
            for t, target in enumerate(targets):
                stacked = [
                    p.approximate[p.targets.index(target)]
                    if p.approximate is not None and target in p.targets
                    else np.zeros(len(p.townships), dtype=bool)
                    for p in parts
                ]
                near[t] = np.logical_or.reduceat(np.concatenate(stacked)[order], starts)
        return Partial(ordered[starts], targets, counts, numerators, denominators, near)


def _zeros(size: int) -> ExactSums:
    return ExactSums(np.zeros((size, 1), dtype=np.int64), 0)


class RunningTotals:
    """Township totals of a stream of batches, added in place.

    The townships and targets are known before the first batch (a first pass
    over the codes), so each batch's :class:`Partial` is added into arrays of
    the final size: memory does not grow with the batches, and no merge
    copies the totals. Given ``largest``, the most communities a township
    has, the counts take one or two bytes instead of four where that fits (a
    township's counts, and their sum, never exceed ``largest``).
    """

    def __init__(
        self, townships: NDArray[np.int64], targets: tuple[str, ...], largest: int | None = None
    ) -> None:
        self.townships = townships
        self.targets = targets
        self._index = {target: t for t, target in enumerate(targets)}
        kind: type[np.integer[Any]] = np.int32
        if largest is not None and largest < 2**16:
            kind = np.uint8 if largest < 2**8 else np.uint16
        self.counts = np.zeros((len(targets), len(townships), STATUS_COUNT), dtype=kind)
        self.nums = [_zeros(len(townships)) for _ in targets]
        self.dens = [_zeros(len(townships)) for _ in targets]
        # made at the first batch with an approximate value
        self.approximate: NDArray[np.bool_] | None = None

    def add(self, part: Partial) -> None:
        """Add a batch's totals (its townships and targets must be among these)."""
        found = np.searchsorted(self.townships, part.townships)
        rows: NDArray[np.intp] | slice = found
        if len(found) and int(found[-1]) - int(found[0]) + 1 == len(found):
            rows = slice(int(found[0]), int(found[-1]) + 1)  # in code order: a run
        for k, target in enumerate(part.targets):
            t = self._index[target]
            self.counts[t, rows] += part.counts[k].astype(self.counts.dtype)
            self.nums[t] = self.nums[t].add_at(rows, part.numerators[k])
            self.dens[t] = self.dens[t].add_at(rows, part.denominators[k])
        if part.approximate is not None:
            if self.approximate is None:
                self.approximate = np.zeros((len(self.targets), len(self.townships)), bool)
            for k, target in enumerate(part.targets):
                self.approximate[self._index[target], rows] |= part.approximate[k]

    def partial(self) -> Partial:
        """The totals so far."""
        return Partial(
            self.townships, self.targets, self.counts, self.nums, self.dens, self.approximate
        )


class OutOfOrder(Exception):
    """A batch's townships come before the last one's: the codes must be read first."""


class AppendedTotals:
    """The township totals of chunks in code order, the townships not known before:
    each chunk's are appended (its first may be the last chunk's last), in
    :class:`RunningTotals` given room as they come.

    :param rows: the file's rows (the first chunk's townships a row tell how many
        the file has, roughly).
    """

    def __init__(self, targets: tuple[str, ...], rows: int) -> None:
        self.targets = targets
        self.rows = rows
        self.seen = 0  # rows added
        self.size = 0  # townships
        self.totals = RunningTotals(np.zeros(0, dtype=np.int64), targets)

    def add(self, part: Partial, seen: int) -> None:
        """Add a chunk's totals; ``seen``: the rows of the file added so far, with it.

        :raises OutOfOrder: when its townships come before the last chunk's last.
        """
        towns = part.townships
        new = towns
        if self.size and len(towns):
            last = self.totals.townships[self.size - 1]
            if towns[0] < last:
                raise OutOfOrder
            if towns[0] == last:
                new = towns[1:]
        self.seen = seen
        size = self.size + len(new)
        if size > len(self.totals.townships):
            self._grow(size)
        self.totals.townships[self.size : size] = new
        self.size = size
        self.totals.add(part)

    def _grow(self, size: int) -> None:
        """Room for ``size`` townships at least: as many as the file has at this rate."""
        rate = -(-size * self.rows * 9 // (8 * max(self.seen, 1)))  # and an eighth
        self._room(max(size, 2 * len(self.totals.townships), min(rate, 16 * size)))

    def _room(self, room: int) -> None:
        """The totals moved to arrays of ``room`` townships."""
        old = self.totals
        new = RunningTotals(np.full(room, np.iinfo(np.int64).max), self.targets)
        n = self.size
        new.townships[:n] = old.townships[:n]
        new.counts[:, :n] = old.counts[:, :n]
        new.nums = [_resized(sums, room, n) for sums in old.nums]
        new.dens = [_resized(sums, room, n) for sums in old.dens]
        if old.approximate is not None:
            new.approximate = np.zeros((len(self.targets), room), dtype=bool)
            new.approximate[:, : self.size] = old.approximate[:, : self.size]
        self.totals = new

    def partial(self) -> Partial:
        """The totals of the townships met."""
        if len(self.totals.townships) > self.size + self.size // 4:
            self._room(self.size)  # not a fifth more than the townships
        totals, n = self.totals, self.size
        near = None if totals.approximate is None else totals.approximate[:, :n]
        return Partial(
            totals.townships[:n],
            self.targets,
            totals.counts[:, :n],
            [_first(sums, n) for sums in totals.nums],
            [_first(sums, n) for sums in totals.dens],
            near,
        )


def _resized(sums: ExactSums, groups: int, used: int) -> ExactSums:
    """The first ``used`` of ``sums``, then zeros: ``groups`` in all."""
    if sums.exact is not None:
        return ExactSums(None, sums.base, [*sums.exact[:used], *[0] * (groups - used)])
    assert sums.limbs is not None
    limbs = np.zeros((groups, sums.limbs.shape[1]), dtype=np.int64)
    limbs[:used] = sums.limbs[:used]
    return ExactSums(limbs, sums.base)


def _first(sums: ExactSums, groups: int) -> ExactSums:
    """The first ``groups`` of ``sums``."""
    if sums.exact is not None:
        return ExactSums(None, sums.base, sums.exact[:groups])
    assert sums.limbs is not None
    return ExactSums(sums.limbs[:groups], sums.base)


def evaluate_partial(
    frame: Frame, programs: Programs
) -> tuple[tuple[str, ...], Codes, Partial, list[Program], dict[str, NDArray[np.bool_]]]:
    """Evaluate a frame.

    :return: the targets, the status of each (sorted) row × target, the
        township totals, the programs (chains of profiles) its communities
        fell under, and, for each coverage target some communities are not
        judged on, the rows (sorted) without the thing — what a region lists
        for it instead of failures.
    """
    n = frame.size
    townships = frame.keys // 1000
    starts = _run_starts(townships)
    lengths = np.diff(np.r_[starts, n])
    # The program of each township, and of each row.
    township_program, program_list = township_programs(programs, frame.keys[starts] // 1000)
    row_program = np.repeat(township_program, lengths)
    targets = target_order(programs.plan, program_list)
    status = np.full((n, len(targets)), ABSENT, dtype=np.uint8)
    rules_of = {target_id: _same_rule(program_list, target_id) for target_id in targets}
    summed, observed = [], []
    for rules in rules_of.values():
        measure = rules[0][0][1].measure
        observed += [groups[0][1].measure for groups in rules]
        if len(rules) == 1 and measure.numerator is not None:
            summed += [measure.numerator, measure.denominator]
    columns = _Columns(frame, summed, observed)
    totals = _Totals(townships, starts, len(targets))
    lacking: dict[str, NDArray[np.bool_]] = {}
    for t, target_id in enumerate(targets):
        rules = rules_of[target_id]
        measure = rules[0][0][1].measure
        # One declared measure for every row: its fields are summed as prepared
        # once for every target that sums them, under this target's mask.
        declared = len(rules) == 1 and measure.numerator is not None
        num_rows: Floats | None = None
        den_rows: Floats | None = None
        # A coverage target some communities are not judged on: the rows
        # without the thing, which a region lists instead of failures.
        track_lacking = any(c.lacking for groups in rules for _, c in groups)
        lack_rows: NDArray[np.bool_] | None = None
        # The rows judged on an approximate value (if the frame has any).
        near: NDArray[np.bool_] | None = None
        for groups in rules:
            rows = np.isin(row_program, [p for p, _ in groups]) if len(program_list) > 1 else None
            num, den, result = _judge_rows(frame, columns, program_list, row_program, groups, rows)
            if rows is None:
                status[:, t] = result
                num_rows, den_rows = num, den
            else:
                status[rows, t] = result[rows]
                if not declared:
                    num_rows = np.where(rows, num, 0.0 if num_rows is None else num_rows)
                    den_rows = np.where(rows, den, 0.0 if den_rows is None else den_rows)
            if track_lacking:
                lack = (result == NO_VERDICT) & (num == 0)
                if rows is not None:
                    lack &= rows
                lack_rows = lack if lack_rows is None else lack_rows | lack
            if frame.approximate:
                near = _near(frame, groups[0][1], rows, near)
        if lack_rows is not None:
            lacking[target_id] = lack_rows
        numerator, denominator = _target_sums(columns, measure, declared, num_rows, den_rows)
        # The township totals of this target now: its columns are not kept.
        totals.add(t, status[:, t], numerator, denominator)
        if near is not None:
            totals.add_approximate(t, near & (status[:, t] <= NOT_MET))
    return targets, status, totals.partial(targets), program_list, lacking


def _near(
    frame: Frame, check: Check, rows: NDArray[np.bool_] | None, near: NDArray[np.bool_] | None
) -> NDArray[np.bool_] | None:
    """``near`` with the rows (of ``rows``, ``None``: all) whose values that ``check``'s
    measure reads are approximate: the scalar engine's rule (:func:`built_on`), once for
    each set of approximate fields."""
    for fields, found in frame.approximate.items():
        if built_on(check, fields):
            if near is None:
                near = np.zeros(frame.size, dtype=bool)
            near[found if rows is None else found[rows[found]]] = True
    return near


def _target_sums(
    columns: _Columns,
    measure: Measure,
    declared: bool,
    num_rows: Floats | None,
    den_rows: Floats | None,
) -> tuple[Floats | Summable, Floats | Summable | None]:
    """What a target's township totals sum: a declared measure's fields, prepared
    once, or the numerators and denominators of the rows."""
    if declared:
        assert measure.numerator is not None
        # A denominator of one sums to the count of communities evaluated.
        one = measure.denominator == ONE
        return columns.summable(measure.numerator), (
            None if one else columns.summable(measure.denominator)
        )
    assert num_rows is not None
    assert den_rows is not None
    return num_rows, den_rows


def township_programs(
    programs: Programs, townships: NDArray[np.int64]
) -> tuple[NDArray[np.intp], list[Program]]:
    """The programs some township of ``townships`` (9-digit keys) falls under, and each one's.

    Only these decide the targets of a run (:func:`target_order`).
    """
    township_program, program_list = _programs_of(programs, townships, 9)
    used, township_program = np.unique(township_program, return_inverse=True)
    return township_program, [program_list[p] for p in used.tolist()]


def covered_provinces(programs: Programs) -> set[str]:
    """The provinces (2-digit codes) some profile of the run's plan covers: elsewhere,
    every community falls under the national program."""
    return {p.scope[:2] for p in programs.profiles.profiles if p.plan == programs.plan.id}


def _programs_of(
    programs: Programs, keys: NDArray[np.int64], width: int
) -> tuple[NDArray[np.int64], list[Program]]:
    """The program of each region key (``width`` digits), as an index into a list of programs.

    Provinces that no profile covers share the national program: only the
    regions of the others are looked up one by one.
    """
    covered = covered_provinces(programs)
    index = np.zeros(len(keys), dtype=np.int64)
    national = programs.for_code("")
    program_list = [national]
    distinct = {id(national): 0}
    if not covered or not len(keys):
        return index, program_list
    provinces = keys // 10 ** (width - 2) if width > 2 else keys
    wanted = np.isin(provinces, np.array(sorted(int(c) for c in covered), dtype=np.int64))
    for g in np.flatnonzero(wanted).tolist():
        program = programs.for_code(f"{int(keys[g]):0{width}d}")
        found = distinct.get(id(program))
        if found is None:
            found = distinct[id(program)] = len(program_list)
            program_list.append(program)
        index[g] = found
    return index, program_list


def _judge_rows(
    frame: Frame,
    columns: _Columns,
    program_list: list[Program],
    row_program: NDArray[np.int64],
    groups: list[tuple[int, Check]],
    rows: NDArray[np.bool_] | None,
) -> Observed:
    """Numerators, denominators and statuses of one target under one rule (all rows)."""
    p0, check = groups[0]
    program = program_list[p0]
    num, den, measured = columns.observe(check.measure)
    scope = _scope_mask(frame, check.target.scope)
    # Status codes are combined by arithmetic on bytes (a masked assignment
    # with a scattered mask costs ten times as much); out of scope is not
    # applicable, whatever the measure says.
    result = measured.copy() if scope is None else measured * scope + _NA * ~scope
    if not check.community:  # counts towards its region, or a direction: no verdict
        result += (result == MEASURED) * _NO_VERDICT_STEP
        return num, den, result
    threshold: Any
    if check.staffing is not None:
        wanted = result == MEASURED
        if rows is not None:
            wanted &= rows
        threshold = staffing_required(frame, program, wanted)
        result[(result == MEASURED) & np.isnan(threshold)] = NO_DATA
    elif len(groups) == 1:
        threshold = check.threshold
    else:
        by_program = np.zeros(len(program_list))
        for p, c in groups:
            by_program[p] = c.threshold
        threshold = by_program[row_program]
    # The one comparison rule, elementwise: scale × numerator ⋛ threshold × denominator.
    holds: Callable[[Any, Any], Any] = check.holds
    with np.errstate(invalid="ignore", over="ignore"):
        met = holds(check.scale * num, threshold * den)
    result += ((result == MEASURED) & ~met) * _NOT_MET_STEP
    return num, den, result


_NA: Final = np.uint8(NOT_APPLICABLE)
_NOT_MET_STEP: Final = np.uint8(NOT_MET - MEASURED)
_NO_VERDICT_STEP: Final = np.uint8(NO_VERDICT - MEASURED)


def _run_starts(keys: NDArray[np.int64]) -> NDArray[np.intp]:
    """Where each run of equal (sorted) keys starts."""
    if not len(keys):
        return np.zeros(0, dtype=np.intp)
    return np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]).astype(np.intp)


def _same_rule(programs: list[Program], target_id: str) -> list[list[tuple[int, Check]]]:
    """The programs that have ``target_id``, grouped by everything but a fixed threshold."""
    groups: dict[object, list[tuple[int, Check]]] = {}
    for p, program in enumerate(programs):
        for check in program.checks:
            if check.target.id == target_id:
                key = (
                    check.comparator,
                    check.scale,
                    check.target.scope,
                    check.measure,
                    check.staffing,
                    check.community,
                )
                groups.setdefault(key, []).append((p, check))
                break
    return list(groups.values())


class _Totals:
    """Township totals, target by target."""

    def __init__(self, keys: NDArray[np.int64], starts: NDArray[np.intp], targets: int) -> None:
        self.townships = keys[starts]
        self.starts = starts
        groups = len(starts)
        #: STATUS_COUNT × the township of each row: plus a status code, the cell it counts in.
        self.cell_of_row = np.repeat(
            np.arange(0, STATUS_COUNT * groups, STATUS_COUNT), np.diff(np.r_[starts, len(keys)])
        )
        self.counts = np.zeros((targets, groups, STATUS_COUNT), dtype=np.int32)
        self.nums: list[ExactSums] = []
        self.dens: list[ExactSums] = []
        self.targets = targets
        self.approximate: NDArray[np.bool_] | None = None

    def add_approximate(self, t: int, near: NDArray[np.bool_]) -> None:
        """Mark the townships of target ``t`` with a row of ``near`` (rows judged on an
        approximate value)."""
        if not near.any():
            return
        if self.approximate is None:
            self.approximate = np.zeros((self.targets, len(self.starts)), dtype=bool)
        self.approximate[t] = np.logical_or.reduceat(near, self.starts)

    def add(
        self,
        t: int,
        column: Codes,
        numerator: Floats | Summable,
        denominator: Floats | Summable | None,
    ) -> None:
        """Add target ``t``'s statuses and sums; a denominator ``None`` is 1 a community."""
        groups = len(self.starts)
        index = self.cell_of_row + column
        if column.max(initial=0) == ABSENT:  # a target not in force everywhere
            index = index[column != ABSENT]
        counts = self.counts[t] = np.bincount(index, minlength=groups * STATUS_COUNT).reshape(
            groups, STATUS_COUNT
        )
        # measured: met, not met, or without a verdict (counted towards the region)
        evaluated = (column <= NOT_MET) | (column == NO_VERDICT)
        self.nums.append(_sums(numerator, evaluated, self.starts))
        if denominator is None:
            self.dens.append(
                ExactSums.counts(counts[:, MET] + counts[:, NOT_MET] + counts[:, NO_VERDICT])
            )
        else:
            self.dens.append(_sums(denominator, evaluated, self.starts))

    def partial(self, targets: tuple[str, ...]) -> Partial:
        return Partial(self.townships, targets, self.counts, self.nums, self.dens, self.approximate)


def _sums(
    values: Floats | Summable, evaluated: NDArray[np.bool_], starts: NDArray[np.intp]
) -> ExactSums:
    if isinstance(values, Summable):
        return values.sums(evaluated, starts)
    return group_sums(np.where(evaluated, values, 0.0), starts)
