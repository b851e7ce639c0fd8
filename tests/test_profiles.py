"""Tests for cssp.rules: profiles, their validation and the resolution of effective targets.

A profile is scoped by a division code prefix; the effective target for a code
is resolved from the national plan down to the most specific profile covering
it, keeping the chain (provenance). The properties: resolution does not depend
on the order profiles are given; a profile that only raises ≥ thresholds never
turns a national "not met" into "met"; an unrelated province's profile changes
nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cssp
import cssp.report
from cssp import (
    Change,
    Citation,
    Community,
    Comparator,
    EffectiveTargets,
    Facility,
    HouseholdStaffingRule,
    Override,
    Profile,
    ProfileConflictError,
    ProfileError,
    ProfileSet,
    Staff,
    Status,
    Text,
)
from cssp import testing as cst
from cssp.model.divisions import PROVINCES_BY_CODE

PLAN = cssp.load_plan("fyp14")
AREA = "facility_area_per_100_households"  # ≥30 m² per 100 households
WORKERS = "workers_per_10k_urban_residents"  # ≥18 per 10,000 urban residents
RURAL = "rural_facility_coverage"  # ≥80%
STAFFING = "community_staffing"

#: Every target of the plan that cssp computes from community data (all are ≥ targets).
COMPUTED = tuple(
    target.id
    for indicator in PLAN.indicators.values()
    if indicator.measure is not None
    for target in indicator.targets
    if target.value is not None  # a direction has no threshold to raise
)


def make_profile(
    id: str,
    scope: str,
    overrides: Sequence[tuple[str, str]] = (),
    *,
    source: str = "",
    staffing: HouseholdStaffingRule | None = None,
    plan: str = "fyp14",
) -> Profile:
    """A profile whose every override is cited to ``"<id> doc"``."""
    return Profile(
        id=id,
        plan=plan,
        scope=scope,
        title=Text(f"{id}规划", f"{id} plan"),
        issuer=f"{id} issuer",
        document=f"{id} doc",
        overrides=tuple(
            Override(target, threshold, Citation(f"{id} doc", section=f"§{index}"))
            for index, (target, threshold) in enumerate(overrides)
        ),
        staffing=staffing,
        source=source,
    )


def staffing_rule(per_worker: float = 150, minimum: int = 9) -> HouseholdStaffingRule:
    return HouseholdStaffingRule(
        Citation("京民发 staffing standard", section="二、"),
        Text(f"每{per_worker:g}户配备1名社区工作者", f"one worker per {per_worker:g} households"),
        households_per_worker=per_worker,
        minimum=minimum,
    )


def target(effective: EffectiveTargets, target_id: str) -> cssp.Target:
    (found,) = (t for t in effective.targets if t.id == target_id)
    return found


def area_community(code: str, area: float, households: int = 1000) -> Community:
    return Community(
        code, households=households, facilities=[Facility("comprehensive", floor_area=area)]
    )


# --- strategies ----------------------------------------------------------------------------

#: Scopes at every level, in two provinces, nested and not.
SCOPES = ("44", "4401", "440106", "4403", "440305", "33", "3301", "330106")
#: Codes of every length (the nation, provinces, ..., communities), inside and outside SCOPES.
CODES = (
    "",
    "44",
    "4401",
    "440106",
    "440106001",
    "440106001001",
    "440106002201",
    "440105001001",
    "4403",
    "440305001001",
    "33",
    "330106001001",
    "330206001001",
    "11",
    "110101001001",
)


def threshold_text(target_id: str, hundredths: int, comparator: str = "≥") -> str:
    """A threshold in the target's own unit: ``"≥32.50"`` or ``"≥90.25%"``."""
    percent = "%" if PLAN.targets[target_id].unit == "percent" else ""
    return f"{comparator}{hundredths / 100:.2f}{percent}"


@st.composite
def thresholds(draw: st.DrawFn, target_id: str) -> str:
    """Any ≥/> threshold for ``target_id`` (raising or loosening it)."""
    comparator = draw(st.sampled_from(("≥", ">=", ">", "")))
    return threshold_text(target_id, draw(st.integers(0, 20_000)), comparator)


@st.composite
def raising_thresholds(draw: st.DrawFn, target_id: str) -> str:
    """A ≥/> threshold at least the national one."""
    national = PLAN.targets[target_id].value
    assert national is not None  # COMPUTED has no direction
    extra = draw(st.integers(0, 5_000))
    comparator = draw(st.sampled_from(("≥", ">")))
    return threshold_text(target_id, round(national * 100) + extra, comparator)


@st.composite
def non_conflicting_profiles(draw: st.DrawFn) -> list[Profile]:
    """Profiles for several scopes; two profiles may share a scope but never a target."""
    scopes = draw(st.lists(st.sampled_from(SCOPES), min_size=1, max_size=6, unique=True))
    profiles = []
    for scope in scopes:
        targets = draw(st.lists(st.sampled_from(COMPUTED), max_size=4, unique=True))
        cut = draw(st.integers(0, len(targets)))
        staffing_in = draw(st.sampled_from((None, 0, 1)))
        for part, group in enumerate((targets[:cut], targets[cut:])):
            if part == 1 and not group and staffing_in != 1:
                continue
            rule = (
                staffing_rule(draw(st.integers(50, 400)), draw(st.integers(0, 12)))
                if staffing_in == part
                else None
            )
            profiles.append(
                make_profile(
                    f"p{scope}_{part}",
                    scope,
                    [(t, draw(thresholds(t))) for t in group],
                    source=f"cssp-p{scope}-{part} 1.{part}",
                    staffing=rule,
                )
            )
    return profiles


def snapshot(effective: EffectiveTargets) -> tuple[Any, ...]:
    """Everything resolution decides, in a comparable form."""
    return (
        tuple(p.id for p in effective.chain),
        tuple(
            (t.id, t.value, t.comparator, t.year, t.citation, t.provenance)
            for t in effective.targets
        ),
        effective.staffing,
        tuple(t.id for t in effective.loosened),
    )


# --- properties ----------------------------------------------------------------------------


@settings(deadline=None)
@given(profiles=non_conflicting_profiles(), data=st.data())
def test_resolution_does_not_depend_on_the_order_of_profiles(
    profiles: list[Profile], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(profiles))
    given_order, other_order = ProfileSet(profiles), ProfileSet(shuffled)
    assert given_order.profiles == other_order.profiles
    for code in CODES:
        first, second = given_order.effective("fyp14", code), other_order.effective("fyp14", code)
        assert snapshot(first) == snapshot(second), code
        for a, b in zip(first.targets, second.targets, strict=True):
            assert (a.id, a.value, a.comparator) == (b.id, b.value, b.comparator)
            assert a.provenance == b.provenance
            # The chain runs from the nation down, each step by a profile covering the code.
            assert a.provenance[0].change in (Change.SET, Change.NEW)
            scopes = [step.scope for step in a.provenance]
            assert all(code.startswith(scope) for scope in scopes)
            assert [len(s) for s in scopes] == sorted(len(s) for s in scopes)


@settings(deadline=None)
@given(community=cst.communities(), data=st.data())
def test_raising_thresholds_never_turns_not_met_into_met(
    community: Community, data: st.DataObject
) -> None:
    length = data.draw(st.sampled_from((2, 4, 6, 9)))
    targets = data.draw(st.lists(st.sampled_from(COMPUTED), min_size=1, max_size=6, unique=True))
    raising = make_profile(
        "raising",
        community.code[:length],
        [(t, data.draw(raising_thresholds(t))) for t in targets],
        source="cssp-raising 1.0",
    )
    national = cssp.evaluate(community, profiles=())
    local = cssp.evaluate(community, profiles=[raising])
    assert [f.target.id for f in national] == [f.target.id for f in local]
    for before, after in zip(national.findings, local.findings, strict=True):
        assert not after.target.loosened
        if before.status is Status.NOT_MET:
            assert after.status is Status.NOT_MET, after.explain("en")
        if after.status is Status.MET:
            # met before, or not judged on a community before: a coverage rate
            # below 100 % raised to 100 % is judged on each community
            assert before.status in (Status.MET, Status.NO_VERDICT)
        if before.status in (Status.NOT_APPLICABLE, Status.NO_DATA):
            assert after.status is before.status


@st.composite
def other_provinces(draw: st.DrawFn, not_: str) -> str:
    return draw(st.sampled_from(sorted(code for code in PROVINCES_BY_CODE if code != not_)))


@settings(deadline=None)
@given(community=cst.communities(), data=st.data())
def test_an_unrelated_province_changes_nothing(community: Community, data: st.DataObject) -> None:
    mine = make_profile(
        "mine",
        community.code[: data.draw(st.sampled_from((2, 4, 6)))],
        [(t, data.draw(thresholds(t))) for t in data.draw(st.sets(st.sampled_from(COMPUTED)))],
        source="cssp-mine 1.0",
        staffing=data.draw(st.none() | st.just(staffing_rule())),
    )
    other_province = data.draw(other_provinces(community.province))
    other = make_profile(
        "other",
        other_province + data.draw(st.sampled_from(("", "01"))),
        [(t, data.draw(thresholds(t))) for t in data.draw(st.sets(st.sampled_from(COMPUTED)))],
        source="cssp-other 9.9",
        staffing=data.draw(st.none() | st.just(staffing_rule(100, 3))),
    )
    alone, together = ProfileSet([mine]), ProfileSet([other, mine])
    for code in (community.code, community.township, community.county, community.province, ""):
        assert snapshot(alone.effective("fyp14", code)) == snapshot(
            together.effective("fyp14", code)
        )
    assert (
        cssp.evaluate(community, profiles=alone).findings
        == cssp.evaluate(community, profiles=together).findings
    )


# --- most specific wins, and the chain is kept ---------------------------------------------


def test_most_specific_profile_wins_and_the_chain_is_kept() -> None:
    profiles = ProfileSet(
        [
            make_profile("tianhe", "440106", [(AREA, "36")], source="cssp-tianhe 0.3"),
            make_profile(
                "guangdong", "44", [(AREA, "≥32 m^2 / (100 household)")], source="cssp-gd 1.0"
            ),
            make_profile("guangzhou", "4401", [(AREA, "≥34平方米/百户")], source="cssp-gz 2.1"),
        ]
    )
    effective = profiles.effective("fyp14", "440106001001")
    assert [p.id for p in effective.chain] == ["guangdong", "guangzhou", "tianhe"]
    area = target(effective, AREA)
    assert (area.comparator, area.value) == (Comparator.GE, 36.0)
    assert area.citation == Citation("tianhe doc", section="§0")
    steps = area.provenance
    assert [s.profile for s in steps] == ["fyp14", "guangdong", "guangzhou", "tianhe"]
    assert [s.scope for s in steps] == ["", "44", "4401", "440106"]
    assert [s.value for s in steps] == [30.0, 32.0, 34.0, 36.0]
    assert [s.change for s in steps] == [
        Change.SET,
        Change.STRICTER,
        Change.STRICTER,
        Change.STRICTER,
    ]
    assert [s.source for s in steps[1:]] == ["cssp-gd 1.0", "cssp-gz 2.1", "cssp-tianhe 0.3"]
    assert steps[0].source.startswith("cssp ")
    assert steps[0].citation == PLAN.targets[AREA].citation
    assert [s.citation.document for s in steps[1:]] == [
        "guangdong doc",
        "guangzhou doc",
        "tianhe doc",
    ]
    assert not area.loosened
    assert effective.loosened == ()

    # A sibling county and another prefecture stop at the levels that cover them.
    assert target(profiles.effective("fyp14", "440105001001"), AREA).value == 34.0
    assert target(profiles.effective("fyp14", "440305001001"), AREA).value == 32.0
    assert target(profiles.effective("fyp14", "44"), AREA).value == 32.0
    outside = target(profiles.effective("fyp14", "330106001001"), AREA)
    assert outside.value == 30.0
    assert [s.change for s in outside.provenance] == [Change.SET]
    assert profiles.effective("fyp14", "330106001001").chain == ()


def test_restating_the_same_threshold_is_same_and_a_strict_comparator_is_stricter() -> None:
    profiles = ProfileSet(
        [make_profile("gd", "44", [(AREA, "30"), (WORKERS, "> 18人/万人")], source="cssp-gd 1")]
    )
    effective = profiles.effective("fyp14", "44")
    assert target(effective, AREA).provenance[-1].change is Change.SAME
    workers = target(effective, WORKERS)
    assert (workers.comparator, workers.value) == (Comparator.GT, 18.0)
    assert workers.provenance[-1].change is Change.STRICTER


def test_loosening_is_flagged() -> None:
    profiles = ProfileSet([make_profile("lax", "44", [(AREA, "25")], source="cssp-lax 0.1")])
    effective = profiles.effective("fyp14", "440106001001")
    area = target(effective, AREA)
    assert area.loosened
    assert area.provenance[-1].change is Change.LOOSER
    assert effective.loosened == (area,)
    finding = cssp.evaluate(area_community("440106001001", 270), profiles=profiles).finding(AREA)
    assert finding.status is Status.MET  # 27 ≥ 25: met, but the report says it is looser
    explanation = finding.explain("en")
    assert "LOOSER" in explanation
    assert "local standard of Guangdong" in explanation  # named by the province it covers
    assert "≥30" in explanation
    assert "低于国家标准" in finding.explain("zh")
    # Elsewhere the national target is untouched and nothing is flagged.
    assert profiles.effective("fyp14", "330106001001").loosened == ()


def test_loosening_is_an_error_in_strict_mode() -> None:
    lax = make_profile("lax", "44", [(AREA, "25")], source="cssp-lax 0.1")
    with pytest.raises(ProfileError) as caught:
        ProfileSet([lax], strict=True)
    assert (caught.value.source, caught.value.profile) == ("cssp-lax 0.1", "lax")
    assert "cssp-lax 0.1" in str(caught.value)
    assert AREA in str(caught.value)


def test_strict_mode_accepts_raised_targets() -> None:
    strict = ProfileSet([make_profile("gd", "44", [(AREA, "32")], source="g")], strict=True)
    assert target(strict.effective("fyp14", "44"), AREA).value == 32.0


def test_a_county_below_its_city_but_above_the_plan_is_not_looser_than_the_plan() -> None:
    profiles = [
        make_profile("gz", "4401", [(AREA, "34")], source="cssp-gz 1"),
        make_profile("th", "440106", [(AREA, "33")], source="cssp-th 1"),
    ]
    finding = cssp.evaluate(area_community("440106001001", 335), profiles=profiles).finding(AREA)
    assert finding.target.value == 33.0
    assert "LOOSER than the national plan" not in finding.explain("en")
    assert "低于国家标准" not in finding.explain("zh")
    assert not finding.target.loosened


# --- conflicts -----------------------------------------------------------------------------


def _conflict(profiles: list[Profile]) -> str:
    with pytest.raises(ProfileConflictError) as caught:
        ProfileSet(profiles)
    return str(caught.value)


@pytest.mark.parametrize("reverse", [False, True])
def test_two_profiles_of_one_scope_setting_one_target_conflict(reverse: bool) -> None:
    a = make_profile("gd-a", "44", [(RURAL, "90%")], source="cssp-gd-a 1.0")
    b = make_profile("gd-b", "44", [(WORKERS, "20"), (RURAL, "85%")], source="cssp-gd-b 2.0")
    message = _conflict([b, a] if reverse else [a, b])
    for name in ("gd-a", "gd-b", "cssp-gd-a 1.0", "cssp-gd-b 2.0", RURAL):
        assert name in message


def test_one_scope_may_be_shared_by_profiles_of_different_targets() -> None:
    a = make_profile("gd-a", "44", [(RURAL, "90%")], source="a")
    b = make_profile("gd-b", "44", [(WORKERS, "20")], source="b")
    effective = ProfileSet([a, b]).effective("fyp14", "440106001001")
    assert target(effective, RURAL).value == 90.0
    assert target(effective, WORKERS).value == 20.0


@pytest.mark.parametrize("reverse", [False, True])
def test_two_staffing_rules_of_one_scope_conflict(reverse: bool) -> None:
    a = make_profile("bj-a", "11", source="cssp-bj-a 1.0", staffing=staffing_rule(150, 9))
    b = make_profile("bj-b", "11", source="cssp-bj-b 1.1", staffing=staffing_rule(200, 5))
    message = _conflict([b, a] if reverse else [a, b])
    for name in ("bj-a", "bj-b", "cssp-bj-a 1.0", "cssp-bj-b 1.1", "staffing"):
        assert name in message


def test_a_more_specific_staffing_rule_replaces_a_broader_one() -> None:
    profiles = ProfileSet(
        [
            make_profile("bj", "11", source="cssp-bj 1", staffing=staffing_rule(150, 9)),
            make_profile("dc", "1101", source="cssp-dc 1", staffing=staffing_rule(100, 5)),
        ]
    )
    effective = profiles.effective("fyp14", "110101001001")
    assert effective.staffing == staffing_rule(100, 5)
    steps = target(effective, STAFFING).provenance
    assert [(s.profile, s.change) for s in steps] == [("bj", Change.NEW), ("dc", Change.REPLACED)]
    assert profiles.effective("fyp14", "110201001001").staffing == staffing_rule(150, 9)


@pytest.mark.parametrize("reverse", [False, True])
def test_duplicate_profile_ids_conflict(reverse: bool) -> None:
    a = make_profile("guangdong", "44", source="cssp-guangdong 1.0")
    b = make_profile("guangdong", "4401", source="cssp-guangzhou 0.2")
    message = _conflict([b, a] if reverse else [a, b])
    for name in ("guangdong", "cssp-guangdong 1.0", "cssp-guangzhou 0.2"):
        assert name in message


# --- invalid profiles ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "entry", "words"),
    [
        ([("no_such_target", "30")], "overrides[0].target", "no_such_target"),
        ([(AREA, "32"), ("facility_area", "32")], "overrides[1].target", "facility_area"),
        ([(RURAL, "30 m²")], "overrides[0].threshold", "30 m²"),
        ([(WORKERS, "30 m²")], "overrides[0].threshold", "30 m²"),
        ([(AREA, "3 kg")], "overrides[0].threshold", "3 kg"),
        ([(AREA, "35 人")], "overrides[0].threshold", "35 人"),
        ([(RURAL, "≤90%")], "overrides[0].threshold", "≤"),
        ([(AREA, "< 40")], "overrides[0].threshold", "<"),
        ([(AREA, "lots")], "overrides[0].threshold", "lots"),
        ([(AREA, "32"), (AREA, "33")], "overrides[1]", "twice"),
    ],
)
def test_an_invalid_override_names_the_source_and_the_entry(
    overrides: list[tuple[str, str]], entry: str, words: str
) -> None:
    bad = make_profile("guangdong", "44", overrides, source="cssp-guangdong 1.0")
    with pytest.raises(ProfileError) as caught:
        ProfileSet([bad])
    error = caught.value
    assert not isinstance(error, ProfileConflictError)
    assert (error.source, error.profile, error.entry) == ("cssp-guangdong 1.0", "guangdong", entry)
    message = str(error)
    assert "cssp-guangdong 1.0" in message
    assert entry in message
    assert words in message


def test_an_unknown_plan_names_the_source_and_the_entry() -> None:
    with pytest.raises(ProfileError) as caught:
        ProfileSet([make_profile("gd", "44", [(AREA, "32")], source="cssp-gd 1", plan="fyp99")])
    assert (caught.value.source, caught.value.entry) == ("cssp-gd 1", "plan")
    assert "fyp99" in str(caught.value)
    assert "cssp-gd 1" in str(caught.value)


@pytest.mark.parametrize("scope", ["4", "99", "44x", "", "440", "4401061", "４４", "00"])
def test_a_bad_scope_is_refused_naming_the_field(scope: str) -> None:
    with pytest.raises(cssp.InputError) as caught:
        make_profile("gd", scope, source="cssp-gd 1")
    assert caught.value.path == "scope"
    assert repr(scope) in str(caught.value)


@pytest.mark.parametrize("scope", ["4", "99", "44x", ""])
def test_a_bad_scope_in_a_profile_file_is_a_profile_error(scope: str) -> None:
    from cssp.rules.toml import parse_profile

    text = (
        f'schema = 1\nid = "gd"\nplan = "fyp14"\nscope = "{scope}"\n'
        'title = { zh = "广东", en = "Guangdong" }\nissuer = "广东省民政厅"\ndocument = "d"\n'
    )
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, where="gd.toml", source="cssp-gd 1.0")
    assert (caught.value.source, caught.value.entry) == ("cssp-gd 1.0", "scope")
    assert "cssp-gd 1.0" in str(caught.value)


@pytest.mark.parametrize("scope", ["11", "44", "4401", "440106", "440106001", "65"])
def test_scopes_of_every_level_are_accepted(scope: str) -> None:
    assert make_profile("p", scope).scope == scope


def test_a_non_profile_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="not a Profile"):
        ProfileSet(["guangdong"])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("target_id", "threshold", "value"),
    [
        (RURAL, "90", 90.0),  # a bare number is in the target's unit: 90%, not 9000%
        (RURAL, "≥90%", 90.0),
        (RURAL, "0.9", 0.9),
        (WORKERS, "20 person / (10000 person)", 20.0),  # not 0.002: person/person cancels
        (WORKERS, "≥20人/万人", 20.0),
        (AREA, "0.32 m^2 / household", 32.0),
        (AREA, "≥32平方米/百户", 32.0),
    ],
)
def test_a_threshold_is_read_in_the_target_unit(
    target_id: str, threshold: str, value: float
) -> None:
    profiles = ProfileSet([make_profile("gd", "44", [(target_id, threshold)], source="g")])
    assert target(profiles.effective("fyp14", "44"), target_id).value == pytest.approx(value)


# --- staffing rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("households", "workers", "status", "required"),
    [
        (1500, 9, Status.NOT_MET, 10.0),  # ceil(1500 / 150) = 10 > the minimum of 9
        (1500, 10, Status.MET, 10.0),
        (1501, 10, Status.NOT_MET, 11.0),
        (100, 8, Status.NOT_MET, 9.0),  # ceil(100 / 150) = 1, but at least 9
        (100, 9, Status.MET, 9.0),
        (0, 9, Status.MET, 9.0),
    ],
)
def test_a_staffing_rule_gives_a_staffing_finding(
    households: int, workers: int, status: Status, required: float
) -> None:
    beijing = make_profile("beijing", "11", source="cssp-beijing 1.0", staffing=staffing_rule())
    community = Community(
        "110101001001", households=households, staff=Staff(community_workers=workers)
    )
    finding = cssp.evaluate(community, profiles=[beijing]).finding(STAFFING)
    assert finding.status is status
    assert finding.required == required
    assert finding.observed == float(workers)
    assert finding.target.citation == staffing_rule().citation
    assert finding.target.provenance[-1].source == "cssp-beijing 1.0"
    assert "京民发" in finding.explain("en")


@pytest.mark.parametrize(
    "community",
    [
        Community("110101001001", staff=Staff(community_workers=10)),
        Community("110101001001", households=1500),
    ],
    ids=["no households", "no workers"],
)
def test_a_staffing_rule_without_its_data_is_no_data(community: Community) -> None:
    beijing = make_profile("beijing", "11", source="cssp-beijing 1.0", staffing=staffing_rule())
    finding = cssp.evaluate(community, profiles=[beijing]).finding(STAFFING)
    assert finding.status is Status.NO_DATA
    assert finding.observed is None
    assert finding.reason is not None


def test_the_staffing_rule_applies_only_within_its_scope() -> None:
    beijing = make_profile("beijing", "11", source="cssp-beijing 1.0", staffing=staffing_rule())
    elsewhere = Community("440106001001", households=1500, staff=Staff(community_workers=1))
    ids = [f.target.id for f in cssp.evaluate(elsewhere, profiles=[beijing])]
    assert STAFFING not in ids
    assert AREA in ids


def test_household_staffing_rule_requires_the_ceiling() -> None:
    rule = staffing_rule(150, 9)
    assert rule.required(Community("110101001001", households=1500)) == 10.0
    assert rule.required(Community("110101001001", households=1350)) == 9.0
    assert rule.required(Community("110101001001", households=4501)) == math.ceil(4501 / 150)
    assert rule.required(Community("110101001001")) is None
    with pytest.raises(cssp.InputError):
        staffing_rule(0, 9)
    with pytest.raises(cssp.InputError):
        staffing_rule(150, -1)


# --- regions and reported figures ----------------------------------------------------------


def test_regions_are_judged_by_the_targets_in_force_for_their_code() -> None:
    guangdong = make_profile("guangdong", "44", [(AREA, "32")], source="cssp-guangdong 1.0")
    communities = [
        area_community("440106001001", 310),  # 31: below Guangdong's 32, above the plan's 30
        area_community("330106001001", 310),
    ]
    by_community = cssp.evaluate_region(communities, by="province", profiles=[guangdong])
    assert [a.finding(AREA).status for a in by_community.assessments] == [
        Status.NOT_MET,
        Status.MET,
    ]
    gd = by_community.region("44").finding(AREA)
    assert (gd.status, gd.required, gd.observed) == (Status.NOT_MET, 32.0, 31.0)
    assert gd.target.provenance[-1].source == "cssp-guangdong 1.0"
    zj = by_community.region("33").finding(AREA)
    assert (zj.status, zj.required) == (Status.MET, 30.0)

    nation = cssp.evaluate_region(communities, by="nation", profiles=[guangdong]).region("")
    finding = nation.finding(AREA)
    assert (finding.status, finding.required, finding.observed) == (Status.MET, 30.0, 31.0)
    assert [s.change for s in finding.target.provenance] == [Change.SET]


@pytest.mark.parametrize(
    ("subject", "status", "required"),
    [
        ("44", Status.NOT_MET, 32.0),
        ("4401", Status.NOT_MET, 32.0),
        ("", Status.MET, 30.0),
        ("33", Status.MET, 30.0),
    ],
)
def test_evaluate_figures_uses_the_targets_in_force_for_the_subject(
    subject: str, status: Status, required: float
) -> None:
    guangdong = make_profile("guangdong", "44", [(AREA, "32")], source="cssp-guangdong 1.0")
    result = cssp.evaluate_figures(
        {AREA: "31 m^2 / hundred_households"}, subject=subject, profiles=[guangdong]
    )
    finding = result.finding(AREA)
    assert (finding.status, finding.required) == (status, required)


def test_effective_targets_accepts_a_profile_set_or_a_list() -> None:
    guangdong = make_profile("guangdong", "44", [(AREA, "32")], source="g")
    from_list = cssp.effective_targets("fyp14", "440106001001", profiles=[guangdong])
    from_set = cssp.effective_targets("fyp14", "440106001001", profiles=ProfileSet([guangdong]))
    assert snapshot(from_list) == snapshot(from_set)
    national = cssp.effective_targets("fyp14", "440106001001", profiles=())
    assert target(national, AREA).value == 30.0
    assert [t.id for t in national.targets] == list(PLAN.targets)


def test_resolution_is_cached_per_chain() -> None:
    profiles = ProfileSet([make_profile("guangdong", "44", [(AREA, "32")], source="g")])
    first = profiles.effective("fyp14", "440106001001")
    assert profiles.effective("fyp14", "440305001001") is first
    assert profiles.effective("fyp14", "330106001001") is not first


# --- regressions: the reference a change is measured against -------------------------------
#
# Rules (docs/explanation/profiles.md, "Provenance" and "Loosened targets"): a target is
# loosened when it is easier to meet than the *first* step that set it — the national
# plan's, or the profile's that added the indicator; the explanation names that step's
# owner, never "national plan" for a profile's own indicator; a staffing rule's steps have
# no value; the same threshold by a later year is looser, by an earlier one stricter; a
# year before the plan's baseline year is refused.

GUANGDONG_TOML = (
    Path(__file__).resolve().parents[1] / "plugins/cssp-guangdong/cssp_guangdong/profile.toml"
)
SPORTS = "gd_sports_ground_area_per_person"  # Guangdong's own new indicator, ≥2.6 m² per person


def test_a_replaced_staffing_rule_states_no_national_standard() -> None:
    profiles = ProfileSet(
        [
            make_profile(
                "beijing", "11", source="cssp-beijing 1.0", staffing=staffing_rule(150, 9)
            ),
            make_profile(
                "dongcheng", "110101", source="cssp-dc 0.1", staffing=staffing_rule(100, 5)
            ),
        ]
    )
    community = Community("110101001001", households=1000, staff=Staff(community_workers=3))
    assessment = cssp.evaluate(community, profiles=profiles)
    finding = assessment.finding(STAFFING)
    steps = finding.target.provenance
    assert [(s.profile, s.change, s.value) for s in steps] == [
        ("beijing", Change.NEW, None),
        ("dongcheng", Change.REPLACED, None),
    ]
    assert not finding.target.loosened
    en, zh = finding.explain("en"), finding.explain("zh")
    assert "national plan" not in en
    assert "国家" not in zh
    assert "local standard of 东城区, replacing that of Beijing" in en
    assert "替代北京市的标准" in zh
    # The reports show no made-up threshold either.
    text = cssp.report.render_explain(assessment)
    assert "≥0" not in text
    assert "国家规划" not in text.split("社区工作者配备标准", 1)[1]
    document = cssp.report.targets_to_dict(profiles.effective("fyp14", community.code))
    (staffing,) = (t for t in document["targets"] if t["id"] == STAFFING)
    assert [step["value"] for step in staffing["provenance"]] == [None, None]


def _county_setting_sports(threshold: str) -> Profile:
    return Profile(
        id="tianhe",
        plan="fyp14",
        scope="440106",
        title=Text("天河区规划", "Tianhe plan"),
        issuer="天河区",
        document="天河 doc",
        overrides=(Override(SPORTS, threshold, Citation("天河 doc")),),
        source="cssp-tianhe 0.1",
    )


def test_a_county_loosening_a_provinces_own_indicator_is_loosened() -> None:
    guangdong = cssp.load_profile(GUANGDONG_TOML, source="cssp-guangdong 0.1.0")
    county = _county_setting_sports("≥2.0 m^2 / person")
    profiles = ProfileSet([guangdong, county])
    effective = profiles.effective("fyp14", "440106001001")
    sports = target(effective, SPORTS)
    assert [(s.profile, s.value, s.change) for s in sports.provenance] == [
        ("guangdong", 2.6, Change.NEW),
        ("tianhe", 2.0, Change.LOOSER),
    ]
    assert sports.loosened
    assert [t.id for t in effective.loosened] == [SPORTS]

    with pytest.raises(ProfileError) as caught:
        ProfileSet([guangdong, county], strict=True)
    assert (caught.value.source, caught.value.profile) == ("cssp-tianhe 0.1", "tianhe")
    assert SPORTS in str(caught.value)
    assert "below ≥2.6 m² per person set by guangdong" in str(caught.value)

    figures = {SPORTS: "2.1 m^2 / person"}
    finding = cssp.evaluate_figures(figures, subject="440106", profiles=profiles).finding(SPORTS)
    en, zh = finding.explain("en"), finding.explain("zh")
    assert "national" not in en
    assert "国家" not in zh
    assert "standard of Guangdong ≥2.6 m² per person; LOOSER than the standard of Guangdong" in en
    assert "广东省规定为≥2.6平方米/人，低于广东省的标准" in zh


@pytest.mark.parametrize(("threshold", "change"), [("≥2.6", Change.SAME), ("≥3", Change.STRICTER)])
def test_a_county_keeping_or_raising_a_provinces_own_indicator_is_not_loosened(
    threshold: str, change: Change
) -> None:
    guangdong = cssp.load_profile(GUANGDONG_TOML, source="cssp-guangdong 0.1.0")
    profiles = ProfileSet([guangdong, _county_setting_sports(threshold)], strict=True)
    sports = target(profiles.effective("fyp14", "440106001001"), SPORTS)
    assert sports.provenance[-1].change is change
    assert not sports.loosened


def _area_by(year: int | None, threshold: str = "≥30平方米/百户") -> Profile:
    return Profile(
        id="gd",
        plan="fyp14",
        scope="44",
        title=Text("广东规划", "Guangdong plan"),
        issuer="广东",
        document="gd doc",
        overrides=(Override(AREA, threshold, Citation("gd doc"), year=year),),
        source="cssp-gd 1.0",
    )


@pytest.mark.parametrize(
    ("year", "threshold", "change", "loosened", "required_2025"),
    [
        (None, "≥30平方米/百户", Change.SAME, False, 30.0),
        (2025, "≥30平方米/百户", Change.SAME, False, 30.0),
        # A province's target draws no milestone from the national baseline:
        # in 2025 it stands at its value, whatever its year.
        (2027, "≥30平方米/百户", Change.LOOSER, True, 30.0),
        (2030, "≥30平方米/百户", Change.LOOSER, True, 30.0),
        (2024, "≥30平方米/百户", Change.STRICTER, False, 30.0),
        (2027, "≥32平方米/百户", Change.STRICTER, False, 32.0),  # the threshold decides first
        (2024, "≥28平方米/百户", Change.LOOSER, True, 28.0),
    ],
)
def test_changing_the_target_year_is_stricter_or_looser(
    year: int | None, threshold: str, change: Change, loosened: bool, required_2025: float
) -> None:
    profiles = ProfileSet([_area_by(year, threshold)])
    area = target(profiles.effective("fyp14", "44"), AREA)
    assert area.provenance[-1].change is change
    assert area.loosened is loosened
    assert area.milestone(2025) == pytest.approx(required_2025)
    assert not area.has_milestones  # the baseline is the nation's, not the province's
    assert area.baseline is not None
    assert area.baseline.scope == ""
    assert area.baseline.citation is not None
    assert area.baseline.citation.document == "国办发〔2021〕56号"
    if loosened:
        with pytest.raises(ProfileError, match="strict mode refuses"):
            ProfileSet([_area_by(year, threshold)], strict=True)
    else:
        assert len(ProfileSet([_area_by(year, threshold)], strict=True)) == 1


def test_a_later_target_year_is_flagged_and_draws_no_milestone() -> None:
    profiles = ProfileSet([_area_by(2027)])
    community = area_community("440106001001", 299.5)
    finding = cssp.evaluate(community, year=2023, profiles=profiles).finding(AREA)
    # No baseline for the province's scope: no milestone, the target as it stands.
    assert finding.status is Status.NOT_MET
    assert finding.required == 30
    assert not finding.is_milestone
    en = finding.explain("en")
    assert "national plan ≥30 m² per 100 households by 2025; LOOSER than the national plan" in en
    assert "no baseline for this scope, so no milestone" in en
    zh = finding.explain("zh")
    assert "国家规划为≥30平方米/百户（2025年），低于国家标准" in zh
    assert "本地无基期值，不设阶段目标" in zh
    with pytest.raises(
        ProfileError,
        match="loosens the target to ≥30 m² per 100 households by 2027, below the national "
        "plan's ≥30 m² per 100 households by 2025",
    ):
        ProfileSet([_area_by(2027)], strict=True)
    # The national target, for the same community and year: the 2023 milestone, 29.92.
    national = cssp.evaluate(community, year=2023, profiles=()).finding(AREA)
    assert (national.status, national.is_milestone) == (Status.MET, True)


@pytest.mark.parametrize("year", [2019, 2000])
def test_a_target_year_before_the_plans_baseline_year_is_refused(year: int) -> None:
    with pytest.raises(ProfileError) as caught:
        ProfileSet([_area_by(year)])
    assert (caught.value.source, caught.value.entry) == ("cssp-gd 1.0", "overrides[0].year")
    assert str(year) in str(caught.value)
    assert "2020" in str(caught.value)
