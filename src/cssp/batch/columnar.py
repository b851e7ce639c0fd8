"""The measures' declarations, applied to columns.

Each measure of :mod:`cssp.model.measures` is declared once — its fields, its
guards, its numerator and denominator. Here the declaration is read for whole
columns: a guard sets its status where its test fails and no earlier guard
has decided, in the declaration's order, exactly as the scalar engine's
generated code tests them one community at a time.

Status codes: :data:`MET` 0, :data:`NOT_MET` 1, :data:`NOT_APPLICABLE` 2,
:data:`NO_DATA` 3, :data:`NO_VERDICT` 4 (the index in
:data:`cssp.engine.results.STATUS_CODES`) and :data:`ABSENT` 255 where a
target is not in force for a community.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import NDArray

from cssp.engine.results import ABSENT, STATUS_CODES
from cssp.model.measures import ONE, Measure

if TYPE_CHECKING:
    from cssp.batch.frame import Frame

__all__ = [
    "ABSENT",
    "MEASURED",
    "MET",
    "NOT_APPLICABLE",
    "NOT_MET",
    "NO_DATA",
    "NO_VERDICT",
    "STATUS_COUNT",
    "Observed",
    "observe",
]

MET: Final = 0
NOT_MET: Final = 1
NOT_APPLICABLE: Final = 2
NO_DATA: Final = 3
#: Measured, without a verdict: a community's contribution to a target judged
#: for regions only, or any unit's figure for a direction (no level).
NO_VERDICT: Final = 4
#: How many status codes there are (the width of the count arrays).
STATUS_COUNT: Final = len(STATUS_CODES)
#: The status of a row every guard let through: measured, to be compared.
MEASURED: Final = MET

Floats = NDArray[np.float64]
Codes = NDArray[np.uint8]
Observed = tuple[Floats, Floats, Codes]

_CODE: Final = {status: code for code, status in enumerate(STATUS_CODES)}


def observe(measure: Measure, frame: Frame) -> Observed:
    """A declared measure on every row of ``frame``: numerators, denominators, statuses.

    A status is :data:`MEASURED` where the pair is valid, else the status of
    the first guard whose test fails.
    """
    status = np.zeros(frame.size, dtype=np.uint8)
    for guard in measure.tests:
        values = frame.field(guard.field)
        failed = np.isnan(values) if guard.test == "given" else values == 0
        # By arithmetic on bytes: a masked assignment costs ten times as much.
        status += (failed & (status == MEASURED)) * np.uint8(_CODE[guard.skip.status])
    assert measure.numerator is not None
    numerator = frame.field(measure.numerator)
    denominator = (
        frame.field("communities")
        if measure.denominator == ONE
        else frame.field(measure.denominator)
    )
    return numerator, denominator, status
