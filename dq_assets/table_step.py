"""The body of one table's step, for both kinds of definition: inspect once, report what was selected.

The inspection itself is `dq_runs.inspect`; this module gives it the run's resources, clock and
history, and turns what it learned into Dagster's results.

A standalone table's step may materialize dq's asset; an attached table's step only reports
checks on the user's asset. Either way the table is inspected once, and only the selected checks'
results are yielded (so each check can be executed on its own), minus those that skipped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import dagster as dg

from dq_assets.check_names import check_names_for
from dq_assets.run_tags import FORCE_SCAN_TAG
from dq_assets.source_resources import (
    CLOCK_RESOURCE_KEY,
    RESULTS_STORE_RESOURCE_KEY,
    open_table,
    source_resource_key,
)
from dq_assets.table_keys import target_asset_key
from dq_checks.config.loader import DefinedTable
from dq_resources.source_contract import OpenedTable, SourceError

if TYPE_CHECKING:
    from dq_checks.history.earlier_runs import PastRun
    from dq_checks.results import CheckResult
    from dq_checks.results.inspection import TableInspection
    from dq_runs.scan_cache import ScanCache

HISTORY_RUNS_READ = 200
"""Earlier runs read per run: enough for a 28-run window even with many unchanged re-checks."""

StepContext = dg.AssetExecutionContext | dg.AssetCheckExecutionContext
StepOutput = dg.MaterializeResult | dg.AssetCheckResult


def run_table_step(
    context: StepContext, defined: DefinedTable, catalog: Mapping[str, DefinedTable], *, materialize: bool
) -> Iterator[StepOutput]:
    """Inspect the table and report. An unreadable source yields error outcomes, then fails the step.

    `materialize` says whether dq's own asset is selected in this run (never for an attached table).
    """
    from dq_assets.instance_rule_history import instance_history
    from dq_assets.instance_table_history import read_past_runs
    from dq_assets.partitions import partition_axis
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

    partition = context.partition_key if defined.spec.partition and context.has_partition_key else None
    axis = partition_axis(defined, partition)  # a partition is judged against the partitions before it
    past = read_past_runs(context.instance, key, limit=HISTORY_RUNS_READ)
    try:
        opened = _appended_of(context, defined, open_defined(defined), past)
        inspection = inspect_table(
            defined,
            _partition_of(context, defined, opened),
            open_reference=open_reference,
            history_for=instance_history(context.instance, key, _metric_keys(defined), axis),
            past=past if axis is None else axis.past(past),
            now=now,
            scan_cache=_scan_cache(context, defined, catalog),
            series_at=None if axis is None else axis.start,
            arrival=_arrival(defined, partition),
        )
    except SourceError as error:
        context.log.error(f"{table}: {error}")
        unreadable = [c for c in unreadable_results(defined, str(error)) if c.name in selected]
        saved = store_results(context, table, now, unreadable=unreadable)
        yield from reported_results(key, unreadable, selected)
        raise dg.Failure(
            description=f"{table}: source unavailable: {error}",
            metadata={"definition": str(defined.path), "dq/results_store": saved},
            allow_retries=True,
        ) from error
    inspection = replace(inspection, checks=[c for c in inspection.checks if c.name in selected])
    for name, reason in skipped_checks(inspection).items():
        context.log.info(f"{table}: check {name!r} skipped: {reason}")
    saved = store_results(context, table, now, inspection=inspection)
    profile_extra = history_metadata(inspection, now)
    if not materialize:
        profile_extra.update(step_metadata(inspection, saved))
    results = reported_results(key, inspection.checks, selected, profile_extra)
    if materialize:
        yield materialize_result(key, inspection, now, saved, results)
    else:
        yield from results


def _partition_of(context: StepContext, defined: DefinedTable, table: OpenedTable) -> OpenedTable:
    """The table, or in a partitioned run the rows of the run's partition only.

    A key that is not one of the table's partitions is a SourceError naming `partition:`'s line,
    so every check reports it as an error.
    """
    if defined.spec.partition is None or not context.has_partition_key:
        return table
    from dq_assets.partitions import row_slice_for
    from dq_resources.source_contract.slicing import PartitionOfTable

    try:
        row_slice = row_slice_for(defined, context.partition_key)
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
    *,
    inspection: TableInspection | None = None,
    unreadable: list[CheckResult] | None = None,
) -> str:
    """Write the tidy copy for dashboards on the run's results store: `written`, or `error: <why>`.

    A store that is down is logged here, never raised (see `dq_runs.tidy_copy`). The copy holds
    the selected checks, skipped ones included.
    """
    from dq_runs.tidy_copy import save_tidy_copy

    store = getattr(context.resources, RESULTS_STORE_RESOURCE_KEY)
    run_id = context.run.run_id
    cause = save_tidy_copy(store, table, run_id, now, inspection=inspection, unreadable=unreadable or ())
    if cause is None:
        return "written"
    context.log.error(f"{table}: results not saved: {cause}")
    return f"error: {cause}"
