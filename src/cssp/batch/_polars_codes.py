"""The codes of a Parquet file for the Polars kernel (:mod:`cssp.batch.on_polars`):
read, checked as the numpy engine checks them, and kept as integers and ``S12``."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Final

import numpy as np
import polars as pl
from numpy.typing import NDArray

from cssp.batch._polars_rules import KNOWN_VILLAGES, Refused
from cssp.model.divisions import PROVINCES_BY_CODE

__all__ = ["KEY", "Codes", "bad_code", "checked_codes", "raw_codes", "unique_keys"]


class Codes:
    """The first pass: a file's codes, checked as the numpy engine checks them.

    :raises Refused: for a code that is not 12 digits of a known province and
        village digits, or a code met twice (the numpy engine names them).
    """

    def __init__(self, name: str, rows: int, chunks: Sequence[tuple[int, int]]) -> None:
        scan = pl.scan_parquet(name).select("code")
        #: the codes as integers, in file order.
        self.keys: NDArray[np.int64] = np.empty(rows, dtype=np.int64)
        #: the codes as ``S12``, in file order.
        self.raw: NDArray[np.bytes_] = np.empty(rows, dtype="S12")

        def read(bounds: tuple[int, int]) -> None:
            start, stop = bounds
            keys, raw = checked_codes(scan.slice(start, stop - start).collect())
            self.keys[start:stop] = keys
            self.raw[start:stop] = raw

        # A chunk at a time (little memory), two at once: a column is read in one thread.
        with ThreadPoolExecutor(2, thread_name_prefix="cssp-codes") as pool:
            for done in [pool.submit(read, bounds) for bounds in chunks]:
                done.result()
        towns = unique_keys(self.keys) // 1000
        starts = np.flatnonzero(np.r_[True, towns[1:] != towns[:-1]])
        #: the townships (sorted 9-digit keys), and the most communities one has.
        self.townships: NDArray[np.int64] = towns[starts]
        self.largest = int(np.diff(np.r_[starts, len(towns)]).max())


_PROVINCES: Final = [int(code) for code in PROVINCES_BY_CODE]
#: A code as an integer (null where it is not one), the township key's source.
KEY: Final = pl.col("code").cast(pl.Int64, strict=False).alias("pre:key")


def bad_code() -> pl.Expr:
    """True where a row's code (``code``, and ``pre:key`` from it) is not 12 digits of a
    known province and village digits."""
    key = pl.col("pre:key")
    # 12 bytes that parse as a number of a known province (11–65) are 12 ASCII
    # digits: a sign would leave 11 digits, a number below 11 * 10**10.
    return (
        key.is_null()
        | (pl.col("code").str.len_bytes() != 12)
        | ~(key // 10**10).is_in(_PROVINCES)
        | ~(key % 1000).is_in(KNOWN_VILLAGES)
    ).fill_null(True)


def checked_codes(frame: pl.DataFrame) -> tuple[NDArray[np.int64], NDArray[np.bytes_]]:
    """A chunk's codes as integers and as ``S12``.

    :raises Refused: for a code that is not 12 digits of a known province and
        village digits.
    """
    parsed = frame.lazy().select(KEY, "code")
    found, bad = pl.collect_all([parsed.select("pre:key"), parsed.select(bad_code().any())])
    if bad.item():
        raise Refused("a code that is not 12 digits of a known province and village")
    return found.get_column("pre:key").to_numpy(), raw_codes(frame.get_column("code"))


def unique_keys(keys: NDArray[np.int64]) -> NDArray[np.int64]:
    """``keys`` sorted (themselves when they are).

    :raises Refused: for a code met twice (the numpy engine names it).
    """
    if len(keys) < 2 or bool((keys[1:] > keys[:-1]).all()):
        return keys
    ordered = np.sort(keys)
    if bool((ordered[1:] == ordered[:-1]).any()):
        raise Refused("a code met twice")
    return ordered


def raw_codes(column: pl.Series) -> NDArray[np.bytes_]:
    """Codes of 12 bytes each as ``S12``, read from their Arrow form without a copy of
    Polars's: in a string view, a string of 12 bytes or fewer is held in its view (16
    bytes: its length, then the bytes)."""
    array = column.to_arrow(compat_level=pl.CompatLevel.newest())
    if str(array.type) in ("string_view", "binary_view"):
        count = len(array) + array.offset
        views = np.frombuffer(array.buffers()[1], dtype=_VIEW, count=count)[array.offset :]
        return views["bytes"].copy()
    array = column.to_arrow(compat_level=pl.CompatLevel.oldest())  # pragma: no cover
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64, count=array.offset + 1)
    data = np.frombuffer(array.buffers()[2], dtype="S12", count=len(array), offset=offsets[-1])
    return data.copy()


#: An Arrow string view of 12 bytes or fewer: the length, then the bytes inline.
_VIEW: Final = np.dtype([("length", "<i4"), ("bytes", "S12")])
