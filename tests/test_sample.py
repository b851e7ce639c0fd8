"""Tests for the sample dataset shipped in the package (cssp.load_sample)."""

from __future__ import annotations

import importlib.resources
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import cssp
from cssp import Community, CommunityKind, FacilityKind, Status
from cssp.model.divisions import division_name

REPO_ROOT = Path(__file__).resolve().parents[1]
GENERATOR = REPO_ROOT / "tools" / "make_sample.py"


def _sample_bytes() -> bytes:
    return importlib.resources.files("cssp").joinpath("data/sample_communities.json").read_bytes()


@pytest.fixture(scope="module")
def sample() -> tuple[Community, ...]:
    return cssp.load_sample()


@pytest.fixture(scope="module")
def assessments(sample: tuple[Community, ...]) -> list[cssp.Assessment]:
    return [cssp.evaluate(c) for c in sample]


def test_loads_communities(sample: tuple[Community, ...]) -> None:
    assert sample
    assert all(isinstance(c, Community) for c in sample)


def test_size(sample: tuple[Community, ...]) -> None:
    assert 40 <= len(sample) <= 60


def test_urban_and_rural(sample: tuple[Community, ...]) -> None:
    kinds = Counter(c.kind for c in sample)
    assert kinds[CommunityKind.URBAN] > 0
    assert kinds[CommunityKind.RURAL] > 0


def test_provinces_and_counties(sample: tuple[Community, ...]) -> None:
    assert len({c.province for c in sample}) >= 2
    assert len({c.county for c in sample}) >= 3


def test_codes_unique_and_sorted(sample: tuple[Community, ...]) -> None:
    codes = [c.code for c in sample]
    assert len(set(codes)) == len(codes)
    assert codes == sorted(codes)


def test_codes_under_real_townships(sample: tuple[Community, ...]) -> None:
    for c in sample:
        township = division_name(c.township)
        assert township is not None, c.code
        assert c.name.startswith(township), c.name
        assert "示例" in c.name, c.name


def test_every_county_has_both_kinds(sample: tuple[Community, ...]) -> None:
    kinds: dict[str, set[CommunityKind]] = {}
    for c in sample:
        kinds.setdefault(c.county, set()).add(c.kind)
    assert all(k == set(CommunityKind) for k in kinds.values()), kinds


def test_some_data_missing(assessments: list[cssp.Assessment]) -> None:
    statuses = {f.status for a in assessments for f in a}
    assert Status.NO_DATA in statuses


def test_some_values_unknown(sample: tuple[Community, ...]) -> None:
    assert any(c.households is None for c in sample)
    assert any(c.facilities is None for c in sample)
    assert any(c.services is None for c in sample)
    assert any(c.staff.community_workers is None for c in sample)
    assert any(f.activity_area is None for c in sample for f in c.comprehensive_facilities)


def test_facility_area_met_and_not_met(assessments: list[cssp.Assessment]) -> None:
    statuses = Counter(a.finding("facility_area_per_100_households").status for a in assessments)
    assert statuses[Status.MET] >= 1
    assert statuses[Status.NOT_MET] >= 1


def test_commercial_share_is_judged_for_newly_built_communities(
    assessments: list[cssp.Assessment],
) -> None:
    # （十一）"确保新建社区商业和综合服务设施面积达标": the sample's one newly built
    # community is the only one judged (it has no building area: no data); every
    # other is not applicable.
    statuses = Counter(
        (a.community.newly_built, a.finding("commercial_service_area_share").status)
        for a in assessments
    )
    assert statuses == {(True, Status.NO_DATA): 1, (False, Status.NOT_APPLICABLE): 51}


def test_villages_without_comprehensive_facility(sample: tuple[Community, ...]) -> None:
    villages = [c for c in sample if c.kind is CommunityKind.RURAL and c.facilities is not None]
    assert any(not c.comprehensive_facilities for c in villages)
    assert any(c.facilities == () for c in villages)


def test_flags(sample: tuple[Community, ...]) -> None:
    assert any(c.resettlement for c in sample)
    assert any(c.old_residential_area for c in sample)
    assert any(c.newly_built for c in sample)


def test_commercial_facilities(sample: tuple[Community, ...]) -> None:
    assert any(f.kind is FacilityKind.COMMERCIAL for c in sample for f in c.facilities or ())


def test_region_report_by_county(sample: tuple[Community, ...]) -> None:
    report = cssp.evaluate_region(sample, by="county")
    assert len(report.regions) >= 3
    assert len(report.assessments) == len(sample)
    assert sum(len(r.communities) for r in report.regions) == len(sample)
    for region in report.regions:
        assert region.level == "county"
        assert region.name
        assert region.name == division_name(region.code)
        assert region.findings


def test_file_uses_mixed_notations() -> None:
    text = _sample_bytes().decode("utf-8")
    for notation in ("平方米", "m²", '"unit": "m^2"', "万平方米", "小时/天", "h/day", "户", "人"):
        assert notation in text, notation
    records = json.loads(text)
    assert any(isinstance(r.get("households"), int) for r in records)


def test_file_format() -> None:
    data = _sample_bytes()
    text = data.decode("utf-8")
    assert text.endswith("]\n")
    records = json.loads(text)
    assert text == json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    codes = [r["code"] for r in records]
    assert codes == sorted(codes)


def test_generator_reproduces_file(tmp_path: Path) -> None:
    output = tmp_path / "sample_communities.json"
    subprocess.run(
        [sys.executable, str(GENERATOR), "--output", str(output)],
        check=True,
        capture_output=True,
        cwd=REPO_ROOT,
    )
    assert output.read_bytes() == _sample_bytes()
