"""The batch engine gives exactly the scalar engine's verdicts and region figures.

Properties over generated communities (real township codes in five
provinces), with the four shipped province profiles, a county profile, a
staffing rule with and without a columnar form, and a Python measure with
none; values exactly at thresholds and missing data included.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

import cssp
import cssp.batch
import cssp.synth
from cssp.model.community import Community, Facility, FacilityKind
from cssp.model.measures import Measure
from cssp.testing import communities

CHECKOUT = Path(__file__).resolve().parents[1]
LEVELS = ("township", "county", "prefecture", "province", "nation")


def _toml(name: str) -> cssp.Profile:
    return cssp.load_profile(
        CHECKOUT / f"plugins/cssp-{name}/cssp_{name}/profile.toml", source=f"cssp-{name} 0.1.0"
    )


def _beijing() -> tuple[cssp.Profile, ...]:
    import cssp_beijing

    return tuple(cssp_beijing.cssp_profiles())


class RowByRowRule(cssp.StaffingRule):
    """A staffing rule with no columnar form: the batch engine calls it on each community."""

    def required(self, community: Community) -> float | None:
        population = community.population
        return None if population is None else float(max(2, math.ceil(population / 1000)))


def _county_profile() -> cssp.Profile:
    """Tianhe district (440106): a stricter facility area, a row-by-row rule and measure."""
    return cssp.Profile(
        id="tianhe",
        plan="fyp14",
        scope="440106",
        title=cssp.Text("天河区（测试）", "Tianhe (test)"),
        issuer="test",
        document="test",
        overrides=(
            cssp.Override(
                "facility_area_per_100_households",
                "≥ 34 m^2 / (100 household)",
                cssp.Citation(document="test"),
            ),
        ),
        staffing=RowByRowRule(
            cssp.Citation(document="test"), cssp.Text("测试", "test"), applies_to=cssp.Scope.ALL
        ),
    )


def _row_by_row(profile: cssp.Profile) -> cssp.Profile:
    """The profile with its measures replaced by opaque functions (no declaration to derive
    a columnar form from): the batch engine computes them community by community.
    A measure of township records stays declared (it is read from the records)."""
    measures = {
        k: m if m.township else Measure(m.numerator_unit, m.denominator_unit, m.observe)
        for k, m in profile.measures.items()
    }
    return attrs.evolve(profile, measures=measures)


GUANGDONG = _toml("guangdong")
PROFILES: tuple[cssp.Profile, ...] = (
    GUANGDONG,
    _toml("jiangsu"),
    _toml("hubei"),
    *_beijing(),
    _county_profile(),
)
TOWNSHIPS = (
    "440106001",  # Guangzhou, Tianhe (Guangdong + the county profile)
    "440106002",
    "441823100",  # Qingyuan, Yangshan (Guangdong)
    "320102001",  # Nanjing (Jiangsu)
    "420102001",  # Wuhan (Hubei)
    "110101001",  # Beijing, Dongcheng (Beijing's staffing rule)
    "330106001",  # Hangzhou (no profile)
    "331124100",  # Songyang (no profile)
)
EXTRAS = (
    "childcare_places_under_3",
    "sports_ground_area",
    "qualified_social_workers",
    "all_round_service_model",
    "elderly_receiving_home_services",
    "home_dwelling_elderly",
)


@st.composite
def _at_threshold(draw: st.DrawFn, community: Community) -> Community:
    """Put the facility area exactly at 30 m² per 100 households (17 households → 5.1 m²)."""
    households = draw(st.sampled_from([17, 100, 1700, 3, 49]))
    area = households * 30 / 100
    return attrs.evolve(
        community,
        households=households,
        facilities=(Facility(FacilityKind.COMPREHENSIVE, area, area * 0.6, None, 8.0),),
    )


@st.composite
def _community(draw: st.DrawFn) -> Community:
    township = draw(st.sampled_from(TOWNSHIPS))
    community = draw(communities(township=township))
    if draw(st.booleans()):
        community = draw(_at_threshold(community))
    extras = draw(
        st.dictionaries(
            st.sampled_from(EXTRAS),
            st.one_of(st.integers(0, 50).map(float), st.floats(0, 500), st.just(-1.5)),
            max_size=len(EXTRAS),
        )
    )
    return attrs.evolve(community, extra=extras)


_lists = st.lists(_community(), min_size=0, max_size=24, unique_by=lambda c: c.code)


@settings(max_examples=60, deadline=None)
@given(_lists, st.sampled_from([2021, 2023, 2025]), st.booleans())
def test_batch_equals_scalar_with_profiles(
    items: list[Community], year: int, row_by_row: bool
) -> None:
    chosen = PROFILES if not row_by_row else (_row_by_row(GUANGDONG), *PROFILES[1:])
    profiles = cssp.ProfileSet(chosen)
    result = cssp.batch.evaluate_communities(items, year=year, profiles=profiles)
    assert len(result) == len(items)
    for index, community in enumerate(items):
        scalar = cssp.evaluate(community, year=year, profiles=profiles)
        statuses = result.status_of(index)
        # every community-level target of the scalar engine, with the same verdict
        assert {f.target.id: f.status for f in scalar.findings}.items() <= statuses.items()
    for level in LEVELS:
        report = cssp.evaluate_region(items, by=level, year=year, profiles=profiles)
        assert result.region_assessments(level, members=True) == report.regions


@settings(max_examples=30, deadline=None)
@given(_lists)
def test_batch_equals_scalar_for_the_national_plan_and_fyp13(items: list[Community]) -> None:
    for plan in ("fyp14", "fyp13"):
        result = cssp.batch.evaluate_communities(items, plan=plan, profiles=())
        for level in ("county", "nation"):
            report = cssp.evaluate_region(items, plan=plan, by=level, profiles=())
            assert result.region_assessments(level, members=True) == report.regions


#: The batch engine's status code of each scalar status (a target not in force: 255).
CODES = {
    cssp.Status.MET: 0,
    cssp.Status.NOT_MET: 1,
    cssp.Status.NOT_APPLICABLE: 2,
    cssp.Status.NO_DATA: 3,
    cssp.Status.NO_VERDICT: 4,
}
ABSENT = 255


def _scalar_table(
    report: cssp.RegionReport, targets: tuple[str, ...]
) -> tuple[NDArray[np.uint8], NDArray[np.float64], NDArray[np.float64]]:
    """The statuses, observed figures and thresholds of ``report`` as a region table's arrays.

    A status is 255 and a figure NaN where the region has no finding for the target.
    """
    shape = (len(report.regions), len(targets))
    status = np.full(shape, ABSENT, dtype=np.uint8)
    observed = np.full(shape, np.nan)
    required = np.full(shape, np.nan)
    for r, region in enumerate(report.regions):
        for finding in region.findings:
            t = targets.index(finding.target.id)  # ValueError: a target the batch engine lacks
            assert status[r, t] == ABSENT, f"{finding.target.id} twice in {region.code!r}"
            status[r, t] = CODES[finding.status]
            observed[r, t] = np.nan if finding.observed is None else finding.observed
            required[r, t] = np.nan if finding.required is None else finding.required
    return status, observed, required


def test_the_status_codes_are_the_documented_ones() -> None:
    batch = cssp.batch
    assert (batch.MET, batch.NOT_MET, batch.NOT_APPLICABLE, batch.NO_DATA, batch.NO_VERDICT) == (
        0,
        1,
        2,
        3,
        4,
    )
    assert batch.ABSENT == ABSENT
    assert {status: batch.STATUSES.index(status) for status in batch.STATUSES} == CODES


@settings(max_examples=30, deadline=None)
@given(_lists, st.sampled_from([2021, 2023, 2025]), st.booleans())
def test_region_tables_hold_the_verdicts_of_evaluate_region(
    items: list[Community], year: int, row_by_row: bool
) -> None:
    """``regions(level).status`` is what :func:`cssp.evaluate_region` finds, at every level.

    Compared with the scalar engine's report itself, region by region and
    target by target, with the shipped province profiles and a county profile
    in force (their thresholds, their own indicators); the observed figures
    and thresholds too, to the bit (NaN where the scalar engine has none).
    """
    chosen = PROFILES if not row_by_row else (_row_by_row(GUANGDONG), *PROFILES[1:])
    profiles = cssp.ProfileSet(chosen)
    result = cssp.batch.evaluate_communities(items, year=year, profiles=profiles)
    for level in LEVELS:
        table = result.regions(level)
        report = cssp.evaluate_region(items, by=level, year=year, profiles=profiles)
        assert table.codes.tolist() == [region.code for region in report.regions], level
        status, observed, required = _scalar_table(report, table.targets)
        np.testing.assert_array_equal(table.status, status, err_msg=f"status by {level}")
        np.testing.assert_array_equal(table.observed, observed, err_msg=f"observed by {level}")
        np.testing.assert_array_equal(table.required, required, err_msg=f"required by {level}")


def _same_table(x: cssp.batch.RegionTable, y: cssp.batch.RegionTable) -> None:
    """Two region tables are equal to the bit: codes, targets, statuses, counts and figures."""
    assert x.codes.tolist() == y.codes.tolist()
    assert x.targets == y.targets
    for name in ("status", "counts", "numerator", "denominator", "observed", "required"):
        np.testing.assert_array_equal(getattr(x, name), getattr(y, name), err_msg=name)


def test_partitions_merge_to_the_single_run() -> None:
    items = cssp.load_sample()
    whole = cssp.batch.evaluate_communities(items, profiles=())
    halves = [
        cssp.batch.evaluate_communities(items[::2], profiles=()),
        cssp.batch.evaluate_communities(items[1::2], profiles=()),
    ]
    merged = cssp.batch.Partial.merge([h.partial for h in halves])
    for level in LEVELS:
        _same_table(whole.regions(level), cssp.batch.regions.finish(merged, whole.programs)[level])


# -- the table path ------------------------------------------------------------


def _table_row(c: Community, *, extra: bool = False) -> dict[str, Any] | None:
    """The community as a row of cssp's table format, or None if a table cannot hold it.

    :param extra: put the community's extra fields in ``extra.NAME`` columns
        (else a community with extra fields has no row).
    """
    facilities = c.facilities
    comprehensive = [f for f in facilities or () if f.kind is FacilityKind.COMPREHENSIVE]
    commercial = [f for f in facilities or () if f.kind is FacilityKind.COMMERCIAL]
    if len(comprehensive) > 1 or len(commercial) > 1 or (c.extra and not extra):
        return None
    if any(f.kind is FacilityKind.OTHER for f in facilities or ()):
        return None
    if commercial and (
        commercial[0].activity_area is not None
        or commercial[0].opening_hours is not None
        or commercial[0].floor_area is None  # an empty cell: no commercial facility, to a table
    ):
        return None
    if facilities and commercial and facilities[0] is not (comprehensive or commercial)[0]:
        return None  # the table puts the comprehensive facility first
    row: dict[str, Any] = {"code": c.code}
    for name in ("households", "population", "building_area", "elderly_monthly_visit_rate"):
        row[name] = getattr(c, name)
    row["social_organisations"] = c.social_organisations
    row["registered_volunteers"] = c.registered_volunteers
    for name in ("community_workers", "social_workers", "trained_workers"):
        row[name] = getattr(c.staff, name)
    row["disaster_information_officers"] = c.staff.disaster_information_officers
    for name in ("resettlement", "old_residential_area", "newly_built"):
        row[name] = getattr(c, name)
    if facilities is not None:
        row["has_facility"] = bool(comprehensive)
        if comprehensive:
            f = comprehensive[0]
            row["facility_floor_area"] = f.floor_area
            row["facility_activity_area"] = f.activity_area
            row["facility_office_area"] = f.office_area
            row["facility_opening_hours"] = f.opening_hours
        if commercial:
            row["commercial_floor_area"] = commercial[0].floor_area
    if c.services is not None:
        for s in cssp.Service:
            row[s.value] = s in c.services
    for name, value in c.extra.items():
        row[f"extra.{name}"] = value
    return row


def _columns(rows: list[dict[str, Any]]) -> dict[str, Any]:
    names = sorted({k for r in rows for k in r})
    out: dict[str, Any] = {"code": np.array([r["code"] for r in rows], dtype="U12")}
    for name in names:
        if name != "code":
            out[name] = np.array([np.nan if r.get(name) is None else float(r[name]) for r in rows])
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(communities(), max_size=20, unique_by=lambda c: c.code))
def test_a_table_gives_the_verdicts_of_its_communities(items: list[Community]) -> None:
    rows = [r for r in map(_table_row, items) if r is not None]
    kept = [c for c in items if _table_row(c) is not None]
    assume(rows)  # a table of no rows says nothing of the communities
    from_table = cssp.batch.evaluate_columns(_columns(rows), profiles=())
    from_objects = cssp.batch.evaluate_communities(kept, profiles=())
    assert from_table.targets == from_objects.targets
    np.testing.assert_array_equal(from_table.status, from_objects.status)
    for level in ("township", "nation"):
        assert from_table.region_assessments(level) == from_objects.region_assessments(level)


def test_parquet_is_streamed_in_batches_with_the_same_result(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    items = cssp.load_sample()
    rows = [r for r in map(_table_row, items) if r is not None]
    table = _columns(rows)
    path = tmp_path / "sample.parquet"
    pq.write_table(pa.table(table), path)
    whole = cssp.batch.evaluate_columns(table, profiles=())
    streamed = cssp.batch.evaluate_parquet(path, profiles=(), batch_rows=7, kernel="numpy")
    np.testing.assert_array_equal(whole.codes, streamed.codes)
    np.testing.assert_array_equal(whole.status, streamed.status)
    for level in LEVELS:
        assert whole.region_assessments(level) == streamed.region_assessments(level)


def _same_tables(a: cssp.batch.Totals, b: cssp.batch.Totals) -> None:
    """The region tables of ``a`` and ``b`` are equal to the bit at every level."""
    for level in LEVELS:
        _same_table(a.regions(level), b.regions(level))


@settings(max_examples=40, deadline=None)
@given(_lists, st.sampled_from([2021, 2025]), st.randoms(use_true_random=False), st.data())
def test_a_parquet_file_in_any_row_groups_and_batches_is_one_run(
    items: list[Community], year: int, random: Any, data: st.DataObject
) -> None:
    """Streamed in row groups and batches of any size, in any row order or in code
    order (which the engine does not copy), with profiles."""
    import tempfile

    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [r for r in (_table_row(c, extra=True) for c in items) if r is not None]
    assume(rows)  # a file of no rows has no row groups to split
    if data.draw(st.booleans(), label="in code order"):
        rows.sort(key=lambda row: str(row["code"]))
    else:
        random.shuffle(rows)
    table = _columns(rows)
    profiles = cssp.ProfileSet(PROFILES)
    whole = cssp.batch.evaluate_columns(table, year=year, profiles=profiles)
    group = data.draw(st.integers(1, len(rows)), label="row group size")
    batch = data.draw(st.integers(1, 9), label="batch rows")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.parquet"
        pq.write_table(pa.table(table), path, row_group_size=group)
        streamed = cssp.batch.evaluate_parquet(
            path, year=year, profiles=profiles, batch_rows=batch, kernel="numpy"
        )
    np.testing.assert_array_equal(whole.codes, streamed.codes)
    assert whole.targets == streamed.targets
    np.testing.assert_array_equal(whole.status, streamed.status)
    assert whole.failing() == streamed.failing()
    assert {t.id for t in whole.community_targets} == {t.id for t in streamed.community_targets}
    _same_tables(whole, streamed)


def test_a_code_twice_in_different_batches_is_an_error(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    codes = ["440106001001", "440106001002", "440106001001"]
    pq.write_table(pa.table({"code": codes, "households": [1.0, 2.0, 3.0]}), tmp_path / "t.pq")
    with pytest.raises(cssp.InputError, match="appears twice") as error:
        cssp.batch.evaluate_parquet(tmp_path / "t.pq", profiles=(), batch_rows=2)
    assert error.value.path == f"{tmp_path / 't.pq'}: row 3, column code"  # as the reader says


def test_every_bad_row_and_code_met_twice_is_listed_as_the_reader_lists_them(
    tmp_path: Path,
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cssp.io.readers import read_input

    codes = ["440106001001", "440106001002", "440106001001", "440106001004"]
    table = pa.table({"code": codes, "households": [1.0, -2.0, 3.0, -4.0]})
    path = tmp_path / "t.parquet"
    pq.write_table(table, path, row_group_size=2)
    with pytest.raises(cssp.InputError, match="negative") as error:
        cssp.batch.evaluate_parquet(path, profiles=(), batch_rows=1)
    assert [where for where, _ in error.value.problems] == [
        f"{path}: row 2, column households",
        f"{path}: row 4, column households",
        f"{path}: row 3, column code",
    ]
    with pytest.raises(cssp.InputError) as read:
        read_input([path])
    assert str(error.value) == str(read.value)  # every problem, in the default engine's words


def test_parquet_codes_are_read_as_the_reader_reads_them_and_batches_positive(
    tmp_path: Path,
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"code": [440106001001.5]}), tmp_path / "n.pq")
    with pytest.raises(cssp.InputError, match="not a 12-digit") as error:
        cssp.batch.evaluate_parquet(tmp_path / "n.pq", profiles=())
    assert error.value.path == f"{tmp_path / 'n.pq'}: row 1, column code"
    pq.write_table(pa.table({"code": [440106001001]}), tmp_path / "i.pq")  # read as the reader does
    assert len(cssp.batch.evaluate_parquet(tmp_path / "i.pq", profiles=())) == 1
    pq.write_table(pa.table({"households": [1.0]}), tmp_path / "c.pq")
    with pytest.raises(cssp.InputError, match="no column for the community code"):
        cssp.batch.evaluate_parquet(tmp_path / "c.pq", profiles=())  # the reader's words
    pq.write_table(pa.table({"code": ["440106001001"]}), tmp_path / "ok.pq")
    with pytest.raises(cssp.InputError, match="positive") as error:
        cssp.batch.evaluate_parquet(tmp_path / "ok.pq", profiles=(), batch_rows=0)
    assert error.value.path == "batch_rows"


def test_region_counts_are_a_read_only_view() -> None:
    result = cssp.batch.evaluate_communities(cssp.load_sample(), profiles=())
    counts = result.regions("township").counts
    with pytest.raises(ValueError, match="read-only"):
        counts[0, 0, 0] = 99
    assert counts.shape == (len(result.regions("township")), len(result.targets), 5)


def test_a_row_by_row_rule_reads_a_dataframe_by_position() -> None:
    """A rule with no columnar form gets the right row of a DataFrame whatever its index."""
    import pandas as pd

    rows = [r for r in map(_table_row, cssp.load_sample()) if r is not None]
    for i, row in enumerate(rows):  # all in Tianhe (440106), under the county profile
        row["code"] = f"440106{i + 1:03d}{row['code'][-3:]}"
    table = _columns(rows)
    frame = pd.DataFrame(table, index=list(range(100, 100 + len(rows)))[::-1])
    profiles = cssp.ProfileSet([_county_profile()])
    a = cssp.batch.evaluate_columns(table, profiles=profiles)
    b = cssp.batch.evaluate_columns(frame, profiles=profiles)
    np.testing.assert_array_equal(a.status, b.status)
    staffing = a.targets.index("community_staffing")
    assert {int(v) for v in a.status[:, staffing]} >= {cssp.batch.MET, cssp.batch.NO_DATA}


@pytest.mark.parametrize(
    ("columns", "path", "message"),
    [
        ({"code": ["44010600100"]}, "rows[0].code", "not a 12-digit"),
        ({"code": ["990106001001"]}, "rows[0].code", "province code"),
        ({"code": ["440106001600"]}, "rows[0].code", "digits 10–12"),
        ({"code": ["440106001001"], "households": [-1.0]}, "rows[0].households", "negative"),
        ({"code": ["440106001001"], "households": [1.5]}, "rows[0].households", "whole"),
        ({"code": ["440106001001"], "households": [np.inf]}, "rows[0].households", "finite"),
        (
            {"code": ["440106001001"], "community_workers": [2.0], "trained_workers": [3.0]},
            "rows[0].trained_workers",
            "only 2",
        ),
        (
            {"code": ["440106001001"], "facility_floor_area": [10.0], "has_facility": [0.0]},
            "rows[0].has_facility",
            "no comprehensive facility",
        ),
        (
            {
                "code": ["440106001001"],
                "facility_floor_area": [10.0],
                "facility_activity_area": [11.0],
            },
            "rows[0].facility_activity_area",
            "larger than the floor area",
        ),
        ({"code": ["440106001001"], "kind": ["rural"]}, "rows[0].kind", "contradicts"),
        ({"code": ["440106001001"], "househlds": [1.0]}, "househlds", "unknown column"),
        ({"code": ["440106001001"], "households": ["12人"]}, "rows[0].households", "persons"),
        ({"code": [440106001001.5]}, "rows[0].code", "not a 12-digit"),
        ({"households": [1.0]}, "code", "no code column"),
        ({"code": ["440106001001", "440106001001"]}, "rows[1].code", "appears twice"),
    ],
)
def test_bad_columns_are_located(columns: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(cssp.InputError, match=message) as error:
        cssp.batch.evaluate_columns(columns, profiles=())
    assert error.value.path == path


def test_every_problem_of_a_table_is_listed() -> None:
    table = {"code": ["440106001001", "x", "440106001003"], "households": [1.5, 2.0, -3.0]}
    with pytest.raises(cssp.InputError) as error:
        cssp.batch.evaluate_columns(table, profiles=())
    assert [p for p, _ in error.value.problems] == [
        "rows[0].households",
        "rows[1].code",
        "rows[2].households",
    ]


def test_units_like_committees_are_read_by_both_engines_alike() -> None:
    # Real codes with digits 10–12 of 400–599 (units like residents' and villagers'
    # committees): both engines take them, with the kind the code implies.
    codes = ["360113005400", "654203500500", "522632210500"]
    households = [300.0, 200.0, 100.0]
    scalar = cssp.evaluate_many(
        [Community(code=c, households=h) for c, h in zip(codes, households, strict=True)],
        profiles=(),
        engine="scalar",
    )
    table = {"code": codes, "households": households}
    result = cssp.batch.evaluate_columns(table, profiles=())
    assert result.status.tolist() == scalar.to_numpy().tolist()
    assert [Community(code=c).kind for c in codes] == ["urban", "rural", "rural"]
    for kind, code in (("rural", codes[0]), ("urban", codes[1])):
        with pytest.raises(cssp.InputError) as batch:
            cssp.batch.evaluate_columns({"code": [code], "kind": [kind]}, profiles=())
        with pytest.raises(cssp.InputError) as one:
            Community(code=code, kind=kind)
        assert batch.value.message == one.value.message


def test_pandas_and_arrow_tables_are_read() -> None:
    import pandas as pd
    import pyarrow as pa

    table = {"code": ["440106001001", "441823100201"], "households": [1700.0, None]}
    for frame in (pd.DataFrame(table), pa.table(table)):
        result = cssp.batch.evaluate_columns(frame, profiles=())
        assert result.status_of(1)["facility_area_per_100_households"] is cssp.Status.NO_DATA


# -- Dask ----------------------------------------------------------------------


@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_dask_partitions_give_the_single_run(partitions: int) -> None:
    import dask
    import dask.dataframe as dd
    import pandas as pd

    from cssp.batch.on_dask import evaluate_dask

    rows = [r for r in map(_table_row, cssp.load_sample()) if r is not None]
    table = pd.DataFrame(_columns(rows))
    profiles = cssp.ProfileSet(PROFILES[:3])
    single = cssp.batch.evaluate_columns(table, profiles=profiles)
    with dask.config.set(scheduler="sync"):
        partitioned = dd.from_pandas(table, npartitions=partitions)  # type: ignore[no-untyped-call]
        totals = evaluate_dask(partitioned, profiles=profiles)
    for level in LEVELS:
        a, b = single.regions(level), totals.regions(level)
        assert a.codes.tolist() == b.codes.tolist()
        assert a.targets == b.targets
        np.testing.assert_array_equal(a.status, b.status)
        np.testing.assert_array_equal(a.counts, b.counts)
        np.testing.assert_array_equal(a.numerator, b.numerator)
        np.testing.assert_array_equal(a.denominator, b.denominator)
        assert single.region_assessments(level) == totals.region_assessments(level)


# -- evaluate_many ---------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(_lists)
def test_evaluate_many_is_the_same_by_either_engine(items: list[Community]) -> None:
    profiles = cssp.ProfileSet(PROFILES)
    scalar = cssp.evaluate_many(items, profiles=profiles, engine="scalar")
    batch = cssp.evaluate_many(items, profiles=profiles, engine="batch")
    assert (scalar.engine, batch.engine) == ("scalar", "batch")
    assert scalar == batch
    assert scalar.counts() == batch.counts()
    for index, community in enumerate(items):
        expected = {
            f.target.id: f.status for f in cssp.evaluate(community, profiles=profiles).findings
        }
        assert expected.items() <= scalar.status_of(index).items()


def test_evaluate_many_switches_to_the_batch_engine_for_a_large_list() -> None:
    from cssp.api import BATCH_THRESHOLD
    from cssp.synth import communities as synthetic

    small = cssp.evaluate_many(cssp.load_sample(), profiles=())
    assert small.engine == "scalar"
    many = synthetic(scale=BATCH_THRESHOLD / 600_000 * 1.2, seed=1)
    assert len(many) >= BATCH_THRESHOLD
    large = cssp.evaluate_many(many, profiles=())
    assert large.engine == "batch"
    assert large == cssp.evaluate_many(many, profiles=(), engine="scalar")
    np.testing.assert_array_equal(large.to_numpy()[:, 0], large.to_numpy()[:, 0])


def test_evaluate_many_rejects_duplicates_and_unknown_engines() -> None:
    sample = cssp.load_sample()
    with pytest.raises(cssp.InputError, match="appears twice") as error:
        cssp.evaluate_many([*sample, sample[0]], profiles=(), engine="scalar")
    assert error.value.path == f"communities[{len(sample)}].code"
    with pytest.raises(cssp.InputError, match="appears twice"):
        cssp.evaluate_many([*sample, sample[0]], profiles=(), engine="batch")
    with pytest.raises(cssp.InputError, match="not an engine"):
        cssp.evaluate_many(sample, engine="gpu")


# -- cssp evaluate --engine batch ------------------------------------------------


@pytest.mark.parametrize("by", ["county", "nation"])
@pytest.mark.parametrize("fmt", ["json", "text", "markdown"])
def test_the_cli_batch_engine_writes_what_the_scalar_engine_writes(
    tmp_path: Path, by: str, fmt: str
) -> None:
    from cssp.cli import main
    from cssp.synth import nation, write

    path = tmp_path / "nation.parquet"
    write(nation(scale=0.002, seed=3), path)
    outputs = {}
    for engine in ("scalar", "batch"):
        out = tmp_path / f"{engine}.{fmt}"
        options = ["--by", by, "--format", fmt, "-o", str(out), "--fail-on", "unmet"]
        code = main(["evaluate", str(path), "--engine", engine, "--no-communities", *options])
        assert code == 1  # the synthetic nation of 2020 misses the 2025 targets
        outputs[engine] = out.read_bytes()
    if fmt == "json":
        assert outputs["batch"] == outputs["scalar"]
    else:  # the region tables are the same; the scalar report also lists failing communities
        scalar, batch = (outputs[e].decode("utf-8") for e in ("scalar", "batch"))
        if fmt == "markdown":  # the particulars: the same file, rows and digest; the commands
            about = [
                line for line in scalar.split("\n## ")[0].splitlines() if "复现命令" not in line
            ]
            batch_about = [
                line for line in batch.split("\n## ")[0].splitlines() if "复现命令" not in line
            ]
            # the batch engine's report says what it leaves out: each community's findings
            assert batch_about[-1].startswith("- 本报告只列出区域和未达标项最多的100个社区：")
            assert batch_about[:-1] == about
            scalar, batch = scalar.split("\n## ", 1)[1], batch.split("\n## ", 1)[1]
        assert batch.split("\n")[:12] == scalar.split("\n")[:12]


def test_the_cli_batch_engine_reads_every_format(tmp_path: Path, capsys: Any) -> None:
    from cssp.cli import main

    sample = Path(cssp.__file__).parent / "data" / "sample_communities.json"
    for engine in ("batch", "scalar"):
        args = ["evaluate", str(sample), "--engine", engine, "--no-plugins", "--format", "json"]
        assert main([*args, "--no-communities", "-o", str(tmp_path / f"{engine}.json")]) == 0
    assert (tmp_path / "batch.json").read_bytes() == (tmp_path / "scalar.json").read_bytes()
    assert main(["evaluate", str(sample), "--engine", "batch", "--format", "csv"]) == 2
    assert "not csv" in capsys.readouterr().err


def test_verdicts_index_like_a_sequence() -> None:
    verdicts = cssp.evaluate_many(cssp.load_sample(), profiles=(), engine="scalar")
    assert verdicts.status_of(-1) == verdicts.status_of(len(verdicts) - 1)
    with pytest.raises(IndexError):
        verdicts.status_of(len(verdicts))


@pytest.mark.parametrize(("given", "expected"), [(None, "system"), ("mimalloc", "mimalloc")])
def test_the_command_has_arrow_use_the_system_allocator(
    tmp_path: Path, given: str | None, expected: str
) -> None:
    """Run as the program, cssp picks Arrow's allocator unless the variable is set."""
    import os
    import subprocess
    import sys

    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "one.parquet"
    pq.write_table(pa.table({"code": ["440106001001"], "households": [1700.0]}), path)
    script = (
        "import sys\n"
        "from cssp.cli import main\n"
        f"sys.argv = ['cssp', 'evaluate', {str(path)!r}, '--engine', 'batch', '--format', 'json',"
        f" '-o', {str(tmp_path / 'out.json')!r}]\n"
        "code = main()\n"
        "import pyarrow as pa\n"
        "print(code, pa.default_memory_pool().backend_name)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if given is not None:
        env["ARROW_DEFAULT_MEMORY_POOL"] = given
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.split() == ["0", expected]


def test_threads_give_one_threads_result_and_name_every_bad_row(tmp_path: Path) -> None:
    """Row groups read and evaluated by several threads: the same verdicts and totals, and
    two bad rows in different row groups are both named, in the file's order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = cssp.synth.nation(0.002)
    pq.write_table(pa.table(columns), tmp_path / "n.parquet", row_group_size=100)
    one = cssp.batch.evaluate_parquet(
        tmp_path / "n.parquet", profiles=(), workers=1, kernel="numpy"
    )
    for workers in (2, 5):
        many = cssp.batch.evaluate_parquet(
            tmp_path / "n.parquet", profiles=(), workers=workers, batch_rows=37, kernel="numpy"
        )
        np.testing.assert_array_equal(one.status, many.status)
        _same_tables(one, many)
    households = columns["households"].copy()
    households[[250, 1100]] = -1
    pq.write_table(
        pa.table({**columns, "households": households}),
        tmp_path / "bad.parquet",
        row_group_size=100,
    )
    for workers in (1, 3):
        with pytest.raises(cssp.InputError, match="negative") as error:
            cssp.batch.evaluate_parquet(tmp_path / "bad.parquet", profiles=(), workers=workers)
        assert [where for where, _ in error.value.problems] == [
            f"{tmp_path / 'bad.parquet'}: row {row}, column households" for row in (251, 1101)
        ]
    with pytest.raises(cssp.InputError, match="positive number of threads"):
        cssp.batch.evaluate_parquet(tmp_path / "n.parquet", profiles=(), workers=0)


def test_a_township_of_more_communities_than_a_byte_counts_is_counted_in_full(
    tmp_path: Path,
) -> None:
    """The streamed run keeps its township counts in the fewest bytes the largest township
    allows: a township of 300 communities (past one byte) next to one of 200 counts as the
    run in memory counts them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cssp.model.schema import village_rural

    villages = [v for v in range(1000) if village_rural(v)[0]][:300]
    columns = {
        name: np.asarray(values)[np.r_[0:300, 0:200] % len(values)]
        for name, values in cssp.synth.nation(0.002).items()
    }
    columns["code"] = np.array(
        [f"110101001{v:03d}" for v in villages] + [f"110101002{v:03d}" for v in villages[:200]]
    )
    pq.write_table(pa.table(columns), tmp_path / "big.parquet", row_group_size=64)
    streamed = cssp.batch.evaluate_parquet(tmp_path / "big.parquet", profiles=(), batch_rows=50)
    whole = cssp.batch.evaluate_columns(columns, profiles=())
    np.testing.assert_array_equal(streamed.status, whole.status)
    _same_tables(streamed, whole)
    township = streamed.regions("township")
    assert township.counts.sum(axis=2).max() == 300


def test_a_parquet_file_of_place_names_lists_its_problems_then_asks_for_the_default_engine(
    tmp_path: Path,
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    places = {"province": ["浙江省"] * 2, "county": ["嵊泗县"] * 2, "township": ["菜园镇"] * 2}
    table = pa.table({"name": ["甲", "乙"], "kind": ["urban"] * 2, **places, "households": [9, -1]})
    pq.write_table(table, tmp_path / "bad.parquet", row_group_size=1)
    with pytest.raises(cssp.InputError) as error:
        cssp.batch.evaluate_parquet(tmp_path / "bad.parquet", profiles=(), batch_rows=1)
    assert (
        str(error.value) == f"{tmp_path / 'bad.parquet'}: row 2, column households: -1 is negative"
    )
    pq.write_table(table.slice(0, 1), tmp_path / "good.parquet")
    with pytest.raises(cssp.InputError, match=r"no 12-digit code .* cssp\.evaluate_region"):
        cssp.batch.evaluate_parquet(tmp_path / "good.parquet", profiles=())
