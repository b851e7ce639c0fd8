"""``cssp evaluate``'s engines and outputs: the engine chosen for the input and the format,
the input read in batches through the columnar engine, the outputs written as they come
(json-compact, jsonl, region JSON a region at a time), ``--members`` and ``--fail-on``.

:mod:`cssp.cli` dispatches ``cssp evaluate`` with these; the command's other parts are
in :mod:`cssp.commands`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from cssp.commands import BINARY_FORMATS, binary_report, emit_binary, emit_text, tell_notes

if TYPE_CHECKING:
    from cssp.engine.results import RegionReport
    from cssp.report import ReportSource

__all__ = [
    "MEMBERS",
    "REGION_FORMATS",
    "STREAMED_FORMATS",
    "STREAM_BYTES",
    "WORST",
    "NeedsScalar",
    "choose_engine",
    "colour",
    "emit_compact",
    "emit_written",
    "evaluate_parquet_file",
    "evaluate_streamed",
    "fail_on",
    "members",
    "parquet_alone",
    "render",
    "streamed",
    "worst",
]


# --- cssp evaluate, streamed ------------------------------------------------------------

#: Formats written a community at a time, as the input is read.
STREAMED_FORMATS = ("json-compact", "jsonl")
#: Formats of regions alone that the columnar engine writes (with ``json``, --no-communities).
REGION_FORMATS = ("text", "markdown", "html", "xlsx", "parquet")
#: Formats of regions for people to read: they list the worst communities (``--worst``).
READ_FORMATS = ("text", "markdown", "html")
#: Inputs of at least this many bytes go to the columnar engine when it can write the format.
STREAM_BYTES = 4 << 20
#: Communities listed per region (and per region finding failing) by default: ``--members``.
MEMBERS = 100
#: The worst communities a streamed text, Markdown or HTML report lists by default: ``--worst``.
WORST = 100


def members(text: str) -> int | None:
    """``--members``: a number of communities, or ``all`` (``None``)."""
    if text == "all":
        return None
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number or 'all', not {text!r}")
    return value


def worst(text: str) -> int:
    """``--worst``: how many of the worst communities a streamed report lists (0: none)."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number of communities, not {text!r}")
    return value


def fail_on(
    args: argparse.Namespace, report: RegionReport | None, failing: int, err: TextIO
) -> int:
    """``--fail-on unmet``: 1 when a region or community finding is not met."""
    import cssp  # noqa: PLC0415

    if args.fail_on != "unmet":
        return 0
    unmet = failing > 0
    if report is not None:
        unmet = unmet or any(f.status is cssp.Status.NOT_MET for r in report.regions for f in r)
        unmet = unmet or any(a.failing for a in report.assessments)
        unmet = unmet or any(t.failing for t in report.townships)
    if unmet:
        if not args.quiet:
            err.write("cssp: some targets are not met (--fail-on unmet)\n")
        return 1
    return 0


def parquet_alone(args: argparse.Namespace) -> bool:
    """One Parquet file in cssp's table format, to regions: the columnar engine reads it whole.

    A Parquet file with other columns (Chinese headers, place names) is streamed as any
    other file is, so that it is read as the default engine reads it.
    """
    return (
        len(args.files) == 1
        and args.files[0].lower().endswith((".parquet", ".pq"))
        and not (args.skip_invalid or args.strict_codes or args.columns or args.input_format)
        and args.format not in STREAMED_FORMATS
        and _in_table_format(args.files[0])
    )


def _in_table_format(path: str) -> bool:
    try:
        import pyarrow.parquet as pq  # noqa: PLC0415 - only for a Parquet file

        from cssp.batch.frame import in_table_format  # noqa: PLC0415 - needs numpy

        return in_table_format(pq.read_schema(path).names)
    except Exception:  # no pyarrow or numpy, not a Parquet file: the stream says why
        return False


def evaluate_parquet_file(
    args: argparse.Namespace, profiles: Any, err: TextIO, townships: Sequence[Any] = ()
) -> RegionReport:
    """One Parquet file in cssp's table format, read whole by the columnar engine."""
    from cssp.errors import InputError  # noqa: PLC0415

    if args.format not in ("json", *REGION_FORMATS):
        raise InputError(
            f"--engine batch writes regions only: use --format json, text, markdown, html, "
            f"xlsx or parquet, not {args.format}",
            "--format",
        )
    import cssp.batch  # noqa: PLC0415 - without numpy: a CsspError naming the extra

    result = cssp.batch.evaluate_parquet(
        args.files[0], args.plan, args.year, profiles=profiles, townships=townships
    )
    members = not args.no_members and args.members != 0
    report = result.report(args.by, members=members)
    import attrs  # noqa: PLC0415

    if result.notes:  # read as the default engine reads it: what reading said
        tell_notes(result.notes, err, args)
        report = attrs.evolve(report, input=result.notes)
    rows = result.worst_rows(args.worst if args.format in READ_FORMATS else 0)
    if len(rows) and report.summary is not None:
        worst = _worst_of_parquet(args.files[0], result, rows)
        report = attrs.evolve(report, summary=attrs.evolve(report.summary, worst=worst))
    return report.with_members(args.members) if members and args.members is not None else report


def _worst_of_parquet(path: str, result: Any, rows: Any) -> tuple[Any, ...]:
    """The worst communities of a Parquet file read column by column (``rows``, worst
    first): those rows alone read again, a row group at a time, as the default engine reads
    them, and evaluated by the scalar engine (the reference) for their explanations."""
    import itertools  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    from cssp.engine import scalar  # noqa: PLC0415
    from cssp.io.readers.stream import InputStream  # noqa: PLC0415

    file = pq.ParquetFile(path)
    sizes = [file.metadata.row_group(g).num_rows for g in range(file.num_row_groups)]
    wanted = sorted(int(row) for row in rows)
    pieces = []
    starts = itertools.accumulate([0, *sizes])  # one more than the groups: strict=False
    for group, (first, size) in enumerate(zip(starts, sizes, strict=False)):
        local = [row - first for row in wanted if first <= row < first + size]
        if local:
            pieces.append(file.read_row_group(group).take(local))
    with tempfile.TemporaryDirectory(prefix="cssp-worst-") as folder:
        part = os.path.join(folder, "worst.parquet")
        pq.write_table(pa.concat_tables(pieces), part)
        communities = {c.key: c for batch in InputStream(part) for c in batch}
    plan, year, profiles = result.plan, result.year, result.programs.profiles
    return tuple(
        scalar.evaluate(communities[code.decode()], plan, year, profiles=profiles)
        for code in result.codes[rows]
    )


def colour(choice: str, out: TextIO) -> bool:
    """``--colour`` first; then ``FORCE_COLOR`` (colour), ``NO_COLOR`` (none); else a terminal."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR"):
        return False
    return out.isatty()


def render(
    report: RegionReport,
    args: argparse.Namespace,
    out: TextIO,
    source: ReportSource | None,
    *,
    communities: bool,
) -> None:
    """Write the report as ``--format`` says (``communities``: with each community's findings,
    where the format has them); JSON a region at a time."""
    from cssp.report import render_report, write_report_json  # noqa: PLC0415

    if args.format in BINARY_FORMATS:
        emit_binary(binary_report(report, args.format, args.lang), args.output, out)
        return
    include = communities and not (args.no_communities or args.no_members)
    if args.format == "json":
        emit_written(
            args, out, lambda file: write_report_json(report, file, include_communities=include)
        )
        return
    painted = args.format == "text" and args.output in (None, "-") and colour(args.colour, out)
    text = render_report(
        report,
        args.format,
        lang=args.lang,
        colour=painted,
        include_communities=include,
        source=source,
    )
    emit_text(text, args.output if args.output != "-" else None, out)


def streamed(
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    profiles: Any,
    source_of: Callable[[tuple[Any, ...]], Any],
) -> int | None:
    """``cssp evaluate`` with the input read in batches; its exit code, or ``None`` when the
    input needs the scalar engine (``--engine auto``). ``source_of``: the Markdown report's
    particulars, from the files read."""
    from cssp.errors import InputError  # noqa: PLC0415

    if args.format not in (*STREAMED_FORMATS, "json", *REGION_FORMATS):
        raise InputError(
            f"--engine batch writes regions (json, text, markdown, html, xlsx, parquet) or each "
            f"community's findings (json-compact, jsonl), not {args.format}",
            "--format",
        )
    if getattr(args, "townships", None) is not None:
        raise InputError(
            "--townships with --engine batch needs one Parquet file of communities; "
            "use --engine scalar (or auto) for other inputs",
            "--townships",
        )
    try:
        report, failing, files = evaluate_streamed(args, profiles, out, err)
    except NeedsScalar:
        if args.engine == "batch":
            raise InputError(
                "a community has no 12-digit code (it is placed by the names of its divisions), "
                "which the batch engine needs: use --engine scalar",
                "--engine",
            ) from None
        return None
    if args.format not in STREAMED_FORMATS:
        assert report is not None
        source = None
        if args.format in ("markdown", "html"):
            source = source_of(files)
        render(report, args, out, source, communities=False)
    return fail_on(args, report, failing, err)


class NeedsScalar(Exception):
    """The input has a community the columnar engine cannot place (no 12-digit code)."""


def choose_engine(args: argparse.Namespace) -> str:
    """``--engine auto``: ``"batch"`` (the stream) when numpy is installed and either the
    format is streamed or the format is of regions and the input is large; else ``"scalar"``."""
    import importlib.util  # noqa: PLC0415

    if args.engine != "auto":
        return str(args.engine)
    if getattr(args, "townships", None) is not None and not parquet_alone(args):
        return "scalar"  # township records: read whole, beside the communities
    if args.format == "jsonl":
        return "batch"  # streamed by the scalar engine too: no regions to sum
    if importlib.util.find_spec("numpy") is None:
        return "scalar"
    if args.format == "json-compact":
        return "batch"
    regions_only = args.format in REGION_FORMATS or (
        args.format == "json" and (args.no_communities or args.no_members)
    )
    if not regions_only:
        return "scalar"
    size = sum(os.path.getsize(f) for f in args.files if f != "-" and os.path.isfile(f))
    return "batch" if size >= STREAM_BYTES or "-" in args.files else "scalar"


def evaluate_streamed(
    args: argparse.Namespace, profiles: object, out: TextIO, err: TextIO
) -> tuple[RegionReport | None, int, tuple[Any, ...]]:
    """Read the input in batches and evaluate them as they come (the columnar engine for the
    regions, the scalar engine for each community's findings in json-compact and jsonl).

    json-compact and jsonl are written here, through a temporary file that becomes the
    output only when the whole input was good. Returns the report of the regions (``None``
    for jsonl, which has no regions), how many communities fail a target, and the files read
    (:class:`cssp.io.SourceFile`).

    :raises NeedsScalar: a community placed by names only, with a format that has regions.
    """
    from cssp.io.readers.stream import InputStream  # noqa: PLC0415

    options = {
        "format": args.input_format,
        "encoding": args.encoding,
        "columns": args.columns,
        "skip_invalid": args.skip_invalid,
        "strict_codes": args.strict_codes,
        "batch_rows": args.batch_rows,
    }
    if args.format not in STREAMED_FORMATS:  # regions alone: CSV blocks read into columns
        from cssp.batch.blocks import block_frame  # noqa: PLC0415

        options["columnar"] = block_frame
    stream = InputStream(args.files, **options)
    with _Spool(args, out) as spool:
        result = _run(args, stream, profiles, spool)
        if stream.repeated and args.skip_invalid:  # every row of a code met twice goes
            stream = InputStream(args.files, exclude=stream.repeated, **options)
            spool.restart()
            result = _run(args, stream, profiles, spool)
        spool.commit()
    tell_notes(stream.notes, err, args)
    return (*result, stream.files)


def _run(
    args: argparse.Namespace, stream: Any, profiles: Any, spool: _Spool
) -> tuple[RegionReport | None, int]:
    import attrs  # noqa: PLC0415

    import cssp  # noqa: PLC0415
    from cssp.model.collector import collector_paused  # noqa: PLC0415

    regions = args.format != "jsonl"
    writer = None
    if args.format in STREAMED_FORMATS:
        from cssp.report.compact import CompactWriter  # noqa: PLC0415

        writer = CompactWriter(spool.file, lines=args.format == "jsonl")
    run = None
    members = args.members != 0 and not args.no_members
    if regions:
        from cssp.batch.stream import StreamRun  # noqa: PLC0415

        worst = args.worst if args.format in READ_FORMATS else 0
        run = StreamRun(args.plan, args.year, profiles=profiles, keep=members, worst=worst)
    needs_scalar = False
    # the findings of a batch form no cycles: no collector pass while they are made and written
    with collector_paused():
        for batch in stream:
            if run is not None and not needs_scalar:
                if isinstance(batch, tuple) and any(c.placed_by_name for c in batch):
                    if args.engine != "batch":
                        raise NeedsScalar  # the scalar engine reads it again
                    needs_scalar = True  # read on: the input's own problems come first
                    continue
                run.add(batch)
            if needs_scalar:
                continue
            if writer is not None:
                found = cssp.evaluate_region(
                    batch, args.plan, "nation", args.year, profiles=profiles
                )
                writer.write(found.assessments)
    if needs_scalar:
        raise NeedsScalar
    report = None
    if run is not None:
        report = run.result().report(args.by, members=members)
        if stream.notes:
            report = attrs.evolve(report, input=stream.notes)
        if members and args.members is not None:
            report = report.with_members(args.members)
    if writer is not None:
        writer.close(report)
    return report, (run.failing() if run is not None else writer.failing if writer else 0)


def emit_written(args: argparse.Namespace, out: TextIO, write: Callable[[TextIO], None]) -> None:
    """Text that ``write`` writes a part at a time, to ``-o`` (atomically: a temporary file
    moved over it) or to ``out``: never whole in memory."""
    with _Spool(args, out, text=True) as spool:
        write(spool.file)
        spool.commit()


def emit_compact(report: RegionReport, args: argparse.Namespace, out: TextIO) -> None:
    """json-compact or jsonl of a report evaluated whole (without numpy)."""
    import io  # noqa: PLC0415

    from cssp.report.compact import CompactWriter  # noqa: PLC0415

    text = io.StringIO()
    writer = CompactWriter(text, lines=args.format == "jsonl")
    writer.write(report.assessments)
    writer.close(None if args.format == "jsonl" else _without_findings(report))
    emit_text(text.getvalue(), args.output if args.output != "-" else None, out)


def _without_findings(report: RegionReport) -> RegionReport:
    """The report without its communities' findings (they are written apart)."""
    import attrs  # noqa: PLC0415

    from cssp.engine.results import CommunitySummary  # noqa: PLC0415

    targets = {id(f.target): f.target for a in report.assessments for f in a.findings}
    failing = sum(1 for a in report.assessments if a.failing)
    summary = CommunitySummary(len(report.assessments), failing, tuple(targets.values()))
    return attrs.evolve(report, assessments=(), summary=summary)


class _Spool:
    """Where a streamed format is written: a temporary file beside the output (moved over
    it at the end) or, for standard output, one copied to it at the end — so that an input
    found bad half-way leaves nothing written."""

    def __init__(self, args: argparse.Namespace, out: TextIO, *, text: bool = False) -> None:

        self.out = out
        self.target = args.output if args.output not in (None, "-") else None
        self.path: str | None = None
        self.file: Any = None
        if args.format not in STREAMED_FORMATS and not text:
            return
        if self.target is not None:
            from cssp.io.writers import check_destination  # noqa: PLC0415

            check_destination(self.target)  # a pipe or a device is refused, never replaced
        folder = os.path.dirname(os.path.realpath(self.target)) if self.target else None
        descriptor, self.path = tempfile.mkstemp(dir=folder, prefix=".cssp-", suffix=".tmp")
        self.file = open(descriptor, "w+", encoding="utf-8", newline="\n")  # noqa: SIM115

    def __enter__(self) -> _Spool:
        return self

    def restart(self) -> None:
        if self.file is not None:
            self.file.seek(0)
            self.file.truncate()

    def commit(self) -> None:
        if self.file is None:
            return
        self.file.flush()
        if self.target is not None and self.path is not None:
            os.fsync(self.file.fileno())
            self.file.close()
            target = os.path.realpath(self.target)
            try:
                mode = os.stat(target).st_mode & 0o7777
            except OSError:
                mode = 0o666 & ~_umask()
            os.chmod(self.path, mode)
            os.replace(self.path, os.path.realpath(self.target))
            self.path = None
            return
        self.file.seek(0)
        import shutil  # noqa: PLC0415

        self.out.flush()
        shutil.copyfileobj(self.file, self.out, 1 << 20)
        self.out.flush()

    def __exit__(self, *exc: object) -> None:
        if self.file is not None and not self.file.closed:
            self.file.close()
        if self.path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
