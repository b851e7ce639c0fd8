"""Tests for data-only profiles: cssp.rules.toml.parse_profile and cssp.load_profile.

A province with no Python developer ships a TOML file. It is read as data
(nothing in it is evaluated), unknown keys are errors, and every problem
names the file (or plugin) and the entry. A new indicator is a ratio of named
community fields, evaluated per community and, for a region, as a ratio of sums.
"""

from __future__ import annotations

import datetime
import pathlib

import attrs
import pytest

import cssp
from cssp import (
    Change,
    Citation,
    Community,
    Comparator,
    IndicatorKind,
    Level,
    ProfileError,
    ProfileSet,
    ReportedBy,
    Staff,
    Status,
    Text,
)
from cssp.rules.toml import parse_profile

AREA = "facility_area_per_100_households"
RURAL = "rural_facility_coverage"
WORKERS = "workers_per_10k_urban_residents"
CHILDCARE = "childcare_places_per_100_households"
VOLUNTEERS = "volunteers_per_100_households"

HEAD = """\
schema = 1
id = "guangdong"
plan = "fyp14"
scope = "44"
title = { zh = "广东省城乡社区服务体系建设“十四五”规划", en = "Guangdong's community service plan" }
issuer = "广东省民政厅、广东省发展和改革委员会"
document = "广东省城乡社区服务体系建设“十四五”规划"
issued = 2022-06-01
reported_by = "羊城晚报, 2022-06-16"
target_year = 2025
"""

FULL = (
    HEAD
    + """
[[overrides]]
target = "facility_area_per_100_households"
threshold = "≥32 m^2 / (100 household)"
citation = { section = "三、", column = "专栏1", item = 4 }

[[overrides]]
target = "rural_facility_coverage"
threshold = "≥90%"
note = { zh = "全省农村社区", en = "every rural community of the province" }

[[overrides]]
target = "workers_per_10k_urban_residents"
threshold = "> 18人/万人"
year = 2024

[[indicators]]
id = "childcare_places_per_100_households"
name = { zh = "每百户托位数", en = "Childcare places per 100 households" }
unit = "place / hundred_households"
unit_label = { zh = "个/百户", en = "places per 100 households" }
kind = "ratio"
numerator = "extra.childcare_places"
numerator_unit = "place"
denominator = "households"
citation = { section = "四、", column = "专栏2", item = 1 }
targets = [ { threshold = "≥4.5", levels = ["community", "region"] } ]

[[indicators]]
id = "volunteers_per_100_households"
name = { zh = "每百户注册志愿者数", en = "Registered volunteers per 100 households" }
unit = "person / hundred_households"
unit_label = { zh = "人/百户", en = "persons per 100 households" }
kind = "ratio"
numerator = "registered_volunteers"
denominator = "households"
targets = [ { threshold = "≥10", levels = ["region"], strength = "generally" } ]

[staffing]
households_per_worker = 150
minimum = 9
description = { zh = "每150户配备1名社区工作者，不少于9人", en = "1 per 150 households, ≥9" }
citation = { section = "五、" }
"""
)

SOURCE = "cssp-guangdong 1.0.0"


def full_profile() -> cssp.Profile:
    return parse_profile(FULL, where="cssp_guangdong/profile.toml", source=SOURCE)


# --- a valid profile -----------------------------------------------------------------------


def test_a_full_profile_is_read() -> None:
    profile = full_profile()
    assert (profile.id, profile.plan, profile.scope) == ("guangdong", "fyp14", "44")
    assert profile.title.zh == "广东省城乡社区服务体系建设“十四五”规划"
    assert profile.issued == datetime.date(2022, 6, 1)
    # the short form: one name for the outlet, in both languages
    assert profile.reported_by == ReportedBy(
        Text("羊城晚报", "羊城晚报"), datetime.date(2022, 6, 16)
    )
    assert profile.source == SOURCE

    area, rural, workers = profile.overrides
    assert (area.target, area.threshold, area.year) == (AREA, "≥32 m^2 / (100 household)", 2025)
    assert area.citation == Citation(
        "广东省城乡社区服务体系建设“十四五”规划",
        section="三、",
        column="专栏1",
        item=4,
        title=profile.title,
        reported_by=profile.reported_by,
    )
    assert area.citation.text("zh") == (
        "《广东省城乡社区服务体系建设“十四五”规划》三、专栏1第4项（据羊城晚报2022年6月16日报道）"
    )
    assert rural.note == Text("全省农村社区", "every rural community of the province")
    assert workers.year == 2024

    childcare, volunteers = profile.indicators
    assert (childcare.id, childcare.unit, childcare.kind) == (
        CHILDCARE,
        "place / hundred_households",
        IndicatorKind.RATIO,
    )
    (childcare_target,) = childcare.targets
    assert (childcare_target.comparator, childcare_target.value) == (Comparator.GE, 4.5)
    assert childcare_target.levels == frozenset({Level.COMMUNITY, Level.REGION})
    assert childcare_target.year == 2025
    assert childcare_target.citation.column == "专栏2"
    assert childcare.measure in profile.measures
    (volunteers_target,) = volunteers.targets
    assert volunteers_target.levels == frozenset({Level.REGION})
    assert volunteers_target.strength is cssp.Strength.GENERALLY

    rule = profile.staffing
    assert isinstance(rule, cssp.HouseholdStaffingRule)
    assert (rule.households_per_worker, rule.minimum) == (150, 9)
    assert rule.citation.section == "五、"
    assert rule.citation.document == profile.document


def test_a_full_profile_resolves_with_provenance() -> None:
    effective = ProfileSet([full_profile()]).effective("fyp14", "440106001001")
    by_id = {t.id: t for t in effective.targets}
    assert by_id[AREA].value == pytest.approx(32.0)
    assert by_id[RURAL].value == pytest.approx(90.0)
    assert (by_id[WORKERS].comparator, by_id[WORKERS].value, by_id[WORKERS].year) == (
        Comparator.GT,
        18.0,
        2024,
    )
    assert [s.change for s in by_id[AREA].provenance] == [Change.SET, Change.STRICTER]
    assert by_id[AREA].provenance[-1].source == SOURCE
    assert [s.change for s in by_id[CHILDCARE].provenance] == [Change.NEW]
    assert "community_staffing" in by_id
    assert effective.loosened == ()
    # Zhejiang keeps the national plan, without Guangdong's indicators.
    national = ProfileSet([full_profile()]).effective("fyp14", "330106001001")
    assert CHILDCARE not in {t.id for t in national.targets}


def test_a_minimal_profile_is_read() -> None:
    profile = parse_profile(HEAD, where="min.toml")
    assert profile.overrides == ()
    assert profile.indicators == ()
    assert profile.staffing is None
    assert profile.source == ""


def test_reported_by_as_a_table_names_the_outlet_in_both_languages() -> None:
    outlet = (
        '{ outlet = { zh = "《羊城晚报》", en = "Yangcheng Evening News" }, date = 2022-06-16 }'
    )
    head = HEAD.replace('reported_by = "羊城晚报, 2022-06-16"', f"reported_by = {outlet}")
    text = head + f'[[overrides]]\ntarget = "{AREA}"\nthreshold = "≥32"\n'
    profile = parse_profile(text, where="p.toml")
    citation = profile.overrides[0].citation
    assert citation.text("zh").endswith("（据《羊城晚报》2022年6月16日报道）")
    assert citation.text("en").endswith("(as reported by Yangcheng Evening News, 16 June 2022)")
    assert citation.text("en").startswith(profile.title.en)  # the document, by its English title


def test_a_bad_reported_by_names_the_key() -> None:
    bad = 'reported_by = { outlet = "羊城晚报" }'
    head = HEAD.replace('reported_by = "羊城晚报, 2022-06-16"', bad)
    error = _error(head, source=SOURCE)
    assert error.entry.startswith("reported_by")


def test_load_profile_reads_a_file_and_names_its_source(tmp_path: pathlib.Path) -> None:
    file = tmp_path / "profile.toml"
    file.write_text(FULL, encoding="utf-8")
    profile = cssp.load_profile(file)
    assert profile.source == "profile.toml"
    same = parse_profile(FULL, source="profile.toml")
    assert attrs.evolve(profile, measures={}) == attrs.evolve(same, measures={})
    assert profile.measures.keys() == same.measures.keys()
    assert cssp.load_profile(file, source="cssp-x 2").source == "cssp-x 2"


def test_load_profile_of_a_missing_file_is_a_profile_error(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ProfileError, match=r"missing\.toml"):
        cssp.load_profile(tmp_path / "missing.toml")


def test_a_profile_never_executes_code(tmp_path: pathlib.Path) -> None:
    witness = tmp_path / "pwned"
    code = f"__import__('os').system('touch {witness}')"
    text = HEAD.replace('issuer = "广东省民政厅、广东省发展和改革委员会"', f'issuer = "{code}"')
    text += f'\n[[overrides]]\ntarget = "{AREA}"\nthreshold = "32"\n'
    text += f'note = {{ zh = "{code}", en = "eval(1)" }}\n'
    profile = parse_profile(text, where="evil.toml")
    assert profile.issuer == code
    assert profile.overrides[0].note == Text(code, "eval(1)")
    ProfileSet([profile]).effective("fyp14", "44")
    assert not witness.exists()

    # Python as a threshold is a bad threshold, not code.
    evil = HEAD + f'\n[[overrides]]\ntarget = "{AREA}"\nthreshold = "{code}"\n'
    with pytest.raises(ProfileError) as caught:
        ProfileSet([parse_profile(evil, where="evil.toml")])
    assert caught.value.entry == "overrides[0].threshold"
    assert not witness.exists()


# --- errors name the file and the entry ----------------------------------------------------


def _error(text: str, where: str = "cssp_guangdong/profile.toml", source: str = "") -> ProfileError:
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, where=where, source=source)
    return caught.value


def test_malformed_toml() -> None:
    error = _error(HEAD + "[[overrides]\ntarget = 1\n", where="broken.toml")
    assert error.source == "broken.toml"
    message = str(error)
    assert "broken.toml" in message
    assert "not valid TOML" in message
    assert "line 11" in message  # the line of the bad table header


def test_an_unknown_top_level_key() -> None:
    error = _error(HEAD + 'colour = "red"\n', source=SOURCE)
    assert (error.source, error.profile) == (SOURCE, "guangdong")
    assert "colour" in str(error)
    assert SOURCE in str(error)


def test_an_unknown_key_inside_an_override() -> None:
    text = HEAD + f'\n[[overrides]]\ntarget = "{AREA}"\nthreshold = "32"\nthreshhold = "33"\n'
    error = _error(text, source=SOURCE)
    assert error.entry == "overrides[0]"
    assert "threshhold" in str(error)
    assert SOURCE in str(error)


def test_an_unknown_key_inside_an_indicator_target() -> None:
    text = FULL.replace('levels = ["community", "region"] }', 'levels = ["community"], valu = 3 }')
    error = _error(text, source=SOURCE)
    assert error.entry.startswith("indicators[0].targets[0]")
    assert "valu" in str(error)


def test_a_missing_key() -> None:
    error = _error(HEAD.replace('issuer = "广东省民政厅、广东省发展和改革委员会"\n', ""))
    assert "issuer" in str(error)


@pytest.mark.parametrize(
    ("target", "threshold"),
    [(RURAL, "30 m²"), (WORKERS, "30 m²"), (AREA, "90 人"), (AREA, "3 kg")],
)
def test_a_wrong_dimension_in_an_override_names_the_file_and_entry(
    tmp_path: pathlib.Path, target: str, threshold: str
) -> None:
    file = tmp_path / "profile.toml"
    file.write_text(
        HEAD
        + f'\n[[overrides]]\ntarget = "{AREA}"\nthreshold = "32"\n'
        + f'\n[[overrides]]\ntarget = "{target}"\nthreshold = "{threshold}"\n',
        encoding="utf-8",
    )
    # Data profiles go through the same validation as Python ones: the override's
    # threshold is checked against the target when the profile is loaded.
    with pytest.raises(ProfileError) as caught:
        ProfileSet([cssp.load_profile(file)])
    error = caught.value
    assert (error.source, error.profile, error.entry) == (
        "profile.toml",
        "guangdong",
        "overrides[1].threshold",
    )
    assert threshold in str(error)


def test_a_wrong_dimension_in_a_new_indicator_target() -> None:
    text = FULL.replace('threshold = "≥4.5"', 'threshold = "≥4.5 m²"')
    error = _error(text, source=SOURCE)
    assert error.entry == "indicators[0].targets[0].threshold"
    assert "4.5 m²" in str(error)
    assert SOURCE in str(error)


def test_an_unknown_field_name() -> None:
    text = FULL.replace('denominator = "households"', 'denominator = "houshold_count"', 1)
    error = _error(text, source=SOURCE)
    assert error.entry == "indicators[0].denominator"
    assert "houshold_count" in str(error)
    assert "extra.NAME" in str(error)  # the message lists what may be used


def test_an_extra_field_without_its_unit() -> None:
    error = _error(FULL.replace('numerator_unit = "place"\n', ""), source=SOURCE)
    assert error.entry == "indicators[0].numerator_unit"
    assert "extra.childcare_places" in str(error)


def test_a_built_in_field_with_a_wrong_unit() -> None:
    text = FULL.replace(
        'denominator = "households"', 'denominator = "households"\ndenominator_unit = "person"', 1
    )
    error = _error(text, source=SOURCE)
    assert error.entry == "indicators[0].denominator_unit"


@pytest.mark.parametrize("scope", ["4", "99", "44x", "", "440"])
def test_a_bad_scope(scope: str) -> None:
    error = _error(HEAD.replace('scope = "44"', f'scope = "{scope}"'), source=SOURCE)
    assert (error.source, error.profile, error.entry) == (SOURCE, "guangdong", "scope")
    assert repr(scope) in str(error)


def test_schema_2_is_refused() -> None:
    error = _error(HEAD.replace("schema = 1", "schema = 2"), where="future.toml")
    assert (error.source, error.entry) == ("future.toml", "schema")
    assert "2" in str(error)


def test_a_bad_staffing_rule() -> None:
    error = _error(FULL.replace("households_per_worker = 150", "households_per_worker = 0"))
    assert "households_per_worker" in error.entry


def test_an_unknown_kind_or_level() -> None:
    error = _error(FULL.replace('kind = "ratio"', 'kind = "average"', 1))
    assert error.entry == "indicators[0].kind"
    assert "'average' is not one of 'ratio', 'coverage', 'per_community'" in str(error)
    error = _error(FULL.replace('levels = ["region"]', 'levels = ["province"]'))
    assert error.entry.startswith("indicators[1].targets[0].levels")


# --- the new indicator, end to end ---------------------------------------------------------


def childcare(code: str, households: int | None, places: float | None) -> Community:
    extra = {} if places is None else {"childcare_places": places}
    return Community(code, households=households, extra=extra, registered_volunteers=50)


@pytest.mark.parametrize(
    ("households", "places", "status", "observed"),
    [
        (200, 10, Status.MET, 5.0),
        (1000, 45, Status.MET, 4.5),
        (1000, 44, Status.NOT_MET, 4.4),
        (1000, None, Status.NO_DATA, None),
        (None, 10, Status.NO_DATA, None),
        (0, 10, Status.NOT_APPLICABLE, None),
    ],
)
def test_a_new_indicator_at_community_level(
    households: int | None, places: float | None, status: Status, observed: float | None
) -> None:
    community = childcare("440106001001", households, places)
    finding = cssp.evaluate(community, profiles=[full_profile()]).finding(CHILDCARE)
    assert finding.status is status
    if observed is None:
        assert finding.observed is None
        assert finding.reason is not None
    else:
        assert finding.observed == pytest.approx(observed)
        assert finding.required == 4.5
        assert "places per 100 households" in finding.explain("en")
        assert "个/百户" in finding.explain("zh")


def test_a_new_indicator_at_region_level_is_a_ratio_of_sums() -> None:
    communities = [
        childcare("440106001001", 200, 10),  # 5 per 100
        childcare("440106001002", 300, 20),  # 6.67 per 100
        childcare("440106001003", 1000, 30),  # 3 per 100: not met on its own
        childcare("440106001004", 300, None),  # no data: left out of the sums
        childcare("440106001005", 0, 3),  # not applicable: left out
    ]
    report = cssp.evaluate_region(communities, by="county", profiles=[full_profile()])
    finding = report.region("440106").finding(CHILDCARE)
    # (10 + 20 + 30) / (200 + 300 + 1000) × 100 = 4: not the mean of the ratios (4.89).
    assert (finding.numerator, finding.denominator) == (60.0, 1500.0)
    assert finding.observed == pytest.approx(4.0)
    assert finding.status is Status.NOT_MET
    assert finding.counts == cssp.Counts(met=2, not_met=1, not_applicable=1, no_data=1)
    assert finding.failing == ("440106001003",)
    # The region-only indicator on built-in fields: Σ volunteers / Σ households × 100,
    # over the four communities with households (the one with none is left out).
    volunteers = report.region("440106").finding(VOLUNTEERS)
    assert (volunteers.numerator, volunteers.denominator) == (200.0, 1800.0)
    assert volunteers.observed == pytest.approx(200 / 1800 * 100)
    assert volunteers.status is Status.MET
    community = {f.target.id: f for f in report.assessments[0].findings}
    assert community[CHILDCARE].status is Status.MET
    # a region-level target only: the community contributes, without a verdict
    assert community[VOLUNTEERS].status is Status.NO_VERDICT
    assert community[VOLUNTEERS].observed is not None


def test_the_new_indicator_applies_only_within_the_scope() -> None:
    outside = childcare("330106001001", 200, 10)
    ids = {f.target.id for f in cssp.evaluate(outside, profiles=[full_profile()])}
    assert CHILDCARE not in ids


def test_the_staffing_table_is_used_end_to_end() -> None:
    community = Community("440106001001", households=1500, staff=Staff(community_workers=9))
    finding = cssp.evaluate(community, profiles=[full_profile()]).finding("community_staffing")
    assert (finding.status, finding.required) == (Status.NOT_MET, 10.0)
