"""Every measure is declared once and evaluates identically in both engines.

The declarations of :mod:`cssp.model.measures` are read three ways: the
scalar engine's generated code (:mod:`cssp.engine.program`), the batch
engine's columns (:mod:`cssp.batch.columnar`) and the reference interpreter
:meth:`Measure.observe`. For every measure cssp ships, a TOML ratio and
declarations over every field of the vocabulary, on generated communities,
all three give the same status, numerator and denominator, to the bit.
"""

from __future__ import annotations

import math
from typing import Final

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cssp
from cssp.batch.columnar import observe as observe_columns
from cssp.batch.frame import Frame
from cssp.engine.program import Check, Program
from cssp.engine.results import STATUS_CODES
from cssp.model.community import Community
from cssp.model.measures import (
    FACILITY_FIELDS,
    FIELDS,
    MEASURES,
    Guard,
    Measure,
    Skip,
    Status,
    nonzero,
    summarise_facilities,
    township_field,
)
from cssp.model.measures import (
    given as given_field,
)
from cssp.model.plan import Comparator, IndicatorKind, Scope, Text
from cssp.rules.toml import field_ratio
from cssp.testing import community_lists

_ZERO: Final = Skip(Status.NOT_APPLICABLE, Text("为0", "is 0"))
#: The fields of a community (a township record's fields are read from township records,
#: tested in ``test_faithful.py``).
_COMMUNITY_FIELDS: Final = {n: i for n, i in FIELDS.items() if not township_field(n)}
#: Declarations over every field of a community: each field alone, and over another.
_EVERY_FIELD: Final = {
    f"field:{name}": Measure(
        info.unit, "dimensionless", numerator=name, guards=(given_field(name),)
    )
    for name, info in _COMMUNITY_FIELDS.items()
} | {
    f"ratio:{name}": Measure(
        info.unit,
        "household",
        numerator=name,
        denominator="households",
        guards=(given_field("households"), nonzero("households", _ZERO)),
    )
    for name, info in _COMMUNITY_FIELDS.items()
}
#: Everything under test: what cssp ships for a community, a TOML ratio, and the above.
ALL: Final = {
    **{key: measure for key, measure in MEASURES.items() if not measure.township},
    "toml:volunteers_per_population": field_ratio(
        "registered_volunteers", "population", "person", "person"
    ),
    "toml:extra_per_communities": field_ratio(
        "extra.childcare_places", "communities", "dimensionless", "dimensionless"
    ),
    **_EVERY_FIELD,
}


def _program(measures: dict[str, Measure]) -> Program:
    """A program with one check per measure: threshold 1, scale 1, for every community."""
    effective = cssp.effective_targets(profiles=())
    target = attrs.evolve(effective.targets[0], scope=Scope.ALL)
    checks = tuple(
        Check(
            target=target,
            kind=IndicatorKind.RATIO,
            unit_label=Text("", ""),
            measure=measure,
            comparator=Comparator.GE,
            scale=1.0,
            threshold=1.0,
            community=True,
            region=True,
        )
        for measure in measures.values()
    )
    return Program(effective.plan, 2025, checks, effective)


PROGRAM: Final = _program(ALL)
_CODE: Final = {status: code for code, status in enumerate(STATUS_CODES)}


def _same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


@settings(max_examples=60, deadline=None)
@given(community_lists(max_size=12))
def test_every_measure_is_the_same_in_both_engines(items: list[Community]) -> None:
    frame = Frame.from_communities(items)
    position = {int(i): row for row, i in enumerate(frame.order)}
    for m, (key, measure) in enumerate(ALL.items()):
        numerators, denominators, statuses = observe_columns(measure, frame)
        for index, community in enumerate(items):
            scalar = PROGRAM.observe(community)[m]
            reference = measure.observe(community)
            row = position[index]
            column_status = int(statuses[row])
            if isinstance(reference, Skip):
                assert scalar[0] is reference.status, key
                assert scalar[3] == reference.reason, key
                assert column_status == _CODE[reference.status], key
                continue
            numerator, denominator = reference
            assert scalar[0] in (Status.MET, Status.NOT_MET), key
            assert (scalar[1], scalar[2]) == (numerator, denominator), key
            assert column_status == 0, key  # measured
            assert _same(float(numerators[row]), numerator), key
            assert _same(float(denominators[row]), denominator), key


@settings(max_examples=60, deadline=None)
@given(community_lists(max_size=6))
def test_the_statuses_function_is_the_observe_function(items: list[Community]) -> None:
    for community in items:
        raws = PROGRAM.observe(community)
        assert PROGRAM.statuses(community) == tuple(raw[0] for raw in raws)


@settings(max_examples=60, deadline=None)
@given(community_lists(max_size=6))
def test_facility_sums_are_the_declarations(items: list[Community]) -> None:
    from cssp.engine.program import facility_summariser

    summarise = facility_summariser()
    for community in items:
        if community.facilities is None:
            continue
        compiled = dict(zip(FACILITY_FIELDS, summarise(community.facilities), strict=True))
        assert compiled == summarise_facilities(community.facilities)


def test_a_field_without_a_guard_is_no_data_not_an_error() -> None:
    """A declaration may leave a field unguarded: every engine then tests it is given."""
    measure = Measure("person", "dimensionless", numerator="population")
    assert measure.tests[-1] == Guard("given", "population", measure.tests[-1].skip)
    program = _program({"m": measure})
    community = cssp.Community("440106001001")
    assert program.observe(community)[0][0] is Status.NO_DATA
    frame = Frame.from_communities([community])
    assert observe_columns(measure, frame)[2].tolist() == [3]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"numerator": "staff.workers"}, "did you mean 'staff.social_workers'"),
        ({}, "give one of the two"),
        ({"numerator": "households", "compute": lambda c: (1.0, 1.0)}, "give one of the two"),
        ({"numerator": "households", "denominator": "flats"}, "'flats' is not a field"),
    ],
)
def test_a_bad_declaration_is_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(cssp.InputError, match=message):
        Measure("person", "dimensionless", **kwargs)  # type: ignore[arg-type]


def test_the_generated_code_can_be_read() -> None:
    community = cssp.load_sample()[0]
    source = cssp.engine.scalar.program("fyp14", None, (), community.code).source(community)
    assert source.startswith("def observe(c):")
    assert "def statuses(c):" in source
    assert "v_households = c.households" in source


@settings(max_examples=30)
@given(st.floats(0, 1e6), st.integers(1, 100_000))
def test_a_threshold_is_met_exactly_as_holds_says(area: float, households: int) -> None:
    """The generated comparison is the comparator's own, at the threshold too."""
    community = cssp.Community(
        "440106001001",
        households=households,
        facilities=[cssp.Facility("comprehensive", floor_area=area)],
    )
    finding = cssp.evaluate(community, profiles=()).finding("facility_area_per_100_households")
    holds = Comparator.GE.holds(100.0 * area, 30.0 * float(households))
    assert (finding.status is Status.MET) == holds
    assert np.asarray(holds).item() is holds
