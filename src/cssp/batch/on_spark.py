"""Run the batch engine on Spark: each partition to township totals, then one exact merge.

The partition function is Dask's, :func:`~cssp.batch.on_dask.partition_totals`,
called through Spark's ``mapInArrow``: each Spark partition's Arrow batches
become one table, evaluated and reduced to its township totals. The totals
are shuffled by township, so that the rows of a township split across
partitions meet in one place, and added there
(:func:`~cssp.batch.on_dask.combine_totals`); the driver collects one row per
township and target and derives the region figures, as a single run would.

Spark has no arbitrary-precision integers, so the exact sums travel as pairs
(a mantissa as decimal text and a power of two: a few dozen digits each).

>>> from cssp.batch.on_spark import TOTALS_SCHEMA
>>> TOTALS_SCHEMA.split(", ")[:3]
['township long', 'target string', 'met long']

See the how-to :doc:`/howto/national-scale` for a complete example. The
executors need cssp (and numpy, pyarrow and pandas) under the interpreter
Spark starts for them: set ``PYSPARK_PYTHON`` to it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final

from cssp.batch.on_dask import TOTALS_COLUMNS, combine_totals, partition_totals, totals_from_frame
from cssp.batch.result import Totals, _programs

if TYPE_CHECKING:
    from cssp.model.plan import Plan
    from cssp.rules.profile import Profile
    from cssp.rules.resolve import ProfileSet

__all__ = ["TOTALS_SCHEMA", "evaluate_spark", "merge_totals", "spark_totals"]

_TYPES: Final = {
    "township": "long",
    "target": "string",
    "met": "long",
    "not_met": "long",
    "not_applicable": "long",
    "no_data": "long",
    "no_verdict": "long",
    "numerator": "string",
    "numerator_exponent": "long",
    "denominator": "string",
    "denominator_exponent": "long",
}
#: The totals as Spark sees them (a DDL schema): the columns of
#: :data:`~cssp.batch.on_dask.TOTALS_COLUMNS`, the mantissas as decimal text.
TOTALS_SCHEMA: Final = ", ".join(f"{name} {_TYPES[name]}" for name in TOTALS_COLUMNS)
_MANTISSAS: Final = ("numerator", "denominator")


def _arrow_schema() -> Any:
    import pyarrow as pa  # noqa: PLC0415 - the batch extra's; Spark brings it too

    kinds = {"long": pa.int64(), "string": pa.string()}
    return pa.schema([(name, kinds[_TYPES[name]]) for name in TOTALS_COLUMNS])


def _as_batches(totals: Any) -> Iterator[Any]:
    """A pandas DataFrame of totals as Arrow batches of :data:`TOTALS_SCHEMA`."""
    import pyarrow as pa  # noqa: PLC0415

    totals = totals.copy()
    for name in _MANTISSAS:
        totals[name] = totals[name].map(str)  # exact integers as decimal text
    table = pa.Table.from_pandas(totals, schema=_arrow_schema(), preserve_index=False)
    yield from table.to_batches()


def spark_totals(
    batches: Iterable[Any],
    plan: str | Plan = "fyp14",
    year: int | None = None,
    profiles: ProfileSet | Iterable[Profile] | None = None,
) -> Iterator[Any]:
    """One Spark partition's Arrow batches → its township totals (for ``mapInArrow``).

    The batches are evaluated together, as one table, so that the partition's
    codes are checked together (a code twice in it is an error).

    :return: Arrow record batches of :data:`TOTALS_SCHEMA`.
    """
    import pyarrow as pa  # noqa: PLC0415

    items = list(batches)
    if not items or not sum(batch.num_rows for batch in items):
        return
    yield from _as_batches(partition_totals(pa.Table.from_batches(items), plan, year, profiles))


def merge_totals(batches: Iterable[Any]) -> Iterator[Any]:
    """Totals (Arrow batches of :data:`TOTALS_SCHEMA`) summed by township and target.

    For ``mapInArrow`` after a shuffle by township: the rows of each township
    are then in one partition, and come out once per target.
    """
    import pyarrow as pa  # noqa: PLC0415

    items = list(batches)
    if not items or not sum(batch.num_rows for batch in items):
        return
    yield from _as_batches(combine_totals(pa.Table.from_batches(items).to_pandas()))


def evaluate_spark(
    frame: Any,
    plan: str | Plan = "fyp14",
    year: int | None = None,
    *,
    profiles: ProfileSet | Iterable[Profile] | None = None,
) -> Totals:
    """Evaluate a Spark DataFrame in cssp's table format, partition by partition.

    Each partition is reduced to township totals by :func:`spark_totals`
    (``mapInArrow``); the totals are shuffled by township and added there
    (:func:`merge_totals`), exactly; the driver collects them — one row per
    township and target, whatever the number of communities — and derives
    the region figures.

    :param frame: a ``pyspark.sql.DataFrame`` with the columns of the table
        format; a code must not appear in two partitions (each partition
        checks its own).
    :param profiles: as for :func:`cssp.evaluate`; ``None`` takes the plugins
        installed on the driver, which are sent to the executors.
    :return: the region figures (:class:`~cssp.batch.Totals`); the
        per-community verdicts stay with the partitions.
    """
    programs = _programs(plan, year, profiles)
    evaluate = functools.partial(
        spark_totals, plan=programs.plan, year=programs.year, profiles=programs.profiles
    )
    totals = frame.mapInArrow(evaluate, TOTALS_SCHEMA)
    merged = totals.repartition("township").mapInArrow(merge_totals, TOTALS_SCHEMA)
    collected = merged.toArrow().to_pandas()
    return Totals(programs, totals_from_frame(collected, programs.plan))
