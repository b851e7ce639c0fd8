"""Exact sums of float64 values by group, vectorised, and merged exactly.

The scalar engine sums a region's numerators with :func:`math.fsum`: the exact
sum, rounded once to the nearest float. The batch engine must give the same
float, whatever the grouping, the order or the partitioning. It does so with
integers: a finite float is ``m · 2**e`` with an integer ``|m| < 2**53``, so
the values of one array are all integer multiples of ``2**base`` (``base``
the smallest ``e``, rounded down to a multiple of 32). Their exact sum is an
integer, kept in 32-bit limbs that are summed in int64 — exact for fewer than
2**31 values a limb — and rounded to the nearest float once, at the end, as
:func:`math.fsum` does (round half to even).

Non-negative values, the common case (every built-in measure), take the
vectorised path. An array with a negative value (a province's ``extra``
field can be negative) is summed with Python integers instead: slower, equally
exact.
"""

from __future__ import annotations

import itertools
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

__all__ = ["ExactSums", "group_sums"]

_MASK: Final = np.uint64(0xFFFFFFFF)
_U32: Final = np.uint64(32)
#: The exponent of the smallest subnormal float: every float is an integer
#: multiple of 2**_TINY.
_TINY: Final = -1074

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


class ExactSums:
    """Exact sums of ``len(self)`` groups.

    ``limbs[g, k]`` holds (not yet carried) int64 digits in base 2**32:
    group ``g``'s sum is ``Σ_k limbs[g, k] · 2**(32k + base)``. When
    ``exact`` is given instead (arrays with a negative value), it holds each
    group's sum as a Python integer multiple of ``2**-1074``.
    """

    __slots__ = ("base", "exact", "limbs")

    def __init__(self, limbs: Ints | None, base: int, exact: list[int] | None = None) -> None:
        self.limbs = limbs
        self.base = base
        self.exact = exact

    def __len__(self) -> int:
        if self.exact is not None:
            return len(self.exact)
        assert self.limbs is not None
        return int(self.limbs.shape[0])

    # -- combining ---------------------------------------------------------

    def regroup(self, starts: NDArray[np.intp]) -> ExactSums:
        """The sums of consecutive runs of groups, each run starting at ``starts``."""
        if self.exact is not None:
            bounds = [*starts.tolist(), len(self.exact)]
            return ExactSums(
                None,
                _TINY,
                [sum(self.exact[a:b]) for a, b in itertools.pairwise(bounds)],
            )
        assert self.limbs is not None
        limbs = _carry(self.limbs)
        return ExactSums(np.add.reduceat(limbs, starts, axis=0), self.base)

    def take(self, index: NDArray[np.intp]) -> ExactSums:
        """The sums of the groups at ``index``, in that order."""
        if self.exact is not None:
            return ExactSums(None, _TINY, [self.exact[i] for i in index.tolist()])
        assert self.limbs is not None
        return ExactSums(self.limbs[index], self.base)

    def integers(self) -> list[int]:
        """Each group's sum as a Python integer multiple of ``2**-1074``."""
        if self.exact is not None:
            return list(self.exact)
        assert self.limbs is not None
        shift = self.base - _TINY
        out = []
        for row in _carry(self.limbs).tolist():
            total = 0
            for k, digit in enumerate(row):
                if digit:
                    total += digit << (32 * k)
            # Below 2**-1074 every bit is zero: the shift right is exact.
            out.append(total << shift if shift >= 0 else total >> -shift)
        return out

    @staticmethod
    def from_integers(values: list[int]) -> ExactSums:
        """Sums given as Python integer multiples of ``2**-1074`` (see :meth:`integers`)."""
        return ExactSums(None, _TINY, list(values))

    @staticmethod
    def concat(parts: list[ExactSums]) -> ExactSums:
        """The groups of ``parts``, one after the other."""
        if any(p.exact is not None for p in parts) or not parts:
            return ExactSums(None, _TINY, [v for p in parts for v in p.integers()])
        base = min(p.base for p in parts)
        carried = [(_carry(p.limbs), (p.base - base) // 32) for p in parts if p.limbs is not None]
        width = max(limbs.shape[1] + offset for limbs, offset in carried)
        rows = []
        for limbs, offset in carried:
            block = np.zeros((limbs.shape[0], width), dtype=np.int64)
            block[:, offset : offset + limbs.shape[1]] = limbs
            rows.append(block)
        return ExactSums(np.concatenate(rows), base)

    def add_at(self, index: NDArray[np.intp], other: ExactSums) -> ExactSums:
        """Add ``other``'s sums to the groups at ``index`` (distinct), in place where it can.

        The limbs are updated in place when ``other`` fits them, so ``self``
        must own them (a running total); otherwise a wider copy is returned.
        """
        if self.exact is not None or other.exact is not None:
            values = self.integers()
            for i, value in zip(index.tolist(), other.integers(), strict=True):
                values[i] += value
            return ExactSums(None, _TINY, values)
        assert self.limbs is not None
        assert other.limbs is not None
        carried = _carry(other.limbs)  # digits below 2**32: 2**31 adds fit an int64
        base = min(self.base, other.base)
        mine, theirs = (self.base - base) // 32, (other.base - base) // 32
        width = max(self.limbs.shape[1] + mine, carried.shape[1] + theirs)
        limbs = self.limbs
        if mine or width > limbs.shape[1]:
            limbs = np.zeros((limbs.shape[0], width), dtype=np.int64)
            limbs[:, mine : mine + self.limbs.shape[1]] = self.limbs
        limbs[index, theirs : theirs + carried.shape[1]] += carried
        return ExactSums(limbs, base)

    # -- rounding ----------------------------------------------------------

    def floats(self) -> Floats:
        """Each group's sum rounded to the nearest float, ties to even (as :func:`math.fsum`)."""
        if self.exact is not None:
            return np.array([_int_to_float(v) for v in self.exact], dtype=np.float64)
        assert self.limbs is not None
        return _limbs_to_float(_carry(self.limbs), self.base)


def _int_to_float(value: int) -> float:
    # int / int is correctly rounded in CPython, whatever the sizes.
    return value / (1 << -_TINY)


def _carry(limbs: Ints) -> Ints:
    """Carry so that every digit is in [0, 2**32), adding a digit at the top when needed."""
    out = np.concatenate([limbs, np.zeros((limbs.shape[0], 1), dtype=np.int64)], axis=1)
    for k in range(out.shape[1] - 1):
        carry = out[:, k] >> 32  # floor division: digits become non-negative
        if carry.any():
            out[:, k] &= 0xFFFFFFFF
            out[:, k + 1] += carry
    # Drop the top digits that are zero everywhere (keep at least one).
    used = out.shape[1]
    while used > 1 and not out[:, used - 1].any():
        used -= 1
    return out[:, :used]


def _limbs_to_float(limbs: Ints, base: int) -> Floats:
    """Round non-negative carried sums to the nearest float (ties to even)."""
    groups, width = limbs.shape
    result = np.zeros(groups, dtype=np.float64)
    if groups == 0:
        return result
    nonzero = limbs != 0
    any_digit = nonzero.any(axis=1)
    # t: the highest non-zero digit of each group.
    top = width - 1 - np.argmax(nonzero[:, ::-1], axis=1)
    rows = np.arange(groups)
    digits = limbs.astype(np.uint64)

    def digit(k: Ints) -> NDArray[np.uint64]:
        valid = k >= 0
        got = digits[rows, np.where(valid, k, 0)]
        return np.where(valid, got, np.uint64(0))

    d0 = digit(top)
    d1 = digit(top - 1)
    d2 = digit(top - 2)
    # b: the bit length of the top digit (1..32); frexp is exact for these integers.
    bits = np.frexp(d0.astype(np.float64))[1].astype(np.uint64)
    bits = np.where(any_digit, bits, np.uint64(1))
    # The top 64 bits of the sum, and whether any bit below them is set.
    high = (
        (d0 << (np.uint64(64) - bits))
        | (d1 << (_U32 - bits))
        | np.where(bits < _U32, d2 >> bits, np.uint64(0))
    )
    sticky = (d2 & ((np.uint64(1) << bits) - np.uint64(1))) != 0
    if width > 3:
        below = np.arange(width)[None, :] < (top - 2)[:, None]
        sticky |= (nonzero & below).any(axis=1)
    high |= sticky.astype(np.uint64)
    exponent = 32 * (top.astype(np.int64) - 2) + bits.astype(np.int64) + base
    with np.errstate(over="ignore"):
        result = np.ldexp(high.astype(np.float64), exponent.astype(np.int32))
    result[~any_digit] = 0.0
    # A sum below the normal range would be rounded twice by ldexp: redo it exactly.
    tiny = any_digit & (result < np.finfo(np.float64).tiny)
    if tiny.any():
        for g in np.flatnonzero(tiny).tolist():
            total = sum(int(v) << (32 * k) for k, v in enumerate(limbs[g].tolist()))
            shift = base - _TINY
            result[g] = _int_to_float(total << shift if shift >= 0 else total >> -shift)
    rounded: Floats = result
    return rounded


def group_sums(values: Floats, starts: NDArray[np.intp]) -> ExactSums:
    """The exact sum of each run of ``values`` that starts at an index of ``starts``.

    ``values`` must be finite; ``starts`` must be increasing, start at 0 and
    leave no run empty (the groups of rows sorted by code).
    """
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return ExactSums(np.zeros((len(starts), 1), dtype=np.int64), 0)
    if (values < 0).any():
        return _python_sums(values, starts)
    # Whole numbers below 2**53 (counts, households): one int64 digit is exact
    # as long as no group's sum can pass 2**63.
    largest = float(values.max())
    if largest < 2.0**53 and largest * values.size < 2.0**62:
        whole = values.astype(np.int64)
        if np.array_equal(whole, values):
            sums = np.add.reduceat(whole, starts)
            return ExactSums(sums[:, None], 0)
    mantissa, exponent = np.frexp(values)
    m = (mantissa * 2.0**53).astype(np.uint64)  # exact: an integer below 2**53
    e = exponent.astype(np.int64) - 53
    present = m != 0
    if not present.any():
        return ExactSums(np.zeros((len(starts), 1), dtype=np.int64), 0)
    base = int(e[present].min()) // 32 * 32
    shift = np.where(present, e - base, 0)
    k0 = shift >> 5
    r = (shift & 31).astype(np.uint64)
    parts = (
        (m << r) & _MASK,
        np.where(r > 0, (m >> (_U32 - r)) & _MASK, (m >> _U32) & _MASK),
        np.where(r > 0, m >> (np.uint64(64) - r), np.uint64(0)),
    )
    width = int(k0.max()) + 3
    limbs = np.zeros((len(starts), width), dtype=np.int64)
    if int(k0.min()) == int(k0.max()):
        low = int(k0.min())
        for j, part in enumerate(parts):
            limbs[:, low + j] = np.add.reduceat(part.astype(np.int64), starts)
    else:
        for k in range(width):
            digit = np.zeros(values.size, dtype=np.int64)
            for j, part in enumerate(parts):
                hit = k0 == k - j
                if hit.any():
                    digit += np.where(hit, part, np.uint64(0)).astype(np.int64)
            limbs[:, k] = np.add.reduceat(digit, starts)
    return ExactSums(limbs, base)


def _python_sums(values: Floats, starts: NDArray[np.intp]) -> ExactSums:
    bounds = [*starts.tolist(), values.size]
    items: list[Any] = values.tolist()
    sums = []
    for a, b in itertools.pairwise(bounds):
        total = 0
        for x in items[a:b]:
            numerator, denominator = float(x).as_integer_ratio()
            total += numerator * ((1 << -_TINY) // denominator)
        sums.append(total)
    return ExactSums(None, _TINY, sums)
