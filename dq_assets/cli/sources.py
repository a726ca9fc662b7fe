"""`dq sources test`: reach every configured source and describe its table."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from tabulate import tabulate

from dq_assets.cli.options import CONFIG_OPTION
from dq_checks.config import default_config_dir, load_table_specs

if TYPE_CHECKING:
    from dq_checks.config.sources import SourceSpec

DETAIL_WIDTH = 100


@dataclass(frozen=True)
class SourceProbe:
    """What `test_connection` answered for one source: a one-line summary, or the failure."""

    ok: bool
    detail: str
    raised: Exception | None = None


def probe_source(resources: Mapping[str, Any], source: SourceSpec) -> SourceProbe:
    """Run the source resource's `test_connection`; `dq sources test` and `dq doctor` share this.

    A SourceError is the expected failure; anything else (a client bug) is reported the same way,
    so that one source never hides the other sources' answers.
    """
    from dq_assets.source_resources import source_resource_key
    from dq_resources.sources import SourceError

    try:
        return SourceProbe(True, resources[source_resource_key(source)].test_connection(source))
    except SourceError as error:
        return SourceProbe(False, str(error), error)
    except Exception as error:  # a client bug must not hide the other sources' answers
        return SourceProbe(False, f"{type(error).__name__}: {error}", error)


@click.group("sources")
def sources_group() -> None:
    """The sources the monitored tables live in."""


@sources_group.command("test")
@click.argument("tables", nargs=-1)
@CONFIG_OPTION
def test_sources(tables: tuple[str, ...], config_dir: Path | None) -> None:
    """Run test_connection for every table's source (or TABLES'); exit 2 when one fails."""
    from dq_assets.source_resources import default_resources

    loaded = load_table_specs(config_dir or default_config_dir())
    for problem in loaded.problems:
        click.echo(str(problem), err=True)
    chosen = [t for t in loaded.tables if not tables or t.spec.table in tables]
    resources = default_resources()
    rows, failed = [], bool(loaded.problems)
    for defined in chosen:
        source = defined.spec.source
        probe = probe_source(resources, source)
        detail, status = probe.detail, "ok" if probe.ok else "error"
        failed = failed or not probe.ok
        short = detail if len(detail) <= DETAIL_WIDTH else detail[: DETAIL_WIDTH - 1] + "…"
        rows.append((defined.spec.table, source.display(), status, short))
    click.echo(tabulate(rows, headers=("table", "source", "status", "detail")))
    sys.exit(2 if failed else 0)
