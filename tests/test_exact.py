"""The batch engine's exact sums: equal to math.fsum to the bit, merged exactly, carried compactly.

Every path of ``group_sums`` is reached on purpose — whole numbers, the
fixed-point path (values within 2**63 of the smallest's last bit), the spread
path (any exponents) and Python integers (a negative value) — and each must
give :func:`math.fsum`'s float for every group, and pairs (mantissa, exponent)
that merge, in any partitioning, to the pair of the whole.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from cssp.batch._exact import ExactSums, Summable, add_pairs, group_sums, normal_pair

_floats = st.one_of(
    st.floats(0, 1e6),
    st.integers(0, 10**6).map(float),
    st.floats(0, 1e-300),
    st.floats(0, 1e300),
    st.sampled_from([0.1, 0.2, 0.3, 5.1, 2.0**-1074, 2.0**52 + 1, 1e16 + 2]),
)
#: Areas as a table holds them: two decimals, up to a few thousand m² (the fixed-point path).
_areas = st.integers(0, 500_000).map(lambda cents: cents / 100)


def _fsum(values: list[float]) -> float:
    """:func:`math.fsum`, or infinity where the sum is too large for a float."""
    try:
        return math.fsum(values)
    except OverflowError:
        return math.inf


def _exact(values: list[float]) -> Fraction:
    return sum((Fraction(v) for v in values), Fraction(0))


def _pair_value(mantissa: int, exponent: int) -> Fraction:
    return Fraction(mantissa) * Fraction(2) ** exponent


def _starts(groups: list[list[float]]) -> NDArray[np.intp]:
    return np.cumsum([0] + [len(g) for g in groups[:-1]]).astype(np.intp)


def _check(groups: list[list[float]]) -> None:
    """group_sums of ``groups`` is fsum of each; its pairs are exact, odd and merge."""
    values = np.array([x for g in groups for x in g])
    expected = [_fsum(g) for g in groups]
    total = _fsum(values.tolist())
    assume(math.isfinite(total) and all(map(math.isfinite, expected)))
    sums = group_sums(values, _starts(groups))
    assert sums.floats().tolist() == expected
    assert sums.regroup(np.array([0], dtype=np.intp)).floats().tolist() == [total]
    both = ExactSums.concat([sums, group_sums(values[::-1].copy(), np.array([0], np.intp))])
    assert both.floats().tolist()[-1] == total
    # The compact form: exact, one form per sum (odd mantissa), and it travels back.
    mantissas, exponents = sums.pairs()
    for g, m, e in zip(groups, mantissas, exponents, strict=True):
        assert _pair_value(m, e) == _exact(g)
        assert m % 2 == 1 or (m, e) == (0, 0)
    again = ExactSums.from_pairs(mantissas, exponents)
    assert again.floats().tolist() == expected
    assert again.pairs() == (mantissas, exponents)
    assert _pair_value(*add_pairs(mantissas, exponents)) == _exact(values.tolist())


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(_floats, min_size=1, max_size=8), min_size=1, max_size=6), st.booleans())
@example([[2.0**53, 1.0, 2.0**-60]], False)  # a tie broken by a far-away bit
@example([[0.1] * 10], False)
@example([[2.0**-1074, 2.0**-1074, 2.0**-1022 - 2.0**-1074]], False)  # around the least normal
def test_group_sums_are_fsum(groups: list[list[float]], negative: bool) -> None:
    if negative:
        groups = [[-x if i % 2 else x for i, x in enumerate(g)] for g in groups]
    _check(groups)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_areas, min_size=1, max_size=30), min_size=1, max_size=8))
@example([[0.01, 5000.0]])  # the widest span of the fixed-point path here
@example([[0.3] * 7, [0.1, 0.2]])
def test_areas_take_the_fixed_point_path_and_are_fsum(groups: list[list[float]]) -> None:
    _check(groups)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 2**53 - 1).map(float), min_size=1, max_size=8), min_size=1),
)
def test_counts_are_summed_as_integers(groups: list[list[float]]) -> None:
    _check(groups)
    values = np.array([x for g in groups for x in g])
    sums = group_sums(values, _starts(groups))
    assert sums.base == 0
    assert sums.limbs is not None
    assert sums.limbs.shape[1] == 1 or max(values) * len(values) >= 2.0**62


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_areas, min_size=1, max_size=40),
    st.lists(st.integers(0, 40), max_size=6),
)
def test_pairs_of_any_partitioning_merge_to_the_pair_of_the_whole(
    values: list[float], cuts: list[int]
) -> None:
    """Partitions' pairs, added by add_pairs, are the whole's pair, to the last bit."""
    bounds = sorted({0, len(values), *(c for c in cuts if c < len(values))})
    parts = [values[a:b] for a, b in itertools.pairwise(bounds)]
    pairs = [group_sums(np.array(p), np.array([0], np.intp)).pairs() for p in parts]
    merged = add_pairs([m[0] for m, _ in pairs], [e[0] for _, e in pairs])
    whole = group_sums(np.array(values), np.array([0], np.intp)).pairs()
    assert merged == (whole[0][0], whole[1][0])
    # As Spark carries them: mantissas as decimal strings.
    assert add_pairs([str(m[0]) for m, _ in pairs], [e[0] for _, e in pairs]) == merged


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(_floats, min_size=1, max_size=5), min_size=1, max_size=6),
    st.lists(st.integers(0, 5), min_size=1, max_size=6),
    st.booleans(),
    st.booleans(),
)
def test_sums_added_in_place_are_fsum(
    batches: list[list[float]], groups: list[int], negative: bool, runs: bool
) -> None:
    """A running total (ExactSums.add_at) of batches with any exponents is fsum of all,
    the groups given by index or, where they are a run, by a slice."""
    if negative:
        batches = [[-x if i % 2 else x for i, x in enumerate(b)] for b in batches]
    total = ExactSums.zeros(6)
    expected: list[list[float]] = [[] for _ in range(6)]
    for values, group in zip(batches, groups * len(batches), strict=False):
        # each batch goes to one group and the one after it (distinct rows)
        rows = np.array(sorted({group, (group + 1) % 6}), dtype=np.intp)
        half = len(values) // 2
        parts = [values[:half], values[half:]] if len(rows) == 2 else [values]
        parts = [p for p in parts if p] or [[0.0]]
        rows = rows[: len(parts)]
        flat = np.array([x for p in parts for x in p])
        at: NDArray[np.intp] | slice = rows
        if runs and rows[-1] - rows[0] + 1 == len(rows):
            at = slice(int(rows[0]), int(rows[-1]) + 1)
        total = total.add_at(at, group_sums(flat, _starts(parts)))
        for row, p in zip(rows.tolist(), parts, strict=True):
            expected[row].extend(p)
    wanted = [_fsum(e) for e in expected]
    assume(all(map(math.isfinite, wanted)))
    assert total.floats().tolist() == wanted


def test_a_national_sum_is_a_few_dozen_digits() -> None:
    """615,000 floor areas sum to a pair of about 25 digits, not the 300 of 2**-1074 units."""
    rng = np.random.default_rng(0)
    areas = np.round(rng.uniform(50, 2000, 615_000), 1)
    mantissas, exponents = group_sums(areas, np.array([0], np.intp)).pairs()
    assert _pair_value(mantissas[0], exponents[0]) == _exact(areas.tolist())
    assert len(str(mantissas[0])) <= 30
    assert group_sums(areas, np.array([0], np.intp)).floats()[0] == math.fsum(areas.tolist())


def test_normal_pair_strips_the_trailing_zero_bits() -> None:
    assert normal_pair(12, -3) == (3, -1)
    assert normal_pair(0, 7) == (0, 0)
    assert normal_pair(-8, 0) == (-1, 3)
    assert add_pairs([], []) == (0, 0)
    assert ExactSums.from_pairs([0, 0], [0, 0]).floats().tolist() == [0.0, 0.0]
    assert ExactSums.from_pairs([-3, 1], [-1, 2]).floats().tolist() == [-1.5, 4.0]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(_floats, _areas, st.just(math.nan)), st.booleans()),
        min_size=1,
        max_size=30,
    ),
    st.lists(st.integers(1, 30), max_size=5),
    st.booleans(),
)
def test_a_prepared_column_sums_any_mask_as_fsum(
    cells: list[tuple[float, bool]], cuts: list[int], negative: bool
) -> None:
    """Summable: one column, masks of any rows (NaN where masked out), fsum by group."""
    if negative:
        cells = [(-v if i % 3 == 1 else v, m) for i, (v, m) in enumerate(cells)]
    cells = [(v, m and not math.isnan(v)) for v, m in cells]
    values = np.array([v for v, _ in cells])
    mask = np.array([m for _, m in cells])
    bounds = sorted({0, *(c for c in cuts if c < len(cells))})
    starts = np.array(bounds, dtype=np.intp)
    ends = [*bounds[1:], len(cells)]
    expected = [_fsum([v for v, m in cells[a:b] if m]) for a, b in zip(bounds, ends, strict=True)]
    assume(all(map(math.isfinite, expected)))
    whole = all(v == int(v) and 0 <= v < 2**53 for v, m in cells if not math.isnan(v))
    others = ~mask & ~np.isnan(values)
    also = [_fsum(values[a:b][others[a:b]].tolist()) for a, b in zip(bounds, ends, strict=True)]
    most = max(b - a for a, b in zip(bounds, ends, strict=True))
    for known_whole, group_rows in itertools.product({False, whole}, (None, most, 2**20)):
        prepared = Summable(values, whole=known_whole, group_rows=group_rows)
        assert prepared.sums(mask, starts).floats().tolist() == expected
        if all(map(math.isfinite, also)):
            assert prepared.sums(others, starts).floats().tolist() == also


def test_one_word_of_a_prepared_column_counts_from_its_base() -> None:
    """A column whose one word starts at a multiple of 32 bits (its last bit 2**-160)."""
    values = np.array([3.08148791148544e-33, np.nan, 2.0**-107])
    mask = np.array([True, False, True])
    starts = np.array([0], dtype=np.intp)
    for group_rows in (None, 3):
        sums = Summable(values, whole=False, group_rows=group_rows).sums(mask, starts)
        assert sums.floats().tolist() == [math.fsum(values[mask].tolist())]


def test_a_prepared_column_in_small_groups_is_cut_in_wide_words() -> None:
    """With groups of at most 126 values, an area's 70 bits are two words, not four halves."""
    areas = np.array([0.01, 5000.37, 12.5, 999.99] * 300)
    starts = np.arange(0, len(areas), 120, dtype=np.intp)
    mask = np.arange(len(areas)) % 7 != 3
    halves, words = Summable(areas, whole=False), Summable(areas, whole=False, group_rows=126)
    assert halves.parts is not None
    assert words.parts is not None
    assert (len(halves.parts), len(words.parts)) == (4, 2)
    expected = [math.fsum(areas[a : a + 120][mask[a : a + 120]]) for a in starts.tolist()]
    assert halves.sums(mask, starts).floats().tolist() == expected
    assert words.sums(mask, starts).floats().tolist() == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 2**21 + 5), st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)),
        min_size=1,
        max_size=20,
    ),
    st.integers(-1100, 1000),
)
def test_three_digits_round_once_to_the_nearest_float(
    digits: list[tuple[int, int, int]], base: int
) -> None:
    """Sums of three carried digits (below 2**85 or not) round as int / 2**-base does."""
    limbs = np.array([[low, mid, top] for top, mid, low in digits], dtype=np.int64)
    sums = ExactSums(limbs, base // 32 * 32)
    expected = []
    for top, mid, low in digits:
        value = (top << 64) + (mid << 32) + low
        exact = Fraction(value) * Fraction(2) ** sums.base
        expected.append(_fsum([]) if not value else _rounded(exact))
    assert sums.floats().tolist() == expected


_digit = st.one_of(
    st.just(0), st.integers(0, 2**32 - 1), st.integers(0, 2**62), st.sampled_from([1, 2])
)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda width: st.lists(st.lists(_digit, min_size=width, max_size=width), min_size=1)
    ),
    st.integers(-1150, 1000).map(lambda b: b // 32 * 32),
    st.lists(st.integers(1, 40), max_size=3),
)
@example([[0], [1], [2], [2**40]], -1088, [2])  # one digit: subnormal sums and a zero
@example([[0, 0, 1], [3, 0, 0], [0, 0, 0]], -1120, [1])  # three digits, the least bits tiny
@example([[0xFFFFFFFF, 0x80005FFF]], -1120, [])  # subnormal: rounded twice, wrong
@example([[0], [5], [2**62]], 0, [1])  # a base whose sums cannot be tiny
@example([[2**62, 0], [2**62, 1]], -1024, [])  # digits that must be carried before a regroup
def test_digits_of_any_width_round_as_fsum_and_regroup(
    rows: list[list[int]], base: int, cuts: list[int]
) -> None:
    """Sums of non-negative digits (carried or not, one to five a group, of any base,
    at or below the least normal float or far above it, or 0) round to the nearest
    float, ties to even; and regrouped into runs, to the rounded sum of each run."""
    limbs = np.array(rows, dtype=np.int64)
    sums = ExactSums(limbs, base)
    exact = [
        Fraction(sum(d << (32 * k) for k, d in enumerate(row))) * Fraction(2) ** base
        for row in rows
    ]
    assert sums.floats().tolist() == [_rounded(v) if v else 0.0 for v in exact]
    bounds = sorted({0, *(c for c in cuts if c < len(rows))})
    runs = [sum(exact[a:b], Fraction(0)) for a, b in itertools.pairwise([*bounds, len(rows)])]
    regrouped = sums.regroup(np.array(bounds, dtype=np.intp))
    assert regrouped.floats().tolist() == [_rounded(v) if v else 0.0 for v in runs]
    assert limbs.tolist() == rows  # neither rounding nor regrouping changed the digits


def _rounded(value: Fraction) -> float:
    """A positive fraction rounded to the nearest float, ties to even (infinity beyond)."""
    try:
        return value.numerator / value.denominator  # int / int rounds correctly in CPython
    except OverflowError:
        return math.inf


def test_a_prepared_column_of_large_counts_is_split_in_halves() -> None:
    counts = np.array([2.0**52, 2.0**52 - 1, 3.0, np.nan] * 600)
    mask = ~np.isnan(counts)
    starts = np.array([0, 1000], dtype=np.intp)
    prepared = Summable(counts, whole=True)
    assert prepared.parts is not None
    assert len(prepared.parts) == 2
    sums = prepared.sums(mask, starts).floats().tolist()
    assert sums == [math.fsum(counts[:1000][mask[:1000]]), math.fsum(counts[1000:][mask[1000:]])]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2**20), st.booleans()), min_size=1, max_size=40),
    st.integers(-1000, 900),
    st.lists(st.integers(1, 40), max_size=5),
)
def test_a_prepared_column_of_one_scale_sums_as_fsum_in_words_or_halves(
    cells: list[tuple[int, bool]], exponent: int, cuts: list[int]
) -> None:
    """Values ``k · 2**exponent`` (a narrow span, its last bit anywhere): one word or two
    halves, from a base that is its last bit or below it, fsum by group."""
    values = np.array([k * 2.0**exponent for k, _ in cells])
    mask = np.array([m for _, m in cells])
    bounds = sorted({0, *(c for c in cuts if c < len(cells))})
    ends = [*bounds[1:], len(cells)]
    starts = np.array(bounds, dtype=np.intp)
    expected = [
        math.fsum(values[a:b][mask[a:b]].tolist()) for a, b in zip(bounds, ends, strict=True)
    ]
    most = max(b - a for a, b in zip(bounds, ends, strict=True))
    for group_rows in (None, most):
        prepared = Summable(values, whole=False, group_rows=group_rows)
        assert prepared.sums(mask, starts).floats().tolist() == expected
