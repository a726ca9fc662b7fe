"""The code location `bench/fleet_bench.py` loads: the product's, or the per-table layout it replaced.

`DQ_FLEET_LAYOUT=by_cron` (default) is `dq_assets.definitions` exactly as shipped: one job and one
schedule per distinct cron, one run per table. `DQ_FLEET_LAYOUT=per_table` rebuilds what dq
shipped before: one job and one schedule per table (the same assets, sensors and resources).
`DQ_FLEET_LAYOUT=by_cron_one_run` keeps the shipped jobs but its schedules launch each cron's job
as ONE run of all its tables (steps in forked processes).
The tables come from `DQ_CONFIG_DIR`, as in production. `DQ_FLEET_EXECUTOR=dagster_default` swaps
dq's executor for Dagster's default (multiprocess, `spawn`), for the run comparison.
"""

from __future__ import annotations

import functools
import os

import dagster as dg

import dq_checks.config

PER_TABLE = os.environ.get("DQ_FLEET_LAYOUT") == "per_table"
if PER_TABLE:
    # The per-table code read the folder once for everything: cache it so this layout does too.
    dq_checks.config.load_table_specs = functools.cache(dq_checks.config.load_table_specs)

from dq_assets import definitions as shipped  # noqa: E402  (after the cache is in place)
from dq_assets.executor import IN_PROCESS_RUN_CONFIG  # noqa: E402
from dq_assets.run_tags import table_run_tags  # noqa: E402
from dq_assets.schedules import table_selection  # noqa: E402


def _per_table_layout(product: dg.Definitions) -> dg.Definitions:
    specs = dq_checks.config.load_table_specs(dq_checks.config.default_config_dir()).specs
    jobs = {
        spec.table: dg.define_asset_job(
            name=f"{spec.slug}_checks",
            selection=dg.AssetSelection.assets(*table_selection(spec)),
            tags=table_run_tags(spec),
        )
        for spec in specs
    }
    schedules = [
        dg.ScheduleDefinition(
            name=f"{spec.slug}_schedule",
            job=jobs[spec.table],
            cron_schedule=spec.schedule,
            execution_timezone="UTC",
            run_config=IN_PROCESS_RUN_CONFIG,  # as the shipped layout's runs of one table
        )
        for spec in specs
        if spec.schedule
    ]
    kept_jobs = [j for j in product.jobs or [] if not j.name.startswith("dq_checks_")]
    return dg.Definitions(
        assets=product.assets,
        jobs=[*kept_jobs, *jobs.values()],
        schedules=schedules,
        sensors=product.sensors,
        executor=product.executor,
        resources=product.resources,
    )


def _one_run_per_cron_layout(product: dg.Definitions) -> dg.Definitions:
    cron_jobs = {j.name: j for j in product.jobs or [] if j.name.startswith("dq_checks_")}
    schedules = [
        dg.ScheduleDefinition(
            name=schedule.name,
            job=cron_jobs[schedule.job_name],
            cron_schedule=schedule.cron_schedule,
            execution_timezone="UTC",
        )
        for schedule in product.schedules or []
    ]
    return dg.Definitions(
        assets=product.assets,
        jobs=product.jobs,
        schedules=schedules,
        sensors=product.sensors,
        executor=product.executor,
        resources=product.resources,
    )


def _with_dagster_default_executor(product: dg.Definitions) -> dg.Definitions:
    return dg.Definitions(
        assets=product.assets,
        jobs=product.jobs,
        schedules=product.schedules,
        sensors=product.sensors,
        resources=product.resources,
    )


defs = _per_table_layout(shipped.defs) if PER_TABLE else shipped.defs
if os.environ.get("DQ_FLEET_LAYOUT") == "by_cron_one_run":
    defs = _one_run_per_cron_layout(defs)
if os.environ.get("DQ_FLEET_EXECUTOR") == "dagster_default":  # multiprocess with spawn
    defs = _with_dagster_default_executor(defs)
