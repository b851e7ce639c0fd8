"""The batch engine reads Arrow columns from their buffers: as Arrow itself converts them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cssp
import cssp.batch
from cssp.batch._arrow import arrow_to_numpy, choose, nan_unless

pa = pytest.importorskip("pyarrow")

_TYPES = {
    "bool_": st.booleans(),
    "int8": st.integers(-(2**7), 2**7 - 1),
    "uint16": st.integers(0, 2**16 - 1),
    "int32": st.integers(-(2**31), 2**31 - 1),
    "int64": st.integers(-(2**63), 2**63 - 1),
    "uint64": st.integers(0, 2**64 - 1),
    "float32": st.floats(width=32, allow_nan=False),
    "float64": st.floats(allow_nan=False),
}


@st.composite
def _arrays(draw: st.DrawFn) -> tuple[Any, list[Any]]:
    """An Arrow array or chunked array, nulls included, maybe a slice; and its values."""
    name = draw(st.sampled_from(sorted(_TYPES)))
    chunks = draw(
        st.lists(st.lists(st.one_of(st.none(), _TYPES[name]), max_size=40), min_size=1, max_size=3)
    )
    arrays = [pa.array(chunk, type=getattr(pa, name)()) for chunk in chunks]
    start = draw(st.integers(0, len(arrays[0])))
    arrays[0] = arrays[0].slice(start)  # an offset into its buffers
    values = [v for a in arrays for v in a.to_pylist()]
    column = arrays[0] if len(arrays) == 1 and draw(st.booleans()) else pa.chunked_array(arrays)
    return column, values


@settings(max_examples=300, deadline=None)
@given(_arrays())
def test_numbers_and_booleans_read_as_float64_with_nan_for_null(
    case: tuple[Any, list[Any]],
) -> None:
    column, values = case
    got = arrow_to_numpy(column)
    assert got.dtype == np.float64
    expected = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    np.testing.assert_array_equal(got, expected)


def test_a_count_too_large_for_a_float_is_named_not_an_arrow_error(tmp_path: Path) -> None:
    """An int64 count beyond 2**53 is the table rule's error (Arrow's safe cast refused it)."""
    import pyarrow.parquet as pq

    table = pa.table({"code": ["440106001001"], "households": pa.array([2**53 + 1], pa.int64())})
    pq.write_table(table, tmp_path / "big.parquet")
    with pytest.raises(cssp.InputError, match="too large to count exactly") as error:
        cssp.batch.evaluate_parquet(tmp_path / "big.parquet", profiles=())
    assert error.value.path == f"{tmp_path / 'big.parquet'}: row 1, column households"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.floats(), st.booleans(), st.floats()), max_size=40),
    st.sampled_from([0.0, np.inf, -1.5, None]),
)
def test_choose_and_nan_unless_are_numpy_where_to_the_bit(
    cells: list[tuple[float, bool, float]], fill: float | None
) -> None:
    values = np.array([v for v, _, _ in cells], dtype=np.float64)
    where = np.array([w for _, w, _ in cells], dtype=bool)
    others = np.array([o for _, _, o in cells], dtype=np.float64)
    otherwise: Any = others if fill is None else fill
    expected = np.where(where, values, otherwise)
    np.testing.assert_array_equal(
        choose(where, values, otherwise).view(np.uint64)[~np.isnan(expected)],
        expected.view(np.uint64)[~np.isnan(expected)],
    )
    np.testing.assert_array_equal(np.isnan(choose(where, values, otherwise)), np.isnan(expected))
    missing = nan_unless(values, where)
    np.testing.assert_array_equal(np.isnan(missing), ~where | np.isnan(values))
    np.testing.assert_array_equal(missing[where], values[where])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(st.text("0123456789", min_size=11, max_size=13), max_size=20),
        min_size=1,
        max_size=3,
    ),
    st.integers(0, 5),
    st.booleans(),
)
def test_codes_read_as_twelve_bytes_or_as_text(
    chunks: list[list[str]], start: int, large: bool
) -> None:
    """12-byte strings come out as S12 over Arrow's data; others as Arrow converts them."""
    kind = pa.large_string() if large else pa.string()
    arrays = [pa.array(chunk, type=kind) for chunk in chunks]
    arrays[0] = arrays[0].slice(min(start, len(arrays[0])))
    values = [v for a in arrays for v in a.to_pylist()]
    got = arrow_to_numpy(pa.chunked_array(arrays, type=kind))
    if all(len(v) == 12 for v in values):
        assert got.dtype == np.dtype("S12")
        assert [v.decode() for v in got.tolist()] == values
    else:
        assert [str(v) for v in got.tolist()] == values
