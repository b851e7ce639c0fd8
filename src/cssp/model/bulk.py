"""Many model objects at once, from columns of values the classes keep as they are.

A reader converts a chunk of a table into columns, one list of values a field.
Built one at a time, each object's ``__init__`` tests the type of every value
and its rules, and a community's ``__attrs_post_init__`` reads its kind from
its code: a few microseconds a community. Here the same rules are tested on
whole columns at once (``cssp.model.schema``: the types kept, the bounds on
a column's least and greatest values, the parts within their wholes, the
codes), then the objects are filled without testing each again
(:func:`cssp.model.filling.filler`).

The tests on columns are sufficient, not necessary: where a column does not
pass them, :func:`communities` returns ``None`` and :func:`facility_maker`
gives the class itself, and each object is built by its class, which raises
and says why. Either way the objects are equal (``tests/test_model_bulk.py``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Final

import attrs

from cssp.model.community import (
    _FACILITY_PARTS,
    Community,
    CommunityKind,
    Facility,
    Service,
    Staff,
)
from cssp.model.filling import filler
from cssp.model.schema import (
    COMMUNITY_VALUES,
    FACILITY_VALUES,
    codes_rural,
    column_keeps,
    parts_keep,
)

__all__ = ["communities", "facility_maker"]

_FILL_FACILITY: Final = filler(Facility)
_FILL_COMMUNITY: Final = filler(Community)
_NONE: Final = type(None)
_KINDS: Final = {True: CommunityKind.RURAL, False: CommunityKind.URBAN}
#: The fields a column may be given for, in their order; the others take their defaults.
_FIELDS: Final = tuple(field.name for field in attrs.fields(Community) if not field.kw_only)
_GIVEN: Final = frozenset(_FIELDS) - {"extra"}
_FLAGS: Final = ("resettlement", "old_residential_area", "newly_built")


def facility_maker(column: Callable[[str], Sequence[object]]) -> Callable[..., Facility]:
    """What makes the facilities of some columns: a filler when every value of each of
    their columns (``column(name)`` for each of ``FACILITY_VALUES`` in
    ``cssp.model.schema``, ``None`` where not given) is kept as it is and no part
    exceeds its whole in a row; :class:`~cssp.model.community.Facility` otherwise.

    The filler takes the class's parameters, with a
    :class:`~cssp.model.community.FacilityKind` as its kind; its facilities are not
    said to be approximate.
    """
    keep = all(column_keeps(name, column(name)) for name in FACILITY_VALUES)
    if keep and parts_keep(_FACILITY_PARTS, column):
        return _FILL_FACILITY
    return Facility


def communities(columns: Mapping[str, Sequence[object]], count: int) -> list[Community] | None:
    """The communities of ``count`` rows, given as columns of their fields (field name ->
    its values in row order; a field not given takes its default), when every column
    passes its tests; ``None`` when one does not, or is not ``count`` long, or a column
    is given for ``extra``, ``urban_rural_class`` or ``approximate``.

    Each community's kind is the one its code gives; a ``kind`` column must be
    all ``None``. A facility must be a :class:`~cssp.model.community.Facility`, the
    staff a :class:`~cssp.model.community.Staff`, the services a frozenset of
    :class:`~cssp.model.community.Service`, a flag a bool, a name a str.
    """
    if not columns.keys() <= _GIVEN or "code" not in columns:
        return None
    if any(len(values) != count for values in columns.values()):
        return None
    rural = codes_rural(columns["code"])
    if rural is None or any(kind is not None for kind in columns.get("kind", ())):
        return None
    if not all(_keeps(name, values) for name, values in columns.items()):
        return None
    defaults = {field.name: field.default for field in attrs.fields(Community)}
    defaults["staff"] = Staff()
    given = {**columns, "kind": list(map(_KINDS.__getitem__, rural))}
    return list(
        map(
            _FILL_COMMUNITY,
            *(given.get(name, itertools.repeat(defaults[name], count)) for name in _FIELDS),
        )
    )


def _keeps(name: str, values: Sequence[object]) -> bool:
    """Whether each of ``values`` is one the field ``name`` keeps as it is, and keeps its
    rules (the code and kind aside)."""
    if name in COMMUNITY_VALUES:
        return column_keeps(name, values)
    types = set(map(type, values))
    if name == "facilities":
        if not types <= {tuple, _NONE}:
            return False
        made: Iterable[object] = itertools.chain.from_iterable(filter(None, values))  # type: ignore[arg-type]
        return set(map(type, made)) <= {Facility}
    if name == "services":
        if not types <= {frozenset, _NONE}:
            return False
        # each distinct object once (a reader's are a few, shared), not each equal one:
        # a set of texts equals the set of the services they name
        sets = dict(zip(map(id, values), values, strict=True)).values()
        return set(map(type, itertools.chain.from_iterable(filter(None, sets)))) <= {Service}  # type: ignore[arg-type]
    if name == "staff":
        return types <= {Staff}
    if name in _FLAGS:
        return types <= {bool}
    if name == "name":
        return types <= {str}
    return name in ("code", "kind")  # tested by communities
