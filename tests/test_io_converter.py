"""Tests for cssp.model.convert: structuring users' data with located errors, and back."""

from __future__ import annotations

import json
from typing import Any, Final

import pytest
from hypothesis import given

import cssp
from cssp import Community, CommunityKind, Facility, FacilityKind, Service, Staff
from cssp import testing as cst
from cssp.io import MAX_PROBLEMS, get_converter, structure, structure_communities, unstructure

#: The example community as a spreadsheet or JSON file gives it: units in strings.
EXAMPLE_RECORD: Final[dict[str, Any]] = {
    "code": "440106001001",
    "name": "示例社区",
    "households": "1,200户",
    "population": "3,600人",
    "building_area": "8.4万平方米",
    "facilities": [
        {
            "kind": "综合服务设施",
            "floor_area": "420平方米",
            "activity_area": {"value": 260, "unit": "m^2"},
            "office_area": "60 m²",
            "opening_hours": "9小时/天",
        },
        {"kind": "commercial", "floor_area": "5,000 m²", "opening_hours": 12},
    ],
    "staff": {"community_workers": "8人", "social_workers": 2, "disaster_information_officers": 1},
    "services": ["self_service_kiosk", "agency_service", "online_service_24h"],
}

RURAL_RECORD: Final[dict[str, Any]] = {
    "code": "330106109201",
    "kind": "村",
    "households": 300,
    "facilities": [],
    "resettlement": True,
}


def example_community() -> Community:
    return Community(
        code="440106001001",
        name="示例社区",
        households=1200,
        population=3600,
        building_area=84_000.0,
        facilities=[
            Facility(
                "comprehensive",
                floor_area=420.0,
                activity_area=260.0,
                office_area=60.0,
                opening_hours=9.0,
            ),
            Facility("commercial", floor_area=5000.0, opening_hours=12.0),
        ],
        staff=Staff(community_workers=8, social_workers=2, disaster_information_officers=1),
        services=["self_service_kiosk", "agency_service", "online_service_24h"],
    )


# --- structuring -------------------------------------------------------------------


def test_structure_communities_reads_unit_strings() -> None:
    example, rural = structure_communities([EXAMPLE_RECORD, RURAL_RECORD])
    assert example == example_community()
    assert example.building_area == pytest.approx(84_000)
    assert rural.kind is CommunityKind.RURAL
    assert rural.facilities == ()
    assert rural.resettlement is True
    assert rural.staff == Staff()


def test_structure_communities_accepts_a_tuple_and_returns_a_tuple() -> None:
    result = structure_communities((EXAMPLE_RECORD,))
    assert isinstance(result, tuple)
    assert result == (example_community(),)
    assert structure_communities([]) == ()


def test_the_records_are_not_changed() -> None:
    record = json.loads(json.dumps(EXAMPLE_RECORD))
    structure_communities([record])
    assert record == EXAMPLE_RECORD


def test_structure_one_object() -> None:
    facility = structure({"kind": "other", "floor_area": "3亩"}, Facility)
    assert facility.kind is FacilityKind.OTHER
    assert facility.floor_area == pytest.approx(2000)
    assert structure({"community_workers": "15人"}, Staff) == Staff(community_workers=15)
    assert structure(EXAMPLE_RECORD, Community) == example_community()


def test_the_converter_is_shared() -> None:
    assert get_converter() is get_converter()


# --- every problem, located ------------------------------------------------------------

BAD_RECORDS: Final[list[dict[str, Any]]] = [
    {
        "code": "440106001001",
        "households": "1200人",
        "facilities": [{"kind": "comprehensive", "floor_area": "3 kg"}],
    },
    {
        "code": "440106001002",
        "facilities": [
            {"kind": "shop", "floor_area": 1},
            {"kind": "other", "floor_area": -1},
            {"kind": "comprehensive", "floor_area": 10, "activity_area": 20},
        ],
        "staff": {"community_workers": 1.5},
        "colour": "red",
    },
    {"code": "12"},
    {"households": 10},
    {"code": "440106001201", "kind": "urban"},
    {"code": "440106001003", "services": ["teleport"], "staff": {"bogus": 1}},
]

EXPECTED_LOCATIONS: Final = {
    "communities[0].households": "a number of persons, expected a number of households",
    "communities[0].facilities[0].floor_area": "a mass, expected an area",
    "communities[1].facilities[0].kind": "'shop' is not a facility kind",
    "communities[1].facilities[1].floor_area": "negative",
    "communities[1].facilities[2].activity_area": "larger than the floor area",
    "communities[1].staff.community_workers": "not a whole number",
    "communities[1]": "colour",
    "communities[2].code": "12-digit",
    "communities[3].code": "missing",
    "communities[4].kind": "contradicts",
    "communities[5].services": "teleport",
    "communities[5].staff": "bogus",
}


def test_every_problem_is_reported_at_once_with_its_location() -> None:
    with pytest.raises(cssp.InputError) as info:
        structure_communities(BAD_RECORDS)
    error = info.value
    problems = dict(error.problems)
    assert len(error.problems) == len(problems), "a location is reported twice"
    assert set(problems) == set(EXPECTED_LOCATIONS)
    for location, fragment in EXPECTED_LOCATIONS.items():
        assert fragment in problems[location], location
    assert error.path == "communities"
    assert f"{len(EXPECTED_LOCATIONS)} problems" in error.message
    text = str(error)
    for location in EXPECTED_LOCATIONS:
        assert f"  {location}: " in text


def test_a_single_problem_is_located() -> None:
    record = {
        "code": "440106001001",
        "facilities": [{"kind": "comprehensive", "floor_area": "3 kg"}],
    }
    with pytest.raises(cssp.InputError) as info:
        structure_communities([{"code": "440106001002"}, record])
    assert info.value.path == "communities[1].facilities[0].floor_area"
    assert str(info.value).startswith("communities[1].facilities[0].floor_area: '3 kg' is a mass")
    assert info.value.problems == ((info.value.path, info.value.message),)


def test_a_single_unit_problem_stays_a_unit_error() -> None:
    record = {"kind": "comprehensive", "floor_area": "3 kg"}
    with pytest.raises(cssp.UnitError):
        structure(record, Facility)
    with pytest.raises(cssp.UnitError):
        structure_communities([{"code": "440106001001", "facilities": [record]}])


def test_the_location_prefix_can_be_a_file_name() -> None:
    with pytest.raises(cssp.InputError) as info:
        structure_communities([{"code": "440106001001", "households": -5}], where="data.json")
    assert info.value.path == "data.json[0].households"


@pytest.mark.parametrize(
    ("record", "location", "key"),
    [
        ({"code": "440106001001", "colour": "red"}, "communities[0]", "colour"),
        (
            {
                "code": "440106001001",
                "facilities": [{"kind": "other", "floor_area": 1, "bogus": 2}],
            },
            "communities[0].facilities[0]",
            "bogus",
        ),
        ({"code": "440106001001", "staff": {"cooks": 2}}, "communities[0].staff", "cooks"),
        ({"code": "440106001001", "floor_area": 300}, "communities[0]", "floor_area"),
    ],
)
def test_unknown_keys_are_rejected(record: dict[str, Any], location: str, key: str) -> None:
    with pytest.raises(cssp.InputError) as info:
        structure_communities([record])
    assert info.value.path == location
    assert key in str(info.value)


@pytest.mark.parametrize("records", [{"code": "440106001001"}, "440106001001", None, 3])
def test_records_must_be_a_list(records: Any) -> None:
    with pytest.raises(cssp.InputError) as info:
        structure_communities(records)
    assert info.value.path == "communities"


def test_a_record_must_be_a_mapping() -> None:
    with pytest.raises(cssp.InputError) as info:
        structure_communities([EXAMPLE_RECORD, "440106001002"])
    assert info.value.path.startswith("communities[1]")


def test_problems_are_capped() -> None:
    records = [{"code": f"440106001{n:03d}", "households": -1} for n in range(1, MAX_PROBLEMS + 11)]
    with pytest.raises(cssp.InputError) as info:
        structure_communities(records)
    error = info.value
    assert len(error.problems) == MAX_PROBLEMS
    assert f"{MAX_PROBLEMS + 10} problems" in error.message
    assert f"showing the first {MAX_PROBLEMS}" in error.message
    assert error.problems[0][0] == "communities[0].households"


# --- round trips ---------------------------------------------------------------------


def test_unstructure_gives_plain_values() -> None:
    data = unstructure(example_community())
    assert data["code"] == "440106001001"
    assert data["kind"] == "urban"
    assert data["households"] == 1200
    assert data["facilities"][0]["floor_area"] == 420
    assert data["facilities"][0]["kind"] == "comprehensive"
    assert data["staff"]["community_workers"] == 8
    assert sorted(data["services"]) == sorted(
        s.value
        for s in (Service.SELF_SERVICE_KIOSK, Service.AGENCY_SERVICE, Service.ONLINE_SERVICE_24H)
    )


def test_round_trip_of_the_example() -> None:
    community = example_community()
    assert structure(unstructure(community), Community) == community
    assert structure_communities([unstructure(community)]) == (community,)


def test_unstructured_communities_are_json() -> None:
    community = example_community()
    text = json.dumps(unstructure(community))
    assert structure_communities([json.loads(text)]) == (community,)


@given(cst.communities())
def test_round_trip(community: Community) -> None:
    assert structure(unstructure(community), Community) == community


@given(cst.community_lists(max_size=5))
def test_round_trip_of_lists(communities: list[Community]) -> None:
    data = [unstructure(c) for c in communities]
    assert structure_communities(data) == tuple(communities)


@given(cst.facilities(complete=True))
def test_round_trip_of_facilities(facility: Facility) -> None:
    assert structure(unstructure(facility), Facility) == facility


@pytest.mark.parametrize("data", ["text", 5, None, [1], True])
def test_a_non_object_is_an_input_error(data: object) -> None:
    with pytest.raises(cssp.InputError, match="expected an object with named fields"):
        structure(data, cssp.Community)


def test_a_facility_given_as_text_is_located() -> None:
    with pytest.raises(cssp.InputError) as caught:
        structure_communities([{"code": "440106001001", "facilities": ["x"]}])
    assert "communities[0].facilities[0]" in str(caught.value)
    assert "Facility as an object" in str(caught.value)
