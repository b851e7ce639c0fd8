"""Exact sums of float64 values by group, vectorised, merged exactly, carried compactly.

The scalar engine sums a region's numerators with :func:`math.fsum`: the exact
sum, rounded once to the nearest float. The batch engine must give the same
float, whatever the grouping, the order or the partitioning. It does so with
integers: a finite float is ``m · 2**e`` with an integer ``|m| < 2**53``, so
the values of one array are all integer multiples of ``2**low`` (``low`` the
exponent of the last bit of its smallest non-zero value). Their exact sum is
an integer multiple of the same power of two, kept in 32-bit limbs that are
summed in int64 — exact for fewer than 2**31 values a limb — and rounded to
the nearest float once, at the end, as :func:`math.fsum` does (round half to
even).

Three vectorised paths, the cheapest that is exact:

* whole numbers (counts, households): one int64 a value, summed as they are;
* values within 2**189 of the smallest's last bit (areas, shares: the common
  case): each value cut exactly into one to three int64 words of 63 bits
  (``value · 2**-low``), each word summed in two 32-bit halves, the halves
  placed in limbs per group rather than per value;
* anything wider: each value's 53-bit mantissa split over the limbs its
  exponent reaches.

An array with a negative value (a province's ``extra`` field can be
negative) is summed with Python integers instead: slower, equally exact.

Across processes (Dask, Spark) a sum travels as a pair (mantissa, exponent),
``mantissa · 2**exponent`` with an odd mantissa (:meth:`ExactSums.pairs`,
:func:`add_pairs`): a few dozen digits, whatever the partitioning.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

__all__ = ["ExactSums", "Summable", "add_pairs", "group_sums", "normal_pair"]

_MASK: Final = np.uint64(0xFFFFFFFF)
_U32: Final = np.uint64(32)

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


class ExactSums:
    """Exact sums of ``len(self)`` groups.

    ``limbs[g, k]`` holds (not yet carried) int64 digits in base 2**32:
    group ``g``'s sum is ``Σ_k limbs[g, k] · 2**(32k + base)``, ``base`` a
    multiple of 32. When ``exact`` is given instead (arrays with a negative
    value), it holds each group's sum as a Python integer multiple of
    ``2**base``.
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

    @staticmethod
    def zeros(groups: int) -> ExactSums:
        """``groups`` sums of nothing."""
        return ExactSums(np.zeros((groups, 1), dtype=np.int64), 0)

    @staticmethod
    def counts(values: NDArray[np.integer[Any]]) -> ExactSums:
        """Sums that are whole numbers already (counts), one per group."""
        return ExactSums(np.asarray(values, dtype=np.int64)[:, None], 0)

    # -- combining ---------------------------------------------------------

    def regroup(self, starts: NDArray[np.intp]) -> ExactSums:
        """The sums of consecutive runs of groups, each run starting at ``starts``."""
        if self.exact is not None:
            bounds = [*starts.tolist(), len(self.exact)]
            return ExactSums(
                None, self.base, [sum(self.exact[a:b]) for a, b in itertools.pairwise(bounds)]
            )
        assert self.limbs is not None
        limbs = self.limbs if _summable(self.limbs) else _carry(self.limbs)
        return ExactSums(np.add.reduceat(limbs, starts, axis=0), self.base)

    def take(self, index: NDArray[np.intp]) -> ExactSums:
        """The sums of the groups at ``index``, in that order."""
        if self.exact is not None:
            return ExactSums(None, self.base, [self.exact[i] for i in index.tolist()])
        assert self.limbs is not None
        return ExactSums(self.limbs[index], self.base)

    def _integers(self, base: int) -> list[int]:
        """Each group's sum as a Python integer multiple of ``2**base`` (``base`` ≤ ours)."""
        shift = self.base - base
        if self.exact is not None:
            return [v << shift for v in self.exact] if shift else list(self.exact)
        assert self.limbs is not None
        carried = _carry(self.limbs)  # digits in [0, 2**32): little-endian bytes
        raw = carried.astype("<u4").tobytes()
        width = 4 * carried.shape[1]
        return [
            int.from_bytes(raw[i : i + width], "little") << shift for i in range(0, len(raw), width)
        ]

    @staticmethod
    def concat(parts: Sequence[ExactSums]) -> ExactSums:
        """The groups of ``parts``, one after the other."""
        if not parts:
            return ExactSums(None, 0, [])
        base = min(p.base for p in parts)
        if any(p.exact is not None for p in parts):
            return ExactSums(None, base, [v for p in parts for v in p._integers(base)])
        carried = [(_carry(p.limbs), (p.base - base) // 32) for p in parts if p.limbs is not None]
        width = max(limbs.shape[1] + offset for limbs, offset in carried)
        rows = []
        for limbs, offset in carried:
            block = np.zeros((limbs.shape[0], width), dtype=np.int64)
            block[:, offset : offset + limbs.shape[1]] = limbs
            rows.append(block)
        return ExactSums(np.concatenate(rows), base)

    def add_at(self, index: NDArray[np.intp] | slice, other: ExactSums) -> ExactSums:
        """Add ``other``'s sums to the groups at ``index`` (distinct; or a slice), in place
        where it can.

        The limbs are updated in place when ``other`` fits them, so ``self``
        must own them (a running total); otherwise a wider copy is returned.
        """
        if self.exact is not None or other.exact is not None:
            base = min(self.base, other.base)
            values = self._integers(base)
            at = range(len(values))[index] if isinstance(index, slice) else index.tolist()
            for i, value in zip(at, other._integers(base), strict=True):
                values[i] += value
            return ExactSums(None, base, values)
        assert self.limbs is not None
        assert other.limbs is not None
        carried = _carried(other.limbs)  # digits below 2**32: 2**31 adds fit an int64
        base = min(self.base, other.base)
        mine, theirs = (self.base - base) // 32, (other.base - base) // 32
        width = max(self.limbs.shape[1] + mine, carried.shape[1] + theirs)
        limbs = self.limbs
        if mine or width > limbs.shape[1]:
            limbs = np.zeros((limbs.shape[0], width), dtype=np.int64)
            limbs[:, mine : mine + self.limbs.shape[1]] = self.limbs
        limbs[index, theirs : theirs + carried.shape[1]] += carried
        return ExactSums(limbs, base)

    # -- the compact form --------------------------------------------------

    def pairs(self) -> tuple[list[int], list[int]]:
        """Each group's sum as a pair: the mantissas and the exponents.

        Group ``g``'s sum is ``mantissas[g] · 2**exponents[g]`` exactly, the
        mantissa odd (or 0, with exponent 0): one form for one sum, whatever
        the partitioning, and a few dozen digits rather than hundreds.
        """
        mantissas, exponents = [], []
        for value in self._integers(self.base):
            mantissa, exponent = normal_pair(value, self.base)
            mantissas.append(mantissa)
            exponents.append(exponent)
        return mantissas, exponents

    @staticmethod
    def from_pairs(mantissas: Iterable[int], exponents: Iterable[int]) -> ExactSums:
        """Sums given as pairs (:meth:`pairs`): ``mantissa · 2**exponent`` each."""
        items = [(int(m), int(e)) for m, e in zip(mantissas, exponents, strict=True)]
        present = [e for m, e in items if m]
        if not present:
            return ExactSums.zeros(len(items))
        low = min(present)
        if any(m < 0 for m, _ in items):
            return ExactSums(None, low, [m << (e - low) if m else 0 for m, e in items])
        base = low // 32 * 32
        values = [m << (e - base) if m else 0 for m, e in items]
        width = max(v.bit_length() for v in values) // 32 + 1
        raw = b"".join(v.to_bytes(4 * width, "little") for v in values)
        limbs = np.frombuffer(raw, dtype="<u4").reshape(len(values), width).astype(np.int64)
        return ExactSums(limbs, base)

    # -- rounding ----------------------------------------------------------

    def floats(self) -> Floats:
        """Each group's sum rounded to the nearest float, ties to even (as :func:`math.fsum`)."""
        if self.exact is not None:
            return np.array([_int_to_float(v, self.base) for v in self.exact], dtype=np.float64)
        assert self.limbs is not None
        limbs = self.limbs
        if limbs.shape[1] != 1 or (limbs.size and int(limbs.min()) < 0):
            limbs = _carry(limbs)  # one digit a group, none negative, needs no carrying
        return _limbs_to_float(limbs, self.base)


def normal_pair(value: int, exponent: int) -> tuple[int, int]:
    """``value · 2**exponent`` as (mantissa, exponent) with an odd mantissa (0: ``(0, 0)``)."""
    if not value:
        return 0, 0
    zeros = (value & -value).bit_length() - 1
    return value >> zeros, exponent + zeros


def add_pairs(mantissas: Iterable[Any], exponents: Iterable[Any]) -> tuple[int, int]:
    """The exact sum of ``mantissa · 2**exponent`` pairs, as one pair (:func:`normal_pair`).

    Mantissas may be Python integers or their decimal strings (as Spark carries them).
    """
    items = [(int(m), int(e)) for m, e in zip(mantissas, exponents, strict=True)]
    present = [e for m, e in items if m]
    if not present:
        return 0, 0
    low = min(present)
    return normal_pair(sum(m << (e - low) for m, e in items if m), low)


def _int_to_float(value: int, base: int) -> float:
    """``value · 2**base`` rounded to the nearest float (infinity beyond the largest)."""
    try:
        if base >= 0:
            return float(value << base)
        # int / int is correctly rounded in CPython, whatever the sizes.
        return value / (1 << -base)
    except OverflowError:
        return float("inf") if value > 0 else float("-inf")


def _summable(limbs: Ints) -> bool:
    """Whether no digit of ``limbs`` is negative and the digits of one place, all
    groups together, sum within an int64: summed as they are, no carrying needed
    (counts; and the digits of townships' sums, up to the nation's)."""
    if not limbs.size:
        return True
    return int(limbs.min()) >= 0 and int(limbs.max()) * limbs.shape[0] < 2**62


def _carried(limbs: Ints) -> Ints:
    """``limbs`` with every digit in [0, 2**32): as they are when they are so already."""
    one = limbs.shape[1] == 1 and limbs.size
    if one and int(limbs.min()) >= 0 and int(limbs.max()) < 2**32:
        return limbs
    return _carry(limbs)


def _carry(limbs: Ints) -> Ints:
    """Carry so that every digit is in [0, 2**32), adding a digit at the top when needed.

    The digits are carried a place at a time, each place contiguous (Fortran order).
    """
    groups, width = limbs.shape
    out = np.empty((groups, width + 1), dtype=np.int64, order="F")
    out[:, :width] = limbs
    out[:, width] = 0
    for k in range(width):
        digits = out[:, k]
        carry = digits >> 32  # floor division: digits become non-negative
        digits &= 0xFFFFFFFF
        out[:, k + 1] += carry
    # Drop the top digits that are zero everywhere (keep at least one).
    used = out.shape[1]
    while used > 1 and not out[:, used - 1].any():
        used -= 1
    return out[:, :used]


def _limbs_to_float(limbs: Ints, base: int) -> Floats:
    """Round non-negative carried sums (or one digit below 2**63) to the nearest
    float (ties to even)."""
    groups, width = limbs.shape
    result = np.zeros(groups, dtype=np.float64)
    if groups == 0:
        return result
    if width <= 2:
        # Below 2**64 (one digit below 2**63, or two carried ones): numpy's
        # conversion of a uint64 rounds correctly, and a power of two scales
        # exactly (unless the result is subnormal, below).
        if width == 1:  # below 2**63: converted from int64 as from uint64
            whole = limbs[:, 0]
        else:
            whole = limbs[:, 0].astype(np.uint64) | (limbs[:, 1].astype(np.uint64) << _U32)
        result = _scaled(whole.astype(np.float64), base)
    elif width == 3 and int(limbs[:, 2].max()) < 2**21:
        # Below 2**85 (the sums of areas, mostly): the top two digits make an
        # integer below 2**53, a float exactly, and adding the last digit to it
        # rounds once, correctly.
        top = (limbs[:, 2].astype(np.uint64) << _U32) | limbs[:, 1].astype(np.uint64)
        value = top.astype(np.float64) * 2.0**32 + limbs[:, 0].astype(np.float64)
        result = _scaled(value, base)
    else:
        result = _wide_to_float(limbs, base)
    # A sum at or below the least normal float may have been rounded twice: redo it
    # exactly. Only a sum of a base at or below -1022 can be that small (a sum not 0 is
    # at least 2**base), and only the groups rounded that low (0 among them) need a look.
    if base <= _LEAST_NORMAL_EXPONENT:
        low = np.flatnonzero(result <= np.finfo(np.float64).tiny)
        for g in low[(limbs[low] != 0).any(axis=1)].tolist():
            total = sum(int(v) << (32 * k) for k, v in enumerate(limbs[g].tolist()))
            result[g] = _int_to_float(total, base)
    rounded: Floats = result
    return rounded


#: The exponent of the least normal float, 2**-1022.
_LEAST_NORMAL_EXPONENT: Final = -1022


def _scaled(values: Floats, base: int) -> Floats:
    """``values · 2**base`` rounded to the nearest float (infinity beyond the largest):
    the values themselves when ``base`` is 0."""
    if not base:
        return values
    with np.errstate(over="ignore", under="ignore"):
        return _times_power_of_two(values, base)


def _wide_to_float(limbs: Ints, base: int) -> Floats:
    """:func:`_limbs_to_float` for three limbs or more: the top 64 bits and a sticky bit."""
    groups, width = limbs.shape
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
    rounded: Floats = result
    return rounded


def group_sums(values: Floats, starts: NDArray[np.intp]) -> ExactSums:
    """The exact sum of each run of ``values`` that starts at an index of ``starts``.

    ``values`` must be finite; ``starts`` must be increasing, start at 0 and
    leave no run empty (the groups of rows sorted by code), and no run may
    hold 2**31 values or more.
    """
    values = np.asarray(values, dtype=np.float64)
    groups = len(starts)
    if values.size == 0:
        return ExactSums.zeros(groups)
    lowest, largest = float(values.min()), float(values.max())
    if lowest < 0:
        return _python_sums(values, starts)
    if largest == 0:
        return ExactSums.zeros(groups)
    # Whole numbers below 2**53 (counts, households): one int64 digit is exact
    # as long as no group's sum can pass 2**63.
    if largest < 2.0**53 and largest * values.size < 2.0**62:
        whole = values.astype(np.int64)
        if np.array_equal(whole, values):
            return ExactSums.counts(np.add.reduceat(whole, starts))
    smallest = float(np.where(values > 0, values, np.inf).min())
    low = int(np.frexp(smallest)[1]) - 53  # every value is a multiple of 2**low
    high = int(np.frexp(largest)[1])  # and below 2**high
    if high - low <= _FIXED_POINT_BITS:
        return _fixed_point_sums(values, starts, low, high)
    return _spread_sums(values, starts)


#: The widest span of bits (largest value over the smallest's last bit) summed
#: in fixed point: three int64 words a value. Wider (a value near 1e-300 with
#: one near 1e300) is rare; the spread path takes it.
_FIXED_POINT_BITS: Final = 3 * 63


def _fixed_point_sums(values: Floats, starts: NDArray[np.intp], low: int, high: int) -> ExactSums:
    """Multiples of ``2**low`` below ``2**high``, summed in fixed point (:func:`_fixed_point`)."""
    base, parts = _fixed_point(values, low, high)
    return _placed(base, [(np.add.reduceat(part, starts), offset) for part, offset in parts])


def _fixed_point(
    values: Floats, low: int, high: int, width: int = 63, halves: bool = True
) -> tuple[int, list[tuple[Ints, int]]]:
    """Multiples of ``2**low`` below ``2**high`` as int64 parts: ``(base, parts)``.

    Each value is cut into int64 words of ``width`` bits (at most 63) — the
    top word off with ``floor`` at a power of two and the rest kept, both
    exactly — and, with ``halves``, each word into two halves below 2**32. A
    part is an array of halves (or words) and the bit, counted from
    ``2**base`` (a multiple of 32), at which they count: ``value = Σ part ·
    2**(base + offset)``. NaN gives meaningless digits (the callers mask them
    out). Halves may be summed 2**31 at a time; words of ``width`` bits,
    ``2**(63 - width)`` at a time.
    """
    base = low // 32 * 32
    parts: list[tuple[Ints, int]] = []
    rest = values
    with np.errstate(invalid="ignore"):
        for word in reversed(range(-(-(high - low) // width))):
            cut = low + width * word
            if word:
                top = np.floor(_times_power_of_two(rest, -cut))  # exact, below 2**width
                rest = rest - _times_power_of_two(top, cut)  # exact: the bits below 2**cut
                scaled = top.astype(np.int64)
            else:
                scaled = _times_power_of_two(rest, -cut).astype(np.int64)  # exact, < 2**width
            if halves:
                parts.append((scaled & 0xFFFFFFFF, cut - base))
                parts.append((scaled >> 32, cut - base + 32))
            else:
                parts.append((scaled, cut - base))
    return base, parts


def _placed(base: int, sums: list[tuple[Ints, int]]) -> ExactSums:
    """Limbs from per-group sums (each below 2**63) counting at bit offsets from ``2**base``."""
    groups = len(sums[0][0])
    limbs = np.zeros((groups, max(offset for _, offset in sums) // 32 + 3), dtype=np.int64)
    for total, offset in sums:
        k, shift = divmod(offset, 32)
        half = total.astype(np.uint64)
        bits = np.uint64(shift)
        limbs[:, k] += ((half << bits) & _MASK).astype(np.int64)
        limbs[:, k + 1] += ((half >> (_U32 - bits)) & _MASK).astype(np.int64)
        if shift:
            limbs[:, k + 2] += (half >> (np.uint64(64) - bits)).astype(np.int64)
    return ExactSums(limbs, base)


class Summable:
    """A column prepared once for exact sums by group under many masks.

    Several targets sum the same field (a facility's floor area) over
    different communities (those each target evaluated). The column is turned
    into 32-bit digits once — whole numbers as int64 as they are, other values
    in fixed point (:func:`_fixed_point`) — and each mask then costs one
    multiplication by the mask and one ``reduceat`` per array of digits.
    Values of either sign or too wide a span fall back to :func:`group_sums`.

    :param values: the column; NaN is allowed where the masks will be false.
    :param whole: whether its values are known to be whole numbers below
        2**53 (a count the table's rules checked).
    :param group_rows: the most values a group sums, when known (the largest
        township): the digits are then cut in words as wide as sums of that
        many values allow — fewer arrays to sum — rather than in 32-bit halves.
    """

    __slots__ = ("base", "parts", "values")

    def __init__(self, values: Floats, *, whole: bool, group_rows: int | None = None) -> None:
        self.values = values
        self.base = 0
        #: arrays of digits and the bit each counts at; None: sum with group_sums.
        self.parts: list[tuple[Ints, int]] | None = []
        with np.errstate(invalid="ignore"):
            lowest = float(np.fmin.reduce(values)) if values.size else math.nan
            largest = float(np.fmax.reduce(values)) if values.size else math.nan
        if lowest < 0 or math.isinf(lowest) or math.isinf(largest):
            self.parts = None
            return
        if math.isnan(lowest) or largest == 0:
            return  # nothing but NaN and zeros: every sum is 0
        with np.errstate(invalid="ignore"):
            if whole and largest < 2.0**53:
                if largest * (group_rows or values.size) < 2.0**62:
                    # as narrow as the values allow (yes/no: a byte), summed in int64
                    narrow = np.uint8 if largest < 2**8 else np.int32 if largest < 2**31 else None
                    self.parts = [(values.astype(narrow or np.int64), 0)]
                    return
                scaled = values.astype(np.int64)
                self.parts = [(scaled & 0xFFFFFFFF, 0), (scaled >> 32, 32)]
                return
            smallest = float(np.fmin.reduce(np.where(values > 0, values, np.nan)))
        low = int(np.frexp(smallest)[1]) - 53
        high = int(np.frexp(largest)[1])
        if high - low > _FIXED_POINT_BITS:
            self.parts = None
            return
        width = 63 - max(group_rows or 0, 1).bit_length()
        if group_rows and -(-(high - low) // width) < 2 * -(-(high - low) // 63):
            self.base, self.parts = _fixed_point(values, low, high, width, halves=False)
        else:
            self.base, self.parts = _fixed_point(values, low, high)

    def sums(self, mask: NDArray[np.bool_], starts: NDArray[np.intp]) -> ExactSums:
        """The exact sum of the values where ``mask`` holds, for each run starting at ``starts``."""
        if self.parts is None:
            return group_sums(np.where(mask, self.values, 0.0), starts)
        if not self.parts:
            return ExactSums.zeros(len(starts))
        factor = mask.view(np.uint8)
        if len(self.parts) == 1 and self.parts[0][1] == 0:  # one digit a group, from 2**base
            whole = np.add.reduceat(self.parts[0][0] * factor, starts, dtype=np.int64)
            return ExactSums(whole[:, None], self.base)
        sums = [(np.add.reduceat(part * factor, starts), offset) for part, offset in self.parts]
        return _placed(self.base, sums)


def _times_power_of_two(values: Floats, exponent: int) -> Floats:
    """``values · 2**exponent``, exactly: every product here is representable.

    A multiplication by the power of two where that is a normal float, else
    :func:`numpy.ldexp` (ten times slower); a product that is representable
    is exact either way.
    """
    if -1022 <= exponent <= 1023:
        product: Floats = values * 2.0**exponent
        return product
    scaled: Floats = np.ldexp(values, exponent)
    return scaled


def _spread_sums(values: Floats, starts: NDArray[np.intp]) -> ExactSums:
    """Values of any exponents: each 53-bit mantissa over the limbs its exponent reaches."""
    mantissa, exponent = np.frexp(values)
    m = (mantissa * 2.0**53).astype(np.uint64)  # exact: an integer below 2**53
    e = exponent.astype(np.int64) - 53
    present = m != 0
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
    for k in range(width):
        digit = np.zeros(values.size, dtype=np.int64)
        for j, part in enumerate(parts):
            hit = k0 == k - j
            if hit.any():
                digit += np.where(hit, part, np.uint64(0)).astype(np.int64)
        limbs[:, k] = np.add.reduceat(digit, starts)
    return ExactSums(limbs, base)


def _python_sums(values: Floats, starts: NDArray[np.intp]) -> ExactSums:
    """Sums of values of either sign, with Python integers multiples of the least bit."""
    mantissa, exponent = np.frexp(values)
    whole = (mantissa * 2.0**53).astype(np.int64)  # exact: |m| < 2**53
    present = whole != 0
    low = int(exponent[present].min()) - 53 if present.any() else 0
    shifts = np.where(present, exponent.astype(np.int64) - 53 - low, 0)
    items = [m << s for m, s in zip(whole.tolist(), shifts.tolist(), strict=True)]
    bounds = [*starts.tolist(), values.size]
    return ExactSums(None, low, [sum(items[a:b]) for a, b in itertools.pairwise(bounds)])
