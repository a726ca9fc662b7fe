"""`dq`: run checks, validate definitions, seed the demo warehouse.

Only click and the lazy group are imported here: each command's module is imported when that
command runs (`dq_assets.cli.lazy_group`), so `dq --help` and every command start fast.
"""

from __future__ import annotations

import click

from dq_assets.cli.lazy_group import LazyCommand, LazyGroup

COMMANDS = {
    "alerts": LazyCommand(
        "dq_assets.cli.alerts",
        "alerts_group",
        "Alerts raised from failing checks and runs: list them, act on them, sync them.",
    ),
    "demo": LazyCommand("dq_assets.cli.demo", "demo", "The embedded demo warehouse."),
    "doctor": LazyCommand(
        "dq_assets.cli.doctor",
        "doctor",
        "Check the deployment's configuration and print what is wrong and how to fix it.",
    ),
    "profile": LazyCommand(
        "dq_assets.cli.profile",
        "profile",
        "Profile the file at PATH (local or s3://), or the monitored table PATH, and write its reports.",
    ),
    "propose": LazyCommand(
        "dq_assets.cli.proposals",
        "propose",
        "Propose rules for TABLE, from its profile and, when given, a REQUEST in plain language.",
    ),
    "rules": LazyCommand(
        "dq_assets.cli.rules",
        "rules_group",
        "Rules as code: convert them (GX suites, Glue rulesets) and review proposed ones.",
    ),
    "run": LazyCommand(
        "dq_assets.cli.run_command",
        "run",
        "Run the checks of TABLES (default: all) against the configured Dagster instance.",
    ),
    "sources": LazyCommand(
        "dq_assets.cli.sources", "sources_group", "The sources the monitored tables live in."
    ),
    "validate": LazyCommand(
        "dq_assets.cli.validate",
        "validate",
        "Check every definition, rule and alerts.yaml; print each problem as path:line; exit 2 on any.",
    ),
}
"""Each `dq` command: where it lives and its short help (a test keeps the two in step)."""


@click.group(cls=LazyGroup, lazy_commands=COMMANDS)
def cli() -> None:
    """Data-quality checks on Dagster: profiles, anomalies and rules for every monitored table."""


if __name__ == "__main__":
    cli()
