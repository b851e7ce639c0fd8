"""Hypothesis strategies for cssp's model, for property-testing code that uses cssp.

Install with ``pip install 'cssp[testing]'`` (it needs hypothesis). cssp's own
tests use these strategies, and so can plugin authors and systems that import
cssp: facilities, staff, communities and lists of communities.

Every value these strategies produce is *valid*: building it never raises, so
a property test can assert that cssp handles every input a user may give it.
The codes are real: each community lies in a township (乡镇/街道) of the
statistical division codes shipped with cssp, and digits 10–12 of its code
agree with its kind (001–199 urban, 200–399 rural).

Optional data is left out (``None``) at random, as it is in real returns;
pass ``complete=True`` to get every field filled in.

Use it in a test::

    >>> from hypothesis import given, settings
    >>> import cssp
    >>> from cssp.testing import communities, community_lists
    >>> @settings(max_examples=10)
    ... @given(communities(kind="rural", complete=True))
    ... def test_rural(community: cssp.Community) -> None:
    ...     assert community.kind is cssp.CommunityKind.RURAL
    ...     assert community.households is not None
    >>> test_rural()

Lists of communities with distinct codes, for region tests::

    >>> @settings(max_examples=10)
    ... @given(community_lists(max_size=5, township="440106001"))
    ... def test_same_township(group: list[cssp.Community]) -> None:
    ...     assert len({c.code for c in group}) == len(group)
    ...     assert all(c.township == "440106001" for c in group)
    >>> test_same_township()
"""

from __future__ import annotations

import functools
import math
from typing import Final, TypeVar

from hypothesis import strategies as st

from cssp import Community, CommunityKind, Facility, FacilityKind, Service, Staff
from cssp.model.divisions import DIVISION_LENGTHS, load_divisions

__all__ = [
    "MAX_AREA",
    "MAX_HOUSEHOLDS",
    "MAX_PERSONS",
    "areas",
    "communities",
    "community_codes",
    "community_lists",
    "example_community",
    "facilities",
    "opening_hours",
    "services",
    "staff",
    "township_codes",
]

#: The largest area (m²) the strategies produce: far beyond any real facility, on purpose.
MAX_AREA: Final = 1e6
#: The largest number of households of one generated community.
MAX_HOUSEHOLDS: Final = 50_000
#: The largest number of persons (residents, staff) of one generated community.
MAX_PERSONS: Final = 200_000

_T = TypeVar("_T")

#: Digits 10–12 of a community code, by kind (统计用区划代码 village-level codes).
_VILLAGE_DIGITS: Final = {CommunityKind.URBAN: (1, 199), CommunityKind.RURAL: (200, 399)}

# Strategies are built once and reused: hypothesis validates every new strategy
# object, which costs more than drawing from it.
_KINDS: Final = st.sampled_from(CommunityKind)
_FACILITY_KINDS: Final = st.sampled_from(FacilityKind)
_VILLAGES: Final = {kind: st.integers(low, high) for kind, (low, high) in _VILLAGE_DIGITS.items()}
_SHARES: Final = st.floats(min_value=0.0, max_value=1.0)
_NAMES: Final = st.sampled_from(("", "示例社区", "Test community"))
_RATES: Final = st.floats(min_value=0.0, max_value=100.0, allow_nan=False, allow_subnormal=False)


@functools.cache
def _townships() -> tuple[str, ...]:
    length = DIVISION_LENGTHS["township"]
    return tuple(sorted(code for code in load_divisions() if len(code) == length))


@functools.cache
def _township_codes(prefix: str) -> st.SearchStrategy[str]:
    codes = [code for code in _townships() if code.startswith(prefix)]
    if not codes:
        raise ValueError(f"no township code starts with {prefix!r}")
    return st.sampled_from(codes)


def township_codes(prefix: str = "") -> st.SearchStrategy[str]:
    """Real 9-digit township (乡镇/街道) codes from the data shipped with cssp.

    :param prefix: keep only townships whose code starts with it, e.g. ``"44"``
        for Guangdong or ``"440106"`` for 天河区.
    :raises ValueError: when no shipped township code starts with ``prefix``.
    """
    return _township_codes(prefix)


@st.composite
def community_codes(
    draw: st.DrawFn,
    kind: CommunityKind | str | None = None,
    township: str | None = None,
) -> str:
    """12-digit community codes: a real township code and village digits that fit ``kind``.

    :param kind: ``"urban"`` (digits 10–12 in 001–199), ``"rural"`` (200–399),
        or ``None`` for either.
    :param township: a fixed 9-digit township code; by default a real one is drawn.
    """
    chosen = CommunityKind(kind) if kind is not None else draw(_KINDS)
    prefix = township if township is not None else draw(_township_codes(""))
    return f"{prefix}{draw(_VILLAGES[chosen]):03d}"


@functools.cache
def _areas(max_value: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=0.0, max_value=max_value, allow_nan=False, allow_subnormal=False)


def areas(max_value: float = MAX_AREA) -> st.SearchStrategy[float]:
    """Non-negative, finite areas in m² (plain floats, cssp's canonical unit).

    :param max_value: the largest area.
    """
    return _areas(max_value)


_HOURS: Final = st.floats(min_value=0.0, max_value=24.0, allow_nan=False, allow_subnormal=False)


def opening_hours() -> st.SearchStrategy[float]:
    """Daily opening hours, 0 to 24 h/day (both included)."""
    return _HOURS


@functools.cache
def _maybe(strategy: st.SearchStrategy[_T], complete: bool) -> st.SearchStrategy[_T | None]:
    return strategy if complete else st.none() | strategy


@functools.cache
def _counts(max_value: int) -> st.SearchStrategy[int]:
    return st.integers(min_value=0, max_value=max_value)


@st.composite
def facilities(
    draw: st.DrawFn,
    kind: FacilityKind | str | None = None,
    *,
    complete: bool = False,
) -> Facility:
    """Service facilities whose parts never exceed the whole.

    The activity and office areas are drawn as shares of the floor area, so
    that together they lie between 0 and the floor area, both included.

    :param kind: the facility kind; by default any of :class:`~cssp.FacilityKind`.
    :param complete: when true, the floor area, activity area, office area and
        opening hours are always given; otherwise each may be ``None`` (the
        floor area seldom: a facility whose floor area is unknown).
    """
    chosen = FacilityKind(kind) if kind is not None else draw(_FACILITY_KINDS)
    floor_area = draw(_areas(MAX_AREA))
    activity_share = draw(_maybe(_SHARES, complete))
    office_share = draw(_maybe(_SHARES, complete))
    activity = None if activity_share is None else floor_area * activity_share
    office = None
    if office_share is not None:
        office = floor_area * office_share * (1.0 - (activity_share or 0.0))
        while activity is not None and activity + office > floor_area:  # a rounding ulp
            office = math.nextafter(office, 0.0)
    unknown = not complete and draw(st.integers(0, 9)) == 0
    return Facility(
        kind=chosen,
        floor_area=None if unknown else floor_area,
        activity_area=activity,
        office_area=office,
        opening_hours=draw(_maybe(_HOURS, complete)),
    )


@st.composite
def staff(draw: st.DrawFn, *, complete: bool = False) -> Staff:
    """A community's staff; the trained workers never outnumber the community workers.

    :param complete: when true, every count is given; otherwise each may be ``None``.
    """
    workers = draw(_maybe(_counts(500), complete))
    trained_limit = 500 if workers is None else workers
    return Staff(
        community_workers=workers,
        social_workers=draw(_maybe(_counts(100), complete)),
        disaster_information_officers=draw(_maybe(_counts(5), complete)),
        trained_workers=draw(_maybe(_counts(trained_limit), complete)),
    )


_SERVICES: Final = st.frozensets(st.sampled_from(Service))


def services() -> st.SearchStrategy[frozenset[Service]]:
    """Any set of :class:`~cssp.Service` items, including the empty set."""
    return _SERVICES


@functools.cache
def _facility_lists(complete: bool) -> st.SearchStrategy[tuple[Facility, ...]]:
    return st.lists(facilities(complete=complete), max_size=4).map(tuple)


@st.composite
def communities(
    draw: st.DrawFn,
    kind: CommunityKind | str | None = None,
    *,
    code: str | None = None,
    township: str | None = None,
    complete: bool = False,
) -> Community:
    """Valid communities, urban or rural, with plausible and extreme figures.

    Zero households, zero residents and zero building area are included on
    purpose: they are valid input and must give "not applicable", never an
    exception.

    :param kind: ``"urban"``, ``"rural"`` or ``None`` for either.
    :param code: a fixed 12-digit code (its kind wins over ``kind``).
    :param township: a fixed 9-digit township code for drawn codes.
    :param complete: when true, every optional field (households, population,
        building area, facilities and their parts, staff counts, services,
        visit rate, organisations, volunteers) is given.
    """
    chosen = code if code is not None else draw(community_codes(kind, township))
    return Community(
        code=chosen,
        name=draw(_NAMES),
        households=draw(_maybe(_counts(MAX_HOUSEHOLDS), complete)),
        population=draw(_maybe(_counts(MAX_PERSONS), complete)),
        building_area=draw(_maybe(_areas(MAX_AREA), complete)),
        facilities=draw(_maybe(_facility_lists(complete), complete)),
        staff=draw(staff(complete=complete)),
        services=draw(_maybe(_SERVICES, complete)),
        resettlement=draw(st.booleans()),
        old_residential_area=draw(st.booleans()),
        newly_built=draw(st.booleans()),
        elderly_monthly_visit_rate=draw(_maybe(_RATES, complete)),
        social_organisations=draw(_maybe(_counts(50), complete)),
        registered_volunteers=draw(_maybe(_counts(MAX_PERSONS), complete)),
    )


def community_lists(
    *,
    min_size: int = 0,
    max_size: int = 8,
    kind: CommunityKind | str | None = None,
    township: str | None = None,
    complete: bool = False,
) -> st.SearchStrategy[list[Community]]:
    """Lists of communities with distinct codes, as :func:`cssp.evaluate_region` requires.

    :param min_size: the fewest communities.
    :param max_size: the most communities.
    :param kind: as for :func:`communities`.
    :param township: put every community in this township (at most 399 fit).
    :param complete: as for :func:`communities`.
    """
    return st.lists(
        communities(kind, township=township, complete=complete),
        min_size=min_size,
        max_size=max_size,
        unique_by=lambda community: community.code,
    )


def example_community() -> Community:
    """The example community: 420 m² of comprehensive facility for 1,200 households."""
    return Community(
        code="440106001001",  # a residents' committee of 五山街道, 天河区, 广州市
        name="示例社区",
        households="1,200户",
        population="3,600人",
        building_area="8.4万平方米",
        facilities=[
            Facility(
                "comprehensive",
                floor_area="420平方米",
                activity_area="260平方米",
                office_area="60 m²",
                opening_hours="9小时/天",
            ),
            Facility("commercial", floor_area="5,000 m²", opening_hours=12),
        ],
        staff=Staff(community_workers="8人", social_workers=2, disaster_information_officers=1),
        services=["self_service_kiosk", "agency_service", "online_service_24h"],
    )
