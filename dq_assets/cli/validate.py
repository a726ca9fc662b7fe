"""`dq validate`: check every definition, rule and alerts.yaml without running anything."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dq_assets.cli.options import CONFIG_OPTION
from dq_assets.cli.rules_common import load_definitions
from dq_checks.config.paths import default_config_dir

if TYPE_CHECKING:
    from dq_checks.config.loader import DefinedTable


@click.command()
@CONFIG_OPTION
def validate(config_dir: Path | None) -> None:
    """Check every definition, rule and alerts.yaml; print each problem as path:line; exit 2 on any."""
    from dq_assets.alerting.settings import load_alerting_for

    directory = config_dir or default_config_dir()
    loaded = load_definitions(config_dir)
    alerting = load_alerting_for(directory, loaded)
    problems = [str(p) for p in (*loaded.problems, *alerting.problems)] + list(loaded.rule_problems)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {directory}", err=True)
        sys.exit(2)
    for line in _derived_lineage(loaded.tables):
        click.echo(line)
    rules = sum(len(t.rules) for t in loaded.tables)
    channels = len(alerting.config.channel_specs())
    summary = f"ok: {len(loaded.tables)} table definitions, {rules} rules in {directory}"
    click.echo(f"{summary}; {channels} alert channel(s)")


def _derived_lineage(tables: Sequence[DefinedTable]) -> list[str]:
    """A line per table whose rules add lineage `deps:` does not declare, or leave an edge out."""
    from dq_assets.lineage import derived_edges

    catalog = {t.spec.table: t for t in tables}
    lines = []
    for table in tables:
        drawn, cyclic = derived_edges(table, catalog)
        if drawn:
            lines.append(f"lineage: {table.spec.table} reads {', '.join(drawn)} in its rules: drawn upstream")
        if cyclic:
            lines.append(
                f"lineage: {table.spec.table} reads {', '.join(cyclic)} in its rules, which read it back: "
                "no edge either way (declare one in deps: to choose)"
            )
    return lines
