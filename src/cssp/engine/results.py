"""What an evaluation returns: findings, assessments and region reports."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final

from attrs import define, evolve, field

from cssp.engine import tables
from cssp.engine.explain import explain_en, explain_zh
from cssp.errors import InputError
from cssp.model.filling import skip_unchanged, stored_apart
from cssp.model.measures import Status
from cssp.model.notes import InputNotes
from cssp.model.plan import IndicatorKind, Level, Target, Text

if TYPE_CHECKING:
    import pint

    from cssp.model.community import Community
    from cssp.model.plan import Plan
    from cssp.model.township import Township

__all__ = [
    "ABSENT",
    "STATUS_CODES",
    "Assessment",
    "CommunitySummary",
    "Counts",
    "Finding",
    "RegionAssessment",
    "RegionReport",
    "TownshipAssessment",
    "Verdicts",
]

#: The statuses by code: the batch engine's codes 0–4 (:mod:`cssp.batch`) and
#: the bytes of :class:`Verdicts`.
STATUS_CODES: Final = (
    Status.MET,
    Status.NOT_MET,
    Status.NOT_APPLICABLE,
    Status.NO_DATA,
    Status.NO_VERDICT,
)
#: The code of a target not in force for a community.
ABSENT: Final = 255


@define(frozen=True)
class Counts:
    """How many communities of a region reached each status for one target.

    :param no_verdict: communities measured without a verdict: they count
        towards a region-only target, or a direction's figure.
    """

    met: int = 0
    not_met: int = 0
    not_applicable: int = 0
    no_data: int = 0
    no_verdict: int = 0

    @property
    def evaluated(self) -> int:
        """Communities with a verdict (met or not met)."""
        return self.met + self.not_met

    @property
    def measured(self) -> int:
        """Communities whose value counts towards the region's figure (verdict or not)."""
        return self.met + self.not_met + self.no_verdict

    @property
    def total(self) -> int:
        """All communities of the region."""
        return self.met + self.not_met + self.not_applicable + self.no_data + self.no_verdict


@define(frozen=True)
@stored_apart  # filled by the quick __init__ of skip_unchanged (a run makes millions)
class Finding:
    """The verdict on one target for one community or one region.

    :param target: the target evaluated.
    :param status: met, not met, not applicable, no data, or no verdict (a
        community's contribution to a target judged for regions only, or a
        direction's figure).
    :param subject: the community's or region's code (``""`` for the nation).
    :param level: community or region.
    :param year: the year evaluated.
    :param observed: the observed value in the target's unit, or ``None``.
    :param required: the threshold for :attr:`year` (a milestone before the
        target year where a baseline of the target's scope exists); ``None``
        for a direction, which sets no level.
    :param unit_label: the unit as printed.
    :param kind: how the indicator aggregates.
    :param reason: why there is no verdict (for not applicable and no data).
    :param numerator: the sum the value's numerator came from.
    :param denominator: the sum the value's denominator came from.
    :param counts: for a region, how many of its communities reached each status.
    :param failing: for a region, the codes of the communities that did not meet
        it, sorted; for a coverage target its communities are not judged on
        (:attr:`lacking`), those that lack the thing.
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
    required: float | None
    unit_label: Text
    kind: IndicatorKind
    reason: Text | None = None
    numerator: float | None = None
    denominator: float | None = None
    counts: Counts | None = None
    failing: tuple[str, ...] = ()
    #: for a coverage indicator, how a unit that has the thing and one that
    #: lacks it are described (:attr:`Indicator.presence <cssp.Indicator.presence>`).
    presence: tuple[Text, Text] | None = field(default=None, kw_only=True, repr=False)
    #: the unit of record: a region's figure is a share of its communities, or,
    #: for a township-level target, of its townships (:attr:`Level.TOWNSHIP
    #: <cssp.model.plan.Level.TOWNSHIP>`).
    unit: Level = field(default=Level.COMMUNITY, kw_only=True, repr=False)
    approximate: bool = False

    @property
    def gap(self) -> float | None:
        """How far the observed value falls short of :attr:`required` (0 when met).

        ``None`` when there is no observed value.
        """
        if self.observed is None or self.required is None or self.status is Status.NO_VERDICT:
            return None
        if self.status is Status.MET:
            return 0.0
        return abs(self.required - self.observed)

    @property
    def is_milestone(self) -> bool:
        """True when :attr:`required` is an interim milestone, not the final target."""
        return self.year < self.target.year and self.target.has_milestones

    @property
    def lacking(self) -> bool:
        """True for a region's finding whose :attr:`failing` lists the communities
        without the thing: a coverage target its communities are not judged on."""
        return (
            self.level is Level.REGION
            and self.kind is IndicatorKind.COVERAGE
            and not self.target.judged_at(self.unit)
        )

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
            return explain_zh(self)
        if lang == "en":
            return explain_en(self)
        raise ValueError(f"unknown language {lang!r}; expected 'zh' or 'en'")


skip_unchanged(Finding, {})


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
    :param townships: the codes of its township records, sorted (for the
        township-level targets).
    """

    code: str
    name: str | None
    level: str
    communities: tuple[str, ...] = field(repr=False)
    findings: tuple[Finding, ...] = field(repr=False)
    townships: tuple[str, ...] = field(default=(), repr=False, kw_only=True)


@define(frozen=True)
class TownshipAssessment(_Findings):
    """Every township-level finding for one township record.

    :param township: the township evaluated.
    :param plan: the plan it was evaluated against.
    :param year: the year evaluated.
    :param findings: one finding per township-level target in force for it
        (level :attr:`~cssp.model.plan.Level.TOWNSHIP`).
    """

    township: Township
    plan: Plan = field(repr=False)
    year: int
    findings: tuple[Finding, ...] = field(repr=False)


@define(frozen=True)
class CommunitySummary:
    """What a region report says of its communities when their findings are not kept.

    :param communities: how many communities were evaluated.
    :param failing: how many of them fail at least one community-level target.
    :param targets: the community-level targets in force for any of them (their
        provenance names the profiles applied).
    :param worst: the assessments of the communities that fail the most
        community-level targets (ties: the lower code first), worst first, when
        the run kept some (:class:`cssp.batch.stream.StreamRun` ``worst=N``;
        ``cssp evaluate --worst``): the text, Markdown and HTML reports list them.
    """

    communities: int
    failing: int
    targets: tuple[Target, ...] = field(repr=False)
    worst: tuple[Assessment, ...] = field(default=(), repr=False, kw_only=True)


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
    #: one assessment per township record, in input order (township-level targets).
    townships: tuple[TownshipAssessment, ...] = field(default=(), repr=False, kw_only=True)
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

        Township records' codes are left out too.

        What ``cssp evaluate --no-members`` and the service's ``"no_members"``
        report: its size does not grow with the number of communities.
        """
        regions = tuple(
            evolve(
                region,
                communities=(),
                townships=(),
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

    def counts(self) -> dict[str, tuple[int, int, int, int, int]]:
        """For each target: the communities met, not met, not applicable, without
        data, and measured without a verdict (in the order of :data:`STATUS_CODES`)."""
        width = len(self.targets)
        out = {}
        for t, target in enumerate(self.targets):
            column = self._matrix[t::width]
            out[target] = (
                column.count(0),
                column.count(1),
                column.count(2),
                column.count(3),
                column.count(4),
            )
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
