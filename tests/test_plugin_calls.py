"""A plugin's code that runs per community is contained like its import and hook.

A staffing rule's ``required()`` / ``required_columns()`` and a measure's own
``compute()`` that raise, call ``sys.exit()``, return the wrong type, NaN or a
negative number, try to change the community, or overrun the time limit give a
:class:`cssp.PluginError` naming the profile and the plugin — in both engines.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from attrs import define, field

import cssp
import cssp.batch
from cssp.model.measures import Measure, Skip
from cssp.rules.contained import LIMIT, set_limit

CODE = "110101001001"  # Beijing, Dongcheng: an urban community
SOURCE = "cssp-test-plugin 9.9"


@define(frozen=True)
class _Rule(cssp.StaffingRule):
    """A staffing rule whose ``required`` is a test's function."""

    function: Callable[[cssp.Community], Any] = field(kw_only=True)
    columns: Callable[[Mapping[str, Any]], Any] | None = field(default=None, kw_only=True)

    def required(self, community: cssp.Community) -> float | None:
        return self.function(community)  # type: ignore[no-any-return]

    def required_columns(self, columns: Mapping[str, Any]) -> Any:
        return None if self.columns is None else self.columns(columns)


def _profile(**kwargs: Any) -> cssp.Profile:
    return cssp.Profile(
        id="test_rule",
        plan="fyp14",
        scope="11",
        title=cssp.Text("测试", "test"),
        issuer="test",
        document="test",
        source=SOURCE,
        **kwargs,
    )


def _rule_profile(function: Callable[[cssp.Community], Any], **kwargs: Any) -> cssp.Profile:
    rule = _Rule(
        cssp.Citation(document="test"), cssp.Text("测试", "test"), function=function, **kwargs
    )
    return _profile(staffing=rule)


def _run(engine: str, profiles: list[cssp.Profile]) -> object:
    """Evaluate the test community with one engine."""
    if engine == "scalar":
        return cssp.evaluate(_community(), profiles=profiles)
    return cssp.batch.evaluate_communities([_community()], profiles=profiles)


def _community() -> cssp.Community:
    return cssp.Community(CODE, households=900, staff=cssp.Staff(community_workers=9))


def _raise(community: cssp.Community) -> float:
    raise ValueError("a bug in the plugin")


def _exit(community: cssp.Community) -> float:
    sys.exit(3)


def _change(community: cssp.Community) -> float:
    community.households = 1  # type: ignore[misc]
    return 1.0


def _sleep(community: cssp.Community) -> float:
    time.sleep(30)
    return 1.0


BAD_RULES = {
    "raises": (_raise, "raised ValueError: a bug in the plugin"),
    "exits": (_exit, "called sys.exit(3)"),
    "a string": (lambda c: "nine", "returned 'nine' (str), not a number of workers"),
    "NaN": (lambda c: math.nan, "returned nan, not a number of workers"),
    "negative": (lambda c: -1.0, "returned -1.0, not a number of workers"),
    "a bool": (lambda c: True, "returned True (bool), not a number of workers"),
    "changes the community": (_change, "raised FrozenInstanceError"),
}


@pytest.fixture
def short_limit() -> Iterator[None]:
    before = LIMIT[0]
    set_limit(0.5)
    try:
        yield
    finally:
        set_limit(before)


@pytest.mark.parametrize("case", sorted(BAD_RULES))
@pytest.mark.parametrize("engine", ["scalar", "batch"])
def test_a_rule_that_goes_wrong_is_the_plugins_error(case: str, engine: str) -> None:
    function, message = BAD_RULES[case]
    profiles = [_rule_profile(function)]
    with pytest.raises(cssp.PluginError) as caught:
        _run(engine, profiles)
    text = str(caught.value)
    assert SOURCE in text
    assert "profile 'test_rule': the staffing rule's required()" in text
    assert message in text


@pytest.mark.parametrize("engine", ["scalar", "batch"])
def test_a_rule_that_hangs_is_stopped(engine: str, short_limit: None) -> None:
    profiles = [_rule_profile(_sleep)]
    started = time.monotonic()
    with pytest.raises(cssp.PluginError, match=r"did not finish within 0\.5 s"):
        _run(engine, profiles)
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda columns: "nine", "not 1 numbers"),
        (lambda columns: [1.0, 2.0], "not 1 numbers"),
        (lambda columns: [-3.0], "negative or infinite"),
        (lambda columns: [math.inf], "negative or infinite"),
    ],
)
def test_a_columnar_rule_that_answers_wrongly_is_the_plugins_error(
    answer: Callable[[Mapping[str, Any]], Any], message: str
) -> None:
    profiles = [_rule_profile(lambda c: 9.0, columns=answer)]
    with pytest.raises(cssp.PluginError) as caught:
        cssp.batch.evaluate_communities([_community()], profiles=profiles)
    assert SOURCE in str(caught.value)
    assert message in str(caught.value)


def _measure_profile(compute: Callable[[cssp.Community], Any]) -> cssp.Profile:
    name = cssp.Text("测试指标", "test indicator")
    citation = cssp.Citation(document="test")
    target = cssp.Target(
        id="test_measure_target",
        indicator="test_measure",
        comparator=cssp.Comparator.GE,
        value=1.0,
        unit="dimensionless",
        year=2025,
        scope=cssp.Scope.ALL,
        levels=frozenset({cssp.Level.COMMUNITY, cssp.Level.REGION}),
        attribute=cssp.Attribute.UNSPECIFIED,
        strength=cssp.Strength.QUANTIFIED,
        citation=citation,
        name=name,
    )
    indicator = cssp.Indicator(
        id="test_measure",
        name=name,
        unit="dimensionless",
        unit_label=cssp.Text("个", "items"),
        kind=cssp.IndicatorKind.RATIO,
        measure="test_rule:measure",
        citation=citation,
        targets=(target,),
    )
    measure = Measure("dimensionless", "dimensionless", compute)
    return _profile(indicators=(indicator,), measures={"test_rule:measure": measure})


@pytest.mark.parametrize(
    ("compute", "message"),
    [
        (_raise, "raised ValueError"),
        (_exit, "called sys.exit(3)"),
        (lambda c: 3.0, "not (numerator, denominator)"),
        (lambda c: (1.0, math.nan), "not (numerator, denominator)"),
        (lambda c: ("1", 2.0), "not (numerator, denominator)"),
        (lambda c: (1.0, -2.0), "a negative denominator"),
    ],
)
@pytest.mark.parametrize("engine", ["scalar", "batch"])
def test_a_measure_that_goes_wrong_is_the_plugins_error(
    compute: Callable[[cssp.Community], Any], message: str, engine: str
) -> None:
    profiles = [_measure_profile(compute)]
    with pytest.raises(cssp.PluginError) as caught:
        _run(engine, profiles)
    assert SOURCE in str(caught.value)
    assert "measure 'test_rule:measure'" in str(caught.value)
    assert message in str(caught.value)


@pytest.mark.parametrize("engine", ["scalar", "batch"])
def test_a_good_measure_and_rule_evaluate_as_before(engine: str) -> None:
    """Containment changes nothing for a plugin that behaves."""

    def compute(community: cssp.Community) -> tuple[float, float] | Skip:
        return (2.0, 1.0)

    profiles = [_measure_profile(compute), _rule_profile(lambda c: 9.0)]
    profiles = [
        cssp.Profile(
            id="test_rule",
            plan="fyp14",
            scope="11",
            title=cssp.Text("测试", "test"),
            issuer="test",
            document="test",
            source=SOURCE,
            indicators=profiles[0].indicators,
            measures=profiles[0].measures,
            staffing=profiles[1].staffing,
        )
    ]
    if engine == "scalar":
        statuses = cssp.evaluate(_community(), profiles=profiles).statuses
    else:
        statuses = cssp.batch.evaluate_communities([_community()], profiles=profiles).status_of(0)
    assert statuses["test_measure_target"] is cssp.Status.MET
    assert statuses["community_staffing"] is cssp.Status.MET
