"""The body of one table's step, for both kinds of definition: inspect once, report what was selected.

The inspection itself is `dq_runs.inspect`; this module gives it the run's resources, clock and
history, and turns what it learned into Dagster's results.

A standalone table's step may materialize dq's asset; an attached table's step only reports
checks on the user's asset. Either way the table is inspected once, and only the selected checks'
results are yielded (so each check can be executed on its own), minus those that skipped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import dagster as dg

from dq_assets.check_names import check_names_for
from dq_assets.check_specs import check_specs
from dq_assets.run_tags import FORCE_SCAN_TAG
from dq_assets.source_resources import (
    ALERT_STORE_RESOURCE_KEY,
    CLOCK_RESOURCE_KEY,
    RESULTS_STORE_RESOURCE_KEY,
    open_table,
    source_resource_key,
)
from dq_assets.table_keys import target_asset_key
from dq_checks.config.loader import DefinedTable
from dq_checks.results.names import PROFILE_CHECK
from dq_resources.source_contract import OpenedTable, SourceError

if TYPE_CHECKING:
    from dq_checks.history.earlier_runs import PastRun
    from dq_checks.results import CheckResult
    from dq_checks.results.inspection import TableInspection
    from dq_runs.scan_cache import ScanCache

HISTORY_RUNS_READ = 200
"""Earlier runs read per run: enough for a 28-run window even with many unchanged re-checks."""

StepContext = dg.AssetExecutionContext | dg.AssetCheckExecutionContext
StepOutput = dg.MaterializeResult | dg.AssetCheckResult | dg.AssetCheckEvaluation


def run_table_step(
    context: StepContext, defined: DefinedTable, catalog: Mapping[str, DefinedTable], *, materialize: bool
) -> Iterator[StepOutput]:
    """Inspect the table and report. An unreadable source yields error outcomes, then fails the step.

    `materialize` says whether dq's own asset is selected in this run (never for an attached table).
    A run of a range of partitions (a single-run backfill of the user's asset) checks each
    partition in the range on its own rows, in order, and records each check's result against
    its partition, as a run per partition would.
    """
    partitions = partitions_of_run(context, defined)
    if partitions is not None and not context.has_partition_key:
        yield from _checked_range(context, defined, catalog, partitions, materialize=materialize)
        return
    partition = partitions[0] if partitions else None
    outputs, failure = _checked_slice(context, defined, catalog, partition, materialize=materialize)
    yield from outputs
    if failure is not None:
        raise failure


def partitions_of_run(context: StepContext, defined: DefinedTable) -> list[str] | None:
    """The partitions this run checks, oldest first; None for an unpartitioned table or run."""
    if defined.spec.partition is None:
        return None
    if context.has_partition_key:
        return [context.partition_key]
    if context.has_partition_key_range:
        return list(context.partition_keys)
    return None


def _checked_range(
    context: StepContext,
    defined: DefinedTable,
    catalog: Mapping[str, DefinedTable],
    partitions: Sequence[str],
    *,
    materialize: bool,
) -> Iterator[dg.AssetCheckEvaluation]:
    """Each partition of the range checked in turn; its results recorded against it.

    Dagster's AssetCheckResult takes its partition from the run, so in a range run each result
    becomes the AssetCheckEvaluation Dagster would have made, with the partition it judged. Each
    partition's results are recorded before the next is inspected, so a partition's history
    holds the ones before it. dq's own asset never runs a range: it keeps Dagster's default
    backfill of one run per partition.
    """
    from dq_assets.steps.check_events import partition_evaluation

    if materialize:
        raise dg.Failure(
            description=f"{defined.spec.table}: dq's monitored-table asset is materialized one partition "
            f"per run; this run covers {partitions[0]}..{partitions[-1]}"
        )
    blocking = {spec.name: spec.blocking for spec in check_specs(defined)}
    context.log.info(f"{defined.spec.table}: checking {len(partitions)} partitions one by one")
    failures: list[str] = []
    for key in partitions:
        outputs, failure = _checked_slice(context, defined, catalog, key, materialize=False)
        for output in outputs:
            if isinstance(output, dg.AssetCheckResult):
                yield partition_evaluation(context.instance, output, key, blocking)
        if failure is not None:
            failures.append(f"{key}: {failure.description}")
    if failures:
        raise dg.Failure(description="; ".join(failures), allow_retries=True)


def _checked_slice(
    context: StepContext,
    defined: DefinedTable,
    catalog: Mapping[str, DefinedTable],
    partition: str | None,
    *,
    materialize: bool,
) -> tuple[list[StepOutput], dg.Failure | None]:
    """Inspect the table, or one partition of it: what to report, and the step's failure if unreadable."""
    from dq_assets.drift_baselines import drift_baseline
    from dq_assets.instance_rule_history import instance_history
    from dq_assets.instance_table_history import read_past_runs
    from dq_assets.partition_axis import partition_axis
    from dq_assets.steps.check_events import reported_results
    from dq_assets.steps.run_metadata import history_metadata, skipped_checks, step_metadata
    from dq_assets.steps.target_table import source_for_run
    from dq_runs.inspect import inspect_table

    key = target_asset_key(defined)
    table = defined.spec.table
    selected = {k.name for k in context.selected_asset_check_keys if k.asset_key == key}
    now = getattr(context.resources, CLOCK_RESOURCE_KEY).now()

    def open_defined(target: DefinedTable) -> OpenedTable:
        resource = getattr(context.resources, source_resource_key(target.spec.source))
        return open_table(resource, source_for_run(target, context))

    def open_reference(name: str) -> OpenedTable:
        if name not in catalog:
            raise SourceError(f"{name!r} is not a monitored table")
        return open_defined(catalog[name])

    axis = partition_axis(defined, partition)  # a partition is judged against the partitions before it
    past = read_past_runs(context.instance, key, limit=HISTORY_RUNS_READ)
    baseline = drift_baseline(
        defined,
        context.instance,
        key,
        partition=partition,
        open_own=lambda: open_defined(defined),
        resources=context.resources,
    )
    try:
        opened = _appended_of(context, defined, open_defined(defined), past)
        inspection = inspect_table(
            defined,
            _partition_of(defined, opened, partition),
            open_reference=open_reference,
            history_for=instance_history(context.instance, key, _metric_keys(defined), axis),
            past=past if axis is None else axis.past(past),
            now=now,
            scan_cache=_scan_cache(context, defined, catalog),
            series_at=None if axis is None else axis.start,
            arrival=_arrival(defined, partition),
            drift_baseline=baseline,
        )
    except SourceError as error:
        context.log.error(f"{table}: {error}")
        unreadable = [c for c in unreadable_results(defined, str(error)) if c.name in selected]
        saved = store_results(context, table, now, partition, unreadable=unreadable)
        alerts = alert_metadata(context, key, unreadable, now)
        return list(reported_results(key, unreadable, selected, alerts)), dg.Failure(
            description=f"{table}: source unavailable: {error}",
            metadata={"definition": str(defined.path), "dq/results_store": saved},
            allow_retries=True,
        )
    checks = [_freshness_of(defined, partition, c) for c in inspection.checks if c.name in selected]
    inspection = replace(inspection, checks=checks)
    for name, reason in skipped_checks(inspection).items():
        context.log.info(f"{table}: check {name!r} skipped: {reason}")
    saved = store_results(context, table, now, partition, inspection=inspection)
    profile_extra = history_metadata(inspection, now)
    if not materialize:
        profile_extra.update(step_metadata(inspection, saved))
    extra = alert_metadata(context, key, inspection.checks, now)
    extra[PROFILE_CHECK] = {**extra.get(PROFILE_CHECK, {}), **profile_extra}
    results = reported_results(key, inspection.checks, selected, extra)
    if materialize:
        return [materialize_result(key, inspection, now, saved, results)], None
    return list(results), None


def alert_metadata(
    context: StepContext, key: dg.AssetKey, checks: Sequence[CheckResult], now: datetime
) -> dict[str, dict[str, dg.MetadataValue]]:
    """Check name -> its alert's state (`dq/alert`), when this location has alerts; else nothing.

    One query of the alert store per step. A store that cannot be read is said on each failing
    check and logged; it never fails the step, whose checks are the news.
    """
    resource = getattr(context.resources, ALERT_STORE_RESOURCE_KEY, None)
    if resource is None:
        return {}
    from dq_assets.alerting.views import check_alert_metadata, unreadable_alert_metadata

    try:
        records = resource.open().active_alerts(key.to_user_string())
    except Exception as error:  # a store that is down must not hide the checks' own results
        cause = f"{type(error).__name__}: {error}"
        context.log.warning(f"{key.to_user_string()}: alerts not read: {cause}")
        return unreadable_alert_metadata(checks, cause)
    return check_alert_metadata(records, checks, now)


def _freshness_of(defined: DefinedTable, partition: str | None, check: CheckResult) -> CheckResult:
    """`check`, but a past partition's `freshness` is skipped: a table's freshness is its latest partition's.

    Re-checking or backfilling 2026-11-03 must not report the table stale because that day's rows
    are a month old; the day's own lateness is its `arrival` check's (`arrives_within_hours`).
    """
    from dq_assets.partitions import later_partition
    from dq_checks.results import Outcome
    from dq_checks.results.names import FRESHNESS_CHECK

    if check.name != FRESHNESS_CHECK or partition is None:
        return check
    latest = later_partition(defined, partition)
    if latest is None:
        return check
    reason = f"partition {partition} is past: freshness is judged on the latest partition, {latest}"
    return replace(check, outcome=Outcome.SKIP, description=reason, severity=None)


def _partition_of(defined: DefinedTable, table: OpenedTable, partition: str | None) -> OpenedTable:
    """The table, or the rows of `partition` only.

    A key that is not one of the table's partitions is a SourceError naming `partition:`'s line,
    so every check reports it as an error.
    """
    if defined.spec.partition is None or partition is None:
        return table
    from dq_assets.partitions import row_slice_for
    from dq_resources.source_contract.slicing import PartitionOfTable

    try:
        row_slice = row_slice_for(defined, partition)
    except ValueError as error:
        raise SourceError(str(error)) from None
    return PartitionOfTable(table, row_slice, defined.where("partition"))


def _appended_of(
    context: StepContext, defined: DefinedTable, table: OpenedTable, past: Sequence[PastRun]
) -> OpenedTable:
    """For `incremental: true`, the rows appended since the last checked snapshot; else the table.

    The last checked snapshot is the newest earlier run's data version other than the current one,
    so re-checking an unchanged snapshot re-checks the same appends. The whole table is checked
    on the first run, and when the appends cannot be told apart exactly (the reason is logged).
    """
    if not defined.spec.incremental or defined.rules_only:
        return table
    current = table.describe().data_version
    previous = next((run.data_version for run in past if run.data_version not in {None, current}), None)
    appended_since = getattr(table, "appended_since", None)
    if previous is None or appended_since is None:
        context.log.info(f"{defined.spec.table}: incremental: no earlier snapshot was checked: whole table")
        return table
    appended = appended_since(previous)
    if isinstance(appended, str):
        context.log.info(f"{defined.spec.table}: incremental: checking the whole table: {appended}")
        return table
    return appended


def _arrival(defined: DefinedTable, partition: str | None) -> tuple[str, datetime] | None:
    """The checked partition and when it was due, when the table has an arrival SLA."""
    from dq_assets.partitions import arrival_due

    due = arrival_due(defined, partition) if partition is not None else None
    return None if partition is None or due is None else (partition, due)


def unreadable_results(defined: DefinedTable, message: str) -> list[CheckResult]:
    """Every check of a table whose source could not be read is an error with the cause."""
    from dq_checks.results.builders import error_result

    return [error_result(name, message) for name in check_names_for(defined)]


def _scan_cache(
    context: StepContext, defined: DefinedTable, catalog: Mapping[str, DefinedTable]
) -> ScanCache:
    """The query cache of this run of `defined`, on its results store; `dq/force_scan` forces a rescan."""
    from dq_runs import scan_cache

    def open_store() -> scan_cache.CacheStore:
        from dq_resources.results.query_cache import QueryCacheStore

        return QueryCacheStore(getattr(context.resources, RESULTS_STORE_RESOURCE_KEY).open().engine)

    return scan_cache.scan_cache_for(
        defined,
        catalog,
        run_id=context.run.run_id,
        open_store=open_store,
        log=context.log.warning,
        force=str(context.run.tags.get(FORCE_SCAN_TAG, "")).lower() == "true",
    )


def _metric_keys(defined: DefinedTable) -> dict[str, str]:
    """Check name -> the history key of the metric its rule observes, for the rules that observe one."""
    return {rule.check_name: rule.metric_key for rule in defined.rules if rule.metric_key is not None}


def materialize_result(
    key: dg.AssetKey,
    inspection: TableInspection,
    now: datetime,
    saved: str,
    results: list[dg.AssetCheckResult],
) -> dg.MaterializeResult:
    """The materialization of dq's asset: rows, schema, profile, per-column numbers, scores, data version."""
    from dq_assets.instance_table_history import CHECKED_AT_KEY
    from dq_assets.steps.metadata import asset_metadata, metadata_values
    from dq_assets.steps.run_metadata import RESULTS_METADATA_KEY

    version = inspection.description.data_version
    metadata = asset_metadata(inspection.description, inspection.profile)
    metadata[CHECKED_AT_KEY] = dg.MetadataValue.timestamp(now)
    if inspection.scores is not None:
        metadata.update(metadata_values(inspection.scores.as_metadata()))
    metadata[RESULTS_METADATA_KEY] = dg.MetadataValue.text(saved)
    return dg.MaterializeResult(
        asset_key=key,
        metadata=metadata,
        data_version=dg.DataVersion(version) if version is not None else None,
        check_results=results,
    )


def store_results(
    context: StepContext,
    table: str,
    now: datetime,
    partition: str | None = None,
    *,
    inspection: TableInspection | None = None,
    unreadable: list[CheckResult] | None = None,
) -> str:
    """Write the tidy copy for dashboards on the run's results store: `written`, or `error: <why>`.

    A store that is down is logged here, never raised (see `dq_runs.tidy_copy`). The copy holds
    the selected checks, skipped ones included, and the partition checked. A run over a range of
    partitions writes one tidy run per partition, `<run id>-<8 hex digits of the partition key>`:
    the store keeps one tidy run per run id and table.
    """
    from dq_runs.tidy_copy import save_tidy_copy

    store = getattr(context.resources, RESULTS_STORE_RESOURCE_KEY)
    run_id = context.run.run_id
    if partition is not None and not context.has_partition_key:
        run_id = f"{run_id}-{hashlib.sha1(partition.encode()).hexdigest()[:8]}"
    cause = save_tidy_copy(
        store, table, run_id, now, inspection=inspection, unreadable=unreadable or (), partition=partition
    )
    if cause is None:
        return "written"
    context.log.error(f"{table}: results not saved: {cause}")
    return f"error: {cause}"
