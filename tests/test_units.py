"""Tests for cssp.units: the one registry, cssp's own units, and the plan's notation."""

from __future__ import annotations

import math

import pint
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cssp
from cssp.units import (
    AREA,
    HOURS_PER_DAY,
    HOUSEHOLDS,
    PERCENT,
    PERSONS,
    Q_,
    describe_dimension,
    get_registry,
    parse_quantity,
    parse_threshold,
    setup_registry,
    to_canonical,
)

PER_100_HOUSEHOLDS = "meter ** 2 / hundred_households"
PER_10K_PERSONS = "person / ten_thousand_persons"


def _in(quantity: pint.Quantity, unit: str) -> float:
    return float(quantity.to(unit).magnitude)


# --- the registry ----------------------------------------------------------------


def test_one_registry() -> None:
    assert get_registry() is get_registry()
    assert Q_(1, "m**2")._REGISTRY is get_registry()


def test_units_of_the_plan_are_defined() -> None:
    assert _in(Q_(1, "hundred_households"), "household") == 100
    assert _in(Q_(1, "ten_thousand_persons"), "person") == 10_000
    assert _in(Q_(15, "mu"), "m**2") == pytest.approx(10_000, rel=1e-12)


def test_person_never_converts_to_household() -> None:
    with pytest.raises(pint.DimensionalityError):
        Q_(15, "person").to("household")
    with pytest.raises(cssp.UnitError, match="households"):
        to_canonical("15人", HOUSEHOLDS, "households")
    with pytest.raises(cssp.UnitError, match="persons"):
        to_canonical("1200户", PERSONS, "population")


def test_setup_registry_adds_cssp_units_to_a_foreign_registry() -> None:
    foreign = setup_registry(pint.UnitRegistry())
    assert foreign is not get_registry()
    assert to_canonical(foreign.Quantity(12, "hundred_households"), HOUSEHOLDS, "h") == 1200


# --- the notations of the plan ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("29.8平方米", "m**2", 29.8),
        ("65.7%", "percent", 65.7),
        ("15人", "person", 15),
        ("8小时/天", "hour/day", 8),
        ("3亩", "m**2", 2000),
        ("1,200户", "household", 1200),
        ("433.8万人", "person", 4_338_000),
        ("420 m²", "m**2", 420),
        ("420 m^2", "m**2", 420),
        ("30平方米/百户", "m**2/household", 0.3),
        ("18人/万人", "person/person", 0.0018),
        ("0.2公顷", "m**2", 2000),
    ],
)
def test_parse_quantity(text: str, unit: str, expected: float) -> None:
    assert _in(parse_quantity(text), unit) == pytest.approx(expected, rel=1e-12)


def test_full_width_digits() -> None:
    assert parse_quantity("１２００").magnitude == 1200
    assert to_canonical("１２００", HOUSEHOLDS, "households") == 1200
    assert to_canonical("１２００户", HOUSEHOLDS, "households") == 1200


def test_three_mu_is_2000_square_metres() -> None:
    assert to_canonical("3亩", AREA, "floor_area") == pytest.approx(2000, rel=1e-12)


def test_parse_quantity_refuses_a_comparator() -> None:
    with pytest.raises(cssp.UnitError, match="parse_threshold"):
        parse_quantity("≥30平方米")


@pytest.mark.parametrize(
    ("text", "comparator", "unit", "value"),
    [
        ("≥30平方米", ">=", "m**2", 30),
        ("≥10%", ">=", "percent", 10),
        ("80%", ">=", "percent", 80),  # the plan's columns: "80%" means at least 80%
        ("18人", ">=", "person", 18),
        ("不少于8小时/天", ">=", "hour/day", 8),
        ("≤5%", "<=", "percent", 5),
        ("≥30平方米/百户", ">=", "m**2/hundred_households", 30),
    ],
)
def test_parse_threshold(text: str, comparator: str, unit: str, value: float) -> None:
    got_comparator, quantity = parse_threshold(text)
    assert got_comparator == comparator
    assert _in(quantity, unit) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("text", ["", "平方米", "abc", "30 furlongs_x", "420 m2"])
def test_unreadable_text_is_a_unit_error(text: str) -> None:
    with pytest.raises(cssp.UnitError):
        parse_quantity(text)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("1,20户", HOUSEHOLDS),
        ("12,00户", HOUSEHOLDS),
        ("1,2345户", HOUSEHOLDS),
        ("1.200,5平方米", AREA),
        ("3 2平方米", AREA),
        ("350 m² 2", AREA),
    ],
)
def test_malformed_numbers_are_errors_not_misread(text: str, canonical: str) -> None:
    with pytest.raises(cssp.UnitError):
        to_canonical(text, canonical, "field")


# --- to_canonical: every input form --------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        350,
        350.0,
        "350",
        "350 m²",
        "350平方米",
        "350 m^2",
        {"value": 350, "unit": "m^2"},
        {"value": 350, "unit": "平方米"},
        {"value": 350},
        "0.035公顷",
    ],
)
def test_to_canonical_area(value: object) -> None:
    assert to_canonical(value, AREA, "floor_area") == pytest.approx(350, rel=1e-12)


def test_quantities_from_cssp_and_from_a_foreign_registry_agree() -> None:
    ours = to_canonical(Q_(350, "m**2"), AREA, "floor_area")
    foreign = to_canonical(pint.UnitRegistry().Quantity(350, "m**2"), AREA, "floor_area")
    assert ours == foreign == 350
    hectare = pint.UnitRegistry().Quantity(0.035, "hectare")
    assert to_canonical(hectare, AREA, "floor_area") == pytest.approx(350, rel=1e-12)
    assert to_canonical(Q_(0.035, "hectare"), AREA, "floor_area") == pytest.approx(350, rel=1e-12)


def test_canonical_units() -> None:
    assert to_canonical("65.7%", PERCENT, "rate") == pytest.approx(65.7)
    assert to_canonical("8小时/天", HOURS_PER_DAY, "opening_hours") == 8
    assert to_canonical("480分钟/天", HOURS_PER_DAY, "opening_hours") == pytest.approx(8)
    assert to_canonical("15人", PERSONS, "community_workers") == 15
    assert to_canonical("433.8万人", PERSONS, "population") == pytest.approx(4_338_000)
    assert to_canonical("1,200户", HOUSEHOLDS, "households") == 1200
    assert to_canonical("12百户", HOUSEHOLDS, "households") == 1200


@pytest.mark.parametrize(
    ("value", "canonical", "found", "expected"),
    [
        ("3 kg", AREA, "a mass", "an area"),
        ("15人", HOUSEHOLDS, "a number of persons", "a number of households"),
        ("1200户", PERSONS, "a number of households", "a number of persons"),
        ("8小时/天", PERCENT, "hours per day", "a plain number or a percentage"),
        ("65.7%", HOURS_PER_DAY, "a plain number or a percentage", "hours per day"),
        ("3 m", AREA, "a length", "an area"),
        ({"value": 3, "unit": "kg"}, AREA, "a mass", "an area"),
    ],
)
def test_wrong_dimension_names_field_found_and_expected(
    value: object, canonical: str, found: str, expected: str
) -> None:
    with pytest.raises(cssp.UnitError) as info:
        to_canonical(value, canonical, "the_field")
    error = info.value
    assert error.path == "the_field"
    message = str(error)
    assert message.startswith("the_field: ")
    assert f"is {found}" in message
    assert f"expected {expected}" in message


def test_foreign_quantity_of_wrong_dimension() -> None:
    with pytest.raises(cssp.UnitError, match=r"floor_area: .*a mass, expected an area"):
        to_canonical(pint.UnitRegistry().Quantity(3, "kg"), AREA, "floor_area")


def test_unit_error_is_an_input_error_and_a_value_error() -> None:
    with pytest.raises(cssp.UnitError) as info:
        to_canonical("3 kg", AREA, "floor_area")
    assert isinstance(info.value, cssp.InputError)
    assert isinstance(info.value, cssp.CsspError)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "value",
    [
        True,
        None,
        [350],
        float("nan"),
        float("inf"),
        "≥350平方米",
        {"value": "350", "unit": "m^2"},
        {"value": 350, "unit": 2},
        {"value": 350, "units": "m^2"},
        {"unit": "m^2"},
    ],
)
def test_to_canonical_rejects(value: object) -> None:
    with pytest.raises(cssp.UnitError) as info:
        to_canonical(value, AREA, "floor_area")
    assert info.value.path == "floor_area"


def test_describe_dimension() -> None:
    assert describe_dimension("kg") == "a mass"
    assert describe_dimension("m**2").startswith("an area")
    assert describe_dimension("household").startswith("a number of households")


# --- round trips (hypothesis) ----------------------------------------------------

_magnitudes = st.just(0.0) | st.floats(
    min_value=1e-6, max_value=1e12, allow_nan=False, allow_infinity=False
)


@given(_magnitudes)
def test_area_round_trip_through_mu(square_metres: float) -> None:
    in_mu = Q_(square_metres, "m**2").to("mu")
    back = to_canonical(in_mu, AREA, "floor_area")
    assert math.isclose(back, square_metres, rel_tol=1e-12, abs_tol=0.0)
    assert math.isclose(_in(in_mu, "m**2"), square_metres, rel_tol=1e-12, abs_tol=0.0)


@given(_magnitudes)
def test_area_round_trip_through_mu_text(square_metres: float) -> None:
    text = f"{float(Q_(square_metres, 'm**2').to('mu').magnitude)!r}亩"
    back = to_canonical(text, AREA, "floor_area")
    assert math.isclose(back, square_metres, rel_tol=1e-12, abs_tol=0.0)


@given(_magnitudes)
def test_ratio_round_trip_per_hundred_households(value: float) -> None:
    per_household = Q_(value, PER_100_HOUSEHOLDS).to("m**2 / household")
    back = _in(per_household, PER_100_HOUSEHOLDS)
    assert math.isclose(back, value, rel_tol=1e-12, abs_tol=0.0)


@given(_magnitudes)
def test_ratio_round_trip_per_ten_thousand_persons(value: float) -> None:
    per_person = Q_(value, PER_10K_PERSONS).to("dimensionless")
    back = to_canonical({"value": float(per_person.magnitude)}, "dimensionless", "x")
    assert math.isclose(back * 10_000, value, rel_tol=1e-12, abs_tol=0.0)
