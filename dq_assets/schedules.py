"""One job and, when the definition has `schedule:`, one schedule per table."""

from __future__ import annotations

import dagster as dg

from dq_assets.proposals.definitions import proposals_asset_key
from dq_assets.table_asset import asset_key
from dq_checks.config.models import TableSpec


def job_name(spec: TableSpec) -> str:
    """`<table>_checks`, with '/' in the table name turned into '__'."""
    return f"{spec.slug}_checks"


def build_table_job(spec: TableSpec) -> dg.UnresolvedAssetJobDefinition:
    """The table's step, with every one of its checks, then its rule proposals for uncovered columns."""
    return dg.define_asset_job(
        name=job_name(spec),
        selection=dg.AssetSelection.assets(asset_key(spec.table), proposals_asset_key(spec.table)),
        description=f"Profile and check {spec.table}",
        tags={"dq/table": spec.table, "dq/source": spec.source.type},  # the queue limits runs per source
    )


def build_schedule(spec: TableSpec, job: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    """The table's `schedule:` cron, in UTC."""
    if spec.schedule is None:
        raise ValueError(f"{spec.table} has no schedule")
    return dg.ScheduleDefinition(
        name=f"{spec.slug}_schedule",
        job=job,
        cron_schedule=spec.schedule,
        execution_timezone="UTC",
        description=f"Check {spec.table} on '{spec.schedule}'",
    )
