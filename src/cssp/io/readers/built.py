"""A chunk of a table built column by column: the model's constructors mapped over its columns.

Once a chunk's columns are converted (:meth:`~cssp.io.readers.rows._Table.read_chunk`),
its communities are built by the model's own constructors, which validate them. Row by
row in Python, unpacking each row and choosing its branch costs about as much as the
constructors themselves. When the chunk is of the usual kind — every row has its code, no
cell failed, and the table has no place names, no urban-rural class, no service or extra
columns (which only the row path reads) — :func:`built` calls the same constructors with
the same values over the columns with :func:`map` and comprehensions instead.

The first :class:`~cssp.errors.InputError` of any constructor gives the chunk back to
the row path, which reports every problem of every row where it is: nothing here
reports, locates or warns, so both paths give the same communities.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Final

from cssp.errors import InputError
from cssp.io.readers.columns import _STAFF
from cssp.model.bulk import communities, facility_maker
from cssp.model.community import Community, Facility, FacilityKind, Staff

if TYPE_CHECKING:
    from cssp.io.readers.rows import _Table

__all__ = ["built", "other_facilities"]

_COMPREHENSIVE: Final = FacilityKind.COMPREHENSIVE
_COMMERCIAL: Final = FacilityKind.COMMERCIAL
_NO_STAFF: Final = Staff()
_DISAGREE: Final = "the facility columns disagree"  # never shown: row_problems says how
#: Distinct staff objects kept by a table, one for each set of counts met.
_STAFF_CACHE_LIMIT: Final = 65_536
#: The fields of a community a table's columns give, in the model's order, each with the
#: value of an empty cell (``None``: none).
_COMMUNITY_FIELDS: Final = (
    ("code", None),
    ("name", ""),
    ("kind", None),
    ("households", None),
    ("population", None),
    ("building_area", None),
    ("facilities", None),
    ("staff", _NO_STAFF),
    ("services", None),
    ("resettlement", False),
    ("old_residential_area", False),
    ("newly_built", False),
    ("elderly_monthly_visit_rate", None),
    ("social_organisations", None),
    ("registered_volunteers", None),
)
#: Gives a chunk's column of a key (a column of ``None`` where the table lacks it).
_ColumnOf = Callable[[str], list[object]]


def built(table: _Table, converted: dict[str, list[object]], count: int) -> list[Community] | None:
    """The communities of a chunk of ``count`` rows whose cells all converted (``converted``:
    column key -> its values), or ``None`` when the chunk is for the row path."""
    codes = converted.get("code")
    if codes is None or None in codes or table.has_places or table.others:
        return None  # a row without its code (or blank), or columns the row path reads
    classes = converted.get("urban_rural_class")
    if classes is not None and any(value is not None for value in classes):
        return None  # the row path says where a class disagrees with the kind
    nones: list[object] = [None] * count

    def column(key: str) -> list[object]:
        return converted.get(key, nones)

    fields: dict[str, Sequence[object]] = {}  # a field's values, where the table gives it
    for name, default in _COMMUNITY_FIELDS:
        values = converted.get(name)
        if values is not None:
            # an empty cell is the field's default, as the row path reads it
            fields[name] = (
                values
                if default is None or None not in values
                else [default if value is None else value for value in values]
            )
    try:
        if table.has_facilities:
            fields["facilities"] = _facilities(column, nones)
        if table.has_staff:
            fields["staff"] = _staff(table, [column(key) for key in _STAFF])
        made = communities(fields, count)
        if made is not None:
            return made
        # Positional, in the order of the model's fields, as the row path gives them.
        return list(
            map(
                Community,
                *(
                    fields[name] if name in fields else itertools.repeat(default, count)
                    for name, default in _COMMUNITY_FIELDS
                ),
            )
        )
    except InputError:
        return None  # the row path reports every problem of the row


def _facilities(column: _ColumnOf, nones: list[object]) -> list[tuple[Facility, ...] | None]:
    """Each row's facilities: the usual comprehensive one (with its floor area, not said to
    be missing) and the commercial one here, any other case by :func:`other_facilities`."""
    floors = column("facility_floor_area")
    activities = column("facility_activity_area")
    offices = column("facility_office_area")
    hours = column("facility_opening_hours")
    commercial = column("commercial_floor_area")
    comprehensive = {
        "floor_area": floors,
        "activity_area": activities,
        "office_area": offices,
        "opening_hours": hours,
    }
    make = facility_maker(comprehensive.__getitem__)
    make_commercial = facility_maker(lambda name: commercial if name == "floor_area" else nones)
    return [
        (
            (make(_COMPREHENSIVE, floor, activity, office, hour),)
            if area is None
            else (
                make(_COMPREHENSIVE, floor, activity, office, hour),
                make_commercial(_COMMERCIAL, area),
            )
        )
        if floor is not None and has is not False
        else other_facilities(has, (floor, activity, office, hour), area)
        for floor, activity, office, hour, area, has in zip(
            floors, activities, offices, hours, commercial, column("has_facility"), strict=True
        )
    ]


def _staff(table: _Table, counts: Sequence[Sequence[object]]) -> list[Staff]:
    """Each row's staff: one object for each distinct set of counts (``table.staff``)."""
    known = table.staff.get
    new = table.new_staff
    return [known(row) or new(row) for row in zip(*counts, strict=True)]


def other_facilities(
    has: object, comprehensive: tuple[object, ...], commercial: object
) -> tuple[Facility, ...] | None:
    """The facilities of a row whose comprehensive facility has no floor area, or is
    said not to exist (``has`` false): raise InputError when the row is not fine.

    ``comprehensive`` is the facility's floor area, activity area, office
    area and opening hours. A facility said to exist (``has`` true), or
    described by its other columns, without its floor area, is one whose
    floor area is unknown.
    """
    described = any(value is not None for value in comprehensive[1:])
    if has is False:
        if comprehensive[0] is not None or described:
            raise InputError(_DISAGREE)  # row_problems says how
    elif has is True or described:
        _, activity, office, hours = comprehensive
        found = Facility(_COMPREHENSIVE, None, activity, office, hours)
        if commercial is None:
            return (found,)
        return (found, Facility(_COMMERCIAL, commercial))
    elif commercial is not None:
        raise InputError(_DISAGREE)
    else:
        return None
    return () if commercial is None else (Facility(_COMMERCIAL, commercial),)
