"""The per-table builders: dq's own monitored-table asset, or checks attached to the user's asset.

- A definition without `asset:` is a table produced outside Dagster: `build_table_asset` gives it
  an asset of dq's, materialized by its checks' step.
- A definition with `asset:` puts its checks on an asset the user's project defines:
  `build_attached_checks` (in `dq_assets.attached_checks`), and dq defines no asset.
Both run the same step (`dq_assets.table_step`), can run each check on its own, and yield only the
selected checks' results.
"""

from collections.abc import Iterator, Mapping
from datetime import timedelta

import dagster as dg
from dagster import AssetExecutionContext

from dq_assets.attached_checks import build_attached_checks, step_resource_keys
from dq_assets.check_specs import check_keys_of, check_specs
from dq_assets.lineage import upstream_tables
from dq_assets.partitions import partitions_def_for
from dq_assets.steps.run_metadata import RESULTS_METADATA_KEY
from dq_assets.table_keys import asset_key, is_attached, target_asset_key
from dq_assets.table_step import HISTORY_RUNS_READ, StepOutput, run_table_step
from dq_checks.config.loader import DefinedTable

__all__ = [
    "HISTORY_RUNS_READ",
    "RESULTS_METADATA_KEY",
    "asset_key",
    "build_attached_checks",
    "build_table_asset",
    "check_keys_of",
    "check_specs",
    "freshness_policy",
    "is_attached",
    "target_asset_key",
]


def freshness_policy(defined: DefinedTable) -> dg.FreshnessPolicy | None:
    """Dagster's own freshness policy for the UI and its freshness daemon, on dq's own asset only.

    Dagster measures it on materializations, i.e. on when the table was last checked; the
    `freshness` check and the freshness sensor measure the data's own last update. An attached
    table gets none: the asset is the user's, and so is its policy.
    """
    spec = defined.spec.freshness
    if spec is None or defined.spec.attached:
        return None
    fail = timedelta(hours=spec.max_age_hours)
    if spec.deadline_cron is not None:
        return dg.FreshnessPolicy.cron(
            deadline_cron=spec.deadline_cron, lower_bound_delta=fail, timezone=spec.timezone
        )
    warn = timedelta(hours=spec.warn_after_hours) if spec.warn_after_hours is not None else None
    return dg.FreshnessPolicy.time_window(fail_window=fail, warn_window=warn)


def table_asset_spec(defined: DefinedTable, catalog: Mapping[str, DefinedTable]) -> dg.AssetSpec:
    """The asset dq defines for a standalone table: key, group, owners, lineage, kind, where it lives."""
    spec = defined.spec
    return dg.AssetSpec(
        key=target_asset_key(defined),
        group_name=spec.group or "default",
        owners=list(spec.owners),
        description=spec.description or f"Monitored table {spec.source.display()}",
        deps=[
            target_asset_key(catalog[dep]) if dep in catalog else asset_key(dep)
            for dep in upstream_tables(defined, catalog)
        ],
        freshness_policy=freshness_policy(defined),
        partitions_def=partitions_def_for(defined),
        kinds={spec.source.type},
        metadata={
            "dagster/table_name": spec.source.table_name,
            "dq/source": spec.source.display(),
            "dq/definition": str(defined.path),
        },
    )


def build_table_asset(
    defined: DefinedTable, catalog: Mapping[str, DefinedTable], *, alerts: bool = False
) -> dg.AssetsDefinition:
    """One asset per standalone table. Its single step profiles the table and yields the selected checks.

    Subsettable: Dagster can run the asset with its checks, the asset alone, or any check alone
    (the step then inspects the table and yields no materialization). `catalog` holds every
    monitored table, so rules can read the tables they reference.
    """
    if is_attached(defined):
        raise ValueError(f"{defined.path}: has asset:, so dq defines no asset for it (build_attached_checks)")
    key = target_asset_key(defined)

    @dg.multi_asset(
        name=key.to_python_identifier(),
        specs=[table_asset_spec(defined, catalog)],
        check_specs=check_specs(defined),
        can_subset=True,
        required_resource_keys=step_resource_keys(defined, catalog, alerts=alerts),
    )
    def _table_asset(context: AssetExecutionContext) -> Iterator[StepOutput]:
        materialize = key in context.selected_asset_keys
        yield from run_table_step(context, defined, catalog, materialize=materialize)

    return _table_asset
