"""The factory that turns one table definition into one Dagster asset with its checks."""

from collections.abc import Iterator, Mapping

import dagster as dg
from dagster import AssetExecutionContext

from dq_assets.check_names import CHECK_DESCRIPTIONS, QUALITY_SCORE_CHECK, TABLE_CHECKS
from dq_assets.source_resources import open_table, source_resource_key
from dq_checks.config.loader import DefinedTable
from dq_resources.sources import OpenedTable, SourceUnavailable


def asset_key(table: str) -> dg.AssetKey:
    """'shop/orders' gives AssetKey(['shop', 'orders'])."""
    return dg.AssetKey(table.split("/"))


def check_specs(defined: DefinedTable) -> list[dg.AssetCheckSpec]:
    """Profile and anomalies, one check per rule, and quality_score when there are rules."""
    key = asset_key(defined.spec.table)
    specs = [
        dg.AssetCheckSpec(name=name, asset=key, description=CHECK_DESCRIPTIONS[name]) for name in TABLE_CHECKS
    ]
    specs += [
        dg.AssetCheckSpec(name=rule.check_name, asset=key, description=rule.text, blocking=rule.blocking)
        for rule in defined.rules
    ]
    if defined.rules:
        description = CHECK_DESCRIPTIONS[QUALITY_SCORE_CHECK]
        specs.append(dg.AssetCheckSpec(name=QUALITY_SCORE_CHECK, asset=key, description=description))
    return specs


def build_table_asset(defined: DefinedTable, catalog: Mapping[str, DefinedTable]) -> dg.AssetsDefinition:
    """One asset per monitored table. Its single step profiles the table and yields every check.

    `catalog` holds every monitored table, so rules can read the tables they reference.
    """
    spec = defined.spec
    from dq_assets.steps.inspect import references_of

    referenced = [catalog[name] for name in references_of(defined) if name in catalog]
    resource_keys = {source_resource_key(t.spec.source) for t in (defined, *referenced)}

    @dg.asset(
        key=asset_key(spec.table),
        group_name=spec.group or "default",
        owners=list(spec.owners),
        description=spec.description or f"Monitored table {spec.source.display()}",
        deps=[asset_key(dep) for dep in spec.deps],
        check_specs=check_specs(defined),
        required_resource_keys=resource_keys,
        kinds={spec.source.type},
        metadata={
            "dagster/table_name": spec.source.identifier,
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
    from dq_assets.steps.inspect import inspect_table, unreadable_results
    from dq_assets.steps.metadata import asset_metadata
    from dq_assets.steps.report import check_results

    key = asset_key(defined.spec.table)

    def open_defined(table: DefinedTable) -> OpenedTable:
        resource = getattr(context.resources, source_resource_key(table.spec.source))
        return open_table(resource, table.spec.source)

    def open_reference(name: str) -> OpenedTable:
        if name not in catalog:
            raise SourceUnavailable(f"{name!r} is not a monitored table")
        return open_defined(catalog[name])

    try:
        inspection = inspect_table(
            defined,
            open_defined(defined),
            open_reference=open_reference,
            history_for=instance_history(context.instance, key),
        )
    except SourceUnavailable as error:
        context.log.error(f"{defined.spec.table}: {error}")
        yield from check_results(key, unreadable_results(defined, str(error)))
        raise dg.Failure(
            description=f"{defined.spec.table}: source unavailable: {error}",
            metadata={"definition": str(defined.path)},
            allow_retries=True,
        ) from error
    version = inspection.description.data_version
    metadata = asset_metadata(inspection.description, inspection.profile)
    if inspection.scores is not None:
        from dq_assets.steps.metadata import metadata_values

        metadata.update(metadata_values(inspection.scores.as_metadata()))
    yield dg.MaterializeResult(
        metadata=metadata,
        data_version=dg.DataVersion(version) if version is not None else None,
        check_results=check_results(key, inspection.checks),
    )
