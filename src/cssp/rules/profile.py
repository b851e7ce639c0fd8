"""Profiles: a province's (or city's, or county's) refinement of a national plan.

A :class:`Profile` is scoped by a division code prefix (``"44"`` Guangdong,
``"4401"`` Guangzhou, ``"440106"`` Tianhe) and carries, each with its citation:

* :class:`Override` — a new threshold for one of the plan's targets;
* new indicators with their targets (:class:`~cssp.model.plan.Indicator`);
* a :class:`StaffingRule` — a community-level staffing standard.

Profiles are data. A Python plugin builds them in code; a data-only plugin
ships a TOML file that :func:`cssp.rules.toml.parse_profile` reads without
evaluating anything. Each class checks the types of its fields when it is
built (attrs validators): a field of the wrong type is an
:class:`~cssp.errors.InputError` naming it.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

from attrs import define, field

from cssp.errors import InputError
from cssp.model.checks import (
    date,
    instance_of,
    mapping_of,
    number,
    optional,
    tuple_of,
    whole_number,
)
from cssp.model.community import Community
from cssp.model.divisions import DIVISION_LENGTHS, PROVINCES_BY_CODE
from cssp.model.frozen import FrozenMap
from cssp.model.measures import Measure
from cssp.model.plan import Attribute, Citation, Indicator, ReportedBy, Scope, Text

__all__ = [
    "HouseholdStaffingRule",
    "Override",
    "Profile",
    "ResidentStaffingRule",
    "StaffingRule",
    "check_scope",
]

_SCOPE_LENGTHS = frozenset(DIVISION_LENGTHS.values())
_STR: Final = instance_of(str)


@define(frozen=True)
class Override:
    """A profile's new threshold for one of the national plan's targets.

    :param target: the id of the plan's target.
    :param threshold: the new threshold with its unit and, optionally, its
        comparator, in any notation :func:`cssp.units.parse_threshold` reads
        (``"≥32 m^2 / (100 household)"``, ``"≥90%"``, ``"> 18人/万人"``).
        It is converted to the target's unit when the profile is loaded.
    :param citation: where the profile's document states it.
    :param year: the target year, when it differs from the plan's.
    :param note: anything a reader needs.
    :param attribute: the attribute (预期性 / 约束性) the profile's document
        gives the target. ``None`` (the default): the document states none, and
        the target in force is :attr:`~cssp.model.plan.Attribute.UNSPECIFIED` —
        a province's target does not inherit the national attribute.
    :raises InputError: naming a field of the wrong type.
    """

    target: str = field(validator=_STR)
    threshold: str = field(validator=_STR)
    citation: Citation = field(validator=instance_of(Citation))
    year: int | None = field(default=None, validator=optional(whole_number()))
    note: Text | None = field(default=None, validator=optional(instance_of(Text)))
    attribute: Attribute | None = field(
        default=None, kw_only=True, validator=optional(instance_of(Attribute))
    )


@define(frozen=True)
class StaffingRule:
    """A community-level staffing standard: how many community workers a community needs.

    Subclass it in a Python plugin and implement :meth:`required`; data-only
    profiles use :class:`HouseholdStaffingRule`. The engine calls
    :meth:`required` once per community, directly (not through a hook).

    :param citation: where the standard is published.
    :param description: the rule in words, in Chinese and English.
    :param applies_to: which communities it covers (urban, rural or all).
    :raises InputError: naming a field of the wrong type (a subclass inherits
        these checks, whatever its ``__attrs_post_init__`` does).
    """

    citation: Citation = field(validator=instance_of(Citation))
    description: Text = field(validator=instance_of(Text))
    applies_to: Scope = field(default=Scope.ALL, kw_only=True, validator=instance_of(Scope))

    def required(self, community: Community) -> float | None:
        """The number of community workers ``community`` needs, or ``None`` without the data."""
        raise NotImplementedError

    def required_columns(self, columns: Mapping[str, Any]) -> Any:
        """The same for many communities at once, for the batch engine (optional).

        :param columns: numpy arrays by field name: the numeric fields of
            :class:`~cssp.model.community.Community` and its staff (float64, NaN
            where not given: ``households``, ``population``, ``community_workers``
            …), the flags ``resettlement``, ``old_residential_area`` and
            ``newly_built``, and ``rural`` (bool).
        :return: a float64 array of the workers each community needs, NaN where
            the data is missing — or ``None`` (the default) when the rule has no
            columnar form, in which case the batch engine calls :meth:`required`
            on each community (exact, but slow).
        """
        return None


@define(frozen=True)
class HouseholdStaffingRule(StaffingRule):
    """One community worker per ``households_per_worker`` households, at least ``minimum``.

    :param households_per_worker: households one worker serves.
    :param minimum: the fewest workers any community has.
    """

    households_per_worker: float = field(kw_only=True, validator=number())
    minimum: int = field(kw_only=True, default=0, validator=whole_number())

    def __attrs_post_init__(self) -> None:
        if not self.households_per_worker > 0:
            raise InputError(
                f"{self.households_per_worker!r} must be positive", "staffing.households_per_worker"
            )
        if self.minimum < 0:
            raise InputError(f"{self.minimum!r} must not be negative", "staffing.minimum")

    def required(self, community: Community) -> float | None:
        """``max(minimum, ceil(households / households_per_worker))``."""
        households = community.households
        if households is None:
            return None
        return float(max(self.minimum, math.ceil(households / self.households_per_worker)))

    def required_columns(self, columns: Mapping[str, Any]) -> Any:
        """``max(minimum, ceil(households / households_per_worker))`` elementwise; NaN stays NaN."""
        import numpy as np  # noqa: PLC0415 - the batch engine's optional dependency

        households = columns["households"]
        return np.maximum(float(self.minimum), np.ceil(households / self.households_per_worker))


@define(frozen=True)
class ResidentStaffingRule(StaffingRule):
    """At least N workers per 10,000 residents, and at least M in a small community.

    The resident-based form of a staffing standard: "每万名居民配备不少于N名社区工作者，
    常住人口不足P人的社区不少于M名". A community of population ``population``
    needs ``ceil(population × N ÷ 10,000)`` workers, at least ``minimum``;
    one of fewer than ``small_below`` residents at least ``small_minimum``.

    :param workers_per_10k_residents: N, workers per 10,000 permanent residents.
    :param minimum: the fewest workers any community has.
    :param small_below: P: below this population a community is small.
    :param small_minimum: M: the fewest workers a small community has.
    """

    workers_per_10k_residents: float = field(kw_only=True)
    minimum: int = field(kw_only=True, default=0)
    small_below: int | None = field(kw_only=True, default=None)
    small_minimum: int = field(kw_only=True, default=0)

    def __attrs_post_init__(self) -> None:
        per = self.workers_per_10k_residents
        if isinstance(per, bool) or not isinstance(per, int | float) or not per > 0:
            raise InputError(
                f"{per!r} must be a positive number", "staffing.workers_per_10k_residents"
            )
        for name in ("minimum", "small_minimum"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InputError(
                    f"{value!r} must be a whole number, not negative", f"staffing.{name}"
                )
        small = self.small_below
        if small is not None and (
            isinstance(small, bool) or not isinstance(small, int) or small < 1
        ):
            raise InputError(f"{small!r} must be a positive whole number", "staffing.small_below")
        if self.small_minimum and small is None:
            raise InputError(
                "a small communities' minimum needs small_below, the population below which "
                "a community is small",
                "staffing.small_minimum",
            )

    def required(self, community: Community) -> float | None:
        """``max(minimum, ceil(population × N ÷ 10,000))``, and the small minimum below P."""
        population = community.population
        if population is None:
            return None
        needed = max(self.minimum, math.ceil(population * self.workers_per_10k_residents / 10000))
        if self.small_below is not None and population < self.small_below:
            needed = max(needed, self.small_minimum)
        return float(needed)

    def required_columns(self, columns: Mapping[str, Any]) -> Any:
        """The same elementwise over ``population`` (NaN stays NaN)."""
        import numpy as np  # noqa: PLC0415 - the batch engine's optional dependency

        population = columns["population"]
        needed = np.maximum(
            float(self.minimum), np.ceil(population * self.workers_per_10k_residents / 10000)
        )
        if self.small_below is not None:
            small = population < self.small_below
            needed = np.where(small, np.maximum(needed, float(self.small_minimum)), needed)
        return needed


def _frozen_mapping(value: Mapping[str, Measure]) -> Mapping[str, Measure]:
    """A read-only copy of a mapping; anything else as it is, for the check to judge."""
    return FrozenMap(value) if isinstance(value, Mapping) else value


def _overrides(value: Sequence[Override]) -> tuple[Override, ...]:
    """A list as a tuple (a copy its maker cannot change); anything else as it is."""
    return tuple(value) if type(value) is list else value  # type: ignore[return-value]


def _indicators(value: Sequence[Indicator]) -> tuple[Indicator, ...]:
    """A list as a tuple (a copy its maker cannot change); anything else as it is."""
    return tuple(value) if type(value) is list else value  # type: ignore[return-value]


def check_scope(scope: str, where: str = "scope") -> str:
    """Validate a profile's scope: a 2-, 4-, 6- or 9-digit code of a real province.

    :raises InputError: naming ``where``.
    """
    if (
        not isinstance(scope, str)
        or len(scope) not in _SCOPE_LENGTHS
        or not scope.isascii()
        or not scope.isdigit()
    ):
        raise InputError(
            f"{scope!r} is not a division code of 2, 4, 6 or 9 digits (e.g. '44', '4401')", where
        )
    if scope[:2] not in PROVINCES_BY_CODE:
        raise InputError(f"{scope!r} does not start with a province code", where)
    return scope


def _reported_by(value: ReportedBy | str | None) -> ReportedBy | None:
    """A profile's ``reported_by``: the short form ``"羊城晚报, 2022-06-16"`` is read."""
    if isinstance(value, str):
        return ReportedBy.parse(value) if value.strip() else None
    return value


@define(frozen=True)
class Profile:
    """A scoped refinement of a national plan, with its document and citations.

    :param id: a short id, unique among loaded profiles (e.g. ``"guangdong"``).
    :param plan: the id of the national plan it refines (``"fyp14"``).
    :param scope: the division code prefix it covers (``"44"``, ``"4401"``, ...).
    :param title: the document's title, Chinese exact, and English.
    :param issuer: who issued the document.
    :param document: its number, or its title when the number is not known.
    :param issued: the date of issue, if known.
    :param reported_by: where cssp's figures were read, when not in the document
        itself: a :class:`~cssp.model.plan.ReportedBy`, or its short form
        ``"羊城晚报, 2022-06-16"`` (read by :meth:`~cssp.model.plan.ReportedBy.parse`;
        the outlet then has no English name).
    :param overrides: new thresholds for the plan's targets.
    :param indicators: new indicators, each with its targets.
    :param staffing: a community-level staffing standard.
    :param measures: computations for the new indicators, by the measure key
        each indicator names (Python plugins; TOML profiles get theirs built
        from the ratio of fields they declare).
    :param source: the plugin that provided it (set by the plugin host).
    :raises InputError: naming a field of the wrong type, or a scope that is
        not a division code (lists of overrides or indicators are taken as tuples).
    """

    id: str = field(validator=_STR)
    plan: str = field(validator=_STR)
    scope: str = field()
    title: Text = field(validator=instance_of(Text))
    issuer: str = field(validator=_STR)
    document: str = field(validator=_STR)
    issued: datetime.date | None = field(default=None, validator=optional(date()))
    reported_by: ReportedBy | None = field(
        default=None, converter=_reported_by, validator=optional(instance_of(ReportedBy))
    )
    overrides: tuple[Override, ...] = field(
        default=(),
        converter=_overrides,
        validator=tuple_of(Override, expected="a tuple (or list) of Override"),
    )
    indicators: tuple[Indicator, ...] = field(
        default=(),
        converter=_indicators,
        validator=tuple_of(Indicator, expected="a tuple (or list) of Indicator"),
    )
    staffing: StaffingRule | None = field(
        default=None, validator=optional(instance_of(StaffingRule))
    )
    measures: Mapping[str, Measure] = field(
        factory=dict, converter=_frozen_mapping, validator=mapping_of(str, Measure), hash=False
    )
    source: str = field(default="", validator=_STR)

    @scope.validator
    def _check(self, _: object, scope: str) -> None:
        check_scope(scope)
