"""The compliance engine: findings for one community, regions, and reported figures.

The package is ``cssp.engine`` (not ``cssp.evaluate``, which is the function).
"""

from cssp.engine.measures import MEASURES, Status
from cssp.engine.results import Assessment, Counts, Finding, RegionAssessment, RegionReport
from cssp.engine.scalar import (
    REGION_LEVELS,
    effective_targets,
    evaluate,
    evaluate_figures,
    evaluate_region,
)

__all__ = [
    "MEASURES",
    "REGION_LEVELS",
    "Assessment",
    "Counts",
    "Finding",
    "RegionAssessment",
    "RegionReport",
    "Status",
    "effective_targets",
    "evaluate",
    "evaluate_figures",
    "evaluate_region",
]
