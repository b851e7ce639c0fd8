"""Tests for cssp.io.readers: every format, Chinese headers, units, encodings, located errors."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import attrs
import pytest
from hypothesis import given, settings

import cssp
from cssp import Community, CommunityKind, Facility, FacilityKind, Service, Staff
from cssp import testing as cst
from cssp.io import (
    FORMATS,
    MAX_PROBLEMS,
    communities_to_json,
    detect_format,
    read_communities,
    read_many,
    write_atomic,
)
from cssp.io.readers import COLUMNS, HEADER_ALIASES

DATA: Final = Path(__file__).resolve().parent / "data"
BAD: Final = DATA / "bad"
FORMATS_PAGE: Final = Path(__file__).resolve().parents[1] / "docs" / "reference" / "formats.md"


def expected_communities() -> tuple[Community, ...]:
    """The four communities every file under tests/data/ holds, in its own format."""
    return (
        Community(
            code="440106001001",
            name="示例社区",
            households=1200,
            population=3600,
            building_area=84_000.0,
            facilities=[
                Facility(
                    "comprehensive",
                    floor_area=420,
                    activity_area=260,
                    office_area=60,
                    opening_hours=9,
                ),
                Facility("commercial", floor_area=5000),
            ],
            staff=Staff(
                community_workers=8,
                social_workers=2,
                disaster_information_officers=1,
                trained_workers=8,
            ),
            services=["self_service_kiosk", "agency_service", "online_service_24h"],
            old_residential_area=True,
            elderly_monthly_visit_rate=100,
            social_organisations=12,
            registered_volunteers=300,
            extra={"childcare_places": 40},
        ),
        Community(
            code="440106001002",
            name="示例社区二",
            households=800,
            facilities=[
                Facility("comprehensive", floor_area=300, activity_area=150, opening_hours=8)
            ],
            staff=Staff(community_workers=4),
            services=[],
            newly_built=True,
        ),
        Community(
            code="330106109201",
            name="示例村",
            households=300,
            population=900,
            building_area=30_000.0,
            facilities=[],
            resettlement=True,
        ),
        Community(code="330106109202", name="示例村二"),
    )


def tsv_rows() -> tuple[list[str], list[list[str]]]:
    """The header and rows of tests/data/communities.tsv."""
    with (DATA / "communities.tsv").open(encoding="utf-8", newline="") as stream:
        header, *rows = csv.reader(stream, delimiter="\t")
    return header, rows


def typed(cell: str) -> int | float | str | None:
    """A cell as a spreadsheet would hold it: a number, text, or nothing."""
    if not cell:
        return None
    for kind in (int, float):
        try:
            return kind(cell)
        except ValueError:
            pass
    return cell


def write_xlsx(path: Path, header: Sequence[object], rows: Sequence[Sequence[object]]) -> None:
    """A workbook whose sheet 社区 holds the table, after a sheet of notes."""
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "说明"
    notes.append(["这张表不是数据"])
    sheet = workbook.create_sheet("社区")
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)


def write_parquet(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A Parquet file with a typed column per header."""
    pyarrow = pytest.importorskip("pyarrow")
    parquet = pytest.importorskip("pyarrow.parquet")
    columns = {name: [row[index] for row in rows] for index, name in enumerate(header)}
    parquet.write_table(pyarrow.table(columns), path)


# --- every format reads the same communities -------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "communities.json",
        "communities.jsonl",
        "communities.toml",
        "communities.csv",
        "communities.tsv",
    ],
)
def test_every_text_format_reads_the_same_communities(name: str) -> None:
    assert read_communities(DATA / name) == expected_communities()


def test_excel_reads_the_same_communities(tmp_path: Path) -> None:
    header, rows = tsv_rows()
    path = tmp_path / "communities.xlsx"
    # Numbers as numbers, the code as a number too (as Excel keeps it unless told).
    write_xlsx(path, header, [[int(row[0]), *map(typed, row[1:])] for row in rows])
    assert read_communities(path) == expected_communities()


def test_excel_reads_the_first_sheet_and_real_row_numbers(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A3"] = "统计用区划代码"  # two blank rows above the header
    sheet["B3"] = "户数"
    sheet["A4"] = "440106001001"
    sheet["B4"] = 1200
    sheet["A5"] = "440106001002"
    sheet["B5"] = "很多"
    path = tmp_path / "data.xlsx"
    workbook.save(path)
    with pytest.raises(cssp.InputError) as info:
        read_communities(path)
    assert info.value.path == f"{path}: row 5, column 户数"


def test_parquet_reads_the_same_communities(tmp_path: Path) -> None:
    header, rows = tsv_rows()
    path = tmp_path / "communities.parquet"
    write_parquet(path, header, [[row[0], *map(typed, row[1:])] for row in rows])
    assert read_communities(path) == expected_communities()


def test_parquet_locates_problems_by_record(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    write_parquet(path, ["code", "households"], [["440106001001", 12], ["440106001002", -3]])
    with pytest.raises(cssp.InputError) as info:
        read_communities(path)
    assert info.value.path == f"{path}: row 2, column households"


def test_parquet_services_may_be_a_list_column(tmp_path: Path) -> None:
    path = tmp_path / "services.parquet"
    write_parquet(path, ["code", "services"], [["440106001001", ["5g", "宽带"]]])
    (community,) = read_communities(path)
    assert community.services == frozenset({Service.NETWORK_5G, Service.BROADBAND})


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_a_gb18030_csv_is_detected_and_read_when_declared(tmp_path: Path, encoding: str) -> None:
    text = (DATA / "communities.csv").read_text("utf-8")
    path = tmp_path / "communities.csv"
    path.write_bytes(text.encode(encoding))
    assert read_communities(path) == expected_communities()
    assert read_communities(path, encoding=encoding) == expected_communities()


def test_utf8_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes((DATA / "communities.csv").read_bytes().join([b"\xef\xbb\xbf", b""]))
    assert read_communities(path) == expected_communities()
    assert read_communities(path, encoding="utf-8") == expected_communities()


def test_utf16_text_as_excel_saves_unicode_text(tmp_path: Path) -> None:
    path = tmp_path / "unicode.tsv"
    path.write_bytes((DATA / "communities.tsv").read_text("utf-8").encode("utf-16"))
    assert read_communities(path) == expected_communities()


def test_a_csv_with_tabs_is_read_as_tab_separated(tmp_path: Path) -> None:
    path = tmp_path / "tabs.csv"
    path.write_bytes((DATA / "communities.tsv").read_bytes())
    assert read_communities(path) == expected_communities()


def test_an_unknown_encoding_is_an_input_error() -> None:
    with pytest.raises(cssp.InputError, match="unknown text encoding 'klingon'"):
        read_communities(DATA / "communities.csv", encoding="klingon")


def test_format_can_be_given(tmp_path: Path) -> None:
    path = tmp_path / "communities.data"
    path.write_bytes((DATA / "communities.json").read_bytes())
    assert read_communities(path, format="json") == expected_communities()
    with pytest.raises(cssp.InputError, match="unknown format 'yaml'"):
        read_communities(path, format="yaml")


# --- detect_format ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "format_"),
    [
        ("a.json", "json"),
        ("a.jsonl", "jsonl"),
        ("a.ndjson", "jsonl"),
        ("a.csv", "csv"),
        ("a.TSV", "csv"),
        ("dir.v2/a.toml", "toml"),
        ("a.xlsx", "xlsx"),
        ("a.parquet", "parquet"),
    ],
)
def test_detect_format(name: str, format_: str) -> None:
    assert detect_format(name) == format_
    assert format_ in FORMATS


@pytest.mark.parametrize("name", ["a.xls", "a", "a.txt", "a.json.gz"])
def test_detect_format_refuses_unknown_suffixes(name: str) -> None:
    with pytest.raises(cssp.InputError) as info:
        detect_format(name)
    assert info.value.path == name


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    for name in ("missing.csv", "missing.xlsx", "missing.parquet"):
        with pytest.raises(cssp.InputError, match="cannot read the file"):
            read_communities(tmp_path / name)


# --- columns: Chinese headers, units, booleans, services ----------------------------------


def read_csv_text(tmp_path: Path, text: str, name: str = "data.csv") -> tuple[Community, ...]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_communities(path)


def test_every_alias_names_a_column() -> None:
    assert set(HEADER_ALIASES.values()) <= set(COLUMNS)


@pytest.mark.parametrize(("alias", "key"), sorted(HEADER_ALIASES.items()))
def test_every_alias_is_documented(alias: str, key: str) -> None:
    text = FORMATS_PAGE.read_text("utf-8")
    assert f"`{alias}`" in text, f"the header {alias!r} is missing from docs/reference/formats.md"
    assert f"`{key}`" in text


@pytest.mark.parametrize("column", COLUMNS)
def test_every_column_is_documented(column: str) -> None:
    assert f"| `{column}`" in FORMATS_PAGE.read_text("utf-8")


def test_chinese_headers(tmp_path: Path) -> None:
    text = (
        "区划代码,社区名称,社区类型,居民户数,人口,社区总建筑面积,综合服务设施建筑面积,活动面积,"
        "办公面积,每天开放时间,社区商业设施面积,社区工作者人数,社会工作者人数,灾害信息员人数,"
        "已轮训人数,易地扶贫搬迁集中安置社区,城镇老旧小区,新建社区,月探访率,社区社会组织,"
        "注册志愿者人数\n"
        "440106001001,示例社区,城市社区,1200,3600,84000,420,260,60,9,5000,8,2,1,8,否,是,否,"
        "100,12,300\n"
    )
    (community,) = read_csv_text(tmp_path, text)
    assert community == attrs.evolve(
        expected_communities()[0], services=None, extra={}, kind=CommunityKind.URBAN
    )


def test_english_headers_ignore_case_and_spaces(tmp_path: Path) -> None:
    (community,) = read_csv_text(
        tmp_path, "Code,Households,Floor Area,opening-hours\n440106001001,1200,420,9\n"
    )
    assert community.households == 1200
    assert community.facilities == (Facility("comprehensive", floor_area=420, opening_hours=9),)


@pytest.mark.parametrize(
    ("header", "cell", "value"),
    [
        ("综合服务设施面积(平方米)", "420", 420.0),
        ("综合服务设施面积（平方米）", "420", 420.0),  # full-width brackets
        ("facility_floor_area[m²]", "420", 420.0),
        ("facility_floor_area [m^2]", "420", 420.0),
        ("综合服务设施面积【平方米】", "420", 420.0),
        ("综合服务设施面积(亩)", "0.3", pytest.approx(200.0)),
        ("综合服务设施面积(万平方米)", "0.042", pytest.approx(420.0)),
        ("综合服务设施面积(亩)", "420平方米", 420.0),  # the cell's own unit wins
        ("综合服务设施面积(平方米)", '"1,420"', 1420.0),  # a thousands separator
        ("综合服务设施面积(平方米)", "１４２０", 1420.0),  # full-width digits
        ("综合服务设施面积", "0.042万平方米", pytest.approx(420.0)),
        ("综合服务设施面积", "420 m²", 420.0),
    ],
)
def test_units_in_the_header_and_in_the_cell(
    tmp_path: Path, header: str, cell: str, value: object
) -> None:
    (community,) = read_csv_text(tmp_path, f"code,{header}\n440106001001,{cell}\n")
    assert community.facilities is not None
    assert community.facilities[0].floor_area == value


@pytest.mark.parametrize(
    ("header", "cell", "field", "value"),
    [
        ("常住人口(万人)", "0.36", "population", 3600),
        ("常住人口(人)", "3600人", "population", 3600),
        ("户数(百户)", "12", "households", 1200),
        ("户数", '"1,200户"', "households", 1200),
        ("户数", "0.12万", "households", 1200),
        ("特殊困难老年人月探访率(%)", "95.5", "elderly_monthly_visit_rate", 95.5),
        ("特殊困难老年人月探访率", "95.5%", "elderly_monthly_visit_rate", 95.5),
        ("总建筑面积(万平方米)", "8.4", "building_area", 84_000.0),
        ("社区社会组织数(个)", "7", "social_organisations", 7),
    ],
)
def test_units_of_community_columns(
    tmp_path: Path, header: str, cell: str, field: str, value: object
) -> None:
    (community,) = read_csv_text(tmp_path, f"code,{header}\n440106001001,{cell}\n")
    assert getattr(community, field) == value


def test_opening_hours_in_the_header(tmp_path: Path) -> None:
    text = (
        "code,facility_floor_area,开放时间(小时/天)\n"
        "440106001001,420,9\n"
        "440106001002,420,540分钟/天\n"
    )
    first, second = read_csv_text(tmp_path, text)
    assert first.facilities is not None
    assert second.facilities is not None
    assert first.facilities[0].opening_hours == 9
    assert second.facilities[0].opening_hours == pytest.approx(9)


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("是", True),
        ("否", False),
        ("true", True),
        ("FALSE", False),
        ("Yes", True),
        ("no", False),
        ("1", True),
        ("0", False),
        ("Y", True),
        ("n", False),
        (" 是 ", True),
        ("√", True),
        ("×", False),
        ("", False),  # the model's default
    ],
)
def test_booleans(tmp_path: Path, cell: str, value: bool) -> None:
    (community,) = read_csv_text(tmp_path, f"code,老旧小区\n440106001001,{cell}\n")
    assert community.old_residential_area is value


@pytest.mark.parametrize(
    ("cell", "services"),
    [
        ("5g;broadband", {Service.NETWORK_5G, Service.BROADBAND}),
        ('"5g, broadband"', {Service.NETWORK_5G, Service.BROADBAND}),
        ("5G网络、宽带", {Service.NETWORK_5G, Service.BROADBAND}),
        ("5g；宽带；", {Service.NETWORK_5G, Service.BROADBAND}),
        ("Agency_Service", {Service.AGENCY_SERVICE}),
        ("警务室与“两委”同址办公", {Service.POLICE_OFFICE_COLOCATED}),
        ("无", set()),
        ("none", set()),
        ("", None),
    ],
)
def test_services_in_one_column(tmp_path: Path, cell: str, services: set[Service] | None) -> None:
    (community,) = read_csv_text(tmp_path, f"code,服务项目\n440106001001,{cell}\n")
    assert community.services == services


def test_services_as_yes_no_columns(tmp_path: Path) -> None:
    text = (
        "code,5g,宽带,services\n"
        "440106001001,是,否,agency_service\n"
        "440106001002,,,\n"
        "440106001003,否,,\n"
        "440106001004,,√,\n"
    )
    first, second, third, fourth = read_csv_text(tmp_path, text)
    assert first.services == frozenset({Service.NETWORK_5G, Service.AGENCY_SERVICE})
    assert second.services is None  # nothing said: unknown
    assert third.services == frozenset()
    assert fourth.services == frozenset({Service.BROADBAND})


def test_every_service_can_head_a_column() -> None:
    from cssp.io.readers.columns import _KNOWN, _normalise_header

    for service in Service:
        assert _KNOWN[_normalise_header(service.value)] == f"service.{service.value}"
        assert _KNOWN[_normalise_header(service.zh)] == f"service.{service.value}"


def test_facility_columns(tmp_path: Path) -> None:
    text = (
        "code,has_facility,facility_floor_area,facility_activity_area,commercial_floor_area\n"
        "440106001001,,420,260,\n"  # a facility
        "440106001002,否,,,\n"  # none
        "440106001003,,,,\n"  # unknown
        "440106001004,no,,,900\n"  # a commercial facility only
        "440106001005,是,420,,\n"
    )
    first, second, third, fourth, fifth = read_csv_text(tmp_path, text)
    assert first.facilities == (Facility("comprehensive", floor_area=420, activity_area=260),)
    assert second.facilities == ()
    assert third.facilities is None
    assert fourth.facilities == (Facility("commercial", floor_area=900),)
    assert fifth.comprehensive_facilities[0].floor_area == 420


def test_extra_columns(tmp_path: Path) -> None:
    text = "code,extra.childcare_places,extra.elderly_beds\n440106001001,40,\n"
    (community,) = read_csv_text(tmp_path, text)
    assert community.extra == {"childcare_places": 40}


def test_ignored_columns(tmp_path: Path) -> None:
    text = "序号,code,#note,备注,备注(街道),households\n1,440106001001,x,anything,y,1200\n"
    (community,) = read_csv_text(tmp_path, text)
    assert community.households == 1200


def test_blank_rows_and_short_rows(tmp_path: Path) -> None:
    text = "\n\ncode,households,population\n440106001001,1200\n,,\n\n440106001002,800,2400\n"
    first, second = read_csv_text(tmp_path, text)
    assert (first.households, first.population) == (1200, None)
    assert (second.households, second.population) == (800, 2400)


def test_a_note_after_a_flag_header_is_not_a_unit(tmp_path: Path) -> None:
    (community,) = read_csv_text(tmp_path, "code,老旧小区(是/否)\n440106001001,是\n")
    assert community.old_residential_area is True


def test_kind_is_read_and_checked(tmp_path: Path) -> None:
    text = "code,kind\n440106001201,村\n440106001202,农村社区\n440106001003,\n"
    kinds = [c.kind for c in read_csv_text(tmp_path, text)]
    assert kinds == [CommunityKind.RURAL, CommunityKind.RURAL, CommunityKind.URBAN]


def test_many_rows_are_read_in_chunks(tmp_path: Path) -> None:
    from cssp.io.readers.rows import _CHUNK

    count = 2 * _CHUNK + 7
    rows = "".join(f"440106{n // 399 + 1:03d}{n % 399 + 1:03d},{n}\n" for n in range(count))
    communities = read_csv_text(tmp_path, "code,households\n" + rows)
    assert [c.households for c in communities] == list(range(count))
    bad = rows.replace(f",{count - 1}\n", ",x\n")
    with pytest.raises(cssp.InputError) as info:
        read_csv_text(tmp_path, "code,households\n" + bad)
    assert info.value.path.endswith(f"row {count + 1}, column households")


def test_the_model_fields_are_in_the_order_the_reader_passes_them() -> None:
    # cssp.io.readers passes Community, Facility and Staff their values by position (faster).
    assert [a.name for a in attrs.fields(Community)][:16] == [
        "code",
        "name",
        "kind",
        "households",
        "population",
        "building_area",
        "facilities",
        "staff",
        "services",
        "resettlement",
        "old_residential_area",
        "newly_built",
        "elderly_monthly_visit_rate",
        "social_organisations",
        "registered_volunteers",
        "extra",
    ]
    assert [a.name for a in attrs.fields(Facility)][:5] == [
        "kind",
        "floor_area",
        "activity_area",
        "office_area",
        "opening_hours",
    ]
    assert [a.name for a in attrs.fields(Staff) if not a.kw_only] == [
        "community_workers",
        "social_workers",
        "disaster_information_officers",
        "trained_workers",
    ]


# --- every problem, located ----------------------------------------------------------------


def test_every_problem_of_a_csv_is_reported_with_row_and_column(tmp_path: Path) -> None:
    text = (
        "统计用区划代码,户数(户),综合服务设施面积(平方米),居民活动区域面积(平方米),老旧小区\n"
        "440106001001,1200人,420,260,否\n"
        "440106001002,800,3 kg,abc,也许\n"
        "44010600100A,800,300,400,\n"
        "440106001004,-5,300,100,\n"
        "440106001001,800,300,100,\n"
    )
    with pytest.raises(cssp.InputError) as info:
        read_csv_text(tmp_path, text, "data.csv")
    where = f"{tmp_path / 'data.csv'}: "
    problems = [(path.removeprefix(where), message) for path, message in info.value.problems]
    assert [path for path, _ in problems] == [
        "row 2, column 户数(户)",
        "row 3, column 综合服务设施面积(平方米)",
        "row 3, column 居民活动区域面积(平方米)",
        "row 3, column 老旧小区",
        "row 4, column 统计用区划代码",  # a bad code does not hide the row's other problems
        "row 4, column 居民活动区域面积(平方米)",
        "row 5, column 户数(户)",
    ]
    messages = dict(problems)
    assert (
        "'1200人' is a number of persons, expected a number of households"
        in messages["row 2, column 户数(户)"]
    )
    assert (
        "'3 kg' is a mass, expected an area" in messages["row 3, column 综合服务设施面积(平方米)"]
    )
    assert "is larger than the floor area" in messages["row 4, column 居民活动区域面积(平方米)"]
    assert "negative" in messages["row 5, column 户数(户)"]
    assert "not a 12-digit" in messages["row 4, column 统计用区划代码"]
    assert info.value.message == f"7 problems in {tmp_path / 'data.csv'}"


def test_one_problem_of_a_row_does_not_hide_another(tmp_path: Path) -> None:
    # As the R01b: no code, and the facility's areas wrong; besides, a kind
    # that is no kind, negative households and more trained workers than workers.
    text = (
        "code,kind,households,facility_floor_area,facility_activity_area,facility_office_area,"
        "community_workers,trained_workers\n"
        ",城市,-3,100,80,30,2,3\n"
        "440106001001,郊区,,,,,,\n"
    )
    with pytest.raises(cssp.InputError) as info:
        read_csv_text(tmp_path, text, "r01b.csv")
    where = f"{tmp_path / 'r01b.csv'}: "
    problems = [(path.removeprefix(where), message) for path, message in info.value.problems]
    assert problems == [
        ("row 2, column code", "the community code is empty"),
        ("row 2, column households", "-3 is negative"),
        (
            "row 2, column facility_activity_area",
            "the activity and office areas add up to 110 m², more than the floor area of 100 m²",
        ),
        ("row 2, column trained_workers", "3 trained workers but only 2 community workers"),
        ("row 3, column kind", "'郊区' is not a community kind; expected 'urban' or 'rural'"),
    ]


def test_a_facility_whose_floor_area_is_unknown(tmp_path: Path) -> None:
    text = (
        "code,有综合服务设施,综合服务设施面积,居民活动区域面积,办公面积,户数\n"
        "440106001001,是,,,,100\n"  # said to exist, its floor area unknown
        "440106001002,,,200,50,100\n"  # described by its parts
        "440106001003,否,,,,100\n"
    )
    said, parts, none = read_csv_text(tmp_path, text, "unknown.csv")
    assert said.facilities == (Facility("comprehensive"),)
    assert parts.facilities == (Facility("comprehensive", None, 200, 50),)
    assert none.facilities == ()
    findings = {c.code: cssp.evaluate(c, profiles=()) for c in (said, parts)}
    for assessment in findings.values():
        # coverage counts it; the targets on its floor area have no data, and say why
        assert assessment.finding("urban_facility_coverage").status is cssp.Status.MET
        area = assessment.finding("facility_area_per_100_households")
        assert area.status is cssp.Status.NO_DATA
        assert area.reason is not None
        assert area.reason.en == "a comprehensive facility's floor area is not given"
    with pytest.raises(cssp.InputError, match="says there is no comprehensive facility"):
        read_csv_text(tmp_path, "code,有综合服务设施,办公面积\n440106001001,否,20\n", "no.csv")


def test_a_row_with_a_bad_code_and_a_duplicate() -> None:
    with pytest.raises(cssp.InputError) as info:
        read_communities(BAD / "duplicate_codes.csv")
    assert info.value.path == f"{BAD / 'duplicate_codes.csv'}: row 4, column 统计用区划代码"
    assert f"{BAD / 'duplicate_codes.csv'}: row 2" in info.value.message


def test_json_problems_are_located_by_path() -> None:
    with pytest.raises(cssp.InputError) as info:
        read_communities(BAD / "many_problems.json")
    name = BAD / "many_problems.json"
    assert [path for path, _ in info.value.problems] == [
        f"{name}: communities[0].households",
        f"{name}: communities[1].code",
        f"{name}: communities[2].code",
        f"{name}: communities[3].services",
    ]


def test_jsonl_problems_are_located_by_line(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text(
        '{"code": "440106001001"}\n'
        "\n"
        '{"code": "440106001002", "facilities": [{"kind": "comprehensive", "floor_area": -1}]}\n'
        "not json\n"
        '{"code": "440106001003", "households": "3 kg"}\n',
        encoding="utf-8",
    )
    with pytest.raises(cssp.InputError) as info:
        read_communities(path)
    assert [where for where, _ in info.value.problems] == [
        f"{path}: line 3: facilities[0].floor_area",
        f"{path}: line 4",
        f"{path}: line 5: households",
    ]


def test_a_single_unit_problem_stays_a_unit_error() -> None:
    for name in ("wrong_unit.json", "wrong_unit_cell.csv", "wrong_unit_line.jsonl"):
        with pytest.raises(cssp.UnitError):
            read_communities(BAD / name)


def test_problems_are_capped_at_the_limit(tmp_path: Path) -> None:
    rows = "".join(f"440106001{n:03d},-1\n" for n in range(1, MAX_PROBLEMS + 11))
    with pytest.raises(cssp.InputError) as info:
        read_csv_text(tmp_path, "code,households\n" + rows)
    assert len(info.value.problems) == MAX_PROBLEMS
    assert f"{MAX_PROBLEMS + 10} problems" in info.value.message
    assert f"showing the first {MAX_PROBLEMS}" in info.value.message
    with pytest.raises(cssp.InputError) as info:
        read_communities(tmp_path / "data.csv", limit=3)
    assert len(info.value.problems) == 3
    assert f"{MAX_PROBLEMS + 10} problems" in info.value.message


def test_the_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="limit"):
        read_communities(DATA / "communities.csv", limit=0)


def test_header_problems_are_all_reported(tmp_path: Path) -> None:
    text = "code,户数(平方米),楼层,建筑面积,households,居民户数\n1,2,3,4,5,6\n"
    with pytest.raises(cssp.InputError) as info:
        read_csv_text(tmp_path, text)
    assert [path.rpartition(": ")[2] for path, _ in info.value.problems] == [
        "row 1, column 户数(平方米)",
        "row 1, column 楼层",
        "row 1, column 建筑面积",
        "row 1, column 居民户数",
    ]


def test_an_unknown_column_suggests_a_close_one(tmp_path: Path) -> None:
    with pytest.raises(cssp.InputError, match="did you mean 'households'"):
        read_csv_text(tmp_path, "code,housholds\n440106001001,1\n")


def test_a_missing_library_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(cssp.InputError, match=re.escape("pip install 'cssp[xlsx]'")):
        read_communities(tmp_path / "data.xlsx")
    with pytest.raises(cssp.InputError, match=re.escape("pip install 'cssp[parquet]'")):
        read_communities(tmp_path / "data.parquet")


# --- several files ----------------------------------------------------------------------


def test_read_many_reads_files_in_order(tmp_path: Path) -> None:
    assert read_many([DATA / "communities.json"]) == expected_communities()
    more = tmp_path / "more.csv"
    more.write_text("code,households\n440106001003,10\n", encoding="utf-8")
    both = read_many([DATA / "communities.tsv", more])
    assert both == (*expected_communities(), Community(code="440106001003", households=10))
    assert read_many(str(more)) == read_many([more])  # one path is one file


def test_read_many_names_both_places_of_a_duplicate_code(tmp_path: Path) -> None:
    first = tmp_path / "a.csv"
    second = tmp_path / "b.jsonl"
    first.write_text("code\n440106001001\n440106001002\n", encoding="utf-8")
    second.write_text('{"code": "440106001003"}\n{"code": "440106001002"}\n', encoding="utf-8")
    with pytest.raises(cssp.InputError) as info:
        read_many([first, second])
    assert info.value.path == f"{second}: line 2: code"
    assert f"also at {first}: row 3, column code" in info.value.message


def test_read_many_reports_the_problems_of_every_file(tmp_path: Path) -> None:
    with pytest.raises(cssp.InputError) as info:
        read_many([BAD / "wrong_unit.json", BAD / "empty.csv", DATA / "communities.csv"])
    assert [where for where, _ in info.value.problems] == [
        f"{BAD / 'wrong_unit.json'}: communities[0].facilities[0].floor_area",
        str(BAD / "empty.csv"),
    ]


def test_read_many_needs_a_file() -> None:
    with pytest.raises(cssp.InputError, match="no input file"):
        read_many([])


# --- the corpus of bad inputs ------------------------------------------------------------------


def corpus() -> list[tuple[str, dict[str, Any], str]]:
    """(file, keyword arguments, expected text) for each row of tests/data/bad/README.md."""
    rows = []
    for line in (BAD / "README.md").read_text("utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        name, _, options, expected = cells
        arguments = {
            key: json.loads(value)
            for key, _, value in (o.partition("=") for o in options.strip("`").split() if o)
        }
        rows.append((name.strip("`"), arguments, expected.strip("`")))
    return rows


CORPUS: Final = corpus()


def test_the_corpus_manifest_lists_every_file() -> None:
    listed = [name for name, _, _ in CORPUS]
    present = sorted(p.name for p in BAD.iterdir() if p.name != "README.md")
    assert sorted(listed) == present
    assert len(present) >= 20


@pytest.mark.parametrize(("name", "arguments", "expected"), CORPUS, ids=[c[0] for c in CORPUS])
def test_bad_input_is_an_input_error_with_a_location(
    name: str, arguments: dict[str, Any], expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(BAD)  # locations then start with the file's name as given
    with pytest.raises(cssp.InputError) as info:
        read_communities(name, **arguments)
    text = str(info.value)
    assert text.startswith((name, f"{len(info.value.problems)} problems in {name}"))
    assert expected in text
    assert all(where.startswith(name) for where, _ in info.value.problems)


# --- round trips ------------------------------------------------------------------------


def test_sample_round_trip_through_json(tmp_path: Path) -> None:
    sample = cssp.load_sample()
    path = tmp_path / "sample.json"
    write_atomic(path, communities_to_json(sample))
    assert read_communities(path) == sample


@settings(max_examples=50)
@given(cst.community_lists(min_size=1, max_size=5))
def test_round_trip(communities: list[Community]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "communities.json"
        write_atomic(path, communities_to_json(communities))
        assert read_communities(path) == tuple(communities)
        lines = Path(folder) / "communities.jsonl"
        records = json.loads(path.read_text("utf-8"))["communities"]
        buffer = io.StringIO()
        for record in records:
            buffer.write(json.dumps(record, ensure_ascii=False) + "\n")
        write_atomic(lines, buffer.getvalue())
        assert read_communities(lines) == tuple(communities)


def test_facility_kinds_survive_the_round_trip(tmp_path: Path) -> None:
    community = Community(
        code="440106001001",
        facilities=[Facility(kind, floor_area=10) for kind in FacilityKind],
    )
    path = tmp_path / "kinds.json"
    write_atomic(path, communities_to_json([community]))
    assert read_communities(path) == (community,)
