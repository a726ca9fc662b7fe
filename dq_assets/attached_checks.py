"""dq's checks on an asset the user's project defines (a table definition with `asset:`).

A `multi_asset_check` on the user's key: Dagster runs it after the asset in the same run, a
blocking rule's failure stops what is downstream, and each check can be executed on its own.
dq defines no asset: lineage, group, owners and freshness policy stay the user's.
"""

from collections.abc import Iterator, Mapping

import dagster as dg
from dagster import AssetCheckExecutionContext

from dq_assets.check_specs import check_specs
from dq_assets.source_resources import (
    ALERT_STORE_RESOURCE_KEY,
    CLOCK_RESOURCE_KEY,
    RESOURCE_KEYS,
    RESULTS_STORE_RESOURCE_KEY,
    source_resource_key,
)
from dq_assets.table_keys import is_attached, target_asset_key
from dq_assets.table_step import StepOutput, run_table_step
from dq_checks.config.loader import DefinedTable
from dq_checks.rules.references import references_of


def step_resource_keys(
    defined: DefinedTable, catalog: Mapping[str, DefinedTable], *, alerts: bool = False
) -> set[str]:
    """The clock, the results store, and the source resources of the table and the tables its rules read.

    With `alerts`, the alert store too: the step puts each check's alert on its metadata.
    """
    referenced = [catalog[name] for name in references_of(defined) if name in catalog]
    baseline = defined.spec.drift.baseline
    file_baseline = not isinstance(baseline, str) and baseline.file is not None and defined.spec.drift.enabled
    return {
        CLOCK_RESOURCE_KEY,
        RESULTS_STORE_RESOURCE_KEY,
        *(source_resource_key(t.spec.source) for t in (defined, *referenced)),
        *((RESOURCE_KEYS["file"],) if file_baseline else ()),
        *((ALERT_STORE_RESOURCE_KEY,) if alerts else ()),
    }


def attached_checks_name(defined: DefinedTable) -> str:
    """The op's name: `dq_checks_<asset key>`, readable in the run's step list."""
    return f"dq_checks_{target_asset_key(defined).to_python_identifier()}".replace("-", "_").replace(".", "_")


def build_whole_table_checks(
    view: DefinedTable, catalog: Mapping[str, DefinedTable], *, alerts: bool = False
) -> dg.AssetChecksDefinition:
    """A partitioned table's whole-table rules (`scope: table`), unpartitioned, run by a step of their own.

    `view` is `dq_checks.partitions.scopes.whole_table(...)`: the same table, its rules alone.
    """
    name = f"dq_whole_table_checks_{target_asset_key(view).to_python_identifier()}"

    @dg.multi_asset_check(
        name=name.replace("-", "_").replace(".", "_"),
        specs=check_specs(view),
        description=f"The rules of {view.spec.table} that judge every partition at once",
        can_subset=True,
        required_resource_keys=step_resource_keys(view, catalog, alerts=alerts),
    )
    def _whole_table_checks(context: AssetCheckExecutionContext) -> Iterator[StepOutput]:
        yield from run_table_step(context, view, catalog, materialize=False)

    return _whole_table_checks


def build_attached_checks(
    defined: DefinedTable, catalog: Mapping[str, DefinedTable], *, alerts: bool = False
) -> dg.AssetChecksDefinition:
    """Every check of the definition, on the user's asset `asset:` names, run by one subsettable step."""
    if not is_attached(defined):
        raise ValueError(f"{defined.path}: has no asset: to attach to (build_table_asset)")
    spec = defined.spec
    description = spec.description or f"dq's checks on {spec.source.display()}"

    @dg.multi_asset_check(
        name=attached_checks_name(defined),
        specs=check_specs(defined),
        description=description,
        can_subset=True,
        required_resource_keys=step_resource_keys(defined, catalog, alerts=alerts),
    )
    def _attached_checks(context: AssetCheckExecutionContext) -> Iterator[StepOutput]:
        yield from run_table_step(context, defined, catalog, materialize=False)

    return _attached_checks
