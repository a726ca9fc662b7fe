"""dq's Definitions from a folder of table definitions: the one assembly behind both ways to run dq.

- The standalone code location (`dq_assets/definitions.py`, the Docker image, `dagster dev -m`)
  switches everything on and sets dq's executor for the whole location, as it always has.
- The component (`dq.DataQualityComponent`) lives inside a user's project. It switches the extras
  on only when `defs.yaml` says so and sets no Definitions-level executor: the project's own
  executor stays the project's. dq's own jobs carry dq's executor at job level, which touches no
  other job.

Merging safely: every resource key starts with `dq_`, and the resources dq builds are shared
(`shared_resources`): two dq components in one project build equal resources, and Dagster merges
Definitions only when a key's resources are the same object. Every job, schedule and sensor name
starts with the namespace (`dq_assets/job_names.py`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg

from dq_assets.asset_partitions import AssetPartitions, with_asset_partitions
from dq_assets.attached_checks import build_whole_table_checks
from dq_assets.executor import dq_executor, dq_job_executor
from dq_assets.job_names import DEFAULT_NAMESPACE, QualityNames
from dq_assets.partition_arrivals import has_arrival_sla
from dq_assets.schedules import QualityJobs, schedule_groups
from dq_assets.source_resources import ALERT_STORE_RESOURCE_KEY, default_resources
from dq_assets.table_asset import build_attached_checks, build_table_asset, is_attached
from dq_assets.table_keys import target_asset_key
from dq_checks.config.alerting_loader import alerting_config_path
from dq_checks.config.loader import ConfigError, DefinedTable, LoadedConfig, load_table_specs
from dq_checks.partitions.scopes import per_partition, whole_table


@dataclass(frozen=True)
class QualityOptions:
    """What a set of dq definitions includes beyond the tables' checks and the checks job."""

    schedules: bool = True
    """A job and a schedule per cron and kind of source (tables with `schedule:`)."""
    freshness_sensor: bool = True
    """Re-check a table when its freshness SLA comes due (tables with `freshness:`)."""
    alerts: bool = False
    """The two alert sensors and the alert store."""
    reports: bool = False
    """A `<table>_profile_report` asset per table and the reports job."""
    proposals: bool = False
    """A `<table>_rule_proposals` asset per table and the propose-rules job."""
    executor: bool = False
    """dq's executor for the whole code location: the standalone location only, never a component."""
    namespace: str = DEFAULT_NAMESPACE
    """The first word of every job, schedule and sensor name."""


STANDALONE = QualityOptions(alerts=True, reports=True, proposals=True, executor=True)
"""The standalone code location: everything on, as dq has always been."""


def build_quality_definitions(
    config_dir: Path,
    options: QualityOptions,
    *,
    alerts_file: Path | None = None,
    project_assets: Callable[[], AssetPartitions] | None = None,
) -> dg.Definitions:
    """Load every table definition in `config_dir` and build its assets, checks, jobs and sensors.

    An invalid file stops the load with every problem listed as `path:line: message`: a table is
    never silently dropped. `alerts_file` is the alerting settings (default: `alerts.yaml` beside
    `config_dir`, or `$DQ_ALERTS_CONFIG`); it is read only when alerts are on. `project_assets`
    reads the assets of the project around dq (the component's), so that an attached table
    takes its asset's partitions; it is called only when a table is attached.
    """
    loaded = load_table_specs(config_dir)
    loaded.raise_for_problems()
    tables = list(loaded.tables)
    if not tables:
        return dg.Definitions()
    if any(is_attached(table) for table in tables):
        assets = project_assets() if project_assets is not None else None
        tables, problems = with_asset_partitions(tables, assets)
        if problems:
            raise ConfigError(problems)
    catalog = {table.spec.table: table for table in tables}
    names = QualityNames(options.namespace)
    job_executor = None if options.executor else dq_job_executor  # the location's executor covers all
    jobs = QualityJobs(names, proposals=options.proposals, executor=job_executor)
    # A partitioned table's rules with `scope: table` run apart from its partitions' checks.
    wholes = [view for view in map(whole_table, tables) if view is not None]
    tables = [per_partition(table) for table in tables]
    own = [table for table in tables if not is_attached(table)]
    # With alerts on, each step reads its table's alerts onto its checks (`dq/alert`).
    alerts = options.alerts
    assets: list[Any] = [build_table_asset(table, catalog, alerts=alerts) for table in own]
    asset_checks = [
        build_attached_checks(table, catalog, alerts=alerts) for table in tables if is_attached(table)
    ]
    asset_checks += [build_whole_table_checks(view, catalog, alerts=alerts) for view in wholes]
    # Proposals and reports are assets of dq's beside a monitored table of its own.
    extras = _Extras(own, catalog, names, job_defs=[], resources=default_resources())
    checks_jobs = jobs.checks_jobs([*tables, *wholes])
    job_defs = extras.job_defs
    job_defs.extend(checks_jobs)
    schedules: list[dg.ScheduleDefinition] = []
    sensors: list[dg.SensorDefinition] = []
    if options.schedules:
        for group in schedule_groups([*tables, *wholes]):
            job = jobs.scheduled_job(group)
            job_defs.append(job)
            schedules.append(jobs.schedule(group, job))
    if options.freshness_sensor and any(t.spec.freshness is not None or has_arrival_sla(t) for t in tables):
        from dq_assets.freshness_sensor import build_freshness_sensor

        sensors.append(build_freshness_sensor(tables, jobs, checks_jobs, extras.resources))
    if options.proposals and own:
        assets += extras.proposals(config_dir)
    if options.reports and own:
        assets += extras.reports()
    if options.alerts:
        alert_sensors, summary = extras.alerts(loaded, alerts_file or alerting_config_path(config_dir))
        sensors += alert_sensors
        assets.append(summary)
    return dg.Definitions(
        assets=assets,
        asset_checks=asset_checks,
        jobs=job_defs,
        schedules=schedules,
        sensors=sensors,
        resources=shared_resources(extras.resources),
        executor=dq_executor if options.executor else None,
    )


@dataclass
class _Extras:
    """The optional parts: each adds its assets or sensors, its jobs and its resources."""

    tables: list[DefinedTable]
    catalog: dict[str, DefinedTable]
    names: QualityNames
    job_defs: list[Any]
    resources: dict[str, Any]

    def proposals(self, config_dir: Path) -> list[dg.AssetsDefinition]:
        """Proposals assets, the propose-rules job, the proposer and this folder's proposal store."""
        from dq_assets.proposals.definitions import (
            PROPOSER_RESOURCE_KEY,
            build_proposals_asset,
            build_propose_job,
        )
        from dq_assets.proposals.settings import proposal_store, rule_proposer_resource

        store_key = self.names.proposal_store_key
        job = build_propose_job(self.catalog, name=self.names.propose_job, store_key=store_key)
        self.job_defs.append(job)
        self.resources[PROPOSER_RESOURCE_KEY] = rule_proposer_resource()
        self.resources[store_key] = proposal_store(config_dir)
        return [build_proposals_asset(table, self.catalog, store_key) for table in self.tables]

    def reports(self) -> list[dg.AssetsDefinition]:
        """Report assets, the reports job, the artifact store and the summary writer."""
        from dq_assets.proposals.settings import rule_proposer_resource
        from dq_assets.reports.asset import (
            ARTIFACTS_RESOURCE_KEY,
            SUMMARY_WRITER_KEY,
            build_report_asset,
            build_reports_job,
        )
        from dq_assets.reports.settings import artifact_store

        self.job_defs.append(build_reports_job(self.tables, name=self.names.reports_job))
        self.resources[ARTIFACTS_RESOURCE_KEY] = artifact_store()
        self.resources.setdefault(SUMMARY_WRITER_KEY, rule_proposer_resource())
        return [build_report_asset(table, self.catalog) for table in self.tables]

    def alerts(
        self, loaded: LoadedConfig, alerts_file: Path
    ) -> tuple[list[dg.SensorDefinition], dg.AssetSpec]:
        """The alert sensors, the alerts summary asset and the store `alerts_file` names.

        The problems of `alerts_file` stop the load too.
        """
        from dq_assets.alerting.sensors import alerts_summary_spec, build_alert_sensors
        from dq_assets.alerting.settings import alert_store_resource
        from dq_checks.config.alerting_loader import load_alerting

        alerting = load_alerting(alerts_file, loaded.tables)
        alerting.raise_for_problems()
        self.resources[ALERT_STORE_RESOURCE_KEY] = alert_store_resource(alerting.config.store)
        namespace = self.names.namespace
        # An alert's asset is a check's asset key, or a failed run's table name.
        assets = {n for t in loaded.tables for n in (t.spec.table, target_asset_key(t).to_user_string())}
        return build_alert_sensors(alerting, namespace, assets), alerts_summary_spec(namespace)


_SHARED: dict[tuple[str, type, tuple[tuple[str, str, str], ...]], Any] = {}
_SHARED_LOCK = threading.Lock()


def shared_resources(resources: dict[str, Any]) -> dict[str, Any]:
    """Each resource replaced by the first equal one built in this process, under the same key.

    `Definitions.merge` accepts a key twice only when both values are the same object, so two dq
    components (or a component and the project's own `dq_*` resource) built apart could not merge.
    Equal means the same class and the same field values, an EnvVar differing from a literal string.
    """
    shared = {}
    with _SHARED_LOCK:
        for key, resource in resources.items():
            identity = (key, type(resource), _fields(resource))
            shared[key] = _SHARED.setdefault(identity, resource)
    return shared


def _fields(resource: Any) -> tuple[tuple[str, str, str], ...]:
    values = {name: getattr(resource, name) for name in getattr(type(resource), "model_fields", {})}
    return tuple((name, type(value).__qualname__, repr(value)) for name, value in sorted(values.items()))
