"""The columnar batch engine: a whole province or the nation at once (extra ``cssp[batch]``).

It evaluates columns — a mapping of arrays, a pandas DataFrame, a pyarrow
Table or a Parquet file in cssp's table format — against the targets in force
for each community (province profiles included), and gives one small integer
per community × target plus exact region figures at township, county,
prefecture, province and nation level. Its verdicts and figures are those of
:func:`cssp.evaluate` and :func:`cssp.evaluate_region`, to the bit.

>>> import cssp, cssp.batch
>>> table = {
...     "code": ["440106001001", "440106001002"],
...     "households": [1700, 2000],
...     "facility_floor_area": [510.0, 480.0],
... }
>>> result = cssp.batch.evaluate_columns(table, profiles=())
>>> result.status_of(0)["facility_area_per_100_households"]
<Status.MET: 'met'>
>>> county = result.regions("county")
>>> float(county.observed[0, county.targets.index("facility_area_per_100_households")])
26.756756756756758

Status codes: :data:`MET` 0, :data:`NOT_MET` 1, :data:`NOT_APPLICABLE` 2,
:data:`NO_DATA` 3, :data:`NO_VERDICT` 4 (measured without a verdict: a
community's contribution to a target judged for regions only, or a
direction's figure), and :data:`ABSENT` 255 where a target is not in force
for the community (a province's own indicator, elsewhere).
"""

from __future__ import annotations

import functools
import itertools
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Final, TypeVar

try:
    import numpy as np
except ImportError as error:  # pragma: no cover - exercised without numpy
    from cssp.errors import CsspError

    raise CsspError(
        "the batch engine needs numpy (and pyarrow for Parquet): pip install 'cssp[batch]'"
    ) from error

from numpy.typing import NDArray

from cssp.batch.columnar import ABSENT, MET, NO_DATA, NO_VERDICT, NOT_APPLICABLE, NOT_MET
from cssp.batch.engine import (
    Partial,
    RunningTotals,
    evaluate_partial,
    target_order,
    township_programs,
)
from cssp.batch.frame import Frame, code_keys, in_table_format, parsed_codes, sorted_order
from cssp.batch.regions import RegionTable
from cssp.batch.result import STATUSES, BatchResult, Totals, _community_targets, _programs
from cssp.batch.stream import StreamRun
from cssp.batch.townships import township_partial
from cssp.engine.program import Programs
from cssp.errors import InputError
from cssp.io.readers.parquet import check_schema
from cssp.model.township import Township, check_distinct_townships

if TYPE_CHECKING:
    from cssp.model.community import Community
    from cssp.model.plan import Plan, Target
    from cssp.rules.profile import Profile
    from cssp.rules.resolve import ProfileSet

__all__ = [
    "ABSENT",
    "MET",
    "NOT_APPLICABLE",
    "NOT_MET",
    "NO_DATA",
    "NO_VERDICT",
    "STATUSES",
    "BatchResult",
    "Partial",
    "RegionTable",
    "Totals",
    "evaluate_columns",
    "evaluate_communities",
    "evaluate_parquet",
]


def _with_townships(result: BatchResult, townships: Iterable[Township]) -> BatchResult:
    """Add township records' totals to a run: the township-level targets' regions."""
    records = sorted(check_distinct_townships(townships), key=lambda t: t.code)
    if not records:
        return result
    partial, raws = township_partial(result.programs, records)
    result.partial = Partial.merge([result.partial, partial])
    result.townships = tuple(records)
    result.township_raws = raws
    return result


def _run(frame: Frame, programs: Programs) -> BatchResult:
    targets, status, partial, used, lacking = evaluate_partial(frame, programs)
    in_input_order = np.empty_like(status)
    in_input_order[frame.order] = status
    codes = np.empty(frame.size, dtype="S12")
    codes[frame.order] = frame.codes
    result = BatchResult(programs, codes, targets, in_input_order, partial)
    result.community_targets = _community_targets(used)
    for target, rows in lacking.items():
        ordered = np.empty_like(rows)
        ordered[frame.order] = rows
        result.lacking[target] = ordered
    return result


def evaluate_columns(
    table: object,
    plan: str | Plan = "fyp14",
    year: int | None = None,
    *,
    profiles: ProfileSet | Iterable[Profile] | None = None,
    townships: Iterable[Township] = (),
) -> BatchResult:
    """Evaluate a table of communities in cssp's table format.

    :param table: a mapping of column name to array (NumPy arrays, lists), a
        pandas DataFrame or a pyarrow Table: the columns of
        :data:`cssp.io.readers.COLUMNS` (numbers in their canonical units, NaN
        or null for "not given"), one yes/no column per
        :class:`~cssp.model.community.Service` named by its value, and
        ``extra.NAME`` columns.
    :param plan: a plan id or plan.
    :param year: the year; defaults to the plan's target year.
    :param profiles: as for :func:`cssp.evaluate`.
    :param townships: township records (:class:`cssp.Township`), for the
        township-level targets; without them those targets are left out.
    :raises cssp.InputError: naming every bad row and column (``rows[12].households``).
    """
    programs = _programs(plan, year, profiles)
    return _with_townships(_run(Frame.from_columns(table), programs), townships)


def evaluate_communities(
    communities: Iterable[Community],
    plan: str | Plan = "fyp14",
    year: int | None = None,
    *,
    profiles: ProfileSet | Iterable[Profile] | None = None,
    townships: Iterable[Township] = (),
) -> BatchResult:
    """Evaluate :class:`~cssp.model.community.Community` objects with the batch engine.

    :param townships: township records, as for :func:`evaluate_columns`.
    :raises cssp.InputError: if an item is not a Community, or two share a code.
    """
    programs = _programs(plan, year, profiles)
    return _with_townships(_run(Frame.from_communities(communities), programs), townships)


# What a Parquet batch gives: its totals, its programs, the rows without the
# thing of each coverage target not judged per community, and its rows in the file.
_Evaluated = tuple["Partial", Any, "dict[str, NDArray[np.bool_]]", "NDArray[np.intp]"]

#: Rows evaluated at a time, at most (a batch does not span a file's row groups).
BATCH_ROWS: Final = 32_768
#: Threads that evaluate a Parquet file's batches by default (see
#: :func:`evaluate_parquet`'s ``workers``).
WORKERS: Final = 1
#: The kernels :func:`evaluate_parquet` can evaluate a file with.
KERNELS: Final = ("auto", "numpy", "polars")


def evaluate_parquet(
    path: str | os.PathLike[str],
    plan: str | Plan = "fyp14",
    year: int | None = None,
    *,
    profiles: ProfileSet | Iterable[Profile] | None = None,
    batch_rows: int = BATCH_ROWS,
    townships: Iterable[Township] = (),
    workers: int | None = None,
    kernel: str = "numpy",
) -> BatchResult:
    """Evaluate a Parquet file in cssp's table format, streaming it in batches of rows.

    Memory grows with the verdicts (one byte per community and target, and
    the community's 12-byte code) and the township totals, not with the file.
    A first pass reads the codes alone, so that the verdicts and the township
    totals are allocated once at their final size; then the rows are decoded
    ``batch_rows`` at a time (not a row group at a time: a file written with
    Arrow's defaults holds up to a million rows in one), each batch evaluated,
    added in place and dropped.

    A file whose columns are not cssp's table format
    (:func:`cssp.batch.frame.in_table_format`: Chinese headers, place names
    instead of codes), and a file the direct reading refuses, are read as the
    default engine reads them (:class:`cssp.io.readers.stream.InputStream`, a
    batch at a time): both engines then accept and refuse the same files, with
    the same messages, every problem of every row listed. What that reading
    says (warnings, approximate values) is the result's
    :attr:`~BatchResult.notes`.

    :param batch_rows: rows evaluated at a time.
    :param workers: threads evaluating a row group's batches at once
        (:data:`WORKERS` by default, never more than the processors). numpy
        and Arrow work outside Python's lock, so more threads can share the
        work on an idle machine with several cores; a row group is then
        decoded whole, for the threads to share. The result is the same.
    :param townships: township records, as for :func:`evaluate_columns`.
    :param kernel: ``"numpy"`` (the default): the reference kernel, always;
        ``"polars"``: Polars, required (extra ``cssp[polars]``); ``"auto"``:
        Polars when it is installed, else numpy. Both give the same result to
        the bit (the same verdicts, the same exact township totals, the same
        errors: a file Polars does not compile, or one with a bad row, is
        evaluated by numpy, which names the problems);
        :attr:`BatchResult.kernel` says which ran. The Polars kernel is about
        twice as fast on a national file, but its memory has a large constant
        (some 360 MB on the nation with the whole plan: Polars' streaming
        engine and allocator), where the numpy kernel's grows by some 200 bytes
        a community; it streams the file in Polars' threads
        (:mod:`cssp.batch.on_polars`), and ignores ``batch_rows`` and
        ``workers``.
    :raises cssp.InputError: for bad rows (located by their row numbers in
        the file, ``data.parquet: row 13, column households``, as the default
        engine locates them), a code that appears twice anywhere in the file,
        a file that is not Parquet, what its schema says
        (:func:`cssp.io.readers.parquet.check_schema`: a column named twice,
        no rows, booleans where numbers belong), a community without a
        12-digit code (placed by the names of its divisions), which the batch
        engine cannot place, or (naming ``kernel``) an unknown kernel, or
        ``"polars"`` without Polars installed.
    """
    if kernel not in KERNELS:
        raise InputError(
            f"{kernel!r} is not a kernel; expected one of {', '.join(KERNELS)}", "kernel"
        )
    if batch_rows < 1:
        raise InputError(f"must be a positive number of rows, not {batch_rows!r}", "batch_rows")
    if workers is None:
        workers = min(WORKERS, os.cpu_count() or 1)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError(f"must be a positive number of threads, not {workers!r}", "workers")
    on_polars = _polars_kernel(kernel)
    if in_table_format(_column_names(path)):
        if on_polars is not None:
            found = _by_polars(on_polars, path, plan, year, profiles, townships)
            if found is not None:
                return found
        try:
            return _evaluate_parquet(
                path,
                plan,
                year,
                profiles=profiles,
                batch_rows=batch_rows,
                townships=townships,
                workers=workers,
            )
        except InputError:
            pass  # read again as the default engine reads it: every problem, in its words
    return _by_rows(path, plan, year, profiles, batch_rows, townships)


def _polars_kernel(kernel: str) -> Any:
    """The Polars kernel's module (:mod:`cssp.batch.on_polars`), or ``None`` for numpy.

    :raises InputError: for ``"polars"`` when Polars cannot be imported.
    """
    if kernel == "numpy":
        return None
    try:
        from cssp.batch import on_polars  # noqa: PLC0415 - an optional dependency
    except ImportError as error:
        if kernel == "polars":
            raise InputError(
                f"the Polars kernel needs polars ({error}): pip install 'cssp[polars]'", "kernel"
            ) from None
        return None
    return on_polars


def _by_polars(
    on_polars: Any,
    path: str | os.PathLike[str],
    plan: str | Plan,
    year: int | None,
    profiles: ProfileSet | Iterable[Profile] | None,
    townships: Iterable[Township],
) -> BatchResult | None:
    """A Parquet file evaluated by the Polars kernel; ``None`` when it refuses the file
    (the numpy engine then evaluates it, and names what is wrong)."""
    import polars as pl  # noqa: PLC0415 - imported already by the kernel

    try:
        programs = _programs(plan, year, profiles)
    except InputError:
        return None  # the numpy engine raises it
    try:
        result: BatchResult = on_polars.evaluate(path, programs)
    except (on_polars.Refused, pl.exceptions.PolarsError):
        return None
    return _with_townships(result, townships)


def _by_rows(
    path: str | os.PathLike[str],
    plan: str | Plan,
    year: int | None,
    profiles: ProfileSet | Iterable[Profile] | None,
    batch_rows: int,
    townships: Iterable[Township],
) -> BatchResult:
    """A Parquet file read as the default engine reads it, a batch at a time, and
    evaluated by the columnar engine (:func:`evaluate_parquet`'s other way)."""
    from cssp.io.readers.stream import InputStream  # noqa: PLC0415

    stream = InputStream(path, format="parquet", batch_rows=batch_rows)
    run = StreamRun(plan, year, profiles=profiles)
    batches = iter(stream)
    for batch in batches:
        if any(community.placed_by_name for community in batch):
            for _ in batches:  # the input's own problems, if any, come first
                pass
            raise InputError(
                "a community has no 12-digit code (it is placed by the names of its "
                "divisions), which the batch engine needs: read it with "
                "cssp.io.read_input and evaluate it with cssp.evaluate_region",
                os.fspath(path),
            )
        run.add(batch)
    result = _with_townships(run.result(), townships)
    result.notes = stream.notes
    return result


def _column_names(path: str | os.PathLike[str]) -> list[str]:
    """The names of a Parquet file's columns, in order (none if it cannot be read)."""
    try:
        import pyarrow.parquet as pq  # noqa: PLC0415 - only for a Parquet file

        return list(pq.read_schema(path).names)
    except Exception:
        return []


def _evaluate_parquet(
    path: str | os.PathLike[str],
    plan: str | Plan,
    year: int | None,
    *,
    profiles: ProfileSet | Iterable[Profile] | None,
    batch_rows: int,
    townships: Iterable[Township],
    workers: int,
) -> BatchResult:
    programs = _programs(plan, year, profiles)
    source = _Parquet(path)
    codes, good, township_keys, largest, twice = source.codes(workers)
    targets = target_order(programs.plan, township_programs(programs, township_keys)[1])
    column = {target: t for t, target in enumerate(targets)}
    status = np.full((len(codes), len(targets)), ABSENT, dtype=np.uint8)

    totals = RunningTotals(township_keys, targets, largest)
    community_targets: dict[int, Target] = {}
    lacking: dict[str, NDArray[np.bool_]] = {}

    def evaluate_batch(batch: Any, row: int) -> _Evaluated:
        """Evaluate the rows from ``row`` on, writing their verdicts; return their totals."""
        end = row + batch.num_rows
        parsed = parsed_codes(codes[row:end]) if good else None
        frame = Frame.from_columns(batch, first_row=row, codes=parsed)
        del batch
        batch_targets, batch_status, partial, used, batch_lacking = evaluate_partial(
            frame, programs
        )
        rows = row + frame.order
        if frame.in_order and batch_targets == targets:
            status[row:end] = batch_status
        else:
            for k, target in enumerate(batch_targets):
                status[rows, column[target]] = batch_status[:, k]
        return partial, used, batch_lacking, rows

    for group in range(source.groups):
        first = source.first_rows[group]
        # With every code good, the row group is read without them: the codes
        # read first are parsed again (cheaply) instead of decoded again.
        evaluated: Iterator[_Evaluated]
        if workers == 1:  # a batch decoded at a time: memory holds one batch's columns
            evaluated = (
                evaluate_batch(batch, row)
                for batch, row in source.batches(group, batch_rows, codes=not good)
            )
        else:  # the row group decoded at once, its batches shared by the threads
            table = source.read(group, codes=not good, threads=True)
            evaluated = _in_order(
                functools.partial(_slice_of, evaluate_batch, table, first, batch_rows),
                -(-table.num_rows // batch_rows),
                workers,
            )
            del table
        for partial, used, batch_lacking, rows in evaluated:
            totals.add(partial)
            for kept in _community_targets(used):
                community_targets.setdefault(id(kept), kept)
            for target, lack in batch_lacking.items():
                if target not in lacking:
                    lacking[target] = np.zeros(len(codes), dtype=bool)
                lacking[target][rows] = lack
        del evaluated
        source.release()
    if twice is not None:
        raise twice
    result = BatchResult(programs, codes, targets, status, totals.partial())
    result.community_targets = tuple(community_targets.values())
    result.lacking = lacking
    return _with_townships(result, townships)


_T = TypeVar("_T")


def _slice_of(
    evaluate: Callable[[Any, int], _T], table: Any, first: int, batch_rows: int, i: int
) -> _T:
    """``evaluate`` on batch ``i`` of a row group (``table``, the file's rows from ``first``)."""
    return evaluate(table.slice(i * batch_rows, batch_rows), first + i * batch_rows)


def _in_order(work: Callable[[int], _T], count: int, workers: int) -> Iterator[_T]:
    """``work(0)``, ``work(1)`` … ``work(count - 1)``, in that order, ``workers`` at a time.

    Items go in waves: the calling thread does the first of each wave, ``workers
    - 1`` helper threads the others (each thread that allocates adds an arena
    to the C allocator's, so the caller works too). An error is raised when
    its item's turn comes: the first bad item in order is the one named, as in
    one thread.
    """
    if workers == 1 or count <= 1:
        for item in range(count):
            yield work(item)
        return
    with ThreadPoolExecutor(workers - 1, thread_name_prefix="cssp") as pool:
        for first in range(0, count, workers):
            helped = [pool.submit(work, i) for i in range(first + 1, min(first + workers, count))]
            try:
                yield work(first)
                for future in helped:
                    yield future.result()
            finally:
                for future in helped:
                    future.cancel()


_POOL_LOCK: Final = threading.Lock()


class _Parquet:
    """A Parquet file read one row group at a time (Arrow decodes a whole group at once)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        try:
            import pyarrow.parquet as pq  # noqa: PLC0415 - only for a Parquet file
        except ImportError as error:  # pragma: no cover
            raise InputError(
                "reading Parquet needs pyarrow: pip install 'cssp[batch]'", "path"
            ) from error
        self.name = os.fspath(path)
        self.pq = pq
        import pyarrow as pa  # noqa: PLC0415

        self.pa = pa
        try:
            self.file = self._open()
        except (OSError, ValueError) as error:
            raise InputError(f"cannot read {self.name!r} as Parquet: {error}", "path") from None
        self._local = threading.local()
        metadata = self.file.metadata
        check_schema(self.file.schema_arrow, metadata.num_rows, self.name)  # as the reader does
        #: the number of row groups, and the file's row at which each starts.
        self.groups = metadata.num_row_groups
        sizes = [metadata.row_group(g).num_rows for g in range(self.groups)]
        self.first_rows = [0, *itertools.accumulate(sizes)][: self.groups]

    def _open(self) -> Any:
        """A reader of the file that allocates with the system allocator.

        Arrow's own allocator (mimalloc, by default) keeps what it frees for
        Arrow, where numpy cannot reuse it: each decoded row group would add
        to the run's memory. A reader takes the pool in force when it is made,
        so the system's is put in force for that moment (under a lock).
        """
        import pyarrow as pa  # noqa: PLC0415 - only for a Parquet file

        with _POOL_LOCK:
            previous = pa.default_memory_pool()
            pa.set_memory_pool(pa.system_memory_pool())
            try:
                return self.pq.ParquetFile(self.name)
            finally:
                pa.set_memory_pool(previous)

    def release(self) -> None:
        """Have Arrow's default allocator give back what it holds unused.

        The reader decodes into the system allocator's memory, but Arrow still
        reads each column chunk's compressed bytes with its default allocator
        (mimalloc, in the pyarrow wheels), which keeps what it frees: once a
        row group, that memory is given back, so that it does not add up.
        """
        self.pa.default_memory_pool().release_unused()

    def _reader(self) -> Any:
        """This thread's reader: Arrow's Parquet reader is not made to be shared by threads."""
        reader = getattr(self._local, "file", None)
        if reader is None:
            reader = self._local.file = self._open()
        return reader

    def _group(self, group: int, columns: list[str] | None = None, threads: bool = False) -> Any:
        reader = self._reader()
        try:
            return reader.read_row_group(group, columns=columns, use_threads=threads)
        except (OSError, ValueError) as error:
            raise InputError(
                f"cannot read row group {group} of {self.name!r}: {error}", "path"
            ) from None

    def codes(
        self, workers: int
    ) -> tuple[NDArray[np.bytes_], bool, NDArray[np.int64], int, InputError | None]:
        """The codes in file order, whether every one is good, the townships
        (sorted 9-digit keys), the most communities a township has, and a code
        met twice.

        Codes the batches will reject are read as 0 here; the batch that
        holds them names them. A code met twice is returned, not raised, so
        that a bad row is named first, as a single run would.
        """
        if "code" not in self.file.schema_arrow.names:
            raise InputError("the table has no code column", "code")
        n = self.file.metadata.num_rows
        codes = np.empty(n, dtype="S12")
        keys = np.empty(n, dtype=np.int64)

        def read(group: int) -> bool:
            row = self.first_rows[group]
            column = self._group(group, ["code"]).column("code")
            group_keys, _, raw, clean = code_keys(column, first_row=row)
            codes[row : row + len(raw)] = raw
            keys[row : row + len(raw)] = group_keys
            return clean

        good = all(list(_in_order(read, self.groups, workers)))
        self.release()
        twice = None
        if n > 1 and (keys[1:] > keys[:-1]).all():
            townships = keys // 1000  # in code order already: no sort
        else:
            try:
                order = sorted_order(keys, "rows", "code")
            except InputError as error:
                twice, order = error, np.argsort(keys, kind="stable")
            townships = keys[order] // 1000
            del order
        starts = np.flatnonzero(np.r_[True, townships[1:] != townships[:-1]]) if n else keys[:0]
        largest = int(np.diff(np.r_[starts, n]).max()) if n else 0
        return codes, good, townships[starts], largest, twice

    def batches(
        self, group: int, batch_rows: int, *, codes: bool = True
    ) -> Iterator[tuple[Any, int]]:
        """Row group ``group`` decoded ``batch_rows`` rows at a time (without the code column
        unless ``codes``), with the file's row at which each batch starts."""
        reader = self._reader()
        names = None if codes else [n for n in self.file.schema_arrow.names if n != "code"]
        row = self.first_rows[group]
        try:
            for batch in reader.iter_batches(
                batch_rows, row_groups=[group], columns=names, use_threads=False
            ):
                yield batch, row
                self.release()
                row += batch.num_rows
        except (OSError, ValueError) as error:
            raise InputError(
                f"cannot read row group {group} of {self.name!r}: {error}", "path"
            ) from None

    def read(self, group: int, *, codes: bool = True, threads: bool = False) -> Any:
        """Row group ``group``, decoded (without the code column unless ``codes``; the
        columns in Arrow's threads if ``threads``)."""
        names = None if codes else [n for n in self.file.schema_arrow.names if n != "code"]
        return self._group(group, names, threads)
