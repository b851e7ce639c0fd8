"""The 2016–2020 plan's targets against the 2020 national figures fyp14 reports.

A real, published comparison: rural facility coverage reached 65.7% (target
50%: met); facility area reached 29.8 m² per 100 households (target 30: not met).

Run: python examples/fyp13_against_2020.py
"""

import cssp

fyp14 = cssp.load_plan("fyp14")
actuals = {
    indicator: fyp14.indicators[indicator].baseline.value  # type: ignore[union-attr]
    for indicator in ("rural_facility_coverage", "facility_area_per_100_households")
}
print("2020 actuals as reported in", fyp14.document, actuals)

result = cssp.evaluate_figures(actuals, plan="fyp13", year=2020, profiles=())
for finding in result.findings:
    print(f"{finding.status.value:<8} {finding.explain('en')}")
