"""The scalar form of the measures' declarations: Python source generated per program.

:func:`generate` writes one function per compiled program and community flags
(the checks of :class:`cssp.engine.program.Program`, one loop over the
facilities, constants folded), as attrs and cattrs generate ``__init__`` and
structuring functions; :func:`facility_summariser` sums a community's
facilities for the columnar engine from the same declarations.
"""

from __future__ import annotations

import functools
import linecache
import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Final

import attrs
from attrs import define

from cssp.model.community import Community, Facility, FacilityKind, Service
from cssp.model.measures import FACILITY_FIELDS, FIELDS, ONE, Skip, Status, in_scope
from cssp.model.plan import REL_TOL, Text

if TYPE_CHECKING:
    from cssp.engine.program import Check, Raw

__all__ = ["facility_summariser", "generate"]

_Observe = Callable[[Community], "list[Raw]"]
_Statuses = Callable[[Community], tuple[Status, ...]]

# --- code generation: the scalar form of the declarations --------------------------------

_NO_STANDARD: Final = Text(
    "缺少计算配备标准所需的数据（如居民户数）",
    "the data the staffing standard needs (such as households) is not given",
)


class _Source:
    """The text of a generated function and the constants it names."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, object] = {
            "MET": Status.MET,
            "NOT_MET": Status.NOT_MET,
            "NOT_APPLICABLE": Status.NOT_APPLICABLE,
            "NO_DATA": Status.NO_DATA,
            "NO_VERDICT": Status.NO_VERDICT,
            "REL_TOL": REL_TOL,
        }
        self._ids: dict[int, str] = {}

    def constant(self, value: object, stem: str = "K") -> str:
        """A name for ``value`` in the generated code; a finite float is written as a literal."""
        if type(value) is float and math.isfinite(value):
            return repr(value)
        found = self._ids.get(id(value))
        if found is None:
            found = f"{stem}{len(self._ids)}"
            self._ids[id(value)] = found
            self.names[found] = value
        return found

    def add(self, indent: int, line: str) -> None:
        self.lines.append("    " * indent + line)


def _variable(name: str) -> str:
    return "v_" + name.replace(".", "_")


@define(frozen=True)
class _Access:
    """How the generated code reads one field."""

    #: an expression true when the field is missing.
    missing: str
    #: its value (an int for a count of a Community, else a float).
    value: str
    #: for a field that is 1 or 0 (has / has not): an expression true when it is 1.
    truth: str | None = None
    #: whether the value is a count held as an int (``float()`` makes it the engine's float).
    whole: bool = False
    #: whether every value is ≥ 0 (the row rules of :mod:`cssp.model.schema` see to it).
    nonnegative: bool = True


def _prologue(src: _Source, fields: list[str]) -> dict[str, _Access]:
    """Read each field the checks need; return how each is read."""
    staff = facilities = services = extra = False
    wanted_facility = [f for f in FACILITY_FIELDS if f in fields]
    access: dict[str, _Access] = {ONE: _Access("False", "1.0")}
    for name in fields:
        info = FIELDS.get(name)
        var = _variable(name)
        if name == "communities":
            access[name] = _Access("False", "1.0")
        elif name.startswith("extra."):
            if not extra:
                src.add(1, "extra = c.extra")
                extra = True
            src.add(1, f"{var} = extra.get({src.constant(name[len('extra.') :], 'X')})")
            access[name] = _Access(f"{var} is None", var, nonnegative=False)
        elif name.startswith("services."):
            if not services:
                src.add(1, "services = c.services")
                services = True
            service = src.constant(Service(name[len("services.") :]), "SVC")
            truth = f"{service} in services"
            access[name] = _Access("services is None", f"(1.0 if {truth} else 0.0)", truth)
        elif name in FACILITY_FIELDS:
            if not facilities:
                _facility_sums(src, wanted_facility)
                facilities = True
            flag = var if FACILITY_FIELDS[name].op == "any" else None
            access[name] = _Access(f"{var} is None", var, flag)
        else:
            assert info is not None, name
            if info.path[0] == "staff":
                if not staff:
                    src.add(1, "staff = c.staff")
                    staff = True
                src.add(1, f"{var} = staff.{info.path[1]}")
            else:
                src.add(1, f"{var} = c.{'.'.join(info.path)}")
            access[name] = _Access(f"{var} is None", var, whole=info.whole)
    return access


def _facility_sums(src: _Source, names: list[str]) -> None:
    """Read ``c.facilities`` and compute the facility sums ``names`` (``None`` when unknown)."""
    src.add(1, "facilities = c.facilities")
    src.add(1, "if facilities is None:")
    src.add(2, " = ".join(_variable(n) for n in names) + " = None")
    src.add(1, "else:")
    _facility_loop(src, names, 2)


def _facility_loop(src: _Source, names: list[str], depth: int) -> None:
    """The facility sums of :data:`FACILITY_FIELDS` over ``facilities``, in one loop.

    One chain of tests of the facility's kind (``if k is COMPREHENSIVE: … elif
    k is COMMERCIAL: …``), each branch updating the sums that cover that kind;
    the sums over every kind follow the chain. Each sum still adds its
    facilities in their order, so the sums are those of the declarations.
    """
    every: list[str] = []
    by_kind: dict[FacilityKind, list[str]] = {kind: [] for kind in FacilityKind}
    after: list[str] = []
    for name in names:
        var = _variable(name)
        spec = FACILITY_FIELDS[name]
        if spec.op == "count" and spec.kinds == frozenset(FacilityKind):
            src.add(depth, f"{var} = float(len(facilities))")
            continue
        src.add(depth, f"{var} = {repr(spec.start) if spec.op == 'min' else '0.0'}")
        if spec.op == "count":
            body = [f"{var} += 1.0"]
        elif spec.op == "any":
            body = [f"{var} = 1.0"]
        elif not _optional(spec.attribute):  # every facility has it: a plain sum or minimum
            value = f"f.{spec.attribute}"
            body = [f"{var} += {value}" if spec.op == "sum" else f"{var} = min({var}, {value})"]
        else:
            missing, value = f"m_{var}", f"a_{var}"
            src.add(depth, f"{missing} = False")
            update = (
                f"else: {var} += {value}"
                if spec.op == "sum"
                else (f"elif {value} < {var}: {var} = {value}")
            )
            body = [
                f"{value} = f.{spec.attribute}",
                f"if {value} is None: {missing} = True",
                update,
            ]
            after.append(f"if {missing}: {var} = None")
        if spec.kinds == frozenset(FacilityKind):
            every.extend(body)
        else:
            for kind in spec.kinds:
                by_kind[kind].extend(body)
    branches = [(kind, body) for kind, body in by_kind.items() if body]
    if branches or every:
        src.add(depth, "for f in facilities:")
        if branches:
            src.add(depth + 1, "k = f.kind")
        for index, (kind, body) in enumerate(branches):
            keyword = "if" if index == 0 else "elif"
            src.add(depth + 1, f"{keyword} k is {src.constant(kind, 'KIND')}:")
            for line in body:
                src.add(depth + 2, line)
        for line in every:
            src.add(depth + 1, line)
    for line in after:
        src.add(depth, line)


def _optional(attribute: str) -> bool:
    """Whether a :class:`~cssp.model.community.Facility` may lack ``attribute`` (``None``)."""
    found = attrs.fields_dict(Facility)[attribute]
    return found.default is None


@functools.cache
def facility_summariser() -> Callable[[Iterable[Any]], tuple[float | None, ...]]:
    """A function computing every facility sum of
    :data:`~cssp.model.measures.FACILITY_FIELDS`, in its order,
    from a community's facilities: generated from their declarations, as the
    scalar engine's code is."""
    src = _Source()
    src.lines = ["def summarise(facilities):"]
    names = list(FACILITY_FIELDS)
    _facility_loop(src, names, 1)
    src.add(1, f"return ({', '.join(_variable(n) for n in names)},)")
    text = "\n".join(src.lines) + "\n"
    namespace = dict(src.names)
    exec(compile(text, "<cssp facility sums>", "exec"), namespace)
    linecache.cache["<cssp facility sums>"] = (len(text), None, text.splitlines(True), "")
    summarise: Callable[[Iterable[Any]], tuple[float | None, ...]]
    summarise = namespace["summarise"]  # type: ignore[assignment]
    return summarise


def _comparison(
    src: _Source,
    check: Check,
    depth: int,
    threshold: str,
    lhs: str,
    denominator: str | None,
    nonnegative: bool,
) -> str:
    """Emit the computation of ``rhs`` as needed; return the test's source.

    :param lhs: the numerator's expression; it is multiplied by the scale.
    :param denominator: the denominator's expression, ``None`` when it is 1 and
        the threshold a constant: the bound is then computed here, once.
    :param nonnegative: the right-hand side is known to be ≥ 0 (a threshold ≥ 0
        times a field the row rules keep ≥ 0), so ``|rhs|`` is ``rhs``.
    """
    comparator = check.comparator
    if check.scale != 1.0:
        lhs = f"{src.constant(check.scale)} * {lhs}"
    tol = repr(REL_TOL)
    if denominator is None:  # threshold × 1.0 is the threshold
        value = check.threshold
        bound = src.constant(comparator.bound(value))
        return comparator.source(lhs, src.constant(value), bound, tol)
    src.add(depth, f"rhs = {threshold} * {denominator}")
    return comparator.source(lhs, "rhs", tol=tol, nonnegative=nonnegative)


def generate(checks: tuple[Check, ...], flags: dict[str, bool]) -> tuple[_Observe, _Statuses, str]:
    """The scalar engine's two functions for communities with these ``flags``.

    ``observe`` returns each check's :data:`Raw` result, ``statuses`` only its
    status; both are generated from the same declarations.
    """
    active = [in_scope(c.target.scope, flags) is True for c in checks]
    needed: list[str] = []
    for check, on in zip(checks, active, strict=True):
        if on and check.measure.declared:
            needed.extend(f for f in check.measure.fields() if f not in needed)
    src = _Source()
    texts = []
    for mode in ("observe", "statuses"):
        src.lines = [f"def {mode}(c):"]
        access = _prologue(src, needed)
        _checks_code(src, checks, [i for i, on in enumerate(active) if on], mode, access)
        results: list[str] = []
        for i, (check, on) in enumerate(zip(checks, active, strict=True)):
            if on:
                results.append(f"r{i}")
            elif mode == "observe":
                skip = check.out_of_scope
                raw = (skip.status, 0.0, 0.0, skip.reason, check.threshold)
                results.append(src.constant(raw, "R"))
            else:
                results.append("NOT_APPLICABLE")
        if mode == "observe":
            src.add(1, f"return [{', '.join(results)}]")
        else:
            src.add(1, f"return ({', '.join(results)}{',' if len(results) == 1 else ''})")
        texts.append("\n".join(src.lines) + "\n")
    full = "\n\n".join(texts)
    filename = f"<cssp program {id(checks):x} {''.join(str(int(v)) for v in flags.values())}>"
    namespace = dict(src.names)
    exec(compile(full, filename, "exec"), namespace)
    # Register the text so that tracebacks show the generated lines (as attrs does).
    linecache.cache[filename] = (len(full), None, full.splitlines(True), filename)
    observe: _Observe = namespace["observe"]  # type: ignore[assignment]
    statuses: _Statuses = namespace["statuses"]  # type: ignore[assignment]
    return observe, statuses, full


def _checks_code(
    src: _Source,
    checks: tuple[Check, ...],
    active: list[int],
    mode: str,
    access: dict[str, _Access],
) -> None:
    """The code of the active checks, those that first test the same field grouped.

    Five checks that first ask whether the facilities are given ask it once:
    ``if facilities unknown: r1 = …; r2 = … else: <the rest of each>``.
    """
    groups: dict[str | None, list[int]] = {}
    for i in active:
        measure = checks[i].measure
        first = measure.tests[0] if measure.declared and measure.tests else None
        key = access[first.field].missing if first and first.test == "given" else None
        groups.setdefault(key, []).append(i)
    for key, members in groups.items():
        if key is None or len(members) == 1:
            for i in members:
                _check_code(src, checks[i], i, mode, access)
            continue
        src.add(1, f"if {key}:")
        for i in members:
            skip = checks[i].measure.tests[0].skip
            src.add(2, f"r{i} = {_skipped(src, checks[i], skip, mode)}")
        src.add(1, "else:")
        for i in members:
            _check_code(src, checks[i], i, mode, access, depth=2, first=1)


def _skipped(src: _Source, check: Check, skip: Skip, mode: str) -> str:
    """The result of a check a guard stops: its status, or its raw result (a constant)."""
    if mode != "observe":
        return skip.status.name
    return src.constant((skip.status, 0.0, 0.0, skip.reason, check.threshold), "R")


def _check_code(
    src: _Source,
    check: Check,
    i: int,
    mode: str,
    access: dict[str, _Access],
    depth: int = 1,
    first: int = 0,
) -> None:
    """The code of one check: sets ``r{i}``, its raw result (or only its status).

    :param first: how many of the measure's tests were made already (by a group).
    """
    observe = mode == "observe"

    def result(status: str, raw: str) -> str:
        return f"r{i} = {raw if observe else status}"

    measure = check.measure
    threshold = src.constant(check.threshold)
    if not measure.declared:
        compute = src.constant(measure.compute, "COMPUTE")
        src.add(depth, f"o = {compute}(c)")
        src.add(depth, "if o.__class__ is not tuple:")
        skipped = f"(o.status, 0.0, 0.0, o.reason, {threshold})"
        src.add(depth + 1, result("o.status", skipped))
        src.add(depth, "else:")
        src.add(depth + 1, "n, d = o")
        if not check.community:  # contributes to its region, or a direction: no verdict
            src.add(depth + 1, result("NO_VERDICT", f"(NO_VERDICT, n, d, None, {threshold})"))
            return
        _compare(src, check, depth + 1, i, mode, "n", "d", nonnegative=False, constant=False)
        return
    keyword = "if"
    tests = measure.tests[first:]
    for guard in tests:
        field = access[guard.field]
        test = field.missing if guard.test == "given" else f"{field.value} == 0"
        src.add(depth, f"{keyword} {test}: r{i} = {_skipped(src, check, guard.skip, mode)}")
        keyword = "elif"
    if tests:
        src.add(depth, "else:")
        depth += 1
    assert measure.numerator is not None
    numerator, denominator = access[measure.numerator], access[measure.denominator]
    constant = measure.denominator == ONE
    if not check.community:  # contributes to its region, or a direction: no verdict
        if observe:
            src.add(depth, f"n = {_as_float(numerator)}")
            src.add(depth, f"d = {_as_float(denominator)}")
        src.add(depth, result("NO_VERDICT", f"(NO_VERDICT, n, d, None, {threshold})"))
        return
    if numerator.truth is not None and constant and check.staffing is None:
        # 1 or 0 against a fixed threshold: both outcomes are known now (the
        # comparator's own function, on the values the code would compute).
        outcomes = []
        for value in (1.0, 0.0):
            holds = check.holds(check.scale * value, check.threshold * 1.0)
            status = "MET" if holds else "NOT_MET"
            outcome: Raw = (Status[status], value, 1.0, None, check.threshold)
            outcomes.append(src.constant(outcome, "R") if observe else status)
        src.add(depth, f"r{i} = {outcomes[0]} if {numerator.truth} else {outcomes[1]}")
        return
    lhs, rhs = numerator.value, denominator.value
    if observe:  # the raw result keeps floats
        src.add(depth, f"n = {_as_float(numerator)}")
        src.add(depth, f"d = {_as_float(denominator)}")
        lhs, rhs = "n", "d"
    nonnegative = denominator.nonnegative and check.threshold >= 0
    _compare(src, check, depth, i, mode, lhs, rhs, nonnegative=nonnegative, constant=constant)


def _as_float(field: _Access) -> str:
    return f"float({field.value})" if field.whole else field.value


def _compare(
    src: _Source,
    check: Check,
    depth: int,
    i: int,
    mode: str,
    numerator: str,
    denominator: str,
    *,
    nonnegative: bool,
    constant: bool,
) -> None:
    """The comparison of one check, with its staffing rule's threshold if it has one.

    A count is compared as the int it is: ``30.0 * 1200`` is ``30.0 * 1200.0``
    to the bit for every count below 2**53, and the row rules refuse larger ones.
    """
    observe = mode == "observe"
    threshold = src.constant(check.threshold)

    def result(status: str, raw: str) -> str:
        return f"r{i} = {raw if observe else status}"

    if check.staffing is not None:
        required = src.constant(check.required, "REQUIRED")
        no_standard = (Status.NO_DATA, 0.0, 0.0, _NO_STANDARD, check.threshold)
        src.add(depth, f"t = {required}(c)")
        src.add(depth, f"if t is None: {result('NO_DATA', src.constant(no_standard, 'R'))}")
        src.add(depth, "else:")
        depth += 1
        test = _comparison(src, check, depth, "t", numerator, denominator, False)
        value = "t"
    else:
        test = _comparison(
            src, check, depth, threshold, numerator, None if constant else denominator, nonnegative
        )
        value = threshold
    src.add(depth, f"if {test}: {result('MET', f'(MET, n, d, None, {value})')}")
    src.add(depth, f"else: {result('NOT_MET', f'(NOT_MET, n, d, None, {value})')}")
