"""A chunk of a table built column by column (``cssp.io.readers.built``) gives what the
row path gives: the same communities, warnings and places, or the same problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cssp
from cssp.io import read_communities
from cssp.io.readers import read_input, rows
from cssp.io.readers.built import built

#: Cells of each column, as a real table may give them: empty, fine, wrong, unusual.
CELLS: dict[str, list[str]] = {
    "统计用区划代码": [
        "440106001001",
        "440106001002",
        "440106001201",
        "440106001202",
        "440106999001",  # a township the division list lacks: a warning
        "4401060010",  # neither 12, 9 nor 6 digits
        "990106001001",  # no such province
        "",
    ],
    "社区名称": ["", "东风社区", "东风社区(已撤销)"],
    "社区类型": ["", "城市", "农村", "海岛"],
    "户数(户)": ["", "1200", "0", "-5", "1.5", "x", "1_000", "约800"],
    "常住人口(人)": ["", "3400", "2,400"],
    "有综合服务设施": ["", "是", "否", "也许"],
    "综合服务设施面积(平方米)": ["", "800", "0", "-1", "1e400"],
    "居民活动区域面积(平方米)": ["", "500", "900"],
    "开放时间(小时/天)": ["", "10", "25"],
    "商业设施面积(平方米)": ["", "300"],
    "社区工作者(人)": ["", "8", "2"],
    "社会工作者(人)": ["", "1", "9"],
    "服务项目": ["", "5g;broadband", "无", "teleport"],
    "易地扶贫搬迁安置社区": ["", "是", "否"],
    "城乡分类代码": ["", "111", "220"],
}


def _tables() -> st.SearchStrategy[str]:
    """A CSV table: the code's column, some of the others, in any order, with rows of cells."""

    @st.composite
    def table(draw: st.DrawFn) -> str:
        others = draw(st.lists(st.sampled_from(list(CELLS)[1:]), unique=True))
        header = ["统计用区划代码", *others]
        header = draw(st.permutations(header))
        count = draw(st.integers(1, 8))
        lines = [",".join(header)]
        for _ in range(count):
            cells = [draw(st.sampled_from(CELLS[name])) for name in header]
            lines.append(",".join(f'"{cell}"' if "," in cell else cell for cell in cells))
        return "\n".join(lines) + "\n"

    return table()


def _outcome(path: Path, skip_invalid: bool, strict_codes: bool) -> Any:
    try:
        result = read_input(path, skip_invalid=skip_invalid, strict_codes=strict_codes)
    except cssp.InputError as error:
        return ("error", str(error))
    return result.communities, result.notes


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=_tables(), skip_invalid=st.booleans(), strict_codes=st.booleans())
def test_the_column_wise_build_gives_what_the_row_path_gives(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    skip_invalid: bool,
    strict_codes: bool,
) -> None:
    path = tmp_path / "table.csv"
    path.write_text(text, encoding="utf-8")
    column_wise = _outcome(path, skip_invalid, strict_codes)
    with monkeypatch.context() as patched:
        patched.setattr(rows, "built", lambda *args: None)  # every chunk by the row path
        row_by_row = _outcome(path, skip_invalid, strict_codes)
    assert column_wise == row_by_row


def test_a_usual_table_is_built_column_wise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table of fine rows (no place names, services or extras) takes the column-wise
    build; a chunk where a constructor refuses a value goes back to the row path, which
    names the cell."""
    calls: list[bool] = []
    build = built

    def spy(*args: Any) -> Any:
        made = build(*args)
        calls.append(made is not None)
        return made

    monkeypatch.setattr(rows, "built", spy)
    path = tmp_path / "table.csv"
    path.write_text(
        "统计用区划代码,户数(户),综合服务设施面积(平方米),有综合服务设施,商业设施面积(平方米),"
        "社区工作者(人)\n"
        "440106001001,1200,800,是,,8\n440106001201,300,,否,120,\n",
        encoding="utf-8",
    )
    first, second = read_communities(path)
    assert calls == [True]
    assert [f.floor_area for f in first.facilities or ()] == [800.0]
    assert second.facilities == (cssp.Facility("commercial", 120.0),)
    assert second.staff == cssp.Staff()
    calls.clear()
    path.write_text("统计用区划代码,户数(户)\n440106001001,1200\n440106001002,-1\n", "utf-8")
    with pytest.raises(cssp.InputError, match="row 3, column 户数"):
        read_communities(path)
    assert calls == [False]  # the constructor's error gives the chunk to the row path
