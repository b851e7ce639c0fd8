"""How each indicator is measured on one community: every measure declared once.

A measure is *data*: the community fields it reads, its numerator and
denominator, and the ordered tests that make it "no data" or "not applicable"
(its guards). Both engines are derived from these declarations —
:mod:`cssp.engine.program` generates the scalar engine's Python code from
them, the batch engine (``cssp.batch.columnar``) applies them to whole columns — so a measure
is written once and both engines compute it the same way.

The indicator's value is ``scale × numerator ÷ denominator`` in the
indicator's unit, and every comparison is made in the multiplicative form
``scale × numerator ⋛ threshold × denominator`` — the one comparison rule all
engines share, so they agree to the bit at thresholds. A region's value is the
same ratio over the sums of its communities' numerators and denominators.

What a measure may read is the vocabulary :data:`FIELDS`: a community's
numbers (``households``, ``staff.community_workers`` …), the facility sums of
:data:`FACILITY_FIELDS` (declared once too, for :class:`~cssp.model.community.Community` objects and
for tables), ``services.NAME`` (1 when the service is present, 0 when not),
``extra.NAME`` and ``communities`` (1 for every community). A field is
*missing* (``None``; NaN in a column) when the community does not give it; the
facility sums are missing when the facilities are unknown, the services when
the services are unknown.

>>> m = MEASURES["facility_area_per_household"]
>>> m.numerator, m.denominator
('facilities.comprehensive_floor_area', 'households')
>>> [(g.test, g.field) for g in m.guards]  # doctest: +NORMALIZE_WHITESPACE
[('given', 'facilities.count'), ('given', 'facilities.comprehensive_floor_area'),
 ('given', 'households'), ('nonzero', 'households')]
"""

from __future__ import annotations

import enum
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Final, Literal

import attrs
from attrs import define, field

from cssp.errors import InputError
from cssp.model.community import Community, Facility, Service
from cssp.model.fields import (
    FACILITY_FIELDS,
    FIELDS,
    ONE,
    FacilityField,
    FieldInfo,
    _check_field,
    field_info,
    township_field,
)
from cssp.model.plan import Scope, Text
from cssp.model.township import Township, TownshipService

__all__ = [
    "FACILITY_FIELDS",
    "FIELDS",
    "FLAG_NAMES",
    "MEASURES",
    "ONE",
    "SCOPE_FLAGS",
    "FacilityField",
    "FieldInfo",
    "Guard",
    "Measure",
    "Observation",
    "Skip",
    "Status",
    "approximate_fields",
    "community_flags",
    "field_info",
    "given",
    "in_scope",
    "nonzero",
    "out_of_scope",
    "read_fields",
    "read_township_fields",
    "summarise_facilities",
    "township_field",
]


class Status(enum.StrEnum):
    """The verdict of one finding.

    :attr:`NO_VERDICT` is a finding with an observed value and no verdict: a
    community's contribution to a target judged for regions only (a coverage
    rate below 100 %), or any unit's figure for a *direction* — a requirement
    the plan states without a level (推进…, 建立…). It never counts as not met.
    """

    MET = "met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"
    NO_DATA = "no_data"
    NO_VERDICT = "no_verdict"

    @property
    def zh(self) -> str:
        """The Chinese word: 达标, 未达标, 不适用, 无数据, 不作评价."""
        return _STATUS_ZH[self]


_STATUS_ZH: Final = {
    Status.MET: "达标",
    Status.NOT_MET: "未达标",
    Status.NOT_APPLICABLE: "不适用",
    Status.NO_DATA: "无数据",
    Status.NO_VERDICT: "不作评价",
}


@define(frozen=True)
class Skip:
    """A measure's answer when there is nothing to compare: no data, or not applicable."""

    status: Status
    reason: Text


Observation = tuple[float, float] | Skip


# --- measures ------------------------------------------------------------------------


@define(frozen=True)
class Guard:
    """One test of a measure, made in order before it is computed.

    :param test: ``"given"``: the field is missing → :attr:`skip` (no data);
        ``"nonzero"``: the field is 0 → :attr:`skip` (not applicable).
    :param field: the field tested (a name of :data:`FIELDS` or ``extra.NAME``).
    :param skip: the answer when the test fails.
    """

    test: Literal["given", "nonzero"]
    field: str
    skip: Skip

    def __attrs_post_init__(self) -> None:
        if self.test not in ("given", "nonzero"):
            raise InputError(f"{self.test!r} is not a guard; use 'given' or 'nonzero'", "test")
        _check_field(self.field, "field")


def _guards(value: Iterable[Guard]) -> tuple[Guard, ...]:
    return tuple(value)


@define(frozen=True)
class Measure:
    """How one indicator is measured on a community: a declaration.

    Declare it from fields — ``numerator``, ``denominator`` and the ordered
    ``guards`` — and both engines derive their computation from it::

        Measure("meter ** 2", "household",
                numerator="facilities.comprehensive_floor_area",
                denominator="households",
                guards=(given("facilities.count", ...), given("households", ...),
                        nonzero("households", ...)))

    A Python plugin that needs what fields cannot say may give ``compute``
    instead, a function ``community -> (numerator, denominator) | Skip``; the
    batch engine then calls it on each community (exact, but slow).

    :param numerator_unit: the numerator's unit.
    :param denominator_unit: the denominator's unit.
    :param compute: an opaque computation, instead of a declaration.
    :param numerator: the field summed as numerator.
    :param denominator: the field summed as denominator (:data:`ONE` for a count or value).
    :param guards: the tests made first, in order.
    """

    numerator_unit: str
    denominator_unit: str
    compute: Callable[[Community], Observation] | None = None
    numerator: str | None = field(default=None, kw_only=True)
    denominator: str = field(default=ONE, kw_only=True)
    guards: tuple[Guard, ...] = field(default=(), kw_only=True, converter=_guards)
    #: :attr:`guards`, then a "given" test of the numerator and the denominator
    #: wherever no guard already ensures them: what the engines test.
    tests: tuple[Guard, ...] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if (self.compute is None) == (self.numerator is None):
            raise InputError(
                "a measure is declared by its numerator (and denominator and guards) "
                "or computed by a function: give one of the two",
                "numerator",
            )
        tests = self.guards
        if self.numerator is not None:
            _check_field(self.numerator, "numerator")
            _check_field(self.denominator, "denominator")
            kinds = {township_field(f) for f in (self.numerator, self.denominator) if f != ONE}
            kinds |= {township_field(g.field) for g in self.guards}
            if len(kinds) > 1:
                raise InputError(
                    "a measure reads the fields of a community or of a township record, not both",
                    "numerator",
                )
            given = {g.field for g in self.guards if g.test == "given"}
            for name in dict.fromkeys((self.numerator, self.denominator)):
                if not _ensured(name, given):
                    tests = (*tests, Guard("given", name, _UNGUARDED))
        object.__setattr__(self, "tests", tests)

    @property
    def declared(self) -> bool:
        """Whether it is declared from fields (both engines derive it)."""
        return self.numerator is not None

    @property
    def township(self) -> bool:
        """Whether it is measured on township records (:class:`~cssp.model.township.Township`)."""
        return self.numerator is not None and township_field(self.numerator)

    def observe_township(self, township: Township) -> Observation:
        """The measure on one township record, interpreted from its declaration.

        Township records are few (some 38,600 in the nation): both engines
        evaluate them through this one function.
        """
        values = read_township_fields(township, self.fields())
        for guard in self.tests:
            value = values[guard.field]
            if (value is None) if guard.test == "given" else (value == 0):
                return guard.skip
        assert self.numerator is not None
        top = values[self.numerator]
        bottom = 1.0 if self.denominator == ONE else values[self.denominator]
        assert top is not None
        assert bottom is not None
        return (float(top), float(bottom))

    def fields(self) -> tuple[str, ...]:
        """The fields it reads, each once, in the order first read."""
        names = [g.field for g in self.guards]
        if self.numerator is not None:
            names.append(self.numerator)
        names.append(self.denominator)
        return tuple(dict.fromkeys(n for n in names if n != ONE))

    def observe(self, community: Community) -> Observation:
        """The measure on one community, interpreted from its declaration (slow; for checks).

        The engines compile the declaration instead (:mod:`cssp.engine.program`).
        """
        if self.compute is not None:
            return self.compute(community)
        values = read_fields(community, self.fields())
        for guard in self.tests:
            value = values[guard.field]
            if (value is None) if guard.test == "given" else (value == 0):
                return guard.skip
        assert self.numerator is not None
        top = values[self.numerator]
        bottom = 1.0 if self.denominator == ONE else values[self.denominator]
        assert top is not None
        assert bottom is not None
        return (float(top), float(bottom))


_UNGUARDED: Final = Skip(Status.NO_DATA, Text("缺少数据", "the data is not given"))
#: Facility attributes a facility may lack: a sum or minimum of them can be
#: missing although the facilities are known.
_OPTIONAL_ATTRIBUTES: Final = frozenset(a.name for a in attrs.fields(Facility) if a.default is None)


def _ensured(name: str, given: set[str]) -> bool:
    """Whether field ``name`` cannot be missing once the fields ``given`` are tested."""
    if name in (ONE, "communities") or name in given:
        return True
    spec = FACILITY_FIELDS.get(name)
    return (
        spec is not None
        and spec.attribute not in _OPTIONAL_ATTRIBUTES
        and "facilities.count" in given
    )


def given(name: str, skip: Skip | None = None) -> Guard:
    """A guard: no data when field ``name`` is missing (with a reason made from its name)."""
    if skip is None:
        info = FIELDS.get(name)
        zh, en = (info.zh, info.en) if info is not None else (name, name)
        skip = Skip(Status.NO_DATA, Text(f"未提供{zh}", f"the {en} is not given"))
    return Guard("given", name, skip)


def nonzero(name: str, skip: Skip) -> Guard:
    """A guard: not applicable when field ``name`` is 0."""
    return Guard("nonzero", name, skip)


# --- reading fields of one community (the reference form) ----------------------------


def summarise_facilities(facilities: Iterable[Facility]) -> dict[str, float | None]:
    """The facility sums of :data:`FACILITY_FIELDS` for one community's facilities.

    The reference form, interpreted from the declarations; the engines compile
    the same declarations (:func:`cssp.engine.program.facility_summariser`).
    """
    items = tuple(facilities)
    out: dict[str, float | None] = {}
    for name, spec in FACILITY_FIELDS.items():
        chosen = [f for f in items if f.kind in spec.kinds]
        if spec.op == "count":
            out[name] = float(len(chosen))
        elif spec.op == "any":
            out[name] = 1.0 if chosen else 0.0
        else:
            values = [getattr(f, spec.attribute) for f in chosen]
            if any(v is None for v in values):
                out[name] = None
            elif spec.op == "sum":
                total = 0.0
                for v in values:
                    total += v
                out[name] = total
            else:
                least = spec.start
                for v in values:
                    least = min(least, v)
                out[name] = least
    return out


def read_fields(community: Community, names: Iterable[str]) -> dict[str, float | None]:
    """The values of fields ``names`` of one community (``None`` when missing)."""
    out: dict[str, float | None] = {}
    facilities: dict[str, float | None] | None = None
    for name in names:
        info = FIELDS.get(name)
        if name == "communities":
            out[name] = 1.0
        elif name.startswith("extra."):
            out[name] = community.extra.get(name[len("extra.") :])
        elif name.startswith("services."):
            services = community.services
            out[name] = (
                None if services is None else float(Service(name[len("services.") :]) in services)
            )
        elif name in FACILITY_FIELDS:
            if community.facilities is None:
                out[name] = None
            else:
                if facilities is None:
                    facilities = summarise_facilities(community.facilities)
                out[name] = facilities[name]
        else:
            assert info is not None, name
            value: object = community
            for step in info.path:
                value = getattr(value, step)
            out[name] = value  # type: ignore[assignment]
    return out


def read_township_fields(township: Township, names: Iterable[str]) -> dict[str, float | None]:
    """The values of township fields ``names`` of one record (``None`` when missing)."""
    out: dict[str, float | None] = {}
    for name in names:
        if name == "townships":
            out[name] = 1.0
        elif name.startswith("township.services."):
            services = township.services
            service = TownshipService(name[len("township.services.") :])
            out[name] = None if services is None else float(service in services)
        elif name.startswith("township.extra."):
            out[name] = township.extra.get(name[len("township.extra.") :])
        else:
            raise InputError(f"{name!r} is not a field of a township record", "field")
    return out


def approximate_fields(community: Community) -> frozenset[str]:
    """The fields of :data:`FIELDS` whose value is built on an approximate one.

    A community's own fields and its staff's are approximate as written; a
    facility sum (:data:`FACILITY_FIELDS`) is approximate when one facility it
    covers has the attribute it sums approximate.
    """
    values = community.approximate_values
    if not values:
        return frozenset()
    found: set[str] = set()
    facilities = community.facilities or ()
    for value in values:
        if value.startswith("facilities["):
            index, _, attribute = value[len("facilities[") :].partition("].")
            facility = facilities[int(index)]
            found.update(
                name
                for name, spec in FACILITY_FIELDS.items()
                if spec.attribute == attribute and facility.kind in spec.kinds
            )
        else:
            found.add(value)
    return frozenset(found)


# --- scope: which communities a target applies to ---------------------------------

#: Each scope as the community flag it tests and the value the flag must have
#: (``Scope.ALL``: none). ``rural`` is the community's kind.
SCOPE_FLAGS: Final[Mapping[Scope, tuple[str, bool] | None]] = types.MappingProxyType(
    {
        Scope.ALL: None,
        Scope.URBAN: ("rural", False),
        Scope.RURAL: ("rural", True),
        Scope.RESETTLEMENT: ("resettlement", True),
        Scope.OLD_RESIDENTIAL_AREA: ("old_residential_area", True),
        Scope.NEWLY_BUILT: ("newly_built", True),
    }
)
#: The flags of :data:`SCOPE_FLAGS`, in the order of :func:`community_flags`.
FLAG_NAMES: Final = ("rural", "resettlement", "old_residential_area", "newly_built")


def community_flags(community: Community) -> tuple[bool, bool, bool, bool]:
    """The flags scopes test, in the order of :data:`~cssp.model.measures.FLAG_NAMES`."""
    return (
        community.kind.value == "rural",
        community.resettlement,
        community.old_residential_area,
        community.newly_built,
    )


_OUT_OF_SCOPE: Final = {
    Scope.URBAN: Text("该目标只适用于城市社区", "the target applies to urban communities only"),
    Scope.RURAL: Text("该目标只适用于农村社区", "the target applies to rural communities only"),
    Scope.RESETTLEMENT: Text(
        "该目标只适用于易地扶贫搬迁集中安置社区",
        "the target applies to centralised resettlement communities for poverty-alleviation "
        "relocation only",
    ),
    Scope.OLD_RESIDENTIAL_AREA: Text(
        "该目标只适用于城镇老旧小区", "the target applies to old urban residential areas only"
    ),
    Scope.NEWLY_BUILT: Text(
        "该目标只适用于新建社区", "the target applies to newly built communities only"
    ),
}


def out_of_scope(scope: Scope) -> Skip:
    """The answer for a community a target of ``scope`` does not apply to (not applicable)."""
    return Skip(Status.NOT_APPLICABLE, _OUT_OF_SCOPE.get(scope, Text("", "")))


def in_scope(scope: Scope, flags: Mapping[str, object]) -> object:
    """Whether a target of ``scope`` applies: one rule over booleans or arrays of them.

    :param flags: the values of :data:`~cssp.model.measures.FLAG_NAMES` (booleans,
        or numpy bool arrays).
    :return: a boolean, an array of them, or ``True`` for
        :attr:`Scope.ALL <cssp.model.plan.Scope.ALL>`.
    """
    test = SCOPE_FLAGS[scope]
    if test is None:
        return True
    name, wanted = test
    return flags[name] == wanted


# --- the measures cssp ships ------------------------------------------------------


def _no_data(zh: str, en: str) -> Skip:
    return Skip(Status.NO_DATA, Text(zh, en))


def _not_applicable(zh: str, en: str) -> Skip:
    return Skip(Status.NOT_APPLICABLE, Text(zh, en))


NO_FACILITIES: Final = _no_data("未提供服务设施数据", "the facilities are not given")
NO_SERVICES: Final = _no_data("未提供服务项目数据", "the services present are not given")
NO_HOUSEHOLDS: Final = _no_data("未提供居民户数", "the number of households is not given")
NO_POPULATION: Final = _no_data("未提供常住人口", "the permanent population is not given")
NO_BUILDING_AREA: Final = _no_data("未提供社区总建筑面积", "the total building area is not given")
NO_WORKERS: Final = _no_data("未提供社区工作者人数", "the number of community workers is not given")
NO_FLOOR_AREA: Final = _no_data(
    "综合服务设施缺少建筑面积", "a comprehensive facility's floor area is not given"
)
NO_ACTIVITY_AREA: Final = _no_data(
    "综合服务设施缺少居民活动区域面积", "a comprehensive facility's activity area is not given"
)
NO_OPENING_HOURS: Final = _no_data(
    "服务设施缺少开放时间", "a facility's opening hours are not given"
)
ZERO_HOUSEHOLDS: Final = _not_applicable("居民户数为0", "the community has no households")
ZERO_POPULATION: Final = _not_applicable("常住人口为0", "the community has no residents")
ZERO_BUILDING_AREA: Final = _not_applicable("社区总建筑面积为0", "the total building area is zero")
NO_COMPREHENSIVE: Final = _not_applicable(
    "没有综合服务设施", "the community has no comprehensive service facility"
)
NO_FACILITY: Final = _not_applicable("没有服务设施", "the community has no service facility")
ZERO_WORKERS: Final = _not_applicable("没有社区工作者", "the community has no community workers")
NO_TRAINED: Final = _no_data(
    "未提供已轮训社区工作者人数", "the number of trained workers is not given"
)
NO_VOLUNTEERS: Final = _no_data(
    "未提供注册志愿者人数", "the number of registered volunteers is not given"
)

_COUNT: Final = "dimensionless"
_KNOWN_FACILITIES: Final = Guard("given", "facilities.count", NO_FACILITIES)


def _value(name: str, unit: str, skip: Skip) -> Measure:
    return Measure(unit, _COUNT, numerator=name, guards=(Guard("given", name, skip),))


def _share(numerator: str, denominator: str, unit: str, *guards: Guard) -> Measure:
    return Measure(unit, unit, numerator=numerator, denominator=denominator, guards=guards)


_MEASURES: Final[dict[str, Measure]] = {
    "comprehensive_facility": Measure(
        _COUNT, _COUNT, numerator="facilities.has_comprehensive", guards=(_KNOWN_FACILITIES,)
    ),
    "facility_area_per_household": Measure(
        "meter ** 2",
        "household",
        numerator="facilities.comprehensive_floor_area",
        denominator="households",
        guards=(
            _KNOWN_FACILITIES,
            Guard("given", "facilities.comprehensive_floor_area", NO_FLOOR_AREA),
            Guard("given", "households", NO_HOUSEHOLDS),
            Guard("nonzero", "households", ZERO_HOUSEHOLDS),
        ),
    ),
    "commercial_service_area_share": _share(
        "facilities.service_floor_area",
        "building_area",
        "meter ** 2",
        _KNOWN_FACILITIES,
        Guard("given", "facilities.service_floor_area", NO_FLOOR_AREA),
        Guard("given", "building_area", NO_BUILDING_AREA),
        Guard("nonzero", "building_area", ZERO_BUILDING_AREA),
    ),
    "activity_area_share": _share(
        "facilities.comprehensive_activity_area",
        "facilities.comprehensive_floor_area",
        "meter ** 2",
        _KNOWN_FACILITIES,
        Guard("given", "facilities.comprehensive_activity_area", NO_ACTIVITY_AREA),
        Guard("given", "facilities.comprehensive_floor_area", NO_FLOOR_AREA),
        Guard("nonzero", "facilities.comprehensive_floor_area", NO_COMPREHENSIVE),
    ),
    "workers_per_resident": _share(
        "staff.community_workers",
        "population",
        "person",
        Guard("given", "staff.community_workers", NO_WORKERS),
        Guard("given", "population", NO_POPULATION),
        Guard("nonzero", "population", ZERO_POPULATION),
    ),
    "min_opening_hours": Measure(
        "hour / day",
        _COUNT,
        numerator="facilities.shortest_opening_hours",
        guards=(
            _KNOWN_FACILITIES,
            Guard("nonzero", "facilities.count", NO_FACILITY),
            Guard("given", "facilities.shortest_opening_hours", NO_OPENING_HOURS),
        ),
    ),
    "elderly_monthly_visit_rate": _value(
        "elderly_monthly_visit_rate",
        "percent",
        _no_data("未提供特殊困难老年人月探访率", "the elderly monthly visit rate is not given"),
    ),
    "disaster_information_officers": _value(
        "staff.disaster_information_officers",
        "person",
        _no_data(
            "未提供灾害信息员人数", "the number of disaster information officers is not given"
        ),
    ),
    "community_workers": _value("staff.community_workers", "person", NO_WORKERS),
    "social_workers": _value(
        "staff.social_workers",
        "person",
        _no_data("未提供社区社会工作者人数", "the number of social workers is not given"),
    ),
    "trained_worker_share": _share(
        "staff.trained_workers",
        "staff.community_workers",
        "person",
        Guard("given", "staff.community_workers", NO_WORKERS),
        Guard("given", "staff.trained_workers", NO_TRAINED),
        Guard("nonzero", "staff.community_workers", ZERO_WORKERS),
    ),
    "social_organisations_per_community": _value(
        "social_organisations",
        _COUNT,
        _no_data("未提供社区社会组织数", "the number of social organisations is not given"),
    ),
    "registered_volunteer_share": _share(
        "registered_volunteers",
        "population",
        "person",
        Guard("given", "registered_volunteers", NO_VOLUNTEERS),
        Guard("given", "population", NO_POPULATION),
        Guard("nonzero", "population", ZERO_POPULATION),
    ),
}
_MEASURES.update(
    {f"service:{s.value}": _value(f"services.{s.value}", _COUNT, NO_SERVICES) for s in Service}
)
NO_TOWNSHIP_SERVICES: Final = _no_data(
    "未提供乡镇（街道）的服务设施数据", "the township's services are not given"
)
_MEASURES.update(
    {
        f"township_service:{s.value}": _value(
            f"township.services.{s.value}", _COUNT, NO_TOWNSHIP_SERVICES
        )
        for s in TownshipService
    }
)
#: Every measure cssp ships, by the key an indicator names in the catalogue
#: (read-only: a plugin adds measures through its profiles, never here).
MEASURES: Final[Mapping[str, Measure]] = types.MappingProxyType(_MEASURES)
