"""How each indicator is measured on one community.

A measure returns a pair ``(numerator, denominator)`` of plain floats in the
measure's fixed units, or a :class:`Skip` saying why it cannot (no data) or
need not (not applicable) be measured. The indicator's value is
``scale × numerator ÷ denominator`` in the indicator's unit, and every
comparison is made in the multiplicative form
``scale × numerator  ⋛  threshold × denominator`` — the one comparison rule all
engines share, so they agree to the bit at thresholds. A region's value is the
same ratio over the sums of its communities' numerators and denominators.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Callable, Mapping
from typing import Final

from attrs import define

from cssp.model.community import Community, FacilityKind, Service
from cssp.model.plan import Text

__all__ = ["MEASURES", "Measure", "Skip", "Status"]


class Status(enum.StrEnum):
    """The verdict of one finding."""

    MET = "met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"
    NO_DATA = "no_data"

    @property
    def zh(self) -> str:
        """The Chinese word: 达标, 未达标, 不适用, 无数据."""
        return _STATUS_ZH[self]


_STATUS_ZH: Final = {
    Status.MET: "达标",
    Status.NOT_MET: "未达标",
    Status.NOT_APPLICABLE: "不适用",
    Status.NO_DATA: "无数据",
}


@define(frozen=True)
class Skip:
    """A measure's answer when there is nothing to compare: no data, or not applicable."""

    status: Status
    reason: Text


Observation = tuple[float, float] | Skip


@define(frozen=True)
class Measure:
    """A computation: community → (numerator, denominator) in fixed units."""

    numerator_unit: str
    denominator_unit: str
    compute: Callable[[Community], Observation]
    #: for a ratio of two community fields (a TOML indicator): their names, so
    #: the batch engine can compute it on columns (see :data:`cssp.rules.toml.FIELDS`).
    fields: tuple[str, str] | None = None


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

_ONE: Final = (1.0, 1.0)
_ZERO: Final = (0.0, 1.0)


def _comprehensive_facility(c: Community) -> Observation:
    facilities = c.facilities
    if facilities is None:
        return NO_FACILITIES
    for f in facilities:
        if f.kind is FacilityKind.COMPREHENSIVE:
            return _ONE
    return _ZERO


def _service(service: Service) -> Callable[[Community], Observation]:
    def has(c: Community) -> Observation:
        services = c.services
        if services is None:
            return NO_SERVICES
        return _ONE if service in services else _ZERO

    return has


def _facility_area_per_household(c: Community) -> Observation:
    facilities = c.facilities
    if facilities is None:
        return NO_FACILITIES
    households = c.households
    if households is None:
        return NO_HOUSEHOLDS
    if households == 0:
        return ZERO_HOUSEHOLDS
    area = 0.0
    for f in facilities:
        if f.kind is FacilityKind.COMPREHENSIVE:
            area += f.floor_area
    return (area, float(households))


def _commercial_service_area_share(c: Community) -> Observation:
    facilities = c.facilities
    if facilities is None:
        return NO_FACILITIES
    building = c.building_area
    if building is None:
        return NO_BUILDING_AREA
    if building == 0:
        return ZERO_BUILDING_AREA
    area = 0.0
    for f in facilities:
        if f.kind is not FacilityKind.OTHER:
            area += f.floor_area
    return (area, building)


def _activity_area_share(c: Community) -> Observation:
    facilities = c.facilities
    if facilities is None:
        return NO_FACILITIES
    activity = floor = 0.0
    found = False
    for f in facilities:
        if f.kind is FacilityKind.COMPREHENSIVE:
            if f.activity_area is None:
                return NO_ACTIVITY_AREA
            found = True
            activity += f.activity_area
            floor += f.floor_area
    if not found or floor == 0:
        return NO_COMPREHENSIVE
    return (activity, floor)


def _workers_per_resident(c: Community) -> Observation:
    workers = c.staff.community_workers
    if workers is None:
        return NO_WORKERS
    population = c.population
    if population is None:
        return NO_POPULATION
    if population == 0:
        return ZERO_POPULATION
    return (float(workers), float(population))


def _min_opening_hours(c: Community) -> Observation:
    facilities = c.facilities
    if facilities is None:
        return NO_FACILITIES
    if not facilities:
        return NO_FACILITY
    shortest = 24.0
    for f in facilities:
        hours = f.opening_hours
        if hours is None:
            return NO_OPENING_HOURS
        shortest = min(shortest, hours)
    return (shortest, 1.0)


def _value(name: str, zh: str, en: str) -> Callable[[Community], Observation]:
    missing = _no_data(f"未提供{zh}", f"the {en} is not given")

    def value(c: Community) -> Observation:
        number = getattr(c, name)
        return missing if number is None else (float(number), 1.0)

    return value


def _staff_count(name: str, zh: str, en: str) -> Callable[[Community], Observation]:
    missing = _no_data(f"未提供{zh}人数", f"the number of {en} is not given")

    def count(c: Community) -> Observation:
        number = getattr(c.staff, name)
        return missing if number is None else (float(number), 1.0)

    return count


def _trained_worker_share(c: Community) -> Observation:
    workers = c.staff.community_workers
    trained = c.staff.trained_workers
    if workers is None:
        return NO_WORKERS
    if trained is None:
        return _TRAINED_MISSING
    if workers == 0:
        return ZERO_WORKERS
    return (float(trained), float(workers))


_TRAINED_MISSING: Final = _no_data(
    "未提供已轮训社区工作者人数", "the number of trained workers is not given"
)
_VOLUNTEERS_MISSING: Final = _no_data(
    "未提供注册志愿者人数", "the number of registered volunteers is not given"
)


def _registered_volunteer_share(c: Community) -> Observation:
    volunteers = c.registered_volunteers
    if volunteers is None:
        return _VOLUNTEERS_MISSING
    population = c.population
    if population is None:
        return NO_POPULATION
    if population == 0:
        return ZERO_POPULATION
    return (float(volunteers), float(population))


_COUNT: Final = "dimensionless"

_MEASURES: Final[dict[str, Measure]] = {
    "comprehensive_facility": Measure(_COUNT, _COUNT, _comprehensive_facility),
    "facility_area_per_household": Measure("meter ** 2", "household", _facility_area_per_household),
    "commercial_service_area_share": Measure(
        "meter ** 2", "meter ** 2", _commercial_service_area_share
    ),
    "activity_area_share": Measure("meter ** 2", "meter ** 2", _activity_area_share),
    "workers_per_resident": Measure("person", "person", _workers_per_resident),
    "min_opening_hours": Measure("hour / day", _COUNT, _min_opening_hours),
    "elderly_monthly_visit_rate": Measure(
        "percent",
        _COUNT,
        _value(
            "elderly_monthly_visit_rate", "特殊困难老年人月探访率", "elderly monthly visit rate"
        ),
    ),
    "disaster_information_officers": Measure(
        "person",
        _COUNT,
        _staff_count(
            "disaster_information_officers", "灾害信息员", "disaster information officers"
        ),
    ),
    "community_workers": Measure(
        "person",
        _COUNT,
        _staff_count("community_workers", "社区工作者", "community workers"),
    ),
    "social_workers": Measure(
        "person", _COUNT, _staff_count("social_workers", "社区社会工作者", "social workers")
    ),
    "trained_worker_share": Measure("person", "person", _trained_worker_share),
    "social_organisations_per_community": Measure(
        _COUNT,
        _COUNT,
        _value("social_organisations", "社区社会组织数", "number of social organisations"),
    ),
    "registered_volunteer_share": Measure("person", "person", _registered_volunteer_share),
}
_MEASURES.update({f"service:{s.value}": Measure(_COUNT, _COUNT, _service(s)) for s in Service})
#: Every measure cssp knows, by the key an indicator names in the catalogue
#: (read-only: a plugin adds measures through its profiles, never here).
MEASURES: Final[Mapping[str, Measure]] = types.MappingProxyType(_MEASURES)
