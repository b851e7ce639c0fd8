"""Tests for cssp.model.divisions: the packaged official division codes and names."""

from __future__ import annotations

import csv
import gzip
import importlib.resources
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from cssp.errors import InputError
from cssp.model.divisions import (
    DIVISION_LENGTHS,
    EDITION,
    PROVINCES,
    PROVINCES_BY_CODE,
    Province,
    division_name,
    division_path,
    is_known_division,
    load_divisions,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIR = REPO_ROOT.parent / "shared" / "data" / "divisions"
BUILD_SCRIPT = REPO_ROOT / "tools" / "build_divisions.py"

needs_source = pytest.mark.skipif(
    not SOURCE_DIR.is_dir(), reason=f"source CSVs not available at {SOURCE_DIR}"
)

#: Rows per level in the 2022 edition: provinces, prefectures, counties, townships.
LEVEL_COUNTS = {2: 31, 4: 342, 6: 2978, 9: 41352}
TOTAL_DIVISIONS = 44703


def _data_file_bytes() -> bytes:
    return (importlib.resources.files("cssp") / "data" / "divisions.tsv.gz").read_bytes()


def _data_file_lines() -> list[str]:
    return gzip.decompress(_data_file_bytes()).decode("utf-8").splitlines()


def _read_csv(name: str) -> list[dict[str, str]]:
    with (SOURCE_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --- the provinces table -------------------------------------------------------


def test_thirty_one_provinces_in_code_order() -> None:
    codes = [p.code for p in PROVINCES]
    assert len(PROVINCES) == 31
    assert codes == sorted(set(codes))
    assert all(len(c) == 2 and c.isdigit() for c in codes)
    assert all(p.name and p.name_en for p in PROVINCES)


def test_province_english_names() -> None:
    english = {p.code: p.name_en for p in PROVINCES}
    assert english["11"] == "Beijing"
    assert english["15"] == "Inner Mongolia"
    assert english["45"] == "Guangxi"
    assert english["54"] == "Tibet"
    assert english["61"] == "Shaanxi"
    assert english["14"] == "Shanxi"
    assert english["64"] == "Ningxia"
    assert english["65"] == "Xinjiang"
    assert "Hong Kong" not in english.values()


def test_provinces_by_code() -> None:
    assert PROVINCES_BY_CODE["44"] == Province("44", "广东省", "Guangdong")
    assert list(PROVINCES_BY_CODE) == [p.code for p in PROVINCES]
    with pytest.raises(TypeError):
        PROVINCES_BY_CODE["99"] = Province("99", "x", "x")  # type: ignore[index]


def test_provinces_are_frozen() -> None:
    import attrs

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        PROVINCES[0].name = "x"  # type: ignore[misc]


def test_provinces_match_packaged_data() -> None:
    data = load_divisions()
    packaged = {code: name for code, name in data.items() if len(code) == 2}
    assert packaged == {p.code: p.name for p in PROVINCES}


@needs_source
def test_provinces_match_csv() -> None:
    rows = _read_csv("provinces.csv")
    assert [(r["code"], r["name"]) for r in rows] == [(p.code, p.name) for p in PROVINCES]


# --- names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("44", "广东省"),
        ("4401", "广州市"),
        ("440106", "天河区"),
        ("440106001", "五山街道"),
        ("11", "北京市"),
        ("110101", "东城区"),
        ("110101001", "东华门街道"),
        ("65", "新疆维吾尔自治区"),
    ],
)
def test_division_name(code: str, name: str) -> None:
    assert division_name(code) == name
    assert is_known_division(code)


def test_quirky_prefecture_names_are_kept() -> None:
    # Municipalities' districts are grouped under a "市辖区" prefecture-level row.
    assert division_name("1101") == "市辖区"
    assert division_name("5002") == "县"


def test_nation() -> None:
    assert division_name("") == "全国"
    assert is_known_division("")
    assert "" not in load_divisions()


@pytest.mark.parametrize(
    "code",
    ["99", "4499", "440199", "440106999", "440106001001", "4", "abc", "44 ", " 44", "４４"],
)
def test_unknown_code(code: str) -> None:
    assert division_name(code) is None
    assert not is_known_division(code)


# --- paths ---------------------------------------------------------------------


def test_division_path_of_village_code() -> None:
    assert division_path("440106001001") == (
        ("44", "广东省"),
        ("4401", "广州市"),
        ("440106", "天河区"),
        ("440106001", "五山街道"),
    )


@pytest.mark.parametrize(("code", "depth"), [("44", 1), ("4401", 2), ("440106", 3)])
def test_division_path_depth(code: str, depth: int) -> None:
    path = division_path(code)
    assert len(path) == depth
    assert path[-1] == (code, division_name(code))
    assert [len(c) for c, _ in path] == list(DIVISION_LENGTHS.values())[:depth]


def test_division_path_of_unknown_prefix() -> None:
    assert division_path("449901") == (("44", "广东省"), ("4499", None), ("449901", None))


def test_division_path_through_pseudo_county() -> None:
    # 东莞市 has no counties; its towns sit under a county-level row of its own.
    assert division_path("441900003") == (
        ("44", "广东省"),
        ("4419", "东莞市"),
        ("441900", "东莞市"),
        ("441900003", "东城街道"),
    )


@pytest.mark.parametrize("code", ["", "4", "441", "4401060", "4401060010", "44a1", "４４", "44 "])
def test_division_path_rejects_bad_codes(code: str) -> None:
    with pytest.raises(InputError, match="division code"):
        division_path(code)


# --- the mapping and the data file -----------------------------------------------


def test_load_divisions_counts_and_is_read_only() -> None:
    data = load_divisions()
    assert len(data) == TOTAL_DIVISIONS
    assert Counter(len(code) for code in data) == LEVEL_COUNTS
    assert load_divisions() is data
    with pytest.raises(TypeError):
        data["99"] = "x"  # type: ignore[index]


def test_every_division_sits_under_a_known_parent() -> None:
    data = load_divisions()
    lengths = list(DIVISION_LENGTHS.values())
    for code in data:
        level = lengths.index(len(code))
        if level:
            assert code[: lengths[level - 1]] in data, code


def test_data_file_header_names_the_edition() -> None:
    first = _data_file_lines()[0]
    assert first == f"# {EDITION}"
    assert "统计用区划代码" in first
    assert "2022-10-31" in first
    assert "2022-12-29" in first
    assert "modood/Administrative-divisions-of-China" in first


def test_data_file_rows() -> None:
    lines = _data_file_lines()
    rows = [line.split("\t") for line in lines[1:]]
    assert len(rows) == TOTAL_DIVISIONS == sum(LEVEL_COUNTS.values())
    assert all(len(row) == 2 and row[1] for row in rows)
    codes = [code for code, _ in rows]
    assert codes == sorted(set(codes))
    assert not any(line.startswith("#") for line in lines[1:])


def test_data_file_is_small_and_reproducible() -> None:
    raw = _data_file_bytes()
    assert len(raw) < 1_000_000
    assert raw[:2] == b"\x1f\x8b"
    assert raw[4:8] == b"\0\0\0\0"  # gzip mtime = 0


@needs_source
def test_data_file_matches_csvs() -> None:
    expected: dict[str, str] = {}
    for name in ("provinces.csv", "cities.csv", "areas.csv", "streets.csv"):
        expected.update((r["code"], r["name"]) for r in _read_csv(name))
    assert len(expected) == TOTAL_DIVISIONS
    assert dict(load_divisions()) == expected


@needs_source
def test_build_script_reproduces_data_file(tmp_path: Path) -> None:
    out = tmp_path / "divisions.tsv.gz"
    subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), str(SOURCE_DIR), "-o", str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == _data_file_bytes()
