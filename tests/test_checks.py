"""Type checks at construction (cssp.model.checks): every field of the plan and profile classes.

The classes built often (Text, Citation, Target, Indicator) test their fields
in one quick ``__attrs_post_init__`` and ask the declared checks only when
that test fails; these tests show that the quick test misses no field (each
field given a wrong value is refused, naming it) and refuses nothing the
checks accept. The classes built rarely (Profile, Override, the staffing
rules) carry the checks as attrs field validators.
"""

from __future__ import annotations

import datetime
import enum
from typing import Any, Final

import attrs
import numpy as np
import pytest

import cssp
from cssp.model import citation as citation_module
from cssp.model import plan as plan_module
from cssp.model.checks import Check, instance_of, mapping_of, optional, tuple_of

PLAN: Final = cssp.load_plan("fyp14")
TARGET: Final = PLAN.targets["facility_area_per_100_households"]
INDICATOR: Final = PLAN.indicators["facility_area_per_100_households"]
PROFILE: Final = cssp.Profile(
    id="gd",
    plan="fyp14",
    scope="44",
    title=cssp.Text("广东", "Guangdong"),
    issuer="issuer",
    document="doc",
    overrides=(cssp.Override(TARGET.id, "32", cssp.Citation("doc")),),
)
STAFFING: Final = cssp.HouseholdStaffingRule(
    cssp.Citation("d"), cssp.Text("每300户1人", "1 per 300"), households_per_worker=300
)

#: One well-made object of each checked class.
SAMPLES: Final[dict[str, Any]] = {
    "Text": TARGET.name,
    "Citation": cssp.Citation("国办发〔2021〕56号", "（五）", "专栏1", 4, "note"),
    "Target": TARGET,
    "Indicator": INDICATOR,
    "Profile": PROFILE,
    "Override": PROFILE.overrides[0],
    "HouseholdStaffingRule": STAFFING,
}
#: The quick-tested classes and their declared checks.
TABLES: Final = {
    "Text": citation_module._TEXT_CHECKS,
    "Citation": citation_module._CITATION_CHECKS,
    "Target": plan_module._TARGET_CHECKS,
    "Indicator": plan_module._INDICATOR_CHECKS,
}
WRONG: Final = object()  # fits no field


@pytest.mark.parametrize("name", sorted(TABLES))
def test_the_declared_checks_cover_every_field_in_order(name: str) -> None:
    fields = [field.name for field in attrs.fields(type(SAMPLES[name]))]
    assert [field for field, _ in TABLES[name]] == fields


def _every_field() -> list[tuple[str, str]]:
    return [(name, f.name) for name in SAMPLES for f in attrs.fields(type(SAMPLES[name]))]


@pytest.mark.parametrize(("name", "field"), _every_field(), ids=str)
def test_every_field_refuses_a_wrong_type_naming_it(name: str, field: str) -> None:
    with pytest.raises(cssp.InputError) as caught:
        attrs.evolve(SAMPLES[name], **{field: WRONG})
    assert caught.value.path == field
    assert f"{field}: <object object at " in str(caught.value)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_a_well_made_object_rebuilds(name: str) -> None:
    assert attrs.evolve(SAMPLES[name]) == SAMPLES[name]


class _Str(str):
    """A subclass of str: the quick test passes it to the declared checks, which accept it."""


class _Year(int):
    pass


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        ("Text", {"zh": _Str("标题")}),
        ("Citation", {"item": _Year(4), "note": _Str("n")}),
        ("Target", {"value": np.float64(30.0), "year": _Year(2025), "region_share": 100}),
        ("Target", {"levels": {cssp.Level.REGION}}),  # a set is taken as a frozenset
        ("Indicator", {"targets": [TARGET]}),  # a list is taken as a tuple
        ("Profile", {"overrides": list(PROFILE.overrides), "issued": datetime.date(2022, 1, 1)}),
    ],
)
def test_what_the_checks_accept_passes_the_quick_test_too(
    name: str, changes: dict[str, Any]
) -> None:
    built = attrs.evolve(SAMPLES[name], **changes)
    assert isinstance(built, type(SAMPLES[name]))
    assert not any(isinstance(getattr(built, f), list | set) for f in changes)


@pytest.mark.parametrize(
    ("name", "field", "value"),
    [
        ("Citation", "item", True),
        ("Target", "year", True),
        ("Target", "value", False),
        ("Target", "value", "30"),
        ("Target", "comparator", ">="),  # a StrEnum's value is not its member
        ("Target", "levels", frozenset({"region"})),
        ("Target", "provenance", [TARGET]),
        ("Override", "year", 2025.0),
        ("Profile", "issued", datetime.datetime(2022, 1, 1)),
        ("HouseholdStaffingRule", "minimum", True),
        ("HouseholdStaffingRule", "households_per_worker", "300"),
    ],
)
def test_near_misses_are_refused(name: str, field: str, value: object) -> None:
    with pytest.raises(cssp.InputError) as caught:
        attrs.evolve(SAMPLES[name], **{field: value})
    assert caught.value.path == field


def test_the_message_says_what_was_given_expected_and_where() -> None:
    with pytest.raises(cssp.InputError) as caught:
        attrs.evolve(PROFILE, measures={"gd:m": "x" * 100})  # type: ignore[dict-item]
    message = str(caught.value)
    assert message.startswith("measures['gd:m']: 'xxx")
    assert "… (str) is not a Measure, in profile 'gd'" in message
    assert len(message) < 150  # a long value is cut


def test_a_staffing_rule_subclass_keeps_the_checks() -> None:
    @attrs.define(frozen=True)
    class Rule(cssp.StaffingRule):
        def __attrs_post_init__(self) -> None:  # does not call the base's checks
            pass

    with pytest.raises(
        cssp.InputError, match=r"^citation: 'c' \(str\) is not a Citation, in a Rule"
    ):
        Rule("c", cssp.Text("规则", "rule"))  # type: ignore[arg-type]


def test_checks_compose() -> None:
    class Colour(enum.Enum):
        RED = 1

    check: Check[tuple[Colour, ...] | None] = optional(tuple_of(Colour))
    assert check.fits(None)
    assert check.fits((Colour.RED,))
    assert not check.fits((Colour.RED, 1))
    error = check.problem((Colour.RED, 1), "colours", "a palette")
    assert (error.path, error.message) == ("colours[1]", "1 (int) is not a Colour, in a palette")
    assert mapping_of(str, int).problem({"a": "b"}, "m", "x").path == "m['a']"
    assert instance_of(str, int).expected == "a str or int"
