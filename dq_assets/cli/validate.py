"""`dq validate`: check every definition, rule and alerts.yaml without running anything."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dq_assets.cli.options import CONFIG_OPTION
from dq_assets.cli.rules_common import load_definitions
from dq_checks.config.paths import default_config_dir


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
    rules = sum(len(t.rules) for t in loaded.tables)
    channels = len(alerting.config.channel_specs())
    summary = f"ok: {len(loaded.tables)} table definitions, {rules} rules in {directory}"
    click.echo(f"{summary}; {channels} alert channel(s)")
