"""Blocks of a CSV or TSV table, read into columns, as frames of the columnar engine.

:class:`~cssp.io.readers.stream.InputStream` reads a block of a table into
columns (:func:`cssp.io.readers.blocks.read_block`) when it can read it exactly
as the row path does; :func:`block_frame` checks the model's rules on the
columns (:meth:`Frame.from_columns`, the rules of :mod:`cssp.model.schema`) and
gives the frame, or declines a block that breaks any, which the stream then
reads row by row for its messages::

    >>> import cssp, tempfile, os
    >>> from cssp.io.readers.stream import InputStream
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "c.csv")
    >>> with open(path, "w", encoding="utf-8") as f:
    ...     _ = f.write("code,households\\n110101001001,1200\\n110101001002,-3\\n")
    >>> [type(batch).__name__ for batch in InputStream(path, columnar=block_frame)]
    Traceback (most recent call last):
    ...
    cssp.errors.InputError: ...c.csv: row 3, column households: -3 is negative
    >>> with open(path, "w", encoding="utf-8") as f:
    ...     _ = f.write("code,households\\n110101001001,1200\\n110101001002,300\\n")
    >>> [type(batch).__name__ for batch in InputStream(path, columnar=block_frame)]
    ['Frame']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cssp.batch.frame import Frame
from cssp.errors import InputError
from cssp.io.readers.blocks import ColumnBlock
from cssp.model.community import Community

__all__ = ["block_frame"]


def block_frame(block: ColumnBlock) -> tuple[Frame, NDArray[np.int64]] | None:
    """The frame of a block read into columns and its codes (as integers, in the rows'
    order); ``None`` when a row breaks a rule of the model (the row path then names it)."""
    try:
        frame = Frame.from_columns(block.columns)
    except InputError:
        return None
    frame.source = _Communities(frame.order, block.community)
    keys = np.empty_like(frame.keys)
    keys[frame.order] = frame.keys
    return frame, keys


class _Communities(Sequence[Community]):
    """The communities of a frame's sorted rows, built when asked (for rules with no
    columnar form) by the table reader, as the row path builds them."""

    def __init__(self, order: NDArray[np.intp], build: Callable[[int], Community]) -> None:
        self.order = order
        self.build = build

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, row: Any) -> Any:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        return self.build(int(self.order[row]))
