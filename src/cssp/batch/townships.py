"""Township records in the batch engine: their totals, merged with the communities'.

The township-level targets (专栏6 item 3, a province's own) are judged on
township records (:class:`~cssp.model.township.Township`), one by one as the
scalar engine judges them; their statuses and sums become township totals
(:class:`~cssp.batch.engine.Partial`) that every level's regions count.
"""

from __future__ import annotations

import numpy as np

from cssp.batch._exact import group_sums
from cssp.batch.engine import Partial
from cssp.engine.program import Programs, Raw, canonical_targets
from cssp.engine.results import STATUS_CODES
from cssp.engine.townships import township_raws
from cssp.model.township import Township

__all__ = ["township_partial"]


def township_partial(
    programs: Programs, townships: list[Township]
) -> tuple[Partial, dict[str, dict[str, Raw]]]:
    """The township totals of township records, for the township-level targets.

    Each record is evaluated by the function the scalar engine uses
    (:func:`cssp.engine.townships.township_raws`); its status and exact sums
    become one township's totals, which merge with the communities'
    (:meth:`Partial.merge`) so that every level's regions count them.

    :param townships: the records, sorted by code, codes distinct.
    :return: the totals, and each record's raw results by code and target.
    """
    raws = {t.code: township_raws(programs.for_code(t.code), t) for t in townships}
    targets = canonical_targets(programs.plan, {target for r in raws.values() for target in r})
    keys = np.array([int(t.code) for t in townships], dtype=np.int64)
    n = len(townships)
    counts = np.zeros((len(targets), n, len(STATUS_CODES)), dtype=np.int32)
    position = {status: code for code, status in enumerate(STATUS_CODES)}
    numerators, denominators = [], []
    starts = np.arange(n, dtype=np.intp)
    measured = {"met", "not_met", "no_verdict"}
    for k, target in enumerate(targets):
        nums = np.zeros(n)
        dens = np.zeros(n)
        for i, township in enumerate(townships):
            found = raws[township.code].get(target)
            if found is None:
                continue
            status, numerator, denominator, _, _ = found
            counts[k, i, position[status]] = 1
            if status.value in measured:
                nums[i], dens[i] = numerator, denominator
        numerators.append(group_sums(nums, starts))
        denominators.append(group_sums(dens, starts))
    return Partial(keys, targets, counts, numerators, denominators), raws
