"""The vocabulary of the measures: the community fields a measure may read.

:data:`FIELDS` (a community's numbers, ``services.NAME``, ``extra.NAME``,
``communities``) and the facility sums of :data:`FACILITY_FIELDS`, each with
what it means, declared once for :class:`~cssp.model.community.Community`
objects and for tables. Named and documented from :mod:`cssp.model.measures`.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Mapping
from typing import Final, Literal

from attrs import define

from cssp.errors import InputError
from cssp.model.community import FacilityKind, Service
from cssp.model.township import TownshipService

# --- the vocabulary ---------------------------------------------------------------


@define(frozen=True)
class FieldInfo:
    """A number a measure may read.

    :param unit: its unit (a pint unit expression).
    :param path: where a :class:`~cssp.model.community.Community` holds it
        (``("staff", "community_workers")``), or ``()`` for a field derived from
        the facilities, the services or a constant.
    :param whole: whether its values are whole numbers (counts), held as ``int``.
    :param zh: its name in Chinese, for "not given" reasons.
    :param en: its name in English.
    """

    unit: str
    path: tuple[str, ...]
    whole: bool
    zh: str
    en: str


@define(frozen=True)
class FacilityField:
    """A number derived from a community's facilities, declared once for every engine.

    :param op: ``"count"`` (how many facilities of ``kinds``), ``"any"`` (1 when
        there is one, else 0), ``"sum"`` (Σ ``attribute`` over them, in the
        facilities' order, from 0.0) or ``"min"`` (the least ``attribute``,
        from ``start``).
    :param kinds: the facility kinds it covers.
    :param attribute: the :class:`~cssp.model.community.Facility` attribute summed or minimised.
    :param start: the starting value of a ``min``.

    A ``sum`` or ``min`` is missing when one facility it covers lacks the attribute.
    """

    op: Literal["count", "any", "sum", "min"]
    kinds: frozenset[FacilityKind]
    attribute: str = ""
    start: float = 0.0


_ALL_KINDS: Final = frozenset(FacilityKind)
_COMPREHENSIVE: Final = frozenset({FacilityKind.COMPREHENSIVE})

#: The facility sums, by field name: what every engine reduces facilities to.
FACILITY_FIELDS: Final[Mapping[str, FacilityField]] = types.MappingProxyType(
    {
        "facilities.count": FacilityField("count", _ALL_KINDS),
        "facilities.has_comprehensive": FacilityField("any", _COMPREHENSIVE),
        "facilities.comprehensive_floor_area": FacilityField("sum", _COMPREHENSIVE, "floor_area"),
        "facilities.service_floor_area": FacilityField(
            "sum", frozenset({FacilityKind.COMPREHENSIVE, FacilityKind.COMMERCIAL}), "floor_area"
        ),
        "facilities.comprehensive_activity_area": FacilityField(
            "sum", _COMPREHENSIVE, "activity_area"
        ),
        "facilities.shortest_opening_hours": FacilityField(
            "min", _ALL_KINDS, "opening_hours", 24.0
        ),
    }
)

_FIELDS: Final[dict[str, FieldInfo]] = {
    "households": FieldInfo("household", ("households",), True, "居民户数", "number of households"),
    "population": FieldInfo("person", ("population",), True, "常住人口", "permanent population"),
    "building_area": FieldInfo(
        "meter ** 2", ("building_area",), False, "社区总建筑面积", "total building area"
    ),
    "elderly_monthly_visit_rate": FieldInfo(
        "percent",
        ("elderly_monthly_visit_rate",),
        False,
        "特殊困难老年人月探访率",
        "elderly monthly visit rate",
    ),
    "social_organisations": FieldInfo(
        "dimensionless",
        ("social_organisations",),
        True,
        "社区社会组织数",
        "number of social organisations",
    ),
    "registered_volunteers": FieldInfo(
        "person",
        ("registered_volunteers",),
        True,
        "注册志愿者人数",
        "number of registered volunteers",
    ),
    "staff.community_workers": FieldInfo(
        "person",
        ("staff", "community_workers"),
        True,
        "社区工作者人数",
        "number of community workers",
    ),
    "staff.social_workers": FieldInfo(
        "person",
        ("staff", "social_workers"),
        True,
        "社区社会工作者人数",
        "number of social workers",
    ),
    "staff.disaster_information_officers": FieldInfo(
        "person",
        ("staff", "disaster_information_officers"),
        True,
        "灾害信息员人数",
        "number of disaster information officers",
    ),
    "staff.trained_workers": FieldInfo(
        "person",
        ("staff", "trained_workers"),
        True,
        "已轮训社区工作者人数",
        "number of trained workers",
    ),
    "communities": FieldInfo("dimensionless", (), True, "社区数", "number of communities"),
    "facilities.count": FieldInfo("dimensionless", (), True, "服务设施数", "number of facilities"),
    "facilities.has_comprehensive": FieldInfo(
        "dimensionless", (), True, "是否有综合服务设施", "whether there is a comprehensive facility"
    ),
    "facilities.comprehensive_floor_area": FieldInfo(
        "meter ** 2",
        (),
        False,
        "综合服务设施建筑面积",
        "floor area of the comprehensive facilities",
    ),
    "facilities.service_floor_area": FieldInfo(
        "meter ** 2",
        (),
        False,
        "综合服务设施和商业设施建筑面积",
        "floor area of the comprehensive and commercial facilities",
    ),
    "facilities.comprehensive_activity_area": FieldInfo(
        "meter ** 2",
        (),
        False,
        "综合服务设施居民活动区域面积",
        "activity area of the comprehensive facilities",
    ),
    "facilities.shortest_opening_hours": FieldInfo(
        "hour / day", (), False, "服务设施最短开放时间", "shortest opening hours of a facility"
    ),
}
_FIELDS.update(
    {f"services.{s.value}": FieldInfo("dimensionless", (), True, s.zh, s.value) for s in Service}
)
# The fields of a township record (cssp.Township): a measure reads these, or a
# community's, never both.
_FIELDS.update(
    {
        f"township.services.{s.value}": FieldInfo(
            "dimensionless", (), True, f"乡镇（街道）{s.zh}", f"township {s.value}"
        )
        for s in TownshipService
    }
)
_FIELDS["townships"] = FieldInfo("dimensionless", (), True, "乡镇（街道）数", "number of townships")
#: Every field a measure may read, by name (and ``extra.NAME``, whose unit the
#: indicator declares).
FIELDS: Final[Mapping[str, FieldInfo]] = types.MappingProxyType(_FIELDS)
#: The denominator of a count or a value: the constant 1.
ONE: Final = "one"


def township_field(name: str) -> bool:
    """Whether ``name`` is a field of a township record (``township.…``, ``townships``)."""
    return name == "townships" or name.startswith("township.")


def field_info(name: str) -> FieldInfo | None:
    """The :class:`FieldInfo` of ``name``; ``None`` for ``extra.NAME`` and unknown names."""
    return FIELDS.get(name)


def _check_field(name: str, where: str) -> None:
    if name in FIELDS or name == ONE:
        return
    if name.startswith("extra.") and name[len("extra.") :].isidentifier():
        return
    if name.startswith("township.extra.") and name[len("township.extra.") :].isidentifier():
        return
    close = difflib.get_close_matches(name, FIELDS, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise InputError(
        f"{name!r} is not a field; {hint}(the fields are cssp.model.measures.FIELDS, "
        "or extra.NAME)",
        where,
    )
