"""Run the batch engine on Dask: each partition to township totals, then one exact merge.

Region figures are ratios of sums, and the sums are exact (integers), so the
totals of any partitioning add up to those of a single run:

>>> import dask.dataframe as dd, pandas as pd
>>> import numpy as np, cssp.batch, cssp.batch.on_dask
>>> table = pd.DataFrame({
...     "code": ["440106001001", "440106001002", "441823100201"],
...     "households": [1700.0, 2000.0, 300.0],
...     "facility_floor_area": [510.0, 480.0, 60.0],
... })
>>> totals = cssp.batch.on_dask.evaluate_dask(dd.from_pandas(table, npartitions=2), profiles=())
>>> single = cssp.batch.evaluate_columns(table, profiles=())
>>> nation, one = totals.regions("nation"), single.regions("nation")
>>> bool(np.array_equal(nation.numerator, one.numerator, equal_nan=True))
True

The same partition function, :func:`partition_totals`, takes a pandas
DataFrame (or a pyarrow Table) and returns a DataFrame of totals: anything that
can map a function over partitions and sum the result by key — Spark's
``mapInArrow`` included — can run cssp. See the how-to
:doc:`/howto/national-scale`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from cssp.batch._exact import ExactSums, add_pairs
from cssp.batch.engine import Partial, canonical, evaluate_partial
from cssp.batch.frame import Frame
from cssp.batch.result import Totals, _programs

if TYPE_CHECKING:
    from cssp.model.plan import Plan
    from cssp.rules.profile import Profile
    from cssp.rules.resolve import ProfileSet

__all__ = [
    "TOTALS_COLUMNS",
    "combine_totals",
    "evaluate_dask",
    "partition_totals",
    "totals_from_frame",
]

#: The columns of the DataFrame :func:`partition_totals` returns: the township
#: (9-digit code as an integer) and target, five counts (one per status), and
#: the exact sums of the numerators and denominators, each as a pair:
#: ``numerator`` (a Python integer, odd or 0) times 2 to the power
#: ``numerator_exponent`` (an int64), and likewise for the denominator.
TOTALS_COLUMNS: Final = (
    "township",
    "target",
    "met",
    "not_met",
    "not_applicable",
    "no_data",
    "no_verdict",
    "numerator",
    "numerator_exponent",
    "denominator",
    "denominator_exponent",
)
_COUNTS: Final = ("met", "not_met", "not_applicable", "no_data", "no_verdict")
#: The exact sums: the mantissa's column and its exponent's.
_SUMS: Final = (("numerator", "numerator_exponent"), ("denominator", "denominator_exponent"))


def partition_totals(
    table: Any,
    plan: str | Plan = "fyp14",
    year: int | None = None,
    profiles: ProfileSet | Iterable[Profile] | None = None,
) -> Any:
    """Evaluate one partition and return its township totals as a pandas DataFrame.

    :param table: a partition in cssp's table format (pandas DataFrame, pyarrow
        Table or mapping of arrays).
    :return: one row per township and target, columns :data:`TOTALS_COLUMNS`.
    """
    import pandas as pd  # noqa: PLC0415 - Dask brings pandas; cssp.batch does not need it

    programs = _programs(plan, year, profiles)
    frame = Frame.from_columns(table)
    _, _, partial, _, _ = evaluate_partial(frame, programs)
    return _to_frame(partial, pd)


def _to_frame(partial: Partial, pd: Any) -> Any:
    townships = len(partial.townships)
    rows: dict[str, Any] = {name: [] for name in TOTALS_COLUMNS}
    for t, target in enumerate(partial.targets):
        rows["township"].append(partial.townships)
        rows["target"].append(np.full(townships, target, dtype=object))
        for k, name in enumerate(_COUNTS):
            rows[name].append(partial.counts[t, :, k])
        for (mantissa, exponent), sums in zip(
            _SUMS, (partial.numerators[t], partial.denominators[t]), strict=True
        ):
            mantissas, exponents = sums.pairs()
            rows[mantissa].append(np.array(mantissas, dtype=object))
            rows[exponent].append(np.array(exponents, dtype=np.int64))
    columns = {
        name: np.concatenate(parts) if parts else np.zeros(0, dtype=_DTYPES[name])
        for name, parts in rows.items()
    }
    return pd.DataFrame({name: columns[name].astype(_DTYPES[name]) for name in TOTALS_COLUMNS})


_DTYPES: Final[dict[str, Any]] = {
    "township": np.int64,
    "target": object,
    "met": np.int64,
    "not_met": np.int64,
    "not_applicable": np.int64,
    "no_data": np.int64,
    "no_verdict": np.int64,
    "numerator": object,
    "numerator_exponent": np.int64,
    "denominator": object,
    "denominator_exponent": np.int64,
}


def totals_from_frame(frame: Any, plan: Plan) -> Partial:
    """A :class:`~cssp.batch.Partial` from a DataFrame of totals (summed by township and target)."""
    frame = combine_totals(frame)
    townships, township_index = np.unique(
        np.asarray(frame["township"], dtype=np.int64), return_inverse=True
    )
    targets = canonical(plan, frame["target"].unique().tolist())
    position = {t: i for i, t in enumerate(targets)}
    target_index = np.array([position[t] for t in frame["target"].tolist()], dtype=np.intp)
    counts = np.zeros((len(targets), len(townships), len(_COUNTS)), dtype=np.int64)
    np.add.at(counts, (target_index, township_index), frame[list(_COUNTS)].to_numpy(dtype=np.int64))
    sums = []
    for mantissa, exponent in _SUMS:
        mantissas = [[0] * len(townships) for _ in targets]
        exponents = [[0] * len(townships) for _ in targets]
        rows = zip(
            target_index.tolist(),
            township_index.tolist(),
            frame[mantissa].tolist(),
            frame[exponent].tolist(),
            strict=True,
        )
        for t, g, m, e in rows:
            mantissas[t][g], exponents[t][g] = int(m), int(e)
        sums.append([ExactSums.from_pairs(m, e) for m, e in zip(mantissas, exponents, strict=True)])
    return Partial(townships, targets, counts, sums[0], sums[1])


def evaluate_dask(
    frame: Any,
    plan: str | Plan = "fyp14",
    year: int | None = None,
    *,
    profiles: ProfileSet | Iterable[Profile] | None = None,
) -> Totals:
    """Evaluate a Dask DataFrame in cssp's table format, partition by partition.

    Each partition is evaluated by :func:`partition_totals`
    (``map_partitions``); the totals are summed by township and target in a
    tree reduction (:func:`combine_totals`, exact: pairs of integers) and
    computed; the region figures are then derived on the client, as for a
    single run.

    :param frame: a ``dask.dataframe.DataFrame``; a code must not appear in two
        partitions (each partition checks its own).
    :return: the region figures (:class:`~cssp.batch.Totals`); the per-community
        verdicts stay with the partitions.
    """
    import pandas as pd  # noqa: PLC0415 - Dask brings pandas; cssp.batch does not need it

    programs = _programs(plan, year, profiles)
    meta = pd.DataFrame({name: pd.Series(dtype=_DTYPES[name]) for name in TOTALS_COLUMNS})
    parts = frame.map_partitions(
        partition_totals, programs.plan, programs.year, programs.profiles, meta=meta
    )
    # A tree reduction of the partitions' totals; the sums are exact (mantissa, exponent) pairs.
    summed = parts.reduction(
        chunk=_same, combine=combine_totals, aggregate=combine_totals, meta=meta
    ).compute()
    return Totals(programs, totals_from_frame(summed, programs.plan))


def _same(totals: Any) -> Any:
    return totals  # a partition's totals have one row per township and target already


def combine_totals(totals: Any) -> Any:
    """Sum DataFrames of totals (concatenated) by township and target, exactly.

    Rows whose township and target appear once pass through as they are (a
    township split across partitions is the exception); the others' exact
    sums are added as Python integers and given back as pairs (mantissa,
    exponent).
    """
    if not len(totals):
        return totals
    keys = ["township", "target"]
    repeated = totals.duplicated(keys, keep=False).to_numpy()
    if not repeated.any():
        return totals
    grouped = totals[repeated].groupby(keys, sort=False)
    merged = grouped[list(_COUNTS)].sum()
    for mantissa, exponent in _SUMS:
        pairs = grouped[[mantissa, exponent]].apply(_exact_sum)
        merged[mantissa] = [m for m, _ in pairs.tolist()]
        merged[exponent] = np.array([e for _, e in pairs.tolist()], dtype=np.int64)
    merged = merged.reset_index()[list(TOTALS_COLUMNS)]
    import pandas as pd  # noqa: PLC0415 - Dask brings pandas; cssp.batch does not need it

    return pd.concat([totals[~repeated], merged], ignore_index=True)


def _exact_sum(pairs: Any) -> tuple[int, int]:
    mantissa, exponent = pairs.columns
    return add_pairs(pairs[mantissa].tolist(), pairs[exponent].tolist())
