"""`dq`: run checks, validate definitions, seed the demo warehouse."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from dq_assets.cli.alerts import alerts_group
from dq_assets.cli.doctor import doctor
from dq_assets.cli.errors import ErrorsAsOneLine
from dq_assets.cli.options import CONFIG_OPTION
from dq_assets.cli.profile import profile
from dq_assets.cli.proposals import propose
from dq_assets.cli.rules import rules_group
from dq_assets.cli.sources import sources_group
from dq_checks.config.loader import LoadedConfig, load_table_specs
from dq_checks.config.paths import default_config_dir


def _load(config_dir: Path | None) -> LoadedConfig:
    return load_table_specs(config_dir or default_config_dir())


@click.group(cls=ErrorsAsOneLine)
def cli() -> None:
    """Data-quality checks on Dagster: profiles, anomalies and rules for every monitored table."""


@cli.command()
@click.argument("tables", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of a table.")
@click.option("--force", is_flag=True, help="Scan even tables whose data version was already checked.")
@click.option(
    "--partition",
    help="The partition of each partitioned table to check (default: its latest complete one).",
)
@CONFIG_OPTION
def run(
    tables: tuple[str, ...], as_json: bool, force: bool, partition: str | None, config_dir: Path | None
) -> None:
    """Run the checks of TABLES (default: all) against the configured Dagster instance.

    Exit code 0 when everything passed, 1 when a check failed, 2 when a check errored, a
    definition (or alerts.yaml) is invalid, an analyzer could not be computed, or the results
    store could not save a run.
    """
    from dq_assets.alerting.settings import load_alerting_for
    from dq_assets.cli.render import render_reports
    from dq_assets.cli.report import analyzers_exit_code, saving_exit_code
    from dq_assets.cli.run import RunOutcome, instance_for_cli, partitions_to_check, run_tables, select_tables

    loaded = _load(config_dir)
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
        click.echo(render_reports(outcome.reports, problems))
    reports = outcome.reports
    sys.exit(max(outcome.exit_code, saving_exit_code(reports), analyzers_exit_code(reports)))


@cli.command()
@CONFIG_OPTION
def validate(config_dir: Path | None) -> None:
    """Check every definition, rule and alerts.yaml; print each problem as path:line; exit 2 on any."""
    from dq_assets.alerting.settings import load_alerting_for

    directory = config_dir or default_config_dir()
    loaded = _load(config_dir)
    alerting = load_alerting_for(directory, loaded)
    problems = [str(p) for p in (*loaded.problems, *alerting.problems)] + list(loaded.rule_problems)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {directory}", err=True)
        sys.exit(2)
    rules = sum(len(t.rules) for t in loaded.tables)
    channels = len(alerting.config.channel_specs())
    summary = f"ok: {len(loaded.tables)} table definitions, {rules} rules in {directory}"
    click.echo(f"{summary}; {channels} alert channel(s)")


@cli.group()
def demo() -> None:
    """The embedded demo warehouse."""


@demo.command()
@click.option("--catalog", default="demo", show_default=True, help="pyiceberg catalog name to seed.")
@click.option("--force", is_flag=True, help="Drop and recreate the demo tables.")
def seed(catalog: str, force: bool) -> None:
    """Create the demo shop tables, with their planted defects, unless they exist."""
    from dq_resources.demo import seed_demo_warehouse

    report = seed_demo_warehouse(catalog, force=force)
    for identifier in report.created:
        click.echo(f"created {catalog}:{identifier} ({report.rows[identifier]:,} rows)")
    for identifier in report.skipped:
        click.echo(f"exists  {catalog}:{identifier} (use --force to recreate)")


cli.add_command(rules_group)
cli.add_command(propose)
cli.add_command(sources_group)
cli.add_command(profile)
cli.add_command(alerts_group)
cli.add_command(doctor)


if __name__ == "__main__":
    cli()
