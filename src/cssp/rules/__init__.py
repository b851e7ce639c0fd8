"""Effective targets: the national plan refined by scoped province profiles."""

from cssp.rules.profile import (
    HouseholdStaffingRule,
    Override,
    Profile,
    ResidentStaffingRule,
    StaffingRule,
)
from cssp.rules.resolve import STAFFING_TARGET, EffectiveTargets, ProfileSet

__all__ = [
    "STAFFING_TARGET",
    "EffectiveTargets",
    "HouseholdStaffingRule",
    "Override",
    "Profile",
    "ProfileSet",
    "ResidentStaffingRule",
    "StaffingRule",
]
