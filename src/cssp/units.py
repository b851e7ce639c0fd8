"""Units: one pint registry, cssp's own units, and the notation of the plan.

cssp keeps exactly one :class:`pint.UnitRegistry` (:func:`get_registry`, also
available as ``cssp.units.ureg``). It adds the units the plan counts in:

==========================  ======================  =========================
unit                        Chinese                 note
==========================  ======================  =========================
``household``               户                      its own dimension
``person``                  人, 名                  its own dimension
``hundred_households``      百户                    100 households
``ten_thousand_persons``    万人                    10,000 persons
``mu``                      亩                      10000/15 m²
``place``                   托位, 床位              its own dimension
==========================  ======================  =========================

A person never converts to a household: each is a base dimension of its own.

Values arrive in the notation of the plan and of Chinese spreadsheets, which
:func:`parse_quantity` understands::

    >>> parse_quantity("29.8平方米")
    <Quantity(29.8, 'meter ** 2')>
    >>> parse_quantity("8小时/天").to("hour/day").magnitude
    8.0
    >>> parse_threshold("≥30平方米/百户")
    ('>=', <Quantity(30.0, 'meter ** 2 / hundred_households')>)

Model fields are stored as plain floats in a canonical unit. Conversion happens
once, on construction, through :func:`to_canonical`, which caches the
conversion factor of every unit text it has seen, so pint is not paid per value
and never in the evaluation hot path.
"""

from __future__ import annotations

import contextlib
import math
import re
import threading
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from cssp.errors import UnitError

if TYPE_CHECKING:  # pragma: no cover - typing only; pint is imported lazily
    import pint

__all__ = [
    "AMBIGUOUS_PERCENT",
    "APPROXIMATE_AFTER",
    "APPROXIMATE_BEFORE",
    "AREA",
    "HOURS_PER_DAY",
    "HOUSEHOLDS",
    "PERCENT",
    "PERSONS",
    "Q_",
    "Approximate",
    "ApproximateCount",
    "chinese_number",
    "describe_dimension",
    "get_registry",
    "parse_quantity",
    "parse_threshold",
    "ratio_scale",
    "setup_registry",
    "threshold_in",
    "to_canonical",
    "underflows",
]

#: Canonical unit of areas (floor area, building area, activity area).
AREA: Final = "meter ** 2"
#: Canonical unit of household counts.
HOUSEHOLDS: Final = "household"
#: Canonical unit of person counts (population, staff).
PERSONS: Final = "person"
#: Canonical unit of opening hours.
HOURS_PER_DAY: Final = "hour / day"
#: Canonical unit of rates and shares.
PERCENT: Final = "percent"

#: cssp's own unit definitions, in pint's definition syntax.
DEFINITIONS: Final = (
    "household = [household] = hh",
    "person = [person]",
    "hundred_households = 100 * household",
    "ten_thousand_persons = 10000 * person",
    "thousand_persons = 1000 * person",
    "mu = 10000 / 15 * meter ** 2",
    "place = [place]",
)

# Chinese (and typographic) unit words, longest first, to pint names.
_CHINESE_UNITS: Final = (
    ("平方公里", " km**2 "),
    ("平方千米", " km**2 "),
    ("平方米", " m**2 "),
    ("平米", " m**2 "),
    ("㎡", " m**2 "),
    ("公顷", " hectare "),
    ("万人", " ten_thousand_persons "),
    ("千人", " thousand_persons "),
    ("百户", " hundred_households "),
    ("小时", " hour "),
    ("分钟", " minute "),
    ("亩", " mu "),
    ("托位", " place "),
    ("床位", " place "),
    ("户", " household "),
    ("人", " person "),
    ("名", " person "),
    ("个", " dimensionless "),
    ("天", " day "),
    ("日", " day "),
    ("周", " week "),
    ("年", " year "),
    ("每", " / "),
)

_COMPARATORS: Final = {
    ">=": ">=",
    "≥": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "不小于": ">=",
    "<=": "<=",
    "≤": "<=",
    "不高于": "<=",
    "不超过": "<=",
    "不大于": "<=",
    ">": ">",
    "<": "<",
    "==": "==",
    "=": "==",
}

_NUMBER = re.compile(
    r"""^\s*
    (?P<cmp>>=|<=|==|≥|≤|>|<|=|不低于|不少于|不小于|不高于|不超过|不大于)?\s*
    (?P<num>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][-+]?\d+)?|[-+]?\.\d+(?:[eE][-+]?\d+)?)
    \s*(?P<wan>万(?!人))?
    \s*(?P<unit>.*?)\s*$""",
    re.VERBOSE,
)

_TRAILING_NUMBER: Final = re.compile(r"(?:^|\s)[\d.]+\s*$")

# pint evaluates the numbers of a unit with Python's arithmetic, so a power of a
# power ("m**9**9**9") would compute a number of 370 million digits, for minutes.
# A unit may hold a few powers of one digit each (m**2, m^3, h**-1), never chained.
_POWER: Final = re.compile(
    r"\*\*\s*(?:[-+]?\d(?:\.\d+)?|\(\s*[-+]?\d(?:\.\d+)?\s*\))"  # ** and one digit
    r"(?!\s*(?:\*\*|\d))"  # not followed by another power, nor by a second digit
)
_MAX_POWERS: Final = 4

_registry: pint.UnitRegistry | None = None
_registry_lock = threading.Lock()
# (unit text, canonical unit) -> factor such that value * factor is canonical.
_factor_cache: dict[tuple[str, str], float] = {}
# raw unit text as written -> pint unit text
_unit_texts: dict[str, str] = {}
_FACTOR_CACHE_LIMIT: Final = 8192


def setup_registry(registry: pint.UnitRegistry) -> pint.UnitRegistry:
    """Add cssp's units to ``registry`` and return it.

    For callers who keep their own registry (for example pint's application
    registry). cssp itself always uses :func:`get_registry`; quantities from
    another registry are converted at the boundary by :func:`to_canonical`.

    :param registry: a pint registry without cssp's definitions.
    :return: the same registry.
    """
    for definition in DEFINITIONS:
        registry.define(definition)
    return registry


def get_registry() -> pint.UnitRegistry:
    """Return cssp's one unit registry, creating it on first use.

    pint is imported only here, so ``import cssp`` and ``cssp --version`` stay
    fast. The registry caches pint's parsed definitions on disk
    (``cache_folder=":auto:"``) and refuses redefinitions.
    """
    global _registry  # noqa: PLW0603 - the one registry, created once
    if _registry is None:
        with _registry_lock:
            if _registry is None:
                import pint  # noqa: PLC0415 - lazy: pint costs start-up time

                registry = pint.UnitRegistry(cache_folder=":auto:", on_redefinition="raise")
                _registry = setup_registry(registry)
    return _registry


def Q_(value: float, unit: str) -> pint.Quantity:
    """Build a quantity in cssp's registry (faster than parsing a string).

    >>> Q_(30, "m**2 / hundred_households")
    <Quantity(30, 'meter ** 2 / hundred_households')>
    """
    return get_registry().Quantity(value, unit)


def _normalise(text: str) -> str:
    # Superscripts first: NFKC would turn "m²" into "m2", which pint rejects.
    text = text.replace("㎡", " m**2 ").replace("²", "**2").replace("³", "**3").replace("^", "**")
    text = unicodedata.normalize("NFKC", text)  # full-width digits, ％, ＞ ...
    return text.replace("％", "%").replace("≧", "≥").replace("≦", "≤")


def _unit_text(unit: str) -> str:
    unit = unit.strip()
    for word, name in _CHINESE_UNITS:
        unit = unit.replace(word, name)
    unit = unit.strip()
    if unit.startswith("/"):
        unit = "1 " + unit
    return unit or "dimensionless"


def _split(text: str, field: str, original: str | None = None) -> tuple[str | None, float, str]:
    """Split ``"≥30平方米"`` into comparator, number and pint unit text.

    ``original`` is the text as given, for messages (``text`` may be a part of it).
    """
    return _split_match(
        _NUMBER.match(_normalise(text)), field, text if original is None else original
    )


def _split_match(
    match: re.Match[str] | None, field: str, original: str
) -> tuple[str | None, float, str]:
    """The comparator, number and pint unit text of a match of ``_NUMBER``."""
    if match is None:
        raise UnitError(
            f"{original!r} is not a number with an optional unit (such as '420 m²' or '420平方米')",
            field,
        )
    number = float(match["num"].replace(",", ""))
    if number == 0.0 and underflows(match["num"]):
        raise UnitError(
            f"{original!r} is too small to be a count, an area or a share: it is not 0, but "
            "below the smallest number cssp can hold (about 5e-324)",
            field,
        )
    if match["wan"]:
        number *= 10_000
    comparator = _COMPARATORS[match["cmp"]] if match["cmp"] else None
    raw = match["unit"]
    if raw and (raw[0] in "0123456789.," or "," in raw or _TRAILING_NUMBER.search(raw)):
        # '12,00户', '1,2345户', '3 2平方米', '350 m² 2': pint would evaluate the
        # stray digits and misread the value; refuse instead.
        raise UnitError(
            f"{original!r} is not a number with an optional unit (such as '1200户' or '1,200户')",
            field,
        )
    unit = _unit_texts.get(raw)
    if unit is None:
        unit = _unit_text(raw)
        if len(_unit_texts) < _FACTOR_CACHE_LIMIT:
            _unit_texts[raw] = unit
    return comparator, number, unit


def parse_quantity(text: str) -> pint.Quantity:
    """Parse a number with a unit, in SI or Chinese notation.

    Understands ``"420 m²"``, ``"420 m^2"``, ``"420平方米"``, ``"65.7%"``,
    ``"15人"``, ``"8小时/天"``, ``"3亩"``, ``"1,200户"``, ``"433.8万人"`` and
    full-width digits. A leading comparator is not allowed here (see
    :func:`parse_threshold`).

    :raises UnitError: if the text is not a number with a known unit.
    """
    comparator, number, unit = _split(text, "")
    if comparator is not None:
        raise UnitError(f"{text!r} has a comparator; use parse_threshold for targets")
    return _expression(unit, text, "") * number


def parse_threshold(text: str) -> tuple[str, pint.Quantity]:
    """Parse a target such as ``"≥30平方米"`` into ``(">=", quantity)``.

    The comparator defaults to ``">="`` when the text has none, which is how
    the plan's columns read ("80%" means "at least 80%").
    """
    comparator, number, unit = _split(text, "")
    return comparator or ">=", _expression(unit, text, "") * number


def threshold_in(text: str, canonical: str, field: str) -> tuple[str, float]:
    """Read a target such as ``"≥32 m^2 / (100 household)"`` in the ``canonical`` unit.

    The comparator defaults to ``">="``; a bare number is taken in the
    canonical unit; anything with a unit is converted exactly as
    :func:`to_canonical` converts values (same dimension checks).

    >>> threshold_in("≥18 person / (10000 person)", "person / ten_thousand_persons", "t")
    ('>=', 18.0)

    :raises UnitError: naming ``field``.
    """
    comparator, number, unit = _split(text, field)
    value = number if unit == "dimensionless" else number * _factor(unit, canonical, text, field)
    return comparator or ">=", _finite(value, text, field)


def ratio_scale(numerator: str, denominator: str, unit: str) -> float:
    """The factor that turns ``numerator ÷ denominator`` into ``unit``.

    >>> ratio_scale("meter ** 2", "household", "meter ** 2 / hundred_households")
    100.0

    :raises UnitError: when the ratio's dimension does not fit ``unit``.
    """
    for text in (numerator, denominator, unit):
        _check_powers(text, text, "")
    try:
        quantity = get_registry().Quantity(1, f"({numerator}) / ({denominator})")
        value = float(quantity.to(unit).magnitude)
    except Exception as error:  # pint's DimensionalityError and friends
        raise UnitError(f"({numerator}) / ({denominator}) does not fit {unit!r}: {error}") from None
    nearest = round(value)
    return float(nearest) if nearest and abs(value - nearest) <= 1e-12 * abs(value) else value


def _check_powers(unit: str, original: str, field: str) -> None:
    """Refuse a unit whose powers pint could take ages to compute (see :data:`_POWER`)."""
    if "**" not in unit:
        return
    starts = [match.start() for match in re.finditer(r"\*\*", unit)]
    if len(starts) > _MAX_POWERS or any(_POWER.match(unit, at) is None for at in starts):
        raise UnitError(
            f"{original!r}: a unit's powers are single digits, such as m**2 or m^3, "
            "at most four of them and never a power of a power",
            field,
        )


def _expression(unit: str, original: str, field: str) -> pint.Quantity:
    _check_powers(unit, original, field)
    registry = get_registry()
    try:
        return registry.parse_expression(unit)
    except Exception:  # pint raises several unrelated types here
        raise UnitError(
            f"{original!r}: the unit is not one cssp knows (such as 平方米 or m², 户, 人, "
            "小时/天, %, 亩)",
            field,
        ) from None


_DIMENSION_NAMES: Final = {
    frozenset({("[length]", 2)}): "an area, such as '420 m²'",
    frozenset({("[length]", 1)}): "a length",
    frozenset({("[length]", 3)}): "a volume",
    frozenset({("[mass]", 1)}): "a mass",
    frozenset({("[time]", 1)}): "a duration",
    frozenset({("[person]", 1)}): "a number of persons, such as '15人'",
    frozenset({("[household]", 1)}): "a number of households, such as '1200户'",
    frozenset({("[place]", 1)}): "a number of places (托位, 床位)",
    frozenset(): "a plain number or a percentage, such as '65.7%'",
    frozenset({("[length]", 2), ("[household]", -1)}): "an area per household",
    frozenset({("[person]", 1), ("[household]", -1)}): "persons per household",
}


def describe_dimension(unit: str) -> str:
    """Describe, in words, the kind of quantity ``unit`` measures.

    >>> describe_dimension("kg")
    'a mass'
    """
    dimensionality = get_registry().parse_expression(unit).dimensionality
    key = frozenset((str(name), int(power)) for name, power in dict(dimensionality).items())
    return _DIMENSION_NAMES.get(key, f"a quantity of dimension {dimensionality}")


def _has_time(quantity: pint.Quantity) -> bool:
    registry = get_registry()
    return any(
        "[time]" in dict(registry.get_dimensionality(name)) for name in dict(quantity._units)
    )


def _factor(unit: str, canonical: str, original: str, field: str) -> float:
    key = (unit, canonical)
    cached = _factor_cache.get(key)
    if cached is not None:
        return cached
    parsed = _expression(unit, original, field)
    _check_powers(canonical, canonical, field)
    target = get_registry().parse_units(canonical)
    # hour/day and percent are both dimensionless to pint; keep them apart.
    wants_time = canonical == HOURS_PER_DAY
    if parsed.dimensionality != target.dimensionality or (
        wants_time != _has_time(parsed) and parsed.dimensionless
    ):
        found = "hours per day" if _has_time(parsed) and parsed.dimensionless else None
        found = found or describe_dimension(unit)
        expected = "hours per day, such as '8 h/day' or '8小时/天'" if wants_time else None
        expected = expected or describe_dimension(canonical)
        raise UnitError(f"{original!r} is {_strip_example(found)}, expected {expected}", field)
    if str(parsed.units) == "percent" and canonical not in (PERCENT, "dimensionless"):
        raise UnitError(f"{original!r} is a percentage, but this is measured in {canonical}", field)
    factor = float(parsed.to(target).magnitude)
    if len(_factor_cache) < _FACTOR_CACHE_LIMIT:
        _factor_cache[key] = factor
    return factor


def _strip_example(description: str) -> str:
    return description.split(", such as", maxsplit=1)[0]


def to_canonical(
    value: object, canonical: str, field: str, *, factor: float | None = None
) -> float:
    """Convert one input value to a float in the ``canonical`` unit.

    Accepted inputs:

    * a bare ``int`` or ``float``, taken to be in the canonical unit already;
    * a string with a unit, in any notation :func:`parse_quantity` reads;
    * a pint quantity (from cssp's registry, or from another registry, in which
      case it is re-read by its unit name in cssp's registry);
    * a mapping ``{"value": 350, "unit": "m^2"}``.

    A string may be written as people write values: ``约1000平方米`` (an
    :class:`Approximate` value), ``一千二百`` (:func:`chinese_number`),
    ``120+280平方米`` (a sum), opening hours as ``8:30-17:30``. A range
    (``110-150``) is refused, and so, for a percent, is a bare number of 0 to 1
    (:data:`AMBIGUOUS_PERCENT`).

    :param value: the input.
    :param canonical: the field's canonical unit, e.g. :data:`AREA`.
    :param field: the field's name, used in error messages.
    :param factor: for a string, the factor from the unit its bare numbers are
        in (a table header's) to ``canonical``; by default they are in the
        canonical unit.
    :raises UnitError: for a wrong dimension or an unknown unit, naming ``field``.
    """
    if isinstance(value, bool):
        raise UnitError(f"{value!r} is a yes/no value, expected a number", field)
    if isinstance(value, int | float):
        if type(value) is Approximate and math.isfinite(value):
            return value  # read as written already: keep the mark
        return _finite(_float(value, field), value, field)
    if isinstance(value, str):
        return _from_text(value, canonical, field, factor)
    if isinstance(value, Mapping):
        return _from_mapping(value, canonical, field)
    quantity = _as_quantity(value)
    if quantity is not None:
        magnitude, unit_name = quantity
        factor = _factor(unit_name, canonical, f"{magnitude} {unit_name}", field)
        return _finite(magnitude * factor, value, field)
    raise UnitError(
        f"{value!r} ({type(value).__name__}) is not a number, a quantity or a string", field
    )


# --- values as people write them --------------------------------------------------


class Approximate(float):
    """A value written as approximate: ``约1000平方米``, ``5200余人``, ``3000多户``, ``近百人``,
    ``1000左右``. The number is kept; the type says it is approximate.

    :func:`to_canonical` returns one for such a text; the model records which
    of its fields are approximate (``Community.approximate``) and stores plain
    numbers.
    """

    __slots__ = ()


class ApproximateCount(int):
    """A whole number written as approximate (``5200余人``): see :class:`Approximate`."""

    __slots__ = ()


#: Words that make a value approximate, before the number and after it.
APPROXIMATE_BEFORE: Final = ("大约", "约为", "将近", "接近", "大概", "约", "近")
APPROXIMATE_AFTER: Final = ("左右", "上下", "余", "多")
#: The message of a bare number of 0 to 1 in a percent column (``0.5``: 0.5% or 50%?).
AMBIGUOUS_PERCENT: Final = (
    "{value!r} could be a share (50% for 0.5) or a percentage (0.5%): write it with its "
    "sign, such as '50%' or '0.5%', or as a fraction, such as '1/2'"
)

_CN_DIGITS: Final = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_UNITS: Final = {"十": 10, "百": 100, "千": 1000}
_CN_BIG: Final = {"万": 10_000, "亿": 100_000_000}
_CN_NUMBER: Final = re.compile("[零〇一二两三四五六七八九十百千万亿]+")
_AFTER_NUMBER: Final = re.compile(r"^([-+]?[\d.,]+(?:[eE][-+]?\d+)?\s*万?)\s*(余|多)")
_SUM: Final = re.compile(r"(?<=[^\s+eE])\s*\+\s*(?=\S)")
_RANGE: Final = re.compile(
    r"^\s*(?:[-+]?\d[\d.,]*)\s*(?P<unit>[^\d\s~～—–\-至到*^/]*)\s*[~～—–\-至到]\s*\d"
)
# What, after a number, asks for more than a unit: approximate words, a sum, a range.
_WRITTEN: Final = re.compile(r"[余多左右上下+~～—–\-至到:]")
_CLOCK: Final = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?$")


def chinese_number(text: str) -> int:
    """A number written in Chinese numerals: 一千二百, 三万五千, 两百, 十二, 一千零二.

    As people say it, a last digit after a unit counts in the next unit
    down: 一千二 is 1200, 三万五 is 35000 (一千零二 is 1002).

    >>> chinese_number("一千二百"), chinese_number("近百"[1:]), chinese_number("三万五")
    (1200, 100, 35000)

    :raises ValueError: for text that is not such a number (两个 digits in a row: 一二).
    """
    total = section = 0
    digit: int | None = None
    last = 0  # the last unit met
    zero = False  # a 零 since the last unit
    for char in text:
        if char in _CN_DIGITS:
            if digit is not None:
                raise ValueError(f"{text!r} has two digits in a row")
            digit = _CN_DIGITS[char]
            zero = zero or digit == 0
            if digit == 0:
                digit = None
        elif char in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[char]
            digit, last, zero = None, _CN_UNITS[char], False
        elif char in _CN_BIG:
            section += digit or 0
            total += (section or 1) * _CN_BIG[char]
            section, digit, last, zero = 0, None, _CN_BIG[char], False
        else:
            raise ValueError(f"{char!r} is not a Chinese numeral")
    if digit is not None:
        section += digit * (last // 10 if last >= 100 and not zero else 1)
    return total + section


def _plainly(text: str, original: str, field: str) -> tuple[str, bool]:
    """``text`` with its approximate words taken off and Chinese numerals in digits,
    and whether it was approximate; a range is refused."""
    text = text.strip()
    approximate = False
    for word in APPROXIMATE_BEFORE:
        if text.startswith(word) and len(text) > len(word):
            text, approximate = text[len(word) :].lstrip(), True
            break
    numeral = _CN_NUMBER.match(text)
    if numeral is not None:
        with contextlib.suppress(ValueError):  # not a number after all: _split says so
            text = f"{chinese_number(numeral[0])}{text[numeral.end() :]}"
    after = _AFTER_NUMBER.match(text)
    if after is not None:
        text, approximate = after[1] + text[after.end() :], True
    for word in ("左右", "上下"):
        if text.endswith(word) and len(text) > len(word):
            text, approximate = text[: -len(word)].rstrip(), True
    range_ = _RANGE.match(text)
    if range_ is not None and range_["unit"] not in ("e", "E"):
        raise UnitError(
            f"{original!r} is a range, not one value: write one number (an estimate may say "
            "so: 约130)",
            field,
        )
    return text, approximate


def _clock_hours(text: str) -> float | None:
    """The hours of ``8:30-17:30`` (and ``8:00-12:00、14:00-18:00``), or ``None``."""
    total = 0.0
    for span in re.split(r"\s*[,;、，；]\s*", text.strip()):
        times = re.split(r"\s*[~～—–\-至到]\s*", span)
        if len(times) != 2:
            return None
        clocks = [_CLOCK.match(t) for t in times]
        if any(c is None for c in clocks) or not any(":" in t or "." in t for t in times):
            return None
        start, end = (int(c[1]) * 60 + int(c[2] or 0) for c in clocks if c is not None)
        if not (0 <= start < end <= 24 * 60):
            return None
        total += (end - start) / 60
    return total


def _from_text(value: str, canonical: str, field: str, factor: float | None) -> float:
    """A text value in the canonical unit: a number with its unit, as people write it.

    Bare numbers are in the unit of ``factor`` (``None``: the canonical unit,
    where a share of 0 to 1 in a percent is ambiguous).
    """
    text = _normalise(value).strip()
    match = _NUMBER.match(text)
    if match is not None and not _WRITTEN.search(match["unit"]):  # the common case: 420平方米
        comparator, number, unit = _split_match(match, field, value)
        if comparator is not None:
            raise UnitError(f"{value!r}: a measured value cannot carry {comparator!r}", field)
        if unit != "dimensionless":
            return _finite(number * _factor(unit, canonical, value, field), value, field)
        if factor is not None:
            return _finite(number * factor, value, field)
        if canonical == PERCENT and 0 < number <= 1:
            raise UnitError(AMBIGUOUS_PERCENT.format(value=value), field)
        return _finite(number, value, field)
    if canonical == HOURS_PER_DAY:
        hours = _clock_hours(text)
        if hours is not None:
            return hours
    parts = _SUM.split(text)
    approximate = False
    total = 0.0
    for part in parts:
        plain, near = _plainly(part, value, field)
        approximate = approximate or near
        comparator, number, unit = _split(plain, field, value)
        if comparator is not None:
            raise UnitError(f"{value!r}: a measured value cannot carry {comparator!r}", field)
        if unit == "dimensionless":  # a bare number is in the canonical unit, or factor's
            if factor is not None:
                total += number * factor
                continue
            if canonical == PERCENT and 0 < number <= 1 and len(parts) == 1:
                raise UnitError(AMBIGUOUS_PERCENT.format(value=value), field)
            total += number
        else:
            total += number * _factor(unit, canonical, value, field)
    result = _finite(total, value, field)
    return Approximate(result) if approximate else result


def _from_mapping(value: Mapping[Any, Any], canonical: str, field: str) -> float:
    if set(value) - {"value", "unit"} or "value" not in value:
        raise UnitError(
            f"{dict(value)!r}: a quantity mapping has the keys 'value' and 'unit'", field
        )
    magnitude = value["value"]
    if isinstance(magnitude, bool) or not isinstance(magnitude, int | float):
        raise UnitError(f"{dict(value)!r}: 'value' must be a number", field)
    unit = value.get("unit")
    if unit is None:
        return _finite(_float(magnitude, field), value, field)
    if not isinstance(unit, str):
        raise UnitError(f"{dict(value)!r}: 'unit' must be a string", field)
    text = _unit_text(_normalise(unit))
    number = _float(magnitude, field)
    factor = _factor(text, canonical, f"{number:g} {unit}", field)
    return _finite(number * factor, value, field)


def _as_quantity(value: object) -> tuple[float, str] | None:
    """Return (magnitude, unit text) of a pint quantity of any registry."""
    units = getattr(value, "units", None)
    magnitude = getattr(value, "magnitude", None)
    if units is None or magnitude is None or not hasattr(value, "_REGISTRY"):
        return None
    if isinstance(magnitude, bool) or not isinstance(magnitude, int | float):
        return None
    # Re-reading the unit by name converts quantities of a foreign registry,
    # and keeps cssp's registry the only one whose objects flow further.
    return float(magnitude), str(units)


def underflows(text: str) -> bool:
    """Whether a number's ``text`` that reads as 0.0 is not zero (``1e-400``, not ``0e5``).

    >>> underflows("1e-400"), underflows("0.0e-400"), underflows("0")
    (True, False, False)
    """
    mantissa = text.lower().partition("e")[0]
    return any(digit in mantissa for digit in "123456789")


def _float(number: float, field: str) -> float:
    """``float(number)``; an integer beyond the largest float is an error, not OverflowError."""
    try:
        return float(number)
    except OverflowError:
        digits = math.floor(math.log10(abs(number))) + 1
        raise UnitError(
            f"a number of {digits} digits is not a finite number here "
            "(the largest is about 1.8e308)",
            field,
        ) from None


def _finite(number: float, original: object, field: str) -> float:
    if not math.isfinite(number):
        raise UnitError(f"{original!r} is not a finite number", field)
    return number
