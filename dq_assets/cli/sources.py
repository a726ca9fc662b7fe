"""`dq sources test`: reach every configured source and describe its table."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tabulate import tabulate

from dq_assets.cli.options import CONFIG_OPTION
from dq_checks.config import default_config_dir, load_table_specs

DETAIL_WIDTH = 100


@click.group("sources")
def sources_group() -> None:
    """The sources the monitored tables live in."""


@sources_group.command("test")
@click.argument("tables", nargs=-1)
@CONFIG_OPTION
def test_sources(tables: tuple[str, ...], config_dir: Path | None) -> None:
    """Run test_connection for every table's source (or TABLES'); exit 2 when one fails."""
    from dq_assets.source_resources import default_resources, source_resource_key
    from dq_resources.sources import SourceError

    loaded = load_table_specs(config_dir or default_config_dir())
    for problem in loaded.problems:
        click.echo(str(problem), err=True)
    chosen = [t for t in loaded.tables if not tables or t.spec.table in tables]
    resources = default_resources()
    rows, failed = [], bool(loaded.problems)
    for defined in chosen:
        source = defined.spec.source
        try:
            detail = resources[source_resource_key(source)].test_connection(source)
            status = "ok"
        except SourceError as error:
            detail, status, failed = str(error), "error", True
        except Exception as error:  # a client bug must not hide the other sources' answers
            detail, status, failed = f"{type(error).__name__}: {error}", "error", True
        short = detail if len(detail) <= DETAIL_WIDTH else detail[: DETAIL_WIDTH - 1] + "…"
        rows.append((defined.spec.table, source.display(), status, short))
    click.echo(tabulate(rows, headers=("table", "source", "status", "detail")))
    sys.exit(2 if failed else 0)
