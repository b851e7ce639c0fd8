"""The synthetic nation (cssp.synth): calibration, determinism, validity, files and the command."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any, Final

import pytest

import cssp
from cssp.cli import main
from cssp.io import read_communities
from cssp.io.readers import COLUMNS, PLACE_COLUMNS
from cssp.model.divisions import PROVINCES, load_divisions

np = pytest.importorskip("numpy")
synth = pytest.importorskip("cssp.synth")

SERVICES: Final = tuple(service.value for service in cssp.Service)
FLAGS: Final = ("resettlement", "old_residential_area", "newly_built")
COUNTS: Final = (
    "households",
    "population",
    "social_organisations",
    "registered_volunteers",
    "community_workers",
    "social_workers",
    "disaster_information_officers",
    "trained_workers",
)
FACILITY_PARTS: Final = ("facility_activity_area", "facility_office_area", "facility_opening_hours")

Columns = dict[str, Any]


@pytest.fixture(scope="module")
def small() -> Columns:
    columns: Columns = synth.nation(0.01, seed=0)
    return columns


@pytest.fixture(scope="module")
def whole() -> Columns:
    columns: Columns = synth.nation(1.0, seed=0)
    return columns


def _rural(columns: Columns) -> Any:
    return np.array([int(code[9:]) >= 200 for code in columns["code"].tolist()])


def _aggregates(columns: Columns) -> tuple[float, float, float]:
    """Rural coverage (%), floor area per 100 households, workers per 10,000 urban residents.

    Over the communities the engine counts: facilities known (a has_facility
    or a floor area given), households known; workers and population known.
    """
    rural = _rural(columns)
    floor = columns["facility_floor_area"]
    known = ~np.isnan(columns["has_facility"]) | ~np.isnan(floor)
    covered = known & rural
    coverage = 100 * float((floor[covered] > 0).sum()) / float(covered.sum())
    households = columns["households"]
    counted = known & ~np.isnan(households)
    area = 100 * float(np.nansum(floor[counted])) / float(households[counted].sum())
    workers, population = columns["community_workers"], columns["population"]
    staffed = ~rural & ~np.isnan(workers) & ~np.isnan(population)
    staffing = 10_000 * float(workers[staffed].sum()) / float(population[staffed].sum())
    return coverage, area, staffing


# --- calibration ----------------------------------------------------------------------


@pytest.mark.parametrize("scale", [0.01, 0.05])
def test_the_2020_baselines_are_reproduced(scale: float) -> None:
    coverage, area, staffing = _aggregates(synth.nation(scale, seed=11))
    assert coverage == pytest.approx(65.7, abs=0.5)
    assert area == pytest.approx(29.8, abs=0.5)
    assert staffing == pytest.approx(15.0, abs=0.5)
    # At or just above: the nation meets its baseline, whatever the seed.
    assert coverage >= 65.7 - 1e-9
    assert area >= 29.8 - 1e-9
    assert staffing >= 15.0 - 1e-9


def test_the_baselines_at_scale_one(whole: Columns) -> None:
    rural = _rural(whole)
    assert (int((~rural).sum()), int(rural.sum())) == (113_000, 502_000)
    coverage, area, staffing = _aggregates(whole)
    # Exact by construction, up to a whole community or worker and 0.1 m² roundings.
    assert coverage == pytest.approx(65.7, abs=0.01)
    assert area == pytest.approx(29.8, abs=0.01)
    assert staffing == pytest.approx(15.0, abs=0.01)
    # The plan's 433.8万 community workers, less the ~2% of rows where the count is missing.
    assert np.nansum(whole["community_workers"]) == pytest.approx(4_338_000 * 0.98, rel=0.01)


@pytest.mark.parametrize("year", [2021, 2023, 2025])
def test_later_years_follow_the_plans_milestones(year: int) -> None:
    plan = cssp.load_plan("fyp14")
    expected = [
        plan.indicators[name].target.milestone(year)
        for name in (
            "rural_facility_coverage",
            "facility_area_per_100_households",
            "workers_per_10k_urban_residents",
        )
    ]
    found = _aggregates(synth.nation(0.02, seed=2, year=year))
    assert found == pytest.approx(expected, abs=0.1)
    assert all(f >= (e or 0.0) - 1e-9 for f, e in zip(found, expected, strict=True))


def test_the_engine_agrees() -> None:
    """cssp's own scalar engine, on the communities, finds the calibrated figures."""
    communities = synth.communities(0.01, seed=4)
    report = cssp.evaluate_region(communities, by="nation", year=2021, profiles=())
    (nation,) = report.regions
    observed = {
        target: nation.finding(target).observed
        for target in (
            "rural_facility_coverage",
            "urban_facility_coverage",
            "facility_area_per_100_households",
            "workers_per_10k_urban_residents",
        )
    }
    assert observed["rural_facility_coverage"] == pytest.approx(65.7, abs=0.5)
    assert observed["urban_facility_coverage"] == 100.0
    assert observed["facility_area_per_100_households"] == pytest.approx(29.8, abs=0.5)
    assert observed["workers_per_10k_urban_residents"] == pytest.approx(15.0, abs=0.5)
    assert observed["rural_facility_coverage"] == pytest.approx(
        _aggregates(synth.nation(0.01, seed=4))[0]
    )
    # 2020 is the baseline year, not a year of the plan's period (2021–2025): the
    # figures reach the 2020 baselines, and fall short of the 2021 milestones.
    targets = cssp.load_plan("fyp14").targets
    for target, value in observed.items():
        baseline = targets[target].milestone(2020)
        assert baseline is not None
        assert value is not None
        assert value >= baseline - 1e-9, target


# --- determinism --------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_arrays(small: Columns) -> None:
    again = synth.nation(0.01, seed=0)
    assert list(again) == list(small)
    for name, values in small.items():
        np.testing.assert_array_equal(again[name], values, err_msg=name)


def test_another_seed_gives_another_nation(small: Columns) -> None:
    other = synth.nation(0.01, seed=1)
    assert not np.array_equal(other["households"], small["households"], equal_nan=True)
    assert list(other["code"]) != list(small["code"])


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_the_same_seed_gives_the_same_bytes(suffix: str, tmp_path: Path) -> None:
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    synth.write(synth.nation(0.005, seed=9), first)
    synth.write(synth.nation(0.005, seed=9), second)
    assert first.read_bytes() == second.read_bytes()
    synth.write(synth.nation(0.005, seed=10), second)
    assert first.read_bytes() != second.read_bytes()


# --- the columns are the table format, and every row is a valid community ------------------


def test_columns_and_dtypes(small: Columns) -> None:
    assert set(small) <= set(COLUMNS) | set(SERVICES)
    needless = {"name", "kind", "services", "urban_rural_class", *PLACE_COLUMNS}
    assert set(small) == (set(COLUMNS) - needless) | set(SERVICES)
    assert small["code"].dtype == np.dtype("U12")
    lengths = {len(values) for values in small.values()}
    assert lengths == {6150}
    for name, values in small.items():
        if name in FLAGS:
            assert values.dtype == np.bool_, name
        elif name != "code":
            assert values.dtype == np.float64, name
    for name in COUNTS:
        values = small[name][~np.isnan(small[name])]
        assert (values == np.round(values)).all(), name


def test_codes_are_unique_sorted_and_real(small: Columns) -> None:
    codes = small["code"].tolist()
    assert codes == sorted(codes)
    assert len(set(codes)) == len(codes)
    divisions = load_divisions()
    for code in codes:
        assert len(code) == 12
        assert code.isdigit()
        assert code[:9] in divisions
        assert 1 <= int(code[6:9]) <= 399
        number = int(code[9:])
        assert 1 <= number <= 199 or 201 <= number <= 399
    assert {code[:2] for code in codes} == {province.code for province in PROVINCES}


def test_urban_communities_are_mostly_in_streets(small: Columns) -> None:
    rural = _rural(small)
    township = np.array([int(code[6:9]) for code in small["code"].tolist()])
    assert (township[~rural] < 100).mean() > 0.6  # streets (街道)
    assert (township[rural] >= 100).mean() > 0.9  # towns (镇) and townships (乡)


def test_every_row_is_consistent(small: Columns) -> None:
    has, floor = small["has_facility"], small["facility_floor_area"]
    nan = np.isnan
    assert (nan(floor) | (has == 1.0) | nan(has)).all()  # an area: a facility, or not said
    for part in FACILITY_PARTS:
        assert (nan(small[part]) | ~nan(floor)).all(), part  # parts only of a facility
    assert (~((has == 0.0) & ~nan(floor))).all()
    # A commercial area only where facilities are known.
    assert (nan(small["commercial_floor_area"]) | ~nan(has) | ~nan(floor)).all()
    assert (nan(small["facility_activity_area"]) | (small["facility_activity_area"] <= floor)).all()
    assert (nan(small["facility_office_area"]) | (small["facility_office_area"] <= floor)).all()
    assert np.nanmax(small["facility_opening_hours"]) <= 24
    assert np.nanmax(small["elderly_monthly_visit_rate"]) <= 100
    trained, workers = small["trained_workers"], small["community_workers"]
    assert (nan(trained) | nan(workers) | (trained <= workers)).all()
    for name, values in small.items():
        if values.dtype == np.float64:
            assert np.nanmin(values) >= 0, name
    services = np.stack([small[s] for s in SERVICES])
    unknown = nan(services)
    assert (unknown.all(axis=0) | ~unknown.any(axis=0)).all()  # all or none
    rural = _rural(small)
    assert not (small["old_residential_area"] & rural).any()


def test_missing_values_are_a_few_percent(small: Columns) -> None:
    for name, values in small.items():
        if name == "code" or values.dtype != np.float64:
            continue
        share = float(np.isnan(values).mean())
        if name in {*FACILITY_PARTS, "facility_floor_area", "commercial_floor_area"}:
            continue  # absent where there is no facility, too
        assert 0.0 < share < 0.15, (name, share)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_every_row_reads_back(suffix: str, small: Columns, tmp_path: Path) -> None:
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    path = tmp_path / f"nation{suffix}"
    synth.write(small, path)
    communities = read_communities(path)
    assert len(communities) == len(small["code"])
    assert list(communities) == synth.communities(0.01, seed=0)


def test_communities_follow_the_readers_semantics() -> None:
    found = synth.communities(0.002, seed=5)
    assert all(isinstance(c, cssp.Community) for c in found)
    assert any(c.facilities is None for c in found)  # facilities unknown
    assert any(c.facilities == () for c in found)  # a village without a facility
    assert any(c.services is None for c in found)
    assert any(c.staff.community_workers is None for c in found)
    assert all(
        c.comprehensive_facilities for c in found if c.kind.value == "urban" and c.facilities
    )


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"scale": 0}, "not above 0"),
        ({"scale": 11.0}, "at most 10"),
        ({"scale": 1e-9}, "gives no community"),
        ({"scale": True}, "not a number"),
        ({"year": 2019}, "outside the plan's years"),
        ({"year": 2026}, "outside the plan's years"),
        ({"year": 2020.0}, "not a year"),
    ],
)
def test_bad_arguments(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(cssp.InputError, match=message):
        synth.nation(**arguments)


def test_write_refuses_other_suffixes_and_ragged_columns(tmp_path: Path) -> None:
    with pytest.raises(cssp.InputError, match=r"\.csv or \.parquet"):
        synth.write({"code": np.array(["110101001001"])}, tmp_path / "x.json")
    ragged = {"code": np.array(["110101001001"]), "households": np.array([1.0, 2.0])}
    with pytest.raises(cssp.InputError, match="one length"):
        synth.write(ragged, tmp_path / "x.csv")
    assert list(tmp_path.iterdir()) == []


def test_without_numpy_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "numpy", None)
    monkeypatch.delitem(sys.modules, "cssp.synth")
    with pytest.raises(cssp.CsspError, match=r"needs numpy: pip install 'cssp\[batch\]'"):
        importlib.import_module("cssp.synth")


def test_parquet_without_pyarrow(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(cssp.InputError, match="needs pyarrow"):
        synth.write(synth.nation(0.001), tmp_path / "x.parquet")


def test_import_cssp_does_not_import_numpy() -> None:
    code = "import sys, cssp; print('numpy' in sys.modules, 'cssp.synth' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["False", "False"]


# --- the command ----------------------------------------------------------------------------


def test_the_command_writes_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nation.csv"
    assert main(["synth", "--scale", "0.001", "--seed", "3", "-o", str(path)]) == 0
    assert "615 synthetic communities (113 urban, 502 rural" in capsys.readouterr().out
    assert len(read_communities(path)) == 615
    assert path.read_bytes() == _bytes_of(synth.nation(0.001, seed=3), tmp_path / "again.csv")


def _bytes_of(columns: Columns, path: Path) -> bytes:
    synth.write(columns, path)
    return path.read_bytes()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--year", "2030"], "outside the plan's years"),
        (["--scale", "-1"], "not above 0"),
        (["-o", "nation.txt"], ".csv or .parquet"),
    ],
)
def test_the_command_reports_bad_input(
    arguments: list[str],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    output = [] if "-o" in arguments else ["-o", "nation.csv"]
    assert main(["synth", *arguments, *output]) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
