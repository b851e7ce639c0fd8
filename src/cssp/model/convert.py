"""The one cattrs converter cssp uses, for its own data files and for users' data.

Structuring reports every problem, not only the first, each with its location
(``communities[3].facilities[0].floor_area``), through cattrs' own
:func:`cattrs.transform_error`. Quantities are converted field by field with
:func:`cssp.units.to_canonical`, so a wrong unit is reported at its field.
"""

from __future__ import annotations

import datetime
import enum
import functools
import re
import tomllib
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from cssp.errors import InputError
from cssp.model.community import Community, Facility, Staff
from cssp.model.township import Township

__all__ = [
    "MAX_PROBLEMS",
    "TOO_DEEP",
    "get_converter",
    "load_toml",
    "structure",
    "structure_communities",
    "unstructure",
    "utf8_text",
]

T = TypeVar("T")

#: At most this many problems are listed in one :class:`~cssp.errors.InputError`.
MAX_PROBLEMS: Final = 50

#: The message for input nested beyond what cssp reads (the readers give it too).
TOO_DEEP: Final = "nested too deeply: lists and objects inside each other, beyond what cssp reads"

_SEPARATOR: Final = "\x1f"

_TOML_WHERE: Final = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)$")


def load_toml(text: str, where: str, parse_float: Callable[[str], Any] = float) -> dict[str, Any]:
    """Parse a TOML document, every failure an :class:`~cssp.errors.InputError` at ``where``.

    The one TOML parse of what users give cssp — community files, column maps,
    province profiles, profile test cases — so all refuse alike: a syntax error
    at its line and column, tables nested deeper than Python's stack
    (:data:`TOO_DEEP`, not ``RecursionError``), an integer of more than 4300
    digits.

    >>> load_toml("a = [[[]]]", "fine.toml")
    {'a': [[[]]]}
    >>> load_toml("a = " + "[" * 5000 + "]" * 5000, "deep.toml")
    Traceback (most recent call last):
    ...
    cssp.errors.InputError: deep.toml: nested too deeply: ...

    :param parse_float: as ``tomllib.loads``'s (each float's text to a value).
    """
    try:
        return tomllib.loads(text, parse_float=parse_float)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _TOML_WHERE.search(message)
        place = where
        if match is not None:
            message = message[: match.start()]
            place = f"{where}: line {match[1]}, column {match[2]}" if match[1] else f"{where}: end"
        raise InputError(f"not valid TOML: {message}", place) from None
    except RecursionError:
        raise InputError(TOO_DEEP, where) from None
    except ValueError as error:  # an integer of more than 4300 digits
        raise InputError(f"not valid TOML: {error}", where) from None


def utf8_text(data: bytes, where: str) -> str:
    """UTF-8 bytes (with or without a byte-order mark) as text, or an
    :class:`~cssp.errors.InputError` naming the first byte that is not UTF-8.

    >>> utf8_text("广州".encode("gbk"), "profile.toml")
    Traceback (most recent call last):
    ...
    cssp.errors.InputError: profile.toml: byte 0: not UTF-8 text (the bytes b9 e3 d6 dd): ...
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        shown = data[error.start : error.start + 4].hex(" ")
        raise InputError(
            f"not UTF-8 text (the bytes {shown}): save the file as UTF-8",
            f"{where}: byte {error.start}",
        ) from None


def _hook(convert: Callable[[object], object]) -> Callable[[object, object], object]:
    return lambda value, _: convert(value)


def _field_hooks(cls: type) -> dict[str, Any]:
    """Structure each field with its own attrs converter, so errors are located.

    The model's converters know their field's unit and name; cattrs calls them
    per attribute, so a bad value is reported at its path. Nested classes
    (facilities, staff) are structured by cattrs first.
    """
    return {
        a.name: override(struct_hook=_hook(a.converter))
        for a in attrs.fields(cls)
        if callable(a.converter) and a.name not in ("facilities", "staff")
    }


def _structure_str(value: object, type_: type[str]) -> str:
    """Text as it is; a number as its digits (a code or name a spreadsheet wrote as one).

    Anything else (null, a list, an object, true or false) is an error, not its
    ``str()``; so is text with a lone surrogate (``"\\ud800"`` in JSON), which
    no file can hold. A subclass of ``str`` (a ``StrEnum`` such as
    :class:`~cssp.model.plan.Comparator`) is built as cattrs builds it: ``type_(value)``.
    """
    if type_ is not str:
        if isinstance(type_, type) and issubclass(type_, enum.Enum):
            try:
                return type_(value)
            except ValueError:
                choices = ", ".join(repr(member.value) for member in type_)
                raise InputError(f"{value!r} is not one of {choices}") from None
        return type_(value)
    if isinstance(value, str):
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as error:
                bad = ord(value[error.start])
                raise InputError(
                    f"not valid text: it holds a lone surrogate (\\u{bad:04x}), half of a character"
                ) from None
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise InputError(f"expected text, got {_kind_of(value)}")


def _structure_date(value: object, _: object) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        return datetime.date.fromisoformat(value)
    raise InputError(f"{value!r} is not a date (YYYY-MM-DD)")


@functools.cache
def get_converter() -> cattrs.Converter:
    """Return cssp's cattrs converter (created once).

    Unknown keys are errors, not ignored. Use it for anything cssp reads; the
    catalogue of plans is loaded through it too.
    """
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(datetime.date, _structure_date)
    converter.register_unstructure_hook(datetime.date, lambda d: d.isoformat())
    converter.register_unstructure_hook(
        frozenset, lambda s: sorted(converter.unstructure(x) for x in s)
    )

    for cls in (Facility, Staff, Community, Township):
        converter.register_structure_hook(
            cls, make_dict_structure_fn(cls, converter, **_field_hooks(cls))
        )
    # Which values are approximate, as a sorted list, and only when some are; so is
    # the urban-rural class only when known: an exact community's record is unchanged.
    approximate = override(unstruct_hook=sorted, omit_if_default=True)
    for cls in (Facility, Staff):
        converter.register_unstructure_hook(
            cls, make_dict_unstructure_fn(cls, converter, approximate=approximate)
        )
    converter.register_unstructure_hook(
        Community,
        make_dict_unstructure_fn(
            Community,
            converter,
            services=override(
                unstruct_hook=lambda s: None if s is None else sorted(x.value for x in s)
            ),
            extra=override(unstruct_hook=dict),
            urban_rural_class=override(omit_if_default=True),
            approximate=approximate,
        ),
    )
    return converter


def _format(exc: BaseException, type_: type | None) -> str:
    if isinstance(exc, InputError):
        return f"{exc.path}{_SEPARATOR}{exc.message}"
    if isinstance(exc, RecursionError):
        return f"{_SEPARATOR}{TOO_DEEP}"
    if isinstance(exc, AttributeError) and "keys" in str(exc):
        # cattrs met a non-mapping where a nested object (a facility, the staff) belongs
        name = getattr(type_, "__name__", "an object")
        return f"{_SEPARATOR}expected {name} as an object with named fields"
    return _SEPARATOR + cattrs.v.format_exception(exc, type_)


def _problems(exc: BaseException, root: str) -> list[tuple[str, str]]:
    problems = []
    for line in cattrs.transform_error(exc, path=root, format_exception=_format):
        text, _, where = line.rpartition(" @ ")
        inner, _, message = text.partition(_SEPARATOR)
        head, _, last = where.rpartition(".")
        if inner and inner.startswith((last + ".", last + "[")):
            # the model's own path starts with the field's name: extra.a, not extra.extra.a
            where = f"{head}.{inner}" if head else inner
        elif inner and not (where == inner or where.endswith("." + inner)):
            where = f"{where}.{inner}" if where else inner
        problems.append((where.removeprefix("$").removeprefix("."), message))
    return problems


def structure(data: Any, type_: type[T], where: str = "") -> T:
    """Structure ``data`` into ``type_``, or raise one error listing every problem.

    :param data: plain data (dicts, lists, strings, numbers), e.g. from JSON.
    :param type_: the class to build.
    :param where: a prefix for locations, e.g. a file name.
    :raises ~cssp.errors.InputError: with :attr:`~cssp.errors.InputError.problems` holding
        ``(location, message)`` for each problem, up to :data:`MAX_PROBLEMS`.
    """
    if isinstance(type_, type) and attrs.has(type_) and not isinstance(data, Mapping):
        raise InputError(f"expected an object with named fields, got {_kind_of(data)}", where)
    try:
        return get_converter().structure(data, type_)
    except (
        cattrs.BaseValidationError,
        InputError,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
    ) as exc:
        raise _input_error(exc, where) from None
    except RecursionError:
        raise InputError(TOO_DEEP, where) from None


def _kind_of(data: object) -> str:
    names = {
        str: "a text",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "an object",
        bool: "true or false",
    }
    return "nothing (null)" if data is None else names.get(type(data), type(data).__name__)


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


def _input_error(exc: BaseException, where: str) -> InputError:
    if isinstance(exc, InputError) and not isinstance(exc, cattrs.BaseValidationError):
        path = f"{where}.{exc.path}" if where and exc.path else where or exc.path
        return type(exc)(exc.message, path)
    problems = _problems(exc, "$")
    if where:
        problems = [(f"{where}.{p}" if p and p != "$" else where, m) for p, m in problems]
    shown = tuple(problems[:MAX_PROBLEMS])
    count = len(problems)
    more = f" (showing the first {MAX_PROBLEMS})" if count > MAX_PROBLEMS else ""
    if count == 1:
        # One problem keeps its own type: a wrong unit stays a UnitError.
        leaves = _leaves(exc)
        kind = (
            type(leaves[0])
            if len(leaves) == 1 and isinstance(leaves[0], InputError)
            else InputError
        )
        return kind(shown[0][1], shown[0][0])
    return InputError(f"{count} problems in the input{more}", where, shown)


def structure_communities(records: Any, where: str = "communities") -> tuple[Community, ...]:
    """Build communities from a list of mappings (e.g. parsed JSON).

    Every bad record is reported, each with its location
    (``communities[3].facilities[0].floor_area``).

    :param records: a list of mappings, one per community.
    :param where: the location prefix used in errors.
    :raises InputError: listing every problem.
    """
    if not isinstance(records, list | tuple):
        raise InputError(f"expected a list of communities, got {type(records).__name__}", where)
    try:
        return tuple(structure(list(records), list[Community]))
    except InputError as error:
        raise _relocate(error, where) from None


def unstructure(value: Any) -> Any:
    """Turn a cssp object into plain data (the inverse of :func:`structure`)."""
    return get_converter().unstructure(value)


def _relocate(error: InputError, where: str) -> InputError:
    problems = tuple(
        (f"{where}{p}" if p.startswith("[") else f"{where}.{p}" if p else where, m)
        for p, m in error.problems
    )
    if len(problems) == 1:
        return type(error)(problems[0][1], problems[0][0])
    return InputError(error.message, where, problems)
