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
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Mapping
from typing import Any, Final

import attrs

__all__ = ["skip_unchanged"]

_MEMBER: Final = types.MemberDescriptorType


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
    namespace: dict[str, Any] = {
        **(names or {}),
        "NOTHING": attrs.NOTHING,
        "setattr_": object.__setattr__,
    }
    positional: list[str] = []
    keywords: list[str] = []
    body: list[str] = []
    for field in attrs.fields(cls):
        name = field.name
        default = field.default
        if default is attrs.NOTHING:
            parameter = name
        elif isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            assert not default.takes_self
            namespace[f"factory_{name}"] = default.factory
            parameter = f"{name}=NOTHING"
            body.append(f"    if {name} is NOTHING:\n        {name} = factory_{name}()")
        else:
            namespace[f"default_{name}"] = default
            parameter = f"{name}=default_{name}"
        (keywords if field.kw_only else positional).append(parameter)
        value = name
        if field.converter is not None:
            assert callable(field.converter), field  # a function, as the model declares them
            namespace[f"convert_{name}"] = field.converter
            test = unchanged.get(name)
            value = f"convert_{name}({name})"
            if test is not None:
                value = f"{name} if ({test.format(v=name)}) else {value}"
        slot = inspect.getattr_static(cls, name, None)
        if type(slot) is _MEMBER:  # a slot: set by its descriptor, as object.__setattr__ does
            namespace[f"set_{name}"] = slot.__set__
            body.append(f"    set_{name}(self, {value})")
        else:
            body.append(f"    setattr_(self, {name!r}, {value})")
    if hasattr(cls, "__attrs_post_init__"):
        namespace["post_init"] = cls.__attrs_post_init__
        body.append("    post_init(self)")
    keyword_part = f", *, {', '.join(keywords)}" if keywords else ""
    source = f"def __init__(self, {', '.join(positional)}{keyword_part}):\n" + "\n".join(body)
    exec(source, namespace)
    init = namespace["__init__"]
    for attribute in ("__annotations__", "__doc__", "__module__", "__qualname__"):
        setattr(init, attribute, getattr(original, attribute))
    cls.__init__ = init  # type: ignore[misc]
    cls.__attrs_init_with_every_converter__ = original  # type: ignore[attr-defined]
