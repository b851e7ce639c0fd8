"""A model class's ``__init__``: attrs' own, without the converter calls that change nothing.

attrs writes each class's ``__init__`` from its fields: every field with a
converter is passed through it, one function call (or two) a field. A national
run builds hundreds of thousands of communities whose values the readers have
already converted — a float for an area, an int for a count, ``True`` for a
flag — which the converters give back as they are. :func:`skip_unchanged`
writes the class's ``__init__`` again, with the same parameters, defaults and
steps as attrs', but tests such a value inline (``unchanged``: for each field,
a test under which its converter returns the value itself) and calls the
converter only when the test fails. What the class is given, and what it keeps
or raises, is the same; tests hold both ``__init__`` equal on any values
(``tests/test_model.py``).

A frozen class forbids setting its attributes, so attrs' ``__init__`` sets
each slot through its descriptor, a call of about 0.1 µs; a class that does not
forbid it has its slots set by one specialised instruction. A class decorated
with :func:`stored_apart` keeps its slots in a base class of their own, and
its ``__init__`` fills them while the object is, for that moment, of a second
subclass of that base, which lets them be set; the object is given its own
class back before ``__attrs_post_init__`` runs, and whatever a converter
raises. Same layout, same slots: only the cost of filling them changes (about
1 µs a community and its facilities).
"""

from __future__ import annotations

import functools
import inspect
import types
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

__all__ = ["filler", "skip_unchanged", "stored_apart"]

_MEMBER: Final = types.MemberDescriptorType
#: Sets an object's class, as ``obj.__class__ = cls`` does through object's own __setattr__.
_SET_CLASS: Final = object.__dict__["__class__"].__set__


def stored_apart(cls: type) -> type:
    """``cls`` again, with its fields' slots held by a base class of their own.

    Apply it under attrs' ``define(frozen=True)``: attrs then reuses the base's
    slots (its class adds none), and :func:`skip_unchanged` fills them in an
    object of a second subclass of that base, which does not forbid setting
    them, before giving the object ``cls``.
    """
    names = tuple(inspect.get_annotations(cls))  # the fields, in their order
    storage = type(
        f"_{cls.__name__}Slots",
        cls.__bases__,
        {"__slots__": (*names, "__weakref__"), "__module__": cls.__module__},
    )
    body = {k: v for k, v in vars(cls).items() if k not in ("__dict__", "__weakref__")}
    metaclass: Any = type(cls)
    made: type = metaclass(cls.__name__, (storage,), body)
    for value in body.values():  # a method's __class__ (zero-argument super()): the new class
        for function in _functions(value):
            for cell in function.__closure__ or ():
                if cell.cell_contents is cls:
                    cell.cell_contents = made
    return made


def _functions(value: object) -> list[types.FunctionType]:
    """The functions a class attribute holds: a method, a class or static method's, a
    property's getter, setter and deleter."""
    if isinstance(value, classmethod | staticmethod):
        value = value.__func__
    if isinstance(value, property):
        held = (value.fget, value.fset, value.fdel)
        return [f for f in held if isinstance(f, types.FunctionType)]
    return [value] if isinstance(value, types.FunctionType) else []


def _is_stored_apart(cls: type) -> bool:
    """Whether the attrs class ``cls`` was made by :func:`stored_apart`."""
    storage = cls.__base__
    fields = tuple(field.name for field in attrs.fields(cls))
    return (
        storage is not None
        and vars(cls).get("__slots__") == ()
        and vars(storage).get("__slots__") == (*fields, "__weakref__")
    )


@functools.cache
def _filling(cls: type) -> type:
    """The class an object of the :func:`stored_apart` class ``cls`` has while it is filled:
    a sibling of ``cls`` on the same slots, which does not forbid setting them."""
    storage = cls.__base__
    assert storage is not None, cls
    return type(f"_{cls.__name__}Filling", (storage,), {"__slots__": ()})


def skip_unchanged(
    cls: type, unchanged: Mapping[str, str], names: Mapping[str, object] | None = None
) -> None:
    """Give the attrs class ``cls`` the ``__init__`` described above.

    :param unchanged: field name -> a Python expression of ``{v}`` (the value
        given), true only for values that the field's converter returns
        unchanged (the same object); fields without one always take the converter.
    :param names: the names the expressions use.
    """
    original = cls.__init__  # type: ignore[misc]
    namespace: dict[str, Any] = {**(names or {}), "setattr_": object.__setattr__}
    parameters, head = _parameters(cls, namespace)
    values: dict[str, str] = {}  # field name -> the expression of its value
    for field in attrs.fields(cls):
        name = field.name
        value = name
        if field.converter is not None:
            assert callable(field.converter), field  # a function, as the model declares them
            namespace[f"convert_{name}"] = field.converter
            test = unchanged.get(name)
            value = f"convert_{name}({name})"
            if test is not None:
                value = f"{name} if ({test.format(v=name)}) else {value}"
        values[name] = value
    body = [*head, *_setting(cls, values, namespace)]
    if hasattr(cls, "__attrs_post_init__"):
        namespace["post_init"] = cls.__attrs_post_init__
        body.append("    post_init(self)")
    exec(f"def __init__(self, {parameters}):\n" + "\n".join(body), namespace)
    init = namespace["__init__"]
    for attribute in ("__annotations__", "__doc__", "__module__", "__qualname__"):
        setattr(init, attribute, getattr(original, attribute))
    cls.__init__ = init  # type: ignore[misc]
    cls.__attrs_init_with_every_converter__ = original  # type: ignore[attr-defined]


def filler(cls: type) -> Callable[..., Any]:
    """A function making an object of ``cls`` from its fields' values as the class keeps
    them, with the parameters and defaults of its ``__init__``, but no converter, no check
    and no ``__attrs_post_init__``.

    Only for values known to be what the class's ``__init__`` would keep, each
    keeping every rule, and for a class whose ``__attrs_post_init__`` would change
    nothing of them (a community's kind is given): :mod:`cssp.model.bulk` checks
    whole columns of values at once. ``cls`` must be :func:`stored_apart`.
    """
    klass: Any = cls
    assert _is_stored_apart(klass), cls
    fields = tuple(field.name for field in attrs.fields(klass))
    namespace: dict[str, Any] = {
        "new": object.__new__,
        "filling": _filling(klass),
        "cls_": cls,
        "set_class": _SET_CLASS,
    }
    parameters, head = _parameters(cls, namespace)
    lines = [
        f"def fill({parameters}):",
        *head,
        "    self = new(filling)",
        *(f"    self.{name} = {name}" for name in fields),
        "    set_class(self, cls_)",
        "    return self",
    ]
    exec("\n".join(lines), namespace)
    fill: Callable[..., Any] = namespace["fill"]
    fill.__qualname__ = fill.__name__ = f"fill_{cls.__name__}"
    return fill


def _parameters(cls: type, namespace: dict[str, Any]) -> tuple[str, list[str]]:
    """The parameters of attrs' ``__init__`` of ``cls`` as source, and the lines that make
    the defaults given by a factory; the names they use are put in ``namespace``."""
    positional: list[str] = []
    keywords: list[str] = []
    head: list[str] = []
    namespace["NOTHING"] = attrs.NOTHING
    for field in attrs.fields(cls):
        name = field.name
        default = field.default
        if default is attrs.NOTHING:
            parameter = name
        elif isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            assert not default.takes_self
            namespace[f"factory_{name}"] = default.factory
            parameter = f"{name}=NOTHING"
            head.append(f"    if {name} is NOTHING:\n        {name} = factory_{name}()")
        else:
            namespace[f"default_{name}"] = default
            parameter = f"{name}=default_{name}"
        (keywords if field.kw_only else positional).append(parameter)
    keyword_part = f", *, {', '.join(keywords)}" if keywords else ""
    return ", ".join(positional) + keyword_part, head


def _setting(cls: type, values: Mapping[str, str], namespace: dict[str, Any]) -> list[str]:
    """The lines of ``__init__`` that set each field of ``cls`` to its value's expression."""
    slow = []  # as object.__setattr__ would: through each slot's descriptor
    for name, value in values.items():
        slot = inspect.getattr_static(cls, name, None)
        if type(slot) is _MEMBER:
            namespace[f"set_{name}"] = slot.__set__
            slow.append(f"    set_{name}(self, {value})")
        else:
            slow.append(f"    setattr_(self, {name!r}, {value})")
    if not _is_stored_apart(cls):
        return slow
    # stored_apart: filled as an object of a class that lets its slots be set; a
    # subclass of cls (another layout) is filled the slow way
    namespace["cls_"] = cls
    namespace["filling"] = _filling(cls)
    namespace["set_class"] = _SET_CLASS
    return [
        "    if type(self) is cls_:",
        "        set_class(self, filling)",
        "        try:",
        *(f"            self.{name} = {value}" for name, value in values.items()),
        "        finally:",
        "            set_class(self, cls_)",
        "    else:",
        *(f"    {line}" for line in slow),
    ]
