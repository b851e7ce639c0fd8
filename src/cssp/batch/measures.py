"""The measures of :mod:`cssp.engine.measures`, over columns.

Each returns ``(numerator, denominator, status)`` arrays: the status is
:data:`MEASURED` where the pair is valid, else :data:`NOT_APPLICABLE` or
:data:`NO_DATA` — decided by the same tests, in the same order, as the scalar
measure (a test checks the two agree on generated communities).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
from numpy.typing import NDArray

from cssp.batch.frame import Frame
from cssp.model.community import Service

__all__ = ["ABSENT", "MEASURES", "MET", "NOT_APPLICABLE", "NOT_MET", "NO_DATA", "Observed"]

#: Status codes of the batch engine: the order of :class:`cssp.engine.measures.Status`.
MET: Final = 0
NOT_MET: Final = 1
NOT_APPLICABLE: Final = 2
NO_DATA: Final = 3
#: The target is not in force for the community (a province's own indicator elsewhere).
ABSENT: Final = 255
MEASURED: Final = MET

Floats = NDArray[np.float64]
Codes = NDArray[np.uint8]
Observed = tuple[Floats, Floats, Codes]


def _status(n: int) -> Codes:
    return np.zeros(n, dtype=np.uint8)


def _skip(status: Codes, where: NDArray[np.bool_], code: int) -> None:
    """Set ``code`` where ``where`` holds and no earlier test has decided."""
    status[where & (status == MEASURED)] = code


def _comprehensive_facility(f: Frame) -> Observed:
    status = _status(f.size)
    _skip(status, ~f.facilities_known, NO_DATA)
    return (f.comprehensive > 0).astype(np.float64), np.ones(f.size), status


def _service(service: Service) -> Callable[[Frame], Observed]:
    def has(f: Frame) -> Observed:
        status = _status(f.size)
        _skip(status, ~f.services_known, NO_DATA)
        return f.services[service].astype(np.float64), np.ones(f.size), status

    return has


def _facility_area_per_household(f: Frame) -> Observed:
    households = f.values["households"]
    status = _status(f.size)
    _skip(status, ~f.facilities_known, NO_DATA)
    _skip(status, np.isnan(households), NO_DATA)
    _skip(status, households == 0, NOT_APPLICABLE)
    return f.comprehensive_area, households, status


def _commercial_service_area_share(f: Frame) -> Observed:
    building = f.values["building_area"]
    status = _status(f.size)
    _skip(status, ~f.facilities_known, NO_DATA)
    _skip(status, np.isnan(building), NO_DATA)
    _skip(status, building == 0, NOT_APPLICABLE)
    return f.service_area, building, status


def _activity_area_share(f: Frame) -> Observed:
    status = _status(f.size)
    _skip(status, ~f.facilities_known, NO_DATA)
    comprehensive = f.comprehensive > 0
    _skip(status, comprehensive & np.isnan(f.activity_area), NO_DATA)
    _skip(status, ~comprehensive | (f.comprehensive_area == 0), NOT_APPLICABLE)
    return f.activity_area, f.comprehensive_area, status


def _ratio(numerator: str, denominator: str) -> Callable[[Frame], Observed]:
    def ratio(f: Frame) -> Observed:
        top = f.values[numerator]
        bottom = f.values[denominator]
        status = _status(f.size)
        _skip(status, np.isnan(top), NO_DATA)
        _skip(status, np.isnan(bottom), NO_DATA)
        _skip(status, bottom == 0, NOT_APPLICABLE)
        return top, bottom, status

    return ratio


def _trained_worker_share(f: Frame) -> Observed:
    workers = f.values["community_workers"]
    trained = f.values["trained_workers"]
    status = _status(f.size)
    _skip(status, np.isnan(workers), NO_DATA)
    _skip(status, np.isnan(trained), NO_DATA)
    _skip(status, workers == 0, NOT_APPLICABLE)
    return trained, workers, status


def _shortest_opening_hours(f: Frame) -> Observed:
    status = _status(f.size)
    _skip(status, ~f.facilities_known, NO_DATA)
    _skip(status, f.facilities == 0, NOT_APPLICABLE)
    _skip(status, np.isnan(f.shortest_hours), NO_DATA)
    return f.shortest_hours, np.ones(f.size), status


def _value(name: str) -> Callable[[Frame], Observed]:
    def value(f: Frame) -> Observed:
        values = f.values[name]
        status = _status(f.size)
        _skip(status, np.isnan(values), NO_DATA)
        return values, np.ones(f.size), status

    return value


#: Columnar forms of the measures of :data:`cssp.engine.measures.MEASURES`, by key.
MEASURES: Final[dict[str, Callable[[Frame], Observed]]] = {
    "comprehensive_facility": _comprehensive_facility,
    "facility_area_per_household": _facility_area_per_household,
    "commercial_service_area_share": _commercial_service_area_share,
    "activity_area_share": _activity_area_share,
    "workers_per_resident": _ratio("community_workers", "population"),
    "min_opening_hours": _shortest_opening_hours,
    "elderly_monthly_visit_rate": _value("elderly_monthly_visit_rate"),
    "disaster_information_officers": _value("disaster_information_officers"),
    "community_workers": _value("community_workers"),
    "social_workers": _value("social_workers"),
    "trained_worker_share": _trained_worker_share,
    "social_organisations_per_community": _value("social_organisations"),
    "registered_volunteer_share": _ratio("registered_volunteers", "population"),
}
MEASURES.update({f"service:{s.value}": _service(s) for s in Service})


def field_values(frame: Frame, name: str) -> Floats:
    """A field of a TOML indicator (see :data:`cssp.rules.toml.FIELDS`) as a column."""
    if name == "communities":
        return np.ones(frame.size)
    if name.startswith("extra."):
        found = frame.extra.get(name[len("extra.") :])
        return found if found is not None else np.full(frame.size, np.nan)
    return frame.values[name.removeprefix("staff.")]


def ratio_of_fields(numerator: str, denominator: str) -> Callable[[Frame], Observed]:
    """The columnar form of a TOML indicator's ratio of two fields."""

    def ratio(f: Frame) -> Observed:
        top = field_values(f, numerator)
        bottom = field_values(f, denominator)
        status = _status(f.size)
        _skip(status, np.isnan(top) | np.isnan(bottom), NO_DATA)
        _skip(status, bottom == 0, NOT_APPLICABLE)
        return top, bottom, status

    return ratio
