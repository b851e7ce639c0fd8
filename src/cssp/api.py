"""The public functions: the engines, with the installed plugins' profiles by default.

This is the facade ``cssp`` re-exports. It does two things the engines below
it do not: it applies plugin discovery (``profiles=None`` means the profiles of
the installed plugins, :func:`cssp.default_profiles`), and it chooses between
the scalar and the batch engine (:func:`evaluate_many`). The engines are
handed their profiles.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final

from cssp.engine import scalar
from cssp.engine.results import (
    Assessment,
    RegionAssessment,
    RegionReport,
    TownshipAssessment,
    Verdicts,
)
from cssp.errors import InputError
from cssp.model.community import Community
from cssp.plugins import default_profiles
from cssp.rules.profile import Profile
from cssp.rules.resolve import EffectiveTargets, ProfileSet

if TYPE_CHECKING:
    from cssp.model.plan import Plan
    from cssp.model.township import Township

__all__ = [
    "BATCH_THRESHOLD",
    "effective_targets",
    "evaluate",
    "evaluate_figures",
    "evaluate_many",
    "evaluate_region",
    "evaluate_township",
]


#: From this many communities, :func:`evaluate_many` uses the batch engine
#: when it is installed (``cssp[batch]``); below it the scalar engine is faster.
BATCH_THRESHOLD: Final = 2_000


def _profiles(profiles: ProfileSet | Iterable[Profile] | None) -> ProfileSet | Iterable[Profile]:
    """``None``: the installed plugins' profiles (discovered on first use, then cached)."""
    return default_profiles() if profiles is None else profiles


def effective_targets(
    plan: str | Plan = "fyp14",
    code: str = "",
    *,
    profiles: ProfileSet | Iterable[Profile] | None = None,
) -> EffectiveTargets:
    """The targets in force for a community or region, each with its provenance.

    >>> t = effective_targets("fyp14", "440106001001", profiles=())
    >>> [step.change.value for step in t.targets[3].provenance]
    ['set']

    :param plan: a plan id or plan.
    :param code: a division code of any length; ``""`` for the nation.
    :param profiles: as for :func:`evaluate`.
    :return: the chain of profiles applied and the targets it produces.
    """
    return scalar.effective_targets(plan, code, profiles=_profiles(profiles))


def evaluate(
    community: Community,
    plan: str | Plan = "fyp14",
    year: int | None = None,
    *,
    profiles: ProfileSet | Iterable[Profile] | None = None,
) -> Assessment:
    """Evaluate one community against every community-level target in force for it.

    :param community: the community.
    :param plan: a plan id (``"fyp14"``, ``"fyp13"``) or a :class:`~cssp.model.plan.Plan`.
    :param year: the year to evaluate for; defaults to the plan's target year.
        Before it, targets with a baseline are replaced by the milestone on the
        straight line from the baseline to the target.
    :param profiles: the province profiles to apply: ``None`` (the default) for
        those of the installed plugins (see :func:`cssp.default_profiles`), a
        :class:`~cssp.rules.resolve.ProfileSet` or a list of profiles, or
        ``()`` for the national plan alone.
    :return: an :class:`~cssp.engine.results.Assessment` with one finding per target.
    """
    return scalar.evaluate(community, plan, year, profiles=_profiles(profiles))


def evaluate_region(
    communities: Iterable[Community],
    plan: str | Plan = "fyp14",
    by: str = "county",
    year: int | None = None,
    *,
    profiles: ProfileSet | Iterable[Profile] | None = None,
    townships: Iterable[Township] = (),
) -> RegionReport:
    """Evaluate communities and the regions they form.

    A region's value is a ratio of sums over its communities (for example
    Σ facility area ÷ Σ households × 100), a coverage rate is the share of its
    communities that have the thing, and a per-community requirement becomes
    the share of communities that reach it. Communities whose finding is not
    applicable or has no data are left out of the sums and counted in
    :attr:`~cssp.engine.results.Finding.counts`. Each community is judged by
    the targets in force for its code; each region by those in force for the
    region's code (a province's profile applies to the province and below).

    A table — a pandas DataFrame or a pyarrow Table in cssp's table format
    (the columns of :data:`cssp.io.readers.COLUMNS`) — is evaluated by the
    batch engine (``cssp[batch]``): the report then has every region's
    findings and a :attr:`~cssp.engine.results.RegionReport.summary` of the
    communities, without each community's findings (as
    ``cssp evaluate --engine batch``).

    :param communities: the communities, their codes unique; or a table.
    :param plan: a plan id or a plan.
    :param by: ``"nation"``, ``"province"``, ``"prefecture"``, ``"county"`` or ``"township"``.
    :param year: the year to evaluate for; defaults to the plan's target year.
    :param profiles: as for :func:`evaluate`.
    :param townships: township records (:class:`cssp.Township`) for the
        township-level targets (乡镇（街道）社会工作站 …): each is judged, or
        contributes, and a region's figure is the share of its townships
        (:attr:`RegionReport.townships <cssp.engine.results.RegionReport.townships>`).
        Without them, those targets are left out of the regions' findings.
    """
    if _is_table(communities):
        import cssp.batch  # noqa: PLC0415 - the optional extra, for a table

        result = cssp.batch.evaluate_columns(
            communities, plan, year, profiles=_profiles(profiles), townships=townships
        )
        return result.report(by)
    return scalar.evaluate_region(
        communities, plan, by, year, profiles=_profiles(profiles), townships=townships
    )


def evaluate_township(
    township: Township,
    plan: str | Plan = "fyp14",
    year: int | None = None,
    *,
    profiles: ProfileSet | Iterable[Profile] | None = None,
) -> TownshipAssessment:
    """Evaluate one township record against the township-level targets in force for it.

    >>> import cssp
    >>> t = cssp.Township(code="440106001", services=["social_work_station"])
    >>> cssp.evaluate_township(t, profiles=()).finding("township_social_work_station").status
    <Status.MET: 'met'>

    :param township: the township or subdistrict (乡镇、街道).
    :param plan: a plan id or plan.
    :param year: the year; defaults to the plan's target year.
    :param profiles: as for :func:`evaluate`.
    """
    return scalar.evaluate_township(township, plan, year, profiles=_profiles(profiles))


def evaluate_figures(
    figures: Mapping[str, object],
    plan: str | Plan = "fyp14",
    year: int | None = None,
    subject: str = "",
    *,
    profiles: ProfileSet | Iterable[Profile] | None = None,
) -> RegionAssessment:
    """Evaluate reported region figures (already aggregated) against a plan's targets.

    For statistics published as rates — for example the 2020 national actuals
    that fyp14 reports as its baselines — rather than community records.

    >>> r = evaluate_figures({"rural_facility_coverage": "65.7%"}, plan="fyp13")
    >>> r.finding("rural_facility_coverage").status
    <Status.MET: 'met'>

    :param figures: values by target id (or indicator id, for its every target),
        in any notation :func:`cssp.units.to_canonical` reads; a bare number is
        in the indicator's unit. For a per-community target, the figure is the
        share (%) of communities that reach it.
    :param plan: a plan id or a plan.
    :param year: the year to evaluate for; defaults to the plan's target year.
    :param subject: the region's code, ``""`` for the nation; the targets in
        force for it (with the profiles covering it) are used.
    :param profiles: as for :func:`evaluate`.
    """
    return scalar.evaluate_figures(figures, plan, year, subject, profiles=_profiles(profiles))


def evaluate_many(
    communities: Iterable[Community],
    plan: str | Plan = "fyp14",
    year: int | None = None,
    *,
    profiles: ProfileSet | Iterable[Profile] | None = None,
    engine: str = "auto",
) -> Verdicts:
    """The verdicts of many communities, by the batch engine when it pays.

    >>> import cssp
    >>> verdicts = cssp.evaluate_many(cssp.load_sample(), profiles=())
    >>> verdicts.status_of(0)["facility_area_per_100_households"]
    <Status.MET: 'met'>

    :param communities: the communities, their codes unique; or a table (a
        pandas DataFrame or a pyarrow Table in cssp's table format), which the
        batch engine evaluates.
    :param plan: a plan id or plan.
    :param year: the year; defaults to the plan's target year.
    :param profiles: as for :func:`cssp.evaluate`.
    :param engine: ``"auto"`` (the batch engine from :data:`BATCH_THRESHOLD`
        communities when numpy is installed), ``"scalar"`` or ``"batch"``.
    :raises cssp.InputError: for an item that is not a Community, a code that
        appears twice, or an unknown engine.
    """
    if engine not in ("auto", "scalar", "batch"):
        raise InputError(f"{engine!r} is not an engine; use 'auto', 'scalar' or 'batch'", "engine")
    if _is_table(communities):
        import cssp.batch  # noqa: PLC0415 - the optional extra, for a table

        table = cssp.batch.evaluate_columns(communities, plan, year, profiles=_profiles(profiles))
        codes = tuple(code.decode() for code in table.codes.tolist())
        return Verdicts(table.targets, codes, table.status.tobytes(), "batch")
    items = list(communities)
    if engine == "auto":
        engine = (
            "batch"
            if len(items) >= BATCH_THRESHOLD
            and _has_numpy()
            and not any(isinstance(c, Community) and c.placed_by_name for c in items)
            else "scalar"
        )
    chosen = _profiles(profiles)
    if engine == "batch":
        import cssp.batch  # noqa: PLC0415 - the optional extra, imported when chosen

        result = cssp.batch.evaluate_communities(items, plan, year, profiles=chosen)
        codes = tuple(code.decode() for code in result.codes.tolist())
        return Verdicts(result.targets, codes, result.status.tobytes(), "batch")
    return scalar.verdicts(items, plan, year, profiles=chosen)


def _is_table(value: object) -> bool:
    """A pandas DataFrame or a pyarrow Table (or RecordBatch), told without importing either."""
    module = type(value).__module__.split(".")[0]
    return module in ("pandas", "pyarrow") and hasattr(
        value, "columns" if module == "pandas" else "column_names"
    )


def _has_numpy() -> bool:
    return importlib.util.find_spec("numpy") is not None
