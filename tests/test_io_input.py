"""read_input: every row's problems, rows skipped when asked, codes of divisions not in the list."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest

import cssp
from cssp.io.readers import read_input, read_many
from cssp.model.notes import InputNotes, SkippedRow
from cssp.report import render_report, report_to_dict

BAD_ROWS = (
    "code,households,facility_floor_area,facility_activity_area\n"
    "440106001001,1200,420,260\n"
    ",800,100,200\n"  # no code, and an activity area larger than the floor area
    "440106001003,-5,abc,\n"  # negative households, and a floor area that is no number
    "440106001004,300,100,\n"
)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_without_skip_invalid_a_bad_row_stops_the_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "rows.csv", BAD_ROWS)
    with pytest.raises(cssp.InputError) as info:
        read_input(path)
    assert [where.removeprefix(f"{path}: ") for where, _ in info.value.problems] == [
        "row 3, column code",
        "row 3, column facility_activity_area",
        "row 4, column households",
        "row 4, column facility_floor_area",
    ]


def test_skip_invalid_keeps_the_valid_rows_and_lists_the_others(tmp_path: Path) -> None:
    path = _write(tmp_path, "rows.csv", BAD_ROWS)
    result = read_input(path, skip_invalid=True)
    assert [c.code for c in result.communities] == ["440106001001", "440106001004"]
    assert [row.where for row in result.notes.skipped] == [f"{path}: row 3", f"{path}: row 4"]
    assert [message for _, message in result.notes.skipped[1].problems] == [
        "-5 is negative",
        "'abc' is not a number with an optional unit (such as '420 m²' or '420平方米')",
    ]
    assert result.notes.warnings == ()


def test_skip_invalid_in_documents_skips_records(tmp_path: Path) -> None:
    records = [
        {"code": "440106001001", "households": 10},
        {"code": "44010600100", "households": -1},
        {"code": "440106001003"},
    ]
    path = _write(tmp_path, "data.json", json.dumps(records))
    result = read_input(path, skip_invalid=True)
    assert [c.code for c in result.communities] == ["440106001001", "440106001003"]
    assert [row.where for row in result.notes.skipped] == [f"{path}: communities[1]"]
    lines = _write(tmp_path, "data.jsonl", '{"code": "440106001001"}\nnot json\n')
    result = read_input(lines, skip_invalid=True)
    assert [row.where for row in result.notes.skipped] == [f"{lines}: line 2"]


def test_a_code_met_twice_skips_every_row_with_it(tmp_path: Path) -> None:
    path = _write(tmp_path, "twice.csv", "code\n440106001001\n440106001002\n440106001001\n")
    result = read_input(path, skip_invalid=True)
    assert [c.code for c in result.communities] == ["440106001002"]
    assert [row.where for row in result.notes.skipped] == [f"{path}: row 2", f"{path}: row 4"]
    with pytest.raises(cssp.InputError, match="appears twice"):
        read_input(path)


def test_problems_of_a_file_as_a_whole_are_errors_still(tmp_path: Path) -> None:
    path = _write(tmp_path, "header.csv", "code,househlds\n440106001001,1\n")
    with pytest.raises(cssp.InputError, match="unknown column"):
        read_input(path, skip_invalid=True)


def test_no_row_left_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "none.csv", "code,households\n,1\n440106001002,-1\n")
    with pytest.raises(cssp.InputError, match="none is left") as info:
        read_input(path, skip_invalid=True)
    assert len(info.value.problems) == 2


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("230113000201", "township 230113000 is not in the division list"),  # never issued
        ("130631204001", "township 130631204 is not in the division list"),  # revoked by 2022
        ("230182100201", "county 230182 is not in the division list"),  # 双城市, now 双城区
    ],
)
def test_a_code_of_a_division_not_in_the_list_is_a_warning(
    tmp_path: Path, code: str, message: str
) -> None:
    path = _write(tmp_path, "codes.csv", f"code,name\n440106001001,\n{code},\n")
    result = read_input(path)
    assert [c.code for c in result.communities] == ["440106001001", code]
    assert [(n.where, n.message.split(" (")[0]) for n in result.notes.warnings] == [
        (f"{path}: row 3, column code", message)
    ]
    assert read_many([path]) == result.communities  # read_many does not refuse it
    with pytest.raises(cssp.InputError, match=message):
        read_input(path, strict_codes=True)
    strict = read_input(path, strict_codes=True, skip_invalid=True)
    assert [c.code for c in strict.communities] == ["440106001001"]
    assert [row.where for row in strict.notes.skipped] == [f"{path}: row 3"]


def test_a_name_that_says_revoked_is_a_warning(tmp_path: Path) -> None:
    path = _write(tmp_path, "revoked.csv", "code,name\n522632210207,摆拉村委会 [已撤销]\n")
    (note,) = read_input(path).notes.warnings
    assert note.message == "the name '摆拉村委会 [已撤销]' says the unit is revoked (已撤销)"


def test_the_report_carries_what_reading_said(tmp_path: Path) -> None:
    path = _write(tmp_path, "rows.csv", BAD_ROWS.replace("440106001004", "230113000201"))
    result = read_input(path, skip_invalid=True)
    report = cssp.evaluate_region(result.communities, profiles=())
    assert report.input is None
    assert "input" not in report_to_dict(report)  # unchanged without notes
    report = attrs.evolve(report, input=result.notes)
    document = report_to_dict(report)
    assert [row["where"] for row in document["input"]["skipped"]] == [
        f"{path}: row 3",
        f"{path}: row 4",
    ]
    assert document["input"]["skipped"][0]["problems"][0] == {
        "where": f"{path}: row 3, column code",
        "message": "the community code is empty",
    }
    assert len(document["input"]["warnings"]) == 1
    for fmt, lang, heading in (
        ("markdown", "en", "## Rows skipped (with problems, not evaluated)"),
        ("text", "zh", "跳过的行（有问题，未评估）"),
        ("html", "en", "<h2>Warnings about the input</h2>"),
    ):
        assert heading in render_report(report, fmt, lang=lang)
    assert json.loads(render_report(report, "json"))["input"] == document["input"]


def test_notes_are_false_when_empty() -> None:
    assert not InputNotes()
    assert InputNotes(skipped=(SkippedRow("a.csv: row 2", [("a.csv: row 2", "x")]),))


@pytest.mark.parametrize("enabled", [True, False])
def test_reading_pauses_the_garbage_collector_and_gives_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    """While a read builds its communities the collector starts no pass; after it, read
    or refused, the collector is as it was."""
    import gc

    from cssp.io import readers
    from helpers import collector_spy

    seen = collector_spy(monkeypatch, readers, "_read_file")
    good = tmp_path / "good.csv"
    good.write_text("code,households\n440106001001,1200\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("code,households\n440106001001,-3\n", encoding="utf-8")
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        assert len(read_input(good).communities) == 1
        assert gc.isenabled() is enabled
        with pytest.raises(cssp.InputError):
            read_input(bad)
        assert gc.isenabled() is enabled
        with pytest.raises(cssp.InputError):
            readers.read_records([{"code": "440106001001", "households": -3}])
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
    assert seen == [False, False]


def test_reads_at_once_share_one_pause_of_the_collector() -> None:
    """Reads that overlap (in threads) share the pause: the collector runs again when the
    last one ends, not the first."""
    import gc

    from cssp.model.collector import collector_paused

    assert gc.isenabled()
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the first read still running
    assert gc.isenabled()
