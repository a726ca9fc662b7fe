"""`dq doctor`: is this deployment configured right, and if not, what exactly to fix."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from dq_assets.cli.options import CONFIG_OPTION
from dq_checks.config.paths import default_config_dir


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of a table.")
@CONFIG_OPTION
def doctor(as_json: bool, config_dir: Path | None) -> None:
    """Check the deployment's configuration and print what is wrong and how to fix it.

    The definitions, the Dagster instance ($DAGSTER_HOME), the stores, each source, the LLM and the
    alert channels, each checked on its own.

    Exit code 0 when every check is ok, a warning or skipped; 2 when one is an error.
    """
    from dq_assets.doctor.checks import run_doctor
    from dq_assets.doctor.render import render_text

    report = run_doctor(config_dir or default_config_dir())
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(render_text(report))
    sys.exit(report.exit_code)
