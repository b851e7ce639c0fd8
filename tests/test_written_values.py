"""Values as people write them: approximate, in Chinese numerals, sums, ranges, shares."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cssp
from cssp.io import communities_to_json, read_communities
from cssp.io.readers import read_input
from cssp.report import render_report
from cssp.units import (
    AREA,
    HOURS_PER_DAY,
    HOUSEHOLDS,
    PERCENT,
    PERSONS,
    Approximate,
    chinese_number,
    to_canonical,
)


@pytest.mark.parametrize(
    ("text", "canonical", "value", "approximate"),
    [
        ("约1000平方米", AREA, 1000.0, True),
        ("大约 1000 m²", AREA, 1000.0, True),
        ("5200余人", PERSONS, 5200.0, True),
        ("3000多户", HOUSEHOLDS, 3000.0, True),
        ("近百人", PERSONS, 100.0, True),
        ("近万人", PERSONS, 10_000.0, True),
        ("1000左右", AREA, 1000.0, True),
        ("1.2万余人", PERSONS, 12_000.0, True),
        ("120+280", AREA, 400.0, False),
        ("120平方米+280平方米", AREA, 400.0, False),
        ("约120+280", AREA, 400.0, True),
        ("一千二百", AREA, 1200.0, False),
        ("一千二百平方米", AREA, 1200.0, False),
        ("两万三千人", PERSONS, 23_000.0, False),
        ("三万五", PERSONS, 35_000.0, False),
        ("一千零二户", HOUSEHOLDS, 1002.0, False),
        ("十二人", PERSONS, 12.0, False),
        ("8:30-17:30", HOURS_PER_DAY, 9.0, False),
        ("8:00-12:00、14:30-18:00", HOURS_PER_DAY, 7.5, False),
        ("1/2", PERCENT, 50.0, False),
        ("50%", PERCENT, 50.0, False),
        ("0", PERCENT, 0.0, False),
        ("95", PERCENT, 95.0, False),
    ],
)
def test_values_as_written(text: str, canonical: str, value: float, approximate: bool) -> None:
    found = to_canonical(text, canonical, "f")
    assert found == value
    assert (type(found) is Approximate) is approximate


@pytest.mark.parametrize(
    ("text", "canonical", "message"),
    [
        ("110-150", HOUSEHOLDS, "is a range, not one value"),
        ("110～150户", HOUSEHOLDS, "is a range, not one value"),
        ("8-10平方米", AREA, "is a range, not one value"),
        ("0.5", PERCENT, r"could be a share \(50% for 0.5\) or a percentage \(0.5%\)"),
        ("1", PERCENT, "could be a share"),
        ("5200余 furlongs", PERSONS, "is a length"),
        ("3 widgets", AREA, "the unit is not one cssp knows"),
        ("约", AREA, "is not a number"),
        ("一二", AREA, "is not a number"),
    ],
)
def test_values_that_are_not_one_value_are_refused(text: str, canonical: str, message: str) -> None:
    with pytest.raises(cssp.UnitError, match=message) as info:
        to_canonical(text, canonical, "f")
    assert "registry" not in str(info.value)  # the unit library's words never show
    assert info.value.path == "f"


_DIGITS: Final = "零一二三四五六七八九"


def _chinese(number: int) -> str:
    """``number`` (below 10⁸) in Chinese numerals, as written in full."""

    def below_10k(n: int) -> str:
        out, zero = "", False
        for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            digit = n // value % 10
            if digit:
                out += ("零" if zero and out else "") + _DIGITS[digit] + unit
                zero = False
            else:
                zero = True
        return out

    if number == 0:
        return "零"
    high, low = divmod(number, 10_000)
    return (below_10k(high) + "万" if high else "") + (
        ("零" if high and low < 1000 and low else "") + below_10k(low)
    )


@given(st.integers(0, 99_999_999))
def test_chinese_numerals_read_back(number: int) -> None:
    assert chinese_number(_chinese(number)) == number


def test_a_community_keeps_the_number_and_marks_it_approximate() -> None:
    community = cssp.Community(
        code="440106001001",
        households="约1000户",
        population="5200余人",
        facilities=[cssp.Facility("comprehensive", "约420平方米", activity_area=300)],
        staff=cssp.Staff(community_workers="8人左右"),
    )
    assert (community.households, type(community.households)) == (1000, int)
    assert community.approximate == {"households", "population"}
    assert community.staff.approximate == {"community_workers"}
    facility = community.facilities[0] if community.facilities else None
    assert facility is not None
    assert (facility.floor_area, type(facility.floor_area)) == (420.0, float)
    assert community.approximate_values == {
        "households",
        "population",
        "staff.community_workers",
        "facilities[0].floor_area",
    }
    # it reads back from JSON as it was; an exact community's record is unchanged
    document = json.loads(communities_to_json([community]))
    again = cssp.io.structure_communities(document["communities"])
    assert again == (community,)
    exact = json.loads(communities_to_json([cssp.Community(code="440106001001")]))
    assert "approximate" not in exact["communities"][0]
    assert "urban_rural_class" not in exact["communities"][0]


def test_findings_built_on_an_approximate_value_say_so() -> None:
    community = cssp.Community(
        code="440106001001",
        households="约1000户",
        facilities=[cssp.Facility("comprehensive", 420, activity_area=300)],
    )
    assessment = cssp.evaluate(community, profiles=())
    per_100 = assessment.finding("facility_area_per_100_households")
    share = assessment.finding("activity_area_share")  # reads no approximate value
    assert per_100.approximate
    assert not share.approximate
    assert "约为42平方米" in per_100.explain("zh")
    assert "is approximately 42 m²" in per_100.explain("en")
    assert "约" not in share.explain("zh")
    other = cssp.Community(
        code="440106001002", households=500, facilities=[cssp.Facility("comprehensive", 100)]
    )
    report = cssp.evaluate_region([community, other], by="county", profiles=())
    region = report.regions[0].finding("facility_area_per_100_households")
    assert region.approximate  # one of its communities is counted with an approximate value
    assert not report.regions[0].finding("activity_area_share").approximate
    alone = cssp.evaluate_region([other], by="county", profiles=())
    assert not alone.regions[0].finding("facility_area_per_100_households").approximate
    # and in every format
    for fmt, lang, text in (
        ("text", "zh", "约"),
        ("markdown", "en", "≈"),
        ("html", "zh", "约"),
        ("json", "en", '"approximate": true'),
    ):
        assert text in render_report(report, fmt, lang=lang)
    csv_text = render_report(report, "csv", lang="en")
    header, *rows = csv_text.lstrip("\ufeff").splitlines()
    assert header.endswith(",approximate")
    assert any(row.endswith(",yes") for row in rows)


def test_a_ledger_with_values_as_written(tmp_path: Path) -> None:
    path = tmp_path / "approx.csv"
    path.write_text(
        "code,户数,常住人口,综合服务设施面积(亩),居民活动区域面积,开放时间,月探访率\n"
        "440106001001,约1000户,5200余人,约0.63,120+150,8:30-17:30,90%\n"
        "440106001002,3000多户,近万人,1,300,9,1/2\n"
        "440106001003,110-150,,,,,0.5\n",
        encoding="utf-8",
    )
    result = read_input(path, skip_invalid=True)
    first, second = result.communities
    assert (first.households, first.population) == (1000, 5200)
    assert first.facilities is not None
    facility = first.facilities[0]
    assert facility.floor_area == pytest.approx(420)  # 0.63 亩: the header's unit
    assert (facility.activity_area, facility.opening_hours) == (270.0, 9.0)
    assert "facilities[0].floor_area" in first.approximate_values
    assert second.elderly_monthly_visit_rate == 50.0
    (skipped,) = result.notes.skipped
    assert [message.split(":")[0] for _, message in skipped.problems] == [
        "'110-150' is a range, not one value",
        "'0.5' could be a share (50% for 0.5) or a percentage (0.5%)",
    ]
    # a unit in the header says a share is a percentage: no ambiguity
    header = tmp_path / "percent.csv"
    header.write_text("code,月探访率(%)\n440106001001,0.5\n", encoding="utf-8")
    assert read_communities(header)[0].elderly_monthly_visit_rate == 0.5
