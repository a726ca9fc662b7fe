"""The code location: assets per table, a job and a schedule per cron and source; the sensors."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from dq_assets.alerting.sensors import ALERT_STORE_RESOURCE_KEY, build_alert_sensors
from dq_assets.alerting.settings import alert_store_resource, load_alerting_for
from dq_assets.executor import dq_executor
from dq_assets.proposals.definitions import (
    PROPOSAL_STORE_RESOURCE_KEY,
    PROPOSER_RESOURCE_KEY,
    build_proposals_asset,
    build_propose_job,
)
from dq_assets.proposals.settings import proposal_store, rule_proposer_resource
from dq_assets.reports.asset import ARTIFACTS_RESOURCE_KEY, build_report_asset, build_reports_job
from dq_assets.reports.settings import artifact_store
from dq_assets.schedules import build_schedule, build_scheduled_job, schedule_groups
from dq_assets.sensors import build_freshness_sensor
from dq_assets.source_resources import default_resources
from dq_assets.table_asset import build_table_asset
from dq_checks.config import default_config_dir, load_table_specs


def build_definitions(config_dir: Path | None = None) -> dg.Definitions:
    """Load every definition in `config_dir` ($DQ_CONFIG_DIR, or the packaged demo) and alerts.yaml.

    The alerting settings are read beside the folder.

    An invalid file stops the load with every problem listed as `path:line: message`:
    a table is never silently dropped.
    """
    config_dir = config_dir or default_config_dir()
    loaded = load_table_specs(config_dir)
    loaded.raise_for_problems()
    alerting = load_alerting_for(config_dir, loaded)
    alerting.raise_for_problems()
    catalog = {table.spec.table: table for table in loaded.tables}
    assets = [build_table_asset(table, catalog) for table in loaded.tables]
    assets += [build_proposals_asset(table, catalog) for table in loaded.tables]
    assets += [build_report_asset(table, catalog) for table in loaded.tables]
    groups = schedule_groups(loaded.specs)
    jobs = {group.job_name: build_scheduled_job(group) for group in groups}
    schedules = [build_schedule(group, jobs[group.job_name]) for group in groups]
    watched = [table for table in loaded.tables if table.spec.freshness is not None]
    sensors = [build_freshness_sensor(watched)] if watched else []
    sensors.extend(build_alert_sensors(alerting))
    return dg.Definitions(
        assets=assets,
        jobs=[*jobs.values(), build_propose_job(catalog), build_reports_job(list(loaded.tables))],
        schedules=schedules,
        sensors=sensors,
        executor=dq_executor,
        resources={
            **default_resources(),
            ALERT_STORE_RESOURCE_KEY: alert_store_resource(alerting.config.store),
            PROPOSER_RESOURCE_KEY: rule_proposer_resource(),
            PROPOSAL_STORE_RESOURCE_KEY: proposal_store(config_dir),
            ARTIFACTS_RESOURCE_KEY: artifact_store(),
        },
    )


defs = build_definitions()
