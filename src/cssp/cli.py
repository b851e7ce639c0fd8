"""The ``cssp`` command (also ``python -m cssp``).

This first version has ``cssp demo``, ``cssp plugins``, ``cssp test-profile``
and ``cssp --version``; the readers,
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
    demo.add_argument("--no-plugins", action="store_true", help="use the national plan alone")
    listing = commands.add_parser("plugins", help="list the installed plugins and their scopes")
    listing.add_argument("--no-plugins", action="store_true", help=argparse.SUPPRESS)
    cases = commands.add_parser(
        "test-profile", help="run a profile's declarative test cases (a TOML cases file)"
    )
    cases.add_argument("path", nargs="+", help="cases file(s)")
    cases.add_argument(
        "--no-plugins",
        action="store_true",
        help="do not load installed plugins (when a cases file lists no profiles)",
    )
    return parser


def demo(
    plan: str, year: int | None, by: str, lang: str, out: TextIO, *, national: bool = False
) -> None:
    """Evaluate the sample communities and print a readable summary."""
    import cssp  # noqa: PLC0415 - imported only when needed

    communities = cssp.load_sample()
    profiles = () if national else None
    report = cssp.evaluate_region(communities, plan=plan, by=by, year=year, profiles=profiles)
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
                label = "未达标的社区" if lang == "zh" else "communities not meeting it"
                print(f"      {label}: {shown}{more}", file=out)
    failing = sum(1 for a in report.assessments if a.failing)
    tail = (
        f"\n{failing}/{len(communities)} 个社区至少有一项未达标。"
        if lang == "zh"
        else f"\n{failing} of {len(communities)} communities fail at least one target."
    )
    print(tail, file=out)


def list_plugins(out: TextIO) -> None:
    """Print the installed plugins with their versions, kinds and scopes."""
    import cssp  # noqa: PLC0415

    infos = cssp.list_plugins()
    if not infos:
        print("no cssp plugins are installed (or CSSP_DISABLE_PLUGIN_AUTOLOAD is set)", file=out)
        return
    width = max(len(i.name) for i in infos)
    for info in infos:
        scopes = ", ".join(info.scopes) or "-"
        profiles = ", ".join(info.profiles) or "-"
        print(
            f"{info.name:<{width}}  {info.source:<28} {info.kind:<8} "
            f"scopes: {scopes:<10} profiles: {profiles}",
            file=out,
        )


def test_profile(paths: Sequence[str], national: bool, out: TextIO) -> int:
    """Run cases files; return 0 when every case passes, 1 otherwise."""
    from cssp.rules.cases import run_profile_tests  # noqa: PLC0415

    failed = passed = 0
    for path in paths:
        results = run_profile_tests(path, autoload=not national)
        for result in results:
            mark = "PASS" if result.passed else "FAIL"
            print(f"{mark} {path}: {result.name}", file=out)
            for target, expected, found, why in result.mismatches:
                print(f"     {target}: expected {expected}, found {found}", file=out)
                print(f"     {why}", file=out)
            passed += result.passed
            failed += not result.passed
    print(f"{passed} passed, {failed} failed", file=out)
    return 1 if failed else 0


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
            demo(args.plan, args.year, args.by, args.lang, sys.stdout, national=args.no_plugins)
        elif args.command == "plugins":
            list_plugins(sys.stdout)
        elif args.command == "test-profile":
            return test_profile(args.path, args.no_plugins, sys.stdout)
    except CsspError as error:
        print(f"cssp: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
