"""The code location `bench/fleet_bench.py` loads: the product's, or the per-table layout it replaced.

`DQ_FLEET_LAYOUT=by_cron` (default) is `dq_assets.definitions` exactly as shipped: a job and a
schedule per cron (and kind of source), each tick one run of the group, its steps forked.
`DQ_FLEET_LAYOUT=per_table` rebuilds what dq shipped before: a job and a schedule per table, a run
per table. `DQ_FLEET_LAYOUT=by_cron_table_runs` keeps the shipped jobs and schedules, but each tick
asks for one run per table (each in process), as an intermediate step measured on the way.
The assets, sensors, executor and resources are the shipped ones in every layout.
The tables come from `DQ_CONFIG_DIR`, as in production. `DQ_FLEET_EXECUTOR=dagster_default` swaps
dq's executor for Dagster's default (multiprocess, `spawn`), for the run comparison.
"""

from __future__ import annotations

import functools
import os

import dagster as dg

import dq_checks.config

REREADS_SPECS = os.environ.get("DQ_FLEET_LAYOUT") in ("per_table", "by_cron_table_runs")
if REREADS_SPECS:
    # The shipped code reads the folder once: cache it so these layouts, which read it again, do too.
    dq_checks.config.load_table_specs = functools.cache(dq_checks.config.load_table_specs)

from dq_assets import definitions as shipped  # noqa: E402  (after the cache is in place)
from dq_assets.executor import IN_PROCESS_RUN_CONFIG  # noqa: E402
from dq_assets.run_tags import table_run_tags  # noqa: E402
from dq_assets.schedules import (  # noqa: E402
    ScheduleGroup,
    schedule_groups,
    table_run_request,
    table_selection,
)


def _per_table_layout(product: dg.Definitions) -> dg.Definitions:
    specs = dq_checks.config.load_table_specs(dq_checks.config.default_config_dir()).specs
    jobs = {
        spec.table: dg.define_asset_job(
            name=f"{spec.slug}_checks",
            selection=dg.AssetSelection.assets(*table_selection(spec.table)),
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


def _table_runs_schedule(group: ScheduleGroup, job: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    @dg.schedule(
        name=f"dq_schedule_{group.slug}", job=job, cron_schedule=group.cron, execution_timezone="UTC"
    )
    def _schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
        return [table_run_request(spec, run_key=spec.table) for spec in group.specs]

    return _schedule


def _table_runs_per_cron_layout(product: dg.Definitions) -> dg.Definitions:
    specs = dq_checks.config.load_table_specs(dq_checks.config.default_config_dir()).specs
    cron_jobs = {j.name: j for j in product.jobs or [] if j.name.startswith("dq_checks_")}
    schedules = [_table_runs_schedule(group, cron_jobs[group.job_name]) for group in schedule_groups(specs)]
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


defs = _per_table_layout(shipped.defs) if os.environ.get("DQ_FLEET_LAYOUT") == "per_table" else shipped.defs
if os.environ.get("DQ_FLEET_LAYOUT") == "by_cron_table_runs":
    defs = _table_runs_per_cron_layout(defs)
if os.environ.get("DQ_FLEET_EXECUTOR") == "dagster_default":  # multiprocess with spawn
    defs = _with_dagster_default_executor(defs)
