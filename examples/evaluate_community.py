"""Evaluate one community against the 2021–2025 plan and print every finding.

Run: python examples/evaluate_community.py [zh|en]
"""

import sys

import cssp

community = cssp.Community(
    code="440106001001",
    name="示例社区",
    kind="urban",
    households=1200,
    population=3600,
    building_area="98000 m²",
    # a newly built community: the commercial and service area share is judged
    # for these ((十一): 确保新建社区商业和综合服务设施面积达标)
    newly_built=True,
    facilities=[
        cssp.Facility(
            kind="comprehensive",
            floor_area="420平方米",
            activity_area="260 m^2",
            opening_hours="9 h/day",
        )
    ],
    staff=cssp.Staff(community_workers=7, disaster_information_officers=1),
    services={"self_service_kiosk", "disabled_persons_association"},
)

lang = sys.argv[1] if len(sys.argv) > 1 else "en"
assessment = cssp.evaluate(community, plan="fyp14", profiles=())
for finding in assessment.findings:
    print(f"{finding.status.value:<15} {finding.target.id}")
    print(f"{'':<15} {finding.explain(lang)}")

# The 2023 milestone lies on the straight line from the 2020 baseline (29.8)
# to the 2025 target (30).
milestone = cssp.evaluate(community, plan="fyp14", year=2023, profiles=())
area = milestone.finding("facility_area_per_100_households")
print(f"\n2023 milestone: {area.required:.2f} m² per 100 households, on track: {area.on_track}")
