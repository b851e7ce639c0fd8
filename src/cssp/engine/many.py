"""Many communities at once: the verdicts only, by the fastest engine installed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

from cssp.engine.measures import Status
from cssp.engine.scalar import Distinct, _observe, _profile_set, _Programs, canonical_targets
from cssp.errors import InputError
from cssp.model.community import Community

if TYPE_CHECKING:
    from cssp.model.plan import Plan
    from cssp.rules.profile import Profile
    from cssp.rules.resolve import ProfileSet

__all__ = ["BATCH_THRESHOLD", "Verdicts", "evaluate_many"]

#: From this many communities, :func:`evaluate_many` uses the batch engine
#: when it is installed (``cssp[batch]``); below it the scalar engine is faster.
BATCH_THRESHOLD: Final = 2_000
#: Status codes, as in :mod:`cssp.batch`: the index in this tuple; 255 for a
#: target not in force for the community.
_STATUSES: Final = (Status.MET, Status.NOT_MET, Status.NOT_APPLICABLE, Status.NO_DATA)
_CODE: Final = {status: code for code, status in enumerate(_STATUSES)}
_ABSENT: Final = 255


class Verdicts:
    """The status of every community × target: one byte each.

    :ivar targets: the target ids in force for any of the communities: the
        plan's in its order, then the others (a province's own) by id.
    :ivar codes: the communities' codes, in input order.
    :ivar engine: ``"scalar"`` or ``"batch"``: which engine computed them
        (the verdicts are the same).
    """

    def __init__(
        self, targets: tuple[str, ...], codes: tuple[str, ...], matrix: bytes, engine: str
    ) -> None:
        self.targets = targets
        self.codes = codes
        self.engine = engine
        self._matrix = matrix

    def __len__(self) -> int:
        return len(self.codes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Verdicts):
            return NotImplemented
        return (self.targets, self.codes, self._matrix) == (
            other.targets,
            other.codes,
            other._matrix,
        )

    __hash__ = None  # type: ignore[assignment]

    def status_of(self, index: int) -> dict[str, Status]:
        """The statuses of the community at ``index``, for the targets in force for it."""
        if not -len(self) <= index < len(self):
            raise IndexError(f"community index {index} out of range for {len(self)} communities")
        index %= len(self)
        width = len(self.targets)
        row = self._matrix[index * width : (index + 1) * width]
        return {t: _STATUSES[c] for t, c in zip(self.targets, row, strict=True) if c != _ABSENT}

    def counts(self) -> dict[str, tuple[int, int, int, int]]:
        """For each target: the communities met, not met, not applicable and without data."""
        width = len(self.targets)
        out = {}
        for t, target in enumerate(self.targets):
            column = self._matrix[t::width]
            out[target] = (column.count(0), column.count(1), column.count(2), column.count(3))
        return out

    def to_numpy(self) -> Any:
        """The status codes as a ``uint8`` array, one row per community (needs numpy)."""
        import numpy as np  # noqa: PLC0415

        return np.frombuffer(self._matrix, dtype=np.uint8).reshape(len(self), len(self.targets))


def evaluate_many(
    communities: Iterable[Community],
    plan: str | Plan = "fyp14",
    year: int | None = None,
    *,
    profiles: ProfileSet | Iterable[Profile] | None = None,
    engine: str = "auto",
) -> Verdicts:
    """The verdicts of many communities, by the batch engine when it pays.

    >>> import cssp
    >>> verdicts = cssp.evaluate_many(cssp.load_sample(), profiles=())
    >>> verdicts.status_of(0)["facility_area_per_100_households"]
    <Status.MET: 'met'>

    :param communities: the communities; their codes must be unique.
    :param plan: a plan id or plan.
    :param year: the year; defaults to the plan's target year.
    :param profiles: as for :func:`cssp.evaluate`.
    :param engine: ``"auto"`` (the batch engine from :data:`BATCH_THRESHOLD`
        communities when numpy is installed), ``"scalar"`` or ``"batch"``.
    :raises cssp.InputError: for an item that is not a Community, a code that
        appears twice, or an unknown engine.
    """
    items = list(communities)
    if engine not in ("auto", "scalar", "batch"):
        raise InputError(f"{engine!r} is not an engine; use 'auto', 'scalar' or 'batch'", "engine")
    if engine == "auto":
        engine = "batch" if len(items) >= BATCH_THRESHOLD and _has_numpy() else "scalar"
    if engine == "batch":
        import cssp.batch  # noqa: PLC0415

        result = cssp.batch.evaluate_communities(items, plan, year, profiles=profiles)
        codes = tuple(code.decode() for code in result.codes.tolist())
        return Verdicts(result.targets, codes, result.status.tobytes(), "batch")
    return _scalar(items, plan, year, profiles)


def _has_numpy() -> bool:
    try:
        import numpy  # noqa: F401, PLC0415
    except ImportError:  # pragma: no cover - numpy is in the dev environment
        return False
    return True


def _scalar(items: list[Community], plan: str | Plan, year: int | None, profiles: Any) -> Verdicts:
    programs = _Programs(plan, year, _profile_set(profiles))
    distinct = Distinct()
    rows = []
    for index, community in enumerate(items):
        distinct.check(index, community)
        program = programs.for_code(community.code)
        raws = _observe(program, community)
        rows.append({c.target.id: _CODE[r[0]] for c, r in zip(program.checks, raws, strict=True)})
    targets = canonical_targets(programs.plan, (t for row in rows for t in row))
    matrix = bytearray(_ABSENT.to_bytes(1, "little") * (len(rows) * len(targets)))
    width = len(targets)
    position = {t: i for i, t in enumerate(targets)}
    for r, row in enumerate(rows):
        base = r * width
        for target, code in row.items():
            matrix[base + position[target]] = code
    return Verdicts(targets, tuple(c.code for c in items), bytes(matrix), "scalar")
