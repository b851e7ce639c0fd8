"""Fuzzing the whole command: random files × random flags × both engines × every output format.

Hypothesis builds input files — real-shaped tables of communities in CSV, TSV,
JSON, JSON Lines, TOML, Excel and Parquet, with valid values and hostile ones
(control characters, formulas, unclosed quotes, ``1e308``, ``1e-400``, NaN,
huge integers, booleans where counts belong, wrong encodings), then sometimes
truncated, spliced with hostile bytes or replaced by noise — and a command
line for them: ``evaluate`` (both engines: ``--engine batch`` on Parquet),
``validate``, ``explain`` and ``targets``, with every output format, to
standard output or to ``-o`` a file, and random options. Each is run through
:func:`cssp.cli.main` in this process, with standard output and error
captured, and a few as real ``python -m cssp`` processes. The promise of
``SECURITY.md``:

* the exit code is 0, 1 or 2 (argparse's usage errors are 2 too) — never an
  exception out of ``main``, never a traceback on standard error;
* standard error begins with ``cssp`` (or a usage message), and standard
  output and error carry no terminal control characters;
* nothing partial is left behind: no temporary file in the output folder,
  and no output file at all when the exit code is 2.

The bounded profiles (``dev``, ``ci``) run about 300 command lines in well
under a minute; ``make fuzz`` (``HYPOTHESIS_PROFILE=fuzz``) runs 30,000 in
process and 200 as processes. The run ends with a count (``conftest.py``)::

    fuzz_command: 306 inputs tried (exit 0: 120, exit 1: 30, exit 2: 156, processes: 6)
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Callable
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cssp import cli
from cssp import testing as cst

#: In-process tests here; ``make fuzz`` shares 30,000 command lines among them
#: (``CSSP_FUZZ_COMMANDS=N`` for another number).
_TESTS: Final = 5
_FUZZ: Final = settings().max_examples >= 1000
_TOTAL: Final = int(os.environ.get("CSSP_FUZZ_COMMANDS", "30000"))
_EXAMPLES: Final = _TOTAL // _TESTS if _FUZZ else 80
_PROCESSES: Final = 200 if _FUZZ else 6
_SETTINGS: Final = settings(
    max_examples=_EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)
#: The Unicode bidirectional controls (with the C0/C1 controls: what a terminal acts on).
_BIDI: Final = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _active(text: str) -> list[str]:
    """The characters of ``text`` a terminal would act on: controls but tab, newline, CR LF."""
    text = text.replace("\r\n", "\n")
    return [c for c in text if (unicodedata.category(c) == "Cc" and c not in "\t\n") or c in _BIDI]


_OWN_COLOURS: Final = ("\x1b[0m", "\x1b[2m", "\x1b[31m", "\x1b[32m", "\x1b[33m")

# --- values ------------------------------------------------------------------------------

_HOSTILE_TEXT: Final = (
    "",
    " ",
    "\x1b]0;pwned\x07",
    "\x1b[2J",
    "\u202e反转",
    "\x9b31m",
    '=HYPERLINK("http://x","y")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\tx",
    "\rx",
    "\x00",
    '"unclosed',
    "a,b",
    "1e308",
    "-1e308",
    "1e-400",
    "1e400",
    "NaN",
    "inf",
    "-0",
    "9" * 400,
    "true",
    "是",
    "1,200户",
    "3 kg",
    "m**9**9**9",
    "[" * 3000,
    "１２３",
    "\ufeff",
    "\udcff",
)
_NUMBERS: Final = st.one_of(
    st.integers(min_value=0, max_value=20_000),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1e308, 1e-320, 2**64, -1, 0.5, True, False]),
)
_VALUES: Final = st.one_of(
    _NUMBERS, st.sampled_from(_HOSTILE_TEXT), st.text(max_size=12), st.none()
)

#: Columns of cssp's table format, a few under their Chinese names, and one unknown.
_COLUMNS: Final = (
    "households",
    "population",
    "building_area",
    "community_workers",
    "trained_workers",
    "has_facility",
    "facility_floor_area",
    "facility_activity_area",
    "facility_opening_hours",
    "commercial_floor_area",
    "old_residential_area",
    "elderly_monthly_visit_rate",
    "registered_volunteers",
    "户数",
    "常住人口(人)",
    "综合服务设施面积(平方米)",
    "楼层",
)
_HEADS: Final = {"code": ("code", "统计用区划代码"), "name": ("name", "村(社区)名称")}


_YES_NO: Final = ("has_facility", "old_residential_area")


def _valid(column: str) -> st.SearchStrategy[Any]:
    """A plausible value of ``column``: yes/no for flags, a modest count or area otherwise."""
    if column == "has_facility":  # 否 with a floor area is a contradiction: a problem
        return st.sampled_from(["是", "yes"])
    if column in _YES_NO:
        return st.sampled_from(["是", "否", "yes", "no"])
    if column == "elderly_monthly_visit_rate":
        return st.integers(min_value=0, max_value=100)
    if column in ("trained_workers", "facility_activity_area"):
        return st.integers(min_value=0, max_value=3)
    if column == "facility_opening_hours":
        return st.integers(min_value=0, max_value=24)
    return st.integers(min_value=4, max_value=5000)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[Any]]]:
    """A header and rows: plausible figures, with a share of hostile values (often none)."""
    columns = draw(st.lists(st.sampled_from(_COLUMNS), min_size=1, max_size=6, unique=True))
    if "楼层" in columns and draw(st.integers(0, 3)):  # an unknown column, now and then
        columns.remove("楼层")
    code_head = draw(st.sampled_from(_HEADS["code"]))
    name_head = draw(st.sampled_from(_HEADS["name"]))
    header = [code_head, name_head, *columns]
    count = draw(st.integers(min_value=0, max_value=6) if draw(st.booleans()) else st.just(3))
    codes = draw(st.lists(cst.community_codes(), min_size=count, max_size=count, unique=True))
    percent = draw(st.sampled_from([0, 0, 0, 5, 20, 60]))  # hostile cells, in percent

    def value(valid: st.SearchStrategy[Any], hostile: st.SearchStrategy[Any]) -> Any:
        return draw(hostile if draw(st.integers(0, 99)) < percent else valid)

    names = st.sampled_from(["社区", "Village", "东村"])
    controls = st.one_of(
        st.characters(categories=["Cc"]), st.sampled_from(sorted(_BIDI)), st.just("社")
    )
    hostile_names = st.one_of(
        st.sampled_from(_HOSTILE_TEXT), st.text(controls, min_size=1, max_size=8)
    )
    rows = [
        [
            value(st.just(code), st.sampled_from(_HOSTILE_TEXT)),
            draw(st.one_of(names, hostile_names)),  # names are hostile often: they reach output
            *(value(_valid(column), _VALUES) for column in columns),
        ]
        for code in codes
    ]
    return header, rows


# --- files -------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _csv(header: list[str], rows: list[list[Any]], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8", "surrogatepass")


#: Where a table's column goes in a JSON or TOML community; a column not here is an unknown key.
_PATHS: Final = {
    "households": ("households",),
    "户数": ("households",),
    "population": ("population",),
    "常住人口(人)": ("population",),
    "building_area": ("building_area",),
    "community_workers": ("staff", "community_workers"),
    "trained_workers": ("staff", "trained_workers"),
    "facility_floor_area": ("facility", "floor_area"),
    "综合服务设施面积(平方米)": ("facility", "floor_area"),
    "facility_activity_area": ("facility", "activity_area"),
    "facility_opening_hours": ("facility", "opening_hours"),
}


def _records(header: list[str], rows: list[list[Any]]) -> list[dict[str, Any]]:
    """The rows as community documents: nested as cssp's JSON has them."""
    records = []
    for row in rows:
        record: dict[str, Any] = {"code": row[0], "name": row[1]}
        for column, value in zip(header[2:], row[2:], strict=True):
            path = _PATHS.get(column, (column,))
            if column == "has_facility":  # a table's column; a document lists facilities
                continue
            if column == "commercial_floor_area":
                facilities = record.setdefault("facilities", [{"kind": "comprehensive"}])
                facilities.append({"kind": "commercial", "floor_area": value})
            elif column == "old_residential_area" and value in ("是", "否", "yes", "no"):
                record[column] = value in ("是", "yes")
            elif path[0] == "facility":
                facilities = record.setdefault("facilities", [{"kind": "comprehensive"}])
                facilities[0][path[1]] = value
            elif len(path) == 2:
                record.setdefault(path[0], {})[path[1]] = value
            else:
                record[path[0]] = value
        records.append(record)
    return records


def _json(header: list[str], rows: list[list[Any]]) -> bytes:
    document = {"schema_version": 1, "communities": _records(header, rows)}
    return json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _jsonl(header: list[str], rows: list[list[Any]]) -> bytes:
    lines = [json.dumps(r, ensure_ascii=False) for r in _records(header, rows)]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def _toml_value(value: Any) -> str:
    if isinstance(value, dict):
        pairs = ", ".join(
            f"{json.dumps(k, ensure_ascii=False)} = {_toml_value(v)}"
            for k, v in value.items()
            if v is not None
        )
        return "{" + pairs + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    return json.dumps(_cell(value))


def _toml(header: list[str], rows: list[list[Any]]) -> bytes:
    lines = ["schema_version = 1"]
    for record in _records(header, rows):
        lines.append("[[communities]]")
        lines += [
            f"{json.dumps(k, ensure_ascii=False)} = {_toml_value(v)}"
            for k, v in record.items()
            if v is not None
        ]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def _xlsx(header: list[str], rows: list[list[Any]]) -> bytes:
    openpyxl = pytest.importorskip("openpyxl")
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = openpyxl.Workbook()
    sheet = book.active
    for line in [header, *rows]:
        cells = []
        for value in line:
            cell = value
            if isinstance(value, str):
                cell = ILLEGAL_CHARACTERS_RE.sub("", value).encode("utf-8", "replace").decode()
            elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
                cell = str(value)
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _parquet(header: list[str], rows: list[list[Any]]) -> bytes:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    names = ["code", "name", *header[2:]]
    columns: dict[str, Any] = {}
    for index, name in enumerate(names):
        values = [row[index] for row in rows]
        try:
            columns[name] = pa.array(values)
        except (pa.ArrowException, OverflowError, TypeError, ValueError):
            text = [
                None if v is None else str(v).encode("utf-8", "replace").decode() for v in values
            ]
            columns[name] = pa.array(text, type=pa.string())
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns) if columns else pa.table({"code": []}), buffer)
    return buffer.getvalue()


_WRITERS: Final[dict[str, Callable[[list[str], list[list[Any]]], bytes]]] = {
    "csv": _csv,
    "tsv": lambda h, r: _csv(h, r, "\t"),
    "json": _json,
    "jsonl": _jsonl,
    "toml": _toml,
    "xlsx": _xlsx,
    "parquet": _parquet,
}


@st.composite
def files(
    draw: st.DrawFn, formats: tuple[str, ...] = tuple(_WRITERS)
) -> tuple[str, bytes, list[str]]:
    """A file's suffix, its bytes and its rows' codes: a table in a format, perhaps mangled."""
    suffix = draw(st.sampled_from(formats))
    header, rows = draw(tables())
    data = _WRITERS[suffix](header, rows)
    mangle = draw(st.sampled_from(["none"] * 12 + ["truncate", "splice", "noise", "gbk"]))
    # places as shares of the length: a workbook's length varies (zip timestamps), and
    # hypothesis must draw the same way when it replays an example
    share = st.floats(min_value=0, max_value=1)
    if mangle == "truncate" and data:
        data = data[: min(len(data) - 1, int(draw(share) * len(data)))]
    elif mangle == "splice":
        at = int(draw(share) * len(data))
        junk = draw(st.one_of(st.binary(max_size=16), st.sampled_from(_HOSTILE_TEXT)))
        piece = junk if isinstance(junk, bytes) else junk.encode("utf-8", "surrogatepass")
        data = data[:at] + piece + data[at:]
    elif mangle == "noise":
        data = draw(st.binary(max_size=200))
    elif mangle == "gbk" and suffix in ("csv", "tsv", "json", "jsonl"):
        data = data.decode("utf-8", "replace").encode("gbk", "replace")
    return suffix, data, [str(row[0]) for row in rows]


# --- command lines -----------------------------------------------------------------------

_YEARS: Final = st.sampled_from([None, None, "2020", "2025", "2023"])
_BAD_YEARS: Final = st.sampled_from(["2019", "1", "99999", "-1", "x"])
_ENCODINGS: Final = st.sampled_from([None, "utf-8", "gb18030", "utf-16", "latin-1", "rot13"])
_INPUT_FORMATS: Final = st.sampled_from([None, "csv", "json", "jsonl", "toml", "xlsx"])


def _input_options(draw: st.DrawFn) -> list[str]:
    argv: list[str] = []
    for flag, values in (("--encoding", _ENCODINGS), ("--input-format", _INPUT_FORMATS)):
        value = draw(values) if draw(st.integers(0, 5)) == 0 else None
        if value is not None:
            argv += [flag, value]
    for flag in ("--skip-invalid", "--strict-codes"):
        if draw(st.integers(0, 4)) == 0:
            argv.append(flag)
    return argv


@st.composite
def command_lines(
    draw: st.DrawFn,
    input_name: str,
    suffix: str,
    codes: list[str] = (),  # type: ignore[assignment]
) -> list[str]:
    """A command line for the file ``input_name``; ``{out}`` stands for an output file."""
    command = draw(st.sampled_from(["evaluate", "evaluate", "validate", "explain", "explain"]))
    argv: list[str] = [command, input_name]
    if command == "evaluate":
        batch = suffix == "parquet" and draw(st.booleans())
        formats = ["json", "text", "markdown", "xlsx", "xlsx", "parquet"] + (
            [] if batch else ["csv", "html"]
        )
        format = draw(st.sampled_from(formats))
        argv += ["--format", format, "--no-plugins"]
        if batch:
            argv += ["--engine", "batch"]
        if format in ("xlsx", "parquet") or draw(st.booleans()):
            argv += ["-o", "{out}"]
        argv += ["--by", draw(st.sampled_from(cli.LEVELS))]
        argv += ["--lang", draw(st.sampled_from(["zh", "en"]))]
        year = draw(_BAD_YEARS if draw(st.integers(0, 9)) == 0 else _YEARS)
        if year is not None:
            argv += ["--year", year]
        for flag in ("--no-communities", "--no-members", "--fail-on=unmet", "--colour=always"):
            if draw(st.integers(0, 3)) == 0:
                argv.append(flag)
        if draw(st.integers(0, 9)) == 0:
            argv += ["--plan", draw(st.sampled_from(["fyp13", "nope"]))]
        if not batch:
            argv += _input_options(draw)
    elif command == "validate":
        argv += ["--format", draw(st.sampled_from(["text", "json"])), *_input_options(draw)]
    else:
        known = st.sampled_from(codes) if codes else cst.community_codes()
        wanted = draw(st.one_of(known, known, known, st.sampled_from(_HOSTILE_TEXT[:8])))
        argv += ["--community", wanted, "--no-plugins"]
        argv += ["--format", draw(st.sampled_from(["text", "json"]))]
        if draw(st.booleans()):
            argv += ["--lang", draw(st.sampled_from(["zh", "en"]))]
        if draw(st.integers(0, 3)) == 0:
            argv += ["--target", draw(st.sampled_from(["urban_facility_coverage", "nope"]))]
        argv += _input_options(draw)
    return argv


# --- running -----------------------------------------------------------------------------


def run_in_process(argv: list[str]) -> tuple[int, str, str]:
    """``cssp argv`` through :func:`cssp.cli.main`, its output captured: (code, stdout, stderr)."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")
    err = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as stop:  # argparse: a usage error
            code = stop.code if isinstance(stop.code, int) else 2
    out.flush()
    raw = out.buffer.getvalue()
    text = raw.decode("utf-8", "replace") if b"PK\x03\x04" not in raw[:4] else ""
    return code, text if not raw.startswith(b"PAR1") else "", err.getvalue()


def check(code: int, out: str, err: str, folder: pathlib.Path, keep: set[str], output: str) -> None:
    """The promise: a known exit code, no traceback, clean text, nothing partial left."""
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    # the first line says who speaks; a message may go on (a list of problems, or a
    # library's own message quoted, such as pyarrow's over two lines)
    assert not lines or lines[0].startswith(("cssp", "usage:", "\r")), err
    for text in (out, err):
        plain = text
        for style in _OWN_COLOURS:
            plain = plain.replace(style, "")
        assert not _active(plain), text
    left = {p.name for p in folder.iterdir()} - keep
    assert not [name for name in left if name.endswith(".tmp")], left
    if code == 2:
        assert left == set(), (left, err)
    else:
        assert left <= {output}, left


def _fuzz(data: st.DataObject, formats: tuple[str, ...], tried: Any) -> None:
    suffix, content, codes = data.draw(files(formats), label="file")
    with tempfile.TemporaryDirectory() as name:
        folder = pathlib.Path(name)
        source = folder / f"input.{suffix}"
        source.write_bytes(content)
        argv = data.draw(command_lines(str(source), suffix, codes), label="argv")
        output = "out." + (argv[argv.index("--format") + 1] if "--format" in argv else "txt")
        argv = [a.replace("{out}", str(folder / output)) for a in argv]
        code, out, err = run_in_process(argv)
        check(code, out, err, folder, {source.name}, output)
    tried[f"exit {code}"] += 1


@pytest.mark.parametrize(
    "formats",
    [
        pytest.param(("csv", "tsv"), id="delimited"),
        pytest.param(("json", "jsonl"), id="json"),
        pytest.param(("toml",), id="toml"),
        pytest.param(("xlsx",), id="xlsx"),
        pytest.param(("parquet",), id="parquet"),
    ],
)
@_SETTINGS
@given(data=st.data())
def test_the_command_keeps_its_promise(
    fuzz_command_tried: Any, formats: tuple[str, ...], data: st.DataObject
) -> None:
    _fuzz(data, formats, fuzz_command_tried)


@st.composite
def targets_lines(draw: st.DrawFn) -> list[str]:
    code = draw(st.one_of(st.sampled_from(["", "44", "4401", "99", "440106001001"]), st.text()))
    argv = ["targets", "--code", code, "--no-plugins"]
    argv += ["--format", draw(st.sampled_from(["text", "json", "markdown", "csv"]))]
    if draw(st.booleans()):
        argv += ["-o", "{out}"]
    return argv


@settings(_SETTINGS, max_examples=max(20, _EXAMPLES // 10))
@given(argv=targets_lines())
def test_targets_keeps_its_promise(fuzz_command_tried: Any, argv: list[str]) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = pathlib.Path(name)
        argv = [a.replace("{out}", str(folder / "out.txt")) for a in argv]
        code, out, err = run_in_process(argv)
        check(code, out, err, folder, set(), "out.txt")
    fuzz_command_tried[f"exit {code}"] += 1


@settings(_SETTINGS, max_examples=_PROCESSES)
@given(data=st.data())
def test_the_command_as_a_process_keeps_its_promise(
    fuzz_command_tried: Any, data: st.DataObject
) -> None:
    """A few command lines as real processes: the interpreter's own exit path counts too."""
    suffix, content, codes = data.draw(files(), label="file")
    with tempfile.TemporaryDirectory() as name:
        folder = pathlib.Path(name)
        source = folder / f"input.{suffix}"
        source.write_bytes(content)
        argv = data.draw(command_lines(str(source), suffix, codes), label="argv")
        # no operating system passes a NUL byte in an argument (run in process, it is tried)
        assume(not any("\x00" in a for a in argv))
        output = "out." + argv[argv.index("--format") + 1]
        argv = [a.replace("{out}", str(folder / output)) for a in argv]
        done = subprocess.run(
            [sys.executable, "-m", "cssp", *argv],
            capture_output=True,
            timeout=300,
            env=dict(os.environ, CSSP_DISABLE_PLUGIN_AUTOLOAD="1", PYTHONIOENCODING="utf-8"),
            check=False,
        )
        out = done.stdout.decode("utf-8", "replace") if "xlsx" not in argv else ""
        out = "" if "parquet" in argv else out
        err = done.stderr.decode("utf-8", "replace")
        check(done.returncode, out, err, folder, {source.name}, output)
    fuzz_command_tried["processes"] += 1
