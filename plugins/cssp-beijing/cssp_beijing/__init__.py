"""Beijing's community staffing standard for cssp (a Python plugin).

北京市社区居民委员会设立标准, as reported by 中国标准化 news (2021-01-21): one
community worker per 110 to 150 households, and at least 9 workers per
community. It applies to urban communities (residents' committees).

cssp holds each community to the loosest end of the published range — one
worker per 150 households — as the minimum it must have:
``max(9, ceil(households / 150))``. The range itself is kept on the rule
(:attr:`BeijingStaffingRule.fewest_households_per_worker`,
:attr:`BeijingStaffingRule.most_households_per_worker`), in its description,
and in :meth:`BeijingStaffingRule.standard_range`.

The plugin overrides none of the national targets: the source has none.
cssp loads it through the entry point ``beijing = "cssp_beijing"`` and calls
:func:`cssp_profiles` once.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Final

from attrs import define, field

import cssp

__all__ = [
    "CITATION",
    "DESCRIPTION",
    "PROFILE_ID",
    "REPORTED_BY",
    "RULE",
    "TITLE",
    "BeijingStaffingRule",
    "cssp_profiles",
]

#: The profile's id.
PROFILE_ID: Final = "beijing"
#: The standard's title; no document number or issuer was reported.
DOCUMENT: Final = "北京市社区居民委员会设立标准"
#: The standard's title in Chinese and English.
TITLE: Final = cssp.Text(
    DOCUMENT, "Beijing standard for setting up community residents' committees"
)
#: Where the figures were read: a news report of 中国标准化 (China Standardization).
REPORTED_BY: Final = cssp.ReportedBy(
    cssp.Text("中国标准化", "China Standardization (news)"), datetime.date(2021, 1, 21)
)
#: Where the standard is published, as cssp cites it.
CITATION: Final = cssp.Citation(document=DOCUMENT, title=TITLE, reported_by=REPORTED_BY)
#: The rule in words, with the published range.
DESCRIPTION: Final = cssp.Text(
    "北京市社区居民委员会设立标准：按每110至150户配备1名社区工作者，每个社区不少于9名；"
    "适用于城市社区（社区居民委员会）。cssp按区间最宽松的一端（每150户1名）计算"
    "每个社区至少应配备的人数：max(9, ⌈户数÷150⌉)。",
    "Beijing standard for setting up residents' committees: one community worker per 110 "
    "to 150 households, at least 9 workers per community; it applies to urban communities "
    "(residents' committees). cssp takes the loosest end of the range (one worker per 150 "
    "households) as the minimum a community must have: max(9, ceil(households / 150)).",
)


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


@define(frozen=True)
class BeijingStaffingRule(cssp.StaffingRule):
    """One community worker per 110 to 150 households, at least 9 per community.

    :param fewest_households_per_worker: the strict end of the range (110).
    :param most_households_per_worker: the loose end of the range (150); the
        minimum a community must have is reckoned from it.
    :param minimum: the fewest workers any community has (9).
    """

    fewest_households_per_worker: int = field(default=110, kw_only=True)
    most_households_per_worker: int = field(default=150, kw_only=True)
    minimum: int = field(default=9, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not 0 < self.fewest_households_per_worker <= self.most_households_per_worker:
            raise cssp.InputError(
                f"the range {self.fewest_households_per_worker}–"
                f"{self.most_households_per_worker} households per worker is not valid",
                "staffing",
            )
        if self.minimum < 0:
            raise cssp.InputError(f"{self.minimum!r} must not be negative", "staffing.minimum")

    def required(self, community: cssp.Community) -> float | None:
        """``max(9, ceil(households / 150))``, or ``None`` when households are not given."""
        households = community.households
        if households is None:
            return None
        return float(max(self.minimum, _ceil_div(households, self.most_households_per_worker)))

    def required_columns(self, columns: Mapping[str, Any]) -> Any:
        """The same for many communities (numpy arrays), for cssp's batch engine.

        ``households`` is a float64 array with NaN where not given; the result
        is NaN there too. Households are whole numbers below 2**53, so the
        float division rounds up exactly as the integer one does.
        """
        import numpy as np  # noqa: PLC0415 - only the batch engine calls this

        households = columns["households"]
        return np.maximum(
            float(self.minimum), np.ceil(households / self.most_households_per_worker)
        )

    def standard_range(self, community: cssp.Community) -> tuple[int, int] | None:
        """The workers the published range implies: one per 150 to one per 110 households.

        Both ends are rounded up and are at least :attr:`minimum`; ``None`` when
        households are not given. Only the first is held against the community.
        """
        households = community.households
        if households is None:
            return None
        return (
            max(self.minimum, _ceil_div(households, self.most_households_per_worker)),
            max(self.minimum, _ceil_div(households, self.fewest_households_per_worker)),
        )


#: The staffing rule, for urban communities (residents' committees).
RULE: Final = BeijingStaffingRule(CITATION, DESCRIPTION, applies_to=cssp.Scope.URBAN)


@cssp.hookimpl
def cssp_profiles() -> list[cssp.Profile]:
    """Beijing's profile: the staffing standard, no overrides of national targets."""
    return [
        cssp.Profile(
            id=PROFILE_ID,
            plan="fyp14",
            scope="11",
            title=TITLE,
            issuer="",  # not reported
            document=DOCUMENT,
            reported_by=REPORTED_BY,
            staffing=RULE,
        )
    ]
