"""CSV and TSV blocks read straight into columns for the columnar engine
(:mod:`cssp.io.readers.blocks`, :mod:`cssp.batch.blocks`): the same results and the
same problems, warnings and notes as the blocks read row by row into communities."""

from __future__ import annotations

import importlib.util
import pathlib
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cssp.errors import InputError
from cssp.io.readers.stream import InputStream
from cssp.model.divisions import load_divisions
from helpers import run_cssp

np = pytest.importorskip("numpy")

from cssp.batch.blocks import block_frame  # noqa: E402
from cssp.batch.frame import Frame  # noqa: E402
from cssp.batch.stream import StreamRun  # noqa: E402
from cssp.report import render_report  # noqa: E402

_HERE = pathlib.Path(__file__).parent
_SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _fuzz_files() -> Any:
    spec = importlib.util.spec_from_file_location("_fuzz_files", _HERE / "test_fuzz_readers.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.files


_FILES = _fuzz_files()


def _run(path: pathlib.Path, columns: bool, batch_rows: int, **options: Any) -> Any:
    """What the stream gives the columnar engine: the report of every region (members
    too), the notes and files; or the error. Also how many batches came as columns."""
    columnar = block_frame if columns else None
    stream = InputStream(path, batch_rows=batch_rows, columnar=columnar, **options)
    frames = 0

    def evaluate(stream: InputStream) -> Any:
        nonlocal frames
        run = StreamRun(profiles=())
        for batch in stream:
            if isinstance(batch, Frame):
                frames += 1
            elif any(c.placed_by_name for c in batch):
                return "needs the scalar engine"
            run.add(batch)
        if not len(run):
            return "nothing"
        report = run.result().report("township")
        return render_report(report, "json", include_communities=False)

    try:
        report = evaluate(stream)
        if stream.repeated and options.get("skip_invalid"):
            stream = InputStream(
                path, batch_rows=batch_rows, columnar=columnar, exclude=stream.repeated, **options
            )
            report = evaluate(stream)
    except InputError as error:
        return (type(error).__name__, str(error), error.problems), frames
    return (report, stream.notes, stream.files, stream.communities), frames


_TOWNSHIPS: Final = sorted(code for code in load_divisions() if len(code) == 9)[:400:7]
_HEADERS: Final = {
    "code": ("code", "统计用区划代码", "代码"),
    "name": ("name", "名称"),
    "kind": ("kind", "类型"),
    "households": ("households", "户数(户)", "户数"),
    "population": ("population", "常住人口(人)", "常住人口(万人)"),
    "building_area": ("building_area", "总建筑面积(万平方米)", "总建筑面积(平方米)"),
    "resettlement": ("resettlement", "易地扶贫搬迁安置社区"),
    "elderly_monthly_visit_rate": ("elderly_monthly_visit_rate", "月探访率(%)"),
    "community_workers": ("community_workers", "社区工作者(人)"),
    "trained_workers": ("trained_workers", "已轮训社区工作者"),
    "has_facility": ("has_facility", "有综合服务设施"),
    "facility_floor_area": ("facility_floor_area", "综合服务设施面积(平方米)"),
    "facility_activity_area": ("facility_activity_area", "居民活动区域面积(平方米)"),
    "facility_office_area": ("facility_office_area", "办公面积"),
    "facility_opening_hours": ("facility_opening_hours", "开放时间(小时/天)"),
    "commercial_floor_area": ("commercial_floor_area", "商业设施面积(平方米)"),
    "services": ("services", "服务项目"),
    "5g": ("5g", "5G网络"),
    "broadband": ("broadband",),
    "urban_rural_class": ("urban_rural_class", "城乡分类代码"),
    "extra.childcare_places": ("extra.childcare_places",),
    "county": ("county", "区县"),
}
_NUMBER: Final = st.one_of(
    st.integers(0, 5000).map(str),
    st.floats(0, 3000, allow_nan=False).map(lambda v: f"{v:.2f}"),
    st.floats(0, 1e4, allow_nan=False).map(repr),
)
_ODD: Final = st.sampled_from(
    (
        "",
        " ",
        "约300",
        "1,200",
        "-3",
        "12.5",
        "0.07万",
        "abc",
        "nan",
        "inf",
        "1e-400",
        "1e400",
        "１２",
        "300户",
        "120平方米",
        "9007199254740993",
        "0.5",
        " 12 ",
        "1_000",
        "是",
        "否",
    )
)
_CELLS: Final = {
    "kind": st.sampled_from(("", "urban", "rural", "城市", "农村", "village")),
    "resettlement": st.sampled_from(("", "是", "否", "yes", "false", "1", "maybe")),
    "has_facility": st.sampled_from(("", "是", "否", "true", "0", "√", "?")),
    "services": st.sampled_from(("", "5g;broadband", "5G网络、宽带", "无", "teleport")),
    "5g": st.sampled_from(("", "是", "否", "Y", "n", "x")),
    "broadband": st.sampled_from(("", "true", "false", "2")),
    "urban_rural_class": st.sampled_from(("", "111", "220", "121", "999")),
    "county": st.sampled_from(("", "", "", "东城区")),
    "name": st.sampled_from(("", "示例社区", "水口居委会", "某村(已撤销)", "垌心村委会")),
}


@st.composite
def real_tables(draw: st.DrawFn) -> tuple[str, bytes]:
    """A CSV or TSV like the files users bring: Chinese or English headers (units in them),
    mostly good rows with bad cells here and there, codes met twice, unknown townships,
    blank lines and rows of another width, in UTF-8 (a BOM or not) or GB18030."""
    keys = ["code", *draw(st.lists(st.sampled_from(sorted(_HEADERS)[1:]), unique=True))]
    header = [draw(st.sampled_from(_HEADERS[k])) for k in keys]
    rows: list[str] = []
    used: list[str] = []
    for _ in range(draw(st.integers(1, 14))):
        roll = draw(st.integers(0, 99))
        if roll < 3:
            rows.append("")
            continue
        if roll < 5 and used:
            code = draw(st.sampled_from(used))
        elif roll < 7:
            code = draw(st.sampled_from(("", "12345", "110101999201", "990101001001")))
        else:
            township = draw(st.sampled_from(_TOWNSHIPS))
            code = f"{township}{draw(st.sampled_from((1, 2, 15, 201, 233, 399, 450, 520))):03d}"
        used.append(code)
        cells = [code]
        for key in keys[1:]:
            if key in _CELLS:
                cell = draw(_CELLS[key])
            elif draw(st.integers(0, 9)) == 0:
                cell = draw(_ODD)
            else:
                cell = draw(_NUMBER)
            cells.append(cell)
        if roll == 8:
            cells = cells[:-1] if len(cells) > 1 else [*cells, "extra"]
        rows.append(cells)  # type: ignore[arg-type]
    tab = draw(st.booleans())
    sep = "\t" if tab else ","

    def line(cells: Any) -> str:
        if isinstance(cells, str):
            return cells
        return sep.join(f'"{c}"' if ("," in c or '"' in c) and not tab else c for c in cells)

    text = "\n".join([sep.join(header), *(line(r) for r in rows)]) + "\n"
    encoding = draw(st.sampled_from(("utf-8", "utf-8-sig", "gb18030")))
    return (".tsv" if tab else ".csv"), text.encode(encoding)


def _same(tmp_path: pathlib.Path, file: tuple[str, bytes], batch_rows: int, **options: Any) -> int:
    suffix, data = file
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    by_rows, _ = _run(path, False, batch_rows, **options)
    by_columns, frames = _run(path, True, batch_rows, **options)
    assert by_columns == by_rows
    return int(frames)


@_SETTINGS
@given(
    file=real_tables(),
    batch_rows=st.integers(1, 6),
    skip=st.booleans(),
    strict=st.booleans(),
)
def test_a_real_shaped_table_read_into_columns_is_read_as_row_by_row(
    tmp_path: pathlib.Path, file: tuple[str, bytes], batch_rows: int, skip: bool, strict: bool
) -> None:
    frames = _same(tmp_path, file, batch_rows, skip_invalid=skip, strict_codes=strict)
    event("some blocks read into columns" if frames else "every block read by rows")


@_SETTINGS
@given(file=_FILES(), batch_rows=st.integers(1, 5), skip=st.booleans())
def test_any_table_read_into_columns_is_read_as_row_by_row(
    tmp_path: pathlib.Path, file: tuple[str, bytes], batch_rows: int, skip: bool
) -> None:
    if file[0] not in (".csv", ".tsv"):
        return
    _same(tmp_path, file, batch_rows, skip_invalid=skip)


@_SETTINGS
@given(file=real_tables(), batch_rows=st.integers(1, 6))
def test_a_table_streamed_into_columns_is_the_table_in_one_batch(
    tmp_path: pathlib.Path, file: tuple[str, bytes], batch_rows: int
) -> None:
    suffix, data = file
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    assert _run(path, True, batch_rows)[0] == _run(path, True, 10_000)[0]


@pytest.mark.parametrize("columns", [False, True], ids=["rows", "columns"])
def test_python_digit_grouping_is_no_number_in_any_batch(
    tmp_path: pathlib.Path, columns: bool
) -> None:
    """``float()`` reads ``1_000``; a cell read by itself does not: a batch of one row whose
    column holds it was converted at once (and took it for 1000), a larger one cell by cell
    (found by the property above)."""
    path = tmp_path / "input.csv"
    path.write_text("code,households,building_area\n110101001001,1_000,2_500\n", "utf-8")
    for batch_rows in (1, 10_000):
        error = _run(path, columns, batch_rows)[0]
        assert error[0] == "InputError", error
        assert "row 2, column households: '1_000'" in error[1]
        assert "row 2, column building_area: '2_500'" in error[1]


def _good_table(path: pathlib.Path, rows: int) -> None:
    lines = ["统计用区划代码,名称,户数(户),常住人口(人),综合服务设施面积(平方米),5G网络"]
    for n in range(rows):
        lines.append(f"110101001{n + 1:03d},社区{n},{1000 + n},{3000 + n},{300 + n}.5,是")
    path.write_text("\n".join(lines) + "\n", encoding="gb18030")


def test_good_blocks_reach_the_engine_as_columns(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "good.csv"
    _good_table(path, 10)
    assert _same(tmp_path, (".csv", path.read_bytes()), 3) == 4  # every block, no row path


def test_a_class_that_disagrees_with_the_code_is_a_warning_on_the_column_path_too(
    tmp_path: pathlib.Path,
) -> None:
    """A villagers' committee classed 111 (主城区), as in the bureau's own lists: the row
    path warns of it and reads the row; the column path reads the block all the same, with
    the same warning at the same place (it used to leave such blocks to the row path)."""
    path = tmp_path / "classes.csv"
    lines = ["统计用区划代码,城乡分类代码,名称,户数(户)"]
    for n in range(6):
        village = 201 + n if n % 2 else 1 + n
        lines.append(f"110101001{village:03d},111,社区{n},{1000 + n}")
    path.write_text("\n".join(lines) + "\n", encoding="gb18030")
    by_columns, frames = _run(path, True, 3)
    assert frames == 2  # both blocks read into columns
    assert by_columns == _run(path, False, 3)[0]
    stream = InputStream(path, columnar=block_frame, batch_rows=3)
    for _ in stream:
        pass
    warnings = [(note.where, note.message) for note in stream.notes.warnings]
    assert len(warnings) == 3
    assert warnings[0] == (
        f"{path}: row 3, column 城乡分类代码",
        "the urban-rural class 111 (主城区: 城镇, urban) disagrees with its kind: "
        "a rural community by its code 110101001202",
    )


def test_a_bad_cell_sends_its_block_to_the_row_path(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "bad.csv"
    _good_table(path, 10)
    text = path.read_text(encoding="gb18030").replace(",1004,", ",约1004,")
    path.write_text(text, encoding="gb18030")
    by_columns, frames = _run(path, True, 3)
    assert frames == 3  # rows 2-4, 8-10 and 11: the block of row 6 (约1004) is read by rows
    assert by_columns == _run(path, False, 3)[0]


@pytest.mark.parametrize("bad", ["", ",1004,|,约1004,", ",1004,|,-1004,", ",1004,|,1004.5,"])
def test_the_command_says_what_the_scalar_engine_says(tmp_path: pathlib.Path, bad: str) -> None:
    """The default command on a CSV, to regions: read into columns by the stream, and
    read whole by the scalar engine, the same bytes out and the same words on stderr
    (an approximate value, 约1004, read by rows, marks the findings built on it)."""
    path = tmp_path / "ledger.csv"
    _good_table(path, 40)
    if bad:
        old, new = bad.split("|")
        path.write_text(path.read_text(encoding="gb18030").replace(old, new), encoding="gb18030")
    outputs = {}
    for engine in ("batch", "scalar"):
        done = run_cssp(
            "evaluate", "ledger.csv", "--no-plugins", "--engine", engine, "--format", "json",
            "--no-communities", "--batch-rows", "7", "-o", f"{engine}.json", cwd=tmp_path,
        )  # fmt: skip
        text = (tmp_path / f"{engine}.json").read_text() if not done.returncode else ""
        outputs[engine] = (done.returncode, done.stderr, text)
    assert outputs["batch"] == outputs["scalar"]
    assert outputs["batch"][0] == (2 if bad and "约" not in bad else 0)
    assert ('"approximate": true' in outputs["batch"][2]) is ("约" in bad)
