"""A click group whose commands are imported only when one of them runs.

`dq --help` and the start of every command used to import every command module, and with them
pydantic, the definitions loader, tabulate and more. Here each command is a name mapped to where
it lives (module, attribute) and its one-line help, written out: listing the commands reads the
map alone, and running one imports that command's module only. The test suite checks that the
written help matches each command's own, so the map cannot drift from the commands.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import click

from dq_assets.cli.errors import ErrorsAsOneLine


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives and the short help `--help` shows for it without importing it."""

    module: str
    attr: str
    short_help: str

    def load(self) -> click.Command:
        """Import the command's module and return the command."""
        command = getattr(importlib.import_module(self.module), self.attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.module}.{self.attr} is not a click command")
        return command


class LazyCommandsGroup(click.Group):
    """A click group whose `lazy_commands` are imported on first use; `--help` imports none of them."""

    def __init__(
        self, *args: Any, lazy_commands: Mapping[str, LazyCommand] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, LazyCommand] = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, the lazy ones included, none of them imported."""
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, its module imported on first use (and the command kept from then on)."""
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in self.lazy_commands:
            return command
        command = self.lazy_commands[cmd_name].load()
        self.add_command(command, cmd_name)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """As click's, but a misspelt name is matched against every command, the lazy ones too.

        Click suggests "Did you mean ...?" from the commands already loaded, which here are none.
        """
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as error:
            raise click.exceptions.NoSuchCommand(
                error.command_name, possibilities=self.list_commands(ctx), ctx=ctx
            ) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands section of `--help`, lazy commands from their written help: nothing is imported."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            help_text = self._short_help(ctx, name, limit)
            if help_text is not None:
                rows.append((name, help_text))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def _short_help(self, ctx: click.Context, name: str, limit: int) -> str | None:
        """A loaded command's own short help (None when hidden), else the written one cut as click cuts it."""
        command = self.commands.get(name)
        if command is not None:
            return None if command.hidden else command.get_short_help_str(limit)
        return click.utils.make_default_short_help(self.lazy_commands[name].short_help, limit)


class LazyGroup(LazyCommandsGroup, ErrorsAsOneLine):
    """`dq` itself: lazily imported commands, none of which ends in a traceback (`ErrorsAsOneLine`)."""
