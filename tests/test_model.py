"""Tests for cssp.model.community: communities, facilities, staff and their validation."""

from __future__ import annotations

import math
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import cssp
from cssp import Community, CommunityKind, Facility, FacilityKind, Service, Staff
from cssp import testing as cst
from cssp.model.divisions import division_path

#: An urban community of 五山街道, 天河区, 广州市 (a real township; invented figures),
#: written the way a civil-affairs spreadsheet writes it.
EXAMPLE_CODE = "440106001001"


example_community = cst.example_community


# --- the example -----------------------------------------------------------------


def test_example_community_builds() -> None:
    c = example_community()
    assert c.code == EXAMPLE_CODE
    assert c.kind is CommunityKind.URBAN
    assert c.households == 1200
    assert isinstance(c.households, int)
    assert c.population == 3600
    assert c.building_area == pytest.approx(84_000)
    assert c.facilities is not None
    assert len(c.facilities) == 2
    centre = c.facilities[0]
    assert centre.kind is FacilityKind.COMPREHENSIVE
    assert (centre.floor_area, centre.activity_area, centre.office_area) == (420, 260, 60)
    assert centre.opening_hours == 8 + 1
    assert c.comprehensive_facilities == (centre,)
    assert c.staff == Staff(community_workers=8, social_workers=2, disaster_information_officers=1)
    assert c.services == frozenset(
        {Service.SELF_SERVICE_KIOSK, Service.AGENCY_SERVICE, Service.ONLINE_SERVICE_24H}
    )
    assert (c.resettlement, c.old_residential_area, c.newly_built) == (False, False, False)


def test_enclosing_division_codes() -> None:
    c = example_community()
    assert (c.province, c.prefecture, c.county, c.township) == (
        "44",
        "4401",
        "440106",
        "440106001",
    )
    names = [name for _, name in division_path(c.code)]
    assert names == ["广东省", "广州市", "天河区", "五山街道"]


def test_defaults_mean_unknown() -> None:
    c = Community(code=EXAMPLE_CODE)
    assert c.households is None
    assert c.population is None
    assert c.building_area is None
    assert c.facilities is None
    assert c.services is None
    assert c.staff == Staff()
    assert c.staff.community_workers is None
    assert c.comprehensive_facilities == ()


def test_empty_facilities_differ_from_unknown() -> None:
    assert Community(code=EXAMPLE_CODE, facilities=[]).facilities == ()
    assert Community(code=EXAMPLE_CODE, services=[]).services == frozenset()


# --- kind and code -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("440106001001", CommunityKind.URBAN),
        ("440106001199", CommunityKind.URBAN),
        ("330106109200", CommunityKind.RURAL),
        ("330106109399", CommunityKind.RURAL),
        ("110101001001", CommunityKind.URBAN),
        ("650102001201", CommunityKind.RURAL),
    ],
)
def test_kind_is_inferred_from_the_code(code: str, kind: CommunityKind) -> None:
    assert Community(code=code).kind is kind
    assert Community(code=code, kind=kind).kind is kind
    assert Community(code=code, kind=kind.value).kind is kind


@pytest.mark.parametrize(
    ("code", "alias", "kind"),
    [
        ("440106001001", "城市", CommunityKind.URBAN),
        ("440106001001", "社区", CommunityKind.URBAN),
        ("440106001001", "URBAN", CommunityKind.URBAN),
        ("330106109201", "农村", CommunityKind.RURAL),
        ("330106109201", "村", CommunityKind.RURAL),
    ],
)
def test_kind_aliases(code: str, alias: str, kind: CommunityKind) -> None:
    assert Community(code=code, kind=alias).kind is kind


@pytest.mark.parametrize(
    ("code", "kind"),
    [("440106001001", "rural"), ("330106109201", "urban"), ("330106109201", "社区")],
)
def test_kind_contradicting_the_code_is_an_error(code: str, kind: str) -> None:
    with pytest.raises(cssp.InputError) as info:
        Community(code=code, kind=kind)
    assert info.value.path == "kind"
    assert code in str(info.value)


def test_unknown_kind_is_an_error() -> None:
    with pytest.raises(cssp.InputError) as info:
        Community(code=EXAMPLE_CODE, kind="suburban")
    assert info.value.path == "kind"


@pytest.mark.parametrize(
    "code",
    [
        "44010600100",  # 11 digits
        "4401060010011",  # 13 digits
        "",
        "44010600100a",
        "４４０１０６００１００１",  # full-width digits
        "440106 001001",
        "990106001001",  # unknown province
        "000106001001",
        "700106001001",
        "440106001000",  # village digits 000
        "440106001600",  # 600 and above
        "440106001999",
    ],
)
def test_bad_codes(code: str) -> None:
    with pytest.raises(cssp.InputError) as info:
        Community(code=code)
    assert info.value.path == "code"


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        # Real codes of units like residents' and villagers' committees (digits 10–12
        # 400–499 and 500–599), from the statistics bureau's 2022 village-level list.
        ("360113005400", "urban"),  # 龙岗渔业管理站社区
        ("654203500500", "rural"),  # 泉水地社区村委会, a 兵团 unit
        ("522632210500", "rural"),  # 摆拉村委会
        ("440106001199", "urban"),
        ("440106001200", "rural"),
        ("440106001499", "urban"),
        ("440106001599", "rural"),
    ],
)
def test_units_like_committees(code: str, kind: str) -> None:
    assert Community(code=code).kind == kind
    other = "urban" if kind == "rural" else "rural"
    with pytest.raises(cssp.InputError, match=r"unit like|committee") as info:
        Community(code=code, kind=other)
    assert info.value.path == "kind"


@pytest.mark.parametrize("code", [440106001001, None, b"440106001001"])
def test_code_must_be_a_string(code: Any) -> None:
    with pytest.raises(cssp.InputError) as info:
        Community(code=code)
    assert info.value.path == "code"


# --- invalid values name their field ---------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"households": -1}, "households"),
        ({"households": 12.5}, "households"),
        ({"households": "1200.5户"}, "households"),
        ({"households": "1200人"}, "households"),
        ({"households": True}, "households"),
        ({"households": float("nan")}, "households"),
        ({"population": -3}, "population"),
        ({"population": "36.5人"}, "population"),
        ({"building_area": -0.5}, "building_area"),
        ({"building_area": "3 kg"}, "building_area"),
        ({"building_area": float("inf")}, "building_area"),
        ({"services": ["teleport"]}, "services"),
        ({"services": "broadband"}, "services"),
        ({"elderly_monthly_visit_rate": 120}, "elderly_monthly_visit_rate"),
        ({"elderly_monthly_visit_rate": -1}, "elderly_monthly_visit_rate"),
        ({"social_organisations": -1}, "social_organisations"),
        ({"registered_volunteers": 2.5}, "registered_volunteers"),
        ({"resettlement": "yes"}, "resettlement"),
        ({"newly_built": 1}, "newly_built"),
        ({"staff": {"community_workers": 1}}, "staff"),
        ({"facilities": [{"kind": "comprehensive", "floor_area": 1}]}, "facilities[0]"),
    ],
)
def test_community_errors_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(cssp.InputError) as info:
        Community(code=EXAMPLE_CODE, **kwargs)
    assert info.value.path == field
    assert str(info.value).startswith(f"{field}: ")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"floor_area": -1}, "floor_area"),
        ({"floor_area": "3 kg"}, "floor_area"),
        ({"floor_area": 100, "activity_area": -1}, "activity_area"),
        ({"floor_area": 100, "office_area": -0.1}, "office_area"),
        ({"floor_area": 100, "activity_area": 100.5}, "activity_area"),
        ({"floor_area": 100, "office_area": "101平方米"}, "office_area"),
        ({"floor_area": 100, "opening_hours": 24.5}, "opening_hours"),
        ({"floor_area": 100, "opening_hours": "25小时/天"}, "opening_hours"),
        ({"floor_area": 100, "opening_hours": -1}, "opening_hours"),
        ({"floor_area": 100, "opening_hours": "80%"}, "opening_hours"),
    ],
)
def test_facility_errors_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(cssp.InputError) as info:
        Facility("comprehensive", **kwargs)
    assert info.value.path == field


def test_activity_area_larger_than_floor_area_says_both() -> None:
    with pytest.raises(cssp.InputError, match=r"activity_area: 120 m² .* 100 m²"):
        Facility("comprehensive", floor_area=100, activity_area=120)


def test_facility_limits_are_inclusive() -> None:
    f = Facility("comprehensive", floor_area=100, activity_area=100, office_area=0)
    assert f.activity_area == f.floor_area == 100
    f = Facility("comprehensive", floor_area=100, activity_area=60, office_area=40)
    assert (f.activity_area, f.office_area, f.floor_area) == (60, 40, 100)
    with pytest.raises(cssp.InputError, match="add up to 101 m², more than") as info:
        Facility("comprehensive", floor_area=100, activity_area=60, office_area=41)
    assert info.value.path == "activity_area"
    assert Facility("comprehensive").floor_area is None  # a facility whose area is unknown
    assert Facility("other", floor_area=0, opening_hours=24).opening_hours == 24
    assert Facility("other", floor_area=0, opening_hours="24小时/天").opening_hours == 24


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("comprehensive", FacilityKind.COMPREHENSIVE),
        ("综合服务设施", FacilityKind.COMPREHENSIVE),
        ("商业设施", FacilityKind.COMMERCIAL),
        ("其他", FacilityKind.OTHER),
        (FacilityKind.OTHER, FacilityKind.OTHER),
    ],
)
def test_facility_kinds(kind: str, expected: FacilityKind) -> None:
    assert Facility(kind, floor_area=1).kind is expected


def test_unknown_facility_kind() -> None:
    with pytest.raises(cssp.InputError) as info:
        Facility("shop", floor_area=1)
    assert info.value.path == "kind"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"community_workers": -1}, "community_workers"),
        ({"social_workers": 1.5}, "social_workers"),
        ({"disaster_information_officers": -2}, "disaster_information_officers"),
        ({"community_workers": "5户"}, "community_workers"),
        ({"community_workers": 2, "trained_workers": 3}, "trained_workers"),
        ({"community_workers": 0, "trained_workers": 1}, "trained_workers"),
    ],
)
def test_staff_errors_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(cssp.InputError) as info:
        Staff(**kwargs)
    assert info.value.path == field


def test_staff_counts_accept_units() -> None:
    s = Staff(community_workers="15人", social_workers=2.0, trained_workers="15名")
    assert (s.community_workers, s.social_workers, s.trained_workers) == (15, 2, 15)
    assert all(isinstance(v, int) for v in (s.community_workers, s.social_workers))
    assert Staff(community_workers=3, trained_workers=3).trained_workers == 3


@pytest.mark.parametrize(
    ("text", "households"),
    [("1.2万户", 12_000), ("0.12万户", 1_200), ("1,200户", 1_200), ("12百户", 1_200)],
)
def test_household_counts_in_wan(text: str, households: int) -> None:
    assert Community(code=EXAMPLE_CODE, households=text).households == households


@pytest.mark.parametrize(
    ("text", "persons"), [("0.07万人", 700), ("1.001万人", 10_010), ("0.0029万人", 29)]
)
def test_population_in_wan_is_a_whole_number(text: str, persons: int) -> None:
    assert Community(code=EXAMPLE_CODE, population=text).population == persons


def test_service_names() -> None:
    assert Service("5g") is Service.NETWORK_5G
    assert Service.SELF_SERVICE_KIOSK.zh == "政务通用自助服务"
    assert all(service.zh for service in Service)
    assert CommunityKind.URBAN.zh == "城市社区"
    assert CommunityKind.RURAL.zh == "农村社区"


# --- immutability ----------------------------------------------------------------------


def test_objects_are_frozen() -> None:
    c = example_community()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        c.households = 1  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        c.staff.community_workers = 1  # type: ignore[misc]
    assert c.facilities is not None
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        c.facilities[0].floor_area = 1  # type: ignore[misc]
    assert isinstance(c.facilities, tuple)
    assert isinstance(c.services, frozenset)


def test_evolve_converts_and_validates() -> None:
    c = example_community()
    bigger = attrs.evolve(c, households="1,500户")
    assert bigger.households == 1500
    assert c.households == 1200
    assert bigger.code == c.code
    with pytest.raises(cssp.InputError) as info:
        attrs.evolve(c, households=-1)
    assert info.value.path == "households"
    centre = Facility("comprehensive", floor_area=100)
    assert attrs.evolve(centre, floor_area="3亩").floor_area == pytest.approx(2000)
    with pytest.raises(cssp.InputError) as info:
        attrs.evolve(centre, activity_area=150)
    assert info.value.path == "activity_area"


def test_evolve_to_a_code_of_the_other_kind() -> None:
    c = example_community()
    with pytest.raises(cssp.InputError) as info:
        attrs.evolve(c, code="330106109201")
    assert info.value.path == "kind"
    assert attrs.evolve(c, code="330106109201", kind=None).kind is CommunityKind.RURAL


def test_equal_communities_hash_equal() -> None:
    assert example_community() == example_community()
    assert hash(example_community()) == hash(example_community())
    assert example_community() != attrs.evolve(example_community(), name="另一个社区")


# --- properties of the strategies (they feed every property test) ---------------------


@given(cst.communities())
def test_generated_communities_are_consistent(c: Community) -> None:
    village = int(c.code[9:])
    assert (c.kind is CommunityKind.URBAN) == (1 <= village <= 199)
    assert (c.kind is CommunityKind.RURAL) == (200 <= village <= 399)
    assert attrs.evolve(c) == c
    for facility in c.facilities or ():
        parts = (facility.activity_area or 0) + (facility.office_area or 0)
        assert 0 <= parts <= (math.inf if facility.floor_area is None else facility.floor_area)


@given(cst.communities(kind="rural", complete=True))
def test_complete_communities_have_every_field(c: Community) -> None:
    assert c.kind is CommunityKind.RURAL
    assert None not in (c.households, c.population, c.building_area, c.facilities, c.services)
    assert None not in attrs.astuple(c.staff)
    for facility in c.facilities or ():
        assert None not in (facility.activity_area, facility.office_area, facility.opening_hours)


@given(cst.community_lists(max_size=6, township="330106109"))
def test_community_lists_have_unique_codes(group: list[Community]) -> None:
    assert len({c.code for c in group}) == len(group)
    assert all(c.township == "330106109" for c in group)


@given(cst.communities(), st.integers(min_value=-1000, max_value=-1))
def test_a_negative_count_is_always_rejected(c: Community, negative: int) -> None:
    with pytest.raises(cssp.InputError) as info:
        attrs.evolve(c, households=negative)
    assert info.value.path == "households"


# --- citations in two languages ---------------------------------------------------------


def test_a_citation_in_english_translates_the_plan_s_marks() -> None:
    from cssp.model.plan import Citation

    citation = Citation("国办发〔2021〕56号", "三、", "专栏3", 2)
    assert citation.text("zh") == "国办发〔2021〕56号三、专栏3第2项"
    assert citation.text("en") == "国办发〔2021〕56号, chapter III, column 3, item 2"
    note = Citation("国办发〔2021〕56号", "（十一）", note="另见专栏4第2项")
    assert note.text("zh") == "国办发〔2021〕56号（十一）（另见专栏4第2项）"
    assert note.text("en") == "国办发〔2021〕56号, paragraph (11) (see also column 4 item 2)"


@pytest.mark.parametrize(
    ("mark", "english"),
    [
        ("一、", "chapter I"),
        ("（十）", "paragraph (10)"),
        ("（二十一）", "paragraph (21)"),
        ("附件", "附件"),
    ],
)
def test_section_marks_in_english(mark: str, english: str) -> None:
    from cssp.model.plan import Citation

    assert Citation("x", mark).text("en") == f"x, {english}"


def test_a_report_of_a_document_in_both_languages() -> None:
    import datetime

    from cssp.model.plan import Citation, ReportedBy, Text

    title = Text("广东省城乡社区服务体系建设“十四五”规划", "Guangdong's plan")
    by = ReportedBy(Text("《羊城晚报》", "Yangcheng Evening News"), datetime.date(2022, 6, 16))
    citation = Citation(title.zh, title=title, reported_by=by)
    zh, en = citation.text("zh"), citation.text("en")
    assert zh == "《广东省城乡社区服务体系建设“十四五”规划》（据《羊城晚报》2022年6月16日报道）"
    assert en == "Guangdong's plan (as reported by Yangcheng Evening News, 16 June 2022)"
    numbered = Citation("苏政办发〔2022〕60号", title=title)
    assert numbered.text("zh") == "苏政办发〔2022〕60号"
    assert numbered.text("en") == "Guangdong's plan (苏政办发〔2022〕60号)"
    assert ReportedBy.parse("羊城晚报, 2022-06-16") == ReportedBy(
        Text("羊城晚报", "羊城晚报"), datetime.date(2022, 6, 16)
    )
    assert ReportedBy.parse("某报").date is None


def _any_value() -> Any:
    """Values of every kind a field may be given: the readers' floats, ints and flags, and
    what converters must convert or refuse (texts with units, NaN, bools for numbers …)."""
    from hypothesis import strategies as st

    from cssp.model.community import CommunityKind, Facility, FacilityKind, Service, Staff
    from cssp.units import Approximate, ApproximateCount

    return st.one_of(
        st.none(),
        st.booleans(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-(2**1100), 2**1100),
        st.integers(-5, 5000),
        st.sampled_from(
            [
                "1200户",
                "约300平方米",
                "",
                "urban",
                "农村",
                "comprehensive",
                "111",
                CommunityKind.URBAN,
                CommunityKind.RURAL,
                FacilityKind.COMMERCIAL,
                Staff(3),
                Staff(),
                (Facility("comprehensive", 300.0),),
                (),
                frozenset({Service("5g")}) if "5g" in {s.value for s in Service} else frozenset(),
                {"childcare_places": 40},
                Approximate(300.0),
                ApproximateCount(12),
            ]
        ),
    )


def test_a_value_the_init_does_not_convert_is_one_its_converter_gives_back() -> None:
    """Each class's __init__ skips a field's converter for the values of its UNCHANGED
    test: the converter would have given back those very values."""
    import attrs
    from hypothesis import given
    from hypothesis import strategies as st

    from cssp.model.community import _EMPTY, UNCHANGED, UNCHANGED_NAMES

    cases = [
        (field.converter, test)
        for cls, tests in UNCHANGED.items()
        for field in attrs.fields(cls)
        if (test := tests.get(field.name)) is not None
    ]
    assert len(cases) == 5 + 4 + 15  # every field with a converter but facilities' tuples

    @given(st.sampled_from(cases), st.one_of(_any_value(), st.just(_EMPTY)))
    def check(case: Any, value: object) -> None:
        converter, test = case
        if eval(test.format(v="value"), {**UNCHANGED_NAMES, "value": value}):
            assert converter(value) is value

    check()


def test_each_classs_init_is_attrs_own_with_every_converter() -> None:
    """Facility, Staff and Community built by their __init__ equal what attrs' own __init__
    (every value through its converter) builds from the same arguments, or both raise the
    same error."""
    import attrs
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from cssp.model.community import UNCHANGED

    classes = list(UNCHANGED)

    def build(init: Any, cls: type, arguments: dict[str, object]) -> Any:
        made: Any = object.__new__(cls)
        try:
            init(made, **arguments)
        except (cssp.CsspError, TypeError) as error:
            assert type(made) is cls  # given its class back, whatever was raised
            return (type(error), str(error))
        assert type(made) is cls
        return made

    @settings(deadline=None)  # the first text with a unit loads the unit registry
    @given(st.sampled_from(classes), st.data())
    def check(cls: type, data: st.DataObject) -> None:
        fields = [f.name for f in attrs.fields(cls)]
        given_names = data.draw(st.lists(st.sampled_from(fields), unique=True), label="fields")
        arguments = {name: data.draw(_any_value(), label=name) for name in given_names}
        if cls.__name__ == "Community" and "code" not in arguments:
            arguments["code"] = data.draw(st.sampled_from(["110101001001", "110101001201"]))
        if "approximate" in arguments:
            arguments["approximate"] = frozenset()
        ours = build(vars(cls)["__init__"], cls, arguments)
        theirs = build(vars(cls)["__attrs_init_with_every_converter__"], cls, arguments)
        assert ours == theirs

    check()


def test_a_subclass_is_built_as_its_base_class_is() -> None:
    """A plain subclass of a model class (with a ``__dict__`` of its own, so another layout)
    is built by the same ``__init__``, setting each slot through its descriptor: the same
    values, its own class kept, still frozen."""
    import attrs

    class Mine(cssp.Community):
        pass

    arguments: dict[str, Any] = {"code": "110101001201", "households": 12, "population": "30人"}
    mine, theirs = Mine(**arguments), cssp.Community(**arguments)
    assert type(mine) is Mine
    assert attrs.asdict(mine) == attrs.asdict(theirs)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        mine.households = 3  # type: ignore[misc]
    with pytest.raises(cssp.InputError):
        Mine(code="110101001201", households=-1)


def test_a_class_stored_apart_keeps_its_methods_super_and_weak_references() -> None:
    """A class rebuilt on a base of its slots: a method's zero-argument ``super()`` finds
    the class attrs made, and its objects copy and take weak references."""
    import copy
    import weakref

    from cssp.model.filling import stored_apart

    @attrs.define(frozen=True)
    @stored_apart
    class Kept:
        x: int = 0

        def described(self) -> str:
            return f"kept {super().__repr__()[:1]}"

    kept = Kept(1)
    assert kept.described() == "kept <"
    assert copy.copy(kept) == kept
    assert weakref.ref(kept)() is kept
    community = cssp.Community("110101001201", households=3)
    assert copy.deepcopy(community) == community
    assert weakref.ref(community)() is community


def test_each_classs_one_check_agrees_with_its_rules() -> None:
    """Facility, Staff and Community check their values, then their parts, with one function
    written from the rules (``checker``): it raises what testing each field's rules in order,
    then each part rule, raises — the same message, the same field — and keeps the plain
    number of an approximate value, naming it."""
    import math
    import types

    from hypothesis import given
    from hypothesis import strategies as st

    from cssp.model.community import _FACILITY_PARTS, _STAFF_PARTS
    from cssp.model.schema import (
        COMMUNITY_VALUES,
        FACILITY_VALUES,
        FIELD_RULES,
        STAFF_VALUES,
        checker,
        part_problem,
        value_problems,
    )
    from cssp.units import Approximate, ApproximateCount

    groups: list[tuple[tuple[str, ...], tuple[Any, ...]]] = [
        (FACILITY_VALUES, _FACILITY_PARTS),
        (STAFF_VALUES, _STAFF_PARTS),
        (COMMUNITY_VALUES, ()),
    ]
    numbers = st.one_of(
        st.none(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-(2**60), 2**60),
        st.sampled_from([0, 1, 24, 24.0, 24.5, 100, 100.5, 2**53, 1e-320]),
        st.floats(0, 1e6).map(Approximate),
        st.integers(0, 10**6).map(ApproximateCount),
    )

    def reference(
        values: dict[str, object], names: tuple[str, ...], parts: tuple[Any, ...]
    ) -> tuple[str, str] | None:
        plain: dict[str, Any] = {
            n: v if v is None else float(v) if isinstance(v, float) else v
            for n, v in values.items()
        }
        for name in names:
            value = plain[name]
            if value is None:
                continue
            for test, describe in value_problems(FIELD_RULES[name]):
                if test(value):
                    return (name, describe(value))
        for rule in parts:
            whole, part = plain[rule.whole], rule.value(plain.get)
            if whole is not None and part is not None:
                failed, message = part_problem(rule, part, whole)
                if failed:
                    return (rule.part, message(part, whole))
        return None

    @given(st.sampled_from(range(len(groups))), st.data())
    def check(group: int, data: st.DataObject) -> None:
        names, parts = groups[group]
        values = {name: data.draw(numbers, label=name) for name in names}
        marked = {n for n, v in values.items() if type(v) in (Approximate, ApproximateCount)}
        owner = types.SimpleNamespace(**values)
        expected = reference(values, names, parts)
        try:
            approximate, raised = checker(names, parts)(owner), None
        except cssp.InputError as error:
            approximate, raised = frozenset(), (error.path, error.message)
        assert raised == expected, (raised, expected)
        if raised is not None:
            return
        assert expected is None
        assert approximate == marked
        for name in marked:
            assert type(getattr(owner, name)) in (float, int)
            assert getattr(owner, name) == values[name] or math.isnan(getattr(owner, name))

    check()


def test_a_fields_quick_check_agrees_with_its_rules() -> None:
    """The model checks each value with one comparison chain first and runs a field's rules
    only when it fails: the chain passes exactly the values that break no rule."""
    import math

    from hypothesis import given
    from hypothesis import strategies as st

    from cssp.model.schema import FIELD_RULES, _checks, value_problems

    values = st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-(2**60), 2**60),
        st.sampled_from([0, 0.0, -0.0, 24, 24.0, 24.5, 100, 100.5, 2**53, 2**53 - 1, 1e-320]),
    )

    @given(st.sampled_from(sorted(FIELD_RULES)), values)
    def check(name: str, value: float) -> None:
        passes, _ = _checks(name)
        if isinstance(value, float) and math.isnan(value):
            assert not passes(value)  # NaN (never a field's value: not given) takes the rules
            return
        broken = any(test(value) for test, _ in value_problems(FIELD_RULES[name]))
        assert passes(value) is not broken, (name, value)

    check()
