"""Region tables as the scalar engine's objects, built by the scalar engine's own code."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cssp.batch.columnar import NOT_MET
from cssp.batch.regions import RegionTable
from cssp.engine.program import REGION_LEVELS, Check, region_finding
from cssp.engine.results import Counts, RegionAssessment
from cssp.model.divisions import division_name
from cssp.model.measures import Status

if TYPE_CHECKING:
    from cssp.batch.result import BatchResult, Totals


def assessments(
    result: Totals, table: RegionTable, *, members: bool, batch: BatchResult | None
) -> tuple[RegionAssessment, ...]:
    """One :class:`RegionAssessment` per region of ``table``."""
    programs = result.programs
    length = REGION_LEVELS[table.level]
    member_codes: list[str] = []
    starts: list[int] = []
    order = None
    if members:
        assert batch is not None
        order = np.argsort(batch.codes, kind="stable")
        ordered = batch.codes[order]
        member_codes = [c.decode() for c in ordered.tolist()]
        prefixes = ordered.astype(f"S{max(length, 1)}") if length else np.full(len(ordered), b"")
        starts = np.searchsorted(prefixes, np.char.encode(table.codes, "ascii")).tolist()
    out = []
    for r, code in enumerate(table.codes.tolist()):
        program = programs.for_code(code)
        if members:
            assert order is not None
            end = starts[r + 1] if r + 1 < len(starts) else len(member_codes)
            rows = order[starts[r] : end]
            codes = tuple(member_codes[starts[r] : end])
        findings = []
        for check in program.region_checks:
            if check.target.id not in table.targets:
                continue  # a township-level target, without township records
            t = table.targets.index(check.target.id)
            counts = Counts(*(int(n) for n in table.counts[r, t]))
            numerator = table.numerator[r, t]
            denominator = table.denominator[r, t]
            numerator = 0.0 if np.isnan(denominator) else float(numerator)
            denominator = 0.0 if np.isnan(denominator) else float(denominator)
            failing: tuple[str, ...] = ()
            if batch is not None and members and check.township:
                failing = _failing_townships(batch, check, code, length)
            elif batch is not None and members:
                bad = batch.status[rows, batch.targets.index(check.target.id)] == NOT_MET
                lack = batch.lacking.get(check.target.id)
                if check.lacking and lack is not None:
                    bad |= lack[rows]
                failing = tuple(code for code, no in zip(codes, bad.tolist(), strict=True) if no)
            near = table.approximate is not None and bool(table.approximate[r, t])
            findings.append(
                region_finding(
                    check, code, programs.year, counts, numerator, denominator, failing, near
                )
            )
        townships = (
            tuple(t.code for t in batch.townships if t.code.startswith(code))
            if batch is not None and members
            else ()
        )
        out.append(
            RegionAssessment(
                code=code,
                name=division_name(code),
                level=table.level,
                communities=codes if members else (),
                findings=tuple(findings),
                townships=townships,
            )
        )
    return tuple(out)


def _failing_townships(batch: BatchResult, check: Check, code: str, length: int) -> tuple[str, ...]:
    """The region's township records that do not meet a township target (or lack the thing)."""
    out = []
    for township in batch.townships:
        if township.code[:length] != code:
            continue
        status, numerator, _, _, _ = batch.township_raws[township.code][check.target.id]
        if status is Status.NOT_MET or (
            check.lacking and status is Status.NO_VERDICT and numerator == 0
        ):
            out.append(township.code)
    return tuple(out)
