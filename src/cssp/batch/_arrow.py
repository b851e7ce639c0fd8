"""Arrow columns as numpy arrays, read from their buffers.

Numbers and booleans become float64 with NaN for null, and 12-byte strings
``S12``, without a Python object per cell: the data buffer is viewed as it is
(``numpy.frombuffer``) and the validity bitmap unpacked, which costs a fifth
of Arrow's own conversion with nulls (``to_numpy(zero_copy_only=False)``).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

__all__ = ["arrow_to_numpy", "choose", "integral", "nan_unless"]

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
_NAN: Final = np.float64(np.nan).view(np.uint64)


def choose(where: Bools, values: Floats, otherwise: float | Floats) -> Floats:
    """``numpy.where(where, values, otherwise)`` for float64, by bit arithmetic.

    With a scattered mask, ``numpy.where`` and masked assignment cost several
    times as much as a few passes of integer arithmetic: the mask is widened
    to all ones or all zeros a value, and each side kept by ``and``.
    """
    keep = where.view(np.uint8).astype(np.uint64)
    np.negative(keep, out=keep)  # all ones where true, zeros where false
    chosen = np.bitwise_and(np.ascontiguousarray(values, dtype=np.float64).view(np.uint64), keep)
    if not (np.isscalar(otherwise) and otherwise == 0.0 and not np.signbit(otherwise)):
        other = np.asarray(otherwise, dtype=np.float64).view(np.uint64)
        np.bitwise_or(chosen, np.bitwise_and(other, ~keep), out=chosen)
    out: Floats = chosen.view(np.float64)
    return out


def nan_unless(values: Floats, given: Bools) -> Floats:
    """``values`` where ``given``, NaN elsewhere (a new array): :func:`choose` with NaN."""
    missing = given.view(np.uint8).astype(np.uint64)
    missing -= np.uint64(1)  # all ones where not given, zeros where given
    np.bitwise_and(missing, _NAN, out=missing)
    out: Floats = np.bitwise_or(values.view(np.uint64), missing).view(np.float64)
    return out


def integral(column: Any) -> bool:
    """Whether an Arrow column holds integers or booleans (whole numbers by type)."""
    import pyarrow as pa  # noqa: PLC0415 - only for Arrow input (the parquet extra)

    kind = column.type
    return bool(pa.types.is_boolean(kind) or pa.types.is_integer(kind))


def arrow_to_numpy(column: Any) -> NDArray[Any]:
    """An Arrow array or chunked array as numpy: numbers and booleans as float64
    with NaN for null, 12-byte strings as ``S12``, anything else as Arrow converts it."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415

    kind = column.type
    if pa.types.is_boolean(kind) or pa.types.is_integer(kind) or pa.types.is_floating(kind):
        chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
        if len(chunks) == 1:
            return _primitive(chunks[0])
        if not chunks:
            return np.zeros(0, dtype=np.float64)
        return np.concatenate([_primitive(chunk) for chunk in chunks])
    if (pa.types.is_string(kind) or pa.types.is_large_string(kind)) and not column.null_count:
        chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
        twelves = [_twelve_bytes(chunk) for chunk in chunks]
        found = [t for t in twelves if t is not None]
        if len(found) == len(twelves):  # every code 12 bytes: their bytes as they are
            if len(found) == 1:
                return found[0]
            return np.concatenate(found) if found else np.zeros(0, dtype="S12")
        try:
            fixed = pc.cast(column, pa.binary(12))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass  # not all 12 bytes long: the general path reports which
        else:
            if isinstance(fixed, pa.ChunkedArray):
                fixed = fixed.combine_chunks()
            data = fixed.buffers()[1]
            return np.frombuffer(data, dtype="S12", count=len(fixed), offset=fixed.offset * 12)
    return np.asarray(column.to_numpy(zero_copy_only=False))


def _twelve_bytes(array: Any) -> NDArray[np.bytes_] | None:
    """A string array whose every value is 12 bytes long, as ``S12`` over its data
    (no copy); ``None`` when a value is longer or shorter."""
    import pyarrow as pa  # noqa: PLC0415

    length = len(array)
    if not length:
        return np.zeros(0, dtype="S12")
    wide = pa.types.is_large_string(array.type)
    _, offsets, data = array.buffers()[:3]
    size = 8 if wide else 4
    ends = np.frombuffer(
        offsets, dtype=np.int64 if wide else np.int32, count=length + 1, offset=array.offset * size
    )
    if int(ends[-1]) - int(ends[0]) != 12 * length or not (np.diff(ends) == 12).all():
        return None
    return np.frombuffer(data, dtype="S12", count=length, offset=int(ends[0]))


def _bits(buffer: Any, offset: int, length: int) -> NDArray[np.uint8]:
    """Bits ``offset`` to ``offset + length`` of an Arrow bitmap, one byte (0 or 1) each."""
    raw = np.frombuffer(buffer, dtype=np.uint8)
    return np.unpackbits(raw, count=offset + length, bitorder="little")[offset:]


def _primitive(array: Any) -> Floats:
    """One Arrow array of booleans or numbers as float64, NaN where null."""
    import pyarrow as pa  # noqa: PLC0415

    length, offset = len(array), array.offset
    validity, data = array.buffers()[:2]
    out: Floats
    if length == 0:
        return np.zeros(0, dtype=np.float64)
    if pa.types.is_boolean(array.type):
        out = _bits(data, offset, length).astype(np.float64)
    else:
        dtype = np.dtype(array.type.to_pandas_dtype())
        out = np.frombuffer(data, dtype=dtype, count=length, offset=offset * dtype.itemsize)
        if dtype != np.float64:
            out = out.astype(np.float64)
        elif not (validity is not None and array.null_count):
            out = out.copy()  # Arrow's buffer, read-only: a copy of our own
    if validity is not None and array.null_count:
        return nan_unless(out, _bits(validity, offset, length).view(np.bool_))
    return out
