"""Arrow columns as numpy arrays, read from their buffers.

Numbers and booleans become float64 with NaN for null, and 12-byte strings
``S12``, without a Python object per cell: the data buffer is viewed as it is
(``numpy.frombuffer``) and the validity bitmap unpacked, which costs a fifth
of Arrow's own conversion with nulls (``to_numpy(zero_copy_only=False)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["arrow_to_numpy", "integral"]

Floats = NDArray[np.float64]


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
        values = np.frombuffer(data, dtype=dtype, count=length, offset=offset * dtype.itemsize)
        out = values.astype(np.float64)  # a copy, which the nulls may be written into
    if validity is not None and array.null_count:
        out[_bits(validity, offset, length) == 0] = np.nan
    return out
