"""The 2016–2020 plan's 2020 targets against the 2020 national figures fyp14 reports.

Two comparisons, of unequal standing:

* Rural facility coverage: both plans name the same indicator,
  农村社区综合服务设施覆盖率. fyp14 reports 65.7% for 2020 against fyp13's 50%
  target: a sound comparison, and met.
* Facility area per 100 households: approximate only. fyp13's target (30 m²) is
  for 社区服务设施面积, community service facility area (one passage of cssp's
  source says 城市社区); fyp14's 2020 figure (29.8 m²) is for 社区综合服务设施面积,
  *comprehensive* service facility area. The definitions differ, so 29.8 is not
  fyp13's own result; held against 30 it falls just short, as a rough indication.

Run: python examples/fyp13_against_2020.py
"""

import cssp

fyp13 = cssp.load_plan("fyp13")
fyp14 = cssp.load_plan("fyp14")


def baseline(indicator: str) -> float:
    """fyp14's 2020 figure for one of its indicators (专栏1)."""
    found = fyp14.indicators[indicator].baseline
    assert found is not None
    return found.value


# Same indicator, same definition: a sound comparison.
rural = baseline("rural_facility_coverage")
print(f"fyp14 ({fyp14.document}) reports {fyp14.indicators['rural_facility_coverage'].name.zh}")
print(f"  = {rural}% for 2020; fyp13 set the same indicator a 2020 target.")
result = cssp.evaluate_figures(
    {"rural_facility_coverage": rural}, plan="fyp13", year=2020, profiles=()
)
for finding in result.findings:
    print(f"{finding.status.value:<8} {finding.explain('en')}")

# Different definitions: an approximate comparison, labelled as such.
area = baseline("facility_area_per_100_households")
ours = fyp14.indicators["facility_area_per_100_households"].name
theirs = fyp13.indicators["facility_area_per_100_households"].name
print()
print("APPROXIMATE — the definitions differ:")
print(f"  fyp14's 2020 figure, {area} m², is for {ours.zh} ({ours.en});")
print(f"  fyp13's target is for {theirs.zh} ({theirs.en}).")
result = cssp.evaluate_figures(
    {"facility_area_per_100_households": area}, plan="fyp13", year=2020, profiles=()
)
for finding in result.findings:
    observed, required = finding.observed, finding.required
    verdict = "at or above" if finding.status is cssp.Status.MET else "below"
    print(
        f"approximate: {observed} m² of comprehensive service facility area is {verdict} "
        f"fyp13's {required} m² of community service facility area; not fyp13's own result"
    )
