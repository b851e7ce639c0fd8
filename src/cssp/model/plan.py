"""The plan as data: plans, indicators, targets, programmes and citations.

These classes are what :func:`cssp.load_plan` returns. They hold no
computation: how an indicator is measured on a community is registered in
:mod:`cssp.model.measures`, by indicator measure.
"""

from __future__ import annotations

import datetime
import enum
import functools
import re
from collections.abc import Callable, Mapping
from typing import Any, Final, SupportsIndex

from attrs import define, field

from cssp.model.checks import (
    Check,
    frozenset_of,
    instance_of,
    number,
    optional,
    refuse,
    tuple_of,
    whole_number,
)
from cssp.model.frozen import FrozenMap

__all__ = [
    "REL_TOL",
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
    "date_text",
    "register_shipped",
    "strictness",
]


class Comparator(enum.StrEnum):
    """How an observed value is compared with a target's threshold."""

    GE = ">="
    GT = ">"
    LE = "<="
    LT = "<"
    EQ = "=="

    @property
    def symbol(self) -> str:
        """The mathematical sign: ≥, >, ≤, < or =."""
        return _SYMBOLS[self]

    @property
    def holds(self) -> Callable[[float, float], bool]:
        """The comparison as a function ``(lhs, rhs) -> bool``: the one comparison rule.

        Every engine compares ``scale × numerator`` (lhs) with
        ``threshold × denominator`` (rhs) through this function, with the
        relative tolerance :data:`REL_TOL`; at exactly the threshold, ≥ and ≤
        hold and > and < do not.

        >>> Comparator.GE.holds(100 * 5.1, 30 * 17)  # 509.99999999999994 vs 510
        True
        >>> Comparator.GT.holds(100 * 5.1, 30 * 17)
        False
        """
        return _OPERATORS[self]

    def source(
        self,
        lhs: str,
        rhs: str,
        bound: str | None = None,
        tol: str = "REL_TOL",
        *,
        nonnegative: bool = False,
    ) -> str:
        """The comparison of :attr:`holds` as Python source, for generated code.

        :param lhs: the expression of the left-hand side (``scale × numerator``).
        :param rhs: a name holding the right-hand side (``threshold × denominator``).
        :param bound: the bound already computed from ``rhs`` (a literal), when
            ``rhs`` is a constant; see :meth:`bound`.
        :param tol: the expression of the tolerance (:data:`REL_TOL`).
        :param nonnegative: ``rhs`` is known to be ≥ 0, so ``abs(rhs)`` is
            written ``rhs`` (the same float; a zero's sign cannot change the test).

        >>> Comparator.GE.source("n", "rhs")
        'n >= rhs - REL_TOL * abs(rhs)'
        """
        test, bound_source = _SOURCES[self.value]
        if bound is None:
            bound = bound_source.format(rhs=rhs, tol=tol)
            if nonnegative:
                bound = bound.replace(f"abs({rhs})", rhs)
        return test.format(lhs=lhs, rhs=rhs, bound=bound)

    def bound(self, rhs: float) -> float:
        """The bound :attr:`holds` compares with, for a constant right-hand side.

        The same operations in the same order as :attr:`holds` performs, so a
        comparison with the bound computed ahead gives the same answer to the bit.

        >>> Comparator.GE.bound(30.0) == 30.0 - REL_TOL * 30.0
        True
        """
        source = _SOURCES[self.value][1].format(rhs="rhs", tol="REL_TOL")
        value: float = eval(source, {"REL_TOL": REL_TOL, "rhs": rhs})
        return value

    @property
    def higher_is_better(self) -> bool:
        """True for ≥ and >: raising the observed value never hurts."""
        return self in (Comparator.GE, Comparator.GT)


_SYMBOLS: Final = {
    Comparator.GE: "≥",
    Comparator.GT: ">",
    Comparator.LE: "≤",
    Comparator.LT: "<",
    Comparator.EQ: "=",
}
#: The relative tolerance of the one comparison rule: an observed side within
#: ``REL_TOL × |threshold side|`` of the threshold side counts as equal to it.
#: It absorbs binary rounding (100 × 5.1 is 509.99999999999994, not 510), never
#: a real shortfall: 1e-9 is far below any figure the plan states.
REL_TOL: Final = 1e-9


#: Each comparison as Python source, written once: the operator and the bound it
#: is compared with. :attr:`Comparator.holds` is made from it, and so is the
#: code the scalar engine generates (:meth:`Comparator.source`).
_SOURCES: Final = {
    ">=": ("{lhs} >= {bound}", "{rhs} - {tol} * abs({rhs})"),
    ">": ("{lhs} > {bound}", "{rhs} + {tol} * abs({rhs})"),
    "<=": ("{lhs} <= {bound}", "{rhs} + {tol} * abs({rhs})"),
    "<": ("{lhs} < {bound}", "{rhs} - {tol} * abs({rhs})"),
    "==": ("abs({lhs} - {rhs}) <= {bound}", "{tol} * abs({rhs})"),
}


def _make_holds(sign: str) -> Callable[[float, float], bool]:
    test, bound = _SOURCES[sign]
    expression = test.format(lhs="lhs", rhs="rhs", bound=bound.format(rhs="rhs", tol="REL_TOL"))
    source = f"def holds(lhs, rhs):\n    return {expression}\n"
    namespace: dict[str, Any] = {"REL_TOL": REL_TOL}
    exec(compile(source, f"<comparator {sign}>", "exec"), namespace)
    holds: Callable[[float, float], bool] = namespace["holds"]
    return holds


_OPERATORS: Final = {c: _make_holds(c.value) for c in Comparator}


class Level(enum.StrEnum):
    """Where a target is evaluated: on one community, or on a region's totals."""

    COMMUNITY = "community"
    REGION = "region"
    TOWNSHIP = "township"


class Scope(enum.StrEnum):
    """Which communities a target applies to."""

    ALL = "all"
    URBAN = "urban"
    RURAL = "rural"
    RESETTLEMENT = "resettlement"
    OLD_RESIDENTIAL_AREA = "old_residential_area"
    NEWLY_BUILT = "newly_built"


class Attribute(enum.StrEnum):
    """The attribute (指标属性) a plan gives a target."""

    #: 预期性 — expected, guidance.
    EXPECTED = "expected"
    #: 约束性 — binding.
    BINDING = "binding"
    #: the plan states the requirement in its text, without an attribute.
    UNSPECIFIED = "unspecified"

    @property
    def zh(self) -> str:
        """The Chinese term."""
        return {"expected": "预期性", "binding": "约束性", "unspecified": "未标明"}[self.value]


class Strength(enum.StrEnum):
    """How firmly the plan words a requirement.

    Wording such as 普遍 ("generally") or 一般 ("as a rule") is weaker than
    全覆盖 ("full coverage"). cssp keeps the word: a target of strength
    :attr:`GENERALLY` is evaluated against its threshold like any other, but
    every report says how the plan put it.
    """

    #: a number the plan sets (专栏1).
    QUANTIFIED = "quantified"
    #: 全覆盖 / 所有 / 均 — every community.
    FULL_COVERAGE = "full_coverage"
    #: 普遍 — generally.
    GENERALLY = "generally"
    #: 一般 — as a rule.
    AS_A_RULE = "as_a_rule"
    #: 应 — should.
    SHOULD = "should"
    #: 推进 / 推动 — a direction without a level.
    PROMOTE = "promote"

    @property
    def zh(self) -> str:
        """The Chinese word of the plan."""
        return _STRENGTH_ZH[self]


_STRENGTH_ZH: Final = {
    Strength.QUANTIFIED: "量化目标",
    Strength.FULL_COVERAGE: "全覆盖",
    Strength.GENERALLY: "普遍",
    Strength.AS_A_RULE: "一般",
    Strength.SHOULD: "应",
    Strength.PROMOTE: "推进",
}


class IndicatorKind(enum.StrEnum):
    """How an indicator is aggregated over a region.

    * ``ratio``: a ratio of two community sums (Σ facility area ÷ Σ households).
    * ``coverage``: the share of communities that have something.
    * ``per_community``: a value each community must reach; a region's figure
      is the share of its communities that reach it.
    """

    RATIO = "ratio"
    COVERAGE = "coverage"
    PER_COMMUNITY = "per_community"


def _frozenset(value: frozenset[Level] | set[Level]) -> frozenset[Level]:
    """A set as a frozenset; anything else as it is, for the check to judge."""
    return frozenset(value) if type(value) is set else value  # type: ignore[return-value]


def _tuple(value: tuple[Target, ...] | list[Target]) -> tuple[Target, ...]:
    """A list as a tuple (a copy its maker cannot change); anything else as it is."""
    return tuple(value) if type(value) is list else value  # type: ignore[return-value]


@define(frozen=True)
class Text:
    """A user-facing text in Chinese and English.

    :raises InputError: when ``zh`` or ``en`` is not a str.
    """

    zh: str
    en: str

    def __attrs_post_init__(self) -> None:
        if not (type(self.zh) is str and type(self.en) is str):
            refuse(self, _TEXT_CHECKS)

    def get(self, lang: str) -> str:
        """Return the text in ``lang`` (``"zh"`` or ``"en"``)."""
        if lang == "zh":
            return self.zh
        if lang == "en":
            return self.en
        raise ValueError(f"unknown language {lang!r}; expected 'zh' or 'en'")


_NUMERALS: Final = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ROMAN: Final = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def _chinese_number(text: str) -> int | None:
    """``十二`` → 12, ``三`` → 3, ``二十一`` → 21 (1 to 99); ``None`` for anything else."""
    if not text or any(c not in _NUMERALS and c != "十" for c in text):
        return None
    if "十" not in text:
        return _NUMERALS[text] if len(text) == 1 else None
    tens, _, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1:
        return None
    return (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[units] if units else 0)


def _section_en(section: str) -> str:
    """``三、`` → ``chapter III``; ``（十二）`` → ``paragraph (12)``; anything else as it is."""
    if section.endswith("、") and (n := _chinese_number(section[:-1])) is not None:
        return f"chapter {_ROMAN[n]}" if n < len(_ROMAN) else f"chapter {n}"
    if section.startswith("（") and section.endswith("）"):
        n = _chinese_number(section[1:-1])
        if n is not None:
            return f"paragraph ({n})"
    return section


def _column_en(column: str) -> str:
    """``专栏3`` → ``column 3``."""
    number = column.removeprefix("专栏")
    return f"column {number}" if number != column and number.isdigit() else column


_SEE_ALSO: Final = re.compile(r"^另见专栏(\d+)(?:第(\d+)项)?$")


def _note_en(note: str) -> str:
    """A note's English: ``另见专栏4第2项`` → ``see also column 4 item 2``; others as they are."""
    match = _SEE_ALSO.match(note)
    if match is None:
        return note
    column, item = match.groups()
    return f"see also column {column}" + (f" item {item}" if item else "")


_MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def date_text(date: datetime.date, lang: str = "zh") -> str:
    """A date as a reader writes it: ``2022年6月16日`` or ``16 June 2022``.

    >>> date_text(datetime.date(2022, 6, 16), "en")
    '16 June 2022'
    """
    if lang == "zh":
        return f"{date.year}年{date.month}月{date.day}日"
    return f"{date.day} {_MONTHS[date.month - 1]} {date.year}"


@define(frozen=True)
class ReportedBy:
    """Where cssp read a document's figures, when not in the document itself: a report of it.

    :param outlet: who reported it, in Chinese (a publication in 《》, as Chinese
        writes it) and in English, e.g. ``Text("《羊城晚报》", "Yangcheng Evening News")``.
    :param date: the day it was reported, when known.
    """

    outlet: Text
    date: datetime.date | None = None

    def text(self, lang: str = "zh") -> str:
        """The report in one language.

        ``据《羊城晚报》2022年6月16日报道``, or
        ``as reported by Yangcheng Evening News, 16 June 2022``.

        :param lang: ``"zh"`` or ``"en"``.
        """
        if lang == "zh":
            when = date_text(self.date, "zh") if self.date else ""
            return f"据{self.outlet.zh}{when}报道"
        when = f", {date_text(self.date, 'en')}" if self.date else ""
        return f"as reported by {self.outlet.en}{when}"

    @classmethod
    def parse(cls, text: str) -> ReportedBy:
        """Read the short form ``"羊城晚报, 2022-06-16"``: an outlet, then an optional ISO date.

        The outlet has one name, used in both languages; give a
        :class:`ReportedBy` with an English name where the report may be read
        in English.

        >>> ReportedBy.parse("羊城晚报, 2022-06-16").text("zh")
        '据羊城晚报2022年6月16日报道'
        """
        outlet, sep, when = text.rpartition(",")
        if sep:
            try:
                date = datetime.date.fromisoformat(when.strip())
            except ValueError:
                pass
            else:
                name = outlet.strip()
                return cls(Text(name, name), date)
        name = text.strip()
        return cls(Text(name, name))

    def __str__(self) -> str:
        """``《羊城晚报》, 2022-06-16``: the outlet's Chinese name and the ISO date."""
        return f"{self.outlet.zh}, {self.date.isoformat()}" if self.date else self.outlet.zh


@define(frozen=True)
class Citation:
    """Where in which document a fact is stated.

    :param document: the document's number or, when none is known, its title,
        e.g. ``国办发〔2021〕56号``.
    :param section: the section mark, e.g. ``（五）``.
    :param column: the column (专栏), e.g. ``专栏1``; empty when the fact is in the text.
    :param item: the item number within the column.
    :param note: anything else a reader needs, in the language of the document
        (the catalogue's notes are Chinese, e.g. ``另见专栏4第2项``).
    :param title: the document's title in Chinese and English, when known: a
        document cited by its title (``document`` is ``title.zh``) is cited
        by its English title in English.
    :param reported_by: where cssp read the figure, when not in the document
        itself (a news report of it).
    :raises InputError: naming a field of the wrong type.
    """

    document: str
    section: str = ""
    column: str = ""
    item: int | None = None
    note: str = ""
    title: Text | None = None
    reported_by: ReportedBy | None = None

    def __attrs_post_init__(self) -> None:
        item = self.item
        if not (
            isinstance(self.document, str)
            and isinstance(self.section, str)
            and isinstance(self.column, str)
            and isinstance(self.note, str)
            and (item is None or type(item) is int)
            and (self.title is None or isinstance(self.title, Text))
            and (self.reported_by is None or isinstance(self.reported_by, ReportedBy))
        ):
            refuse(self, _CITATION_CHECKS)

    # Citations are few, immutable and rendered for every finding: each rendering is kept.
    @functools.lru_cache(maxsize=4096)  # noqa: B019 - few, long-lived instances
    def text(self, lang: str = "zh") -> str:
        """Render the citation in one language.

        ``国办发〔2021〕56号一、专栏1第4项`` or ``国办发〔2021〕56号, chapter I, column 1,
        item 4``; a document known by its title is named 《title》 in Chinese
        and by its English title in English; the report it was read from
        follows in brackets (``（据《羊城晚报》2022年6月16日报道）``).
        """
        title = self.title
        by_title = title is not None and self.document == title.zh
        if lang == "zh":
            document = f"《{self.document}》" if by_title else self.document
            item = f"第{self.item}项" if self.item is not None else ""
            out = document + self.section + self.column + item
            extra = [self.note, self.reported_by.text("zh") if self.reported_by else ""]
            joined = "；".join(e for e in extra if e)
            return f"{out}（{joined}）" if joined else out
        if lang != "en":
            raise ValueError(f"unknown language {lang!r}; expected 'zh' or 'en'")
        if title is not None:
            document = title.en if by_title else f"{title.en} ({self.document})"
        else:
            document = self.document
        parts = [document, _section_en(self.section), _column_en(self.column)]
        if self.item is not None:
            parts.append(f"item {self.item}")
        out = ", ".join(p for p in parts if p)
        extra = [_note_en(self.note), self.reported_by.text("en") if self.reported_by else ""]
        joined = "; ".join(e for e in extra if e)
        return f"{out} ({joined})" if joined else out

    def __str__(self) -> str:
        return self.text("zh")


_STR: Final = instance_of(str)
_TEXT_CHECKS: Final[tuple[tuple[str, Check[Any]], ...]] = (("zh", _STR), ("en", _STR))
_CITATION_CHECKS: Final[tuple[tuple[str, Check[Any]], ...]] = (
    ("document", _STR),
    ("section", _STR),
    ("column", _STR),
    ("item", optional(whole_number())),
    ("note", _STR),
    ("title", optional(instance_of(Text))),
    ("reported_by", optional(instance_of(ReportedBy))),
)


@define(frozen=True)
class Baseline:
    """A value the plan reports for its baseline year."""

    year: int
    value: float


class Change(enum.StrEnum):
    """How one step of a target's provenance changed the step before it."""

    #: the national plan sets it.
    SET = "set"
    #: a profile restates the same threshold (with its own citation).
    SAME = "same"
    #: a profile makes it harder to meet (or keeps the threshold, by an earlier year).
    STRICTER = "stricter"
    #: a profile makes it easier to meet (or keeps the threshold, by a later year).
    LOOSER = "looser"
    #: a profile adds a target the plan does not have.
    NEW = "new"
    #: a more specific profile's staffing rule replaces a broader one's.
    REPLACED = "replaced"


@define(frozen=True)
class Provenance:
    """One step in the chain that produced an effective target.

    :param source: who provided the step: ``"cssp <version>"`` for the
        national plan, or a plugin's distribution name and version.
    :param profile: the profile id (the plan id for the national step).
    :param scope: the division code prefix the step applies to (``""`` national).
    :param comparator: the comparator after this step.
    :param value: the threshold after this step; ``None`` for a staffing
        rule's step, which sets no single threshold (the number of workers
        required depends on each community; the rule's description is on the
        target, :attr:`Target.note`).
    :param year: the target year after this step.
    :param citation: where the step's document states it.
    :param change: how it changed the step before it.
    """

    source: str
    profile: str
    scope: str
    comparator: Comparator
    value: float | None
    year: int
    citation: Citation
    change: Change


def strictness(
    old: tuple[Comparator, float],
    new: tuple[Comparator, float],
    higher_is_better: bool,
    years: tuple[int, int] | None = None,
) -> Change:
    """How a new threshold compares with an old one: same, stricter or looser.

    The threshold decides first. Only when it is the same do the target
    ``years`` (old, new) decide: a later year gives more time, so it is
    looser; an earlier one is stricter.

    >>> strictness((Comparator.GE, 30.0), (Comparator.GE, 32.0), True)
    <Change.STRICTER: 'stricter'>
    >>> strictness((Comparator.GE, 30.0), (Comparator.GT, 30.0), True)
    <Change.STRICTER: 'stricter'>
    >>> strictness((Comparator.GE, 30.0), (Comparator.GE, 30.0), True, years=(2025, 2027))
    <Change.LOOSER: 'looser'>
    >>> strictness((Comparator.GE, 30.0), (Comparator.GE, 32.0), True, years=(2025, 2027))
    <Change.STRICTER: 'stricter'>
    """
    (old_cmp, old_value), (new_cmp, new_value) = old, new
    if new_value == old_value:
        if new_cmp == old_cmp:
            if years is None or years[0] == years[1]:
                return Change.SAME
            return Change.LOOSER if years[1] > years[0] else Change.STRICTER
        return Change.STRICTER if new_cmp in (Comparator.GT, Comparator.LT) else Change.LOOSER
    better = new_value > old_value if higher_is_better else new_value < old_value
    return Change.STRICTER if better else Change.LOOSER


@define(frozen=True)
class Target:
    """One requirement of a plan: an indicator, compared with a threshold by a year.

    :param id: the target's id, unique in its plan (the national plan uses the
        indicator id when an indicator has one target).
    :param indicator: the id of the indicator it constrains.
    :param comparator: how the observed value is compared.
    :param value: the threshold, in :attr:`unit`.
    :param unit: the indicator's unit (pint notation).
    :param year: the year by which the target is to be reached.
    :param scope: which communities it applies to.
    :param levels: community, region, or both.
    :param attribute: 预期性 / 约束性 / unspecified.
    :param strength: how firmly the plan words it.
    :param citation: where the plan states it.
    :param region_share: for ``per_community`` indicators, the share (%) of a
        region's communities that must reach :attr:`value`.
    :param baseline: the indicator's baseline, used for milestones. A profile
        that changes the threshold drops it: the plan's baseline is a national
        figure, and the profile's document gives none. One that keeps the
        threshold and only moves the target year keeps it, and the milestones
        run to the new year.
    :param name: the target's name (defaults to the indicator's).
    :param note: anything a reader needs to read the target right.
    :param provenance: how the target came to be: the national plan's step,
        then each profile's (empty for a target read straight from a plan).
    :raises InputError: naming a field of the wrong type (a set of levels is
        taken as a frozenset).
    """

    id: str
    indicator: str
    comparator: Comparator
    value: float
    unit: str
    year: int
    scope: Scope
    levels: frozenset[Level] = field(converter=_frozenset)
    attribute: Attribute
    strength: Strength
    citation: Citation
    name: Text
    region_share: float = 100.0
    baseline: Baseline | None = None
    note: Text | None = None
    provenance: tuple[Provenance, ...] = ()

    def __attrs_post_init__(self) -> None:
        if not (
            isinstance(self.id, str)
            and isinstance(self.indicator, str)
            and isinstance(self.comparator, Comparator)
            and type(self.value) in _NUMBERS
            and isinstance(self.unit, str)
            and type(self.year) is int
            and isinstance(self.scope, Scope)
            and type(self.levels) is frozenset
            and all(type(level) is Level for level in self.levels)
            and isinstance(self.attribute, Attribute)
            and isinstance(self.strength, Strength)
            and isinstance(self.citation, Citation)
            and isinstance(self.name, Text)
            and type(self.region_share) in _NUMBERS
            and (self.baseline is None or isinstance(self.baseline, Baseline))
            and (self.note is None or isinstance(self.note, Text))
            and type(self.provenance) is tuple
            and (not self.provenance or all(type(step) is Provenance for step in self.provenance))
        ):
            refuse(self, _TARGET_CHECKS)

    @property
    def loosened(self) -> bool:
        """True when the target in force is easier to meet than the first step that set it.

        Compares the last step of :attr:`provenance` with the first: the
        national plan's (:attr:`Change.SET`), or, for an indicator a profile
        introduced, that profile's (:attr:`Change.NEW`). A county below its
        province but above the plan is not loosened; that step is still
        marked :attr:`Change.LOOSER`. The same threshold with a later target
        year is looser (see ``strictness``). A staffing rule has no threshold
        to compare, and is never loosened.
        """
        steps = self.provenance
        if len(steps) < 2:
            return False
        first, last = steps[0], steps[-1]
        if first.value is None or last.value is None:
            return False
        return (
            strictness(
                (first.comparator, first.value),
                (last.comparator, last.value),
                first.comparator.higher_is_better,
                years=(first.year, last.year),
            )
            is Change.LOOSER
        )

    def milestone(self, year: int) -> float:
        """The threshold for ``year``, on the straight line from the baseline.

        Before the target year, with a baseline, the threshold moves linearly
        from the baseline value (at the baseline year) to :attr:`value` (at
        :attr:`year`). Without a baseline, or from the target year on, it is
        :attr:`value`.
        """
        base = self.baseline
        if base is None or year >= self.year or base.year >= self.year:
            return self.value
        if year <= base.year:
            return base.value
        share = (year - base.year) / (self.year - base.year)
        return base.value + (self.value - base.value) * share

    def applies_to(self, level: Level) -> bool:
        """Whether the target is evaluated at ``level``."""
        return level in self.levels


#: The types a number field takes without a second look (the checks also take
#: their subclasses, numpy's float64 among them).
_NUMBERS: Final = frozenset({int, float})
_TARGET_CHECKS: Final[tuple[tuple[str, Check[Any]], ...]] = (
    ("id", _STR),
    ("indicator", _STR),
    ("comparator", instance_of(Comparator)),
    ("value", number()),
    ("unit", _STR),
    ("year", whole_number()),
    ("scope", instance_of(Scope)),
    ("levels", frozenset_of(Level, expected="a frozenset (or set) of Level")),
    ("attribute", instance_of(Attribute)),
    ("strength", instance_of(Strength)),
    ("citation", instance_of(Citation)),
    ("name", instance_of(Text)),
    ("region_share", number()),
    ("baseline", optional(instance_of(Baseline))),
    ("note", optional(instance_of(Text))),
    ("provenance", tuple_of(Provenance)),
)


@define(frozen=True)
class Indicator:
    """Something the plan measures, with its unit, baseline and targets.

    :param id: the indicator id, e.g. ``facility_area_per_100_households``.
    :param name: its name in Chinese (exactly as the plan words it) and English.
    :param unit: its unit in pint notation, e.g. ``meter ** 2 / hundred_households``.
    :param unit_label: the unit as printed, in Chinese and English.
    :param kind: how it aggregates over a region (:class:`IndicatorKind`).
    :param measure: the key of the computation registered in :mod:`cssp.model.measures`,
        or ``None`` when cssp cannot compute it from community data.
    :param citation: where the plan defines it.
    :param baseline: the baseline value, if the plan gives one.
    :param targets: the targets set on it.
    :param description: what it measures, in cssp's own words.
    :param plausible_factor: how far from the baseline a value may be and still
        be plausible: a value more than this factor above or below it (a
        community's or a region's) is marked "please check" in reports, as
        the size of a slip of unit or decimal point. ``None``: no check.
    :raises InputError: naming a field of the wrong type (a list of targets is
        taken as a tuple).
    """

    id: str
    name: Text
    unit: str
    unit_label: Text
    kind: IndicatorKind
    measure: str | None
    citation: Citation
    baseline: Baseline | None = None
    targets: tuple[Target, ...] = field(default=(), converter=_tuple)
    description: Text | None = None
    plausible_factor: float | None = None

    @property
    def plausible_range(self) -> tuple[float, float] | None:
        """The plausible values: the baseline divided and multiplied by :attr:`plausible_factor`.

        ``None`` without a factor or a baseline.
        """
        if self.plausible_factor is None or self.baseline is None:
            return None
        base = self.baseline.value
        return base / self.plausible_factor, base * self.plausible_factor

    def __attrs_post_init__(self) -> None:
        if not (
            isinstance(self.id, str)
            and isinstance(self.name, Text)
            and isinstance(self.unit, str)
            and isinstance(self.unit_label, Text)
            and isinstance(self.kind, IndicatorKind)
            and (self.measure is None or isinstance(self.measure, str))
            and isinstance(self.citation, Citation)
            and (self.baseline is None or isinstance(self.baseline, Baseline))
            and type(self.targets) is tuple
            and all(type(target) is Target for target in self.targets)
            and (self.description is None or isinstance(self.description, Text))
            and (self.plausible_factor is None or type(self.plausible_factor) in (int, float))
        ):
            refuse(self, _INDICATOR_CHECKS)

    @property
    def target(self) -> Target:
        """The indicator's target; for several, the one of the latest year."""
        if not self.targets:
            raise LookupError(f"indicator {self.id!r} has no target in this plan")
        return max(self.targets, key=lambda t: t.year)


_INDICATOR_CHECKS: Final[tuple[tuple[str, Check[Any]], ...]] = (
    ("id", _STR),
    ("name", instance_of(Text)),
    ("unit", _STR),
    ("unit_label", instance_of(Text)),
    ("kind", instance_of(IndicatorKind)),
    ("measure", optional(_STR)),
    ("citation", instance_of(Citation)),
    ("baseline", optional(instance_of(Baseline))),
    ("targets", tuple_of(Target, expected="a tuple (or list) of Target")),
    ("description", optional(instance_of(Text))),
    ("plausible_factor", optional(instance_of(int, float))),
)


@define(frozen=True)
class Programme:
    """One action (行动) or project item of a programme column.

    :param id: e.g. ``elderly_care``.
    :param column: the column (专栏), e.g. ``专栏3``.
    :param item: the item number within the column.
    :param title: the title, Chinese exactly as the plan has it, and English.
    :param summary: what the item is about, in cssp's own words.
    :param targets: the ids of the plan's targets this item carries.
    :param citation: where the plan states it.
    """

    id: str
    column: str
    item: int
    title: Text
    summary: Text
    citation: Citation
    targets: tuple[str, ...] = ()


@define(frozen=True)
class ProgrammeGroup:
    """A programme column (专栏2–6): an action plan or the major project.

    :param column: e.g. ``专栏3``.
    :param kind: ``action_plan`` (行动计划) or ``major_project`` (重大工程).
    :param title: the column title, Chinese exact, and English.
    :param programmes: its items, in the plan's order.
    """

    column: str
    kind: str
    title: Text
    citation: Citation
    programmes: tuple[Programme, ...]


def _mapping(items: Mapping[str, object]) -> Mapping[str, object]:
    return FrozenMap(items)


#: The shipped plans, by id, with the function that loads them: registered by
#: :mod:`cssp.catalogue` when it loads one, so that a shipped plan pickles as a
#: reference to it (the model does not import the catalogue).
_SHIPPED: dict[int, tuple[Callable[[str], Plan], str]] = {}


def register_shipped(plan: Plan, loader: Callable[[str], Plan]) -> None:
    """Record that ``loader(plan.id)`` returns ``plan``: it then pickles as that call."""
    _SHIPPED[id(plan)] = (loader, plan.id)


@define(frozen=True, eq=False)
class Plan:
    """A plan: its identity, indicators, targets and programmes.

    Obtain one with :func:`cssp.load_plan`. Plans compare by identity: each
    loaded plan is one object, shared by every evaluation.
    """

    id: str
    title: Text
    issuer: str
    document: str
    baseline_year: int
    target_year: int
    indicators: Mapping[str, Indicator]
    programme_groups: tuple[ProgrammeGroup, ...]
    issued: datetime.date | None = None
    published: datetime.date | None = None
    source: str = ""
    targets: Mapping[str, Target] = field(init=False)

    def __attrs_post_init__(self) -> None:
        targets: dict[str, Target] = {}
        for indicator in self.indicators.values():
            for target in indicator.targets:
                targets[target.id] = target
        object.__setattr__(self, "targets", _mapping(targets))
        object.__setattr__(self, "indicators", _mapping(self.indicators))

    def __reduce_ex__(self, protocol: SupportsIndex) -> str | tuple[Any, ...]:
        """A plan cssp ships unpickles as that plan, loaded (plans compare by identity)."""
        shipped = _SHIPPED.get(id(self))
        if shipped is not None:
            loader, plan_id = shipped
            return (loader, (plan_id,))
        return super().__reduce_ex__(protocol)

    @property
    def programmes(self) -> tuple[Programme, ...]:
        """Every programme item of every column, in the plan's order."""
        return tuple(p for group in self.programme_groups for p in group.programmes)

    def __repr__(self) -> str:
        return (
            f"<Plan {self.id}: {self.title.zh}, {len(self.indicators)} indicators, "
            f"{len(self.targets)} targets, {len(self.programmes)} programme items>"
        )
