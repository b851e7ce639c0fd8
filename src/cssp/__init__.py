"""cssp: China's urban and rural community service system plan as software.

The plan (《“十四五”城乡社区服务体系建设规划》, 国办发〔2021〕56号) as typed,
cited, unit-aware data, and one engine that evaluates communities and regions
against it::

    >>> import cssp
    >>> plan = cssp.load_plan("fyp14")
    >>> plan.indicators["facility_area_per_100_households"].target.value
    30.0

The public API is what this module exports, and these namespaces, imported
by their module name (as attrs publishes ``attrs.validators``):

* :mod:`cssp.io` — reading and writing community files;
* :mod:`cssp.units` — the unit registry and conversions;
* :mod:`cssp.report` — text, Markdown, CSV, HTML and JSON reports;
* :mod:`cssp.batch` and :mod:`cssp.batch.on_dask` — the columnar engine
  (extra ``cssp[batch]``) and its Dask runner (``cssp[dask]``);
* :mod:`cssp.synth` — the synthetic nation (``cssp[batch]``);
* :mod:`cssp.testing` — hypothesis strategies, profile test cases and checks
  for plugin packages.

Every other module is internal: documented for contributors, not a promise.
Importing ``cssp`` loads no reader, writer, report or unit library; they load
when first used.
"""

import importlib
from typing import TYPE_CHECKING

# Only the errors load with the package; everything else — the model, the
# engines, the catalogue, profiles and plugins, the sample — loads on first use
# (PEP 562), so ``import cssp`` is cheap for a command or a script that needs
# a part of it.
from cssp.errors import (
    CatalogueError,
    CsspError,
    InputError,
    PluginError,
    ProfileConflictError,
    ProfileError,
    UnitError,
    UnknownPlanError,
)

if TYPE_CHECKING:
    from cssp.api import (
        effective_targets,
        evaluate,
        evaluate_figures,
        evaluate_many,
        evaluate_region,
        evaluate_township,
    )
    from cssp.catalogue import PLAN_IDS, load_plan
    from cssp.engine.results import (
        Assessment,
        Counts,
        Finding,
        RegionAssessment,
        RegionReport,
        TownshipAssessment,
        Verdicts,
    )
    from cssp.model.community import (
        Community,
        CommunityKind,
        Facility,
        FacilityKind,
        Service,
        Staff,
    )
    from cssp.model.measures import Status
    from cssp.model.plan import (
        Attribute,
        Baseline,
        Change,
        Citation,
        Comparator,
        Indicator,
        IndicatorKind,
        Level,
        Plan,
        Programme,
        ProgrammeGroup,
        Provenance,
        ReportedBy,
        Scope,
        Strength,
        Target,
        Text,
    )
    from cssp.model.township import Township, TownshipService
    from cssp.plugins import (
        PluginHost,
        PluginInfo,
        default_profiles,
        hookimpl,
        list_plugins,
        load_plugins,
        load_profile,
    )
    from cssp.rules import (
        EffectiveTargets,
        HouseholdStaffingRule,
        Override,
        Profile,
        ProfileSet,
        ResidentStaffingRule,
        StaffingRule,
    )
    from cssp.sample import load_sample

__all__ = [
    "PLAN_IDS",
    "Assessment",
    "Attribute",
    "Baseline",
    "CatalogueError",
    "Change",
    "Citation",
    "Community",
    "CommunityKind",
    "Comparator",
    "Counts",
    "CsspError",
    "EffectiveTargets",
    "Facility",
    "FacilityKind",
    "Finding",
    "HouseholdStaffingRule",
    "Indicator",
    "IndicatorKind",
    "InputError",
    "Level",
    "Override",
    "Plan",
    "PluginError",
    "PluginHost",
    "PluginInfo",
    "Profile",
    "ProfileConflictError",
    "ProfileError",
    "ProfileSet",
    "Programme",
    "ProgrammeGroup",
    "Provenance",
    "RegionAssessment",
    "RegionReport",
    "ReportedBy",
    "ResidentStaffingRule",
    "Scope",
    "Service",
    "Staff",
    "StaffingRule",
    "Status",
    "Strength",
    "Target",
    "Text",
    "Township",
    "TownshipAssessment",
    "TownshipService",
    "UnitError",
    "UnknownPlanError",
    "Verdicts",
    "__version__",
    "default_profiles",
    "effective_targets",
    "evaluate",
    "evaluate_figures",
    "evaluate_many",
    "evaluate_region",
    "evaluate_township",
    "hookimpl",
    "list_plugins",
    "load_plan",
    "load_plugins",
    "load_profile",
    "load_sample",
]


#: The names loaded on first use, and the module each comes from.
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        ("Community", "CommunityKind", "Facility", "FacilityKind", "Service", "Staff"),
        "cssp.model.community",
    ),
    "Status": "cssp.model.measures",
    **dict.fromkeys(("Township", "TownshipService"), "cssp.model.township"),
    **dict.fromkeys(
        (
            "Attribute",
            "Baseline",
            "Change",
            "Citation",
            "Comparator",
            "Indicator",
            "IndicatorKind",
            "Level",
            "Plan",
            "Programme",
            "ProgrammeGroup",
            "Provenance",
            "ReportedBy",
            "Scope",
            "Strength",
            "Target",
            "Text",
        ),
        "cssp.model.plan",
    ),
    **dict.fromkeys(
        (
            "effective_targets",
            "evaluate",
            "evaluate_figures",
            "evaluate_many",
            "evaluate_region",
            "evaluate_township",
        ),
        "cssp.api",
    ),
    **dict.fromkeys(("PLAN_IDS", "load_plan"), "cssp.catalogue"),
    **dict.fromkeys(
        (
            "Assessment",
            "Counts",
            "Finding",
            "RegionAssessment",
            "RegionReport",
            "TownshipAssessment",
            "Verdicts",
        ),
        "cssp.engine.results",
    ),
    **dict.fromkeys(
        (
            "PluginHost",
            "PluginInfo",
            "default_profiles",
            "hookimpl",
            "list_plugins",
            "load_plugins",
            "load_profile",
        ),
        "cssp.plugins",
    ),
    **dict.fromkeys(
        (
            "EffectiveTargets",
            "HouseholdStaffingRule",
            "Override",
            "Profile",
            "ProfileSet",
            "ResidentStaffingRule",
            "StaffingRule",
        ),
        "cssp.rules",
    ),
    "load_sample": "cssp.sample",
}


def __getattr__(name: str) -> object:
    """Load a public name on first use, then keep it (PEP 562)."""
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    if name == "__version__":
        from importlib.metadata import version  # noqa: PLC0415 - read when asked for

        return version("cssp")
    raise AttributeError(f"module 'cssp' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
