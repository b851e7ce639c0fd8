"""The synthetic nation's files: its columns as CSV text or Parquet bytes."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from cssp.errors import InputError
from cssp.synth import _COUNTS, _NULLABLE_FLAGS

__all__ = ["csv_text", "parquet_bytes"]


# --- files ------------------------------------------------------------------------------

_CHUNK: Final = 65_536


def _cells(name: str, column: NDArray[Any]) -> NDArray[np.str_]:
    """A column as the text of its CSV cells."""
    if column.dtype.kind in "US":
        return column.astype(str)
    if column.dtype.kind == "b":
        return np.where(column, "true", "false")
    if column.dtype.kind in "iu":
        return column.astype(str)
    values = column.astype(np.float64)
    absent = np.isnan(values)
    if name in _NULLABLE_FLAGS:
        return np.where(absent, "", np.where(values != 0, "true", "false"))
    # A whole number without a decimal point ("1200", as a count is read fastest);
    # any other number in its shortest exact form ("420.5"). Each cell converted once.
    whole = ~absent & (values == np.floor(values)) & (np.abs(values) < 2.0**53)
    fraction = ~absent & ~whole
    text = np.zeros(values.size, dtype="U32")
    text[whole] = values[whole].astype(np.int64).astype(str)
    text[fraction] = values[fraction].astype(str)
    return text


def csv_text(columns: Mapping[str, NDArray[Any]]) -> str:
    stream = io.StringIO(newline="")
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(list(columns))
    rows = len(next(iter(columns.values()))) if columns else 0
    for start in range(0, rows, _CHUNK):
        cells = [
            _cells(name, values[start : start + _CHUNK]).tolist()
            for name, values in columns.items()
        ]
        writer.writerows(zip(*cells, strict=True))
    return stream.getvalue()


def parquet_bytes(columns: Mapping[str, NDArray[Any]], name: str) -> bytes:
    try:
        import pyarrow as pa  # noqa: PLC0415 - an optional extra
        import pyarrow.parquet as pq  # noqa: PLC0415 - only for a Parquet file
    except ImportError:
        raise InputError(
            "writing Parquet files needs pyarrow: pip install 'cssp[batch]'", name
        ) from None
    arrays = []
    for column_name, column in columns.items():
        if column.dtype.kind in "US":
            arrays.append(pa.array(column.astype(str).tolist(), type=pa.string()))
        elif column.dtype.kind in "biu":
            arrays.append(pa.array(column))
        else:
            values = column.astype(np.float64)
            absent = np.isnan(values)
            filled = np.where(absent, 0.0, values)
            if column_name in _NULLABLE_FLAGS:
                arrays.append(pa.array(filled != 0, mask=absent, type=pa.bool_()))
            elif column_name in _COUNTS:
                arrays.append(pa.array(filled.astype(np.int64), mask=absent, type=pa.int64()))
            else:
                arrays.append(pa.array(values, mask=absent, type=pa.float64()))
    table = pa.Table.from_arrays(arrays, names=list(columns))
    sink = pa.BufferOutputStream()
    # Row groups of 65,536 rows: a reader that streams the file (cssp.batch.evaluate_parquet)
    # decodes one row group at a time, so its memory does not grow with the file.
    pq.write_table(table, sink, compression="zstd", row_group_size=65_536)
    data: bytes = sink.getvalue().to_pybytes()
    return data
