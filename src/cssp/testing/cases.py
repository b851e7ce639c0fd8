"""Declarative test cases for profiles: a community or a region → expected statuses.

A provincial team tests its profile the way OpenFisca country packages test
their parameters — without writing Python. A cases file (TOML)::

    schema = 1
    plan = "fyp14"
    profiles = ["../cssp_guangdong/profile.toml"]   # relative to this file

    [[cases]]
    name = "31 m² per 100 households meets the national 30 but not Guangdong's 32"
    community = { code = "440106001001", households = 1000, facilities = [
        { kind = "comprehensive", floor_area = 310 } ] }
    expect = { facility_area_per_100_households = "not_met" }

    [[cases]]
    name = "a county of two communities"
    by = "county"
    region = "440106"
    communities = [ { code = "440106001001", ... }, { code = "440106001002", ... } ]
    expect = { facility_area_per_100_households = "met" }

Unknown keys, unknown target ids and unknown statuses are errors, not ignored.
Run it with ``cssp test-profile FILE`` or :func:`run_profile_tests`.
"""

from __future__ import annotations

import os
import pathlib
from typing import Any

from attrs import define, field

from cssp.engine.results import Finding
from cssp.engine.scalar import evaluate, evaluate_region
from cssp.errors import InputError
from cssp.model.convert import load_toml, structure, structure_communities, utf8_text
from cssp.model.measures import Status
from cssp.plugins import default_profiles, load_profile
from cssp.rules.resolve import ProfileSet

__all__ = ["CaseResult", "run_profile_tests"]


@define
class _Case:
    name: str
    expect: dict[str, Status]
    community: dict[str, Any] | None = None
    communities: list[dict[str, Any]] | None = None
    region: str | None = None
    by: str = "county"
    year: int | None = None
    plan: str | None = None


@define
class _CasesFile:
    schema: int
    cases: list[_Case]
    plan: str = "fyp14"
    profiles: list[str] = field(factory=list)
    strict: bool = False


@define(frozen=True)
class CaseResult:
    """The outcome of one test case.

    :param name: the case's name.
    :param passed: whether every expected status was found.
    :param mismatches: ``(target id, expected, found, explanation)`` for each miss.
    """

    name: str
    passed: bool
    mismatches: tuple[tuple[str, str, str, str], ...] = ()


def run_profile_tests(
    path: str | os.PathLike[str], *, profiles: ProfileSet | None = None, autoload: bool = True
) -> tuple[CaseResult, ...]:
    """Run the cases of a TOML cases file.

    :param path: the cases file.
    :param profiles: the profiles to test. Default: the files the cases file
        lists under ``profiles`` (relative to it); when it lists none, the
        installed plugins' profiles (or, with ``autoload=False``, none).
    :param autoload: whether installed plugins may be used when the cases
        file lists no profiles.
    :raises InputError: for a malformed cases file (unknown keys included).
    :raises ProfileError: for a profile that does not load.
    """
    file = pathlib.Path(path)
    where = str(file)
    try:
        raw_bytes = file.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read {file}: {error}", where) from None
    data = load_toml(utf8_text(raw_bytes, where), where)
    raw = structure(data, _CasesFile, where=where)
    if raw.schema != 1:
        raise InputError(f"unsupported schema {raw.schema}", f"{where}.schema")
    if profiles is None:
        if raw.profiles:
            loaded = [load_profile(file.parent / name) for name in raw.profiles]
            profiles = ProfileSet(loaded, strict=raw.strict)
        else:
            installed = default_profiles().profiles if autoload else ()
            profiles = ProfileSet(installed, strict=raw.strict)
    return tuple(
        _run(case, raw.plan, profiles, f"{where}.cases[{index}]")
        for index, case in enumerate(raw.cases)
    )


def _run(case: _Case, plan: str, profiles: ProfileSet, where: str) -> CaseResult:
    plan_id = case.plan or plan
    if (case.community is None) == (case.communities is None):
        raise InputError("give either 'community' or 'communities'", where)
    findings: dict[str, Finding]
    if case.community is not None:
        (community,) = structure_communities([case.community], where=f"{where}.community")
        assessment = evaluate(community, plan_id, case.year, profiles=profiles)
        findings = {f.target.id: f for f in assessment.findings}
    else:
        if case.region is None:
            raise InputError("name the 'region' whose findings are checked", where)
        communities = structure_communities(case.communities, where=f"{where}.communities")
        report = evaluate_region(communities, plan_id, case.by, case.year, profiles=profiles)
        try:
            findings = {f.target.id: f for f in report.region(case.region).findings}
        except KeyError:
            raise InputError(f"no region {case.region!r} at level {case.by!r}", where) from None
    mismatches = []
    for target_id, expected in sorted(case.expect.items()):
        finding = findings.get(target_id)
        if finding is None:
            known = ", ".join(sorted(findings))
            raise InputError(f"{target_id!r} is not a target here (known: {known})", where)
        if finding.status is not expected:
            mismatches.append(
                (target_id, expected.value, finding.status.value, finding.explain("en"))
            )
    return CaseResult(case.name, not mismatches, tuple(mismatches))
