"""Schedules grouped by cron: one job and one schedule per distinct cron, one run per table.

Why grouped (measured by `bench/fleet_bench.py`, see the README's "Many tables"): a job per table
costs the code location a job snapshot per table on every load (and every run worker reloads the
code location), and a schedule per table costs the scheduler one evaluation per table per tick.
Grouping by cron keeps both flat in the number of tables. Each schedule tick still asks for one
run per table, so a table's run keeps what a per-table job gave: its own `dq/table` and
`dq/source` tags (queue limits per source, run-failure alerts naming the table), its own
retries, and a failure that touches no other table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import dagster as dg

from dq_assets.executor import IN_PROCESS_RUN_CONFIG
from dq_assets.proposals.definitions import proposals_asset_key
from dq_assets.run_tags import table_run_tags
from dq_assets.table_asset import asset_key
from dq_checks.config.models import TableSpec

_CRON_WORDS = (("*/", "every"), ("*", "x"), (",", "and"), ("-", "to"), (" ", "_"))


def cron_slug(cron: str) -> str:
    """A name-safe spelling of a cron: '*/30 * * * *' -> 'every30_x_x_x_x'."""
    slug = cron.strip()
    for symbol, word in _CRON_WORDS:
        slug = slug.replace(symbol, word)
    return re.sub(r"[^A-Za-z0-9_]", "_", slug)


def scheduled_job_name(cron: str) -> str:
    """`dq_checks_<cron slug>`: the job holding every table checked on that cron."""
    return f"dq_checks_{cron_slug(cron)}"


def table_selection(spec: TableSpec) -> list[dg.AssetKey]:
    """What one table's run materializes: its check step, then proposals for uncovered columns."""
    return [asset_key(spec.table), proposals_asset_key(spec.table)]


def table_run_request(spec: TableSpec, run_key: str | None, **tags: str) -> dg.RunRequest:
    """A run of one table's checks, inside whichever job holds the table's assets."""
    return dg.RunRequest(
        run_key=run_key,
        asset_selection=table_selection(spec),
        run_config=IN_PROCESS_RUN_CONFIG,  # two steps, one after the other: no second process
        tags={**table_run_tags(spec), **tags},
    )


def schedules_by_cron(specs: Sequence[TableSpec]) -> dict[str, list[TableSpec]]:
    """The tables that have a `schedule:`, grouped by it (first appearance order)."""
    groups: dict[str, list[TableSpec]] = {}
    for spec in specs:
        if spec.schedule is not None:
            groups.setdefault(spec.schedule, []).append(spec)
    return groups


def build_scheduled_job(cron: str, specs: Sequence[TableSpec]) -> dg.UnresolvedAssetJobDefinition:
    """One job over every table checked on `cron`; its schedule runs it once per table."""
    keys = [key for spec in specs for key in table_selection(spec)]
    return dg.define_asset_job(
        name=scheduled_job_name(cron),
        selection=dg.AssetSelection.assets(*keys),
        description=f"Profile and check the {len(specs)} table(s) scheduled on '{cron}' (one run each)",
    )


def build_schedule(
    cron: str, specs: Sequence[TableSpec], job: dg.UnresolvedAssetJobDefinition
) -> dg.ScheduleDefinition:
    """The cron's schedule, in UTC: at each tick, one run per table (run key = the table)."""
    tables = list(specs)

    @dg.schedule(
        name=f"dq_schedule_{cron_slug(cron)}",
        job=job,
        cron_schedule=cron,
        execution_timezone="UTC",
        description=f"Check {', '.join(s.table for s in tables)} on '{cron}', one run per table",
    )
    def _schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
        # The run key makes a retried tick ask for nothing twice (Dagster keys it by tick time).
        return [table_run_request(spec, run_key=spec.table) for spec in tables]

    return _schedule
