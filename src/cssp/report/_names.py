"""Names a report prints: regions qualified where they would be ambiguous, the area, profiles.

Official names are proper names and are printed as they are in both
languages, except a province's, which English reports give in English
(``Guangdong``). A name that says nothing alone (``市辖区``, ``县``) carries its
parent's (``北京市市辖区``); when a report spans several provinces every name
below a province carries its province's; and two regions that would still
read the same are told apart by their parents, then by their codes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final

from attrs import define

from cssp.engine.explain import place_of
from cssp.errors import InputError
from cssp.model.divisions import PROVINCES_BY_CODE, division_path
from cssp.model.plan import Change, Citation, ReportedBy, Text

if TYPE_CHECKING:
    from cssp.engine.results import RegionAssessment, RegionReport
    from cssp.model.plan import Target

#: Names of groupings rather than places: they are always printed with their parent's.
GENERIC_NAMES: Final = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

_NATION: Final = Text("全国", "the nation")
#: The groupings' names in English.
_GENERIC_EN: Final = {
    "市辖区": "city districts",
    "县": "counties",
    "省直辖县级行政区划": "county-level units under the province",
    "自治区直辖县级行政区划": "county-level units under the region",
}


def _path(code: str) -> list[tuple[str, str]]:
    """``(code, name)`` from the province down to ``code`` itself; unknown names are codes."""
    try:
        steps = division_path(code)
    except InputError:
        return [(code, code)]
    out = [(prefix, name or prefix) for prefix, name in steps]
    if not out or out[-1][0] != code:
        out.append((code, code))
    return out


def _name(code: str, name: str, lang: str) -> str:
    if lang == "en" and code in PROVINCES_BY_CODE:
        return PROVINCES_BY_CODE[code].name_en
    if lang == "en":
        return _GENERIC_EN.get(name, name)
    return name


def _join(names: Sequence[str], lang: str) -> str:
    return "".join(names) if lang == "zh" else ", ".join(reversed(names))


def qualified_labels(regions: Sequence[RegionAssessment], lang: str) -> dict[str, str]:
    """Each region's name by code, qualified by its parents where it would be ambiguous.

    ``朝阳区`` alone in a report of Beijing; ``北京市朝阳区`` and ``吉林省长春市朝阳区``
    side by side (``朝阳区, 北京市`` in English); ``北京市市辖区`` always.
    """
    paths = {r.code: _path(r.code) for r in regions if r.code}
    provinces = {code[:2] for code in paths}
    chosen: dict[str, set[int]] = {}
    for code, path in paths.items():
        keep = {len(path) - 1}
        own = path[-1][1]
        if own in GENERIC_NAMES or own == code:  # a grouping: name its nearest real parent
            parents = [i for i in range(len(path) - 1) if path[i][1] not in GENERIC_NAMES]
            if parents:
                keep.add(parents[-1])
        if len(provinces) > 1 and len(path) > 1:
            keep.add(0)
        chosen[code] = keep

    def label(code: str) -> str:
        path = paths[code]
        names = [_name(path[i][0], path[i][1], lang) for i in sorted(chosen[code])]
        return _join(names, lang)

    for _ in range(4):  # add the nearest parent not yet named to each label still shared
        counts = Counter(label(code) for code in paths)
        shared = [code for code in paths if counts[label(code)] > 1]
        if not shared:
            break
        for code in shared:
            missing = [i for i in range(len(paths[code]) - 1) if i not in chosen[code]]
            if missing:
                chosen[code].add(missing[-1])
    labels = {code: label(code) for code in paths}
    counts = Counter(labels.values())
    for code, text in labels.items():
        if counts[text] > 1:
            labels[code] = f"{text}（{code}）" if lang == "zh" else f"{text} ({code})"
    for r in regions:
        if not r.code:
            labels[r.code] = _NATION.get(lang)
    return labels


def full_name(code: str, lang: str) -> str:
    """The divisions enclosing ``code``, and its own: ``广东省广州市天河区``; ``""``: the nation."""
    if not code:
        return _NATION.get(lang)
    return _join([_name(c, n, lang) for c, n in _path(code)], lang)


def report_area(report: RegionReport, lang: str) -> str:
    """What the report covers: the smallest division holding every region, or how many provinces.

    ``广东省广州市天河区``; ``3个省级行政区`` / ``3 provinces`` when no one
    province holds them all; the nation for a report by nation.
    """
    codes = [r.code for r in report.regions if r.code]
    if report.by == "nation" or not codes:
        return _NATION.get(lang)
    common = codes[0]
    for code in codes[1:]:
        while not code.startswith(common):
            common = common[:-1]
    for length in (9, 6, 4, 2):
        if len(common) >= length:
            return full_name(common[:length], lang)
    provinces = len({code[:2] for code in codes})
    return f"{provinces}个省级行政区" if lang == "zh" else f"{provinces} provinces"


@define(frozen=True)
class ProfileInForce:
    """A profile whose figures a report used: where it applies, its document, its plugin."""

    scope: str
    profile: str
    source: str
    citation: Citation

    def place(self, lang: str) -> str:
        return place_of(self.scope, lang)

    def document(self, lang: str) -> str:
        """The document (《title》 or its number) with the report it was read from."""
        c = self.citation
        title = c.title
        reported: ReportedBy | None = c.reported_by
        bare = Citation(c.document, title=title, reported_by=reported)
        return bare.text(lang)


def profiles_in_force(targets: Iterable[Target]) -> list[ProfileInForce]:
    """The profiles the targets' provenance names, broadest scope first.

    A profile that restates the national figures is in force too, and listed.
    """
    seen: dict[tuple[str, str, str], ProfileInForce] = {}
    for target in targets:
        for index, step in enumerate(target.provenance):
            if index == 0 and step.change is Change.SET:
                continue
            key = (step.scope, step.profile, step.source)
            found = ProfileInForce(step.scope, step.profile, step.source, step.citation)
            seen.setdefault(key, found)
    return sorted(seen.values(), key=lambda p: (len(p.scope), p.scope, p.profile))


def report_targets(report: RegionReport) -> list[Target]:
    """Every target a report's findings were judged against (regions, communities, summary)."""
    targets = [f.target for r in report.regions for f in r.findings]
    targets += [f.target for a in report.assessments for f in a.findings]
    if report.summary is not None:
        targets += report.summary.targets
    return targets
