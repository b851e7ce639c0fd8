"""Evaluate the sample communities by county and list the failing ones.

Run: python examples/county_report.py
"""

import cssp

report = cssp.evaluate_region(cssp.load_sample(), plan="fyp14", by="county", profiles=())
for region in report.regions:
    print(f"{region.code} {region.name}: {len(region.communities)} communities")
    for finding in region.findings:
        if finding.status is cssp.Status.NOT_MET:
            shown = ", ".join(finding.failing[:3]) or "-"
            print(f"  not met: {finding.target.id} ({finding.observed:.1f}); e.g. {shown}")
