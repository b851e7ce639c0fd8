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
    "AREA",
    "HOURS_PER_DAY",
    "HOUSEHOLDS",
    "PERCENT",
    "PERSONS",
    "Q_",
    "describe_dimension",
    "get_registry",
    "parse_quantity",
    "parse_threshold",
    "ratio_scale",
    "setup_registry",
    "threshold_in",
    "to_canonical",
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


def _split(text: str, field: str) -> tuple[str | None, float, str]:
    """Split ``"≥30平方米"`` into comparator, number and pint unit text."""
    match = _NUMBER.match(_normalise(text))
    if match is None:
        raise UnitError(
            f"{text!r} is not a number with an optional unit (such as '420 m²' or '420平方米')",
            field,
        )
    number = float(match["num"].replace(",", ""))
    if match["wan"]:
        number *= 10_000
    comparator = _COMPARATORS[match["cmp"]] if match["cmp"] else None
    raw = match["unit"]
    if raw and (raw[0] in "0123456789.," or "," in raw or _TRAILING_NUMBER.search(raw)):
        # '12,00户', '1,2345户', '3 2平方米', '350 m² 2': pint would evaluate the
        # stray digits and misread the value; refuse instead.
        raise UnitError(
            f"{text!r} is not a number with an optional unit (such as '1200户' or '1,200户')",
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
    except Exception as error:  # pint raises several unrelated types here
        raise UnitError(f"{original!r}: unknown unit {unit!r} ({error})", field) from None


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


def to_canonical(value: object, canonical: str, field: str) -> float:
    """Convert one input value to a float in the ``canonical`` unit.

    Accepted inputs:

    * a bare ``int`` or ``float``, taken to be in the canonical unit already;
    * a string with a unit, in any notation :func:`parse_quantity` reads;
    * a pint quantity (from cssp's registry, or from another registry, in which
      case it is re-read by its unit name in cssp's registry);
    * a mapping ``{"value": 350, "unit": "m^2"}``.

    :param value: the input.
    :param canonical: the field's canonical unit, e.g. :data:`AREA`.
    :param field: the field's name, used in error messages.
    :raises UnitError: for a wrong dimension or an unknown unit, naming ``field``.
    """
    if isinstance(value, bool):
        raise UnitError(f"{value!r} is a yes/no value, expected a number", field)
    if isinstance(value, int | float):
        return _finite(_float(value, field), value, field)
    if isinstance(value, str):
        comparator, number, unit = _split(value, field)
        if comparator is not None:
            raise UnitError(f"{value!r}: a measured value cannot carry {comparator!r}", field)
        if unit == "dimensionless":  # a bare number is in the canonical unit
            return _finite(number, value, field)
        return _finite(number * _factor(unit, canonical, value, field), value, field)
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
