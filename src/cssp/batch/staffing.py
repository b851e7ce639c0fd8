"""Staffing rules in the batch engine: a per-community threshold for whole columns.

A rule gives its columnar form (``required_columns``) where it has one; without
one it is called community by community, on the communities that need it only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from cssp.batch.frame import Frame
from cssp.engine.program import Program, contained_required, contained_required_columns
from cssp.errors import PluginError

__all__ = ["staffing_required"]

Floats = NDArray[np.float64]


def staffing_required(frame: Frame, program: Program, wanted: NDArray[np.bool_]) -> Floats:
    """The per-community threshold of a staffing rule (NaN where the data is missing).

    A rule with no columnar form is called on the communities of ``wanted`` only.
    """
    columnar = contained_required_columns(program.effective)
    required = contained_required(program.effective)
    assert columnar is not None
    assert required is not None
    vector = columnar(_rule_columns(frame))
    if vector is not None:
        return _checked_required(vector, frame.size, columnar)
    out = np.full(frame.size, np.nan)
    for i in np.flatnonzero(wanted).tolist():
        value = required(frame.community(i))
        if value is not None:
            out[i] = value
    return out


def _checked_required(vector: Any, size: int, columnar: Any) -> Floats:
    """A staffing rule's columnar answer, as the engine needs it: one number ≥ 0 (or NaN) a row.

    :raises PluginError: naming the plugin, when the answer is not that.
    """
    try:
        values = np.asarray(vector, dtype=np.float64)
    except (TypeError, ValueError):
        values = None
    problem = None
    if values is None or values.shape != (size,):
        problem = f"returned {type(vector).__name__}, not {size} numbers (one a community)"
    elif np.isinf(values).any() or (values < 0).any():
        problem = "returned a negative or infinite number of workers"
    if problem is None:
        assert values is not None
        return values
    source = getattr(columnar, "source", "")
    what = getattr(columnar, "what", "the staffing rule's required_columns()")
    raise PluginError(source, f"{what} {problem}")


def _rule_columns(frame: Frame) -> dict[str, Any]:
    return {**frame.values, **frame.flags, "rural": frame.rural}
