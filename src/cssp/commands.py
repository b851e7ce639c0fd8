"""The ``cssp`` command's parts for other systems and its conventions.

``cssp serve`` and ``cssp schema`` (:mod:`cssp.server`, :mod:`cssp.schemas`),
``cssp completion SHELL`` (argcomplete), the reports that are files (xlsx,
Parquet), ``-q``/``-v`` on every command, the progress line while files
are read and what reading said (:func:`tell_notes`), and what reaches a
terminal (:func:`printable`, :class:`Terminal`).
:mod:`cssp.cli` builds its parser and dispatches with these.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import errno
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any, Final, TextIO, cast

if TYPE_CHECKING:
    from cssp.engine.results import Assessment, RegionReport
    from cssp.model.community import Community
    from cssp.model.notes import InputNotes

__all__ = [
    "BINARY_FORMATS",
    "Parser",
    "Terminal",
    "Terminated",
    "binary_report",
    "completion",
    "conventions",
    "demo_outputs",
    "emit_binary",
    "emit_text",
    "encoding",
    "explain_in",
    "extend",
    "find_community",
    "on_termination",
    "port",
    "printable",
    "reading",
    "schema",
    "seed",
    "serve",
    "service_parsers",
    "size",
    "streams",
    "tell",
    "tell_notes",
]

#: Report formats that are files, not text: written with -o (or to a pipe).
BINARY_FORMATS = ("xlsx", "parquet")


# --- what reaches a terminal -----------------------------------------------------------

#: Characters a terminal acts on rather than shows: the C0 controls but tab,
#: newline and CR LF (ESC starts escape sequences: a title, a cleared screen, a hyperlink),
#: DEL, the C1 controls (U+009B is a one-character CSI), the Unicode
#: bidirectional controls (which reorder what is shown: "Trojan Source"), and
#: lone surrogates (a file name's undecodable bytes, which cannot be encoded).
_UNSAFE: Final = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff]|\r(?!\n)"
)
#: The same without the carriage return: one quick scan finds most texts clean.
_CONTROLS: Final = re.compile(_UNSAFE.pattern.removesuffix("|\r(?!\n)"))
_LONE_CR: Final = re.compile("\r(?!\n)")
#: The colour sequences cssp's text report writes itself (cssp.report._text.ANSI), kept.
_OWN_STYLES: Final = re.compile("(\x1b\\[(?:0|2|31|32|33)m)")


def printable(text: str) -> str:
    r"""``text`` with every character a terminal would act on written as ``\uXXXX``.

    Tab, newline and a carriage return before a newline (CSV's line end)
    stay; the other C0 and C1 controls, DEL, the bidirectional
    controls and lone surrogates are escaped, so a community name carrying
    ``\x1b]0;…\x07`` (a window title) or ``\x1b[2J`` (a cleared screen) is
    shown, not obeyed. The escapes are JSON's own: a JSON document keeps its
    meaning.

    >>> printable("社区\x1b[2J\u202e")
    '社区\\u001b[2J\\u202e'
    """
    if not _CONTROLS.search(text) and not ("\r" in text and _LONE_CR.search(text)):
        return text  # the usual case, found in one scan
    return _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


class Terminal:
    """A text stream (standard output or error) that writes only :func:`printable` text.

    The colour sequences of cssp's own text report pass, and so does a carriage
    return that begins a write on standard error (the progress line redraws
    itself with one; standard output carries no progress line, so a report that
    begins with a community's name keeps no raw carriage return);
    every other control character is escaped. Text the stream's encoding
    cannot encode is written with backslash escapes rather than failing. A
    stream that is closed (``cssp ... >&-``: Python gives ``None``) drops what
    is written to it when it is standard error, and raises :class:`OSError`
    (``EBADF``) naming it when it is standard output, whose text would be lost.
    """

    def __init__(self, stream: Any, name: str, *, required: bool) -> None:
        self.stream = stream
        self.name = name
        self.required = required

    def _open(self) -> Any:
        if self.stream is None and self.required:
            raise OSError(errno.EBADF, "it is closed", self.name)
        return self.stream

    def write(self, text: str) -> int:
        stream = self._open()
        if stream is None:
            return len(text)
        head = "\r" if not self.required and text.startswith("\r") else ""
        pieces = _OWN_STYLES.split(text[len(head) :])
        safe = head + "".join(p if i % 2 else printable(p) for i, p in enumerate(pieces))
        try:
            stream.write(safe)
        except UnicodeEncodeError:
            coding = getattr(stream, "encoding", None) or "utf-8"
            stream.write(safe.encode(coding, "backslashreplace").decode(coding))
        return len(text)

    def flush(self) -> None:
        if self.stream is not None:
            self.stream.flush()

    def isatty(self) -> bool:
        try:
            return self.stream is not None and self.stream.isatty()
        except (OSError, ValueError):  # a stream closed under Python
            return False

    @property
    def buffer(self) -> IO[bytes]:
        """The binary stream beneath (xlsx and Parquet go there, unescaped)."""
        stream = self._open()
        if stream is None:  # pragma: no cover - standard error carries no files
            raise OSError(errno.EBADF, "it is closed", self.name)
        buffer: IO[bytes] = stream.buffer
        return buffer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._open(), name)


def streams() -> tuple[TextIO, TextIO]:
    """The command's standard output and error, as :class:`Terminal` streams."""
    out = Terminal(sys.stdout, "standard output", required=True)
    err = Terminal(sys.stderr, "standard error", required=False)
    return cast("TextIO", out), cast("TextIO", err)


class Parser(argparse.ArgumentParser):
    """The command's argument parser: its usage errors, which echo what was typed, printable."""

    def _print_message(self, message: str, file: Any = None) -> None:
        if message:
            with contextlib.suppress(AttributeError, OSError):
                Terminal(file or sys.stderr, "standard error", required=False).write(message)


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived while the command ran.

    Raised by :func:`on_termination`'s handler and, like :class:`KeyboardInterrupt`,
    not an :class:`Exception`: it unwinds through every ``finally`` and through
    :func:`cssp.io.write_atomic`, which removes its temporary file, and the
    command then exits with 128 + the signal's number (143, 129).
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)

    @property
    def code(self) -> int:
        """The exit code: 128 + the signal's number, as a shell reports a death by signal."""
        return 128 + self.signum


def on_termination(active: bool = True) -> Callable[[], None]:
    """Have SIGTERM and SIGHUP raise :class:`Terminated`; return what puts the handlers back.

    Only in the main thread, and only when ``active``. A signal the process
    ignores (``nohup`` ignores SIGHUP) stays ignored. Once one arrived, both
    are ignored from then on, so that a second cannot cut the clean-up short,
    and the returned function leaves them so.
    """
    names = ("SIGTERM", "SIGHUP")
    wanted = [getattr(signal, name) for name in names if hasattr(signal, name)]
    if not active or threading.current_thread() is not threading.main_thread():
        return lambda: None
    wanted = [s for s in wanted if signal.getsignal(s) is not signal.SIG_IGN]
    fired: list[int] = []

    def handler(signum: int, frame: object) -> None:
        for number in wanted:
            signal.signal(number, signal.SIG_IGN)
        fired.append(signum)
        raise Terminated(signum)

    previous = {number: signal.signal(number, handler) for number in wanted}

    def restore() -> None:
        if not fired:
            for number, before in previous.items():
                signal.signal(number, before)

    return restore


def seed(text: str) -> int:
    """A random seed: a whole number from 0 to 2**64 - 1 (numpy's range)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value < 2**64:
        raise argparse.ArgumentTypeError(f"{text} is out of range: give 0 to 2**64 - 1")
    return value


def port(text: str) -> int:
    """A TCP port: 0 (any free one) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port: give 0 to 65535")
    return value


def encoding(name: str) -> str:
    """A text encoding Python knows (``gb18030``, ``utf-16``); not ``rot13`` or ``uu_codec``."""
    try:
        codecs.lookup(name)
    except (LookupError, ValueError):
        raise argparse.ArgumentTypeError(f"{name!r} is not an encoding Python knows") from None
    try:
        "".encode(name)
        b"".decode(name)
    except LookupError:
        raise argparse.ArgumentTypeError(
            f"{name!r} is not a text encoding (a codec of bytes to bytes or text to text)"
        ) from None
    return name


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
            help="no progress line and no warnings on standard error (errors and rows "
            "skipped still show)",
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
    serve.add_argument("--port", type=port, default=8000, help="port (default 8000)")
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


def tell_notes(notes: InputNotes, err: TextIO, args: argparse.Namespace | None = None) -> None:
    """What reading said, on standard error: each row skipped (its problems indented), and —
    unless ``args`` asks for quiet (``-q``) — the warnings, at most
    :data:`~cssp.model.notes.WARNINGS_SHOWN` of a kind, the last one shown followed by how
    many more of that kind there are — and, when ``args`` asks for a JSON document (which
    carries the notes: the first :data:`~cssp.model.notes.WARNINGS_KEPT` of a kind), how many
    of them it lists."""
    from cssp.model.notes import shown_warnings  # noqa: PLC0415

    for row in notes.skipped:
        err.write(f"cssp: skipped {row.where}:\n")
        for where, message in row.problems:
            err.write(f"  {where}: {message}\n")
    document = (  # the documents that carry what reading said
        args is not None
        and getattr(args, "command", None) in ("evaluate", "validate")
        and getattr(args, "format", None) in ("json", "json-compact")
    )
    if args is not None and getattr(args, "quiet", 0) > 0:
        return  # -q: no warnings (a row skipped is still listed: it is not evaluated)
    for note, more in shown_warnings(notes):
        err.write(f"cssp: warning: {note.where}: {note.message}\n")
        if more:
            listed = ""
            if document:
                kept = sum(1 for n in notes.warnings if n.group == note.group)
                listed = (
                    f"; the JSON document lists the first {kept:,}"
                    if dict(notes.warnings_left_out).get(note.group)
                    else "; the JSON document lists them all"
                )
            err.write(f"cssp: warning: {more:,} more of this kind not shown{listed}\n")


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


def find_community(communities: Sequence[Community], wanted: str, file: str) -> Community:
    """The community ``wanted`` names: by code, by key (code and name), or by name alone."""
    import cssp  # noqa: PLC0415 - only when a community is looked for

    by_key = [c for c in communities if c.key == wanted]  # a 12-digit code is its key
    if by_key:
        return by_key[0]
    named = [c for c in communities if c.name == wanted]
    if len(named) == 1:
        return named[0]
    if named:
        keys = "; ".join(c.key for c in named)
        raise cssp.InputError(
            f"{len(named)} communities are named {wanted!r}: {keys}; give the code", "--community"
        )
    placed = [c for c in communities if c.code == wanted]
    if placed:
        keys = "; ".join(c.key for c in placed)
        raise cssp.InputError(
            f"{wanted} is the code of a township with communities placed by name: {keys}; "
            "give one's name",
            "--community",
        )
    raise cssp.InputError(f"no community {wanted} in {file}", "--community")


def explain_in(assessment: Assessment, lang: str) -> str:
    """Every finding of one community in one language: its status, target and explanation."""
    c = assessment.community
    zh = lang == "zh"
    lines = [f"{c.name}（{c.key}）" if zh else f"{c.name} ({c.key})".lstrip()]
    for index, f in enumerate(assessment.findings, 1):
        status = f.status.zh if zh else f.status.value.replace("_", " ")
        lines += [
            f"{index}. {status} — {f.target.name.get(lang)} [{f.target.id}]",
            f"   {f.explain(lang)}",
        ]
    return "\n".join(lines) + "\n"


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
