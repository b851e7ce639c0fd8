"""Data-only profiles: a province's targets in a TOML file, no code.

The file is parsed with :mod:`tomllib` and structured through cssp's cattrs
converter, like the national catalogue: nothing in it is evaluated, unknown
keys are errors, and every problem names the file and the entry. New
indicators are ratios of named community fields (see :data:`FIELDS`).

A minimal profile::

    schema = 1
    id = "guangdong"
    plan = "fyp14"
    scope = "44"
    title = { zh = "广东省城乡社区服务体系建设“十四五”规划", en = "Guangdong's plan" }
    issuer = "广东省民政厅、广东省发展和改革委员会"
    document = "广东省城乡社区服务体系建设“十四五”规划"
    reported_by = { outlet = { zh = "《羊城晚报》", en = "Yangcheng Evening News" }, \
                    date = 2022-06-16 }

    [[overrides]]
    target = "facility_area_per_100_households"
    threshold = "≥32 m^2 / (100 household)"
"""

from __future__ import annotations

import datetime
import difflib
from typing import Any, Final

from attrs import define, field

from cssp.catalogue import UNIT_LABELS
from cssp.errors import InputError, ProfileError
from cssp.model.convert import load_toml, structure
from cssp.model.levels import level_problem
from cssp.model.measures import FIELDS as MEASURE_FIELDS
from cssp.model.measures import NO_POPULATION, Guard, Measure, Skip, Status
from cssp.model.plan import (
    Attribute,
    Citation,
    Comparator,
    Indicator,
    IndicatorKind,
    Level,
    ReportedBy,
    Scope,
    Strength,
    Target,
    Text,
)
from cssp.rules.profile import (
    HouseholdStaffingRule,
    Override,
    Profile,
    ResidentStaffingRule,
    StaffingRule,
)
from cssp.units import threshold_in

__all__ = ["FIELDS", "PROFILE_LAYOUT", "field_ratio", "parse_profile"]

#: Community fields a TOML indicator may use as numerator or denominator, with
#: their units: the measures' vocabulary (:data:`cssp.model.measures.FIELDS`).
#: ``extra.NAME`` reads :attr:`~cssp.model.community.Community.extra` (its unit
#: is declared by the indicator); ``communities`` counts each community once.
FIELDS: Final[dict[str, str]] = {name: info.unit for name, info in MEASURE_FIELDS.items()}


@define
class _ReportedByEntry:
    outlet: Text
    date: datetime.date | None = None


@define
class _CitationEntry:
    document: str | None = None
    section: str = ""
    column: str = ""
    item: int | None = None
    note: Text | None = None
    reported_by: _ReportedByEntry | None = None


@define
class _OverrideEntry:
    target: str
    threshold: str
    citation: _CitationEntry | None = None
    year: int | None = None
    note: Text | None = None
    attribute: Attribute | None = None


@define
class _TargetEntry:
    threshold: str
    levels: list[Level]
    scope: Scope = Scope.ALL
    strength: Strength = Strength.QUANTIFIED
    attribute: Attribute = Attribute.UNSPECIFIED
    id: str | None = None
    year: int | None = None
    region_share: float = 100.0
    name: Text | None = None
    note: Text | None = None
    citation: _CitationEntry | None = None


@define
class _IndicatorEntry:
    id: str
    name: Text
    unit: str
    kind: IndicatorKind
    targets: list[_TargetEntry]
    numerator: str | None = None
    denominator: str | None = None
    numerator_unit: str | None = None
    denominator_unit: str | None = None
    unit_label: Text | None = None
    description: Text | None = None
    citation: _CitationEntry | None = None


@define
class _StaffingEntry:
    description: Text
    households_per_worker: float | None = None
    workers_per_10k_residents: float | None = None
    minimum: int = 0
    small_below: int | None = None
    small_minimum: int = 0
    applies_to: Scope = Scope.ALL
    citation: _CitationEntry | None = None


@define
class _ProfileFile:
    schema: int
    id: str
    plan: str
    scope: str
    title: Text
    issuer: str
    document: str
    # a string, or an outlet table: read by _reported_by; "layout" is what the
    # file may hold there, for its JSON Schema (cssp.schemas)
    reported_by: Any = field(default="", metadata={"layout": str | _ReportedByEntry})
    issued: datetime.date | None = None
    target_year: int | None = None
    overrides: list[_OverrideEntry] = field(factory=list)
    indicators: list[_IndicatorEntry] = field(factory=list)
    staffing: _StaffingEntry | None = None


#: The layout of a profile file: the attrs class its TOML is structured into
#: (its fields, their types and defaults), from which ``cssp schema profile``
#: is generated.
PROFILE_LAYOUT: Final = _ProfileFile


def parse_profile(text: str, where: str = "<profile>", source: str = "") -> Profile:
    """Read a data-only profile from TOML text.

    :param text: the TOML document.
    :param where: the file's name, for error messages.
    :param source: the plugin that ships it (distribution name and version).
    :raises ProfileError: naming the file (or plugin) and the offending entry.
    """
    origin = source or where
    try:
        data = load_toml(text, where)
    except InputError as error:  # a syntax error, nesting too deep, a too long integer
        raise ProfileError(origin, "?", "", str(error)) from None
    profile_id = str(data.get("id", "?")) if isinstance(data, dict) else "?"
    try:
        raw = structure(data, _ProfileFile)
    except InputError as error:
        first_path, first_message = error.problems[0]
        if len(error.problems) == 1:
            raise ProfileError(origin, profile_id, first_path, first_message) from None
        listed = "; ".join(f"{p}: {m}" if p else m for p, m in error.problems)
        raise ProfileError(
            origin, profile_id, "", f"{len(error.problems)} problems: {listed}"
        ) from None
    if raw.schema != 1:
        raise ProfileError(origin, raw.id, "schema", f"unsupported schema {raw.schema}")
    return _build(raw, origin, source)


def _reported_by(raw: _ProfileFile, origin: str) -> ReportedBy | None:
    """The profile's ``reported_by``: the short form ``"羊城晚报, 2022-06-16"`` or a table."""
    value = raw.reported_by
    if isinstance(value, str):
        return ReportedBy.parse(value) if value.strip() else None
    try:
        entry = structure(value, _ReportedByEntry)
    except InputError as error:
        path, message = error.problems[0]
        where = f"reported_by.{path}" if path else "reported_by"
        raise ProfileError(origin, raw.id, where, message) from None
    return ReportedBy(entry.outlet, entry.date)


def _citation(
    entry: _CitationEntry | None, raw: _ProfileFile, reported_by: ReportedBy | None
) -> Citation:
    """A citation of the profile's document (or of the one the entry names).

    It carries the document's title when it is the profile's own document, and
    the report the figures were read from (``reported_by``).
    """
    entry = entry or _CitationEntry()
    document = entry.document or raw.document
    own = document in (raw.document, raw.title.zh)
    if entry.reported_by is not None:
        reported_by = ReportedBy(entry.reported_by.outlet, entry.reported_by.date)
    return Citation(
        document=document,
        section=entry.section,
        column=entry.column,
        item=entry.item,
        note=entry.note,
        title=raw.title if own else None,
        reported_by=reported_by,
    )


def _build(raw: _ProfileFile, origin: str, source: str) -> Profile:
    reported_by = _reported_by(raw, origin)
    overrides = tuple(
        Override(
            target=o.target,
            threshold=o.threshold,
            citation=_citation(o.citation, raw, reported_by),
            year=o.year or raw.target_year,
            note=o.note,
            attribute=o.attribute,
        )
        for o in raw.overrides
    )
    indicators = []
    measures: dict[str, Measure] = {}
    for index, entry in enumerate(raw.indicators):
        where = f"indicators[{index}]"
        measure_key = f"{raw.id}:{entry.id}"
        measures[measure_key] = _ratio_measure(entry, origin, raw.id, where)
        label = entry.unit_label or UNIT_LABELS.get(entry.unit)
        if label is None:
            raise ProfileError(origin, raw.id, f"{where}.unit_label", "is needed for this unit")
        citation = _citation(entry.citation, raw, reported_by)
        targets = tuple(
            _target(t, entry, raw, citation, origin, f"{where}.targets[{i}]")
            for i, t in enumerate(entry.targets)
        )
        indicators.append(
            Indicator(
                id=entry.id,
                name=entry.name,
                unit=entry.unit,
                unit_label=label,
                kind=entry.kind,
                measure=measure_key,
                citation=citation,
                targets=targets,
                description=entry.description,
            )
        )
    staffing = None if raw.staffing is None else _staffing(raw.staffing, raw, origin, reported_by)
    try:
        return Profile(
            id=raw.id,
            plan=raw.plan,
            scope=raw.scope,
            title=raw.title,
            issuer=raw.issuer,
            document=raw.document,
            issued=raw.issued,
            reported_by=reported_by,
            overrides=overrides,
            indicators=tuple(indicators),
            staffing=staffing,
            measures=measures,
            source=source,
        )
    except InputError as error:
        raise ProfileError(origin, raw.id, error.path or "scope", error.message) from None


def _staffing(
    s: _StaffingEntry, raw: _ProfileFile, origin: str, reported_by: ReportedBy | None
) -> StaffingRule:
    """A staffing rule in one of its two forms: by households, or by residents."""
    by_households = s.households_per_worker is not None
    by_residents = s.workers_per_10k_residents is not None
    if by_households == by_residents:
        raise ProfileError(
            origin,
            raw.id,
            "staffing",
            "give either households_per_worker (one worker per N households) or "
            "workers_per_10k_residents (at least N workers per 10,000 residents), not "
            + ("both" if by_households else "neither"),
        )
    citation = _citation(s.citation, raw, reported_by)
    try:
        if s.households_per_worker is not None:
            if s.small_below is not None or s.small_minimum:
                raise InputError(
                    "small_below and small_minimum belong to the resident-based form "
                    "(workers_per_10k_residents)",
                    "staffing.small_below",
                )
            return HouseholdStaffingRule(
                citation,
                s.description,
                households_per_worker=s.households_per_worker,
                minimum=s.minimum,
                applies_to=s.applies_to,
            )
        assert s.workers_per_10k_residents is not None
        return ResidentStaffingRule(
            citation,
            s.description,
            workers_per_10k_residents=s.workers_per_10k_residents,
            minimum=s.minimum,
            small_below=s.small_below,
            small_minimum=s.small_minimum,
            applies_to=s.applies_to,
        )
    except InputError as error:
        raise ProfileError(origin, raw.id, error.path, error.message) from None


def _target(
    t: _TargetEntry,
    entry: _IndicatorEntry,
    raw: _ProfileFile,
    citation: Citation,
    origin: str,
    where: str,
) -> Target:
    if not t.levels:
        raise ProfileError(origin, raw.id, f"{where}.levels", "name at least one level")
    try:
        comparator_text, value = threshold_in(t.threshold, entry.unit, f"{where}.threshold")
    except InputError as error:
        raise ProfileError(origin, raw.id, error.path, error.message) from None
    year = t.year or raw.target_year
    if year is None:
        raise ProfileError(origin, raw.id, f"{where}.year", "give the target year")
    problem = level_problem(
        entry.kind, Comparator(comparator_text), value, frozenset(t.levels), t.strength
    )
    if problem is not None:
        raise ProfileError(origin, raw.id, f"{where}.levels", problem)
    return Target(
        id=t.id or entry.id,
        indicator=entry.id,
        comparator=Comparator(comparator_text),
        value=value,
        unit=entry.unit,
        year=year,
        scope=t.scope,
        levels=frozenset(t.levels),
        attribute=t.attribute,
        strength=t.strength,
        citation=_citation(t.citation, raw, citation.reported_by) if t.citation else citation,
        name=t.name or entry.name,
        region_share=t.region_share,
        note=t.note,
    )


def _field(name: str | None, declared: str | None, origin: str, profile: str, where: str) -> str:
    if name is None:
        raise ProfileError(origin, profile, where, "name a community field")
    if name.startswith(("extra.", "township.extra.")):
        key = name.removeprefix("township.").removeprefix("extra.")
        if not key.isidentifier():
            raise ProfileError(origin, profile, where, f"{name!r} is not a valid extra field")
        if declared is None:
            raise ProfileError(origin, profile, f"{where}_unit", f"declare the unit of {name!r}")
        return declared
    known = FIELDS.get(name)
    if known is None:
        close = difflib.get_close_matches(name, FIELDS, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ProfileError(
            origin,
            profile,
            where,
            f"{name!r} is not a field; {hint}(the fields are listed in cssp.rules.toml.FIELDS; "
            "or extra.NAME)",
        )
    unit = known
    if declared is not None and declared != unit:
        raise ProfileError(origin, profile, f"{where}_unit", f"{name!r} is measured in {unit!r}")
    return unit


def _field_names(name: str) -> tuple[str, str]:
    """A field's name in a reason: ``居民户数`` / ``number of households``; ``数据字段extra.x``."""
    info = MEASURE_FIELDS.get(name)
    if info is not None:
        return info.zh, info.en
    return f"数据字段{name}", f"field {name}"


def field_ratio(
    numerator: str, denominator: str, numerator_unit: str, denominator_unit: str
) -> Measure:
    """The measure of a TOML indicator, declared: one community field over another.

    No data when either field is missing; not applicable when the denominator is 0.
    """
    (num_zh, num_en), (den_zh, den_en) = _field_names(numerator), _field_names(denominator)
    missing = Skip(
        Status.NO_DATA, Text(f"未提供{num_zh}或{den_zh}", f"the {num_en} or {den_en} is not given")
    )
    if denominator == "population":
        guards = [Guard("given", denominator, NO_POPULATION), Guard("given", numerator, missing)]
    else:
        guards = [Guard("given", numerator, missing), Guard("given", denominator, missing)]
    zero = Skip(Status.NOT_APPLICABLE, Text(f"{den_zh}为0", f"the {den_en} is 0"))
    guards.append(Guard("nonzero", denominator, zero))
    return Measure(
        numerator_unit,
        denominator_unit,
        numerator=numerator,
        denominator=denominator,
        guards=tuple(guards),
    )


def _ratio_measure(entry: _IndicatorEntry, origin: str, profile: str, where: str) -> Measure:
    num_unit = _field(entry.numerator, entry.numerator_unit, origin, profile, f"{where}.numerator")
    den_unit = _field(
        entry.denominator, entry.denominator_unit, origin, profile, f"{where}.denominator"
    )
    assert entry.numerator is not None  # checked by _field
    assert entry.denominator is not None
    try:
        return field_ratio(entry.numerator, entry.denominator, num_unit, den_unit)
    except InputError as error:
        raise ProfileError(origin, profile, f"{where}.{error.path}", error.message) from None
