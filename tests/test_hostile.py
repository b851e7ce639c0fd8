"""Hostile input: what a probe written without looking at cssp tried (issue 16, the input side).

Each class of input once gave a traceback, a silent loss or a hang; each is now
refused with one located error (exit 2), the same in both engines where both
read it. The files of the classes are in ``tests/data/bad/`` (refused when
read) and ``tests/data/hostile/`` (refused when evaluated, or by both engines
alike); every call of the command is a real process on a real file.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import subprocess
import sys
from typing import Any

import pytest

HERE = pathlib.Path(__file__).parent
HOSTILE = HERE / "data" / "hostile"


def cssp(*args: str, cwd: pathlib.Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "cssp", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        check=False,
        timeout=120,
    )


def refused(done: subprocess.CompletedProcess[str]) -> str:
    """The error line(s) of a run that must be exit 2 with no traceback."""
    assert done.returncode == 2, (done.stdout[-2000:], done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("cssp: error:"), done.stderr
    return done.stderr


# --- sums beyond the largest float ---------------------------------------------------------


OVERFLOW = "code,households,facility_floor_area\n440106001001,1200,1e308\n440106001002,800,1e308\n"


def test_a_sum_beyond_the_largest_float_is_refused_by_both_engines(
    tmp_path: pathlib.Path,
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    pa = pytest.importorskip("pyarrow")
    (tmp_path / "big.csv").write_text(OVERFLOW, encoding="utf-8")
    table = pa.table(
        {
            "code": ["440106001001", "440106001002"],
            "households": [1200, 800],
            "facility_floor_area": [1e308, 1e308],
        }
    )
    pq.write_table(table, tmp_path / "big.parquet")
    expected = (
        "cssp: error: region 440106: the communities' values of "
        "facilities.comprehensive_floor_area add up to more than the largest number"
    )
    errors = set()
    runs = (("big.csv", "scalar"), ("big.parquet", "scalar"), ("big.parquet", "batch"))
    for name, engine in runs:
        for form in ("json", "text"):
            out = tmp_path / f"out.{form}"
            done = cssp(
                "evaluate", name, "--engine", engine, "--format", form, "-o", str(out),
                cwd=tmp_path,
            )  # fmt: skip
            assert refused(done).startswith(expected)
            assert not out.exists()
            errors.add(done.stderr)
    assert len(errors) == 1  # the same message, whichever the engine and the format


def test_one_value_whose_scaled_figure_is_infinite_is_refused(tmp_path: pathlib.Path) -> None:
    # 1e308 m² for one household: 1e310 m² per 100 households, beyond the largest float
    (tmp_path / "one.csv").write_text(
        "code,households,facility_floor_area\n440106001001,1,1e308\n", encoding="utf-8"
    )
    assert "region 440106" in refused(cssp("evaluate", "one.csv", cwd=tmp_path))


# --- readers: what was lost without a word -------------------------------------------------


def test_an_unclosed_quote_skips_its_row_with_skip_invalid(tmp_path: pathlib.Path) -> None:
    (tmp_path / "rows.csv").write_text(
        'code,name,households\n440106001001,一,1200\n440106001002,"二,800\n440106001003,三,5\n',
        encoding="utf-8",
    )
    done = cssp("validate", "rows.csv", "--skip-invalid", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1 communities read" in done.stdout
    assert "rows.csv: row 3 (lines 3–4): a quote" in done.stderr


def test_a_quoted_cell_over_two_lines_is_still_read(tmp_path: pathlib.Path) -> None:
    from cssp.io import read_communities

    path = tmp_path / "rows.csv"
    path.write_text(
        'code,name,households\n440106001001,"第一行,\n第二行",1200\n440106001002,"引号""内",800\n',
        encoding="utf-8",
    )
    read = read_communities(path)
    assert [c.name for c in read] == ["第一行,\n第二行", '引号"内']


def test_a_number_below_the_smallest_float_is_not_zero() -> None:
    from cssp.units import underflows

    assert underflows("1e-400")
    assert underflows("-0.5E-999")
    assert not underflows("0e-400")
    assert not underflows("0.000")


# --- profile files -------------------------------------------------------------------------


def test_a_profile_nested_thousands_deep_is_a_profile_error(tmp_path: pathlib.Path) -> None:
    import cssp as library

    path = tmp_path / "deep.toml"
    path.write_text("schema = 1\nid = 'x'\na = " + "[" * 5000 + "]" * 5000 + "\n", "utf-8")
    with pytest.raises(library.ProfileError, match=r"deep\.toml: nested too deeply"):
        library.load_profile(path)


def test_a_profile_not_in_utf8_is_a_profile_error_naming_the_byte(tmp_path: pathlib.Path) -> None:
    import cssp as library

    path = tmp_path / "gbk.toml"
    path.write_bytes('schema = 1\nid = "gd"\n# 广东\n'.encode("gbk"))
    with pytest.raises(library.ProfileError, match=r"gbk\.toml: byte 23: not UTF-8 text"):
        library.load_profile(path)


def test_a_profile_with_a_huge_integer_is_a_profile_error() -> None:
    from cssp.errors import ProfileError
    from cssp.rules.toml import parse_profile

    with pytest.raises(ProfileError, match=r"big\.toml: not valid TOML"):
        parse_profile("schema = " + "9" * 5000 + "\n", where="big.toml")


def test_a_cases_file_and_a_column_map_refuse_the_same(tmp_path: pathlib.Path) -> None:
    deep = "schema = 1\nx = " + "[" * 5000 + "]" * 5000 + "\n"
    (tmp_path / "cases.toml").write_text(deep, "utf-8")
    assert "cases.toml: nested too deeply" in refused(
        cssp("test-profile", "cases.toml", cwd=tmp_path)
    )
    (tmp_path / "map.toml").write_bytes("[columns]\n代码 = 'code'\n".encode("gbk"))
    (tmp_path / "rows.csv").write_text("code,households\n440106001001,5\n", "utf-8")
    done = cssp("validate", "rows.csv", "--columns", "map.toml", cwd=tmp_path)
    assert "map.toml: byte 10: not UTF-8 text" in refused(done)


# --- plugin code, through the command ------------------------------------------------------

PLUGIN = """\
import math, sys, time
from attrs import define
import cssp
{at_import}

@define(frozen=True)
class Rule(cssp.StaffingRule):
    def required(self, community):
        {body}


@cssp.hookimpl
def cssp_profiles():
    rule = Rule(cssp.Citation(document="test"), cssp.Text("测试", "test"))
    return [
        cssp.Profile(
            id="fake", plan="fyp14", scope="33", title=cssp.Text("测试", "test"),
            issuer="test", document="test", staffing=rule,
        )
    ]
"""


def installed(tmp_path: pathlib.Path, body: str, at_import: str = "") -> dict[str, str]:
    """A fake distribution ``cssp-fake 1.0`` in a folder; the environment that finds it."""
    site = tmp_path / "site"
    info = site / "cssp_fake-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: cssp-fake\nVersion: 1.0\n", "utf-8"
    )
    (info / "entry_points.txt").write_text("[cssp]\nfake = cssp_fake\n", "utf-8")
    (site / "cssp_fake.py").write_text(PLUGIN.format(body=body, at_import=at_import), "utf-8")
    return {"PYTHONPATH": str(site), "CSSP_DISABLE_PLUGIN_AUTOLOAD": ""}


PLUGIN_CASES = {
    "exits": ("sys.exit(3)", "", "called sys.exit(3)"),
    "NaN": ("return math.nan", "", "returned nan"),
    "a string": ("return 'nine'", "", "returned 'nine' (str)"),
    "raises": ("raise RuntimeError('oops')", "", "raised RuntimeError: oops"),
    "changes the community": (
        "object.__setattr__(community, 'households', 1); community.households = 2",
        "",
        "raised FrozenInstanceError",
    ),
    "sleeps": ("time.sleep(60)", "", "did not finish within 1 s"),
    "interrupts at import": ("return 1", "raise KeyboardInterrupt", "raised KeyboardInterrupt"),
}


@pytest.mark.parametrize("case", sorted(PLUGIN_CASES))
def test_plugin_code_that_goes_wrong_is_exit_2_naming_the_distribution(
    tmp_path: pathlib.Path, case: str
) -> None:
    body, at_import, expected = PLUGIN_CASES[case]
    env = installed(tmp_path, body, at_import)
    (tmp_path / "rows.csv").write_text(
        "code,households,community_workers\n330106002001,900,9\n", encoding="utf-8"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cssp",
            "evaluate",
            "rows.csv",
            "-o",
            "out.json",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8", "CSSP_PLUGIN_TIMEOUT": "1", **env},
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    error = refused(done)
    assert "cssp-fake 1.0" in error
    assert expected in error
    assert not (tmp_path / "out.json").exists()


# --- both engines accept and refuse the same Parquet files ---------------------------------

CODES = ("440106001001", "440106001002", "330106002001", "110101001001")
FLOATS = (0.0, 2.5, 12.0, -1.0, -0.0, 1e308, 1e-320, 2.0**53, float("nan"), float("inf"))
TEXTS = ("5", "many", "1,200户", "约800", "3 kg", "420平方米", "", "nan", "是", "12.5", "9" * 400)
INTEGERS = (0, 3, 12, -4, 2**53 + 1)


def _hostile_column(draw: Any, name: str, rows: int) -> Any:
    import pyarrow as pa
    from hypothesis import strategies as st

    kind = draw(st.sampled_from(["int", "uint64", "float", "bool", "text", "null", "date"]))

    def cells(values: Any) -> list[Any]:
        return [draw(st.one_of(st.none(), st.sampled_from(values))) for _ in range(rows)]

    if kind == "int":
        return pa.array(cells(INTEGERS), pa.int64())
    if kind == "uint64":
        return pa.array(cells((0, 7, 2**64 - 1)), pa.uint64())
    if kind == "float":
        return pa.array(cells(FLOATS), pa.float64())
    if kind == "bool":
        return pa.array(cells((True, False)), pa.bool_())
    if kind == "text":
        return pa.array(cells(TEXTS), pa.string())
    if kind == "date":
        return pa.array(cells((1, 2)), pa.int32()).cast(pa.date32())
    return pa.nulls(rows)


#: Chinese headers the reader knows (cssp.io.readers.HEADER_ALIASES) for some columns.
CHINESE = {
    "code": "统计用区划代码",
    "households": "户数",
    "population": "常住人口",
    "community_workers": "社区工作者",
    "has_facility": "有综合服务设施",
}

COLUMN_NAMES = (
    "households",
    "population",
    "facility_floor_area",
    "facility_activity_area",
    "facility_opening_hours",
    "community_workers",
    "trained_workers",
    "has_facility",
    "old_residential_area",
    "extra.childcare_places",
)


def _outcome(run: Any) -> tuple[str, str]:
    import cssp as library

    try:
        run()
    except library.InputError as error:
        return "refused", str(error)
    return "accepted", ""


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_both_engines_accept_and_refuse_the_same_parquet_files(tmp_path: pathlib.Path) -> None:
    pytest.importorskip("pyarrow")
    import pyarrow as pa
    import pyarrow.parquet as pq
    from hypothesis import event, given, settings
    from hypothesis import strategies as st

    import cssp as library
    import cssp.batch
    from cssp.io.readers import read_input

    # the profile's number of examples (ci 200, fuzz 5000), or CSSP_HOSTILE_EXAMPLES
    many = os.environ.get("CSSP_HOSTILE_EXAMPLES")
    chosen = (
        settings(deadline=None) if many is None else settings(max_examples=int(many), deadline=None)
    )

    @chosen
    @given(st.data())
    def check(data: Any) -> None:
        rows = data.draw(st.integers(0, 6))
        codes = data.draw(
            st.lists(st.sampled_from(CODES), min_size=rows, max_size=rows, unique=rows <= 4)
        )
        names = data.draw(st.lists(st.sampled_from(COLUMN_NAMES), max_size=4, unique=True))
        arrays = [pa.array(codes, pa.string())]
        arrays += [_hostile_column(data.draw, name, rows) for name in names]
        header = ["code", *names]
        if data.draw(st.booleans()):  # headers as a ledger heads them (read by the reader)
            header = [CHINESE.get(name, name) for name in header]
        if names and data.draw(st.booleans()):  # sometimes a column named twice
            arrays.append(arrays[1])
            header.append(header[1])
        path = tmp_path / "hostile.parquet"
        pq.write_table(pa.Table.from_arrays(arrays, names=header), path, row_group_size=4)
        batch_rows = data.draw(st.integers(1, 4))  # bad rows in different batches
        reports = []

        def scalar() -> None:
            read = read_input([str(path)])
            found = library.evaluate_region(read.communities, by="county", profiles=())
            reports.append(found.without_members())

        def batch(kernel: str = "numpy") -> None:
            result = cssp.batch.evaluate_parquet(
                str(path), profiles=(), batch_rows=batch_rows, kernel=kernel
            )
            reports.append(result.report("county", members=False))

        assert _outcome(scalar) == _outcome(batch)
        if importlib.util.find_spec("polars") is not None:  # the Polars kernel: the same
            kept = list(reports)
            assert _outcome(lambda: batch("polars")) == _outcome(batch)
            if len(reports) > len(kept):
                assert reports[-2].regions == reports[-1].regions
            reports[:] = kept
        event("accepted" if len(reports) == 2 else "refused")
        if len(reports) == 2:  # both accepted it: the same regions
            assert reports[0].regions == reports[1].regions

    check()


# --- the corpus of hostile inputs ----------------------------------------------------------


def hostile_corpus() -> list[tuple[str, str, str]]:
    """(file, when, expected text) for each row of tests/data/hostile/README.md."""
    rows = []
    for line in (HOSTILE / "README.md").read_text("utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            rows.append((cells[0].strip("`"), cells[2], cells[3].strip("`")))
    return rows


HOSTILE_CORPUS = hostile_corpus()


def test_the_hostile_manifest_lists_every_file() -> None:
    listed = sorted(name for name, _, _ in HOSTILE_CORPUS)
    assert listed == sorted(p.name for p in HOSTILE.iterdir() if p.name != "README.md")
    assert len(listed) >= 10


@pytest.mark.parametrize(
    ("name", "when", "expected"), HOSTILE_CORPUS, ids=[row[0] for row in HOSTILE_CORPUS]
)
def test_every_hostile_input_is_refused_alike_by_every_command_and_engine(
    name: str, when: str, expected: str
) -> None:
    if name.endswith(".parquet"):
        pytest.importorskip("pyarrow")
    engines = ("scalar", "batch") if name.endswith(".parquet") else ("scalar",)
    errors = {refused(cssp("evaluate", name, "--engine", e, cwd=HOSTILE)) for e in engines}
    assert len(errors) == 1, errors  # the same message from both engines
    assert expected in errors.pop()
    validated = cssp("validate", name, cwd=HOSTILE)
    if when == "read":
        assert expected in refused(validated)
    else:  # the file is well formed: what is wrong shows when its regions are summed
        assert validated.returncode == 0, validated.stderr


def test_a_header_of_many_unknown_columns_lists_a_few(tmp_path: pathlib.Path) -> None:
    header = ",".join(["code", *(f"c{i}" for i in range(200_000))])
    (tmp_path / "wide.csv").write_text(f"{header}\n440106001001\n", "utf-8")
    error = refused(cssp("validate", "wide.csv", cwd=tmp_path))
    assert "wide.csv: row 1, column c0: unknown column 'c0'" in error
    assert len(error.splitlines()) <= 52  # a few are listed; the rest are not spelt out


def test_a_cell_of_ten_megabytes_is_a_located_error(tmp_path: pathlib.Path) -> None:
    (tmp_path / "big.csv").write_text(
        "code,name,households\n440106001001," + "x" * 10_000_000 + ",5\n", "utf-8"
    )
    assert "big.csv: line 2: not valid CSV" in refused(cssp("validate", "big.csv", cwd=tmp_path))


def test_a_count_of_four_hundred_nines_is_refused_alike(tmp_path: pathlib.Path) -> None:
    """Found by the whole-command fuzzer: a text cell of 400 nines in a count column is
    infinity as a float, which the batch engine's whole-number test could not round."""
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    import cssp as library
    import cssp.batch
    from cssp.io.readers import read_input

    table = {"code": ["440106001001"], "community_workers": [3], "trained_workers": ["9" * 400]}
    path = tmp_path / "nines.parquet"
    pq.write_table(pa.table(table), path)
    expected = f"{path}: row 1, column trained_workers: inf is not a finite number"
    with pytest.raises(library.InputError) as read:
        read_input([path])
    with pytest.raises(library.InputError) as batch:
        cssp.batch.evaluate_parquet(path, profiles=())
    assert str(read.value) == str(batch.value) == expected
