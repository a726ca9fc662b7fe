"""`dq run`: run the checks of the monitored tables against the configured Dagster instance."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from dq_assets.cli.options import CONFIG_OPTION
from dq_assets.cli.rules_common import load_definitions
from dq_checks.config.paths import default_config_dir


@click.command()
@click.argument("tables", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of a table.")
@click.option("--force", is_flag=True, help="Scan even tables whose data version was already checked.")
@click.option("--wide", is_flag=True, help="Print every description whole, not wrapped to the terminal.")
@click.option(
    "--partition",
    help="The partition of each partitioned table to check (default: its latest complete one).",
)
@CONFIG_OPTION
def run(  # noqa: PLR0917 - click passes one parameter per option
    tables: tuple[str, ...],
    as_json: bool,
    force: bool,
    wide: bool,
    partition: str | None,
    config_dir: Path | None,
) -> None:
    """Run the checks of TABLES (default: all) against the configured Dagster instance.

    Exit code 0 when everything passed, 1 when a check failed, 2 when a check errored, a
    definition (or alerts.yaml) is invalid, an analyzer could not be computed, or the results
    store could not save a run.
    """
    from dq_assets.alerting.settings import load_alerting_for
    from dq_assets.cli.render import render_reports, terminal_width
    from dq_assets.cli.report import analyzers_exit_code, saving_exit_code
    from dq_assets.cli.run import RunOutcome, instance_for_cli, partitions_to_check, run_tables, select_tables

    loaded = load_definitions(config_dir)
    chosen, unknown = select_tables(loaded, tables)
    partitions, unknown_partitions = partitions_to_check(chosen, partition, named=bool(tables))
    chosen = [t for t in chosen if t.spec.partition is None or t.spec.table in partitions]
    unknown += unknown_partitions
    alerting = load_alerting_for(config_dir or default_config_dir(), loaded)  # reported; the checks still run
    problems = [str(p) for p in (*loaded.problems, *alerting.problems)] + unknown
    with instance_for_cli() as instance:
        catalog = {t.spec.table: t for t in loaded.tables}
        outcome = RunOutcome(
            run_tables(chosen, catalog, instance, force=force, partitions=partitions), problems
        )
    if as_json:
        click.echo(
            json.dumps(
                {"tables": [r.to_dict() for r in outcome.reports], "problems": problems},
                indent=2,
                default=str,
            )
        )
    else:
        click.echo(render_reports(outcome.reports, problems, terminal_width(wide)))
    reports = outcome.reports
    sys.exit(max(outcome.exit_code, saving_exit_code(reports), analyzers_exit_code(reports)))
