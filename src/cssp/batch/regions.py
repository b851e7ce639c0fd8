"""Regions at five levels, from township totals: their figures and verdicts.

The township totals of a run (:class:`~cssp.batch.engine.Partial`) are summed,
exactly, into counties, prefectures, provinces and the nation; at each level,
each region's program decides its region checks, judged with the one region
verdict (:func:`~cssp.engine.program.region_status`), a target at a time, on
whole arrays of regions.
"""

from __future__ import annotations

import functools
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from cssp.batch._exact import ExactSums
from cssp.batch.columnar import ABSENT, MET, NO_DATA, NOT_MET, STATUS_COUNT
from cssp.batch.engine import Partial, _programs_of, _run_starts
from cssp.engine.program import (
    REGION_LEVELS,
    Check,
    Programs,
    region_missing,
    region_status,
    region_terms,
)

__all__ = ["LEVELS", "RegionTable", "finish"]

Floats = NDArray[np.float64]
#: Some regions of a table: their indices, or a slice (all of them).
Rows = NDArray[np.intp] | slice
#: The region levels from the finest to the coarsest.
LEVELS: Final = ("township", "county", "prefecture", "province", "nation")


class RegionTable:
    """The regions of one level, as arrays.

    Row ``r`` is region ``codes[r]``, column ``t`` target ``targets[t]``.

    ``status`` holds the batch status codes (:data:`~cssp.batch.MET` …
    :data:`~cssp.batch.NO_VERDICT`, :data:`~cssp.batch.ABSENT` where the target
    is not a region-level target in force for the region); ``numerator``,
    ``denominator`` and ``observed`` are NaN where nothing was evaluated;
    ``counts[r, t]`` counts the region's communities met, not met, not
    applicable, without data and without a verdict; ``approximate[r, t]`` (or
    ``None``: no value was) says whether the region's figure is built on a
    value written as approximate (``约300户``) of one of its communities met or
    not met, as :attr:`Finding.approximate <cssp.engine.results.Finding.approximate>`.

    ``numerator``, ``denominator``, ``observed`` and ``required`` are computed
    when first read, from the exact sums the table keeps (at township level,
    the run's own totals), and ``counts`` is a read-only view of the totals: a
    table of the 38,000 townships costs a byte a cell until they are read.
    """

    def __init__(
        self,
        level: str,
        codes: NDArray[np.str_],
        targets: tuple[str, ...],
        counts: NDArray[np.integer[Any]] | None = None,
    ) -> None:
        #: the level, ``"township"`` … ``"nation"``.
        self.level = level
        #: the regions' codes, sorted (``""`` for the nation).
        self.codes = codes
        #: the target ids, the columns of the arrays.
        self.targets = targets
        shape = (len(codes), len(targets))
        #: ``uint8`` status codes, one per region and target.
        self.status = np.full(shape, ABSENT, dtype=np.uint8)
        if counts is None:
            counts = np.zeros((len(targets), len(codes), STATUS_COUNT), dtype=np.int32)
        self._counts = counts
        #: whether each region's figure for each target is built on an approximate
        #: value (``None``: no value is approximate).
        self.approximate: NDArray[np.bool_] | None = None
        # Each region's program (a row of the two below); per program and
        # target, the scale and the threshold of its region check (NaN: none).
        self._program: NDArray[np.intp] = np.zeros(len(codes), dtype=np.intp)
        self._scale: Floats = np.full((1, len(targets)), np.nan)
        self._threshold: Floats = np.full((1, len(targets)), np.nan)
        # The exact sums by target, and the checks judged: (target, rows, check).
        self._sums: tuple[list[ExactSums], list[ExactSums]] = ([], [])
        self._checks: list[tuple[int, Rows, Check]] = []

    @property
    def counts(self) -> NDArray[np.integer[Any]]:
        """``counts[r, t]``: the communities met, not met, not applicable, without data
        and without a verdict."""
        view = self._counts.transpose(1, 0, 2)
        view.flags.writeable = False
        return view

    @functools.cached_property
    def numerator(self) -> Floats:
        """The sum of the numerators (for a per-community requirement, the communities met)."""
        return self._figures[0]

    @functools.cached_property
    def denominator(self) -> Floats:
        """The sum of the denominators (for a per-community requirement, those evaluated)."""
        return self._figures[1]

    @functools.cached_property
    def _figures(self) -> tuple[Floats, Floats]:
        shape = (len(self.codes), len(self.targets))
        numerators, denominators = np.full(shape, np.nan), np.full(shape, np.nan)
        floats: dict[int, Floats] = {}
        current = -1
        for t, rows, check in self._checks:
            if t != current:  # the checks come target by target: one target's sums at a time
                floats, current = {}, t
            numerator, denominator, _, _ = _terms(check, t, rows, self._counts, self._sums, floats)
            empty = denominator == 0
            numerators[rows, t] = np.where(empty, np.nan, numerator)
            denominators[rows, t] = np.where(empty, np.nan, denominator)
        return numerators, denominators

    @functools.cached_property
    def observed(self) -> Floats:
        """The region's figure, in the indicator's unit: scale × numerator ÷ denominator."""
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            figure: Floats = self._scale[self._program] * self.numerator / self.denominator
        return figure

    @functools.cached_property
    def required(self) -> Floats:
        """The threshold in force (for a per-community requirement, the share of
        communities that must meet it, in percent); NaN where no region check
        applies, and for a direction (no level)."""
        threshold: Floats = self._threshold[self._program]
        return threshold

    def __len__(self) -> int:
        return len(self.codes)


class _Term:
    """A region term :func:`~cssp.engine.program.region_terms` may pick: handed to it in
    place of the arrays, so that only the terms it picks are computed."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<region term {self.name}>"


_MET, _EVALUATED = _Term("met"), _Term("evaluated")
_NUMERATOR, _DENOMINATOR = _Term("numerator"), _Term("denominator")


def _terms(
    check: Check,
    t: int,
    rows: Rows,
    counts: NDArray[np.integer[Any]],
    sums: tuple[list[ExactSums], list[ExactSums]],
    floats: dict[int, Floats],
) -> tuple[Any, Any, Any, Any]:
    """The region terms (:func:`~cssp.engine.program.region_terms`) of target ``t`` for
    ``rows``; the sums it picks rounded to floats once a target (kept in ``floats``:
    0 the numerators, 1 the denominators)."""
    picked = region_terms(check, _MET, _EVALUATED, _NUMERATOR, _DENOMINATOR)

    def term(which: object) -> Any:
        if which is _MET or which is _EVALUATED:
            c = counts[t]
            met = c[rows, MET].astype(np.float64)
            return met if which is _MET else met + c[rows, NOT_MET]
        if which is _NUMERATOR or which is _DENOMINATOR:
            side = 0 if which is _NUMERATOR else 1
            found = floats.get(side)
            if found is None:
                found = floats[side] = sums[side][t].floats()
            return found[rows]
        return which  # a constant

    numerator, denominator, scale, threshold = picked
    return term(numerator), term(denominator), scale, threshold


#: Dividing a township key by these gives the next level's key.
_DIVISORS: Final = {"township": 1, "county": 1000, "prefecture": 100, "province": 100, "nation": 0}


def finish(partial: Partial, programs: Programs) -> dict[str, RegionTable]:
    """Region figures and verdicts at every level, from township totals."""
    tables: dict[str, RegionTable] = {}
    keys = partial.townships
    counts = partial.counts
    nums, dens = partial.numerators, partial.denominators
    near = partial.approximate
    for level in LEVELS:
        divisor = _DIVISORS[level]
        if divisor != 1:
            keys = keys // divisor if divisor else np.zeros_like(keys)
            starts = _run_starts(keys)
            keys = keys[starts]
            if len(starts):
                # Target by target: reduceat would copy all the counts to int64 first.
                if len(counts):
                    counts = np.stack(
                        [np.add.reduceat(c, starts, axis=0, dtype=np.int64) for c in counts]
                    )
                else:
                    counts = counts[:, starts]
                nums = [s.regroup(starts) for s in nums]
                dens = [s.regroup(starts) for s in dens]
                if near is not None:
                    near = np.logical_or.reduceat(near, starts, axis=1)
        codes = _region_codes(keys, REGION_LEVELS[level])
        tables[level] = _judge(level, keys, codes, partial.targets, counts, nums, dens, programs)
        if near is not None:
            tables[level].approximate = near.T
    return tables


def _region_codes(keys: NDArray[np.int64], width: int) -> NDArray[np.str_]:
    """Region keys as codes of ``width`` digits (``""`` for the nation), vectorised:
    each digit's code point written into the four bytes numpy gives a character."""
    points = np.zeros((len(keys), 9), dtype="<u4")
    rest = keys.astype(np.uint32)  # at most nine digits: below 2**32, and divided faster
    ten, zero = np.uint32(10), np.uint32(48)
    for k in range(width - 1, -1, -1):  # the last digit first
        shorter = rest // ten
        points[:, k] = rest - shorter * ten + zero
        rest = shorter
    codes: NDArray[np.str_] = points.view("<U9").reshape(len(keys))
    return codes


def _judge(
    level: str,
    keys: NDArray[np.int64],
    codes: NDArray[np.str_],
    targets: tuple[str, ...],
    counts: NDArray[np.integer[Any]],
    nums: list[ExactSums],
    dens: list[ExactSums],
    programs: Programs,
) -> RegionTable:
    table = RegionTable(level, codes, targets, counts)
    if not len(codes):
        return table
    width = REGION_LEVELS[level]
    if width:
        index, program_list = _programs_of(programs, keys, width)
    else:
        index, program_list = np.zeros(1, dtype=np.int64), [programs.for_code("")]
    table._program = index.astype(np.intp)
    table._scale = np.full((len(program_list), len(targets)), np.nan)
    table._threshold = np.full((len(program_list), len(targets)), np.nan)
    by_program: dict[int, Rows] = {0: slice(None)}  # one program: all the rows, as a view
    if len(program_list) > 1:
        by_program = {p: np.flatnonzero(index == p) for p in range(len(program_list))}
    table._sums = (nums, dens)
    checks = [{k.target.id: k for k in reversed(p.region_checks)} for p in program_list]
    for t, target_id in enumerate(targets):
        floats: dict[int, Floats] = {}  # one target's sums at a time
        c = counts[t]
        no_data = c[:, NO_DATA]
        # The columns added (a row sum is slower); five bytes add up within 16 bits.
        total = c[:, 0].astype(np.uint16 if c.dtype == np.uint8 else np.int64)
        for k in range(1, STATUS_COUNT):
            total += c[:, k]
        for p, rows in by_program.items():
            if isinstance(rows, np.ndarray) and not len(rows):
                continue
            check = checks[p].get(target_id)
            if check is None:
                continue
            numerator, denominator, scale, threshold = _terms(
                check, t, rows, counts, table._sums, floats
            )
            with np.errstate(invalid="ignore", over="ignore"):
                holds = check.holds(scale * numerator, threshold * denominator)
            missing = region_missing(check, no_data[rows], total[rows])
            table.status[rows, t] = region_status(holds, denominator, missing, not check.direction)
            table._checks.append((t, rows, check))
            table._scale[p, t] = scale
            table._threshold[p, t] = threshold
    return table
