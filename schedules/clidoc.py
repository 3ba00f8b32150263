"""Renders docs/cli.md from the commands' own --help, so the reference cannot drift.

Regenerate with: `.venv/bin/python -m schedules.clidoc > docs/cli.md` (a test compares them).
"""

from __future__ import annotations

import click

from schedules.cli import cli


def _help(command: click.Command, name: str, parent: click.Context | None) -> str:
    with click.Context(
        command,
        info_name=name,
        parent=parent,
        terminal_width=100,
        max_content_width=100,
        **cli.context_settings,
    ) as ctx:
        return command.get_help(ctx)


def render() -> str:
    parts = [
        "# marsad command line\n",
        "Generated from `--help` by `python -m schedules.clidoc`; do not edit by hand.\n",
        "```\n" + _help(cli, "marsad", None) + "\n```\n",
    ]
    root = click.Context(cli, info_name="marsad", **cli.context_settings)
    for name in sorted(cli.commands):
        parts.append(f"## marsad {name}\n")
        parts.append("```\n" + _help(cli.commands[name], name, root) + "\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
