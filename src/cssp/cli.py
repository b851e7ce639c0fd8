"""The ``cssp`` command (also ``python -m cssp``): a thin shell over the public API.

Exit codes: 0 done; 1 with ``--fail-on unmet`` when a target is not met, or a
failing profile test case; 2 bad input or usage (a message on standard error,
no traceback); 130 interrupted; 143 and 129 stopped by SIGTERM and SIGHUP.
The command imports cssp only when a subcommand needs it, so ``cssp
--version`` starts fast.
"""

from __future__ import annotations

import argparse
import datetime
import os
import shlex
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, TextIO, TypeVar

from cssp import commands as parts
from cssp import evaluating

if TYPE_CHECKING:
    from cssp.io import SourceFile
    from cssp.io.readers import ReadResult
    from cssp.model.township import Township
    from cssp.report import ReportSource
    from cssp.rules.resolve import ProfileSet

__all__ = ["main"]

T = TypeVar("T")

LEVELS = ("nation", "province", "prefecture", "county", "township")
INPUT_FORMATS = ("json", "jsonl", "csv", "toml", "xlsx", "parquet")
BINARY_FORMATS = parts.BINARY_FORMATS


def _version() -> str:
    from importlib.metadata import version  # noqa: PLC0415

    return version("cssp")


def _common(parser: argparse.ArgumentParser, *, year: bool = True) -> None:
    parser.add_argument("--plan", default="fyp14", help="plan id: fyp14 (default) or fyp13")
    if year:
        parser.add_argument(
            "--year", type=int, default=None, help="year to evaluate for (default: the target year)"
        )
    parser.add_argument("--lang", default="zh", choices=["zh", "en"], help="language (default zh)")


def _profiles_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-plugins", action="store_true", help="use the national plan alone, no province plugins"
    )
    parser.add_argument(
        "--strict", action="store_true", help="refuse a profile that loosens a national target"
    )


def _input_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--input-format", choices=INPUT_FORMATS, default=None, help="default: from the file suffix"
    )
    parser.add_argument(
        "--encoding",
        type=parts.encoding,
        default=None,
        help="text encoding of CSV/JSON input (default: detected)",
    )
    parser.add_argument(
        "--columns",
        default=None,
        metavar="MAP",
        help="a column map (a TOML file, or plugin:map for one a plugin ships) for tables "
        "whose headers or words are their own",
    )
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="leave out the rows with problems (listed on standard error and in the report) "
        "instead of stopping",
    )
    parser.add_argument(
        "--strict-codes",
        action="store_true",
        help="a code of a division not in the 2022 division list (revoked, never issued) is an "
        "error, not a warning",
    )


def _explain_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The options of ``cssp explain``."""
    explain = commands.add_parser(
        "explain", help="one community's unmet findings (--all: every one), in Chinese and English"
    )
    explain.add_argument("file", metavar="FILE", help="the file (- for standard input)")
    explain.add_argument(
        "--community",
        required=True,
        metavar="CODE|NAME",
        help="its 12-digit code, its name, or (placed by name) its township code and name",
    )
    explain.add_argument("--target", default=None, metavar="ID", help="show this finding only")
    explain.add_argument(
        "--all", action="store_true", help="every finding (default: the unmet ones and a summary)"
    )
    explain.add_argument("--plan", default="fyp14", help="plan id")
    explain.add_argument("--year", type=int, default=None, help="year")
    explain.add_argument(
        "--lang", default=None, choices=["zh", "en"], help="one language (default both)"
    )
    explain.add_argument(
        "--format", default="text", choices=["text", "json"], help="output format (default text)"
    )
    _profiles_options(explain)
    _input_options(explain)


def _parser() -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = parts.Parser(
        prog="cssp",
        description="Evaluate communities against the urban and rural community service plan "
        "(国办发〔2021〕56号).",
        epilog="Exit codes: 0 done, 1 a target not met (with --fail-on unmet), "
        "2 bad input or usage, 130 interrupted (143 SIGTERM, 129 SIGHUP).",
    )
    parser.add_argument("--version", action="version", version=f"cssp {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    evaluate = commands.add_parser(
        "evaluate", help="evaluate communities from files and report by region"
    )
    evaluate.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="JSON, JSONL, CSV, TOML, ... (- for standard input)",
    )
    _common(evaluate)
    evaluate.add_argument("--by", default="county", choices=LEVELS, help="region level")
    evaluate.add_argument(
        "--format",
        default="text",
        choices=[
            "text",
            "json",
            "markdown",
            "csv",
            "html",
            "json-compact",
            "jsonl",
            *BINARY_FORMATS,
        ],
        help="output format (default text); json-compact and jsonl: each community's findings, "
        "small and written as read; xlsx and parquet are files: give -o FILE",
    )
    evaluate.add_argument(
        "-o", "--output", default=None, help="write here (atomically); - for standard output"
    )
    evaluate.add_argument(
        "--fail-on",
        choices=["unmet"],
        default=None,
        help="exit 1 when any target is not met (for pipelines)",
    )
    evaluate.add_argument(
        "--colour",
        "--color",
        dest="colour",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour in text (auto: on a terminal; NO_COLOR and FORCE_COLOR are honoured)",
    )
    evaluate.add_argument(
        "--no-communities",
        action="store_true",
        help="JSON: regions only, without each community's findings (about 30 kB a community)",
    )
    evaluate.add_argument(
        "--no-members",
        action="store_true",
        help="regions without their lists of communities and of failing communities: the "
        "output stays small whatever the input (implies --no-communities)",
    )
    evaluate.add_argument(
        "--townships",
        default=None,
        metavar="FILE",
        help="township records (乡镇、街道: code and services such as a social work station), "
        "for the township-level targets; any input format",
    )
    evaluate.add_argument(
        "--engine",
        choices=["auto", "scalar", "batch"],
        default="auto",
        help="auto (default): the columnar engine (cssp[batch]), reading the input in batches, "
        "for json-compact and jsonl and for regions-only formats of inputs over 4 MB; scalar: "
        "every community in memory; batch: always the columnar engine",
    )
    evaluate.add_argument(
        "--members",
        type=evaluating.members,
        default=evaluating.MEMBERS,
        metavar="N|all",
        help=f"communities listed per region and per region finding (default "
        f"{evaluating.MEMBERS}; the counts give how many there are); all: every one",
    )
    evaluate.add_argument(
        "--worst",
        type=evaluating.worst,
        default=evaluating.WORST,
        metavar="N",
        help=f"text, Markdown and HTML reports of inputs read in batches: the N communities "
        f"that fail the most targets, with their findings (default {evaluating.WORST}; 0: "
        f"none; json-compact and jsonl give every community's)",
    )
    evaluate.add_argument("--batch-rows", type=int, default=8192, help=argparse.SUPPRESS)
    _profiles_options(evaluate)
    _input_options(evaluate)

    targets = commands.add_parser("targets", help="the targets in force, with provenance")
    _common(targets, year=False)
    targets.add_argument(
        "--code", default="", help="a division code (44, 4401, 440106001001); default the nation"
    )
    targets.add_argument(
        "--format", default="text", choices=["text", "json", "markdown", "csv"], help="format"
    )
    targets.add_argument(
        "-o", "--output", default=None, help="write here (atomically); - for standard output"
    )
    _profiles_options(targets)

    _explain_parser(commands)

    programmes = commands.add_parser("programmes", help="the plan's programmes (专栏2–6)")
    _common(programmes, year=False)
    programmes.add_argument(
        "--format", default="text", choices=["text", "json", "markdown"], help="format"
    )

    validate = commands.add_parser("validate", help="check data files without evaluating")
    validate.add_argument("files", nargs="+", metavar="FILE", help="files (- for standard input)")
    validate.add_argument(
        "--format", default="text", choices=["text", "json"], help="output format (default text)"
    )
    _input_options(validate)

    plugins = commands.add_parser("plugins", help="list the installed plugins and their scopes")
    plugins.add_argument(
        "--format", default="text", choices=["text", "json"], help="output format (default text)"
    )

    cases = commands.add_parser(
        "test-profile", help="run a profile's declarative test cases (a TOML cases file)"
    )
    cases.add_argument("path", nargs="+", help="cases file(s)")
    cases.add_argument(
        "--no-plugins",
        action="store_true",
        help="do not use installed plugins (when a cases file lists no profiles)",
    )

    synth = commands.add_parser(
        "synth",
        help="write a synthetic nation of communities (CSV or Parquet) for benchmarks and tests",
        description="Write seeded, realistic synthetic communities under the real township codes "
        "of all 31 provinces, calibrated to the plan's 2020 baselines (needs numpy, and pyarrow "
        "for Parquet: pip install 'cssp[batch]'). The same seed gives the same file.",
    )
    synth.add_argument(
        "--scale",
        type=float,
        default=0.01,
        help="share of the nation: 1.0 is 615,000 communities (default 0.01; at most 10)",
    )
    synth.add_argument("--seed", type=parts.seed, default=0, help="random seed (default 0)")
    synth.add_argument(
        "--year", type=int, default=2020, help="2020 (the baselines) to 2025 (default 2020)"
    )
    synth.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the file to write (atomically): .csv or .parquet",
    )

    parts.extend(parser, commands, _demo_parser(commands), _profiles_options)
    return parser


def _demo_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    demo = commands.add_parser("demo", help="evaluate the sample data shipped with cssp")
    _common(demo)
    demo.add_argument("--by", default="county", choices=LEVELS, help="region level")
    demo.add_argument("--no-plugins", action="store_true", help="use the national plan alone")
    return demo  # its --format and -o: cssp.commands.demo_outputs


# --- helpers ---------------------------------------------------------------------


def _profiles(args: argparse.Namespace) -> ProfileSet:
    from cssp.plugins import default_profiles  # noqa: PLC0415
    from cssp.rules.resolve import ProfileSet  # noqa: PLC0415

    if getattr(args, "no_plugins", False):
        return ProfileSet()
    installed = default_profiles()
    if getattr(args, "strict", False):
        return ProfileSet(installed.profiles, strict=True)
    return installed


def _read(files: Sequence[str], args: argparse.Namespace, err: TextIO) -> ReadResult:
    """Read the input files as the options say; tell on ``err`` what reading said."""
    from cssp.io.readers import read_input  # noqa: PLC0415

    with parts.reading(files, err, quiet=getattr(args, "quiet", 0) > 0):
        result = read_input(
            list(files),
            format=args.input_format,
            encoding=args.encoding,
            columns=args.columns,
            skip_invalid=args.skip_invalid,
            strict_codes=args.strict_codes,
        )
    parts.tell_notes(result.notes, err, args)
    return result


def report_date() -> datetime.date:
    """Today; or the day of ``SOURCE_DATE_EPOCH`` (UTC) when it is set, for reproducible reports."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date()
        except (ValueError, OverflowError, OSError):
            from cssp.errors import InputError  # noqa: PLC0415

            raise InputError(
                f"{epoch!r} is not a number of seconds since 1970", "SOURCE_DATE_EPOCH"
            ) from None
    return datetime.date.today()


def _source(files: tuple[SourceFile, ...], argv: Sequence[str]) -> ReportSource:
    from cssp.report import ReportSource  # noqa: PLC0415

    return ReportSource(files, shlex.join(["cssp", *argv]), report_date())


def _townships(args: argparse.Namespace) -> tuple[Township, ...]:
    """The township records of ``--townships``, if given."""
    if not getattr(args, "townships", None):
        return ()
    from cssp.io import read_townships  # noqa: PLC0415

    return read_townships(args.townships, encoding=getattr(args, "encoding", None))


def _emit(text: str, output: str | None, out: TextIO) -> None:
    if output and output != "-":
        from cssp.io import write_atomic  # noqa: PLC0415

        write_atomic(output, text)
    else:
        out.write(text if text.endswith("\n") else text + "\n")


def _progress(items: Sequence[T], label: str, err: TextIO) -> Iterator[T]:
    """Yield the items; on a terminal, show progress once it takes over a second."""
    total = len(items)
    shown = err.isatty()
    start = time.monotonic()
    last = 0.0
    for index, item in enumerate(items, 1):
        yield item
        if shown and index % 1000 == 0:
            now = time.monotonic()
            if now - start > 1 and now - last > 0.2:
                last = now
                err.write(f"\r{label} {index:,}/{total:,} ({index * 100 // total}%)")
                err.flush()
    if shown and time.monotonic() - start > 1:
        err.write(f"\r{label} {total:,}/{total:,} (100%)\n")


# --- commands --------------------------------------------------------------------


def _evaluate(args: argparse.Namespace, out: TextIO, err: TextIO, argv: Sequence[str] = ()) -> int:
    import attrs  # noqa: PLC0415

    import cssp  # noqa: PLC0415

    source = None
    start = time.monotonic()
    engine = evaluating.choose_engine(args)
    if engine == "batch" and evaluating.parquet_alone(args):
        report = evaluating.evaluate_parquet_file(args, _profiles(args), err, _townships(args))
        if args.format in ("markdown", "html") and report.summary is not None:
            from cssp.io import SourceFile  # noqa: PLC0415

            file = SourceFile.of(args.files[0], report.summary.communities)
            source = _source((file,), argv)
        engine = "parquet"
    elif engine == "batch":
        streamed = evaluating.streamed(args, out, err, _profiles(args), lambda f: _source(f, argv))
        if streamed is not None:
            return streamed
        engine = "scalar"
    if engine == "scalar":
        result = _read(args.files, args, err)
        if args.format in ("html", "markdown"):
            source = _source(result.files, argv)
        report = cssp.evaluate_region(
            result.communities if args.quiet else _progress(result.communities, "evaluating", err),
            plan=args.plan,
            by=args.by,
            year=args.year,
            profiles=_profiles(args),
            townships=_townships(args),
        )
        if result.notes:
            report = attrs.evolve(report, input=result.notes)
        if args.no_members or args.members == 0:
            report = report.without_members()
        elif args.members is not None:
            report = report.with_members(args.members)
        if args.format in evaluating.STREAMED_FORMATS:
            evaluating.emit_compact(report, args, out)
            return evaluating.fail_on(
                args, report, sum(1 for a in report.assessments if a.failing), err
            )
    if args.verbose:
        parts.tell(report, args, time.monotonic() - start, err)
    evaluating.render(report, args, out, source, communities=engine == "scalar")
    failing = report.summary.failing if report.summary is not None else 0
    return evaluating.fail_on(args, report, failing, err)


def _targets(args: argparse.Namespace, out: TextIO) -> int:
    import cssp  # noqa: PLC0415
    from cssp.report import render_targets  # noqa: PLC0415

    code = args.code
    if code and (not code.isdigit() or len(code) not in (2, 4, 6, 9, 12)):
        raise cssp.InputError(
            f"{code!r} is not a division code of 2, 4, 6, 9 or 12 digits", "--code"
        )
    from cssp.model.divisions import PROVINCES_BY_CODE  # noqa: PLC0415
    from cssp.model.schema import CODE_NO_PROVINCE  # noqa: PLC0415

    if code and code[:2] not in PROVINCES_BY_CODE:  # as cssp evaluate refuses it
        raise cssp.InputError(CODE_NO_PROVINCE.format(code=repr(code)), "--code")
    effective = cssp.effective_targets(args.plan, code, profiles=_profiles(args))
    _emit(render_targets(effective, args.format, lang=args.lang, code=code), args.output, out)
    return 0


def _explain(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import attrs  # noqa: PLC0415

    import cssp  # noqa: PLC0415
    from cssp.report import assessment_to_dict, dumps, render_explain  # noqa: PLC0415

    read = _read([args.file], args, err).communities
    community = parts.find_community(read, args.community, args.file)
    assessment = cssp.evaluate(community, args.plan, args.year, profiles=_profiles(args))
    if args.target is not None:
        chosen = [f for f in assessment.findings if f.target.id == args.target]
        if not chosen:
            known = ", ".join(f.target.id for f in assessment.findings)
            raise cssp.InputError(
                f"no target {args.target!r} for this community; its targets: {known}", "--target"
            )
        assessment = attrs.evolve(assessment, findings=tuple(chosen))
    if args.format == "json":
        text = dumps(assessment_to_dict(assessment))
    elif args.lang is None:
        every = args.all or args.target is not None
        text = render_explain(assessment, colour=False, all_findings=every)
    else:
        text = parts.explain_in(assessment, args.lang)
    _emit(text, None, out)
    return 0


def _programmes(args: argparse.Namespace, out: TextIO) -> int:
    import cssp  # noqa: PLC0415
    from cssp.report import render_programmes  # noqa: PLC0415

    _emit(render_programmes(cssp.load_plan(args.plan), args.format, lang=args.lang), None, out)
    return 0


def _validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    result = _read(args.files, args, err)
    communities = result.communities
    urban = sum(1 for c in communities if c.kind.value == "urban")
    notes = result.notes
    if args.format == "json":
        from cssp.report import SCHEMA_VERSION, dumps, input_to_dict  # noqa: PLC0415

        document = {
            "schema_version": SCHEMA_VERSION,
            "kind": "validation",
            "files": list(args.files),
            "communities": len(communities),
            "urban": urban,
            "rural": len(communities) - urban,
            "input": input_to_dict(notes),
        }
        _emit(dumps(document), None, out)
        return 0
    said = [
        f"{count} {what}"
        for count, what in (
            (len(notes.skipped), "rows skipped"),
            (notes.warning_count, "warnings"),
            (len(notes.resolved), "codes found from place names"),
        )
        if count
    ]
    out.write(
        f"{len(communities)} communities read ({urban} urban, {len(communities) - urban} rural) "
        f"from {len(args.files)} file(s): {', '.join(said) or 'no problems'}\n"
    )
    return 0


def _synth(args: argparse.Namespace, out: TextIO) -> int:
    from cssp.errors import InputError  # noqa: PLC0415
    from cssp.synth import nation, write  # noqa: PLC0415 - needs numpy: InputError without

    columns = nation(args.scale, seed=args.seed, year=args.year)
    try:
        write(columns, args.output)
    except OSError as error:
        raise InputError(f"cannot write the file: {error.strerror or error}", args.output) from None
    codes = columns["code"]
    urban = int(sum(1 for code in codes.tolist() if code[9] in "01"))
    out.write(
        f"wrote {len(codes):,} synthetic communities ({urban:,} urban, {len(codes) - urban:,} "
        f"rural, {args.year}, seed {args.seed}) to {args.output}\n"
    )
    return 0


def _demo_report(args: argparse.Namespace, out: TextIO, argv: Sequence[str]) -> int:
    """``cssp demo --format html -o FILE``: the sample's full report, as ``evaluate`` writes it."""
    import cssp  # noqa: PLC0415
    from cssp.report import ReportSource, render_report  # noqa: PLC0415

    profiles = () if args.no_plugins else None
    report = cssp.evaluate_region(
        cssp.load_sample(), plan=args.plan, by=args.by, year=args.year, profiles=profiles
    )
    format = args.format or "text"
    if format in BINARY_FORMATS:
        parts.emit_binary(parts.binary_report(report, format, args.lang), args.output, out)
    else:
        source = ReportSource((), shlex.join(["cssp", *argv]), report_date())
        _emit(render_report(report, format, lang=args.lang, source=source), args.output, out)
    return 0


def demo(
    plan: str, year: int | None, by: str, lang: str, out: TextIO, *, national: bool = False
) -> None:
    """Evaluate the sample communities and print a readable summary."""
    import cssp  # noqa: PLC0415 - imported only when needed

    communities = cssp.load_sample()
    profiles = () if national else None
    report = cssp.evaluate_region(communities, plan=plan, by=by, year=year, profiles=profiles)
    title = report.plan.title.get(lang)
    head = (
        f"cssp demo — {len(communities)} 个示例社区，对照《{title}》{report.year}年目标"
        if lang == "zh"
        else f"cssp demo — {len(communities)} sample communities against {title}, {report.year}"
    )
    print(head, file=out)
    print("=" * 72, file=out)
    for region in report.regions:
        name = region.name or region.code or ("全国" if lang == "zh" else "nation")
        count = f"{len(region.communities)} {'个社区' if lang == 'zh' else 'communities'}"
        if lang == "zh":
            print(f"\n{name}（{region.code or '-'}），{count}", file=out)
        else:
            print(f"\n{name} ({region.code or '-'}), {count}", file=out)
        for finding in region.findings:
            if finding.status is cssp.Status.NOT_APPLICABLE:
                continue
            mark = {"met": "✓", "not_met": "✗", "no_data": "?", "no_verdict": "○"}.get(
                finding.status.value, " "
            )
            print(f"  {mark} {finding.explain(lang)}", file=out)
            if finding.failing:
                zh = lang == "zh"
                shown = ("、" if zh else ", ").join(finding.failing[:5])
                more = len(finding.failing) - 5
                if more > 0:
                    shown += f"等（另有{more}个）" if zh else f" … (+{more})"
                if finding.lacking and finding.unit.value == "township":
                    label = "尚不具备的乡镇（街道）：" if zh else "townships without it: "
                elif finding.lacking:  # a coverage target its communities are not judged on
                    label = "尚不具备的村（社区）：" if zh else "communities without it: "
                elif finding.status is cssp.Status.MET:
                    label = (
                        "区域值达标，但以下社区各自未达标："
                        if zh
                        else "the region's figure meets it, but these communities do not: "
                    )
                else:
                    label = "未达标的社区：" if zh else "communities not meeting it: "
                print(f"      {label}{shown}", file=out)
    failing = sum(1 for a in report.assessments if a.failing)
    tail = (
        f"\n{failing}/{len(communities)} 个社区至少有一项未达标。"
        if lang == "zh"
        else f"\n{failing} of {len(communities)} communities fail at least one target."
    )
    print(tail, file=out)


def list_plugins(out: TextIO, format: str = "text") -> None:
    """Print the installed plugins with their versions, kinds and scopes (text or JSON)."""
    import cssp  # noqa: PLC0415

    infos = cssp.list_plugins()
    if format == "json":
        from cssp.report import SCHEMA_VERSION, dumps  # noqa: PLC0415

        plugins = [
            {
                "name": i.name,
                "distribution": i.distribution,
                "version": i.version,
                "kind": i.kind,
                "profiles": list(i.profiles),
                "scopes": list(i.scopes),
            }
            for i in infos
        ]
        out.write(dumps({"schema_version": SCHEMA_VERSION, "kind": "plugins", "plugins": plugins}))
        return
    if not infos:
        print("no cssp plugins are installed (or CSSP_DISABLE_PLUGIN_AUTOLOAD is set)", file=out)
        return
    width = max(len(i.name) for i in infos)
    for info in infos:
        scopes = ", ".join(info.scopes) or "-"
        profiles = ", ".join(info.profiles) or "-"
        print(
            f"{info.name:<{width}}  {info.source:<28} {info.kind:<8} "
            f"scopes: {scopes:<10} profiles: {profiles}",
            file=out,
        )


def test_profile(paths: Sequence[str], national: bool, out: TextIO) -> int:
    """Run cases files; return 0 when every case passes, 1 otherwise."""
    from cssp.testing.cases import run_profile_tests  # noqa: PLC0415

    failed = passed = 0
    for path in paths:
        results = run_profile_tests(path, autoload=not national)
        for result in results:
            mark = "PASS" if result.passed else "FAIL"
            print(f"{mark} {path}: {result.name}", file=out)
            for target, expected, found, why in result.mismatches:
                print(f"     {target}: expected {expected}, found {found}", file=out)
                print(f"     {why}", file=out)
            passed += result.passed
            failed += not result.passed
    print(f"{passed} passed, {failed} failed", file=out)
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit code (see the module's docstring).

    Run as the program (``argv`` None), it has Arrow allocate with the
    system allocator unless ``ARROW_DEFAULT_MEMORY_POOL`` is set: Arrow's own
    (mimalloc) keeps what it frees for itself, where numpy cannot reuse it,
    and a national Parquet run then peaks some 40 MB higher.
    """
    if argv is None and "pyarrow" not in sys.modules:
        os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    parser = _parser()
    if "_ARGCOMPLETE" in os.environ:  # a shell asks for completions (cssp completion SHELL)
        import argcomplete  # noqa: PLC0415 - only while completing

        argcomplete.autocomplete(parser)
    given = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(given)
    if args.command is None:
        parser.print_help()
        return 2
    from cssp.errors import CsspError  # noqa: PLC0415

    out, err = parts.streams()  # text on them is printable: no terminal control characters
    restore = parts.on_termination(args.command != "serve")  # the service stops on its own
    try:
        if args.command == "evaluate":
            return _evaluate(args, out, err, given)
        if args.command == "targets":
            return _targets(args, out)
        if args.command == "explain":
            return _explain(args, out, err)
        if args.command == "programmes":
            return _programmes(args, out)
        if args.command == "validate":
            return _validate(args, out, err)
        if args.command == "synth":
            return _synth(args, out)
        if args.command == "completion":
            return parts.completion(args.shell, out)
        if args.command == "serve":
            return parts.serve(args, err)
        if args.command == "schema":
            return parts.schema(args, out)
        if args.command == "plugins":
            list_plugins(out, args.format)
        elif args.command == "test-profile":
            return test_profile(args.path, args.no_plugins, out)
        elif args.command == "demo":
            if args.format or args.output:
                return _demo_report(args, out, given)
            demo(args.plan, args.year, args.by, args.lang, out, national=args.no_plugins)
    except CsspError as error:
        err.write(f"cssp: error: {error}\n")
        return 2
    except KeyboardInterrupt:
        # A second Ctrl-C (or a signal arriving late) must not turn this clean
        # exit into a death by signal: from here on, SIGINT is ignored.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        err.write("\ncssp: interrupted; no output was written\n")
        return 130
    except parts.Terminated as stop:  # SIGTERM, SIGHUP: as Ctrl-C, 128 + the signal
        err.write(f"\ncssp: terminated by {stop}; no output was written\n")
        return stop.code
    except MemoryError:
        err.write("cssp: error: out of memory; no output was written\n")
        return 2
    except BrokenPipeError:  # `cssp ... | head` (an OSError: caught first)
        return 0
    except OSError as error:  # an output in a missing folder, a full disk, no permission
        target = getattr(args, "output", None) or error.filename or "the output"
        err.write(f"cssp: error: cannot write {target}: {error.strerror or error}\n")
        return 2
    finally:
        restore()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
