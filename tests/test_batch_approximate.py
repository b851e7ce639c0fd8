"""Values written as approximate (``约300户``): the columnar engine marks the region findings
built on them as the scalar engine does — one batch, a stream of batches, merged partitions,
and the ``cssp evaluate`` command on a real-shaped ledger."""

from __future__ import annotations

import importlib.util
import json
import pathlib
from typing import Any

import attrs
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import cssp
from cssp.model.community import Community
from cssp.model.schema import COMMUNITY_VALUES, FACILITY_VALUES, STAFF_VALUES
from cssp.report import render_report
from helpers import run_cssp

np = pytest.importorskip("numpy")

import cssp.batch  # noqa: E402
from cssp.batch.engine import RunningTotals  # noqa: E402
from cssp.batch.stream import StreamRun  # noqa: E402

_HERE = pathlib.Path(__file__).parent
LEVELS = ("township", "county", "prefecture", "province", "nation")


def _test_batch() -> Any:
    """tests/test_batch.py: its profiles and its communities' strategy."""
    spec = importlib.util.spec_from_file_location("_test_batch", _HERE / "test_batch.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_BATCH = _test_batch()


def _some(draw: st.DrawFn, owner: object, names: tuple[str, ...]) -> frozenset[str]:
    """Some of the values ``owner`` gives (not ``None``)."""
    given_names = [name for name in names if getattr(owner, name) is not None]
    if not given_names:
        return frozenset()
    return frozenset(draw(st.sets(st.sampled_from(given_names))))


@st.composite
def _approximately(draw: st.DrawFn) -> Community:
    """A community of tests/test_batch.py, some of whose values (its own, its staff's, its
    facilities') are written as approximate, as a reader marks ``约300户``."""
    community: Community = draw(_BATCH._community())
    if not draw(st.booleans()):
        return community
    facilities = community.facilities
    if facilities is not None:
        facilities = tuple(
            attrs.evolve(f, approximate=_some(draw, f, FACILITY_VALUES)) for f in facilities
        )
    staff = attrs.evolve(community.staff, approximate=_some(draw, community.staff, STAFF_VALUES))
    return attrs.evolve(
        community,
        approximate=_some(draw, community, COMMUNITY_VALUES),
        staff=staff,
        facilities=facilities,
    )


_lists = st.lists(_approximately(), max_size=24, unique_by=lambda c: c.code)


def _marked(report: cssp.RegionReport) -> int:
    return sum(f.approximate for region in report.regions for f in region.findings)


@settings(max_examples=60, deadline=None)
@given(_lists, st.sampled_from([2021, 2025]), st.booleans())
def test_both_engines_mark_the_same_region_findings_approximate(
    items: list[Community], year: int, row_by_row: bool
) -> None:
    """At every level, the batch engine's regions (and its report) are the scalar
    engine's, ``approximate`` and the explanations included; with the shipped province
    profiles, a county profile, and measures computed row by row (which read any value)."""
    chosen = _BATCH.PROFILES
    if row_by_row:
        chosen = (_BATCH._row_by_row(_BATCH.GUANGDONG), *chosen[1:])
    profiles = cssp.ProfileSet(chosen)
    result = cssp.batch.evaluate_communities(items, year=year, profiles=profiles)
    for level in LEVELS:
        report = cssp.evaluate_region(items, by=level, year=year, profiles=profiles)
        event(f"approximate region findings: {'some' if _marked(report) else 'none'}")
        assert result.region_assessments(level, members=True) == report.regions
        batch_report = result.report(level)
        assert _marked(batch_report) == _marked(report)
        for lang in ("zh", "en"):
            assert render_report(
                batch_report, "json", lang=lang, include_communities=False
            ) == render_report(report, "json", lang=lang, include_communities=False)


@settings(max_examples=40, deadline=None)
@given(_lists, st.integers(1, 7))
def test_batches_and_partitions_keep_the_marks_of_one_run(
    items: list[Community], size: int
) -> None:
    """Streamed a few communities at a time, merged from partitions (:meth:`Partial.merge`)
    or added into running totals: the approximate marks of a single run."""
    profiles = cssp.ProfileSet(_BATCH.PROFILES)
    whole = cssp.batch.evaluate_communities(items, profiles=profiles)
    run = StreamRun(profiles=profiles)
    parts = []
    for first in range(0, len(items), size):
        parts.append(run.add(items[first : first + size]).partial)
    streamed = run.result()
    merged = cssp.batch.Totals.from_partial(
        cssp.batch.Partial.merge(parts[::-1]), profiles=profiles
    )
    running = RunningTotals(whole.partial.townships, whole.partial.targets)
    for part in parts:
        running.add(part)
    added = cssp.batch.Totals.from_partial(running.partial(), profiles=profiles)
    for level in LEVELS:
        expected = whole.region_assessments(level)
        assert streamed.region_assessments(level) == expected
        assert merged.region_assessments(level) == expected
        assert added.region_assessments(level) == expected


def test_a_region_is_approximate_only_where_a_community_counted_is() -> None:
    """The marks follow the fields a measure reads, township by township and up."""
    near = cssp.Community(
        code="440106001001",
        households="约1000户",
        facilities=[cssp.Facility("comprehensive", 420, activity_area=300)],
    )
    exact = cssp.Community(
        code="440106002001", households=500, facilities=[cssp.Facility("comprehensive", 100)]
    )
    result = cssp.batch.evaluate_communities([exact, near], profiles=())
    target = "facility_area_per_100_households"
    township = result.regions("township")
    t = township.targets.index(target)
    assert township.approximate is not None
    assert township.approximate[:, t].tolist() == [True, False]  # 440106001, 440106002
    assert not township.approximate[:, township.targets.index("activity_area_share")].any()
    (county,) = result.report("county").regions
    finding = county.finding(target)
    assert finding.approximate
    assert "约为" in finding.explain("zh")
    assert "approximately" in finding.explain("en")
    assert not county.finding("activity_area_share").approximate
    exact_only = cssp.batch.evaluate_communities([exact], profiles=())
    assert exact_only.regions("county").approximate is None
    assert not exact_only.report("county").regions[0].finding(target).approximate


def test_columns_hold_no_approximate_values() -> None:
    table = {"code": ["440106001001"], "households": [1000], "facility_floor_area": [420.0]}
    result = cssp.batch.evaluate_columns(table, profiles=())
    assert result.partial.approximate is None
    assert all(result.regions(level).approximate is None for level in LEVELS)


# -- the command, on a ledger as a county sends it ---------------------------------

_HEADER = (
    "序号,admin_code_12,村（社区）名称,province,city_county,township,urban_rural_code,类型,"
    "户数(户),常住人口(人),社区工作者(人),facility_building_area_m2,活动用房面积(平方米),"
    "办公用房面积(平方米),source_url"
)
# Real village-level codes and classes (tests/data/real/bureau_codes.csv); the figures are
# made up. Values as people write them: 约, 余, 多, 近, 左右, Chinese numerals; gaps.
_ROWS = (
    "440983102001,水口居委会,,,,111,城市社区,约300户,900,5,120,80,30",
    "440983102201,垌心村委会,,,,220,农村社区,260,780,4,,,",
    "440983102202,飞马村委会,,,,220,农村社区,1500余户,5200余人,4,约400,150,40",
    "440983102208,水口村委会,,,,112,农村社区,1200,3600,9人左右,420,260,60",
    "440983102209,赤坎村委会,,,,111,农村社区,800,2400,6,200,120,40",
    "131025105201,王权村村民委员会,,,,121,农村社区,3000多户,近万人,16,1000,700,150",
    "131025105202,杜权村村民委员会,,,,122,农村社区,500,1500,4,150,100,30",
    "131025105205,王凡场村民委员会,,,,220,农村社区,二百四十,七百,二,一百二十+八十,,",
    "330603107001,舜江源社区居委会,,,,121,城市社区,900,2700,7,300,200,50",
    "330603107200,王坛村委会,,,,121,农村社区,400,1200,3,130,80,30",
)


def _ledger(directory: pathlib.Path) -> None:
    lines = [_HEADER]
    for n, row in enumerate(_ROWS, start=1):
        lines.append(f"{n},{row.split(',', 1)[0]},{row.split(',', 1)[1]},https://example.org/r{n}")
    (directory / "ledger.csv").write_text("\n".join(lines) + "\n", encoding="gb18030")
    columns = (_HERE / "data" / "real" / "ledger.columns.toml").read_text(encoding="utf-8")
    (directory / "ledger.columns.toml").write_text(columns, encoding="utf-8")


@pytest.mark.parametrize("by", ["township", "county", "nation"])
def test_the_command_marks_what_the_scalar_engine_marks(tmp_path: pathlib.Path, by: str) -> None:
    """``cssp evaluate`` on a GB18030 ledger with its own headers and 约 values: the
    columnar engine, fed in batches of three, writes the scalar engine's JSON."""
    _ledger(tmp_path)
    outputs = {}
    for engine in ("batch", "scalar"):
        done = run_cssp(
            "evaluate", "ledger.csv", "--columns", "ledger.columns.toml", "--no-plugins",
            "--engine", engine, "--by", by, "--format", "json", "--no-communities",
            "--batch-rows", "3", "-o", f"{engine}.json", cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        outputs[engine] = ((tmp_path / f"{engine}.json").read_text(encoding="utf-8"), done.stderr)
    assert outputs["batch"] == outputs["scalar"]
    report = json.loads(outputs["batch"][0])
    marked = [f for region in report["regions"] for f in region["findings"] if f["approximate"]]
    assert marked
    assert any("approximately" in f["explanation"]["en"] for f in marked)
    assert any("约" in f["explanation"]["zh"] for f in marked)
