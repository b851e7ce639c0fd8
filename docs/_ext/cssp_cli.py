"""A Sphinx directive that documents the ``cssp`` command from its own parser.

``{cssp-cli}`` renders ``cssp --help`` and each subcommand's ``--help`` as
literal blocks under their own headings, so the reference cannot drift from
the command.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from docutils import nodes
from docutils.parsers.rst import Directive

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


class CliDirective(Directive):
    """``{cssp-cli}``: the whole command, subcommand by subcommand."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from cssp import cli  # noqa: PLC0415

        parser = cli._parser()
        parser.prog = "cssp"
        result: list[nodes.Node] = [nodes.literal_block(text=parser.format_help())]
        for name, sub in _subparsers(parser).items():
            sub.prog = f"cssp {name}"
            section = nodes.section(ids=[f"cssp-{name}"])
            section += nodes.title(text=f"cssp {name}")
            if sub.description:
                section += nodes.paragraph(text=sub.description)
            section += nodes.literal_block(text=sub.format_help())
            result.append(section)
        return result


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive."""
    app.add_directive("cssp-cli", CliDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
