"""The code location: every table definition becomes an asset, a job and a schedule."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from dq_assets.schedules import build_schedule, build_table_job
from dq_assets.sensors import build_freshness_sensor
from dq_assets.source_resources import default_resources
from dq_assets.table_asset import build_table_asset
from dq_checks.config import default_config_dir, load_table_specs


def build_definitions(config_dir: Path | None = None) -> dg.Definitions:
    """Load every definition in `config_dir` ($DQ_CONFIG_DIR, or the packaged demo folder).

    An invalid file stops the load with every problem listed as `path:line: message`:
    a table is never silently dropped.
    """
    loaded = load_table_specs(config_dir or default_config_dir())
    loaded.raise_for_problems()
    catalog = {table.spec.table: table for table in loaded.tables}
    assets = [build_table_asset(table, catalog) for table in loaded.tables]
    jobs = {table.spec.table: build_table_job(table.spec) for table in loaded.tables}
    schedules = [
        build_schedule(table.spec, jobs[table.spec.table]) for table in loaded.tables if table.spec.schedule
    ]
    watched = [table for table in loaded.tables if table.spec.freshness is not None]
    sensors = [build_freshness_sensor(watched, [jobs[t.spec.table] for t in watched])] if watched else []
    return dg.Definitions(
        assets=assets,
        jobs=list(jobs.values()),
        schedules=schedules,
        sensors=sensors,
        resources=default_resources(),
    )


defs = build_definitions()
