"""The factory that turns one table definition into one Dagster asset with its checks."""

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext

from dq_assets.check_names import CHECK_DESCRIPTIONS, check_names_for
from dq_assets.past_runs import CHECKED_AT_KEY
from dq_assets.source_resources import (
    CLOCK_RESOURCE_KEY,
    RESULTS_STORE_RESOURCE_KEY,
    open_table,
    source_resource_key,
)
from dq_checks.config.loader import DefinedTable
from dq_checks.rules.references import references_of
from dq_resources.sources import OpenedTable, SourceError

RESULTS_METADATA_KEY = "dq/results_store"
HISTORY_RUNS_READ = 200
"""Earlier materializations read per run: enough for a 28-run window even with many unchanged re-checks."""


def asset_key(table: str) -> dg.AssetKey:
    """'shop/orders' gives AssetKey(['shop', 'orders'])."""
    return dg.AssetKey(table.split("/"))


def check_specs(defined: DefinedTable) -> list[dg.AssetCheckSpec]:
    """Every check the table's step reports: built-in ones, one per rule, and the history checks."""
    key = asset_key(defined.spec.table)
    rules = {rule.check_name: rule for rule in defined.rules}
    specs = []
    for name in check_names_for(defined):
        rule = rules.get(name)
        if rule is not None:
            specs.append(
                dg.AssetCheckSpec(name=name, asset=key, description=rule.text, blocking=rule.blocking)
            )
        else:
            specs.append(dg.AssetCheckSpec(name=name, asset=key, description=CHECK_DESCRIPTIONS[name]))
    return specs


def freshness_policy(defined: DefinedTable) -> dg.FreshnessPolicy | None:
    """Dagster's own freshness policy for the UI and its freshness daemon.

    Dagster measures it on materializations, i.e. on when the table was last checked; the
    `freshness` check and the freshness sensor measure the data's own last update.
    """
    spec = defined.spec.freshness
    if spec is None:
        return None
    fail = timedelta(hours=spec.max_age_hours)
    if spec.deadline_cron is not None:
        return dg.FreshnessPolicy.cron(
            deadline_cron=spec.deadline_cron, lower_bound_delta=fail, timezone=spec.timezone
        )
    warn = timedelta(hours=spec.warn_after_hours) if spec.warn_after_hours is not None else None
    return dg.FreshnessPolicy.time_window(fail_window=fail, warn_window=warn)


def build_table_asset(defined: DefinedTable, catalog: Mapping[str, DefinedTable]) -> dg.AssetsDefinition:
    """One asset per monitored table. Its single step profiles the table and yields every check.

    `catalog` holds every monitored table, so rules can read the tables they reference.
    """
    spec = defined.spec
    referenced = [catalog[name] for name in references_of(defined) if name in catalog]
    resource_keys = {
        CLOCK_RESOURCE_KEY,
        RESULTS_STORE_RESOURCE_KEY,
        *(source_resource_key(t.spec.source) for t in (defined, *referenced)),
    }

    @dg.asset(
        key=asset_key(spec.table),
        group_name=spec.group or "default",
        owners=list(spec.owners),
        description=spec.description or f"Monitored table {spec.source.display()}",
        deps=[asset_key(dep) for dep in spec.deps],
        check_specs=check_specs(defined),
        freshness_policy=freshness_policy(defined),
        required_resource_keys=resource_keys,
        kinds={spec.source.type},
        metadata={
            "dagster/table_name": spec.source.table_name,
            "dq/source": spec.source.display(),
            "dq/definition": str(defined.path),
        },
    )
    def _table_asset(context: AssetExecutionContext) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        yield from run_table_step(context, defined, catalog)

    return _table_asset


def run_table_step(
    context: AssetExecutionContext, defined: DefinedTable, catalog: Mapping[str, DefinedTable]
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Inspect the table and report. An unreadable source yields error outcomes, then fails the step."""
    from dq_assets.history import instance_history
    from dq_assets.past_runs import read_past_runs
    from dq_assets.steps.inspect import inspect_table, unreadable_results
    from dq_assets.steps.metadata import asset_metadata
    from dq_assets.steps.report import check_results

    key = asset_key(defined.spec.table)
    now = getattr(context.resources, CLOCK_RESOURCE_KEY).now()

    def open_defined(table: DefinedTable) -> OpenedTable:
        resource = getattr(context.resources, source_resource_key(table.spec.source))
        return open_table(resource, table.spec.source)

    def open_reference(name: str) -> OpenedTable:
        if name not in catalog:
            raise SourceError(f"{name!r} is not a monitored table")
        return open_defined(catalog[name])

    try:
        inspection = inspect_table(
            defined,
            open_defined(defined),
            open_reference=open_reference,
            history_for=instance_history(context.instance, key),
            past=read_past_runs(context.instance, key, limit=HISTORY_RUNS_READ),
            now=now,
        )
    except SourceError as error:
        context.log.error(f"{defined.spec.table}: {error}")
        unreadable = unreadable_results(defined, str(error))
        saved = _store_results(context, defined.spec.table, now, unreadable=unreadable)
        yield from check_results(key, unreadable)
        raise dg.Failure(
            description=f"{defined.spec.table}: source unavailable: {error}",
            metadata={"definition": str(defined.path), RESULTS_METADATA_KEY: saved},
            allow_retries=True,
        ) from error
    version = inspection.description.data_version
    metadata = asset_metadata(inspection.description, inspection.profile)
    metadata[CHECKED_AT_KEY] = dg.MetadataValue.timestamp(now)
    if inspection.scores is not None:
        from dq_assets.steps.metadata import metadata_values

        metadata.update(metadata_values(inspection.scores.as_metadata()))
    metadata[RESULTS_METADATA_KEY] = dg.MetadataValue.text(
        _store_results(context, defined.spec.table, now, inspection=inspection)
    )
    yield dg.MaterializeResult(
        metadata=metadata,
        data_version=dg.DataVersion(version) if version is not None else None,
        check_results=check_results(key, inspection.checks),
    )


def _store_results(
    context: AssetExecutionContext,
    table: str,
    now: datetime,
    *,
    inspection: Any = None,
    unreadable: Any = None,
) -> str:
    """Write the tidy copy for dashboards: `written`, or `error: <why>`.

    A results store that is down never fails the checks (they are the product; the tidy copy can
    be rebuilt), but it is never silent either: the step logs it, its metadata says it, and
    `dq run` prints it and exits 2.
    """
    from dq_checks.results.tidy import tidy_run, tidy_unreadable_run

    store = getattr(context.resources, RESULTS_STORE_RESOURCE_KEY)
    try:
        if inspection is not None:
            run = tidy_run(table, context.run.run_id, now, inspection)
        else:
            run = tidy_unreadable_run(table, context.run.run_id, now, unreadable)
        store.write_run(run)
    except Exception as error:  # the checks are the product; the tidy copy can be rebuilt
        from dq_resources.sqlstore.unavailable import StoreUnavailable, cause_of

        cause = str(error) if isinstance(error, StoreUnavailable) else f"results store: {cause_of(error)}"
        context.log.error(f"{table}: results not saved: {cause}")
        return f"error: {cause}"
    return "written"
