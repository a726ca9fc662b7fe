"""Which proposer, which store, and how earlier profiles are found: one small helper per choice.

Dagster and the asset modules are imported by the helpers that need them: `dq rules pending`,
`approve` and `reject` read the store alone, and start without Dagster.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dq_checks.config.paths import proposals_location
from dq_resources.proposals.store import ProposalStore, proposal_store_for

if TYPE_CHECKING:
    import dagster as dg

    from dq_checks.profile.model import TableProfile

API_KEY_ENV = "ANTHROPIC_API_KEY"


def rule_proposer_resource() -> Any:
    """Claude when `ANTHROPIC_API_KEY` is set (its value stays an EnvVar), else the offline proposer.

    Only the variable's presence is looked at here; the key itself is resolved by Dagster at run
    time and never shows in the UI.
    """
    if os.environ.get(API_KEY_ENV):
        import dagster as dg

        from dq_resources.llm.claude import ClaudeRuleProposer

        return ClaudeRuleProposer(api_key=dg.EnvVar(API_KEY_ENV))
    from dq_resources.llm.profile import ProfileRuleProposer

    return ProfileRuleProposer()


def proposal_store(config_dir: Path) -> ProposalStore:
    """`$DQ_PROPOSALS_DIR` (a folder or `s3://bucket/prefix`), else the project's `.dq/proposals/`."""
    return proposal_store_for(proposals_location(config_dir))


def latest_profile(instance: dg.DagsterInstance, table: str) -> TableProfile | None:
    """The profile the table's last check run recorded (PII values already redacted), if any."""
    from dq_assets.steps.metadata import PROFILE_JSON_KEY
    from dq_assets.table_asset import asset_key
    from dq_checks.profile.model import TableProfile

    event = instance.get_latest_materialization_event(asset_key(table))
    materialization = event.asset_materialization if event is not None else None
    value = materialization.metadata.get(PROFILE_JSON_KEY) if materialization is not None else None
    if value is None or not isinstance(value.value, dict):
        return None
    return TableProfile.from_dict(value.value)
