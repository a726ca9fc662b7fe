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
from dq_assets.job_names import QualityNames  # noqa: E402
from dq_assets.run_tags import table_run_tags  # noqa: E402
from dq_assets.schedules import ScheduleGroup, schedule_groups, table_targets  # noqa: E402


def _scheduled_job_names(product: dg.Definitions) -> set[str]:
    return {schedule.job_name for schedule in product.schedules or []}


def _per_table_layout(product: dg.Definitions) -> dg.Definitions:
    tables = dq_checks.config.load_table_specs(dq_checks.config.default_config_dir()).tables
    specs = [table.spec for table in tables]
    jobs = {
        table.spec.table: dg.define_asset_job(
            name=f"{table.spec.slug}_checks",
            selection=dg.AssetSelection.assets(*table_targets(table, proposals=True).assets),
            tags=table_run_tags(table.spec),
        )
        for table in tables
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
    kept_jobs = [j for j in product.jobs or [] if j.name not in _scheduled_job_names(product)]
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
        name=QualityNames.schedule(job.name), job=job, cron_schedule=group.cron, execution_timezone="UTC"
    )
    def _schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
        return [
            dg.RunRequest(
                run_key=table.spec.table,
                asset_selection=list(table_targets(table, proposals=True).assets),
                run_config=IN_PROCESS_RUN_CONFIG,  # one table's steps, one after the other
                tags=table_run_tags(table.spec),
            )
            for table in group.tables
        ]

    return _schedule


def _table_runs_per_cron_layout(product: dg.Definitions) -> dg.Definitions:
    tables = dq_checks.config.load_table_specs(dq_checks.config.default_config_dir()).tables
    cron_jobs = {j.name: j for j in product.jobs or [] if j.name in _scheduled_job_names(product)}
    names = QualityNames()
    schedules = [
        _table_runs_schedule(group, cron_jobs[names.scheduled_job(group.source_type, group.cron)])
        for group in schedule_groups(tables)
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


defs = _per_table_layout(shipped.defs) if os.environ.get("DQ_FLEET_LAYOUT") == "per_table" else shipped.defs
if os.environ.get("DQ_FLEET_LAYOUT") == "by_cron_table_runs":
    defs = _table_runs_per_cron_layout(defs)
if os.environ.get("DQ_FLEET_EXECUTOR") == "dagster_default":  # multiprocess with spawn
    defs = _with_dagster_default_executor(defs)
