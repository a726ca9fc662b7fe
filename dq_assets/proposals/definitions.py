"""The Dagster side of proposals: the `propose_rules` job and the `<table>_rule_proposals` assets.

The job takes a request from the UI; each asset runs after its table's checks, automatically.
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext, OpExecutionContext

from dq_assets.source_resources import CLOCK_RESOURCE_KEY, open_table, source_resource_key
from dq_assets.table_asset import asset_key
from dq_checks.config.loader import DefinedTable
from dq_checks.suggestions import unknown_table

PROPOSER_RESOURCE_KEY = "dq_rule_proposer"
PROPOSAL_STORE_RESOURCE_KEY = "dq_proposal_store"
PROPOSE_JOB = "propose_rules"
PROPOSALS_SUFFIX = "_rule_proposals"
USAGE_TAG_PREFIX = "dq/llm_"


class ProposeRulesConfig(dg.Config):
    """Launch from the UI's launchpad: `{table: orders, request: "amounts are positive"}`."""

    table: str
    request: str | None = None


def proposals_asset_key(table: str) -> dg.AssetKey:
    """`shop/orders` gives AssetKey(['shop', 'orders_rule_proposals'])."""
    key = asset_key(table)
    return dg.AssetKey([*key.path[:-1], key.path[-1] + PROPOSALS_SUFFIX])


def _resource_keys(catalog: Mapping[str, DefinedTable], store_key: str) -> set[str]:
    sources = {source_resource_key(t.spec.source) for t in catalog.values()}
    return {PROPOSER_RESOURCE_KEY, store_key, CLOCK_RESOURCE_KEY, *sources}


def _propose(
    context: OpExecutionContext | AssetExecutionContext,
    defined: DefinedTable,
    catalog: Mapping[str, DefinedTable],
    request: str | None,
    store_key: str = PROPOSAL_STORE_RESOURCE_KEY,
) -> dict[str, dg.MetadataValue]:
    """Run the pipeline with the run's resources; return metadata. A proposer error fails the step."""
    from dq_assets.proposals.settings import latest_profile
    from dq_checks.proposing.model import ProposerError
    from dq_checks.proposing.pending import ProposalsFileError
    from dq_resources.proposals.store import ProposalStoreError
    from dq_resources.source_contract import SourceError
    from dq_runs.proposals.pipeline import propose_for_table

    resources = context.resources

    def open_defined(target: DefinedTable) -> Any:
        return open_table(getattr(resources, source_resource_key(target.spec.source)), target.spec.source)

    try:
        run = propose_for_table(
            defined,
            catalog,
            open_defined=open_defined,
            proposer=getattr(resources, PROPOSER_RESOURCE_KEY),
            store=getattr(resources, store_key),
            now=getattr(resources, CLOCK_RESOURCE_KEY).now(),
            request=request,
            reference_profile=lambda name: latest_profile(context.instance, name),
        )
    except (ProposerError, SourceError, ProposalsFileError, ProposalStoreError) as error:
        raise dg.Failure(description=f"{defined.spec.table}: rule proposals failed: {error}") from error
    if run.usage:
        context.instance.add_run_tags(
            context.run.run_id, {USAGE_TAG_PREFIX + key: str(value) for key, value in run.usage.items()}
        )
    for dropped in run.dropped:
        context.log.warning(f"dropped {dropped.rule!r}: {dropped.reason}")
    rows = "\n".join(
        f"| {p.name} | `{p.rule}` | {p.severity.value} | {p.dry_run.outcome if p.dry_run else '-'} |"
        for p in run.added
    )
    return {
        "proposed_by": dg.MetadataValue.text(run.proposed_by),
        "proposed": dg.MetadataValue.int(len(run.added)),
        "dropped": dg.MetadataValue.int(len(run.dropped)),
        "proposals_file": dg.MetadataValue.path(run.location),
        "skipped": dg.MetadataValue.text(run.skipped_reason or "-"),
        "pending": dg.MetadataValue.md("| name | rule | severity | dry run |\n|---|---|---|---|\n" + rows),
        **{f"{USAGE_TAG_PREFIX}{k}": dg.MetadataValue.int(v) for k, v in run.usage.items()},
    }


def build_proposals_asset(
    defined: DefinedTable,
    catalog: Mapping[str, DefinedTable],
    store_key: str = PROPOSAL_STORE_RESOURCE_KEY,
) -> dg.AssetsDefinition:
    """`<table>_rule_proposals`: after each check run, proposals for the columns no rule covers yet.

    `store_key` names the proposal store of the definitions' own folder (one per dq component).
    """
    spec = defined.spec

    @dg.asset(
        key=proposals_asset_key(spec.table),
        deps=[asset_key(spec.table)],
        group_name=spec.group or "default",
        owners=list(spec.owners),
        description=f"Rules proposed for {spec.table}'s uncovered columns, pending an engineer's approval.",
        required_resource_keys=_resource_keys(catalog, store_key),
        kinds={"dq"},
    )
    def _rule_proposals(context: AssetExecutionContext) -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata=_propose(context, defined, catalog, None, store_key))

    return _rule_proposals


def build_propose_job(
    catalog: Mapping[str, DefinedTable],
    name: str = PROPOSE_JOB,
    store_key: str = PROPOSAL_STORE_RESOURCE_KEY,
) -> dg.JobDefinition:
    """`propose_rules`: one table, one request in plain language, from the UI or `dagster job launch`.

    Its op is `<name>_for_table` (`propose_rules_for_table`): op names are unique in a repository.
    """

    @dg.op(name=f"{name}_for_table", required_resource_keys=_resource_keys(catalog, store_key))
    def _propose_op(context: OpExecutionContext, config: ProposeRulesConfig) -> dg.Output[None]:
        defined = catalog.get(config.table)
        if defined is None:
            raise dg.Failure(description=unknown_table(config.table, catalog))
        return dg.Output(None, metadata=_propose(context, defined, catalog, config.request, store_key))

    @dg.job(name=name, description="Propose rules for a table from a request in plain language.")
    def _propose_rules() -> None:
        _propose_op()

    return _propose_rules
