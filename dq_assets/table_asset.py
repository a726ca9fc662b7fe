"""The factory that turns one table definition into one Dagster asset with its checks."""

from collections.abc import Iterator

import dagster as dg
from dagster import AssetExecutionContext

from dq_assets.check_names import CHECK_DESCRIPTIONS, TABLE_CHECKS
from dq_assets.source_resources import open_table, source_resource_key
from dq_checks.config.loader import DefinedTable
from dq_resources.sources import SourceUnavailable


def asset_key(table: str) -> dg.AssetKey:
    """'shop/orders' gives AssetKey(['shop', 'orders'])."""
    return dg.AssetKey(table.split("/"))


def build_table_asset(defined: DefinedTable) -> dg.AssetsDefinition:
    """One asset per monitored table. Its single step profiles the table and yields every check."""
    spec = defined.spec
    key = asset_key(spec.table)
    check_specs = [
        dg.AssetCheckSpec(name=name, asset=key, description=CHECK_DESCRIPTIONS[name]) for name in TABLE_CHECKS
    ]
    resource_key = source_resource_key(spec.source)

    @dg.asset(
        key=key,
        group_name=spec.group or "default",
        owners=list(spec.owners),
        description=spec.description or f"Monitored table {spec.source.display()}",
        deps=[asset_key(dep) for dep in spec.deps],
        check_specs=check_specs,
        required_resource_keys={resource_key},
        kinds={spec.source.type},
        metadata={
            "dagster/table_name": spec.source.identifier,
            "dq/source": spec.source.display(),
            "dq/definition": str(defined.path),
        },
    )
    def _table_asset(context: AssetExecutionContext) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        yield from run_table_step(context, defined, getattr(context.resources, resource_key))

    return _table_asset


def run_table_step(
    context: AssetExecutionContext, defined: DefinedTable, source_resource: object
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Inspect the table and report. An unreadable source yields error outcomes, then fails the step."""
    from dq_assets.steps.inspect import inspect_table, unreadable_results
    from dq_assets.steps.metadata import asset_metadata
    from dq_assets.steps.report import check_results

    key = asset_key(defined.spec.table)
    try:
        inspection = inspect_table(defined, open_table(source_resource, defined.spec.source))
    except SourceUnavailable as error:
        context.log.error(f"{defined.spec.table}: {error}")
        yield from check_results(key, unreadable_results(str(error)))
        raise dg.Failure(
            description=f"{defined.spec.table}: source unavailable: {error}",
            metadata={"definition": str(defined.path)},
            allow_retries=True,
        ) from error
    version = inspection.description.data_version
    yield dg.MaterializeResult(
        metadata=asset_metadata(inspection.description, inspection.profile),
        data_version=dg.DataVersion(version) if version is not None else None,
        check_results=check_results(key, inspection.checks),
    )
