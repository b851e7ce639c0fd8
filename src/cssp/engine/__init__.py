"""The compliance engine: findings for one community, regions, and reported figures.

The package is ``cssp.engine`` (not ``cssp.evaluate``, which is the function).
It is handed its profiles; the public functions :func:`cssp.evaluate` and its
siblings apply the installed plugins' profiles by default.
"""

from cssp.engine.program import REGION_LEVELS
from cssp.engine.results import Assessment, Counts, Finding, RegionAssessment, RegionReport
from cssp.engine.scalar import effective_targets, evaluate, evaluate_figures, evaluate_region
from cssp.model.measures import MEASURES, Status

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
