"""The plans as data files, and their loader.

Each plan is a TOML file in this package (``fyp14.toml``, ``fyp13.toml``),
structured through cssp's cattrs converter (:func:`cssp.io.get_converter`) into
:class:`~cssp.model.plan.Plan`. Unknown keys, unknown units, duplicate ids and
dangling references are :class:`~cssp.errors.CatalogueError`.
"""

from __future__ import annotations

import datetime
import functools
import tomllib
from importlib import resources
from typing import Final

from attrs import define, field

from cssp.errors import CatalogueError, InputError, UnknownPlanError
from cssp.model.convert import structure
from cssp.model.levels import level_problem
from cssp.model.measures import MEASURES
from cssp.model.plan import (
    Attribute,
    Baseline,
    Citation,
    Comparator,
    Indicator,
    IndicatorKind,
    Level,
    Plan,
    Programme,
    ProgrammeGroup,
    ReportedBy,
    Scope,
    Strength,
    Target,
    Text,
    register_shipped,
)

__all__ = ["PLAN_IDS", "UNIT_LABELS", "load_plan", "resolve_plan"]

#: The plans shipped with cssp.
PLAN_IDS: Final = ("fyp14", "fyp13")

#: How the catalogue's units are printed, unless an indicator says otherwise.
UNIT_LABELS: Final = {
    "percent": Text("%", "%"),
    "meter ** 2 / hundred_households": Text("平方米/百户", "m² per 100 households"),
    "person / ten_thousand_persons": Text("人/万人", "persons per 10,000 residents"),
    "hour / day": Text("小时/天", "h/day"),
    "person": Text("人", "persons"),
}

# --- the file's schema (schema 1) ----------------------------------------------


@define
class _CitationEntry:
    section: str = ""
    column: str = ""
    item: int | None = None
    note: Text | None = None
    document: str | None = None
    reported_by: ReportedBy | None = None


@define
class _TargetEntry:
    comparator: Comparator
    scope: Scope
    levels: list[Level]
    strength: Strength
    value: float | None = None
    attribute: Attribute = Attribute.UNSPECIFIED
    id: str | None = None
    year: int | None = None
    region_share: float = 100.0
    name: Text | None = None
    note: Text | None = None
    citation: _CitationEntry | None = None


@define
class _BaselineEntry:
    year: int
    value: float


@define
class _IndicatorEntry:
    id: str
    name: Text
    unit: str
    kind: IndicatorKind
    citation: _CitationEntry
    measure: str | None = None
    unit_label: Text | None = None
    baseline: _BaselineEntry | None = None
    description: Text | None = None
    plan_wording: bool = False
    needs: Text | None = None
    presence: tuple[Text, Text] | None = None
    plausible_factor: float | None = None
    targets: list[_TargetEntry] = field(factory=list)


@define
class _ProgrammeEntry:
    id: str
    item: int
    title: Text
    summary: Text
    targets: list[str] = field(factory=list)


@define
class _GroupEntry:
    column: str
    kind: str
    title: Text
    citation: _CitationEntry
    programmes: list[_ProgrammeEntry]


@define
class _Defaults:
    citation_note: Text | None = None


@define
class _PlanFile:
    schema: int
    id: str
    title: Text
    issuer: str
    document: str
    baseline_year: int
    target_year: int
    indicators: list[_IndicatorEntry]
    programme_groups: list[_GroupEntry] = field(factory=list)
    issued: datetime.date | None = None
    published: datetime.date | None = None
    source: str = ""
    defaults: _Defaults = field(factory=_Defaults)


# --- building the model -------------------------------------------------------


def _citation(entry: _CitationEntry, plan: _PlanFile) -> Citation:
    note = entry.note
    default = plan.defaults.citation_note
    if default is not None and (note is None or default.zh not in note.zh):
        note = (
            default
            if note is None
            else Text(f"{note.zh}；{default.zh}", f"{note.en}; {default.en}")
        )
    return Citation(
        document=entry.document or plan.document,
        section=entry.section,
        column=entry.column,
        item=entry.item,
        note=note,
        reported_by=entry.reported_by,
    )


def _check_unit(unit: str, where: str) -> None:
    from cssp.units import get_registry  # noqa: PLC0415 - pint is imported lazily

    try:
        get_registry().parse_units(unit)
    except Exception as error:  # pint raises several unrelated types
        raise CatalogueError(f"{where}: unknown unit {unit!r} ({error})") from None


def _check_target(t: _TargetEntry, entry: _IndicatorEntry, place: str) -> None:
    """The rules every target keeps (:func:`~cssp.model.plan.level_problem`)."""
    value = None if t.value is None else float(t.value)
    problem = level_problem(entry.kind, t.comparator, value, frozenset(t.levels), t.strength)
    if problem is not None:
        raise CatalogueError(f"{place}: {problem}")


def _build(raw: _PlanFile, where: str) -> Plan:
    if raw.schema != 1:
        raise CatalogueError(f"{where}: unsupported schema {raw.schema}; cssp reads schema 1")
    indicators: dict[str, Indicator] = {}
    target_ids: set[str] = set()
    for entry in raw.indicators:
        place = f"{where}: indicator {entry.id!r}"
        if entry.id in indicators:
            raise CatalogueError(f"{place} is defined twice")
        if entry.measure is not None and entry.measure not in MEASURES:
            raise CatalogueError(f"{place}: unknown measure {entry.measure!r}")
        _check_unit(entry.unit, place)
        label = entry.unit_label or UNIT_LABELS.get(entry.unit)
        if label is None:
            raise CatalogueError(f"{place}: unit {entry.unit!r} needs a unit_label")
        if entry.plausible_factor is not None and (
            entry.baseline is None or not entry.plausible_factor > 1
        ):
            raise CatalogueError(f"{place}: plausible_factor needs a baseline and a factor over 1")
        citation = _citation(entry.citation, raw)
        if entry.measure is None and entry.needs is None:
            raise CatalogueError(
                f"{place}: no measure; say in 'needs' what input would let cssp evaluate it"
            )
        baseline = (
            None
            if entry.baseline is None
            else Baseline(entry.baseline.year, float(entry.baseline.value), "", citation)
        )
        targets = []
        for t in entry.targets:
            target_id = t.id or entry.id
            if target_id in target_ids:
                raise CatalogueError(f"{place}: target id {target_id!r} is used twice")
            target_ids.add(target_id)
            _check_target(t, entry, f"{place}: target {target_id!r}")
            targets.append(
                Target(
                    id=target_id,
                    indicator=entry.id,
                    comparator=t.comparator,
                    value=None if t.value is None else float(t.value),
                    unit=entry.unit,
                    year=t.year or raw.target_year,
                    scope=t.scope,
                    levels=frozenset(t.levels),
                    attribute=t.attribute,
                    strength=t.strength,
                    citation=_citation(t.citation, raw) if t.citation else citation,
                    name=t.name or entry.name,
                    region_share=t.region_share,
                    baseline=baseline,
                    note=t.note,
                    year_stated=t.year is not None,
                )
            )
        indicators[entry.id] = Indicator(
            id=entry.id,
            name=entry.name,
            unit=entry.unit,
            unit_label=label,
            kind=entry.kind,
            measure=entry.measure,
            citation=citation,
            baseline=baseline,
            targets=tuple(targets),
            description=entry.description,
            plan_wording=entry.plan_wording,
            needs=entry.needs,
            presence=entry.presence,
            plausible_factor=entry.plausible_factor,
        )
    groups = []
    for group in raw.programme_groups:
        if group.kind not in ("action_plan", "major_project"):
            raise CatalogueError(f"{where}: {group.column}: unknown kind {group.kind!r}")
        programmes = []
        for p in group.programmes:
            for ref in p.targets:
                if ref not in target_ids:
                    raise CatalogueError(
                        f"{where}: programme {p.id!r} refers to unknown target {ref!r}"
                    )
            base = _citation(group.citation, raw)
            programmes.append(
                Programme(
                    id=p.id,
                    column=group.column,
                    item=p.item,
                    title=p.title,
                    summary=p.summary,
                    citation=Citation(
                        base.document,
                        base.section,
                        group.column,
                        p.item,
                        base.note,
                        reported_by=base.reported_by,
                    ),
                    targets=tuple(p.targets),
                )
            )
        groups.append(
            ProgrammeGroup(
                column=group.column,
                kind=group.kind,
                title=group.title,
                citation=_citation(group.citation, raw),
                programmes=tuple(programmes),
            )
        )
    return Plan(
        id=raw.id,
        title=raw.title,
        issuer=raw.issuer,
        document=raw.document,
        baseline_year=raw.baseline_year,
        target_year=raw.target_year,
        indicators=indicators,
        programme_groups=tuple(groups),
        issued=raw.issued,
        published=raw.published,
        source=raw.source,
    )


def parse_plan(text: str, where: str = "<plan>") -> Plan:
    """Build a plan from the TOML text of a catalogue file.

    :param text: the file's contents.
    :param where: the file's name, used in error messages.
    :raises CatalogueError: naming the file and the offending entry.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"{where}: not valid TOML: {error}") from None
    try:
        raw = structure(data, _PlanFile)
    except InputError as error:
        lines = "; ".join(f"{p}: {m}" if p else m for p, m in error.problems)
        raise CatalogueError(f"{where}: {lines}") from None
    return _build(raw, where)


def load_plan(plan_id: str = "fyp14") -> Plan:
    """Load one of the plans shipped with cssp.

    >>> plan = load_plan("fyp14")
    >>> plan.indicators["facility_area_per_100_households"].target.value
    30.0

    :param plan_id: ``"fyp14"`` (2021–2025, the default) or ``"fyp13"`` (2016–2020).
    :return: the plan; the same object on every call.
    :raises UnknownPlanError: for an id cssp does not ship.
    """
    if plan_id not in PLAN_IDS:
        known = ", ".join(repr(p) for p in PLAN_IDS)
        raise UnknownPlanError(f"unknown plan {plan_id!r}; cssp ships {known}")
    return _load(plan_id)


@functools.cache
def _load(plan_id: str) -> Plan:
    name = f"{plan_id}.toml"
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    plan = parse_plan(text, name)
    if plan.id != plan_id:
        raise CatalogueError(f"{name}: declares id {plan.id!r}")
    register_shipped(plan, load_plan)
    return plan


def resolve_plan(plan: str | Plan) -> Plan:
    """Return ``plan`` itself, or the shipped plan with that id."""
    if isinstance(plan, Plan):
        return plan
    if isinstance(plan, str):
        return load_plan(plan)
    raise TypeError(f"plan must be a plan id or a Plan, not {type(plan).__name__}")
