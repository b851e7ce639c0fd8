"""The keys met so far in an input read in batches, to find one met twice in bounded memory.

``_Seen`` keeps 12-digit codes (when numpy is installed) as sorted runs of
64-bit integers. In memory they take at most ``codes`` of 8 bytes
(:data:`CODES`: 8 MB), the copy made while two runs merge counted: once the
runs hold more than half as many codes, they are merged and written to one
temporary file, run after run, each run on disk keeping in memory only a
sparse index of it (every ``block``-th code, :data:`BLOCK`). A batch is
checked against a run on disk by reading only the blocks that could hold its
codes, at most ``read`` codes at a time (:data:`READ`): memory holds the batch
and what is read, never the run. The file has no name in the
temporary directory (:func:`tempfile.TemporaryFile`) and is closed when the
stream ends (:meth:`_Seen.close`) or the ``_Seen`` is dropped. When it cannot
be made or written (a read-only or full temporary directory), the runs stay in
memory. Other keys (a township's code and a name) are kept in a set.
"""

from __future__ import annotations

import itertools
import tempfile
import weakref
from typing import Any, Final

from cssp.errors import CsspError

__all__ = ["BLOCK", "CODES", "READ"]

#: 12-digit codes held in memory (8 bytes each), the copy made while runs merge counted:
#: when the runs in memory hold more than half as many, they go to the temporary file.
CODES: Final = 1 << 20
#: Codes of a run on disk between two entries of its sparse index.
BLOCK: Final = 4096
#: Codes read from the temporary file at once, at most (a block at least).
READ: Final = 1 << 17


class _Run:
    """A sorted run of codes in the temporary file: where it starts (in codes), how many
    codes it has, every ``block``-th of them, and its last (the largest)."""

    __slots__ = ("index", "largest", "length", "start")

    def __init__(self, start: int, length: int, index: Any, largest: int) -> None:
        self.start = start
        self.length = length
        self.index = index
        self.largest = largest


class _Seen:
    """The keys met so far: 12-digit codes as sorted runs of 64-bit integers (in memory up
    to ``codes`` of them, then in a temporary file) when numpy is installed, other keys in
    a set.

    :param codes: codes held in memory, at most, the copy made while runs merge counted
        (with the batch being added): the runs go to the temporary file when they hold
        more than half as many.
    :param block: codes of a run on disk between two entries of its sparse index.
    :param read: codes read from the temporary file at once, at most (a block at least).
    """

    def __init__(self, codes: int = CODES, block: int = BLOCK, read: int = READ) -> None:
        self.np: Any = None
        try:
            import numpy  # noqa: PLC0415 - optional

            self.np = numpy
        except ImportError:  # pragma: no cover - without numpy: a set
            pass
        self.codes = codes
        self.block = block
        self.read = max(read // block, 1) * block
        #: the sorted runs in memory, and how many codes they hold.
        self.runs: list[Any] = []
        self.kept = 0
        #: the runs in the temporary file, and how many codes it holds.
        self.disk: list[_Run] = []
        self.written = 0
        self.file: Any = None
        #: whether runs go to the temporary file (not once it could not be made or written).
        self.spill = self.np is not None
        self._buffer: Any = None
        self._close: Any = None
        self.others: set[str] = set()
        #: every key met more than once.
        self.repeated: set[str] = set()
        #: the keys of the last batch met in a batch before it.
        self.earlier: set[str] = set()

    def close(self) -> None:
        """Close the temporary file (it has no name: nothing is left behind)."""
        if self._close is not None:
            self._close()

    def met(self, codes: Any) -> bool:
        """Whether any of the 12-digit codes (integers) was met before."""
        if not len(codes):
            return False
        return bool(self._found(self.np.sort(self.np.asarray(codes, dtype=self.np.int64))).any())

    def add_codes(self, codes: Any) -> None:
        """Add 12-digit codes (integers), none met before nor twice among them."""
        self.earlier = set()
        if len(codes):
            self._run(self.np.sort(self.np.asarray(codes, dtype=self.np.int64)))

    def add(self, keys: list[str]) -> bool:
        """Add a batch's keys; whether any was met before (or twice in the batch)."""
        np = self.np
        self.earlier = set()
        twice: set[str] = set()
        numeric = (
            [k.isascii() and k.isdigit() and len(k) == 12 for k in keys] if np is not None else []
        )
        codes = [k for k, n in zip(keys, numeric, strict=True) if n]
        others = keys if np is None else [k for k, n in zip(keys, numeric, strict=True) if not n]
        batch_others: set[str] = set()
        for key in others:
            if key in self.others:
                self.earlier.add(key)
            elif key in batch_others:
                twice.add(key)
            batch_others.add(key)
        self.others |= batch_others
        if codes:
            batch = np.sort(np.array([int(c) for c in codes], dtype=np.int64))
            twice.update(f"{v:012d}" for v in batch[1:][batch[1:] == batch[:-1]].tolist())
            self.earlier.update(f"{v:012d}" for v in batch[self._found(batch)].tolist())
            self._run(batch)
        self.repeated |= twice | self.earlier
        return bool(twice or self.earlier)

    # -- the runs ------------------------------------------------------------------------

    def _found(self, batch: Any) -> Any:
        """Which of the sorted codes are in a run, in memory or on disk (booleans)."""
        np = self.np
        hit = np.zeros(len(batch), dtype=bool)
        for run in self.runs:
            _mark(np, run, batch, hit)
        for run in self.disk:
            self._mark_disk(run, batch, hit)
        return hit

    def _mark_disk(self, run: _Run, batch: Any, hit: Any) -> None:
        """Mark the sorted codes found in a run on disk, reading only the blocks that
        could hold them, the blocks within one ``read`` of the file at a time."""
        np = self.np
        low = int(np.searchsorted(batch, run.index[0]))
        high = int(np.searchsorted(batch, run.largest, side="right"))
        if low >= high:
            return
        codes = batch[low:high]
        blocks = np.searchsorted(run.index, codes, side="right") - 1  # where each could be
        reads = blocks // (self.read // self.block)
        cuts = [0, *(np.flatnonzero(reads[1:] != reads[:-1]) + 1).tolist(), len(codes)]
        for first, last in itertools.pairwise(cuts):
            start = int(blocks[first]) * self.block
            stop = min((int(blocks[last - 1]) + 1) * self.block, run.length)
            chunk = self._read_codes(run.start + start, stop - start)
            _mark(np, chunk, codes[first:last], hit[low + first : low + last])

    def _read_codes(self, start: int, count: int) -> Any:
        """``count`` codes of the temporary file from code ``start``, in the read buffer."""
        if self._buffer is None:
            self._buffer = self.np.empty(self.read, dtype=self.np.int64)
        codes = self._buffer[:count]
        raw = memoryview(codes).cast("B")
        done = 0
        try:
            self.file.seek(start * 8)
            while done < len(raw):
                got = self.file.readinto(raw[done:])
                if not got:
                    raise OSError("it is shorter than written")
                done += got
        except OSError as error:  # the disk, not the input: said so, never a traceback
            raise CsspError(
                "cannot read back the codes met so far from their temporary file "
                f"(in {tempfile.gettempdir()}; TMPDIR sets where): {error}"
            ) from None
        return codes

    def _run(self, batch: Any) -> None:
        np = self.np
        self.runs.append(batch)
        self.kept += len(batch)
        while len(self.runs) > 1 and len(self.runs[-2]) <= 2 * len(self.runs[-1]):
            last = self.runs.pop()
            merged = np.concatenate([self.runs[-1], last])
            merged.sort()  # in place: one copy of the codes while merging, not two
            self.runs[-1] = merged
        if self.spill and 2 * self.kept > self.codes:
            self._write()

    def _write(self) -> None:
        """Write the runs in memory to the temporary file as one sorted run (they stay in
        memory, and the next ones too, when the file cannot be made or written)."""
        np = self.np
        if len(self.runs) > 1:
            merged = np.concatenate(self.runs)
            self.runs = [merged]  # the runs it merges are dropped as it is sorted
            merged.sort()
        run = self.runs[0]
        try:
            if self.file is None:
                self.file = tempfile.TemporaryFile(prefix="cssp-seen-", buffering=0)  # noqa: SIM115
                self._close = weakref.finalize(self, self.file.close)
            self.file.seek(self.written * 8)
            raw = memoryview(run).cast("B")
            done = 0
            while done < len(raw):
                done += self.file.write(raw[done:])
        except OSError:  # a read-only or full temporary directory: kept in memory
            self.spill = False
            if not self.disk:
                self.close()
                self.file = None
            return
        self.disk.append(_Run(self.written, len(run), run[:: self.block].copy(), int(run[-1])))
        self.written += len(run)
        self.runs = []
        self.kept = 0


def _mark(np: Any, run: Any, codes: Any, hit: Any) -> None:
    """Mark (in ``hit``) the codes found in the sorted run."""
    at = np.searchsorted(run, codes)
    inside = at < len(run)
    hit[inside] |= run[at[inside]] == codes[inside]
