"""A Sphinx directive that renders a plan of cssp's catalogue as tables.

The tables are generated at build time from the data cssp ships, through
:func:`cssp.load_plan`, so the documentation can never disagree with the
catalogue::

    ```{cssp-catalogue} fyp14
    :show: indicators
    ```

``:show:`` is ``summary``, ``indicators``, ``programmes`` or ``all`` (the
default). The page is rebuilt when the plan's data file changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any, ClassVar, TypeAlias

from docutils import nodes  # type: ignore[import-untyped]
from docutils.parsers.rst import directives  # type: ignore[import-untyped]
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import ExtensionMetadata

import cssp

__all__ = ["CatalogueDirective", "setup"]

#: What a cell may hold: text, or nodes already built (a literal, say).
Cell: TypeAlias = "str | nodes.Node | Sequence[nodes.Node]"

_PARTS = ("all", "summary", "indicators", "programmes")

_KIND_EN = {"action_plan": "action plan", "major_project": "major project"}
_KIND_ZH = {"action_plan": "行动计划", "major_project": "重大工程"}


def _number(value: float | None) -> str:
    """Print a number as the plan does: ``30``, ``29.8``, ``65.7``; ``—`` for none."""
    return "—" if value is None else f"{value:g}"


def _cell(content: Cell) -> nodes.entry:
    entry = nodes.entry()
    if isinstance(content, str):
        entry += nodes.paragraph(text=content)
    elif isinstance(content, nodes.Node):
        entry += nodes.paragraph("", "", content)
    else:
        entry += nodes.paragraph("", "", *content)
    return entry


def _row(cells: Sequence[Cell]) -> nodes.row:
    row = nodes.row()
    for content in cells:
        row += _cell(content)
    return row


def _table(
    caption: str, header: Sequence[str], rows: Sequence[Sequence[Cell]], widths: Sequence[int]
) -> nodes.table:
    """Build a docutils table with a caption, a header row and body rows."""
    table = nodes.table(classes=["cssp-catalogue", "colwidths-given"])
    table += nodes.title(text=caption)
    group = nodes.tgroup(cols=len(header))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    head += _row(header)
    group += head
    body = nodes.tbody()
    for cells in rows:
        body += _row(cells)
    group += body
    return table


def _ids(items: Sequence[str]) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    for index, item in enumerate(items):
        if index:
            out.append(nodes.Text(", "))
        out.append(nodes.literal(text=item))
    return out


def _summary(plan: cssp.Plan) -> list[nodes.Node]:
    fields = nodes.field_list()
    items = [
        ("Title", f"《{plan.title.zh}》 — {plan.title.en}"),
        ("Issuer", plan.issuer),
        ("Document", plan.document),
        ("Period", f"{plan.baseline_year + 1}–{plan.target_year}"),
        ("Baseline year", str(plan.baseline_year)),
        ("Issued", plan.issued.isoformat() if plan.issued else "—"),
        ("Published", plan.published.isoformat() if plan.published else "—"),
        (
            "Contents",
            f"{len(plan.indicators)} indicators, {len(plan.targets)} targets, "
            f"{len(plan.programme_groups)} programme columns, "
            f"{len(plan.programmes)} programme items",
        ),
        ("Source", plan.source or "—"),
    ]
    for name, value in items:
        field = nodes.field()
        field += nodes.field_name(text=name)
        body = nodes.field_body()
        body += nodes.paragraph(text=value)
        field += body
        fields += field
    return [fields]


def _two_lines(first: str, second: str) -> list[nodes.Node]:
    return [nodes.Text(first), nodes.raw("", "<br>", format="html"), nodes.Text(second)]


def _indicators(plan: cssp.Plan) -> list[nodes.Node]:
    header = ("id", "指标 / English", "baseline", "target", "applies to", "wording", "citation")
    rows: list[list[Cell]] = []
    for indicator in plan.indicators.values():
        unit = indicator.unit_label.en
        base = indicator.baseline
        baseline = f"{_number(base.value)} {unit} ({base.year})" if base else "—"
        names = _two_lines(indicator.name.zh, indicator.name.en)
        if not indicator.targets:
            cite = indicator.citation.text("zh")
            rows.append(
                [
                    nodes.literal(text=indicator.id),
                    names,
                    baseline,
                    "— (no target)",
                    "—",
                    indicator.evaluation,
                    cite,
                ]
            )
            continue
        for target in indicator.targets:
            ident: list[nodes.Node] = [nodes.literal(text=target.id)]
            if target.id != indicator.id:
                ident += [
                    nodes.Text(" (indicator "),
                    nodes.literal(text=indicator.id),
                    nodes.Text(")"),
                ]
            year = str(target.year) if target.year_stated else f"{target.year}, no year stated"
            if target.value is None:
                goal = f"no level: a direction ({year})"
            else:
                goal = f"{target.comparator.symbol}{_number(target.value)} {unit} ({year})"
            if target.region_share != 100.0:
                goal += f"; in {_number(target.region_share)}% of communities"
            levels = ", ".join(sorted(level.value for level in target.levels))
            evaluation = indicator.evaluation
            if indicator.needs is not None:
                evaluation += f": needs {indicator.needs.en}"
            wording = _two_lines(
                f"{target.attribute.zh} ({target.attribute.value}), "
                f"{target.strength.zh} ({target.strength.value})",
                evaluation,
            )
            name = target.name.zh if indicator.plan_wording else f"{target.name.zh} †"
            rows.append(
                [
                    ident,
                    _two_lines(name, target.name.en),
                    baseline,
                    goal,
                    f"{target.scope.value}; {levels}",
                    wording,
                    target.citation.text("zh"),
                ]
            )
    caption = f"{plan.id}: indicators and targets ({len(plan.indicators)} indicators)"
    widths = (17, 25, 11, 12, 10, 11, 14)
    tables = [_table(caption, header, rows, widths)]
    plausible = [i for i in plan.indicators.values() if i.plausible_range is not None]
    if plausible:
        checks: list[list[Cell]] = []
        for indicator in plausible:
            low, high = indicator.plausible_range or (0.0, 0.0)
            base = indicator.baseline
            assert base is not None  # a plausible range is made from the baseline
            unit = indicator.unit_label.en
            checks.append(
                [
                    nodes.literal(text=indicator.id),
                    f"{low:g} – {high:g} {unit}",
                    f"the {base.year} national figure, {_number(base.value)} {unit} "
                    f"({indicator.citation.text('zh')}), divided and multiplied by "
                    f"{_number(indicator.plausible_factor or 0)}",
                ]
            )
        tables.append(
            _table(
                f"{plan.id}: plausible ranges (a value outside is marked 请核实 / please check)",
                ("indicator", "plausible", "basis"),
                checks,
                (30, 20, 50),
            )
        )
    return tables


def _programmes(plan: cssp.Plan) -> list[nodes.Node]:
    if not plan.programme_groups:
        text = f"cssp's catalogue holds no programme columns for {plan.id}."
        return [nodes.paragraph(text=text)]
    groups: list[list[Cell]] = [
        [
            group.column,
            f"{_KIND_ZH.get(group.kind, group.kind)} ({_KIND_EN.get(group.kind, group.kind)})",
            group.title.zh,
            group.title.en,
            str(len(group.programmes)),
        ]
        for group in plan.programme_groups
    ]
    items: list[list[Cell]] = [
        [
            programme.column,
            str(programme.item),
            programme.title.zh,
            programme.title.en,
            _ids(programme.targets) if programme.targets else "—",
        ]
        for programme in plan.programmes
    ]
    return [
        _table(
            f"{plan.id}: programme columns",
            ("column", "kind", "标题", "English", "items"),
            groups,
            (6, 10, 24, 24, 4),
        ),
        _table(
            f"{plan.id}: programme items",
            ("column", "item", "标题", "English", "targets"),
            items,
            (6, 4, 24, 24, 16),
        ),
    ]


class CatalogueDirective(SphinxDirective):
    """``{cssp-catalogue} PLAN_ID``: a plan's indicators and programmes as tables."""

    required_arguments = 1
    optional_arguments = 0
    has_content = False
    option_spec: ClassVar[dict[str, Callable[[str], Any]]] = {
        "show": lambda value: directives.choice(value, _PARTS),
    }

    def run(self) -> list[nodes.Node]:
        plan_id = self.arguments[0]
        if plan_id not in cssp.PLAN_IDS:
            known = ", ".join(cssp.PLAN_IDS)
            raise self.error(f"unknown plan {plan_id!r}; cssp ships {known}")
        data = resources.files("cssp.catalogue").joinpath(f"{plan_id}.toml")
        self.env.note_dependency(str(data))
        plan = cssp.load_plan(plan_id)
        show = self.options.get("show", "all")
        out: list[nodes.Node] = []
        if show in ("all", "summary"):
            out += _summary(plan)
        if show in ("all", "indicators"):
            out += _indicators(plan)
        if show in ("all", "programmes"):
            out += _programmes(plan)
        return out


def setup(app: Sphinx) -> ExtensionMetadata:
    """Register the ``cssp-catalogue`` directive."""
    app.add_directive("cssp-catalogue", CatalogueDirective)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
