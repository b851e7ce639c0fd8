"""Communities, their service facilities, staff and services.

All classes are frozen attrs classes: build a changed copy with
:func:`attrs.evolve`. Quantities are accepted in any notation
:func:`cssp.units.to_canonical` reads and stored as floats in the field's
canonical unit; a wrong dimension or an invalid value raises
:class:`~cssp.errors.InputError` naming the field.
"""

from __future__ import annotations

import enum
import itertools
import math
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Final, cast

from attrs import define, field

from cssp.errors import InputError
from cssp.model.filling import skip_unchanged, stored_apart
from cssp.model.frozen import FrozenMap
from cssp.model.schema import (
    COMMUNITY_VALUES,
    FACILITY_VALUES,
    FIELD_RULES,
    NOT_APPROXIMATE,
    PART_RULES,
    STAFF_VALUES,
    checker,
    code_rural,
    committee,
    near_whole,
)
from cssp.units import (
    AREA,
    HOURS_PER_DAY,
    HOUSEHOLDS,
    PERCENT,
    PERSONS,
    Approximate,
    ApproximateCount,
    to_canonical,
)

__all__ = [
    "KIND_WORDS",
    "PLACED_WITHOUT_KIND",
    "PLACED_WITHOUT_NAME",
    "URBAN_RURAL_CLASSES",
    "Community",
    "CommunityKind",
    "Facility",
    "FacilityKind",
    "Service",
    "Staff",
    "check_distinct",
    "class_contradiction",
    "class_disagreement",
    "kind_contradiction",
    "kind_of",
    "kind_of_class",
    "read_urban_rural_class",
]


class CommunityKind(enum.StrEnum):
    """Urban community (社区, residents' committee) or rural village (村, villagers' committee)."""

    URBAN = "urban"
    RURAL = "rural"

    @property
    def zh(self) -> str:
        """The Chinese name: 城市社区 or 农村社区."""
        return "城市社区" if self is CommunityKind.URBAN else "农村社区"


class FacilityKind(enum.StrEnum):
    """What a service facility is, as far as the plan's indicators care."""

    #: 社区综合服务设施 — the comprehensive service facility (党群服务中心 and the like).
    COMPREHENSIVE = "comprehensive"
    #: 社区商业设施 — commercial service space counted by 专栏1 item 3.
    COMMERCIAL = "commercial"
    #: any other service facility (an elderly-care station, a clinic, ...).
    OTHER = "other"


class Service(enum.StrEnum):
    """The closed set of services and arrangements a community may have.

    Each one is named by a requirement of the plan; see :attr:`zh` for the
    Chinese term and the catalogue for the citation.
    """

    SELF_SERVICE_KIOSK = "self_service_kiosk"
    AGENCY_SERVICE = "agency_service"
    ONLINE_SERVICE_24H = "online_service_24h"
    SATISFACTION_SURVEY = "satisfaction_survey"
    DISABLED_PERSONS_ASSOCIATION = "disabled_persons_association"
    CULTURAL_SERVICE_CENTRE = "cultural_service_centre"
    FITNESS_CIRCLE_15MIN = "fitness_circle_15min"
    POLICE_OFFICE_COLOCATED = "police_office_colocated"
    BROADBAND = "broadband"
    NETWORK_5G = "5g"
    PUBLIC_SERVICE_INFO_PLATFORM = "public_service_info_platform"
    CONVENIENCE_CIRCLE_15MIN = "convenience_circle_15min"
    LEGAL_ADVISER = "legal_adviser"
    ONE_WINDOW_SERVICE = "one_window_service"
    NEEDS_MATCHED_EVALUATION = "needs_matched_evaluation"
    COMMITTEE_JOINT_REVIEW = "committee_joint_review"
    VOLUNTEER_SERVICE_POINT = "volunteer_service_point"
    SOCIAL_WORK_ROOM = "social_work_room"
    YOUTH_HOME = "youth_home"
    OUT_OF_SCHOOL_PRACTICE_SITE = "out_of_school_practice_site"
    EMERGENCY_DRILL = "emergency_drill"
    CONSULTATION_SYSTEM = "consultation_system"

    @property
    def zh(self) -> str:
        """The Chinese term for the service."""
        return _SERVICE_ZH[self]


_SERVICE_ZH: Final = {
    Service.SELF_SERVICE_KIOSK: "政务通用自助服务",
    Service.AGENCY_SERVICE: "政务代办服务",
    Service.ONLINE_SERVICE_24H: "24小时线上服务",
    Service.SATISFACTION_SURVEY: "社区服务群众满意度调查",
    Service.DISABLED_PERSONS_ASSOCIATION: "残疾人协会",
    Service.CULTURAL_SERVICE_CENTRE: "综合性文化服务中心",
    Service.FITNESS_CIRCLE_15MIN: "15分钟健身圈",
    Service.POLICE_OFFICE_COLOCATED: "警务室与“两委”同址办公",
    Service.BROADBAND: "宽带",
    Service.NETWORK_5G: "5G网络",
    Service.PUBLIC_SERVICE_INFO_PLATFORM: "社区公共服务综合信息平台",
    Service.CONVENIENCE_CIRCLE_15MIN: "一刻钟便民生活圈",
    Service.LEGAL_ADVISER: "村（社区）法律顾问",
    Service.ONE_WINDOW_SERVICE: "“一窗”受理和“一站”办理",
    Service.NEEDS_MATCHED_EVALUATION: "精准匹配居民需求的评价机制",
    Service.COMMITTEE_JOINT_REVIEW: "“两委”班子成员资格联审",
    Service.VOLUNTEER_SERVICE_POINT: "志愿服务站点",
    Service.SOCIAL_WORK_ROOM: "社会工作室",
    Service.YOUTH_HOME: "青年之家",
    Service.OUT_OF_SCHOOL_PRACTICE_SITE: "校外实践教育场所",
    Service.EMERGENCY_DRILL: "本年度应急避难演练",
    Service.CONSULTATION_SYSTEM: "村（社区）协商制度",
}


# --- converters: each knows its field's name, so errors can name it -----------

#: The largest count kept as it is: beyond, a count has no float (the engine's numbers).
_LARGEST: Final = int(sys.float_info.max)


def _optional(value: object, canonical: str, name: str) -> float | None:
    if value is None:
        return None
    if type(value) is float and math.isfinite(value):  # the fast path of a national run
        return value
    if type(value) is Approximate:  # read as written, and finite: keep the mark
        return value
    return to_canonical(value, canonical, name)


def _optional_count(value: object, canonical: str, name: str) -> int | None:
    if value is None:
        return None
    if type(value) is int and -_LARGEST <= value <= _LARGEST:
        return value  # beyond a float's range, to_canonical refuses it: the engine needs floats
    if type(value) is ApproximateCount:
        return value
    number = value if type(value) is Approximate else to_canonical(value, canonical, name)
    whole = near_whole(number)  # '0.07万人' is 700.0000000000001: 700 all the same
    if whole is None:
        raise InputError(f"{value!r} is not a whole number", name)
    return ApproximateCount(int(whole)) if type(number) is Approximate else int(whole)


#: The words a community's kind may be given in (besides the enum's values).
KIND_WORDS: Final = {"城市": "urban", "社区": "urban", "农村": "rural", "村": "rural"}


def kind_of(value: object) -> CommunityKind | None:
    """The :class:`CommunityKind` a text names (``"urban"``, ``"农村"`` …), else ``None``."""
    if isinstance(value, CommunityKind):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return CommunityKind(KIND_WORDS.get(text, text.lower()))
    except ValueError:
        return None


def kind_contradiction(kind: CommunityKind, code: str) -> str:
    """The message for a kind that contradicts digits 10–12 of ``code``."""
    unit = committee(int(code[9:]))
    return f"{kind.value!r} contradicts code {code} (digits 10–12 = {code[9:]}, {unit})"


def _kind(value: object) -> CommunityKind | None:
    if value is None:
        return None
    found = kind_of(value)
    if found is None:
        raise InputError(f"{value!r} is not a community kind; expected 'urban' or 'rural'", "kind")
    return found


def _facility_kind(value: object) -> FacilityKind:
    if isinstance(value, FacilityKind):
        return value
    if isinstance(value, str):
        aliases = {"综合服务设施": "comprehensive", "商业设施": "commercial", "其他": "other"}
        try:
            return FacilityKind(aliases.get(value.strip(), value.strip().lower()))
        except ValueError:
            pass
    choices = ", ".join(repr(k.value) for k in FacilityKind)
    raise InputError(f"{value!r} is not a facility kind; expected one of {choices}", "kind")


def _made_of(value: object, container: type, item: type) -> bool:
    """Whether ``value`` is exactly a ``container`` of ``item`` objects (as the readers
    give services and facilities): its converter keeps it as it is.

    ``isinstance``, mapped in C, not a loop of ``type(...) is``: an enum with
    members has no subclasses, and a tuple of a ``Facility`` subclass's objects
    is kept as it is by the converter too.
    """
    if type(value) is not container:
        return False
    return all(map(isinstance, cast("Iterable[object]", value), itertools.repeat(item)))


def _services(value: object) -> frozenset[Service] | None:
    if value is None:
        return None
    if _made_of(value, frozenset, Service):
        return cast("frozenset[Service]", value)  # as the readers give it
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InputError(f"{value!r} is not a set of service names", "services")
    result = set()
    for item in value:
        try:
            result.add(Service(item))
        except ValueError:
            choices = ", ".join(s.value for s in Service)
            raise InputError(
                f"{item!r} is not a known service; known services: {choices}", "services"
            ) from None
    return frozenset(result)


def _extra(value: object) -> Mapping[str, float]:
    if value is None or value is _EMPTY:
        return _EMPTY
    if not isinstance(value, Mapping):
        raise InputError(f"{value!r} is not a mapping of names to numbers", "extra")
    result = {}
    for key, number in value.items():
        if not isinstance(key, str) or not key.isidentifier():
            raise InputError(f"{key!r} is not a valid name", "extra")
        result[key] = to_canonical(number, "dimensionless", f"extra.{key}")
    return FrozenMap(result)


_EMPTY: Final[Mapping[str, float]] = FrozenMap()


def _facilities(value: object) -> tuple[Facility, ...] | None:
    if value is None:
        return None
    if _made_of(value, tuple, Facility):
        return cast("tuple[Facility, ...]", value)  # as the readers give it
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InputError(f"{value!r} is not a list of facilities", "facilities")
    items = tuple(value)
    for index, item in enumerate(items):
        if not isinstance(item, Facility):
            raise InputError(
                f"{type(item).__name__} is not a Facility (read dicts with cssp.io)",
                f"facilities[{index}]",
            )
    return items


def _staff(value: object) -> Staff:
    if value is None:
        return Staff()
    if not isinstance(value, Staff):
        raise InputError(f"{type(value).__name__} is not a Staff", "staff")
    return value


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"{value!r} is not true or false", name)
    return value


_FACILITY_FIELDS: Final = FACILITY_VALUES
_FACILITY_PARTS: Final = tuple(r for r in PART_RULES if r.whole == "floor_area")
_STAFF_FIELDS: Final = STAFF_VALUES
_STAFF_PARTS: Final = tuple(r for r in PART_RULES if r.whole == "community_workers")
_COMMUNITY_FIELDS: Final = COMMUNITY_VALUES
# Each class's values, then its parts, checked by one function made from their rules.
_CHECK_FACILITY: Final = checker(_FACILITY_FIELDS, _FACILITY_PARTS)
_CHECK_STAFF: Final = checker(_STAFF_FIELDS, _STAFF_PARTS)
_CHECK_COMMUNITY: Final = checker(_COMMUNITY_FIELDS)


# One named converter per field: attrs' mypy plugin types __init__ from them,
# and cssp.io reuses them, so a field's conversion is written once.


def _to_floor_area(value: object) -> float | None:
    return _optional(value, AREA, "floor_area")


def _to_activity_area(value: object) -> float | None:
    return _optional(value, AREA, "activity_area")


def _to_office_area(value: object) -> float | None:
    return _optional(value, AREA, "office_area")


def _to_opening_hours(value: object) -> float | None:
    return _optional(value, HOURS_PER_DAY, "opening_hours")


def _to_community_workers(value: object) -> int | None:
    return _optional_count(value, PERSONS, "community_workers")


def _to_social_workers(value: object) -> int | None:
    return _optional_count(value, PERSONS, "social_workers")


def _to_disaster_information_officers(value: object) -> int | None:
    return _optional_count(value, PERSONS, "disaster_information_officers")


def _to_trained_workers(value: object) -> int | None:
    return _optional_count(value, PERSONS, "trained_workers")


def _to_households(value: object) -> int | None:
    return _optional_count(value, HOUSEHOLDS, "households")


def _to_population(value: object) -> int | None:
    return _optional_count(value, PERSONS, "population")


def _to_building_area(value: object) -> float | None:
    return _optional(value, AREA, "building_area")


def _to_resettlement(value: object) -> bool:
    return _flag(value, "resettlement")


def _to_old_residential_area(value: object) -> bool:
    return _flag(value, "old_residential_area")


def _to_newly_built(value: object) -> bool:
    return _flag(value, "newly_built")


def _to_elderly_monthly_visit_rate(value: object) -> float | None:
    return _optional(value, PERCENT, "elderly_monthly_visit_rate")


def _to_social_organisations(value: object) -> int | None:
    return _optional_count(value, "dimensionless", "social_organisations")


def _to_registered_volunteers(value: object) -> int | None:
    return _optional_count(value, PERSONS, "registered_volunteers")


#: 城乡分类代码, the statistics bureau's urban-rural classes of a village-level unit:
#: the first digit is its 城乡属性 (1 城镇 urban, 2 乡村 rural).
URBAN_RURAL_CLASSES: Final = {
    "111": "主城区",
    "112": "城乡结合区",
    "121": "镇中心区",
    "122": "镇乡结合区",
    "123": "特殊区域",
    "210": "乡中心区",
    "220": "村庄",
}
_CLASS_BY_NAME: Final = {name: code for code, name in URBAN_RURAL_CLASSES.items()}
#: The messages of a community placed by names without a name or a kind.
PLACED_WITHOUT_NAME: Final = (
    "a community without a 12-digit code is told apart by its name: give its name"
)
PLACED_WITHOUT_KIND: Final = (
    "a community without a 12-digit code has no committee digits to tell its kind: "
    "give its kind (城市 or 农村) or its 城乡分类代码 (urban_rural_class)"
)


def read_urban_rural_class(value: object) -> str | None:
    """An urban-rural class as written (``111``, ``"111(主城区)"``, ``"主城区"``) as its code.

    :raises InputError: for anything else, naming ``urban_rural_class``.
    """
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        digits = text[:3]
        if digits in URBAN_RURAL_CLASSES and (
            len(text) == 3 or URBAN_RURAL_CLASSES[digits] in text[3:]
        ):
            return digits  # "111", or "111(主城区)" as the bureau's lists write it
        if text in _CLASS_BY_NAME:
            return _CLASS_BY_NAME[text]
        if not text:
            return None
    choices = ", ".join(f"{code} {name}" for code, name in URBAN_RURAL_CLASSES.items())
    raise InputError(
        f"{value!r} is not an urban-rural class (城乡分类代码); expected one of {choices}",
        "urban_rural_class",
    )


def kind_of_class(urban_rural_class: str | None) -> CommunityKind | None:
    """The kind an urban-rural class implies: 城镇 (1xx) urban, 乡村 (2xx) rural; else ``None``."""
    if urban_rural_class is None:
        return None
    return CommunityKind.URBAN if urban_rural_class[0] == "1" else CommunityKind.RURAL


def class_contradiction(community: Community) -> str | None:
    """A message when a community's urban-rural class and its kind disagree, else ``None``.

    Not an error: it happens in the bureau's own lists (a villagers'
    committee of an urban village in a 主城区, a residents' committee
    classed 村庄); readers report it as a warning.
    """
    return class_disagreement(
        community.urban_rural_class,
        community.kind,
        community.code if not community.placed_by_name else None,
    )


def class_disagreement(
    urban_rural_class: str | None, kind: CommunityKind, code: str | None
) -> str | None:
    """:func:`class_contradiction` of a community of this class and kind, whose kind
    comes from its 12-digit ``code`` (``None``: the kind was given)."""
    implied = kind_of_class(urban_rural_class)
    if implied is None or implied is kind:
        return None
    assert urban_rural_class is not None
    where = "城镇, urban" if implied is CommunityKind.URBAN else "乡村, rural"
    name = URBAN_RURAL_CLASSES[urban_rural_class]
    what = (
        f"a {kind.value} community by its code {code}"
        if code is not None
        else f"given as {kind.value}"
    )
    return (
        f"the urban-rural class {urban_rural_class} ({name}: {where}) disagrees "
        f"with its kind: {what}"
    )


# --- the classes ---------------------------------------------------------------


@define(frozen=True)
@stored_apart
class Facility:
    """A community service facility.

    :param kind: ``"comprehensive"`` (社区综合服务设施), ``"commercial"`` or ``"other"``.
    :param floor_area: total floor area (建筑面积), canonical unit m²; ``None`` when
        the facility exists but its floor area is not known (the targets on
        areas then have no data; coverage counts the facility).
    :param activity_area: area given to residents' activities (居民活动区域面积), m².
    :param office_area: office area (办公面积), m².
    :param opening_hours: hours open and serving per day (开放和服务时间), h/day.
    :param name: an optional name.
    :param approximate: the names of its values written as approximate
        (``约420平方米``); a value given so is added by itself.
    """

    kind: FacilityKind = field(converter=_facility_kind)
    floor_area: float | None = field(default=None, converter=_to_floor_area)
    activity_area: float | None = field(default=None, converter=_to_activity_area)
    office_area: float | None = field(default=None, converter=_to_office_area)
    opening_hours: float | None = field(default=None, converter=_to_opening_hours)
    name: str = ""
    approximate: frozenset[str] = field(default=NOT_APPROXIMATE, kw_only=True)

    def __attrs_post_init__(self) -> None:
        approximate = _CHECK_FACILITY(self)
        if approximate:
            object.__setattr__(self, "approximate", self.approximate | approximate)


@define(frozen=True)
@stored_apart
class Staff:
    """The people who work in a community. Every count is optional (unknown).

    :param community_workers: community workers (社区工作者), persons.
    :param social_workers: professional social workers (社区社会工作者), persons.
    :param disaster_information_officers: disaster information officers (灾害信息员).
    :param trained_workers: community workers who have completed the themed
        rotation training of 专栏6 item 1 (轮训), persons.
    :param approximate: the names of its counts written as approximate (``8人左右``).
    """

    community_workers: int | None = field(default=None, converter=_to_community_workers)
    social_workers: int | None = field(default=None, converter=_to_social_workers)
    disaster_information_officers: int | None = field(
        default=None,
        converter=_to_disaster_information_officers,
    )
    trained_workers: int | None = field(default=None, converter=_to_trained_workers)
    approximate: frozenset[str] = field(default=NOT_APPROXIMATE, kw_only=True)

    def __attrs_post_init__(self) -> None:
        approximate = _CHECK_STAFF(self)
        if approximate:
            object.__setattr__(self, "approximate", self.approximate | approximate)


@define(frozen=True)
@stored_apart
class Community:
    """A village (村) or urban community (社区): the plan's basic unit.

    :param code: the 12-digit statistical division code (统计用区划代码), or
        the 9 (6) digits of the township (county) of a community placed by its
        names. Its
        digits name the province (1–2), prefecture (3–4), county (5–6) and
        township (7–9); digits 10–12 are 001–199 for a residents' committee
        (urban), 200–399 for a villagers' committee (rural), 400–499 and
        500–599 for units like them (类似居委会, 类似村委会), as the statistics
        bureau's coding rules give them.
    :param name: the community's name.
    :param kind: ``"urban"`` or ``"rural"``; inferred from the code when omitted,
        and an error when it contradicts the code.
    :param households: resident households (居民户数).
    :param population: permanent residents (常住人口), persons.
    :param building_area: total building area of the community (社区总建筑面积), m².
    :param facilities: the service facilities; ``None`` when unknown, an empty
        list when the community has none.
    :param staff: the community's staff (:class:`Staff`).
    :param services: the :class:`Service` items present; ``None`` when unknown.
    :param resettlement: a relocation resettlement community (易地扶贫搬迁集中安置社区).
    :param old_residential_area: an old urban residential area (城镇老旧小区).
    :param newly_built: a newly built community (新建社区).
    :param elderly_monthly_visit_rate: monthly visit rate of elderly people with
        special difficulties (特殊困难老年人月探访率), percent.
    :param social_organisations: community social organisations (社区社会组织).
    :param registered_volunteers: registered community volunteers (注册志愿者), persons.
    :param extra: further measured values by name, for indicators that
        province profiles add (e.g. ``{"childcare_places": 40}``); plain numbers
        in the unit the profile's indicator declares.
    :param urban_rural_class: the statistics bureau's urban-rural class
        (城乡分类代码, :data:`URBAN_RURAL_CLASSES`: ``"111"`` 主城区 … ``"220"``
        村庄), when known. It gives the kind of a community that has no
        committee digits; otherwise it does not change the kind, and a class
        that disagrees with it is reported by the readers as a warning.
    :param approximate: the names of its own values written as approximate
        (``约1000户``, ``5200余人``, ``近百人``): the number is kept, and the
        findings built on it say so. A value given so (a text with 约, 余,
        多, 近 or 左右) is added by itself; see :attr:`approximate_values`.

    A community without its 12-digit code may be placed by the names of its
    divisions (:mod:`cssp.model.places`): its ``code`` is then its township's
    9 digits (or its county's 6), and it is told apart by its ``name``
    (:attr:`key`); its kind is given, or comes from its urban-rural class.
    """

    code: str = field()
    name: str = ""
    kind: CommunityKind = field(default=None, converter=_kind)
    households: int | None = field(default=None, converter=_to_households)
    population: int | None = field(default=None, converter=_to_population)
    building_area: float | None = field(default=None, converter=_to_building_area)
    facilities: tuple[Facility, ...] | None = field(default=None, converter=_facilities)
    staff: Staff = field(factory=Staff, converter=_staff)
    services: frozenset[Service] | None = field(default=None, converter=_services)
    resettlement: bool = field(default=False, converter=_to_resettlement)
    old_residential_area: bool = field(default=False, converter=_to_old_residential_area)
    newly_built: bool = field(default=False, converter=_to_newly_built)
    elderly_monthly_visit_rate: float | None = field(
        default=None, converter=_to_elderly_monthly_visit_rate
    )
    social_organisations: int | None = field(
        default=None,
        converter=_to_social_organisations,
    )
    registered_volunteers: int | None = field(default=None, converter=_to_registered_volunteers)
    extra: Mapping[str, float] = field(default=_EMPTY, converter=_extra, hash=False)
    urban_rural_class: str | None = field(
        default=None, converter=read_urban_rural_class, kw_only=True
    )
    approximate: frozenset[str] = field(default=NOT_APPROXIMATE, kw_only=True)

    def __attrs_post_init__(self) -> None:
        code = self.code
        problem, rural = code_rural(code)
        if problem is not None:
            raise InputError(problem, "code")
        given: CommunityKind | None = self.kind
        if rural is None:  # placed by the names of its divisions: no committee digits
            if not self.name:
                raise InputError(f"{PLACED_WITHOUT_NAME} ({code!r})", "name")
            if given is None:
                given = kind_of_class(self.urban_rural_class)
                if given is None:
                    raise InputError(PLACED_WITHOUT_KIND, "kind")
                object.__setattr__(self, "kind", given)
        else:
            implied = CommunityKind.RURAL if rural else CommunityKind.URBAN
            if given is None:
                object.__setattr__(self, "kind", implied)
            elif given is not implied:
                raise InputError(kind_contradiction(given, code), "kind")
        approximate = _CHECK_COMMUNITY(self)
        if approximate:
            object.__setattr__(self, "approximate", self.approximate | approximate)

    @property
    def approximate_values(self) -> frozenset[str]:
        """Where its values are approximate: its own fields (``households``), its
        staff's (``staff.community_workers``) and its facilities'
        (``facilities[0].floor_area``); empty when every value is exact."""
        own = self.approximate
        staff = self.staff.approximate
        facilities = self.facilities or ()
        if not (own or staff or any(f.approximate for f in facilities)):
            return NOT_APPROXIMATE
        return frozenset(
            (
                *own,
                *(f"staff.{name}" for name in staff),
                *(
                    f"facilities[{index}].{name}"
                    for index, facility in enumerate(facilities)
                    for name in facility.approximate
                ),
            )
        )

    @property
    def key(self) -> str:
        """What tells the community from the others: its 12-digit code, or, for a
        community placed by the names of its divisions, its township's (or
        county's) code and its name (``"330922100 菜园镇东海社区"``)."""
        code = self.code
        return code if len(code) == 12 else f"{code} {self.name}"

    @property
    def placed_by_name(self) -> bool:
        """Whether it has no 12-digit code, only its township's (or county's) and its name."""
        return len(self.code) != 12

    # Codes of the enclosing divisions ------------------------------------------

    @property
    def province(self) -> str:
        """The 2-digit province code."""
        return self.code[:2]

    @property
    def prefecture(self) -> str:
        """The 4-digit prefecture (地级) code."""
        return self.code[:4]

    @property
    def county(self) -> str:
        """The 6-digit county (县级) code."""
        return self.code[:6]

    @property
    def township(self) -> str:
        """The 9-digit township or street (乡镇/街道) code; ``""`` for a community placed
        in a county only (a 6-digit code)."""
        code = self.code
        return code[:9] if len(code) >= 9 else ""

    @property
    def comprehensive_facilities(self) -> tuple[Facility, ...]:
        """The facilities of kind ``comprehensive`` (empty when unknown)."""
        return tuple(f for f in self.facilities or () if f.kind is FacilityKind.COMPREHENSIVE)


# Values that a field's converter gives back as they are (the same object): the readers'
# floats, ints and flags. Each class's __init__ tests them inline rather than calling the
# converter (cssp.model.filling); tests hold each test to its converter.
_FINITE: Final = "{v} is None or (type({v}) is float and {v} - {v} == 0.0)"
_COUNT: Final = "{v} is None or (type({v}) is int and -LARGEST <= {v} <= LARGEST)"
_FLAG: Final = "{v} is True or {v} is False"
UNCHANGED: Final[dict[type, dict[str, str]]] = {
    Facility: {
        "kind": "type({v}) is FacilityKind",
        **dict.fromkeys(_FACILITY_FIELDS, _FINITE),
    },
    Staff: dict.fromkeys(_STAFF_FIELDS, _COUNT),
    Community: {
        "kind": "{v} is None or type({v}) is CommunityKind",
        **{name: _COUNT if FIELD_RULES[name].whole else _FINITE for name in _COMMUNITY_FIELDS},
        # a tuple of facilities, a frozenset of services: kept as they are (_made_of)
        "facilities": "{v} is None or (type({v}) is tuple and all(map(isinstance, {v}, "
        "repeat(Facility))))",
        "staff": "type({v}) is Staff",
        "services": "{v} is None or (type({v}) is frozenset and all(map(isinstance, {v}, "
        "repeat(Service))))",
        **dict.fromkeys(("resettlement", "old_residential_area", "newly_built"), _FLAG),
        "extra": "{v} is EMPTY",
        "urban_rural_class": "{v} is None",
    },
}
#: The names the tests of UNCHANGED use.
UNCHANGED_NAMES: Final = {
    "LARGEST": _LARGEST,
    "EMPTY": _EMPTY,
    "Staff": Staff,
    "Facility": Facility,
    "Service": Service,
    "repeat": itertools.repeat,
    "CommunityKind": CommunityKind,
    "FacilityKind": FacilityKind,
}
for _cls, _tests in UNCHANGED.items():
    skip_unchanged(_cls, _tests, UNCHANGED_NAMES)


def check_distinct(communities: Iterable[object]) -> Iterator[Community]:
    """Yield ``communities``, checking each is a Community and no code appears twice.

    :raises InputError: located at the item (``communities[3]``), naming where
        a repeated code first appeared.
    """
    seen: dict[str, int] = {}
    for index, community in enumerate(communities):
        if not isinstance(community, Community):
            raise InputError(
                f"{type(community).__name__} is not a Community", f"communities[{index}]"
            )
        first = seen.setdefault(community.key, index)
        if first != index:
            raise InputError(
                f"community {community.key} appears twice (also at communities[{first}]); "
                "it would be counted twice",
                f"communities[{index}].code",
            )
        yield community
