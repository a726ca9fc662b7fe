"""What the `dq rules` conversions share: exit codes, loading the definitions, finding a table."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from dq_checks.config.loader import DefinedTable, LoadedConfig, load_table_specs
from dq_checks.config.paths import default_config_dir
from dq_checks.suggestions import unknown_table

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_BAD_INPUT = 0, 2
EXIT_PARTIAL = EXIT_BAD_INPUT
"""Some of the input had no equivalent: bad input for this conversion (exit 1 means a failed check)."""


def load_definitions(config_dir: Path | None) -> LoadedConfig:
    """The table definitions in `config_dir`, or in the default folder."""
    return load_table_specs(config_dir or default_config_dir())


def defined_table(loaded: LoadedConfig, name: str) -> DefinedTable:
    """The definition of table `name`; exits with the load problems and the known tables if none."""
    defined = loaded.by_name(name)
    if defined is None:
        for problem in loaded.problems:
            click.echo(str(problem), err=True)
        fail(unknown_table(name, (t.spec.table for t in loaded.tables)))
    return defined


def output_option(what: str) -> Callable[[F], F]:
    """`--output FILE`: where an export writes `what` instead of standard output."""
    return click.option(
        "--output",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help=f"Write the {what} to this file instead of standard output.",
    )


def write_output(text: str, output: Path | None, written: str) -> None:
    """`text` to standard output, or to `output` with `wrote <written> to <output>` on stderr."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        fail(f"{output}: {error}")
    click.echo(f"wrote {written} to {output}", err=True)


def fail(message: str) -> NoReturn:
    """Say what is wrong on stderr and exit as bad input."""
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)
