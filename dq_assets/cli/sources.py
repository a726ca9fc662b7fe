"""`dq sources test`: reach every configured source and describe its table."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from tabulate import tabulate

from dq_assets.cli.options import CONFIG_OPTION
from dq_checks.config.loader import load_table_specs
from dq_checks.config.paths import default_config_dir

if TYPE_CHECKING:
    from dq_checks.config.loader import DefinedTable
    from dq_checks.config.sources import SourceSpec

DETAIL_WIDTH = 100
OK = "ok"
ERROR = "error"


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
    from dq_assets.source_resources import connect_and_describe, source_resource_key
    from dq_resources.source_contract import SourceError

    try:
        return SourceProbe(True, connect_and_describe(resources[source_resource_key(source)], source))
    except SourceError as error:
        return SourceProbe(False, str(error), error)
    except Exception as error:  # a client bug must not hide the other sources' answers
        return SourceProbe(False, f"{type(error).__name__}: {error}", error)


@click.group("sources")
def sources_group() -> None:
    """The sources the monitored tables live in."""


@sources_group.command("test")
@click.argument("tables", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of {table, source, status, detail}.")
@CONFIG_OPTION
def test_sources(tables: tuple[str, ...], as_json: bool, config_dir: Path | None) -> None:
    """Run test_connection for every table's source (or TABLES'); exit 2 when one fails.

    SIGTERM or SIGINT stops the probes within seconds: the sources that answered are shown, the
    others are errors saying they were interrupted.
    """
    from dq_assets.cli.interrupts import run_interruptibly
    from dq_assets.cli.run import select_tables
    from dq_assets.source_resources import default_resources

    loaded = load_table_specs(config_dir or default_config_dir())
    chosen, unknown = select_tables(loaded, tables)
    problems = [str(p) for p in loaded.problems] + unknown
    for problem in problems:
        click.echo(problem, err=True)
    resources = default_resources()

    def probe(defined: DefinedTable) -> SourceRow:
        return SourceRow.of(defined, probe_source(resources, defined.spec.source))

    progress = run_interruptibly(chosen, probe)
    rows = list(progress.finished)
    if progress.interrupted_by is not None:
        detail = f"interrupted by {progress.interrupted_by} before the source answered"
        rows += [SourceRow.of(t, SourceProbe(False, detail)) for t in chosen[len(rows) :]]
    if as_json:
        click.echo(json.dumps([asdict(row) for row in rows], indent=2))
    else:
        click.echo(render_rows(rows))
    failed = bool(problems) or any(row.status != OK for row in rows)
    sys.exit(2 if failed else 0)


@dataclass(frozen=True)
class SourceRow:
    """One line of `dq sources test`, and one object of its `--json` list."""

    table: str
    source: str
    status: str
    detail: str

    @classmethod
    def of(cls, defined: DefinedTable, probe: SourceProbe) -> SourceRow:
        """The row of `defined`'s source, from what its probe answered."""
        source = defined.spec.source
        return cls(defined.spec.table, source.display(), OK if probe.ok else ERROR, probe.detail)


def render_rows(rows: Sequence[SourceRow]) -> str:
    """The table, each detail on one line of at most DETAIL_WIDTH; any detail cut is listed whole below it."""
    cells, cut = [], []
    for row in rows:
        line = " ".join(row.detail.split())
        short = line if len(line) <= DETAIL_WIDTH else line[: DETAIL_WIDTH - 1] + "…"
        if short != row.detail:
            cut.append(row)
        cells.append((row.table, row.source, row.status, short))
    text = tabulate(cells, headers=("table", "source", "status", "detail"))
    if cut:
        text += "\n\nin full:\n" + "\n".join(f"{row.table}: {row.detail}" for row in cut)
    return text
