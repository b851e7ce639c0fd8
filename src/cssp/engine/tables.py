"""Findings as tables: the columns behind ``to_pandas()`` and ``to_arrow()``.

One row per finding — a community × target, or a region × target — with the
same fields as a finding of the JSON documents, flattened: names and
explanations in both languages, the counts of a region's communities by
status. pandas and pyarrow are imported only when a table is asked for
(``pip install 'cssp[tables]'``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

from cssp.errors import CsspError
from cssp.model.plan import IndicatorKind, Level

if TYPE_CHECKING:
    from cssp.engine.results import Finding

__all__ = [
    "FINDING_COLUMNS",
    "VERDICT_COLUMNS",
    "finding_columns",
    "module",
    "to_arrow",
    "to_pandas",
]

#: The columns of a table of findings, with their types: ``str``, ``float``
#: (missing as NaN in pandas, null in Arrow), ``int``, ``bool`` or ``bool?``
#: (true, false or missing).
FINDING_COLUMNS: Final = (
    ("subject", "str"),
    ("level", "str"),
    ("region", "str"),
    ("target", "str"),
    ("indicator", "str"),
    ("name_zh", "str"),
    ("name_en", "str"),
    ("kind", "str"),
    ("status", "str"),
    ("comparator", "str"),
    ("observed", "float"),
    ("required", "float"),
    ("unit", "str"),
    ("unit_zh", "str"),
    ("gap", "float"),
    ("year", "int"),
    ("milestone", "bool"),
    ("on_track", "bool?"),
    ("numerator", "float"),
    ("denominator", "float"),
    ("met", "int?"),
    ("not_met", "int?"),
    ("not_applicable", "int?"),
    ("no_data", "int?"),
    ("loosened", "bool"),
    ("citation_zh", "str"),
    ("explanation_zh", "str"),
    ("explanation_en", "str"),
)
#: The columns of a table of :class:`~cssp.engine.results.Verdicts`.
VERDICT_COLUMNS: Final = (("code", "str"), ("target", "str"), ("status", "str"))


def _number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _unit(finding: Finding) -> str:
    if finding.level is Level.REGION and finding.kind is IndicatorKind.PER_COMMUNITY:
        return "percent"
    return finding.target.unit


def finding_columns(
    findings: Iterable[Finding], regions: Sequence[str] | None = None
) -> dict[str, list[Any]]:
    """The columns of :data:`FINDING_COLUMNS` for ``findings``, one row each.

    :param findings: the findings, in the order of the rows.
    :param regions: for each finding, the code of the region its subject was
        counted in (a community's region in a report); ``""`` when not given.
    """
    columns: dict[str, list[Any]] = {name: [] for name, _ in FINDING_COLUMNS}
    for index, f in enumerate(findings):
        target = f.target
        counts = f.counts
        row = {
            "subject": f.subject,
            "level": f.level.value,
            "region": regions[index] if regions is not None else "",
            "target": target.id,
            "indicator": target.indicator,
            "name_zh": target.name.zh,
            "name_en": target.name.en,
            "kind": f.kind.value,
            "status": f.status.value,
            "comparator": target.comparator.value,
            "observed": _number(f.observed),
            "required": _number(f.required),
            "unit": _unit(f),
            "unit_zh": f.unit_label.zh,
            "gap": _number(f.gap),
            "year": f.year,
            "milestone": f.is_milestone,
            "on_track": f.on_track,
            "numerator": _number(f.numerator),
            "denominator": _number(f.denominator),
            "met": None if counts is None else counts.met,
            "not_met": None if counts is None else counts.not_met,
            "not_applicable": None if counts is None else counts.not_applicable,
            "no_data": None if counts is None else counts.no_data,
            "loosened": target.loosened,
            "citation_zh": target.citation.text("zh"),
            "explanation_zh": f.explain("zh"),
            "explanation_en": f.explain("en"),
        }
        for name, value in row.items():
            columns[name].append(value)
    return columns


def module(name: str, extra: str) -> Any:
    """Import ``name``, or raise a :class:`~cssp.CsspError` naming the extra that installs it."""
    import importlib  # noqa: PLC0415

    try:
        return importlib.import_module(name)
    except ImportError:
        raise CsspError(f"tables need {name}: pip install 'cssp[{extra}]'") from None


def to_pandas(columns: dict[str, list[Any]], types: Sequence[tuple[str, str]]) -> Any:
    """A pandas DataFrame of ``columns``, each with the dtype of its type in ``types``."""
    pandas = module("pandas", "tables")
    dtypes = {
        "str": "string",
        "float": "float64",
        "int": "int64",
        "int?": "Int64",
        "bool": "bool",
        "bool?": "boolean",
    }
    data = {}
    for name, kind in types:
        values = columns[name]
        if kind == "float":
            values = [math.nan if v is None else v for v in values]
        data[name] = pandas.Series(values, dtype=dtypes[kind])
    return pandas.DataFrame(data)


def to_arrow(columns: dict[str, list[Any]], types: Sequence[tuple[str, str]]) -> Any:
    """A pyarrow Table of ``columns``, each with the Arrow type of its type in ``types``."""
    arrow = module("pyarrow", "tables")
    kinds = {
        "str": arrow.string(),
        "float": arrow.float64(),
        "int": arrow.int64(),
        "int?": arrow.int64(),
        "bool": arrow.bool_(),
        "bool?": arrow.bool_(),
    }
    fields = [
        arrow.field(name, kinds[kind], nullable=kind in ("float", "int?", "bool?"))
        for name, kind in types
    ]
    return arrow.table({name: columns[name] for name, _ in types}, schema=arrow.schema(fields))
