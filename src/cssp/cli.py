"""The ``cssp`` command (also ``python -m cssp``).

This first version has ``cssp demo`` and ``cssp --version``; the readers,
``evaluate``, ``targets`` and ``explain`` come with the I/O issue. The command
is a thin shell over the public API, and imports it only when a subcommand
needs it, so ``cssp --version`` starts fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

__all__ = ["main"]


def _version() -> str:
    from importlib.metadata import version  # noqa: PLC0415

    return version("cssp")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cssp",
        description="Evaluate communities against the urban and rural community service plan "
        "(国办发〔2021〕56号).",
    )
    parser.add_argument("--version", action="version", version=f"cssp {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser("demo", help="evaluate the sample data shipped with cssp")
    demo.add_argument("--plan", default="fyp14", help="plan id: fyp14 (default) or fyp13")
    demo.add_argument("--year", type=int, default=None, help="year (default: the target year)")
    demo.add_argument(
        "--by",
        default="county",
        choices=["nation", "province", "prefecture", "county", "township"],
        help="region level (default: county)",
    )
    demo.add_argument("--lang", default="zh", choices=["zh", "en"], help="language of the report")
    return parser


def demo(plan: str, year: int | None, by: str, lang: str, out: TextIO) -> None:
    """Evaluate the sample communities and print a readable summary."""
    import cssp  # noqa: PLC0415 - imported only when needed

    communities = cssp.load_sample()
    report = cssp.evaluate_region(communities, plan=plan, by=by, year=year)
    title = report.plan.title.get(lang)
    head = (
        f"cssp demo — {len(communities)} 个示例社区，对照《{title}》{report.year}年目标"
        if lang == "zh"
        else f"cssp demo — {len(communities)} sample communities against {title}, {report.year}"
    )
    print(head, file=out)
    print("=" * 72, file=out)
    for region in report.regions:
        name = region.name or region.code or ("全国" if lang == "zh" else "nation")
        print(
            f"\n{name} ({region.code or '-'}), {len(region.communities)} "
            f"{'个社区' if lang == 'zh' else 'communities'}",
            file=out,
        )
        for finding in region.findings:
            if finding.status is cssp.Status.NOT_APPLICABLE:
                continue
            mark = {"met": "✓", "not_met": "✗", "no_data": "?"}.get(finding.status.value, " ")
            print(f"  {mark} {finding.explain(lang)}", file=out)
            if finding.failing:
                shown = ", ".join(finding.failing[:5])
                more = f" … (+{len(finding.failing) - 5})" if len(finding.failing) > 5 else ""
                label = "未达标社区" if lang == "zh" else "failing"
                print(f"      {label}: {shown}{more}", file=out)
    failing = sum(1 for a in report.assessments if a.failing)
    tail = (
        f"\n{failing}/{len(communities)} 个社区至少有一项未达标。"
        if lang == "zh"
        else f"\n{failing} of {len(communities)} communities fail at least one target."
    )
    print(tail, file=out)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return its exit code (0 done, 2 bad input or usage)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    from cssp.errors import CsspError  # noqa: PLC0415

    try:
        if args.command == "demo":
            demo(args.plan, args.year, args.by, args.lang, sys.stdout)
    except CsspError as error:
        print(f"cssp: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
