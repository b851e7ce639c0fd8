"""The rules a community's values must keep: one schema for objects and for columns.

:class:`~cssp.model.community.Community` (with its facilities and staff) checks
each value as it is built; the batch engine checks a whole table's columns at
once (``cssp.batch.frame``). Both apply the rules below, written once: each
rule is a test that works on a number or on a numpy array alike, with the
message both report.

>>> [message(-3.0) for test, message in value_problems(FIELD_RULES["households"]) if test(-3.0)]
['-3 is negative']
>>> import numpy as np
>>> values = np.array([12.0, -3.0, 2.5, np.nan])
>>> for test, _ in value_problems(FIELD_RULES["households"], np.floor):
...     print(test(values).tolist())
[False, False, False, False]
[False, True, False, False]
[False, False, True, False]
[False, False, False, False]
"""

from __future__ import annotations

import functools
import math
import operator
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import compress
from typing import Any, Final, cast

from attrs import define

from cssp.errors import InputError
from cssp.model.divisions import PROVINCES_BY_CODE, is_known_division
from cssp.units import Approximate, ApproximateCount

__all__ = [
    "CODE_NOT_A_DIVISION",
    "CODE_NOT_TWELVE_DIGITS",
    "CODE_NO_PROVINCE",
    "CODE_VILLAGE_DIGITS",
    "COMMUNITY_VALUES",
    "EXACT_COUNT",
    "EXCEEDS",
    "FACILITY_VALUES",
    "FIELD_RULES",
    "NOT_APPROXIMATE",
    "PART_RULES",
    "PLACED_LENGTHS",
    "STAFF_VALUES",
    "VILLAGE_RANGES",
    "FieldRule",
    "PartRule",
    "check_parts",
    "check_values",
    "checker",
    "code_rural",
    "codes_rural",
    "column_keeps",
    "committee",
    "near_whole",
    "number",
    "part_problem",
    "parts_keep",
    "problems_of",
    "value_problems",
    "value_tests",
    "village_rural",
]

#: Counts at or above this are not exact in a float (the engines' numbers).
EXACT_COUNT: Final = 2.0**53


@define(frozen=True)
class FieldRule:
    """What one numeric field of a community, its staff or a facility must be.

    :param name: the field's name (the table format's column for a community
        or staff field; ``facility_`` + name is a facility's column).
    :param whole: a count: a whole number, below :data:`EXACT_COUNT`.
    :param most: the largest value allowed, if any.
    :param most_message: the message for a value above ``most``, a template
        with ``{value}``.
    """

    name: str
    whole: bool = False
    most: float | None = None
    most_message: str = ""


@define(frozen=True)
class PartRule:
    """A part that cannot exceed its whole (a facility's activity area and its floor area).

    With ``plus``, the part is the sum of two fields (the activity and office
    areas together); the rule is located at ``part``.
    """

    part: str
    whole: str
    message: str
    plus: str = ""

    def value(self, get: Callable[[str], Any]) -> Any:
        """The part's value from ``get(name)`` (numbers or arrays); ``None`` when not given."""
        part = get(self.part)
        if not self.plus or part is None:
            return part
        other = get(self.plus)
        return None if other is None else part + other


def number(value: Any) -> str:
    """A value as the messages show it: ``-3``, ``2.5``, ``1152921504606846976``, ``1e+300``."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return f"{value:g}"


@functools.cache
def value_problems(
    rule: FieldRule, floor: Callable[[Any], Any] = math.floor
) -> tuple[tuple[Callable[[Any], Any], Callable[[Any], str]], ...]:
    """The tests of ``rule``, in order, for a number or an array of them (NaN passes).

    :param floor: the floor function of the values: :func:`math.floor` for a
        number (the default), ``numpy.floor`` for an array.
    :return: pairs (test, message): ``test(value)`` is true (or an array, true
        where) the value breaks the rule; ``message(v)`` describes a failing ``v``.
        A number is tested in order and stops at the first failure (a later
        test may assume the earlier ones passed).
    """
    return tuple((test, message) for test, message, _ in value_tests(rule, floor))


@functools.cache
def value_tests(
    rule: FieldRule, floor: Callable[[Any], Any] = math.floor
) -> tuple[tuple[Callable[[Any], Any], Callable[[Any], str], bool], ...]:
    """:func:`value_problems` with, for each test, whether it is a bound.

    A bound's test fails for a value beyond some limit and passes for every
    value between two that pass it (not negative, not infinite, at most 100):
    testing a column's least and greatest values decides it for the whole
    column. The test of wholeness is not a bound. The tests are made once per
    rule and floor function (cached).

    >>> [bound for *_, bound in value_tests(FIELD_RULES["households"])]
    [True, True, False, True]
    """
    tests: list[tuple[Callable[[Any], Any], Callable[[Any], str], bool]] = [
        (lambda v: abs(v) == _INFINITY, lambda v: f"{number(v)} is not a finite number", True),
        (lambda v: v < 0, lambda v: f"{number(v)} is negative", True),
    ]
    if rule.whole:
        # NaN and infinity give NaN here, which is not > 0.
        tests.append((lambda v: (v - floor(v)) > 0, _not_whole, False))
        tests.append(
            (
                lambda v: v >= EXACT_COUNT,
                lambda v: f"{number(v)} is too large to count exactly",
                True,
            )
        )
    if rule.most is not None:
        most, template = rule.most, rule.most_message
        tests.append((lambda v: v > most, lambda v: template.format(value=number(v)), True))
    return tuple(tests)


def near_whole(number: float) -> float | None:
    """The whole number a count read with a float's error is, or ``None`` if it is none.

    ``0.07万`` is 700.0000000000001 in binary: a whole number all the same. A
    nonzero number is never taken for 0 (``1e-320`` households is not none).

    >>> near_whole(700.0000000000001), near_whole(2.5), near_whole(1e-320), near_whole(1e400)
    (700.0, None, None, None)
    """
    if not math.isfinite(number):  # a text of 400 nines is inf: not a whole number
        return None
    whole = float(round(number))
    if abs(number - whole) > 1e-9 * max(1.0, abs(number)) or (whole == 0 and number != 0):
        return None
    return whole


def _not_whole(value: Any) -> str:
    return f"{number(value)} is not a whole number"


_INFINITY: Final = float("inf")

#: The numeric fields of a community and its staff, and of a facility (by
#: attribute name), with their rules.
FIELD_RULES: Final[Mapping[str, FieldRule]] = types.MappingProxyType(
    {
        rule.name: rule
        for rule in (
            FieldRule("households", whole=True),
            FieldRule("population", whole=True),
            FieldRule("building_area"),
            FieldRule(
                "elderly_monthly_visit_rate", most=100.0, most_message="{value}% is more than 100%"
            ),
            FieldRule("social_organisations", whole=True),
            FieldRule("registered_volunteers", whole=True),
            FieldRule("community_workers", whole=True),
            FieldRule("social_workers", whole=True),
            FieldRule("disaster_information_officers", whole=True),
            FieldRule("trained_workers", whole=True),
            FieldRule("floor_area"),
            FieldRule("activity_area"),
            FieldRule("office_area"),
            FieldRule(
                "opening_hours", most=24.0, most_message="{value} h/day is more than a day has"
            ),
        )
    }
)

#: The numeric fields of :class:`~cssp.model.community.Community` itself, of its
#: :class:`~cssp.model.community.Staff` and of a :class:`~cssp.model.community.Facility`.
COMMUNITY_VALUES: Final = (
    "households",
    "population",
    "building_area",
    "elderly_monthly_visit_rate",
    "social_organisations",
    "registered_volunteers",
)
STAFF_VALUES: Final = (
    "community_workers",
    "social_workers",
    "disaster_information_officers",
    "trained_workers",
)
FACILITY_VALUES: Final = ("floor_area", "activity_area", "office_area", "opening_hours")

#: Parts that cannot exceed their whole: in a facility, and in the staff.
PART_RULES: Final = (
    PartRule(
        "activity_area", "floor_area", "{part} m² is larger than the floor area of {whole} m²"
    ),
    PartRule("office_area", "floor_area", "{part} m² is larger than the floor area of {whole} m²"),
    PartRule(
        "activity_area",
        "floor_area",
        "the activity and office areas add up to {part} m², more than the floor area of {whole} m²",
        plus="office_area",
    ),
    PartRule(
        "trained_workers",
        "community_workers",
        "{part} trained workers but only {whole} community workers",
    ),
)


#: A part's test: true (or, for arrays, true where) the part exceeds its whole.
EXCEEDS: Final = operator.gt


def part_problem(rule: PartRule, part: Any, whole: Any) -> tuple[Any, Callable[[Any, Any], str]]:
    """The test of ``rule`` (numbers or arrays; NaN passes) and its message."""
    return EXCEEDS(part, whole), lambda p, w: rule.message.format(part=number(p), whole=number(w))


def check_values(owner: object, names: tuple[str, ...]) -> frozenset[str]:
    """Raise for the first rule a field of ``owner`` breaks (``None`` fields pass).

    A value written as approximate (:class:`~cssp.units.Approximate`) is
    replaced by its plain number.

    :return: the names of the fields whose values were approximate.
    :raises InputError: naming the field.
    """
    return checker(names)(owner)


def check_parts(owner: object, rules: tuple[PartRule, ...]) -> None:
    """Raise when a part of ``owner`` exceeds its whole (both given).

    :raises InputError: naming the part.
    """
    checker((), rules)(owner)


@functools.cache
def checker(
    names: tuple[str, ...], parts: tuple[PartRule, ...] = ()
) -> Callable[[object], frozenset[str]]:
    """One function that checks an object as :func:`check_values` (``names``) and then
    :func:`check_parts` (``parts``) do, made once from the rules.

    The model's classes are built hundreds of thousands of times in a run, so each
    checks its values with one call: each field's quick test (:func:`_quick`) written
    inline, its rules (:func:`value_problems`, for the message) run only when the quick
    test fails. The function is written as Python source from the rules and compiled,
    as attrs writes a class's ``__init__``.
    """
    namespace: dict[str, Any] = {
        **_QUICK_NAMES,
        "NOT_APPROXIMATE": NOT_APPROXIMATE,
        "MARKED": _MARKED,
        "Approximate": Approximate,
        "setattr_": object.__setattr__,
    }
    lines = ["def check(owner):", "    approximate = NOT_APPROXIMATE"]
    for i, name in enumerate(names):
        rule = FIELD_RULES[name]
        namespace[f"fail{i}"] = _failer(name, value_problems(rule))
        namespace[f"name{i}"] = frozenset({name})
        # an int is whole without a call of floor (t: its type as given, an int's is int)
        quick = _quick(rule).replace("v == floor(v)", "(t is int or v == floor(v))")
        lines += [
            f"    v = owner.{name}",
            "    if v is not None:",
            "        t = type(v)",
            "        if t is not float and t is not int and isinstance(v, MARKED):",
            "            v = float(v) if t is Approximate else int(v)",
            f"            setattr_(owner, {name!r}, v)",
            f"            approximate = approximate | name{i}",
            f"        if not ({quick}):",
            f"            fail{i}(v)",
        ]
    for j, part in enumerate(parts):
        namespace[f"part{j}"] = _part_failer(part)
        lines += [
            f"    w = owner.{part.whole}",
            "    if w is not None:",
            f"        p = owner.{part.part}",
        ]
        if part.plus:
            lines += [
                "        if p is not None:",
                f"            q = owner.{part.plus}",
                "            p = None if q is None else p + q",
            ]
        lines += ["        if p is not None and p > w:", f"            part{j}(p, w)"]
    lines.append("    return approximate")
    exec("\n".join(lines), namespace)
    check: Callable[[object], frozenset[str]] = namespace["check"]
    return check


def _failer(name: str, tests: Any) -> Callable[[Any], None]:
    """Raise for the first of ``tests`` that ``value`` fails (none fails for NaN)."""

    def fail(value: Any) -> None:
        for test, message in tests:
            if test(value):
                raise InputError(message(value), name)

    return fail


def _part_failer(rule: PartRule) -> Callable[[Any, Any], None]:
    def fail(part: Any, whole: Any) -> None:
        failed, message = part_problem(rule, part, whole)
        if failed:
            raise InputError(message(part, whole), rule.part)

    return fail


#: The names the quick tests use.
_QUICK_NAMES: Final = {"EXACT_COUNT": EXACT_COUNT, "INFINITY": _INFINITY, "floor": math.floor}


def _quick(rule: FieldRule) -> str:
    """The quick test of a value ``v`` of ``rule``'s field, as Python source: one comparison
    chain, true exactly when no test of :func:`value_problems` fails, NaN aside (which the
    tests then let pass)."""
    chain = "0 <= v < EXACT_COUNT" if rule.whole else "0 <= v < INFINITY"
    if rule.most is not None:
        assert math.isfinite(rule.most), rule  # a bound written as a number in the source
        chain += f" and v <= {float(rule.most)!r}"
    return chain + (" and v == floor(v)" if rule.whole else "")


def _checks(name: str) -> tuple[Callable[[Any], bool], Any]:
    """``name``'s quick test (:func:`_quick`) as a function, and its tests."""
    rule = FIELD_RULES[name]
    passes: Callable[[Any], bool] = eval(f"lambda v: {_quick(rule)}", dict(_QUICK_NAMES))
    return passes, value_problems(rule)


#: No field is approximate.
NOT_APPROXIMATE: Final[frozenset[str]] = frozenset()
_MARKED: Final = (Approximate, ApproximateCount)


# --- whole columns -------------------------------------------------------------------
# A reader that has converted a chunk of a table into columns checks them here at once,
# then builds the objects without checking each again (cssp.model.bulk). Each test is
# sufficient, not necessary: a column it does not pass is built object by object, and the
# objects say what is wrong.

#: The type a field keeps a value of, as given: a count's int, an amount's float.
_KEPT: Final = {False: float, True: int}
_NONE: Final = type(None)


def column_keeps(name: str, values: Sequence[Any]) -> bool:
    """Whether every value of the column ``values`` of the numeric field ``name`` (``None``
    where none is given) is one its class keeps as it is and breaks none of its rules.

    Each value must be of the type the field keeps (an int for a count, a float
    otherwise; not an approximate one), a float finite; the bounds of
    :func:`value_tests` are tested on the column's least and greatest values, and
    wholeness holds for an int.
    """
    rule = FIELD_RULES[name]
    given = values if None not in values else [v for v in values if v is not None]
    if not given:
        return True
    kept = _KEPT[rule.whole]
    if set(map(type, given)) != {kept} or (kept is float and not all(map(math.isfinite, given))):
        return False
    low, high = min(given), max(given)
    for test, _, bound in value_tests(rule):
        if not bound:
            assert rule.whole, rule  # the test of wholeness, which an int keeps
        elif test(low) or test(high):
            return False
    return True


def parts_keep(rules: Iterable[PartRule], column: Callable[[str], Sequence[Any]]) -> bool:
    """Whether no part exceeds its whole in any row of the columns (``column(name)``, of
    values :func:`column_keeps` passed; a part or whole not given passes)."""
    for rule in rules:
        part, whole = column(rule.part), column(rule.whole)
        if rule.plus:
            other = column(rule.plus)
            if None in part or None in other:
                part = [_sum(p, q) for p, q in zip(part, other, strict=True)]
            else:
                part = list(map(operator.add, part, other))
        if None in part or None in whole:
            given = list(map(_both, part, whole))
            part, whole = list(compress(part, given)), list(compress(whole, given))
        if any(map(EXCEEDS, part, whole)):
            return False
    return True


def _sum(part: Any, other: Any) -> Any:
    return None if part is None or other is None else part + other


def _both(part: object, whole: object) -> bool:
    return part is not None and whole is not None


def codes_rural(codes: Sequence[object]) -> list[bool] | None:
    """Whether each code is rural, when every one is a 12-digit code :func:`code_rural`
    accepts with digits 10–12 that say (``None`` otherwise: each code then says why)."""
    if set(map(type, codes)) != {str}:
        return None
    texts = cast("Sequence[str]", codes)
    if set(map(len, texts)) != {12}:
        return None
    digits = "".join(texts)
    if not (digits.isascii() and digits.isdigit()):
        return None
    if not set(map(_PROVINCE_DIGITS, texts)) <= PROVINCES_BY_CODE.keys():
        return None
    villages = list(map(_VILLAGE_DIGITS, texts))
    rural = {village: _RURAL[int(village)] for village in set(villages)}
    if None in rural.values():
        return None
    return list(map(rural.__getitem__, villages))  # type: ignore[arg-type]


_PROVINCE_DIGITS: Final = operator.itemgetter(slice(0, 2))
_VILLAGE_DIGITS: Final = operator.itemgetter(slice(9, 12))


def problems_of(
    values: Mapping[str, Any], names: Iterable[str], parts: Iterable[PartRule] = ()
) -> list[tuple[str, str]]:
    """Every rule the ``values`` break, as ``(name, message)``: not only the first.

    For each of ``names`` whose value is given (not ``None``), the first rule
    of :data:`FIELD_RULES` it breaks; then each of ``parts`` whose part and
    whole are both given and fine. The readers list a row's problems with it;
    the model's classes stop at the first (:func:`check_values`, :func:`check_parts`).
    """
    found: list[tuple[str, str]] = []
    for name in names:
        value = values.get(name)
        if value is None:
            continue
        try:
            for test, message in value_problems(FIELD_RULES[name]):
                if test(value):
                    found.append((name, message(value)))
                    break
        except (OverflowError, TypeError):  # not a number: the model's converter says so
            continue
    bad = {name for name, _ in found}
    for rule in parts:
        if bad.intersection((rule.part, rule.plus, rule.whole)):
            continue  # a part already wrong makes no sum
        try:
            part, whole = rule.value(values.get), values.get(rule.whole)
            if part is None or whole is None:
                continue
            failed, describe = part_problem(rule, part, whole)
            if failed:
                found.append((rule.part, describe(part, whole)))
                bad.add(rule.part)
        except (OverflowError, TypeError):
            continue
    return found


# --- codes -------------------------------------------------------------------------

#: Digits 10–12 of a community's 12-digit code, by range: ``(low, high, rural,
#: committee)``. The National Bureau of Statistics' coding rules
#: (统计用区划代码和城乡划分代码编制规则, 二(二)2 村级代码编码方法, as published by
#: the Gansu statistics bureau, tjj.gansu.gov.cn) give 001–399 to the village-level
#: units civil affairs recognise — 001–199 residents' committees (居民委员会),
#: 200–399 villagers' committees (村民委员会) — and 400–599 to those it does not
#: (parks, industrial and mining areas, farms), listed as units like a residents'
#: committee (类似居民委员会) and like a villagers' committee (类似村民委员会). The
#: copies read gave the split as 400–499 and 500–599 only in part; the bureau's own
#: lists bear it out: 360113005400 龙岗渔业管理站社区, 654203500500 泉水地社区村委会
#: (a 兵团 unit), 522632210500 摆拉村委会 (which replaced 522632210207).
VILLAGE_RANGES: Final = (
    (1, 199, False, "a residents' committee"),
    (200, 399, True, "a villagers' committee"),
    (400, 499, False, "a unit like a residents' committee"),
    (500, 599, True, "a unit like a villagers' committee"),
)
#: The messages of a code that breaks a rule, templates with ``{code}`` (its repr).
CODE_NOT_TWELVE_DIGITS: Final = "{code} is not a 12-digit statistical division code"
CODE_NO_PROVINCE: Final = "{code} does not start with a province code (11–65)"
CODE_VILLAGE_DIGITS: Final = (
    "{code}: digits 10–12 must be 001–199 (residents' committee), 200–399 (villagers' "
    "committee), 400–499 or 500–599 (units like them, 类似居委会 / 类似村委会)"
)


def code_rural(code: object) -> tuple[str | None, bool | None]:
    """A community's code checked: ``(problem, rural)``.

    ``problem`` is the message of the first rule the code breaks (``None``
    when it keeps them all). ``rural`` says whether digits 10–12 are a
    villagers' committee or a unit like one; it is ``None`` for a township's
    9 digits or a county's 6, the code of a community placed by the names of
    its divisions (:data:`PLACED_LENGTHS`), which has no committee digits.
    """
    if not isinstance(code, str) or not code.isascii() or not code.isdigit():
        return CODE_NOT_TWELVE_DIGITS.format(code=repr(code)), None
    if len(code) != 12:
        if len(code) not in PLACED_LENGTHS:
            return CODE_NOT_TWELVE_DIGITS.format(code=repr(code)), None
        if code[:2] not in PROVINCES_BY_CODE:
            return CODE_NO_PROVINCE.format(code=repr(code)), None
        if not is_known_division(code):
            return CODE_NOT_A_DIVISION.format(code=repr(code)), None
        return None, None
    if code[:2] not in PROVINCES_BY_CODE:
        return CODE_NO_PROVINCE.format(code=repr(code)), None
    rural = _RURAL[int(code[9:])]
    if rural is None:
        return CODE_VILLAGE_DIGITS.format(code=repr(code)), None
    return None, rural


#: The lengths of the code of a community placed by the names of its divisions:
#: its township's 9 digits, or its county's 6.
PLACED_LENGTHS: Final = (9, 6)
CODE_NOT_A_DIVISION: Final = (
    "{code} is no township (9 digits) or county (6 digits) of the division list, which a "
    "community without a 12-digit code is placed in"
)


def village_rural(village: Any) -> tuple[Any, Any]:
    """Whether digits 10–12 (a number, or an array) are a known unit, and whether rural."""
    known: Any = False
    rural: Any = False
    for low, high, is_rural, _ in VILLAGE_RANGES:
        inside = (village >= low) & (village <= high)
        known = known | inside
        if is_rural:
            rural = rural | inside
    return known, rural


#: For each value of digits 10–12 (0–999): whether it is rural, ``None`` if it is no unit.
_RURAL: Final = tuple(
    bool(rural) if known else None
    for known, rural in (village_rural(village) for village in range(1000))
)


def committee(village: int) -> str:
    """What digits 10–12 (a number) stand for: ``"a villagers' committee"`` …; ``""`` if unknown."""
    for low, high, _, words in VILLAGE_RANGES:
        if low <= village <= high:
            return words
    return ""
