"""The synthetic nation: seeded, realistic communities for all 31 provinces.

For benchmarks and national-scale tests. :func:`nation` returns columns in the
table format of :mod:`cssp.io.readers` (numpy arrays, one per column);
:func:`communities` builds :class:`~cssp.model.community.Community` objects
from them, exactly as :func:`~cssp.io.readers.read_communities` would read
the table; :func:`write` writes the columns as CSV or Parquet, byte for byte
the same for the same seed.

Scale 1.0 is the nation at the end of 2020: **502,000 villagers' committees
(rural) and 113,000 residents' committees (urban), 615,000 communities**, the
民政部 2020 statistical bulletin's counts (``provinces.toml`` [[reference]];
the plan's own 50.9万 counts the villagers' committees whose information is
collected centrally). Every community sits under a real township code of the
shipped division data (``cssp.model.divisions.load_divisions()``), and the
national aggregates reproduce the plan's 2020 baselines (专栏1) by
construction, not by luck — each at the baseline or just above it (by less
than one community, one worker or 0.1 m²), so the nation meets its baseline
whatever the seed:

* rural facility coverage 65.7%: that share, rounded up to a whole
  community, of the villages whose facilities are known has a comprehensive
  facility (every urban community has one);
* 29.8 m² of comprehensive facility per 100 households: the floor areas are
  scaled by one factor so that Σ floor area ÷ Σ households × 100 over the
  communities the engine counts is 29.8 m²;
* 15 community workers per 10,000 urban residents: urban workers are scaled
  and then corrected one by one until Σ workers ÷ Σ population × 10,000
  over the urban communities the engine counts is 15.

Everything else (the shapes of the distributions, the missing rates, the
services present) is a modelling assumption; every figure is listed, with
its source or marked as an assumption, in the reference's page on the
synthetic nation (``docs/reference/synth.md``). A year from 2021 to 2025
moves the three calibrated figures along the plan's straight line to its
2025 targets.

>>> columns = nation(0.001, seed=7)
>>> urban = [int(code[9:]) < 200 for code in columns["code"]]
>>> len(urban), sum(urban)
(615, 113)

This module needs numpy (``pip install 'cssp[batch]'``); importing it without
numpy raises :class:`~cssp.errors.InputError`. ``import cssp`` never imports
it.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, cast

from cssp.errors import InputError

try:
    import numpy as np
    from numpy.typing import NDArray
except ImportError:  # pragma: no cover - depends on the environment
    raise InputError("the synthetic nation needs numpy: pip install 'cssp[batch]'") from None

from cssp.batch.frame import COUNT_FIELDS
from cssp.catalogue import load_plan
from cssp.io.readers import COLUMNS, PLACE_COLUMNS
from cssp.io.writers import write_atomic
from cssp.model.community import Community, Facility, FacilityKind, Service, Staff
from cssp.model.divisions import PROVINCES, load_divisions

__all__ = ["communities", "nation", "write"]

Columns = dict[str, NDArray[Any]]

# --- sourced figures -------------------------------------------------------------

#: Residents' committees (urban) and villagers' committees (rural) at end-2020,
#: 民政部 2020 statistical bulletin (provinces.toml [[reference]]): scale 1.0.
_URBAN_2020: Final = 113_000
_RURAL_2020: Final = 502_000
#: Community workers at end-2020, the plan's section (一): 433.8万.
_WORKERS_2020: Final = 4_338_000
#: The calibrated indicators (the catalogue's ids); baselines and targets come
#: from the catalogue (专栏1 items 1, 4 and 7).
_COVERAGE: Final = "rural_facility_coverage"
_AREA: Final = "facility_area_per_100_households"
_STAFFING: Final = "workers_per_10k_urban_residents"
_FIRST_YEAR: Final = 2020
_LAST_YEAR: Final = 2025
#: Jiangsu reports 100% facility coverage of its urban and rural communities in
#: 2020 (provinces.toml, 江苏省 baselines_2020).
_FULL_COVERAGE_PROVINCE: Final = "32"
#: A residents' committee has 5 to 9 members, a villagers' committee 3 to 7
#: (the organic laws, provinces.toml [[reference]]): the fewest workers.
_MIN_URBAN_WORKERS: Final = 5
_MIN_RURAL_WORKERS: Final = 3
#: Digits 10–12: 001–199 residents' committees, 200–399 villagers' committees;
#: a township holds at most 199 of each here (urban 001–199, rural 201–399).
_CAP: Final = 199
_MAX_SCALE: Final = 10.0

# --- modelling assumptions (docs/reference/synth.md) ------------------------------

#: Digits 7–9 of a township code: 001–099 street (街道), 100–199 town (镇),
#: 200–399 township (乡); other codes (development zones, farms) are not used.
_STREET, _TOWN, _TOWNSHIP = 0, 1, 2
#: Expected communities of each kind per township, relative to the others.
_URBAN_WEIGHT: Final = (1.0, 0.15, 0.01)
_RURAL_WEIGHT: Final = (0.1, 1.0, 0.9)
#: Each township's size varies: a lognormal multiplier of its weight.
_TOWNSHIP_SIGMA: Final = 0.5
#: Households: lognormal (median, sigma) and bounds, (urban, rural).
_HOUSEHOLDS_MEDIAN: Final = (1800.0, 400.0)
_HOUSEHOLDS_SIGMA: Final = (0.5, 0.6)
_HOUSEHOLDS_BOUNDS: Final = ((150.0, 12_000.0), (30.0, 5_000.0))
#: Persons per household, uniform (urban, rural).
_HOUSEHOLD_SIZE: Final = ((2.6, 3.4), (2.8, 3.6))
#: Total building area per household, m², uniform (urban, rural).
_BUILDING_PER_HOUSEHOLD: Final = ((80.0, 120.0), (120.0, 200.0))
#: Relative facility floor area per household before calibration: lognormal
#: (level, sigma), and a fixed part in households (urban, rural).
_FACILITY_LEVEL: Final = (1.0, 1.5)
_FACILITY_SIGMA: Final = (0.35, 0.45)
_FACILITY_FIXED: Final = (0.0, 100.0)
#: Spread of the provinces' rural coverage (lognormal weight of each province).
_PROVINCE_SIGMA: Final = 0.5
#: Resettlement communities are chosen first for a facility this many times as often.
_RESETTLEMENT_PRIORITY: Final = 5.0
#: Shares of the facility's floor area, uniform.
_ACTIVITY_SHARE: Final = (0.45, 0.80)
_OFFICE_SHARE: Final = (0.08, 0.20)
#: Opening hours a day, and how often (percent).
_HOURS: Final = (6.0, 7.0, 8.0, 8.5, 9.0, 9.5, 10.0, 12.0)
_HOURS_ODDS: Final = (3, 5, 30, 12, 25, 8, 12, 5)
#: Share of communities with a commercial facility, and its floor area as a
#: share of the building area, uniform (urban, rural).
_COMMERCIAL_ODDS: Final = (0.6, 0.25)
_COMMERCIAL_SHARE: Final = ((0.02, 0.14), (0.005, 0.03))
#: Flags: resettlement among all; old residential areas and new builds among urban.
_RESETTLEMENT_ODDS: Final = 0.005
_OLD_AREA_ODDS: Final = 0.20
_NEWLY_BUILT_ODDS: Final = 0.05
#: Urban workers per 10,000 residents before calibration: lognormal sigma.
_STAFFING_SIGMA: Final = 0.3
#: Social workers: Poisson mean (urban, rural); disaster information officers
#: 0, 1, 2 with these odds; trained share of the workers (binomial).
_SOCIAL_WORKERS: Final = (1.5, 0.2)
_OFFICERS_ODDS: Final = (0.06, 0.84, 0.10)
_TRAINED_SHARE: Final = 0.75
#: Elderly visit rate: 100% with this probability, else uniform 50–100%.
_FULL_VISITS_ODDS: Final = 0.55
#: Social organisations: Poisson mean (urban, rural); volunteers: uniform share
#: of the population.
_ORGANISATIONS: Final = (8.0, 3.0)
_VOLUNTEER_SHARE: Final = (0.03, 0.15)
#: How likely a community has each service (urban, rural), in Service order.
_SERVICE_ODDS: Final[Mapping[Service, tuple[float, float]]] = {
    Service.SELF_SERVICE_KIOSK: (0.75, 0.25),
    Service.AGENCY_SERVICE: (0.90, 0.85),
    Service.ONLINE_SERVICE_24H: (0.70, 0.45),
    Service.SATISFACTION_SURVEY: (0.75, 0.60),
    Service.DISABLED_PERSONS_ASSOCIATION: (0.85, 0.75),
    Service.CULTURAL_SERVICE_CENTRE: (0.85, 0.80),
    Service.FITNESS_CIRCLE_15MIN: (0.75, 0.50),
    Service.POLICE_OFFICE_COLOCATED: (0.55, 0.35),
    Service.BROADBAND: (0.99, 0.98),
    Service.NETWORK_5G: (0.90, 0.55),
    Service.PUBLIC_SERVICE_INFO_PLATFORM: (0.65, 0.45),
    Service.CONVENIENCE_CIRCLE_15MIN: (0.60, 0.20),
    Service.LEGAL_ADVISER: (0.95, 0.90),
    Service.ONE_WINDOW_SERVICE: (0.80, 0.60),
    Service.NEEDS_MATCHED_EVALUATION: (0.50, 0.35),
    Service.COMMITTEE_JOINT_REVIEW: (0.90, 0.90),
    Service.VOLUNTEER_SERVICE_POINT: (0.70, 0.45),
    Service.SOCIAL_WORK_ROOM: (0.45, 0.20),
    Service.YOUTH_HOME: (0.35, 0.15),
    Service.OUT_OF_SCHOOL_PRACTICE_SITE: (0.40, 0.20),
    Service.EMERGENCY_DRILL: (0.80, 0.60),
    Service.CONSULTATION_SYSTEM: (0.85, 0.80),
}
#: The first services, drawn from the main stream; the later ones from their own.
_FIRST_SERVICES: Final = 11
#: Values left blank, independently, with these probabilities. ``facilities``
#: blanks every facility column of a row, ``services`` every service column;
#: ``has_facility`` is blanked only where the floor area is given; the
#: facility's parts only where it exists.
_MISSING: Final[Mapping[str, float]] = {
    "households": 0.01,
    "population": 0.02,
    "building_area": 0.06,
    "elderly_monthly_visit_rate": 0.08,
    "social_organisations": 0.05,
    "registered_volunteers": 0.06,
    "community_workers": 0.02,
    "social_workers": 0.05,
    "disaster_information_officers": 0.04,
    "trained_workers": 0.06,
    "facilities": 0.03,
    "has_facility": 0.05,
    "facility_activity_area": 0.04,
    "facility_office_area": 0.08,
    "facility_opening_hours": 0.03,
    "services": 0.03,
}

# --- the columns ------------------------------------------------------------------

#: The columns of :func:`nation`, in order: the table columns of
#: :data:`cssp.io.readers.COLUMNS` but name, kind, services, the urban-rural class
#: and the place names, then one per service.
_NAMES: Final = (
    *(
        c
        for c in COLUMNS
        if c not in {"name", "kind", "services", "urban_rural_class", *PLACE_COLUMNS}
    ),
    *(s.value for s in Service),
)
_COUNTS: Final = COUNT_FIELDS
_NULLABLE_FLAGS: Final = frozenset({"has_facility", *(s.value for s in Service)})

_PROVINCE_INDEX: Final = {province.code: i for i, province in enumerate(PROVINCES)}

_Float = NDArray[np.float64]
_Bool = NDArray[np.bool_]
_Int = NDArray[np.int64]


def nation(scale: float = 0.01, *, seed: int = 0, year: int = 2020) -> Columns:
    """Generate the synthetic nation's communities as columns.

    The columns are those of the table format of :mod:`cssp.io.readers`
    (:data:`~cssp.io.readers.COLUMNS` but ``name``, ``kind`` and ``services``,
    which a code implies or the service columns replace, and the urban-rural
    class and place names, which a code makes needless), then one column per
    :class:`~cssp.model.community.Service`, named by its value (``"5g"``):

    * ``code``: numpy unicode ``U12``, unique, sorted;
    * ``resettlement``, ``old_residential_area``, ``newly_built``: numpy
      ``bool``, never missing;
    * ``has_facility`` and the service columns: float64 1.0 (yes), 0.0 (no)
      or NaN (unknown; a row's services are all NaN or none is);
    * every other column: float64, NaN where the value is missing, whole
      numbers for the counts.

    The same arguments give the same arrays, on any machine with the same
    numpy: the draws come from one ``numpy.random.Generator(PCG64(seed))`` in
    a fixed order.

    >>> columns = nation(0.001)
    >>> len(columns["code"]), columns["code"].dtype
    (615, dtype('<U12'))
    >>> str(columns["code"][0]), float(columns["households"][0])
    ('110101017001', 1490.0)
    >>> columns = nation(0.01)
    >>> rural = np.array([int(code[9:]) >= 200 for code in columns["code"]])
    >>> floor = columns["facility_floor_area"]
    >>> known = rural & ~(np.isnan(columns["has_facility"]) & np.isnan(floor))
    >>> round(100 * int((known & ~np.isnan(floor)).sum()) / int(known.sum()), 1)
    65.7

    :param scale: the share of the nation: 1.0 is 615,000 communities
        (113,000 urban, 502,000 rural), 0.01 is 6,150. At most 10.
    :param seed: the seed of the random generator.
    :param year: 2020 reproduces the plan's 2020 baselines; a year up to 2025
        moves the three calibrated indicators along the plan's straight line
        to its 2025 targets (the engine's milestones); nothing else changes.
    :return: the columns, by name, each an array with one value per community.
    :raises ~cssp.errors.InputError: for a scale that is not above 0 and at
        most 10, or gives no community, or a year outside 2020–2025.
    """
    if isinstance(scale, bool) or not isinstance(scale, int | float):
        raise InputError(f"{scale!r} is not a number", "scale")
    if not 0 < scale <= _MAX_SCALE:
        raise InputError(f"{scale!r} is not above 0 and at most {_MAX_SCALE:g}", "scale")
    if isinstance(year, bool) or not isinstance(year, int):
        raise InputError(f"{year!r} is not a year", "year")
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise InputError(
            f"{year} is outside the plan's years {_FIRST_YEAR}–{_LAST_YEAR}: the synthetic "
            "nation follows the plan's straight line from its 2020 baselines to its 2025 targets",
            "year",
        )
    urban_total = round(_URBAN_2020 * scale)
    rural_total = round(_RURAL_2020 * scale)
    if urban_total + rural_total == 0:
        raise InputError(f"{scale!r} is too small: it gives no community", "scale")
    return _Generator(scale, seed, year, urban_total, rural_total).columns()


def communities(scale: float = 0.01, *, seed: int = 0, year: int = 2020) -> list[Community]:
    """Generate the synthetic nation as :class:`~cssp.model.community.Community` objects.

    The communities of :func:`nation`'s columns, built as
    :func:`~cssp.io.readers.read_communities` builds the rows of a table:
    the comprehensive facility from the ``facility_*`` columns, a commercial
    facility from ``commercial_floor_area``, the services from the service
    columns, and ``None`` for each missing value. Meant for small scales: at
    scale 1.0 it builds 615,000 objects (some 20 seconds and 1.5 GB).

    >>> found = communities(0.001, seed=3)
    >>> len(found), found[0].kind.value, found[-1].kind.value
    (615, 'urban', 'rural')

    :param scale: as for :func:`nation`.
    :param seed: as for :func:`nation`.
    :param year: as for :func:`nation`.
    :return: the communities, sorted by code.
    :raises ~cssp.errors.InputError: as :func:`nation`.
    """
    return _communities(nation(scale, seed=seed, year=year))


def write(columns: Mapping[str, NDArray[Any]], path: str | os.PathLike[str]) -> None:
    """Write columns such as :func:`nation`'s to a CSV or Parquet file, atomically.

    The format follows the suffix: ``.csv`` (UTF-8, a header of the column
    names, an empty cell for a missing value, ``true``/``false`` for flags,
    whole numbers without a decimal point) or ``.parquet`` (through pyarrow:
    ``pip install 'cssp[batch]'``; counts as 64-bit integers, flags as
    booleans, a missing value as null). :func:`~cssp.io.readers.read_communities` reads
    either back. The same columns give the same bytes (for Parquet, with the
    same pyarrow, whose version the file records).

    >>> import pathlib, tempfile
    >>> from cssp.io import read_communities
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "nation.csv"
    >>> write(nation(0.001), path)
    >>> len(read_communities(path))
    615

    :param columns: arrays of one length, by column name: ``code`` as text,
        flags as booleans, and numbers as float64 with NaN for a missing value
        (the count columns and, as 1.0/0.0, ``has_facility`` and the service
        columns).
    :param path: the file to write; its suffix is ``.csv`` or ``.parquet``.
    :raises ~cssp.errors.InputError: for another suffix, columns of different
        lengths, or a Parquet file without pyarrow.
    :raises OSError: when the file cannot be written (nothing is written).
    """
    suffix = Path(path).suffix.lower()
    if suffix not in {".csv", ".parquet"}:
        raise InputError(
            "cannot tell the format from the file name: it should end in .csv or .parquet",
            os.fspath(path),
        )
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        raise InputError("the columns are not all of one length", os.fspath(path))
    from cssp.synth.files import csv_text, parquet_bytes  # noqa: PLC0415 - after this module

    if suffix == ".csv":
        write_atomic(path, csv_text(columns))
    else:
        write_atomic(path, parquet_bytes(columns, os.fspath(path)))


# --- the generator ------------------------------------------------------------------


@functools.cache
def _townships() -> tuple[NDArray[np.str_], _Int, _Int]:
    """The township codes used (digits 7–9 001–399), sorted; their types and provinces."""
    codes = sorted(
        code for code in load_divisions() if len(code) == 9 and 1 <= int(code[6:]) <= 399
    )
    digits = np.array([int(code[6:]) for code in codes], dtype=np.int64)
    kinds = np.where(digits < 100, _STREET, np.where(digits < 200, _TOWN, _TOWNSHIP))
    provinces = np.array([_PROVINCE_INDEX[code[:2]] for code in codes], dtype=np.int64)
    return np.array(codes, dtype="U9"), kinds.astype(np.int64), provinces


def _largest_remainder(total: int, weights: _Float) -> _Int:
    """Whole numbers summing to ``total``, in proportion to ``weights`` (Hamilton's method)."""
    quotas: _Float = total * weights / weights.sum()
    counts: _Int = np.floor(quotas).astype(np.int64)
    short = total - int(counts.sum())
    if short:
        order = np.argsort(-(quotas - counts), kind="stable")
        counts[order[:short]] += 1
    return counts


class _Generator:
    """One run of :func:`nation`: the draws, in a fixed order, and the calibrations."""

    def __init__(self, scale: float, seed: int, year: int, urban: int, rural: int) -> None:
        self.rng = np.random.Generator(np.random.PCG64(seed))
        #: later services' own stream: the main stream's draws stay as they were.
        self.later = np.random.Generator(np.random.PCG64([seed, 1]))
        self.scale = scale
        plan = load_plan("fyp14")
        targets = [plan.indicators[name].target for name in (_COVERAGE, _AREA, _STAFFING)]
        self.coverage, self.area, self.staffing = (cast(float, t.milestone(year)) for t in targets)
        self.staffing_2020 = cast(float, targets[2].milestone(_FIRST_YEAR))
        self.totals = (urban, rural)
        self.rural: _Bool = np.zeros(0, dtype=np.bool_)  # which rows are villages

    # the communities and their codes

    def allocate(self) -> tuple[NDArray[np.str_], _Bool, _Int]:
        """Place the communities in townships: their codes, which are rural, their provinces."""
        codes, kinds, provinces = _townships()
        counts = []
        for total, weights in zip(self.totals, (_URBAN_WEIGHT, _RURAL_WEIGHT), strict=True):
            weight = np.asarray(weights, dtype=np.float64)[kinds]
            # Provinces get their expected share exactly; townships a random one.
            expected = np.bincount(provinces, weights=weight, minlength=len(PROVINCES))
            per_province = _largest_remainder(total, expected.astype(np.float64))
            sized = weight * self.rng.lognormal(0.0, _TOWNSHIP_SIGMA, len(codes))
            count = np.zeros(len(codes), dtype=np.int64)
            for province, number in enumerate(per_province.tolist()):
                members = np.flatnonzero(provinces == province)
                count[members] = self.spread(number, sized[members])
            counts.append(count)
        # Township by township, its urban communities (001…) then its rural ones (201…).
        per_group = np.stack(counts, axis=1).ravel()
        group = np.repeat(np.arange(per_group.size), per_group)
        first = np.cumsum(per_group) - per_group
        number = np.arange(group.size) - first[group] + 1
        rural = group % 2 == 1
        township = group // 2
        number += np.where(rural, 200, 0)
        suffix = np.char.zfill(number.astype("U3"), 3)
        code = np.char.add(codes[township], suffix).astype("U12")
        return code, rural, provinces[township]

    def spread(self, number: int, weights: _Float) -> _Int:
        """``number`` communities over townships in proportion to ``weights``, 199 at most each."""
        if number == 0:
            return np.zeros(weights.size, dtype=np.int64)
        count = self.rng.multinomial(number, weights / weights.sum()).astype(np.int64)
        while (over := count > _CAP).any():
            extra = int((count[over] - _CAP).sum())
            count[over] = _CAP
            room = weights * (count < _CAP)
            if room.sum() == 0:  # pragma: no cover - the scale is bounded well below this
                raise InputError("the scale is too large for the township codes", "scale")
            count += self.rng.multinomial(extra, room / room.sum()).astype(np.int64)
        return count

    def by_kind(self, rural: _Bool, values: tuple[float, float]) -> _Float:
        """A per-row array of a (urban, rural) pair of parameters."""
        return np.where(rural, values[1], values[0])

    def uniform(self, rural: _Bool, bounds: tuple[tuple[float, float], ...]) -> _Float:
        low = self.by_kind(rural, (bounds[0][0], bounds[1][0]))
        high = self.by_kind(rural, (bounds[0][1], bounds[1][1]))
        return self.rng.uniform(low, high)

    def columns(self) -> Columns:
        """Draw everything, calibrate, and blank the missing values."""
        code, rural, province = self.allocate()
        self.rural = rural
        n = code.size
        figures = self.community(n)
        # Which values are missing: one draw per value and row, in _MISSING's order.
        draws = self.rng.random((len(_MISSING), n))
        missing = {name: draws[i] < rate for i, (name, rate) in enumerate(_MISSING.items())}
        facility = self.facility(province, figures, missing)
        staff = self.staff(figures, missing)
        others = self.others(figures)

        def blank(values: _Float, where: _Bool) -> _Float:
            return np.where(where, np.nan, values.astype(np.float64))

        columns: Columns = {"code": code}
        for name, values in (*figures.items(), *staff.items(), *others.items()):
            columns[name] = values if values.dtype == np.bool_ else blank(values, missing[name])
        columns.update(facility)
        services = self.services(n)
        for index, service in enumerate(Service):
            columns[service.value] = blank(services[index], missing["services"])
        return {name: columns[name] for name in _NAMES}

    def community(self, n: int) -> dict[str, NDArray[Any]]:
        """Households, population, building area and the flags."""
        rng, rural = self.rng, self.rural
        median = self.by_kind(rural, _HOUSEHOLDS_MEDIAN)
        sigma = self.by_kind(rural, _HOUSEHOLDS_SIGMA)
        low = self.by_kind(rural, (_HOUSEHOLDS_BOUNDS[0][0], _HOUSEHOLDS_BOUNDS[1][0]))
        high = self.by_kind(rural, (_HOUSEHOLDS_BOUNDS[0][1], _HOUSEHOLDS_BOUNDS[1][1]))
        households = np.clip(np.round(median * np.exp(sigma * rng.standard_normal(n))), low, high)
        population = np.round(households * self.uniform(rural, _HOUSEHOLD_SIZE))
        building = np.round(households * self.uniform(rural, _BUILDING_PER_HOUSEHOLD))
        flag = rng.random(n)
        resettlement = rng.random(n) < _RESETTLEMENT_ODDS
        return {
            "households": households,
            "population": population,
            "building_area": building,
            "resettlement": resettlement,
            "old_residential_area": ~rural & (flag < _OLD_AREA_ODDS),
            "newly_built": ~rural & (flag >= 1.0 - _NEWLY_BUILT_ODDS),
        }

    def facility(
        self, province: _Int, figures: dict[str, NDArray[Any]], missing: dict[str, _Bool]
    ) -> dict[str, _Float]:
        """The facility columns: coverage and floor area calibrated, parts drawn, gaps blanked."""
        rng, rural = self.rng, self.rural
        n = rural.size
        households, building = figures["households"], figures["building_area"]
        known = ~missing["facilities"]
        # Every urban community has one (the plan's 100% urban coverage), and an
        # exact share of the villages whose facilities are known.
        has = ~rural | self.covered(rural & known, province, figures["resettlement"])
        level = self.by_kind(rural, _FACILITY_LEVEL)
        spread = self.by_kind(rural, _FACILITY_SIGMA)
        fixed = self.by_kind(rural, _FACILITY_FIXED)
        raw = level * np.exp(spread * rng.standard_normal(n)) * (households + fixed)
        # One factor: Σ floor area ÷ Σ households over the communities the engine
        # counts; then 0.1 m² more for a few, so the sum of the rounded areas
        # reaches the milestone.
        counted = known & ~missing["households"]
        goal = self.area / 100 * float(households[counted].sum())
        area = float(raw[counted & has].sum())
        factor = goal / area if area else 0.0
        floor = np.where(has, np.maximum(np.round(raw * factor, 1), 0.1), np.nan)
        short = math.ceil((goal - float(floor[counted & has].sum())) * 10 - 1e-6)
        if short > 0:
            rows = np.flatnonzero(counted & has)
            picked = rng.choice(rows, size=min(short, rows.size), replace=False)
            floor[picked] = np.round(floor[picked] + 0.1, 1)
        activity = np.floor(floor * rng.uniform(*_ACTIVITY_SHARE, n) * 10) / 10
        office = np.floor(floor * rng.uniform(*_OFFICE_SHARE, n) * 10) / 10
        odds = np.asarray(_HOURS_ODDS, dtype=np.float64)
        hours = rng.choice(np.asarray(_HOURS), size=n, p=odds / odds.sum())
        shop = rng.random(n) < self.by_kind(rural, _COMMERCIAL_ODDS)
        commercial = np.round(building * self.uniform(rural, _COMMERCIAL_SHARE), 1)
        commercial = np.where(shop & (commercial > 0), commercial, np.nan)
        has_column = np.where(has, 1.0, 0.0)
        has_column[~known | (has & missing["has_facility"])] = np.nan
        part = ~known | ~has
        return {
            "has_facility": has_column,
            "facility_floor_area": np.where(known, floor, np.nan),
            "facility_activity_area": np.where(
                part | missing["facility_activity_area"], np.nan, activity
            ),
            "facility_office_area": np.where(
                part | missing["facility_office_area"], np.nan, office
            ),
            "facility_opening_hours": np.where(
                part | missing["facility_opening_hours"], np.nan, hours
            ),
            "commercial_floor_area": np.where(known, commercial, np.nan),
        }

    def staff(
        self, figures: dict[str, NDArray[Any]], missing: dict[str, _Bool]
    ) -> dict[str, _Float]:
        """The staff counts (the workers calibrated)."""
        rng, rural = self.rng, self.rural
        n = rural.size
        workers = self.workers(figures["population"], figures["households"], missing)
        return {
            "community_workers": workers,
            "social_workers": rng.poisson(self.by_kind(rural, _SOCIAL_WORKERS)).astype(np.float64),
            "disaster_information_officers": rng.choice(
                np.arange(3.0), size=n, p=np.asarray(_OFFICERS_ODDS)
            ),
            "trained_workers": rng.binomial(workers.astype(np.int64), _TRAINED_SHARE).astype(
                np.float64
            ),
        }

    def others(self, figures: dict[str, NDArray[Any]]) -> dict[str, _Float]:
        """The elderly visit rate, social organisations and volunteers."""
        rng, rural = self.rng, self.rural
        n = rural.size
        visits = np.round(rng.uniform(50.0, 100.0, n), 1)
        return {
            "elderly_monthly_visit_rate": np.where(
                rng.random(n) < _FULL_VISITS_ODDS, 100.0, visits
            ),
            "social_organisations": rng.poisson(self.by_kind(rural, _ORGANISATIONS)).astype(
                np.float64
            ),
            "registered_volunteers": np.round(
                figures["population"] * rng.uniform(*_VOLUNTEER_SHARE, n)
            ),
        }

    def services(self, n: int) -> _Float:
        """Each service's column (1.0 or 0.0), one row per service."""
        odds = np.array([_SERVICE_ODDS[s] for s in Service], dtype=np.float64)
        by_row = np.where(self.rural, odds[:, 1:2], odds[:, 0:1])
        first = self.rng.random((_FIRST_SERVICES, n))
        later = self.later.random((len(Service) - _FIRST_SERVICES, n))
        return (np.concatenate([first, later]) < by_row).astype(np.float64)

    def covered(self, known: _Bool, province: _Int, resettlement: _Bool) -> _Bool:
        """Which of the ``known`` villages have a facility: exactly the coverage's share.

        Jiangsu's villages all have one (its 2020 baseline); the others are
        drawn without replacement, with a weight per province (so provinces
        differ) and a priority for resettlement communities (Efraimidis and
        Spirakis' weighted sampling: the smallest exponential keys ÷ weight).
        """
        rng = self.rng
        weights = rng.lognormal(0.0, _PROVINCE_SIGMA, len(PROVINCES))[province]
        weights = weights * np.where(resettlement, _RESETTLEMENT_PRIORITY, 1.0)
        keys = rng.exponential(size=province.size) / weights
        wanted = math.ceil(self.coverage / 100 * int(known.sum()) - 1e-9)  # at least the share
        jiangsu = known & (province == _PROVINCE_INDEX[_FULL_COVERAGE_PROVINCE])
        chosen = np.zeros(province.size, dtype=np.bool_)
        pool = known
        if wanted >= int(jiangsu.sum()):
            chosen |= jiangsu
            wanted -= int(jiangsu.sum())
            pool = known & ~jiangsu
        candidates = np.flatnonzero(pool)
        if wanted > 0:
            picked = candidates[np.argpartition(keys[candidates], wanted - 1)[:wanted]]
            chosen[picked] = True
        return chosen

    def workers(self, population: _Float, households: _Float, missing: dict[str, _Bool]) -> _Float:
        """Community workers: urban ones calibrated to the staffing ratio, rural to the total."""
        rng, rural = self.rng, self.rural
        urban = ~rural
        rate = self.staffing * np.exp(_STAFFING_SIGMA * rng.standard_normal(rural.size))
        raw = population * rate / 10_000
        counted = urban & ~missing["community_workers"] & ~missing["population"]
        goal = math.ceil(self.staffing / 10_000 * float(population[counted].sum()) - 1e-9)

        def urban_workers(factor: float) -> _Float:
            return np.maximum(_MIN_URBAN_WORKERS, np.round(raw * factor))

        low, high = 0.0, 4.0
        for _ in range(60):  # the largest factor whose total does not pass the goal
            middle = (low + high) / 2
            if urban_workers(middle)[counted].sum() <= goal:
                low = middle
            else:
                high = middle
        workers = np.where(urban, urban_workers(low), 0.0)
        self.adjust(workers, np.flatnonzero(counted), goal, _MIN_URBAN_WORKERS)

        # Villages: 3 plus a Poisson number growing with the village's size, so
        # that the nation's total is the plan's 433.8万 (at scale 1, in 2020).
        rural_total = int(rural.sum())
        if rural_total:
            urban_2020 = round(self.staffing_2020 / 10_000 * float(population[urban].sum()))
            goal = max(
                round(_WORKERS_2020 * self.scale) - urban_2020, _MIN_RURAL_WORKERS * rural_total
            )
            size = np.sqrt(households[rural])
            mean = (goal / rural_total - _MIN_RURAL_WORKERS) * size / size.mean()
            workers[rural] = _MIN_RURAL_WORKERS + rng.poisson(mean)
            self.adjust(workers, np.flatnonzero(rural), goal, _MIN_RURAL_WORKERS)
        return workers

    def adjust(self, values: _Float, rows: _Int, goal: int, minimum: int) -> None:
        """Add or take one at random ``rows`` (not below ``minimum``) until they sum to ``goal``."""
        while (difference := goal - int(values[rows].sum())) != 0:
            pool = rows if difference > 0 else rows[values[rows] > minimum]
            if pool.size == 0:
                return
            picked = self.rng.choice(pool, size=min(abs(difference), pool.size), replace=False)
            values[picked] += 1 if difference > 0 else -1


# --- communities from the columns ---------------------------------------------------


def _values(column: NDArray[Any], count: bool = False) -> list[Any]:
    """A column as Python values: None for NaN, int for a count."""
    values: list[Any] = column.tolist()
    if count:
        return [None if math.isnan(v) else int(v) for v in values]
    return [None if isinstance(v, float) and math.isnan(v) else v for v in values]


def _communities(columns: Mapping[str, NDArray[Any]]) -> list[Community]:
    """The communities of the columns, as the table reader builds them."""
    get = {name: _values(columns[name], name in _COUNTS) for name in _NAMES[1:]}
    codes: list[str] = columns["code"].tolist()
    services = list(Service)
    result = []
    for row, code in enumerate(codes):
        floor = get["facility_floor_area"][row]
        has = get["has_facility"][row]
        commercial = get["commercial_floor_area"][row]
        facilities: tuple[Facility, ...] | None = None
        if floor is not None or has is not None or commercial is not None:
            found = []
            if floor is not None and has != 0.0:
                found.append(
                    Facility(
                        FacilityKind.COMPREHENSIVE,
                        floor,
                        get["facility_activity_area"][row],
                        get["facility_office_area"][row],
                        get["facility_opening_hours"][row],
                    )
                )
            if commercial is not None:
                found.append(Facility(FacilityKind.COMMERCIAL, commercial))
            facilities = tuple(found)
        flags = [get[service.value][row] for service in services]
        present = (
            None
            if all(flag is None for flag in flags)
            else frozenset(s for s, flag in zip(services, flags, strict=True) if flag)
        )
        staff = Staff(
            get["community_workers"][row],
            get["social_workers"][row],
            get["disaster_information_officers"][row],
            get["trained_workers"][row],
        )
        result.append(
            Community(
                code,
                households=get["households"][row],
                population=get["population"][row],
                building_area=get["building_area"][row],
                facilities=facilities,
                staff=staff,
                services=present,
                resettlement=bool(get["resettlement"][row]),
                old_residential_area=bool(get["old_residential_area"][row]),
                newly_built=bool(get["newly_built"][row]),
                elderly_monthly_visit_rate=get["elderly_monthly_visit_rate"][row],
                social_organisations=get["social_organisations"][row],
                registered_volunteers=get["registered_volunteers"][row],
            )
        )
    return result
