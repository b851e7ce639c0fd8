"""Column maps: a table's own headers and words, read as cssp's columns and values."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cssp
from cssp.io import read_communities, read_many
from cssp.io.readers import ColumnMap, load_column_map
from cssp.io.readers.columns import _normalise_header

# Columns of cssp's table format and the text of a cell of each, as a ledger writes it.
_CELLS: Final[dict[str, st.SearchStrategy[str]]] = {
    "name": st.sampled_from(["", "菜园镇社区", "东华门社区", "R01"]),
    "households": st.integers(0, 5000).map(str) | st.integers(0, 5000).map(lambda n: f"{n}户"),
    "population": st.integers(0, 20000).map(str),
    "building_area": st.integers(0, 90000).map(lambda n: f"{n}平方米") | st.just(""),
    "facility_floor_area": st.integers(1, 2000).map(str),
    "facility_activity_area": st.integers(0, 1).map(lambda n: "" if n else "0"),
    "community_workers": st.integers(0, 30).map(str) | st.just(""),
    "old_residential_area": st.sampled_from(["是", "否", ""]),
    "5g": st.sampled_from(["√", "×", ""]),
}
# A header a ledger might have, distinct from cssp's own and from each other.
_HEADERS: Final = st.text(
    st.characters(codec="utf-8", categories=("L", "N"), exclude_characters="#"),
    min_size=1,
    max_size=12,
).map(lambda text: f"col_{text}")


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[list[str], list[list[str]], dict[str, str]]:
    """cssp's headers, the rows, and a header of the ledger's own for each column."""
    names = ["code", *draw(st.lists(st.sampled_from(sorted(_CELLS)), unique=True))]
    headers = draw(  # distinct as the reader tells headers apart: col_I is col_i
        st.lists(
            _HEADERS,
            min_size=len(names),
            max_size=len(names),
            unique_by=_normalise_header,
        )
    )
    count = draw(st.integers(1, 5))
    rows = []
    for number in range(1, count + 1):
        rows.append([f"440106001{number:03d}", *(draw(_CELLS[name]) for name in names[1:])])
    return names, rows, dict(zip(names, headers, strict=True))


@settings(max_examples=60, deadline=None)
@given(ledgers(), st.booleans())
def test_a_map_and_the_renamed_file_give_the_same_communities(
    ledger: tuple[list[str], list[list[str]], dict[str, str]], reverse: bool
) -> None:
    names, rows, own = ledger
    with cssp_folder() as folder:
        plain = folder / "cssp.csv"
        plain.write_text(_csv([names, *rows]), encoding="utf-8")
        order = list(reversed(range(len(names)))) if reverse else list(range(len(names)))
        renamed = folder / "ledger.csv"
        renamed.write_text(
            _csv([[own[names[i]] for i in order], *([row[i] for i in order] for row in rows)]),
            encoding="utf-8",
        )
        mapped = read_communities(renamed, columns={"columns": own})
        assert mapped == read_communities(plain)


class cssp_folder:
    """A temporary folder (hypothesis runs a test many times in one pytest tmp_path)."""

    def __enter__(self) -> Path:
        import tempfile

        self._folder = tempfile.TemporaryDirectory()
        return Path(self._folder.name)

    def __exit__(self, *_: object) -> None:
        self._folder.cleanup()


def _write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


LEDGER: Final = (
    "admin_code_12,村（社区）,类型,户数(户),facility_building_area_m2,source_url\n"
    "330922100001,菜园镇示例社区,城市社区,1200,420,https://example.org/1\n"
    "330922100201,菜园镇示例村,农村社区,300,,https://example.org/2\n"
)
MAP: Final = """
[columns]
code = "admin_code_12"
name = "村（社区）"
kind = "类型"
households = "户数(户)"
facility_floor_area = "facility_building_area_m2"

[values]
kind = { "城市社区" = "urban", "农村社区" = "rural" }

[options]
unknown_columns = "ignore"
"""


def test_a_map_file_reads_a_ledger_with_its_own_headers(tmp_path: Path) -> None:
    ledger = _write(tmp_path, "ledger.csv", LEDGER)
    column_map = _write(tmp_path, "map.toml", MAP)
    found = read_communities(ledger, columns=column_map)
    assert [(c.code, c.name, c.kind, c.households) for c in found] == [
        ("330922100001", "菜园镇示例社区", "urban", 1200),
        ("330922100201", "菜园镇示例村", "rural", 300),
    ]
    assert found[0].facilities is not None
    assert found[0].facilities[0].floor_area == 420.0
    assert found[1].facilities is None
    # the same, from a mapping and from a ColumnMap
    loaded = load_column_map(column_map)
    assert isinstance(loaded, ColumnMap)
    assert loaded.source == str(column_map)
    assert read_communities(ledger, columns=loaded) == found
    assert (
        read_many(
            [ledger],
            columns={"columns": dict(loaded.columns), "options": {"unknown_columns": "ignore"}},
        )
        == found
    )


def test_without_a_map_an_unknown_header_says_how_to_map_it(tmp_path: Path) -> None:
    ledger = _write(tmp_path, "ledger.csv", LEDGER)
    with pytest.raises(cssp.InputError) as info:
        read_communities(ledger)
    messages = dict(info.value.problems)
    where = f"{ledger}: row 1, column "
    assert "did you mean 'code'?" in messages[where + "admin_code_12"]
    assert '[columns] code = "admin_code_12"' in messages[where + "admin_code_12"]
    assert "unknown_columns" in messages[where + "source_url"]
    assert "'facility_floor_area'" in messages[where + "facility_building_area_m2"]


def test_the_map_options_give_the_encoding(tmp_path: Path) -> None:
    ledger = _write(tmp_path, "ledger.csv", LEDGER, encoding="gb18030")
    text = MAP.replace('unknown_columns = "ignore"', 'unknown_columns = "ignore"\nencoding = "gbk"')
    found = read_communities(ledger, columns=_write(tmp_path, "map.toml", text))
    assert found[0].name == "菜园镇示例社区"
    with pytest.raises(cssp.InputError, match="not valid utf-8"):
        read_communities(ledger, encoding="utf-8", columns=_write(tmp_path, "map.toml", text))


@pytest.mark.parametrize(
    ("document", "where", "message"),
    [
        ({"column": {}}, "the column map", "unknown section 'column'"),
        ({"columns": {"househlds": "户数"}}, "columns.househlds", "did you mean 'households'"),
        ({"columns": {"code": 12}}, "columns.code", "is not a header"),
        ({"columns": {"code": "a", "name": "a"}}, "columns.name", "mapped to both"),
        ({"values": {"kind": "urban"}}, "values.kind", "a table of words"),
        ({"values": {"kinds": {"a": "urban"}}}, "values.kinds", "not one of cssp's columns"),
        ({"values": {"kind": {"a": 1}}}, "values.kind.a", "is not a word"),
        ({"options": {"unknown": 1}}, "options", "unknown option 'unknown'"),
        ({"options": {"unknown_columns": "skip"}}, "options.unknown_columns", "'error' or"),
        ({"options": {"encoding": 8}}, "options.encoding", "not an encoding"),
        ({"columns": []}, "columns", "must be a table"),
    ],
)
def test_a_bad_map_is_located(document: dict[str, Any], where: str, message: str) -> None:
    with pytest.raises(cssp.InputError, match=message) as info:
        load_column_map(document)
    assert info.value.path.endswith(where)


def test_a_map_file_that_is_not_toml_or_missing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(cssp.InputError, match="not valid TOML"):
        load_column_map(_write(tmp_path, "map.toml", "[columns\n"))
    with pytest.raises(cssp.InputError, match="cannot read the column map"):
        load_column_map(tmp_path / "absent.toml")


def test_a_map_naming_a_header_the_file_lacks_names_both(tmp_path: Path) -> None:
    ledger = _write(tmp_path, "ledger.csv", "admin_code_12\n440106001001\n")
    column_map = {"columns": {"code": "admin_code_12", "households": "户数(户)"}}
    with pytest.raises(cssp.InputError) as info:
        read_communities(ledger, columns=column_map)
    assert info.value.message == (
        f"the column map maps households to the header '户数(户)', but {ledger} has no "
        "column '户数(户)'"
    )
    words = {"columns": {"code": "admin_code_12"}, "values": {"kind": {"城": "urban"}}}
    with pytest.raises(cssp.InputError, match="has no column kind"):
        read_communities(ledger, columns=words)


def test_a_map_applies_to_tables_only(tmp_path: Path) -> None:
    document = _write(tmp_path, "data.json", '[{"code": "440106001001"}]')
    with pytest.raises(cssp.InputError, match="applies to tables"):
        read_communities(document, columns={"columns": {"code": "c"}})


def test_unknown_columns_are_errors_unless_the_map_ignores_them(tmp_path: Path) -> None:
    ledger = _write(tmp_path, "ledger.csv", "c,note\n440106001001,x\n")
    with pytest.raises(cssp.InputError, match="unknown column 'note'"):
        read_communities(ledger, columns={"columns": {"code": "c"}})
    ignored = {"columns": {"code": "c"}, "options": {"unknown_columns": "ignore"}}
    assert [c.code for c in read_communities(ledger, columns=ignored)] == ["440106001001"]


def test_a_mapped_header_keeps_its_unit_and_words_reach_every_kind_of_column(
    tmp_path: Path,
) -> None:
    ledger = _write(
        tmp_path,
        "ledger.csv",
        "编码,面积（亩）,有无设施,宽带网络\n440106001001,0.63,有的,通了\n440106001002,,没有,没通\n",
    )
    column_map = {
        "columns": {
            "code": "编码",
            "facility_floor_area": "面积（亩）",
            "has_facility": "有无设施",
            "broadband": "宽带网络",
        },
        "values": {
            "has_facility": {"有的": "是", "没有": "否"},
            "broadband": {"通了": "是", "没通": "否"},
        },
    }
    first, second = read_communities(ledger, columns=column_map)
    assert first.facilities is not None
    assert first.facilities[0].floor_area == pytest.approx(420.0)
    assert second.facilities == ()
    assert first.services == frozenset({cssp.Service.BROADBAND})
    assert second.services == frozenset()


def _fake_plugin(site: Path, files: dict[str, str]) -> None:
    """An installed plugin distribution named cssp-fake-gansu, entry point ``fakegansu``."""
    info = site / "cssp_fake_gansu-0.2.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: cssp-fake-gansu\nVersion: 0.2.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[cssp]\nfakegansu = cssp_fake_gansu:profile.toml\n", encoding="utf-8"
    )
    for path, text in files.items():
        file = site / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")


def test_a_plugin_ships_named_maps_for_its_standard_forms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    _fake_plugin(
        site,
        {
            "cssp_fake_gansu/__init__.py": 'raise RuntimeError("never imported")\n',
            "cssp_fake_gansu/columns/ledger.toml": MAP,
        },
    )
    monkeypatch.syspath_prepend(str(site))
    ledger = _write(tmp_path, "ledger.csv", LEDGER)
    found = read_communities(ledger, columns="fakegansu:ledger")
    assert [c.code for c in found] == ["330922100001", "330922100201"]
    assert load_column_map("fakegansu:ledger").source == (
        "cssp-fake-gansu 0.2.0: columns/ledger.toml"
    )
    with pytest.raises(
        cssp.InputError, match="ships no column map 'form'; its maps: fakegansu:ledger"
    ) as info:
        load_column_map("fakegansu:form")
    assert info.value.path == "fakegansu:form"
    with pytest.raises(cssp.InputError, match="no installed plugin is named 'nobody'"):
        load_column_map("nobody:ledger")
