"""The columnar engine's Parquet path on Polars (extra ``cssp[polars]``).

:func:`cssp.batch.evaluate_parquet` runs this kernel when Polars is installed
(``kernel="auto"``) and the file and the programs compile; the numpy engine
remains the reference, and evaluates every other input and every file this
kernel refuses. The result is the numpy engine's, to the bit: the same
:class:`~cssp.batch.BatchResult` — codes, targets, verdicts, township totals
(:class:`~cssp.batch.Partial`, exact sums), failing lists — from which the
regions are judged by the one region rule, the numpy engine's.

How: each program's checks (the national plan, and each chain of province
profiles, as :func:`cssp.engine.program.compile_program` compiles them) become
Polars expressions generated from the same declarations the numpy engine reads
(``cssp.batch._polars_rules``): each check's status as one ``when`` chain — out
of scope, each of the measure's tests in order, then
:attr:`Comparator.holds <cssp.model.plan.Comparator.holds>` applied to
expressions. Polars reads, validates and judges; the township totals of each
chunk — the status counts and the exact sums of the fields — are then made by
the numpy engine's own code over the columns Polars computed: one way of
summing, whichever kernel judged.

The file streams in chunks of whole row groups (at most :data:`CHUNK_ROWS`
rows), each read, validated by the table rules, evaluated, its verdicts written
into the result and its totals added in place to the run's. With one program
for every community (no profile of the run's plan) the codes come with each
chunk's columns, and the townships are appended to the totals as they come in
code order; otherwise — profiles, whose programs must be known before the
first chunk, or chunks out of code order — a first pass reads the codes alone.
Either way each code is checked and met once.

A table or program it does not compile — a rule with no declaration, a staffing
rule without a columnar form, a ``kind`` or ``urban_rural_class`` column, a
column of text where numbers belong, a code that is not 12 digits — raises
``Refused``, as does a table that breaks a rule: the numpy engine then
evaluates the file, and names every problem in its words.
"""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Final, TypeVar

import numpy as np
import polars as pl
from numpy.typing import NDArray

from cssp.batch._exact import Summable
from cssp.batch._polars_codes import KEY, Codes, bad_code, raw_codes, unique_keys
from cssp.batch._polars_rules import (
    FLAG_COLUMNS,
    Fields,
    Refused,
    Statistics,
    check_columns,
    columns_read,
    validation,
)
from cssp.batch.columnar import _CODE, ABSENT, MET, NO_DATA, NO_VERDICT, NOT_APPLICABLE, NOT_MET
from cssp.batch.engine import (
    AppendedTotals,
    OutOfOrder,
    Partial,
    RunningTotals,
    _run_starts,
    _same_rule,
    _Totals,
    covered_provinces,
    target_order,
    township_programs,
)
from cssp.batch.frame import VALUE_FIELDS
from cssp.batch.result import BatchResult, _community_targets
from cssp.batch.staffing import _checked_required
from cssp.engine.program import Check, Program, Programs, contained_required_columns
from cssp.errors import CsspError
from cssp.io.readers.parquet import check_schema
from cssp.model.measures import FIELDS, ONE, SCOPE_FLAGS

__all__ = ["CHUNK_ROWS", "Refused", "evaluate"]

#: The rows of a batch of the streamed query, and the most rows read and evaluated at a
#: time otherwise (whole row groups, unless one is larger). With the plan's 32 targets, a
#: national run peaks some 360 MB above the imports at 65,536 (490 MB at 131,072).
CHUNK_ROWS: Final = 65_536
#: Batches summed at once (by numpy, in threads) while Polars streams the next ones.
_SUMMING: Final = 2
STATUS_TYPE: Final = pl.UInt8


def _code(value: int) -> pl.Expr:
    return pl.lit(value, dtype=STATUS_TYPE)


def _f(name: str) -> str:
    """The column a field is computed into."""
    return f"f:{name}"


# --- the checks of a chunk's programs ----------------------------------------------


class _Target:
    """One target compiled for the programs of a chunk: its status, what it sums."""

    def __init__(self, target: str, groups: list[list[tuple[int, Check]]], single: bool) -> None:
        self.id = target
        self.groups = groups
        self.single = single  # one program in the chunk: no program column
        self.checks = [check for group in groups for _, check in group]
        first = groups[0][0][1]
        #: one rule for every program: the declared fields are summed as they are.
        self.declared = len(groups) == 1
        measure = first.measure
        assert measure.numerator is not None
        #: what is summed for the township totals: a field or this target's own
        #: column; ``None`` for a denominator of one (the communities evaluated).
        self.numerator: str = _f(measure.numerator) if self.declared else f"tn:{target}"
        self.denominator: str | None = None
        if not self.declared:
            self.denominator = f"td:{target}"
        elif measure.denominator != ONE:
            self.denominator = _f(measure.denominator)
        self.lacking = any(check.lacking for check in self.checks)

    def condition(self, group: list[tuple[int, Check]]) -> pl.Expr | None:
        if self.single:
            return None
        return pl.col("pre:program").is_in([p for p, _ in group])

    def own_columns(self) -> list[pl.Expr]:
        """Several rules: the numerator and denominator of each row's rule."""
        if self.declared:
            return []
        numerator: Any = pl
        denominator: Any = pl
        for group in self.groups:
            measure = group[0][1].measure
            assert measure.numerator is not None
            where = self.condition(group)
            bottom = pl.lit(1.0) if measure.denominator == ONE else pl.col(_f(measure.denominator))
            numerator = numerator.when(where).then(pl.col(_f(measure.numerator)))
            denominator = denominator.when(where).then(bottom)
        return [
            numerator.otherwise(0.0).alias(f"tn:{self.id}"),
            denominator.otherwise(0.0).alias(f"td:{self.id}"),
        ]

    def status(self, programs: int) -> pl.Expr:
        """The status of each row: each rule's on its programs' rows, ABSENT elsewhere."""
        if self.single:
            return _status(self.groups[0], programs).alias(f"s:{self.id}")
        chain: Any = pl
        for group in self.groups:
            chain = chain.when(self.condition(group)).then(_status(group, programs))
        status: pl.Expr = chain.otherwise(_code(ABSENT))
        return status.alias(f"s:{self.id}")


def _threshold(group: list[tuple[int, Check]], programs: int) -> Any:
    """The threshold of a rule: one number, or each row's program's."""
    if len(group) == 1:
        return group[0][1].threshold
    by_program = [math.nan] * programs
    for p, check in group:
        by_program[p] = check.threshold
    return pl.lit(pl.Series(by_program, dtype=pl.Float64)).gather(pl.col("pre:program"))


def _status(group: list[tuple[int, Check]], programs: int) -> pl.Expr:
    """One rule's status: out of scope, each test in order, then the comparison (as
    :func:`cssp.batch.engine._judge_rows`)."""
    p0, check = group[0]
    measure = check.measure
    chain: Any = pl
    test = SCOPE_FLAGS[check.target.scope]
    if test is not None:
        flag, wanted = test
        chain = chain.when(pl.col(f"flag:{flag}") != wanted).then(_code(NOT_APPLICABLE))
    for guard in measure.tests:
        value = pl.col(_f(guard.field))
        failed = value.is_null() if guard.test == "given" else value == 0
        chain = chain.when(failed).then(_code(_CODE[guard.skip.status]))
    if not check.community:  # counts towards its region, or a direction: no verdict
        if chain is pl:
            return _code(NO_VERDICT)
        verdict: pl.Expr = chain.otherwise(_code(NO_VERDICT))
        return verdict
    assert measure.numerator is not None
    threshold = _threshold(group, programs)
    if check.staffing is not None:
        threshold = pl.col(f"staffing:{p0}")
        chain = chain.when(threshold.is_nan()).then(_code(NO_DATA))
    numerator = pl.col(_f(measure.numerator))
    denominator = pl.lit(1.0) if measure.denominator == ONE else pl.col(_f(measure.denominator))
    holds = check.holds(check.scale * numerator, threshold * denominator)
    status: pl.Expr = chain.when(holds).then(_code(MET)).otherwise(_code(NOT_MET))
    return status


class _Compiled:
    """The checks of a chunk's programs as Polars expressions."""

    def __init__(self, programs: list[Program], targets: tuple[str, ...], fields: Fields) -> None:
        self.programs = programs
        self.fields = fields
        single = len(programs) == 1
        self.targets: list[_Target] = []
        used: dict[str, None] = {}
        #: each rule with a staffing threshold: the program whose rule it is.
        self.staffing: list[int] = []
        for target in targets:
            groups = _same_rule(programs, target)
            for group in groups:
                p0, check = group[0]
                if not check.measure.declared:
                    raise Refused(f"target {target}: a measure with no declaration")
                if check.staffing is not None and check.community and p0 not in self.staffing:
                    self.staffing.append(p0)
                used.update(dict.fromkeys(check.measure.fields()))
            self.targets.append(_Target(target, groups, single))
        #: the fields the checks read, each computed once (:meth:`judged`).
        self.used = tuple(used)
        self._plan: tuple[list[pl.Expr], list[pl.Expr], list[pl.Expr]] | None = None

    def judged(
        self, base: pl.LazyFrame, kept: Sequence[str], passed: Sequence[str] = ()
    ) -> pl.LazyFrame:
        """The chunk's statuses: the code as an integer, the scopes' flags and every field
        the checks read, then each target's status; kept of them, what numpy sums: the
        code, the statuses and the fields summed, with NaN for null (read without a
        copy). ``kept`` columns of ``base`` are read by the checks, ``passed`` ones
        given as they are."""
        if self._plan is None:
            flags = self.fields.scope_flags()
            fields = [
                pl.col("pre:key"),
                *(expression.alias(f"flag:{name}") for name, expression in flags.items()),
                *(self.fields.field(name).alias(_f(name)) for name in self.used),
            ]
            statuses = [target.status(len(self.programs)) for target in self.targets]
            own = [column for target in self.targets for column in target.own_columns()]
            summed = {t.numerator: None for t in self.targets}
            summed.update({t.denominator: None for t in self.targets if t.denominator})
            kept_out = [
                pl.col("pre:key"),
                *(pl.col(f"s:{t.id}") for t in self.targets),
                *(pl.col(c).fill_null(math.nan) for c in summed),
            ]
            self._plan = (fields, [*own, *statuses], kept_out)
        fields, statuses, out = self._plan
        given = [*kept, *passed]
        return base.select([*fields, *given]).with_columns(statuses).select([*out, *passed])

    def thresholds(self, frame: pl.DataFrame) -> list[pl.Series]:
        """Each staffing rule's per-community threshold, from its columnar form
        (:meth:`~cssp.rules.profile.StaffingRule.required_columns`), as the numpy
        engine computes it (:func:`cssp.batch.staffing.staffing_required`)."""
        if not self.staffing:
            return []
        flags = self.fields.scope_flags()
        names = (*VALUE_FIELDS, *flags)
        table = frame.select(
            *(self.fields.column(v).fill_null(math.nan).alias(v) for v in VALUE_FIELDS),
            *(expression.alias(name) for name, expression in flags.items()),
        )
        columns = {name: table.get_column(name).to_numpy() for name in names}
        out = []
        for p in self.staffing:
            columnar = contained_required_columns(self.programs[p].effective)
            if columnar is None:  # pragma: no cover - a staffing check has a rule
                raise Refused("a staffing rule without a rule")
            try:
                vector = columnar(columns)
                if vector is None:
                    raise Refused("a staffing rule with no columnar form")
                required = _checked_required(vector, len(frame), columnar)
            except CsspError as error:  # the numpy engine raises it, in its turn
                raise Refused(str(error)) from None
            out.append(pl.Series(f"staffing:{p}", required, dtype=pl.Float64))
        return out


# --- a run ----------------------------------------------------------------------------


def _chunks(sizes: Sequence[int], most: int) -> Iterator[tuple[int, int]]:
    """The chunks of rows read at a time: consecutive whole row groups of ``sizes``
    rows, at most ``most`` rows (a larger row group is cut) — the first at most half
    as many: nothing runs beside it, while each next one is judged beside the last."""
    start = pending = 0
    limit = max(most // 2, 1)
    for rows in sizes:
        if pending and pending + rows > limit:
            yield start, start + pending
            start, pending, limit = start + pending, 0, most
        pending += rows
        while pending > limit:
            yield start, start + limit
            start, pending, limit = start + limit, pending - limit, most
    if pending:
        yield start, start + pending


def evaluate(
    path: str | os.PathLike[str], programs: Programs, *, chunk_rows: int | None = None
) -> BatchResult:
    """Evaluate a Parquet file in cssp's table format with Polars, as the numpy engine would.

    With one program for every community (no profile of the run's plan) and no
    staffing rule, the file is one query, streamed (:func:`_streamed`): its
    codes are read with the other columns, and the townships met in code order
    are appended to the totals. A file whose batches are not in code order, and
    a run with profiles (whose programs must be known before the first chunk),
    read the codes first, in a pass of their own, then each chunk apart.

    :param programs: the run's programs (plan, year and profiles).
    :param chunk_rows: the most rows read and evaluated at a time (:data:`CHUNK_ROWS`).
    :raises Refused: for what the kernel does not compile, and for a table that
        breaks a rule (the numpy engine then names its problems).
    """
    import pyarrow.parquet as pq  # noqa: PLC0415 - the file's metadata and Arrow schema

    name = os.fspath(path)
    try:
        file = pq.ParquetFile(name)
        metadata = file.metadata
        check_schema(file.schema_arrow, metadata.num_rows, name)
        schema = pl.read_parquet_schema(name)
    except Exception as error:  # the numpy engine says what is wrong
        raise Refused(str(error)) from None
    if "code" not in schema:
        raise Refused("no code column")
    if schema["code"] != pl.String:
        raise Refused("codes that are not text")
    check_columns(schema)
    rows, most = metadata.num_rows, chunk_rows or CHUNK_ROWS
    known = _statistics(metadata, schema)
    national = programs.for_code("")
    if not covered_provinces(programs) and not any(c.staffing for c in national.checks):
        try:
            return _streamed(_Run(name, schema, [national], known), programs, rows, most)
        except OutOfOrder:
            pass  # read the codes first
    sizes = [metadata.row_group(g).num_rows for g in range(metadata.num_row_groups)]
    chunks = list(_chunks(sizes, most))
    codes = Codes(name, rows, chunks)
    town_program, every_program = township_programs(programs, codes.townships)
    run = _Run(name, schema, every_program, known)
    targets = target_order(programs.plan, every_program)
    out = _Collected(programs, targets, codes.keys, codes.raw)
    totals = RunningTotals(codes.townships, targets, codes.largest)

    def judge(bounds: tuple[int, int]) -> _Judged:
        start, stop = bounds
        keys = codes.keys[start:stop]
        program = None  # one program for every row
        if len(every_program) > 1:
            program = town_program[np.searchsorted(codes.townships, keys // 1000)]
        return run.judge(start, stop, keys, program)

    # A plugin's staffing rule is called in the calling thread (where its time limit holds).
    ahead = not any(check.staffing for p in every_program for check in p.checks)
    for (start, stop), judged in zip(chunks, _ahead(judge, chunks, ahead), strict=True):
        chunk = run.totals(judged)
        del judged
        totals.add(chunk.partial)
        out.add(start, stop, chunk)
    return out.result(totals.partial())


def _streamed(run: _Run, programs: Programs, rows: int, chunk_rows: int) -> BatchResult:
    """The file as one query of Polars' streaming engine — read, validated and judged,
    its codes with the rest — whose batches of ``chunk_rows`` numpy sums as they come.

    :raises OutOfOrder: for a batch whose townships come before the last one's.
    :raises Refused: for a broken rule, and a code that is not 12 digits of a known
        province and village digits, or met twice.
    """
    if run.broken:
        raise Refused("a table rule is broken")
    compiled = run.compiled((0,))
    targets = target_order(programs.plan, run.programs)
    base = (
        run.scan.select(["code", *run.read])
        .with_columns(KEY)
        .with_columns(run.fields.shared())
        .with_columns((run.bad | bad_code()).alias("pre:bad"))
    )
    query = compiled.judged(base, [], passed=["code", "pre:bad"])
    out = _Collected(programs, targets, np.empty(rows, np.int64), np.empty(rows, "S12"))
    totals = AppendedTotals(targets, rows)
    start = 0
    summing: deque[tuple[int, int, Future[_Chunk]]] = deque()

    def added() -> None:  # the oldest batch's sums, in file order
        first, last, done = summing.popleft()
        chunk = done.result()
        totals.add(chunk.partial, last)
        out.add(first, last, chunk)

    # Numpy sums two batches at once (outside Python's lock, mostly) beside Polars.
    with ThreadPoolExecutor(_SUMMING, thread_name_prefix="cssp-sums") as pool:
        for wide in query.collect_batches(chunk_size=chunk_rows):
            stop = start + len(wide)
            if stop > rows or wide.get_column("pre:bad").any():
                raise Refused("a table rule is broken")  # the numpy engine names the rows
            keys = wide.get_column("pre:key").to_numpy()
            out.keys[start:stop], out.raw[start:stop] = keys, raw_codes(wide.get_column("code"))
            summing.append((start, stop, pool.submit(run.totals, _Judged(compiled, wide, keys))))
            del wide
            start = stop
            while len(summing) > _SUMMING:
                added()
        while summing:
            added()
    if start != rows:  # pragma: no cover - the file changed under us
        raise Refused("the file's rows changed")
    unique_keys(out.keys)
    return out.result(totals.partial())


class _Collected:
    """A run's result as its chunks come: the verdicts, lacking rows and targets kept."""

    def __init__(
        self,
        programs: Programs,
        targets: tuple[str, ...],
        keys: NDArray[np.int64],
        raw: NDArray[np.bytes_],
    ) -> None:
        self.programs = programs
        self.targets = targets
        #: the codes as integers and as ``S12``, in file order.
        self.keys, self.raw = keys, raw
        self.column = {target: t for t, target in enumerate(targets)}
        self.status = np.full((len(keys), len(targets)), ABSENT, dtype=np.uint8)
        self.lacking: dict[str, NDArray[np.bool_]] = {}
        self.community_targets: dict[int, Any] = {}

    def add(self, start: int, stop: int, chunk: _Chunk) -> None:
        """Rows ``start`` to ``stop``'s verdicts and lacking rows."""
        for target, statuses in chunk.statuses.items():
            self.status[start:stop, self.column[target]] = statuses
        for target, lack in chunk.lacking.items():
            if target not in self.lacking:
                self.lacking[target] = np.zeros(len(self.keys), dtype=bool)
            self.lacking[target][start:stop] = lack
        for kept in _community_targets(chunk.programs):
            self.community_targets.setdefault(id(kept), kept)

    def result(self, partial: Partial) -> BatchResult:
        """The run's result, with its township totals."""
        result = BatchResult(self.programs, self.raw, self.targets, self.status, partial)
        result.community_targets = tuple(self.community_targets.values())
        result.lacking = self.lacking
        result.kernel = "polars"
        return result


def _statistics(metadata: Any, schema: Mapping[str, pl.DataType]) -> Statistics:
    """Each number column's least and greatest values, from the row groups' statistics:
    for the columns whose every row group gives them, as numbers (signed integers and
    floats, whose statistics are their exact values; a NaN among them is not taken)."""
    found: dict[str, tuple[float, float]] = {}
    lost: set[str] = set()
    for g in range(metadata.num_row_groups):
        group = metadata.row_group(g)
        for i in range(group.num_columns):
            chunk = group.column(i)
            name = chunk.path_in_schema
            kind = schema.get(name)
            stats = chunk.statistics
            if (
                kind is None
                or not (kind.is_float() or kind.is_signed_integer())
                or chunk.physical_type not in ("INT32", "INT64", "FLOAT", "DOUBLE")
                or stats is None
                or not stats.has_min_max
                or math.isnan(stats.min)
                or math.isnan(stats.max)
            ):
                lost.add(name)
                continue
            least, most = found.get(name, (stats.min, stats.max))
            found[name] = (min(least, stats.min), max(most, stats.max))
    return {name: ends for name, ends in found.items() if name not in lost}


_T = TypeVar("_T")
_R = TypeVar("_R")


def _ahead(work: Callable[[_T], _R], items: Sequence[_T], ahead: bool) -> Iterator[_R]:
    """``work(item)`` for each item in order — with ``ahead``, each next one done in a
    helper thread while the caller uses the last: Polars judges the next chunk (outside
    Python's lock) while numpy sums this one's totals. Two chunks are then in memory."""
    if not ahead or len(items) < 2:
        for item in items:
            yield work(item)
        return
    with ThreadPoolExecutor(1, thread_name_prefix="cssp-polars") as pool:
        pending = pool.submit(work, items[0])
        try:
            for item in items[1:]:
                done = pending.result()
                pending = pool.submit(work, item)
                yield done
            yield pending.result()
        finally:
            pending.cancel()


class _Chunk:
    """What a chunk gives: its programs, verdicts, lacking rows and township totals."""

    def __init__(
        self,
        programs: list[Program],
        statuses: dict[str, NDArray[np.uint8]],
        lacking: dict[str, NDArray[np.bool_]],
        partial: Partial,
    ) -> None:
        self.programs = programs
        self.statuses = statuses
        self.lacking = lacking
        self.partial = partial


class _Run:
    """The chunks of one file: read, validated and evaluated."""

    def __init__(
        self,
        name: str,
        schema: Mapping[str, pl.DataType],
        programs: list[Program],
        known: Statistics,
    ) -> None:
        self.scan = pl.scan_parquet(name)
        used: set[str] = set()
        for program in programs:
            for check in program.checks:
                used.update(check.measure.fields())
                scope = SCOPE_FLAGS[check.target.scope]
                used.update(() if scope is None else scope[:1])
                if check.staffing is not None:  # the rule's columnar form reads these
                    used.update((*VALUE_FIELDS, *FLAG_COLUMNS))
        #: the columns read (the codes are read first, apart); the others' rules are
        #: decided by their types and statistics.
        self.read = columns_read(schema, used, known)
        self.schema = {c: schema[c] for c in self.read}
        self.fields = Fields(self.schema)
        #: true for a row that breaks a table rule; whether the statistics of a column
        #: not read break one
        self.bad, self.broken = validation(
            {c: t for c, t in schema.items() if c not in ("code", "name")}, self.read, known
        )
        self.programs = programs
        self._compiled: dict[tuple[int, ...], _Compiled] = {}

    def compiled(self, used: tuple[int, ...]) -> _Compiled:
        """The programs of indices ``used`` (into the run's), compiled (once)."""
        found = self._compiled.get(used)
        if found is None:
            chosen = [self.programs[p] for p in used]
            targets = target_order(chosen[0].plan, chosen)
            found = self._compiled[used] = _Compiled(chosen, targets, self.fields)
        return found

    def judge(
        self, start: int, stop: int, keys: NDArray[np.int64], rows: NDArray[np.intp] | None
    ) -> _Judged:
        """Rows ``start`` to ``stop`` read, validated and judged by Polars: ``keys`` their
        codes, ``rows`` their programs (``None``: the run's one program).

        :raises Refused: for a broken rule.
        """
        if self.broken:
            raise Refused("a table rule is broken")
        used, program = (np.zeros(1, dtype=np.intp), None)
        if rows is not None:
            used, program = np.unique(rows, return_inverse=True)
        compiled = self.compiled(tuple(used.tolist()))
        columns = [pl.Series("pre:key", keys)]
        if program is not None and len(used) > 1:
            columns.append(pl.Series("pre:program", program.astype(np.int32)))
        if self.read:
            frame = self.scan.slice(start, stop - start).select(self.read).collect()
            if len(frame) != stop - start:  # pragma: no cover - the file changed under us
                raise Refused("the file's rows changed")
            base = frame.lazy().with_columns(columns)
        else:  # the columns given are the frame
            base = pl.LazyFrame(columns)
        base = base.with_columns(self.fields.shared())
        if compiled.staffing:  # the rules' columnar forms are given numpy columns
            frame = base.collect()
            base = frame.with_columns(compiled.thresholds(frame)).lazy()
            del frame
        kept = [c for c in base.collect_schema() if c.startswith(("pre:program", "staffing:"))]
        wide, bad = pl.collect_all([compiled.judged(base, kept), base.select(self.bad.any())])
        if bad.item():
            raise Refused("a table rule is broken")  # the numpy engine names the rows
        return _Judged(compiled, wide, keys)

    def totals(self, judged: _Judged) -> _Chunk:
        """The chunk's verdicts, lacking rows and township totals — the totals by the
        numpy engine's own code (:class:`~cssp.batch.engine._Totals`: exact sums of
        the fields as :class:`~cssp.batch._exact.Summable` prepares them, once each)."""
        compiled, wide, keys = judged.compiled, judged.wide, judged.keys
        ids = tuple(t.id for t in compiled.targets)
        statuses = {t: wide.get_column(f"s:{t}").to_numpy() for t in ids}
        values: dict[str, NDArray[np.float64]] = {}

        def column(name: str) -> NDArray[np.float64]:
            found = values.get(name)
            if found is None:
                found = values[name] = wide.get_column(name).to_numpy()  # null: NaN
            return found

        lacking = {}
        for target in compiled.targets:
            if target.lacking:
                none = column(target.numerator) == 0
                lacking[target.id] = (statuses[target.id] == NO_VERDICT) & none
        order: NDArray[np.intp] | None = None
        if len(keys) > 1 and not bool((keys[1:] > keys[:-1]).all()):
            order = np.argsort(keys, kind="stable")
            keys = keys[order]
        towns = keys // 1000
        starts = _run_starts(towns)
        # the most values a township's sum adds here
        largest = int(np.diff(np.r_[starts, len(towns)]).max()) if len(towns) else 0
        totals = _Totals(towns, starts, len(ids))
        summable: dict[str, Summable] = {}

        def summed(name: str, whole: bool) -> Summable | NDArray[np.float64]:
            if not whole and name.startswith(("tn:", "td:")):
                return _ordered(column(name), order)  # several rules: each row's own
            found = summable.get(name)
            if found is None:
                values = _ordered(column(name), order)
                found = summable[name] = Summable(values, whole=whole, group_rows=largest)
            return found

        for t, target in enumerate(compiled.targets):
            numerator = summed(target.numerator, _whole(target.numerator))
            denominator = None
            if target.denominator is not None:
                denominator = summed(target.denominator, _whole(target.denominator))
            totals.add(t, _ordered(statuses[target.id], order), numerator, denominator)
        return _Chunk(compiled.programs, statuses, lacking, totals.partial(ids))


class _Judged:
    """A chunk judged by Polars: its compiled checks, its fields and statuses, and its
    codes as integers."""

    def __init__(self, compiled: _Compiled, wide: pl.DataFrame, keys: NDArray[np.int64]) -> None:
        self.compiled = compiled
        self.wide = wide
        self.keys = keys


def _ordered(values: NDArray[Any], order: NDArray[np.intp] | None) -> NDArray[Any]:
    return values if order is None else values[order]


def _whole(column: str) -> bool:
    """Whether a field summed holds whole numbers (a count the table's rules checked)."""
    info = FIELDS.get(column[2:]) if column.startswith("f:") else None
    return info is not None and info.whole
