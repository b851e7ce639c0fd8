"""Parquet files, through pyarrow, imported only when one is read.

What a Parquet file's schema says is checked first, by :func:`check_schema`,
which the batch engine applies too: a column named twice, a file with no
rows, a numeric column whose values are of a type that holds no number. A
NaN in a column of floats is "not given", as null is, in both engines.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from cssp.errors import InputError
from cssp.io.readers.columns import numeric_columns
from cssp.io.readers.maps import ColumnMap
from cssp.io.readers.problems import _Found, _optional_import, _Problems
from cssp.io.readers.rows import _read_table, _Rows


def _read_parquet(
    name: str, problems: _Problems, column_map: ColumnMap | None = None, data: bytes | None = None
) -> _Found:
    parquet = _optional_import("pyarrow.parquet", "parquet", "Parquet", name)
    try:
        file = parquet.ParquetFile(name if data is None else io.BytesIO(data))
        check_schema(file.schema_arrow, file.metadata.num_rows, name)
        table = file.read()
    except InputError:
        raise
    except OSError as error:
        if isinstance(error, FileNotFoundError | PermissionError | IsADirectoryError):
            raise InputError(f"cannot read the file: {error.strerror or error}", name) from None
        raise InputError(f"not a Parquet file: {error}", name) from None
    except Exception as error:  # pyarrow's ArrowInvalid and friends
        raise InputError(f"not a Parquet file: {error}", name) from None
    header: Sequence[object] = table.column_names
    columns = [_cells(table.column(index)) for index in range(table.num_columns)]
    rows: _Rows = iter([(0, header), *enumerate(zip(*columns, strict=True), start=1)])
    return _read_table(name, rows, problems, column_map=column_map)


def _cells(column: Any) -> list[Any]:
    """A column's values; NaN in a column of floats is "not given", as null is (numpy and
    pandas write a missing number so, and the batch engine reads it so)."""
    import pyarrow as pa  # noqa: PLC0415 - pyarrow is there: the file is read
    import pyarrow.compute as pc  # noqa: PLC0415

    if pa.types.is_floating(column.type) and pc.any(pc.is_nan(column)).as_py():
        column = pc.if_else(pc.is_nan(column), pa.scalar(None, column.type), column)
    return list(column.to_pylist())


def check_schema(schema: Any, rows: int, name: str) -> None:
    """Refuse a Parquet file for what its schema and size say, before a row is read.

    Both engines call this, so that they refuse such a file alike: a column
    named twice (which a reader would take one of), no rows, and a numeric
    column (``households``, ``facility_floor_area``, ``extra.NAME`` …) of
    booleans, dates, decimals, lists or anything else that is neither a number
    nor text. Every problem is listed.

    :param schema: the file's Arrow schema.
    :param rows: its number of rows.
    :param name: the file's name, for the locations.
    :raises InputError: listing the problems.
    """
    from pyarrow import types  # noqa: PLC0415 - pyarrow is there: the file is open

    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    numeric = numeric_columns()
    for field in schema:
        column = str(field.name)
        where = f"{name}: column {column}"
        if column in seen:
            found.append((where, f"the column {column!r} appears twice: keep one of them"))
            continue
        seen.add(column)
        if column not in numeric and not column.startswith("extra."):
            continue
        kind = field.type
        if types.is_dictionary(kind):
            kind = kind.value_type
        if types.is_boolean(kind):
            found.append((where, "holds yes/no values (true/false), where numbers belong"))
        elif not (
            types.is_integer(kind)
            or types.is_floating(kind)
            or types.is_string(kind)
            or types.is_large_string(kind)
            or types.is_null(kind)
        ):
            found.append((where, f"holds values of type {kind}, where numbers (or text) belong"))
    if rows == 0:
        found.append((name, "the table has no rows"))
    if len(found) == 1:
        raise InputError(found[0][1], found[0][0])
    if found:
        raise InputError(f"{len(found)} problems in {name}", name, tuple(found))
