"""The ``cssp`` command's parts for other systems and its conventions.

``cssp serve`` and ``cssp schema`` (:mod:`cssp.server`, :mod:`cssp.schemas`),
``cssp completion SHELL`` (argcomplete), the reports that are files (xlsx,
Parquet), ``-q``/``-v`` on every command, and the progress line while files
are read. :mod:`cssp.cli` builds its parser and dispatches with these.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from cssp.engine.results import RegionReport

__all__ = [
    "BINARY_FORMATS",
    "binary_report",
    "completion",
    "conventions",
    "demo_outputs",
    "emit_binary",
    "emit_text",
    "extend",
    "reading",
    "schema",
    "serve",
    "service_parsers",
    "size",
    "tell",
]

#: Report formats that are files, not text: written with -o (or to a pipe).
BINARY_FORMATS = ("xlsx", "parquet")


def extend(
    parser: argparse.ArgumentParser,
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    demo: argparse.ArgumentParser,
    profiles_options: Callable[[argparse.ArgumentParser], None],
) -> None:
    """Add this module's options and subcommands to the command's parser."""
    demo_outputs(demo)
    service_parsers(commands, profiles_options)
    conventions(parser, commands)


def emit_text(text: str, output: str | None, out: TextIO) -> None:
    """Text to ``output`` (atomically), or to ``out``, ending with a newline."""
    if output:
        from cssp.io import write_atomic  # noqa: PLC0415

        write_atomic(output, text)
    else:
        out.write(text if text.endswith("\n") else text + "\n")


def conventions(
    parser: argparse.ArgumentParser,
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """-q/-v on the command and on every subcommand; ``cssp completion SHELL``."""
    completion = commands.add_parser(
        "completion",
        help="print a shell completion script: bash, zsh or fish",
        description='Print the completion script of a shell. bash: eval "$(cssp completion '
        'bash)" in ~/.bashrc; zsh: the same in ~/.zshrc; fish: cssp completion fish > '
        "~/.config/fish/completions/cssp.fish.",
    )
    completion.add_argument("shell", choices=["bash", "zsh", "fish"])
    for index, target in enumerate([parser, *commands.choices.values()]):
        default = 0 if index == 0 else argparse.SUPPRESS
        target.add_argument(
            "-q",
            "--quiet",
            action="count",
            default=default,
            help="no progress line and no notes on standard error (errors still show)",
        )
        target.add_argument(
            "-v",
            "--verbose",
            action="count",
            default=default,
            help="say more on standard error: what was read, evaluated and how long it took",
        )


def demo_outputs(demo: argparse.ArgumentParser) -> None:
    demo.add_argument(
        "--format",
        default=None,
        choices=["text", "json", "markdown", "csv", "html", *BINARY_FORMATS],
        help="a report in this format, as cssp evaluate writes it (default: the demo's summary)",
    )
    demo.add_argument("-o", "--output", default=None, help="write here (atomically)")


def size(text: str) -> int:
    """A size in bytes: ``1048576``, ``64M``, ``512k``, ``1G``."""
    units = {"k": 2**10, "m": 2**20, "g": 2**30}
    number, unit = (text[:-1], units[text[-1].lower()]) if text[-1:].lower() in units else (text, 1)
    try:
        return int(float(number) * unit)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (e.g. 64M)") from None


def service_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    profiles_options: Callable[[argparse.ArgumentParser], None],
) -> None:
    """``cssp serve`` and ``cssp schema``: cssp for other systems."""
    serve = commands.add_parser(
        "serve",
        help="run the HTTP service (needs cssp[server])",
        description="Serve the engine over HTTP: POST /v1/evaluate returns what 'cssp evaluate "
        "--format json' prints; /docs has the interactive docs, /openapi.json the description. "
        "Needs pip install 'cssp[server]'.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument(
        "--profile",
        action="append",
        default=[],
        metavar="FILE",
        help="a data-only profile (TOML) to apply as well; may be repeated",
    )
    serve.add_argument(
        "--max-body-size",
        type=size,
        default="64M",
        metavar="SIZE",
        help="largest request body (default 64M); larger is a 413",
    )
    serve.add_argument(
        "--max-communities",
        type=int,
        default=20_000,
        metavar="N",
        help="most communities in one request (default 20000); more is a 413",
    )
    serve.add_argument("--access-log", action="store_true", help="log every request (as -v)")
    profiles_options(serve)

    schema = commands.add_parser(
        "schema",
        help="print a JSON Schema: community, communities, profile, report, targets, ...",
        description="Print a JSON Schema (draft 2020-12) of what cssp reads or writes.",
    )
    schema.add_argument(
        "name",
        help="community, communities, profile, report, assessment, targets, programmes, "
        "request, plans, plugins or problem",
    )
    schema.add_argument("-o", "--output", default=None, help="write here (atomically)")


def serve(args: argparse.Namespace, err: TextIO) -> int:
    from cssp.server import serve  # noqa: PLC0415 - the optional extra

    options = {
        "no_plugins": args.no_plugins,
        "strict": args.strict,
        "profile_files": list(args.profile),
        "max_body_size": args.max_body_size,
        "max_communities": args.max_communities,
    }
    if args.workers < 1:
        from cssp.errors import InputError  # noqa: PLC0415

        raise InputError(f"{args.workers} workers: give at least 1", "--workers")
    err.write(
        f"cssp serve: http://{args.host}:{args.port} (docs at /docs, "
        f"{args.workers} worker{'s' if args.workers > 1 else ''}); Ctrl-C stops it\n"
    )
    err.flush()
    serve(
        host=args.host,
        port=args.port,
        workers=args.workers,
        options=options,
        access_log=args.access_log or getattr(args, "verbose", 0) > 0,
        log_level="info" if args.access_log or getattr(args, "verbose", 0) else "warning",
    )
    return 0


def completion(shell: str, out: TextIO) -> int:
    """The completion script of ``shell``, generated by argcomplete from this parser."""
    from argcomplete.shell_integration import shellcode  # noqa: PLC0415

    out.write(shellcode(["cssp"], shell=shell))
    return 0


def schema(args: argparse.Namespace, out: TextIO) -> int:
    from cssp.schemas import schema_text  # noqa: PLC0415

    emit_text(schema_text(args.name), args.output, out)
    return 0


@contextlib.contextmanager
def reading(files: Sequence[str], err: TextIO, *, quiet: bool) -> Iterator[None]:
    """On a terminal, a progress line while files are read, once it takes over a second."""
    if quiet or not err.isatty():
        yield
        return
    size = sum(os.path.getsize(f) for f in files if os.path.isfile(f))
    label = f"reading {files[0]}" if len(files) == 1 else f"reading {len(files)} files"
    done = threading.Event()
    start = time.monotonic()

    def show() -> None:
        shown = False
        while not done.wait(0.25):
            elapsed = time.monotonic() - start
            if elapsed > 1:
                err.write(f"\r{label} ({size / 2**20:,.1f} MB) … {elapsed:,.0f} s")
                err.flush()
                shown = True
        if shown:
            err.write(f"\r{label} ({size / 2**20:,.1f} MB): {time.monotonic() - start:,.1f} s\n")
            err.flush()

    thread = threading.Thread(target=show, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def tell(report: RegionReport, args: argparse.Namespace, seconds: float, err: TextIO) -> None:
    """``-v``: what was evaluated, against which profiles, and how long it took."""
    communities = report.summary.communities if report.summary else len(report.assessments)
    profiles = sorted(
        {step.profile for r in report.regions for f in r.findings for step in f.target.provenance}
        - {report.plan.id}
    )
    err.write(
        f"cssp: {communities:,} communities from {len(args.files)} file(s), "
        f"{len(report.regions):,} regions by {report.by}, {report.plan.id} {report.year}, "
        f"profiles: {', '.join(profiles) or 'none'}; {seconds:.2f} s\n"
    )


def binary_report(report: RegionReport, format: str, lang: str) -> bytes:
    from cssp.report.tables import report_parquet, report_xlsx  # noqa: PLC0415

    return report_xlsx(report, lang=lang) if format == "xlsx" else report_parquet(report)


def emit_binary(data: bytes, output: str | None, out: TextIO) -> None:
    """A file's bytes: to ``output``, or to standard output when it is not a terminal."""
    if output:
        from cssp.io import write_atomic  # noqa: PLC0415

        write_atomic(output, data)
        return
    if out.isatty():
        from cssp.errors import InputError  # noqa: PLC0415

        raise InputError("xlsx and parquet are files, not text: give -o FILE", "--output")
    out.flush()
    out.buffer.write(data)
    out.buffer.flush()
