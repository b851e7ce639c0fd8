"""Many objects at once (``cssp.model.bulk``): equal to what the classes build one by one,
or declined, never an object the class would have refused."""

from __future__ import annotations

import math
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

import cssp
from cssp.model.bulk import communities, facility_maker
from cssp.model.community import Community, CommunityKind, Facility, FacilityKind, Service, Staff
from cssp.model.schema import FACILITY_VALUES, code_rural, codes_rural
from cssp.units import Approximate, ApproximateCount

CODES = [
    "440106001001",  # a residents' committee: urban
    "440106001201",  # a villagers' committee: rural
    "440106001401",
    "440106001501",
    "440106001000",  # digits 10-12 no unit
    "440106001999",
    "990106001001",  # no such province
    "4401060010",  # too short
    "440106001",  # a township's code: placed by name
    "44010600100a",
    "４40106001001",  # a full-width digit
    "٤40106001001",  # an Arabic-Indic digit
]


class _Int(int):
    pass


class _Float(float):
    pass


def _numbers() -> st.SearchStrategy[Any]:
    """What a numeric column may hold: the readers' ints and floats, and what is refused or
    converted (negative, NaN, infinite, too large, approximate, a bool, a text)."""
    return st.one_of(
        st.none(),
        st.integers(-3, 3000),
        st.floats(-5.0, 5000.0),
        st.sampled_from(
            [
                math.nan,
                math.inf,
                2.0**53,
                2**53,
                2**53 - 1,
                2**1100,
                101.0,
                100.00000000000001,
                24.5,
                24.000000000000004,
                -0.0,
                _Int(3),
                _Float(3.0),
                True,
                "12",
                Approximate(300.0),
                ApproximateCount(12),
            ]
        ),
    )


_FACILITIES = [None, (), (Facility("comprehensive", 300.0),), [Facility("commercial")], "x"]
_FIVE_G = frozenset({Service("5g")})
_SERVICES = [None, frozenset(), _FIVE_G, frozenset({"5g"}), {Service("5g")}]
#: Each field's values, or the numbers' for a numeric one.
COLUMNS: dict[str, st.SearchStrategy[Any]] = {
    "code": st.sampled_from(CODES),
    "name": st.sampled_from(["", "东风社区", None]),
    "kind": st.sampled_from([None, None, CommunityKind.URBAN, CommunityKind.RURAL]),
    "facilities": st.sampled_from(_FACILITIES),
    "staff": st.sampled_from([Staff(), Staff(3, 1), None]),
    "services": st.sampled_from(_SERVICES),
    "resettlement": st.sampled_from([True, False, False, 1, None]),
    "old_residential_area": st.booleans(),
    "newly_built": st.booleans(),
    "extra": st.just({}),
}


def _column(name: str) -> st.SearchStrategy[Any]:
    return COLUMNS.get(name, _numbers())


def _typed(made: Any) -> Any:
    """An object's class and each of its values as ``repr`` shows it with its type: ``1`` is
    not ``True``, ``-0.0`` not ``0.0``, a set of texts not the set of the services they name."""
    if not attrs.has(type(made)):
        return made  # an error
    return type(made), [_shape(value) for value in attrs.astuple(made, recurse=False)]


def _shape(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(map(_typed, value))
    if isinstance(value, frozenset):
        return sorted(f"{type(item).__name__} {item!r}" for item in value)
    return type(value), repr(value)


def _made(cls: Any, *arguments: Any, **keywords: Any) -> Any:
    """What the class builds from the arguments, or the error it raises."""
    try:
        return cls(*arguments, **keywords)
    except (cssp.CsspError, TypeError) as error:
        return type(error)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_communities_are_those_the_class_builds(data: st.DataObject) -> None:
    """Where ``communities`` builds a chunk, each community is the one ``Community`` builds
    from the same values, which it does not refuse; otherwise it declines (``None``)."""
    fields = [field.name for field in attrs.fields(Community) if not field.kw_only]
    names = data.draw(st.lists(st.sampled_from(fields[1:]), unique=True), label="fields")
    count = data.draw(st.integers(1, 5), label="count")
    columns: dict[str, list[Any]] = {
        name: data.draw(st.lists(_usual(name), min_size=count, max_size=count), label=name)
        for name in ["code", *names]
    }
    # then a few cells of any value, kept or refused: each test on columns is met
    changed = data.draw(
        st.lists(st.tuples(st.sampled_from(list(columns)), st.integers(0, count - 1)), max_size=2),
        label="changed",
    )
    for name, row in changed:
        columns[name][row] = data.draw(_column(name), label=f"{name}[{row}]")
    usual = not changed and "extra" not in columns
    made = communities(columns, count)
    if made is None:
        assert not usual  # a usual chunk is built here
        return
    expected = [
        _made(Community, **{name: values[row] for name, values in columns.items()})
        for row in range(count)
    ]
    assert list(map(_typed, made)) == list(map(_typed, expected))


def _usual(name: str) -> st.SearchStrategy[Any]:
    """The values a reader gives in a usual chunk: all kept as they are."""
    if name == "code":
        return st.sampled_from(CODES[:4])
    if name in ("households", "population", "social_organisations", "registered_volunteers"):
        return st.none() | st.integers(0, 5000)
    if name in ("building_area", "elderly_monthly_visit_rate"):
        return st.none() | st.floats(0.0, 100.0)
    if name == "kind":
        return st.none()
    if name == "facilities":
        return st.sampled_from(_FACILITIES[:3])
    if name == "services":
        return st.sampled_from(_SERVICES[:3])
    if name == "staff":
        return st.sampled_from([Staff(), Staff(3, 1)])
    if name in ("resettlement", "old_residential_area", "newly_built"):
        return st.booleans()
    if name == "name":
        return st.sampled_from(["", "东风社区"])
    return st.just({})  # extra: declined


def test_a_usual_chunk_is_built_at_once() -> None:
    """A chunk as a reader gives it, its values all kept as they are, is built here."""
    columns: dict[str, list[Any]] = {
        "code": ["440106001001", "440106001201"],
        "name": ["东风社区", "西村"],
        "households": [1200, None],
        "building_area": [3.5, 20000.0],
        "facilities": [(Facility("comprehensive", 300.0),), None],
        "staff": [Staff(8, 1), Staff()],
        "services": [_FIVE_G, None],
        "newly_built": [False, True],
    }
    made = communities(columns, 2)
    assert made is not None
    assert [c.kind for c in made] == [CommunityKind.URBAN, CommunityKind.RURAL]
    assert made == [
        Community(**{name: values[row] for name, values in columns.items()}) for row in range(2)
    ]
    # a kind given, an approximate count, a negative one: each declines
    for name, values in (("kind", ["urban", None]), ("households", [Approximate(3.0), 2])):
        assert communities({**columns, name: values}, 2) is None
    assert communities({**columns, "households": [-1, 2]}, 2) is None
    assert communities({**columns, "code": ["440106001001", "440106001000"]}, 2) is None
    assert communities({**columns, "households": [12]}, 2) is None  # a column too short
    # a set of texts equal to the set of services they name, after that set itself
    assert communities({**columns, "services": [_FIVE_G, frozenset({"5g"})]}, 2) is None


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_facilities_are_those_the_class_builds(data: st.DataObject) -> None:
    """Where ``facility_maker`` gives a filler for some columns, the filler makes from each
    row what ``Facility`` makes of it, which it does not refuse."""
    count = data.draw(st.integers(1, 5), label="count")
    usual = st.none() | st.floats(0.0, 24.0)
    columns = {
        name: data.draw(st.lists(usual, min_size=count, max_size=count), label=name)
        for name in FACILITY_VALUES
    }
    changed = data.draw(
        st.lists(
            st.tuples(st.sampled_from(FACILITY_VALUES), st.integers(0, count - 1)), max_size=2
        ),
        label="changed",
    )
    for name, row in changed:
        columns[name][row] = data.draw(_numbers(), label=f"{name}[{row}]")
    make = facility_maker(columns.__getitem__)
    if make is Facility:
        return
    for row in range(count):
        given = [columns[name][row] for name in FACILITY_VALUES]
        for kind in FacilityKind:
            assert _typed(make(kind, *given)) == _typed(_made(Facility, kind, *given))


def test_a_facility_maker_declines_a_part_above_its_whole() -> None:
    columns: dict[str, list[Any]] = {
        "floor_area": [300.0, None],
        "activity_area": [200.0, 50.0],
        "office_area": [80.0, 500.0],
        "opening_hours": [None, 8.0],
    }
    assert facility_maker(columns.__getitem__) is not Facility
    columns["office_area"][0] = 120.0  # 200 + 120 > 300
    assert facility_maker(columns.__getitem__) is Facility


@given(st.lists(st.sampled_from(CODES) | st.text(max_size=13), min_size=1, max_size=6))
def test_codes_rural_is_code_rural_of_each(codes: list[str]) -> None:
    """``codes_rural`` gives each code's rural flag when ``code_rural`` accepts every one as
    a 12-digit code; ``None`` when it does not."""
    each = [code_rural(code) for code in codes]
    if all(problem is None and rural is not None for problem, rural in each):
        assert codes_rural(codes) == [rural for _, rural in each]
    else:
        assert codes_rural(codes) is None
