"""Type checks at construction, made by attrs' own validators.

The plan's and the profiles' classes refuse a field of the wrong type when
they are built — a citation given as a string, a threshold as a number, a
measure that is not a :class:`~cssp.model.measures.Measure` — with an
:class:`~cssp.errors.InputError` naming the field (and the index or key
inside it), instead of failing later, far from where the object was made.

Each :class:`Check` is an attrs validator (``instance_of``, ``optional``,
``deep_iterable``, ``deep_mapping``, ``and_``, ``not_``) that turns the
validator's ``TypeError`` or ``ValueError`` into that
:class:`~cssp.errors.InputError`. Classes built rarely (a profile and its
parts) declare them as field validators. Classes built often (texts,
citations, targets) test their fields in one ``__attrs_post_init__`` and call
:func:`refuse` only when that test fails, to find and name the field: one
check per class is cheaper than a validator per field (see DESIGN.md,
"Conventions").

>>> from attrs import define, field
>>> @define(frozen=True)
... class Note:
...     text: str = field(validator=instance_of(str))
>>> Note(3)
Traceback (most recent call last):
cssp.errors.InputError: text: 3 (int) is not a str, in a Note
"""

from __future__ import annotations

import datetime
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Generic, TypeVar

import attrs
from attrs import define
from attrs import validators as v

from cssp.errors import InputError

__all__ = [
    "Check",
    "date",
    "frozenset_of",
    "instance_of",
    "mapping_of",
    "number",
    "optional",
    "refuse",
    "tuple_of",
    "whole_number",
]

#: How long a wrong value's ``repr`` may be in a message.
_LONGEST: Final = 60
_MAPPING: Final = typing.cast(type, Mapping)

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


def _article(name: str) -> str:
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


def _names(types: tuple[type[Any], ...]) -> str:
    return " or ".join(t.__name__ for t in types)


def _describe(value: object) -> str:
    text = repr(value)
    text = f"{text[:_LONGEST]}…" if len(text) > _LONGEST else text
    return f"{text} ({type(value).__name__})"


def _owner(instance: object) -> str:
    """The object being built, in words: ``profile 'gd'``, ``a Citation``."""
    name = type(instance).__name__
    identity = getattr(instance, "id", None)
    if isinstance(identity, str):
        return f"{name.lower()} {identity!r}"
    return _article(name)


class _Field:
    """Stands in for an attrs ``Attribute`` where only its name is read."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


@define(frozen=True)
class Check(Generic[T]):
    """An attrs validator that refuses a wrong value with an :class:`~cssp.errors.InputError`.

    Use it as a field's ``validator=``, or through :func:`refuse`. The error's
    ``path`` is the field, with the index or key
    of the first wrong item of a tuple or mapping (``overrides[0]``,
    ``measures['m']``); its message says what was given, what was expected and
    in which object.

    :param validator: the attrs validator that decides.
    :param expected: what the field holds, in words (``"a str"``).
    :param item: for a tuple or frozenset, the check of each item (to name it).
    :param key: for a mapping, the check of each key.
    :param value: for a mapping, the check of each value.
    """

    validator: Callable[[Any, Any, Any], Any]
    expected: str
    item: Check[Any] | None = None
    key: Check[Any] | None = None
    value: Check[Any] | None = None

    def __call__(self, instance: Any, attribute: attrs.Attribute[T], value: T) -> None:
        """Check ``value``, the field ``attribute`` of ``instance`` (attrs' validator protocol).

        :raises InputError: naming the field.
        """
        try:
            self.validator(instance, attribute, value)
        except (TypeError, ValueError):
            raise self.problem(value, attribute.name, _owner(instance)) from None

    def fits(self, value: object) -> bool:
        """Whether ``value`` passes the check."""
        try:
            self.validator(None, _Field("value"), value)
        except (TypeError, ValueError):
            return False
        return True

    def problem(self, value: object, path: str, owner: str) -> InputError:
        """The error for ``value`` at ``path`` of ``owner``: at the first wrong item inside it."""
        if self.item is not None and isinstance(value, tuple | frozenset):
            for index, item in enumerate(value):
                if not self.item.fits(item):
                    # a set's items have no place: name the set
                    where = f"{path}[{index}]" if isinstance(value, tuple) else path
                    return self.item.problem(item, where, owner)
        if self.key is not None and self.value is not None and isinstance(value, Mapping):
            for key, item in value.items():
                for check, wrong in ((self.key, key), (self.value, item)):
                    if not check.fits(wrong):
                        return check.problem(wrong, f"{path}[{key!r}]", owner)
        return InputError(f"{_describe(value)} is not {self.expected}, in {owner}", path)


def instance_of(*types: type[T], expected: str = "") -> Check[T]:
    """An instance of one of ``types``.

    >>> instance_of(str).expected
    'a str'
    """
    return Check(v.instance_of(types), expected or _article(_names(types)))


def optional(check: Check[T]) -> Check[T | None]:
    """``None``, or what ``check`` accepts."""
    return Check(v.optional(check.validator), f"{check.expected} or None", check.item)


def number() -> Check[float]:
    """An ``int`` or a ``float``, not ``True`` or ``False``."""
    return Check(
        v.and_(v.instance_of((int, float)), v.not_(v.instance_of(bool))), "a number (int or float)"
    )


def whole_number() -> Check[int]:
    """An ``int``, not ``True`` or ``False``."""
    return Check(v.and_(v.instance_of(int), v.not_(v.instance_of(bool))), "an int")


def date() -> Check[datetime.date]:
    """A :class:`datetime.date` that is not a ``datetime.datetime``."""
    return Check(
        v.and_(v.instance_of(datetime.date), v.not_(v.instance_of(datetime.datetime))),
        "a date (datetime.date)",
    )


def tuple_of(*types: type[T], expected: str = "") -> Check[tuple[T, ...]]:
    """A tuple whose every item is an instance of one of ``types``."""
    item = instance_of(*types)
    return Check(
        v.deep_iterable(item.validator, v.instance_of(tuple)),
        expected or f"a tuple of {_names(types)}",
        item=item,
    )


def frozenset_of(*types: type[T], expected: str = "") -> Check[frozenset[T]]:
    """A frozenset whose every item is an instance of one of ``types``."""
    item = instance_of(*types)
    return Check(
        v.deep_iterable(item.validator, v.instance_of(frozenset)),
        expected or f"a frozenset of {_names(types)}",
        item=item,
    )


def mapping_of(key: type[K], value: type[V]) -> Check[Mapping[K, V]]:
    """A mapping of instances of ``key`` to instances of ``value``."""
    keys, values = instance_of(key), instance_of(value)
    return Check(
        v.deep_mapping(keys.validator, values.validator, v.instance_of(_MAPPING)),
        f"a mapping of {key.__name__} to {value.__name__}",
        key=keys,
        value=values,
    )


def refuse(instance: attrs.AttrsInstance, checks: Iterable[tuple[str, Check[Any]]]) -> None:
    """Run ``checks`` on the fields of ``instance``: the first that fails raises.

    Called by a class's ``__attrs_post_init__`` when its own quick test of its
    fields fails, to say which field is wrong and why. Returns when every
    check passes (the quick test may be stricter than the checks).

    :param checks: ``(field name, check)`` pairs, in the order of the fields.
    :raises InputError: naming the first wrong field.
    """
    fields = attrs.fields_dict(type(instance))
    for name, check in checks:
        check(instance, fields[name], getattr(instance, name))
