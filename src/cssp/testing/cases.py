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

    [[cases]]
    name = "Guangdong's own indicator is not in force in Zhejiang"
    community = { code = "330106001001" }
    expect = { gd_childcare_places_per_1000_population = "absent" }

A township-level target is tested on a ``township = { code = "440106001",
services = ["social_work_station"] }``, or on a region's ``townships = [...]``
(beside its ``communities``, or alone).

An expected status is one of :class:`~cssp.model.measures.Status`'s values, or
``"absent"``: the target is not in force there (outside the profile's scope).
A Python plugin is tested the same way: list its module file under
``python`` (``python = ["../cssp_beijing/__init__.py"]``, relative to the
cases file); its ``cssp_profiles`` hook gives the profiles tested, with those
of ``profiles``.

Unknown keys, unknown target ids and unknown statuses are errors, not ignored.
Run it with ``cssp test-profile FILE`` or :func:`run_profile_tests`.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import sys
from typing import Any, Final

from attrs import define, field

from cssp.engine.results import Finding
from cssp.engine.scalar import evaluate, evaluate_region, evaluate_township
from cssp.errors import InputError
from cssp.model.convert import load_toml, structure, structure_communities, utf8_text
from cssp.model.measures import Status
from cssp.model.township import Township
from cssp.plugins import default_profiles, load_plugins, load_profile
from cssp.rules.profile import Profile
from cssp.rules.resolve import ProfileSet

__all__ = ["CaseResult", "run_profile_tests"]


#: What a case may expect of a target besides a status: that it is not in force.
ABSENT: Final = "absent"
_EXPECTED: Final = frozenset({*(s.value for s in Status), ABSENT})


@define
class _Case:
    name: str
    expect: dict[str, str]
    community: dict[str, Any] | None = None
    communities: list[dict[str, Any]] | None = None
    township: dict[str, Any] | None = None
    townships: list[dict[str, Any]] | None = None
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
    python: list[str] = field(factory=list)
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
        lists under ``profiles`` and the Python plugins under ``python``
        (relative to it); when it lists none, the installed plugins' profiles
        (or, with ``autoload=False``, none).
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
        if raw.profiles or raw.python:
            loaded = [load_profile(file.parent / name) for name in raw.profiles]
            loaded += _python_profiles(file.parent, raw.python, where)
            profiles = ProfileSet(loaded, strict=raw.strict)
        else:
            installed = default_profiles().profiles if autoload else ()
            profiles = ProfileSet(installed, strict=raw.strict)
    return tuple(
        _run(case, raw.plan, profiles, f"{where}.cases[{index}]")
        for index, case in enumerate(raw.cases)
    )


def _python_profiles(folder: pathlib.Path, modules: list[str], where: str) -> list[Profile]:
    """The profiles of Python plugins given by their module files (relative to ``folder``)."""
    plugins = []
    for index, name in enumerate(modules):
        path = (folder / name).resolve()
        if not path.is_file() or path.suffix != ".py":
            raise InputError(f"{name!r} is not a Python file", f"{where}.python[{index}]")
        package = path.parent if path.name == "__init__.py" else None
        module_name = (package or path.with_suffix("")).name
        spec = importlib.util.spec_from_file_location(
            module_name,
            path,
            submodule_search_locations=[str(package)] if package is not None else None,
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules.setdefault(module_name, module)
        spec.loader.exec_module(module)
        plugins.append(module)
    return list(load_plugins(autoload=False, plugins=plugins).profiles())


def _run(case: _Case, plan: str, profiles: ProfileSet, where: str) -> CaseResult:
    plan_id = case.plan or plan
    single = (case.community is not None) + (case.township is not None)
    region = case.communities is not None or case.townships is not None
    if single + region != 1:
        raise InputError(
            "give one 'community', one 'township', or a region's 'communities' and 'townships'",
            where,
        )
    findings: dict[str, Finding]
    if case.township is not None:
        township = structure(case.township, Township, where=f"{where}.township")
        found = evaluate_township(township, plan_id, case.year, profiles=profiles)
        findings = {f.target.id: f for f in found.findings}
    elif case.community is not None:
        (community,) = structure_communities([case.community], where=f"{where}.community")
        assessment = evaluate(community, plan_id, case.year, profiles=profiles)
        findings = {f.target.id: f for f in assessment.findings}
    else:
        if case.region is None:
            raise InputError("name the 'region' whose findings are checked", where)
        communities = structure_communities(case.communities or [], where=f"{where}.communities")
        townships = [
            structure(record, Township, where=f"{where}.townships[{index}]")
            for index, record in enumerate(case.townships or [])
        ]
        report = evaluate_region(
            communities, plan_id, case.by, case.year, profiles=profiles, townships=townships
        )
        try:
            findings = {f.target.id: f for f in report.region(case.region).findings}
        except KeyError:
            raise InputError(f"no region {case.region!r} at level {case.by!r}", where) from None
    mismatches = []
    in_force = {t.id for t in profiles.effective(plan_id, case.region or "").plan.targets.values()}
    in_force |= {t.id for p in profiles.profiles for i in p.indicators for t in i.targets}
    for target_id, expected in sorted(case.expect.items()):
        if expected not in _EXPECTED:
            choices = ", ".join(repr(v) for v in sorted(_EXPECTED))
            raise InputError(f"{expected!r} is not one of {choices}", f"{where}.expect.{target_id}")
        finding = findings.get(target_id)
        if expected == ABSENT:
            if finding is not None:
                mismatches.append(
                    (target_id, ABSENT, finding.status.value, "the target is in force here")
                )
            elif target_id not in in_force:
                raise InputError(
                    f"{target_id!r} is not a target of {plan_id} or of a profile", where
                )
            continue
        if finding is None:
            known = ", ".join(sorted(findings))
            raise InputError(f"{target_id!r} is not a target here (known: {known})", where)
        if finding.status.value != expected:
            mismatches.append((target_id, expected, finding.status.value, finding.explain("en")))
    return CaseResult(case.name, not mismatches, tuple(mismatches))
