"""The Polars kernel of ``evaluate_parquet`` gives the numpy engine's result, to the bit.

For any valid table (the communities of ``tests/test_batch.py``: real township
codes in five provinces, values at thresholds, missing data, negative extra
fields), with and without province profiles (the shipped TOML ones and
Beijing's staffing rule, whose columnar form the kernel calls), written in row
groups of any size and read in chunks of any size: the same codes, targets,
verdicts, lacking rows, and region tables at the five levels — counts,
statuses, and the numerators and denominators bit for bit. A table that breaks
a rule is refused with the numpy engine's very error, and a file the kernel
does not compile (a staffing rule with no columnar form, a ``kind`` column)
is evaluated by numpy, with the same result.
"""

from __future__ import annotations

import math
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import cssp
import cssp.batch
import cssp.synth
from cssp.batch.frame import COUNT_FIELDS, VALUE_FIELDS
from cssp.engine.program import Programs, profile_set
from cssp.model.community import Community
from test_batch import PROFILES, _columns, _county_profile, _lists, _table_row

pl = pytest.importorskip("polars", reason="the Polars kernel needs polars (pip install polars)")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
on_polars = pytest.importorskip("cssp.batch.on_polars")

LEVELS = ("township", "county", "prefecture", "province", "nation")
#: The profiles the kernel compiles (the county profile's staffing rule has no columnar form).
COMPILED = tuple(p for p in PROFILES if p.id != "tianhe")
#: Columns whose values a table may give as integers (when whole) and as yes/no.
INTEGERS = tuple(f for f in VALUE_FIELDS if f in COUNT_FIELDS)
FLAGS = (
    "resettlement",
    "old_residential_area",
    "newly_built",
    "has_facility",
    *(s.value for s in cssp.Service),
)


def _bits(values: Any) -> Any:
    """Floats as their bits: equal arrays are equal to the last bit (NaN with NaN)."""
    return np.asarray(values, dtype=np.float64).view(np.int64)


def assert_same(numpy: cssp.batch.BatchResult, polars: cssp.batch.BatchResult) -> None:
    """The two results are equal: verdicts, lacking rows and regions, to the bit."""
    np.testing.assert_array_equal(numpy.codes, polars.codes)
    assert numpy.targets == polars.targets
    np.testing.assert_array_equal(numpy.status, polars.status)
    assert numpy.lacking.keys() == polars.lacking.keys()
    for target, lack in numpy.lacking.items():
        np.testing.assert_array_equal(lack, polars.lacking[target], err_msg=target)
    assert numpy.failing() == polars.failing()
    ids = {t.id for t in numpy.community_targets}
    assert ids == {t.id for t in polars.community_targets}
    for level in LEVELS:
        x, y = numpy.regions(level), polars.regions(level)
        assert x.codes.tolist() == y.codes.tolist(), level
        assert x.targets == y.targets
        np.testing.assert_array_equal(x.status, y.status, err_msg=level)
        np.testing.assert_array_equal(x.counts, y.counts, err_msg=level)
        for name in ("numerator", "denominator", "observed", "required"):
            mine, theirs = _bits(getattr(x, name)), _bits(getattr(y, name))
            np.testing.assert_array_equal(mine, theirs, err_msg=f"{name} by {level}")


def _typed(table: dict[str, Any], draw: Any) -> dict[str, Any]:
    """Some columns as a file would type them: whole counts as integers, yes/no as
    booleans, gaps as nulls."""
    out: dict[str, Any] = {"code": pa.array(table["code"].tolist(), pa.string())}
    for name, values in table.items():
        if name == "code":
            continue
        gaps = np.isnan(values)
        if name in FLAGS and draw(st.booleans(), label=f"{name} as yes/no"):
            out[name] = pa.array(values == 1, pa.bool_(), mask=gaps)
        elif (
            name in INTEGERS
            and np.array_equal(values[~gaps], np.floor(values[~gaps]))
            and draw(st.booleans(), label=f"{name} as integers")
        ):
            out[name] = pa.array(np.where(gaps, 0, values).astype(np.int64), mask=gaps)
        else:
            out[name] = pa.array(values, pa.float64(), mask=gaps if draw(st.booleans()) else None)
    return out


def _write(path: Path, table: dict[str, Any], group: int) -> None:
    pq.write_table(pa.table(table), path, row_group_size=group)


def _both(path: Path, **options: Any) -> tuple[cssp.batch.BatchResult, cssp.batch.BatchResult]:
    numpy = cssp.batch.evaluate_parquet(path, kernel="numpy", **options)
    polars = cssp.batch.evaluate_parquet(path, kernel="polars", **options)
    assert numpy.kernel == "numpy"
    return numpy, polars


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_lists, st.sampled_from([2021, 2023, 2025]), st.booleans(), st.data())
def test_the_polars_kernel_gives_the_numpy_result_for_any_table(
    items: list[Community], year: int, with_profiles: bool, data: st.DataObject
) -> None:
    """Any valid table, typed as files type it, with or without the profiles, in row
    groups of any size and in code order or not: the numpy engine's result, to the bit."""
    rows = [r for r in (_table_row(c, extra=True) for c in items) if r is not None]
    assume(rows)
    if data.draw(st.booleans(), label="in code order"):
        rows.sort(key=lambda row: str(row["code"]))
    table = _typed(_columns(rows), data.draw)
    profiles = cssp.ProfileSet(COMPILED if with_profiles else ())
    group = data.draw(st.integers(1, len(rows)), label="row group size")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.parquet"
        _write(path, table, group)
        numpy, polars = _both(path, year=year, profiles=profiles)
    assert polars.kernel == "polars"  # it compiled: no rule without a columnar form
    assert_same(numpy, polars)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_lists, st.data())
def test_any_chunks_of_the_file_give_one_run(items: list[Community], data: st.DataObject) -> None:
    """Streaming is one batch: chunks of whole row groups, or cut from a larger one; with
    the codes read first (profiles), or with each chunk (none: the townships appended
    as they come, and the codes read first after all when the chunks are out of order)."""
    rows = [r for r in (_table_row(c, extra=True) for c in items) if r is not None]
    assume(rows)
    if data.draw(st.booleans(), label="in code order"):
        rows.sort(key=lambda row: str(row["code"]))
    group = data.draw(st.integers(1, len(rows)), label="row group size")
    chunk = data.draw(st.integers(1, len(rows) + 1), label="chunk rows")
    profiles = COMPILED if data.draw(st.booleans(), label="with profiles") else ()
    programs = Programs("fyp14", None, profile_set(cssp.ProfileSet(profiles)))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.parquet"
        _write(path, _columns(rows), group)
        numpy = cssp.batch.evaluate_parquet(path, profiles=profiles, kernel="numpy")
        polars = on_polars.evaluate(path, programs, chunk_rows=chunk)
    assert_same(numpy, polars)


def test_townships_appended_beyond_the_first_chunks_rate(tmp_path: Path) -> None:
    """Without profiles, a file in code order whose first chunk has few townships and
    the rest many: the totals grow as the townships come, and equal the numpy kernel's."""
    nation = cssp.synth.nation(0.002, seed=3)
    codes = nation["code"]
    towns = np.array([int(c) // 1000 for c in codes.tolist()])
    first = towns == towns[0]
    order = np.r_[np.flatnonzero(first), np.flatnonzero(~first)]
    table = {name: np.asarray(values)[order] for name, values in nation.items()}
    path = tmp_path / "t.parquet"
    _write(path, {**table, "code": pa.array(table["code"].tolist(), pa.string())}, 50)
    numpy = cssp.batch.evaluate_parquet(path, profiles=(), kernel="numpy")
    programs = Programs("fyp14", None, profile_set(()))
    polars = on_polars.evaluate(path, programs, chunk_rows=int(first.sum()))
    assert len(polars.partial.townships) > 16 * len(np.unique(towns[first]))
    assert_same(numpy, polars)


NAN = math.nan
#: Ways to break one rule of a valid table: the cells of one row set so.
BREAKS: dict[str, dict[str, float]] = {
    "negative households": {"households": -3.0},
    "2.5 households": {"households": 2.5},
    "households 2**53": {"households": 2.0**53},
    "an infinite building area": {"building_area": math.inf},
    "a visit rate of 101 %": {"elderly_monthly_visit_rate": 101.0},
    "opening hours 25": {"facility_floor_area": 100.0, "facility_opening_hours": 25.0},
    "an activity area above the floor area": {
        "facility_floor_area": 100.0,
        "facility_activity_area": 150.0,
    },
    "activity and office areas above the floor area": {
        "facility_floor_area": 100.0,
        "facility_activity_area": 60.0,
        "facility_office_area": 50.0,
    },
    "trained workers above the workers": {"community_workers": 3.0, "trained_workers": 4.0},
    "a yes/no of 2": {"newly_built": 2.0},
    "a service of 0.5": {"broadband": 0.5},
    "no facility, but a floor area": {"has_facility": 0.0, "facility_floor_area": 80.0},
    "a commercial area alone": {
        "has_facility": NAN,
        "facility_floor_area": NAN,
        "facility_activity_area": NAN,
        "facility_office_area": NAN,
        "facility_opening_hours": NAN,
        "commercial_floor_area": 20.0,
    },
    "an infinite extra value": {"extra.sports_ground_area": -math.inf},
}


def _broken(table: dict[str, Any], row: int, cells: dict[str, float]) -> dict[str, Any]:
    """``table`` with the cells of ``row`` set (a column it lacks added, empty elsewhere)."""
    out = dict(table)
    for column, value in cells.items():
        values = np.array(out.get(column, np.full(len(out["code"]), NAN)), dtype=np.float64)
        values[row] = value
        out[column] = values
    return out


CODES: dict[str, Callable[[str], str]] = {
    "a code of 11 digits": lambda code: code[:11],
    "a code with a sign": lambda code: "+" + code[1:],
    "a code with a letter": lambda code: code[:11] + "X",
    "a code of no province": lambda code: "99" + code[2:],
    "village digits 700": lambda code: code[:9] + "700",
    "a code in full-width digits": lambda code: code[:11] + "１",
    "an empty code": lambda code: "",
}


def _outcome(path: Path, kernel: str) -> Any:
    """The error ``evaluate_parquet`` raises (its message and problems), or its result."""
    try:
        return cssp.batch.evaluate_parquet(path, profiles=(), kernel=kernel)
    except cssp.InputError as error:
        return str(error), error.problems


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_lists, st.sampled_from(sorted({*BREAKS, *CODES, "a code twice"})), st.data())
def test_a_table_that_breaks_a_rule_is_refused_with_the_numpy_engines_error(
    items: list[Community], broken: str, data: st.DataObject
) -> None:
    rows = [r for r in (_table_row(c, extra=True) for c in items) if r is not None]
    assume(len(rows) >= 2)
    table = _columns(rows)
    row = data.draw(st.integers(0, len(rows) - 1), label="row")
    if broken in BREAKS:
        table = _broken(table, row, BREAKS[broken])
    else:
        codes = table["code"].astype(object)
        other = (row + 1) % len(rows)
        codes[row] = codes[other] if broken == "a code twice" else CODES[broken](codes[row])
        table = {**table, "code": pa.array(codes.tolist(), pa.string())}
    chunk = data.draw(st.integers(1, len(rows)), label="chunk rows")
    with tempfile.TemporaryDirectory() as folder, mock.patch.object(on_polars, "CHUNK_ROWS", chunk):
        path = Path(folder) / "bad.parquet"
        _write(path, table, data.draw(st.integers(1, len(rows)), label="row group size"))
        numpy, polars = _outcome(path, "numpy"), _outcome(path, "polars")
    if isinstance(numpy, cssp.batch.BatchResult):  # read as the default engine reads it
        assert broken == "a code in full-width digits"  # which it takes for ASCII digits
        assert isinstance(polars, cssp.batch.BatchResult)
        assert polars.kernel == "numpy"
        assert_same(numpy, polars)
    else:
        assert polars == numpy


def test_a_rule_without_a_columnar_form_is_left_to_numpy(tmp_path: Path) -> None:
    """A staffing rule with no columnar form (the county profile's), a ``kind`` column
    and a text column: the numpy engine evaluates them, and ``auto`` says so."""
    items = [
        Community(code=code, households=300 + k, population=900, name=name)
        for k, (code, name) in enumerate(
            [("440106001001", "天河社区"), ("440106001002", "石牌社区"), ("441823100201", "阳山村")]
        )
    ]
    rows = [r for r in map(_table_row, items) if r is not None]
    table = _columns(rows)
    _write(tmp_path / "county.parquet", table, 2)
    profiles = (*COMPILED, _county_profile())
    numpy, polars = _both(tmp_path / "county.parquet", profiles=profiles)
    assert polars.kernel == "numpy"
    assert_same(numpy, polars)
    kinds = {**table, "kind": pa.array(["urban", "urban", "rural"])}
    _write(tmp_path / "kind.parquet", kinds, 2)
    auto = cssp.batch.evaluate_parquet(tmp_path / "kind.parquet", profiles=(), kernel="auto")
    assert auto.kernel == "numpy"
    text = {**table, "households": pa.array(["约300户", "301", "302"])}
    _write(tmp_path / "text.parquet", text, 2)
    numpy, polars = _both(tmp_path / "text.parquet", profiles=())
    assert polars.kernel == "numpy"
    assert_same(numpy, polars)
    _write(tmp_path / "good.parquet", table, 2)
    auto = cssp.batch.evaluate_parquet(tmp_path / "good.parquet", profiles=(), kernel="auto")
    assert auto.kernel == "polars"


def test_real_codes_with_chinese_names_and_gaps(tmp_path: Path) -> None:
    """The statistics bureau's real village-level codes (400s and 500s among them), a
    ``name`` column in Chinese, gaps everywhere, the synthetic nation's column types, and
    the shipped profiles with Beijing's staffing rule: the numpy engine's result."""
    listed = (Path(__file__).parent / "data/real/bureau_codes.csv").read_text("utf-8")
    lines = [line.split(",") for line in listed.splitlines()[1:]]
    nation = cssp.synth.nation(0.002, seed=3)
    size = len(nation["code"])
    codes = np.array(nation["code"], dtype=object)
    names = np.array([f"示例社区{k}" for k in range(size)], dtype=object)
    picked = np.linspace(0, size - 1, len(lines)).astype(int)
    codes[picked] = [code for code, *_ in lines]
    names[picked] = [name for _, name, *_ in lines]
    assert len(set(codes.tolist())) == size
    table = {
        **{k: v for k, v in nation.items() if k != "code"},
        "code": pa.array(codes.tolist(), pa.string()),
        "name": pa.array(names.tolist(), pa.string()),
    }
    pq.write_table(pa.table(table), tmp_path / "real.parquet", row_group_size=500)
    numpy, polars = _both(tmp_path / "real.parquet", profiles=COMPILED)
    assert polars.kernel == "polars"
    assert_same(numpy, polars)
    assert any(code.startswith(b"11") for code in polars.codes.tolist())  # Beijing's rule


def test_the_kernel_is_named_and_polars_required_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pq.write_table(pa.table({"code": ["440106001001"], "households": [300]}), tmp_path / "t.pq")
    with pytest.raises(cssp.InputError, match="'pandas' is not a kernel") as error:
        cssp.batch.evaluate_parquet(tmp_path / "t.pq", profiles=(), kernel="pandas")
    assert error.value.path == "kernel"
    assert cssp.batch.evaluate_parquet(tmp_path / "t.pq", profiles=()).kernel == "numpy"  # default
    auto = cssp.batch.evaluate_parquet(tmp_path / "t.pq", profiles=(), kernel="auto")
    assert auto.kernel == "polars"
    monkeypatch.setitem(sys.modules, "polars", None)  # as if Polars were not installed
    monkeypatch.delitem(sys.modules, "cssp.batch.on_polars")
    monkeypatch.delattr(cssp.batch, "on_polars", raising=False)
    auto = cssp.batch.evaluate_parquet(tmp_path / "t.pq", profiles=(), kernel="auto")
    assert auto.kernel == "numpy"
    with pytest.raises(cssp.InputError, match=r"needs polars .*cssp\[polars\]") as error:
        cssp.batch.evaluate_parquet(tmp_path / "t.pq", profiles=(), kernel="polars")
    assert error.value.path == "kernel"


@pytest.mark.parametrize("statistics", [True, False])
@pytest.mark.parametrize(
    ("column", "value", "kind"),
    [
        ("social_workers", -1, pa.int64()),  # no check of fyp14 reads it: its statistics do
        ("registered_volunteers", 2**53, pa.int64()),
        ("social_organisations", 2.5, pa.float64()),  # a float count: decoded for wholeness
        ("old_residential_area", 2, pa.int64()),  # a yes/no as numbers
        ("extra.sports_ground_area", math.inf, pa.float64()),
        ("social_workers", 3, pa.int64()),  # a good value: accepted
    ],
)
def test_columns_not_read_are_held_to_their_rules(
    tmp_path: Path, column: str, value: float, kind: Any, statistics: bool
) -> None:
    """A column no check reads is not decoded when its type and its row groups'
    statistics decide its rules; a bad value there is refused all the same, with the
    numpy engine's error, and a file without statistics is decoded."""
    nation = cssp.synth.nation(0.001, seed=1)
    size = len(nation["code"])
    values = np.zeros(size) if column not in nation else np.array(nation[column], dtype=float)
    values[size // 2] = value
    gaps = np.isnan(values)
    cells = pa.array(np.where(gaps, 0, values), mask=gaps)
    table = {**nation, column: cells.cast(kind, safe=False)}
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table(table), path, row_group_size=200, write_statistics=statistics)
    if statistics and column.startswith(("social_workers", "registered", "extra.")):
        schema = pl.read_parquet_schema(path)
        known = on_polars._statistics(pq.ParquetFile(path).metadata, schema)
        national = Programs("fyp14", None, profile_set(())).for_code("")
        assert column not in on_polars._Run(str(path), schema, [national], known).read
    numpy, polars = _outcome(path, "numpy"), _outcome(path, "polars")
    if isinstance(numpy, cssp.batch.BatchResult):
        assert value == 3
        assert isinstance(polars, cssp.batch.BatchResult)
        assert polars.kernel == "polars"
        assert_same(numpy, polars)
    else:
        assert polars == numpy
