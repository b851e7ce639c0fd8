"""The compliance engine: findings for one community, regions, and reported figures."""

from cssp.evaluate.engine import (
    REGION_LEVELS,
    effective_targets,
    evaluate,
    evaluate_figures,
    evaluate_region,
)
from cssp.evaluate.measures import MEASURES, Status
from cssp.evaluate.results import Assessment, Counts, Finding, RegionAssessment, RegionReport

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
