"""Townships and subdistricts (乡镇、街道): the unit of the plan's township-level requirements.

Some requirements are set for townships, not communities: a social work
station in every township and subdistrict (专栏6 item 3, "全面推动乡镇（街道）社会工作站建设"),
minor-protection stations (专栏3 item 3), and provinces' own, such as
Guangdong's elderly-care institutions. A :class:`Township` record carries the
facts they need — its 9-digit code and the services present — beside the
community records; township-level targets are judged on each township (or,
below 100 %, for regions only) and rolled up as shares of townships.

>>> t = Township(code="440106001", services={"social_work_station"})
>>> sorted(s.value for s in t.services)
['social_work_station']
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from typing import Final

from attrs import define, field

from cssp.errors import InputError
from cssp.model.divisions import PROVINCES_BY_CODE
from cssp.model.frozen import FrozenMap
from cssp.units import to_canonical

__all__ = ["Township", "TownshipService", "check_distinct_townships"]


class TownshipService(enum.StrEnum):
    """The closed set of services and stations a township (乡镇、街道) may have.

    Each one is named by a township-level requirement; see :attr:`zh`.
    """

    #: 乡镇（街道）社会工作站 — 专栏2 item 3, 专栏6 item 3.
    SOCIAL_WORK_STATION = "social_work_station"
    #: 乡镇（街道）未成年人保护工作站 — 专栏3 item 3.
    MINOR_PROTECTION_STATION = "minor_protection_station"
    #: 乡镇（街道）养老服务机构 — a province's requirement (Guangdong).
    ELDERLY_CARE_INSTITUTION = "elderly_care_institution"

    @property
    def zh(self) -> str:
        """The Chinese term."""
        return _ZH[self]


_ZH: Final = {
    TownshipService.SOCIAL_WORK_STATION: "社会工作站",
    TownshipService.MINOR_PROTECTION_STATION: "未成年人保护工作站",
    TownshipService.ELDERLY_CARE_INSTITUTION: "养老服务机构",
}
_NAMES: Final = {
    **{s.value: s for s in TownshipService},
    **{s.zh: s for s in TownshipService},
}


def _services(value: object) -> frozenset[TownshipService] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InputError(f"{value!r} is not a set of township service names", "services")
    found = set()
    for item in value:
        service = _NAMES.get(item.strip()) if isinstance(item, str) else None
        if isinstance(item, TownshipService):
            service = item
        if service is None:
            choices = ", ".join(s.value for s in TownshipService)
            raise InputError(
                f"{item!r} is not a known township service; known services: {choices}",
                "services",
            )
        found.add(service)
    return frozenset(found)


def _extra(value: object) -> Mapping[str, float]:
    if value is None:
        return FrozenMap()
    if not isinstance(value, Mapping):
        raise InputError(f"{value!r} is not a mapping of names to numbers", "extra")
    result = {}
    for key, number in value.items():
        if not isinstance(key, str) or not key.isidentifier():
            raise InputError(f"{key!r} is not a valid name", "extra")
        result[key] = to_canonical(number, "dimensionless", f"extra.{key}")
    return FrozenMap(result)


@define(frozen=True)
class Township:
    """A township or subdistrict (乡镇、街道): a record for township-level targets.

    :param code: the 9-digit statistical division code (统计用区划代码) of the
        township or subdistrict; its leading digits name its county, prefecture
        and province.
    :param name: its name.
    :param services: the :class:`TownshipService` items present; ``None`` when
        unknown (its township-level findings then have no data).
    :param extra: further values by name, for township indicators a profile adds.
    """

    code: str = field()
    name: str = ""
    services: frozenset[TownshipService] | None = field(default=None, converter=_services)
    extra: Mapping[str, float] = field(factory=FrozenMap, converter=_extra, hash=False)

    def __attrs_post_init__(self) -> None:
        code = self.code
        if not isinstance(code, str) or len(code) != 9 or not code.isascii() or not code.isdigit():
            raise InputError(f"{code!r} is not a 9-digit township code", "code")
        if code[:2] not in PROVINCES_BY_CODE:
            raise InputError(f"{code!r} does not start with a province code (11–65)", "code")

    @property
    def county(self) -> str:
        """The 6-digit county (县级) code."""
        return self.code[:6]


def check_distinct_townships(townships: Iterable[object]) -> Iterator[Township]:
    """Yield ``townships``, checking each is a Township and no code appears twice.

    :raises InputError: located at the item (``townships[3]``).
    """
    seen: dict[str, int] = {}
    for index, township in enumerate(townships):
        if not isinstance(township, Township):
            raise InputError(f"{type(township).__name__} is not a Township", f"townships[{index}]")
        first = seen.setdefault(township.code, index)
        if first != index:
            raise InputError(
                f"township {township.code} appears twice (also at townships[{first}]); "
                "it would be counted twice",
                f"townships[{index}].code",
            )
        yield township
