"""What an evaluation returns: findings, assessments and region reports."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final

from attrs import define, evolve, field

from cssp.engine import tables
from cssp.errors import InputError
from cssp.model.measures import Status
from cssp.model.notes import InputNotes
from cssp.model.plan import Change, IndicatorKind, Level, Strength, Target, Text

if TYPE_CHECKING:
    import pint

    from cssp.model.community import Community
    from cssp.model.plan import Plan

__all__ = [
    "ABSENT",
    "STATUS_CODES",
    "Assessment",
    "CommunitySummary",
    "Counts",
    "Finding",
    "RegionAssessment",
    "RegionReport",
    "Verdicts",
]

#: The statuses by code: the batch engine's codes 0–3 (:mod:`cssp.batch`) and
#: the bytes of :class:`Verdicts`.
STATUS_CODES: Final = (Status.MET, Status.NOT_MET, Status.NOT_APPLICABLE, Status.NO_DATA)
#: The code of a target not in force for a community.
ABSENT: Final = 255


def _number(value: float, other: float | None = None) -> str:
    """Format with two decimals, or more where fewer would hide a difference from ``other``."""
    places = 2
    if other is not None and value != other:
        while places < 12 and round(value, places) == round(other, places):
            places += 1
    text = f"{value:,.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _gap(f: Finding, lang: str) -> str:
    """The shortfall with its unit: ``9.73个百分点``, ``0.2 m² per 100 households``.

    A gap between percentages is in percentage points.
    """
    gap = f.gap or 0.0
    figure = _number(gap, 0.0) if gap else "0"
    if f.unit_label.en == "%":
        return f"{figure}个百分点" if lang == "zh" else f"{figure} percentage points"
    unit = f.unit_label.get(lang)
    if lang == "zh":
        return f"{figure}{unit}"
    return f"{figure} {unit.removesuffix('s') if figure == '1' and unit == 'persons' else unit}"


def place_of(scope: str, lang: str = "zh") -> str:
    """The name of the division a profile's scope covers, or the scope itself.

    ``广东省``; in English a province's English name (``Guangdong``), and the
    official Chinese name of a lower division (a proper name).
    """
    from cssp.model.divisions import PROVINCES_BY_CODE, division_path  # noqa: PLC0415 - lazily

    if lang == "en" and scope in PROVINCES_BY_CODE:
        return PROVINCES_BY_CODE[scope].name_en
    try:
        path = division_path(scope)
    except ValueError:
        return scope
    name = path[-1][1] if path else None
    return name or scope


@define(frozen=True)
class Counts:
    """How many communities of a region reached each status for one target."""

    met: int = 0
    not_met: int = 0
    not_applicable: int = 0
    no_data: int = 0

    @property
    def evaluated(self) -> int:
        """Communities with a verdict (met or not met)."""
        return self.met + self.not_met

    @property
    def total(self) -> int:
        """All communities of the region."""
        return self.met + self.not_met + self.not_applicable + self.no_data


@define(frozen=True)
class Finding:
    """The verdict on one target for one community or one region.

    :param target: the target evaluated.
    :param status: met, not met, not applicable or no data.
    :param subject: the community's or region's code (``""`` for the nation).
    :param level: community or region.
    :param year: the year evaluated.
    :param observed: the observed value in the target's unit, or ``None``.
    :param required: the threshold for :attr:`year` (a milestone before the
        target year when the plan gives a baseline).
    :param unit_label: the unit as printed.
    :param kind: how the indicator aggregates.
    :param reason: why there is no verdict (for not applicable and no data).
    :param numerator: the sum the value's numerator came from.
    :param denominator: the sum the value's denominator came from.
    :param counts: for a region, how many of its communities reached each status.
    :param failing: for a region, the codes of the communities that did not meet it, sorted.
    :param approximate: the observed value is built on values written as
        approximate (``约1000户``): for a region, on those of one of its
        communities counted in it. The explanations say so (约, approximately).
    """

    target: Target
    status: Status
    subject: str
    level: Level
    year: int
    observed: float | None
    required: float
    unit_label: Text
    kind: IndicatorKind
    reason: Text | None = None
    numerator: float | None = None
    denominator: float | None = None
    counts: Counts | None = None
    failing: tuple[str, ...] = ()
    approximate: bool = False

    @property
    def gap(self) -> float | None:
        """How far the observed value falls short of :attr:`required` (0 when met).

        ``None`` when there is no observed value.
        """
        if self.observed is None:
            return None
        if self.status is Status.MET:
            return 0.0
        return abs(self.required - self.observed)

    @property
    def is_milestone(self) -> bool:
        """True when :attr:`required` is an interim milestone, not the final target."""
        return self.year < self.target.year and self.target.baseline is not None

    @property
    def on_track(self) -> bool | None:
        """Before the target year: whether the milestone is met; else ``None``."""
        if not self.is_milestone or self.status not in (Status.MET, Status.NOT_MET):
            return None
        return self.status is Status.MET

    def quantity(self) -> pint.Quantity | None:
        """The observed value as a pint quantity in cssp's registry."""
        from cssp.units import Q_  # noqa: PLC0415 - pint is imported lazily

        return None if self.observed is None else Q_(self.observed, self.target.unit)

    def explain(self, lang: str = "zh") -> str:
        """One sentence saying what was found and why, with the citation.

        :param lang: ``"zh"`` (Chinese, the default) or ``"en"``.
        """
        if lang == "zh":
            return _explain_zh(self)
        if lang == "en":
            return _explain_en(self)
        raise ValueError(f"unknown language {lang!r}; expected 'zh' or 'en'")


_WEAK: Final = {Strength.GENERALLY, Strength.AS_A_RULE, Strength.SHOULD, Strength.PROMOTE}


STAFFING_TARGET: Final = "community_staffing"  # cssp.rules.resolve.STAFFING_TARGET


def _value_label(target: Target) -> Text:
    from cssp.catalogue import UNIT_LABELS  # noqa: PLC0415 - avoid an import cycle

    return UNIT_LABELS.get(target.unit, Text(target.unit, target.unit))


def _threshold(f: Finding, lang: str) -> str:
    t = f.target
    unit = f.unit_label.get(lang)
    sep = "" if lang == "zh" or unit == "%" else " "
    return f"{t.comparator.symbol}{_number(f.required)}{sep}{unit}"


def _origin(f: Finding, lang: str) -> str:
    """Where a profile changed the target: whose threshold it changed, and whether it is looser.

    The reference is the first step of the provenance: the national plan's
    (``set``), or the profile's that added the target (``new``), named as
    such — never called the national plan. A staffing rule has no threshold:
    a replaced one names the rule it replaces. Profiles that restate the
    same threshold change nothing, and are not mentioned (their citation is
    the target's). Each profile is named by the division it covers.
    """
    steps = f.target.provenance
    if len(steps) < 2 or all(step.change is Change.SAME for step in steps[1:]):
        return ""
    first, last = steps[0], steps[-1]
    zh = lang == "zh"
    where = place_of(last.scope, lang)
    local = f"；本地标准（{where}）" if zh else f"; local standard of {where}"
    if first.value is None:  # staffing rules, the last replacing the one before it
        replaced = place_of(steps[-2].scope, lang)
        return f"{local}，替代{replaced}的标准" if zh else f"{local}, replacing that of {replaced}"
    unit = f.unit_label.get(lang)
    space = "" if zh or unit == "%" else " "
    reference = f"{first.comparator.symbol}{_number(first.value)}{space}{unit}"
    if first.year != last.year:
        reference += f"（{first.year}年）" if zh else f" by {first.year}"
    looser = f.target.loosened
    if first.change is Change.SET:
        if zh:
            return f"{local}，国家规划为{reference}{'，低于国家标准' if looser else ''}"
        flag = "; LOOSER than the national plan" if looser else ""
        return f"{local}, national plan {reference}{flag}"
    origin = place_of(first.scope, lang)
    if zh:
        flag = f"，低于{origin}的标准" if looser else ""
        return f"{local}，{origin}规定为{reference}{flag}"
    flag = f"; LOOSER than the standard of {origin}" if looser else ""
    return f"{local}, standard of {origin} {reference}{flag}"


def _explain_en(f: Finding) -> str:
    t = f.target
    name = t.name.en
    cite = t.citation.text("en")
    if f.status in (Status.NOT_APPLICABLE, Status.NO_DATA):
        verb = "does not apply" if f.status is Status.NOT_APPLICABLE else "cannot be evaluated"
        reason = f.reason.en if f.reason else ""
        return f"{name}: {verb}, as {reason} ({cite})."
    when = f"the {f.year} milestone" if f.is_milestone else f"the {t.year} target"
    weak = f", which the plan words as '{t.strength.value.replace('_', ' ')}'"
    weak = weak if t.strength in _WEAK else ""
    met = f.status is Status.MET
    origin = _origin(f, "en")
    if f.kind is IndicatorKind.COVERAGE and f.level is Level.COMMUNITY:
        have = "has it" if met else "does not have it"
        return (
            f"{name}: the community {have}; {when} is {_threshold(f, 'en')}{weak} ({cite}{origin})."
        )
    if f.kind is IndicatorKind.PER_COMMUNITY and f.level is Level.REGION and f.counts:
        c = f.counts
        level = (
            "their staffing standard"
            if t.id == STAFFING_TARGET
            else f"{t.comparator.symbol}{_number(t.value)} {_value_label(t).en}"
        )
        share = f"{'approximately ' if f.approximate else ''}{_number(f.observed or 0)}%"
        return (
            f"{name}: {c.met} of {c.evaluated} communities reach {level} "
            f"({share}); {when} asks for {_threshold(f, 'en')} of them"
            f"{weak} ({cite}{origin})."
        )
    unit = f.unit_label.en
    observed = f"{_number(f.observed or 0, f.required)}{'' if unit == '%' else ' '}{unit}"
    if f.approximate:
        observed = f"approximately {observed}"
    verdict = "meets" if met else f"falls {_gap(f, 'en')} short of"
    target = f"{when} of {_threshold(f, 'en')}{weak}"
    return f"{name} is {observed}, which {verdict} {target} ({cite}{origin})."


def _explain_zh(f: Finding) -> str:
    t = f.target
    name = t.name.zh
    cite = t.citation.text("zh")
    if f.status in (Status.NOT_APPLICABLE, Status.NO_DATA):
        verb = "不适用" if f.status is Status.NOT_APPLICABLE else "无法评估"
        reason = f.reason.zh if f.reason else ""
        return f"{name}：{verb}，因为{reason}（{cite}）。"
    when = f"{f.year}年阶段目标" if f.is_milestone else f"{t.year}年目标"
    weak = f"（规划表述为“{t.strength.zh}”）" if t.strength in _WEAK else ""
    met = f.status is Status.MET
    origin = _origin(f, "zh")
    if f.kind is IndicatorKind.COVERAGE and f.level is Level.COMMUNITY:
        have = "已具备" if met else "尚不具备"
        return f"{name}：本社区{have}；{when}为{_threshold(f, 'zh')}{weak}（{cite}{origin}）。"
    if f.kind is IndicatorKind.PER_COMMUNITY and f.level is Level.REGION and f.counts:
        c = f.counts
        level = (
            "配备标准"
            if t.id == STAFFING_TARGET
            else f"{t.comparator.symbol}{_number(t.value)}{_value_label(t).zh}"
        )
        share = f"{'约' if f.approximate else ''}{_number(f.observed or 0)}%"
        return (
            f"{name}：{c.evaluated}个社区中{c.met}个达到{level}"
            f"（{share}）；{when}要求{_threshold(f, 'zh')}{weak}"
            f"（{cite}{origin}）。"
        )
    observed = f"{_number(f.observed or 0, f.required)}{f.unit_label.zh}"
    verb = "约为" if f.approximate else "为"
    verdict = "达到" if met else f"未达到（差{_gap(f, 'zh')}）"
    return f"{name}{verb}{observed}，{verdict}{when}{_threshold(f, 'zh')}{weak}（{cite}{origin}）。"


class _Findings:
    """What Assessment and RegionAssessment share: lookups over their findings."""

    __slots__ = ()
    findings: tuple[Finding, ...]

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def finding(self, target_id: str) -> Finding:
        """The finding on one target, by its id."""
        for f in self.findings:
            if f.target.id == target_id:
                return f
        raise KeyError(target_id)

    @property
    def statuses(self) -> dict[str, Status]:
        """Each target's status, by target id."""
        return {f.target.id: f.status for f in self.findings}

    @property
    def failing(self) -> tuple[Finding, ...]:
        """The findings whose status is not met."""
        return tuple(f for f in self.findings if f.status is Status.NOT_MET)

    def to_pandas(self) -> Any:
        """The findings as a pandas DataFrame, one row per target (needs pandas).

        The columns are those of :data:`cssp.engine.tables.FINDING_COLUMNS`.
        """
        return tables.to_pandas(tables.finding_columns(self.findings), tables.FINDING_COLUMNS)

    def to_arrow(self) -> Any:
        """The findings as a pyarrow Table, one row per target (needs pyarrow)."""
        return tables.to_arrow(tables.finding_columns(self.findings), tables.FINDING_COLUMNS)


@define(frozen=True)
class Assessment(_Findings):
    """Every finding for one community.

    :param community: the community evaluated.
    :param plan: the plan it was evaluated against.
    :param year: the year evaluated.
    :param findings: one finding per community-level target.
    """

    community: Community
    plan: Plan = field(repr=False)
    year: int
    findings: tuple[Finding, ...] = field(repr=False)


@define(frozen=True)
class RegionAssessment(_Findings):
    """Every region-level finding for one region.

    :param code: the region's division code (``""`` for the nation).
    :param name: its official name, when cssp knows it.
    :param level: ``nation``, ``province``, ``prefecture``, ``county`` or ``township``.
    :param communities: the codes of its communities, sorted.
    :param findings: one finding per region-level target.
    """

    code: str
    name: str | None
    level: str
    communities: tuple[str, ...] = field(repr=False)
    findings: tuple[Finding, ...] = field(repr=False)


@define(frozen=True)
class CommunitySummary:
    """What a region report says of its communities when their findings are not kept.

    :param communities: how many communities were evaluated.
    :param failing: how many of them fail at least one community-level target.
    :param targets: the community-level targets in force for any of them (their
        provenance names the profiles applied).
    """

    communities: int
    failing: int
    targets: tuple[Target, ...] = field(repr=False)


@define(frozen=True)
class RegionReport:
    """The result of :func:`cssp.evaluate_region`.

    :param plan: the plan evaluated against.
    :param year: the year evaluated.
    :param by: the level regions were formed at.
    :param regions: one assessment per region, sorted by code.
    :param assessments: one assessment per community, in input order.
    """

    plan: Plan = field(repr=False)
    year: int
    by: str
    regions: tuple[RegionAssessment, ...]
    assessments: tuple[Assessment, ...] = field(repr=False)
    #: when the communities' findings were not kept (a streamed batch run,
    #: :meth:`cssp.batch.BatchResult.report`): what the report says of them.
    summary: CommunitySummary | None = field(default=None, repr=False, kw_only=True)
    #: what reading the input said — rows skipped, warnings, codes found from
    #: place names (:func:`cssp.io.readers.read_input`) — when the report was
    #: given it (``attrs.evolve(report, input=result.notes)``): the reports show it.
    input: InputNotes | None = field(default=None, repr=False, kw_only=True)

    def __iter__(self) -> Iterator[RegionAssessment]:
        return iter(self.regions)

    def region(self, code: str) -> RegionAssessment:
        """The assessment of one region, by its code."""
        for r in self.regions:
            if r.code == code:
                return r
        raise KeyError(code)

    def finding_columns(self, level: str = "region") -> dict[str, list[Any]]:
        """The columns of :meth:`to_pandas` as lists, by name (no pandas needed).

        :param level: ``"region"`` or ``"community"``, as for :meth:`to_pandas`.
        :raises cssp.InputError: for another level.
        """
        if level == "region":
            return tables.finding_columns(f for region in self.regions for f in region.findings)
        if level == "community":
            region_of = {code: r.code for r in self.regions for code in r.communities}
            findings = [f for a in self.assessments for f in a.findings]
            return tables.finding_columns(
                findings, [region_of.get(f.subject, "") for f in findings]
            )
        raise InputError(
            f"{level!r} is not a level of a report; use 'region' or 'community'", "level"
        )

    def to_pandas(self, level: str = "region") -> Any:
        """The findings as a pandas DataFrame (needs pandas).

        :param level: ``"region"``: one row per region × target;
            ``"community"``: one row per community × target, with the code of
            the region it was counted in (none when the report keeps no
            community findings, as a batch run's).
        :raises cssp.InputError: for another level.
        """
        return tables.to_pandas(self.finding_columns(level), tables.FINDING_COLUMNS)

    def to_arrow(self, level: str = "region") -> Any:
        """The findings as a pyarrow Table (needs pyarrow); ``level`` as for :meth:`to_pandas`."""
        return tables.to_arrow(self.finding_columns(level), tables.FINDING_COLUMNS)

    def with_members(self, limit: int) -> RegionReport:
        """The report with at most ``limit`` communities listed per region, and per region
        finding at most ``limit`` failing ones (the first by code).

        Each finding's :attr:`~Finding.counts` still says how many there are:
        ``cssp evaluate`` lists 100 by default (``--members all`` for every one).
        """
        if limit < 0:
            raise ValueError(f"limit must not be negative, not {limit}")
        if all(
            len(r.communities) <= limit and all(len(f.failing) <= limit for f in r.findings)
            for r in self.regions
        ):
            return self
        regions = tuple(
            evolve(
                region,
                communities=region.communities[:limit],
                findings=tuple(evolve(f, failing=f.failing[:limit]) for f in region.findings),
            )
            for region in self.regions
        )
        return evolve(self, regions=regions)

    def without_members(self) -> RegionReport:
        """The report without lists of communities: no region's members, no finding's failing ones.

        What ``cssp evaluate --no-members`` and the service's ``"no_members"``
        report: its size does not grow with the number of communities.
        """
        regions = tuple(
            evolve(
                region,
                communities=(),
                findings=tuple(evolve(f, failing=()) for f in region.findings),
            )
            for region in self.regions
        )
        return evolve(self, regions=regions)


class Verdicts:
    """The status of every community × target: one byte each.

    :ivar targets: the target ids in force for any of the communities: the
        plan's in its order, then the others (a province's own) by id.
    :ivar codes: the communities' codes, in input order.
    :ivar engine: ``"scalar"`` or ``"batch"``: which engine computed them
        (the verdicts are the same).
    """

    def __init__(
        self, targets: tuple[str, ...], codes: tuple[str, ...], matrix: bytes, engine: str
    ) -> None:
        self.targets = targets
        self.codes = codes
        self.engine = engine
        self._matrix = matrix

    def __len__(self) -> int:
        return len(self.codes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Verdicts):
            return NotImplemented
        return (self.targets, self.codes, self._matrix) == (
            other.targets,
            other.codes,
            other._matrix,
        )

    __hash__ = None  # type: ignore[assignment]

    def status_of(self, index: int) -> dict[str, Status]:
        """The statuses of the community at ``index``, for the targets in force for it."""
        if not -len(self) <= index < len(self):
            raise IndexError(f"community index {index} out of range for {len(self)} communities")
        index %= len(self)
        width = len(self.targets)
        row = self._matrix[index * width : (index + 1) * width]
        return {t: STATUS_CODES[c] for t, c in zip(self.targets, row, strict=True) if c != ABSENT}

    def counts(self) -> dict[str, tuple[int, int, int, int]]:
        """For each target: the communities met, not met, not applicable and without data."""
        width = len(self.targets)
        out = {}
        for t, target in enumerate(self.targets):
            column = self._matrix[t::width]
            out[target] = (column.count(0), column.count(1), column.count(2), column.count(3))
        return out

    def _cells(self) -> tuple[list[int], list[int], list[int]]:
        """The community, target and status indices of every target in force."""
        width = len(self.targets)
        rows: list[int] = []
        columns: list[int] = []
        statuses: list[int] = []
        for index, code in enumerate(self._matrix):
            if code != ABSENT:
                row, column = divmod(index, width)
                rows.append(row)
                columns.append(column)
                statuses.append(code)
        return rows, columns, statuses

    def to_pandas(self) -> Any:
        """One row per community × target in force: ``code``, ``target``, ``status`` (needs pandas).

        The three columns are categorical, so a national run stays small.
        """
        pandas = tables.module("pandas", "tables")
        rows, columns, statuses = self._cells()
        names = [status.value for status in STATUS_CODES]
        return pandas.DataFrame(
            {
                "code": pandas.Categorical.from_codes(rows, categories=list(self.codes)),
                "target": pandas.Categorical.from_codes(columns, categories=list(self.targets)),
                "status": pandas.Categorical.from_codes(statuses, categories=names),
            }
        )

    def to_arrow(self) -> Any:
        """As :meth:`to_pandas`, a pyarrow Table of dictionary-encoded columns (needs pyarrow)."""
        arrow = tables.module("pyarrow", "tables")
        rows, columns, statuses = self._cells()
        names = [status.value for status in STATUS_CODES]

        def column(indices: list[int], values: Sequence[str]) -> Any:
            return arrow.DictionaryArray.from_arrays(
                arrow.array(indices, arrow.int32()), arrow.array(values, arrow.string())
            )

        return arrow.table(
            {
                "code": column(rows, self.codes),
                "target": column(columns, self.targets),
                "status": column(statuses, names),
            }
        )

    def to_numpy(self) -> Any:
        """The status codes as a ``uint8`` array, one row per community (needs numpy)."""
        import numpy as np  # noqa: PLC0415 - the batch extra, only when asked for

        return np.frombuffer(self._matrix, dtype=np.uint8).reshape(len(self), len(self.targets))
