"""The table definitions and alerts.yaml load, exactly as `dq validate` and the code location load them."""

from __future__ import annotations

from dq_assets.doctor.context import DoctorContext
from dq_assets.doctor.model import Finding, error, ok

DEFINITIONS = "definitions"


def check_definitions(context: DoctorContext) -> list[Finding]:
    """Every problem as path:line; the code location refuses to load while there is one."""
    loaded = context.loaded
    alerting = context.alerting
    problems = [str(p) for p in (*loaded.problems, *alerting.problems)] + list(loaded.rule_problems)
    if problems:
        return [
            error(
                DEFINITIONS,
                f"{len(problems)} problem(s) in {context.config_dir}: {problems[0]}",
                "correct each file and line listed, then run `dq validate`",
                notes=problems,
            )
        ]
    rules = sum(len(t.rules) for t in loaded.tables)
    channels = len(alerting.config.channel_specs())
    return [
        ok(
            DEFINITIONS,
            f"{len(loaded.tables)} tables, {rules} rules in {context.config_dir}; "
            f"{channels} alert channel(s)",
        )
    ]
