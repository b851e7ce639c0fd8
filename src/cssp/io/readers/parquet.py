"""Parquet files, through pyarrow, imported only when one is read."""

from __future__ import annotations

import io
from collections.abc import Sequence

from cssp.errors import InputError
from cssp.io.readers.maps import ColumnMap
from cssp.io.readers.problems import _Found, _optional_import, _Problems
from cssp.io.readers.rows import _read_table, _Rows


def _read_parquet(
    name: str, problems: _Problems, column_map: ColumnMap | None = None, data: bytes | None = None
) -> _Found:
    parquet = _optional_import("pyarrow.parquet", "parquet", "Parquet", name)
    try:
        table = parquet.read_table(name if data is None else io.BytesIO(data))
    except OSError as error:
        if isinstance(error, FileNotFoundError | PermissionError | IsADirectoryError):
            raise InputError(f"cannot read the file: {error.strerror or error}", name) from None
        raise InputError(f"not a Parquet file: {error}", name) from None
    except Exception as error:  # pyarrow's ArrowInvalid and friends
        raise InputError(f"not a Parquet file: {error}", name) from None
    header: Sequence[object] = table.column_names
    columns = [table.column(index).to_pylist() for index in range(table.num_columns)]
    rows: _Rows = iter([(0, header), *enumerate(zip(*columns, strict=True), start=1)])
    return _read_table(name, rows, problems, column_map=column_map)
