"""An engineer's decision on a proposal: approve it into the table's definition, or reject it."""

from __future__ import annotations

from datetime import datetime

from dq_checks.config.loader import DefinedTable
from dq_checks.config.models import RuleEntry, RuleSeverity
from dq_checks.config.yaml_edit import append_rule_entries
from dq_checks.proposing.pending import (
    Proposal,
    ProposalsFile,
    ProposalsFileError,
    ProposalStatus,
    parse_proposals,
    render_proposals,
)
from dq_resources.proposals.store import ProposalStore


class ProposalDecisionError(Exception):
    """The proposal cannot be decided on: unknown, already decided, expired, or its name is taken."""


def approve_proposal(
    defined: DefinedTable,
    store: ProposalStore,
    name: str,
    *,
    by: str,
    now: datetime,
    severity: RuleSeverity | None = None,
    force: bool = False,
) -> Proposal:
    """Append the rule to the table's YAML (comments kept), then mark the proposal approved."""
    proposals, proposal = _pending(defined, store, name)
    if proposal.expired(now) and not force:
        raise ProposalDecisionError(
            f"proposal {name!r} expired at {proposal.expires_at:%Y-%m-%d %H:%M} UTC: its dry run is stale; "
            "propose again, or pass --force"
        )
    taken = {rule.check_name for rule in defined.rules}
    if proposal.name in taken:
        raise ProposalDecisionError(f"{defined.path} already has a rule named {proposal.name!r}")
    chosen = severity or proposal.severity
    append_rule_entries(defined.path, [RuleEntry(name=proposal.name, rule=proposal.rule, severity=chosen)])
    approved = proposal.model_copy(
        update={"status": ProposalStatus.APPROVED, "approved_by": by, "approved_at": now, "severity": chosen}
    )
    store.write(defined.spec.table, render_proposals(proposals.replace(approved)))
    return approved


def reject_proposal(
    defined: DefinedTable, store: ProposalStore, name: str, *, by: str, reason: str, now: datetime
) -> Proposal:
    """Mark the proposal rejected; the reason is kept and the rule is not proposed again."""
    proposals, proposal = _pending(defined, store, name)
    rejected = proposal.model_copy(
        update={
            "status": ProposalStatus.REJECTED,
            "rejected_by": by,
            "rejected_at": now,
            "rejection_reason": reason,
        }
    )
    store.write(defined.spec.table, render_proposals(proposals.replace(rejected)))
    return rejected


def _pending(defined: DefinedTable, store: ProposalStore, name: str) -> tuple[ProposalsFile, Proposal]:
    table = defined.spec.table
    try:
        proposals = parse_proposals(store.read(table), table, store.location(table))
    except ProposalsFileError as error:
        raise ProposalDecisionError(str(error)) from None
    proposal = proposals.named(name)
    if proposal is None:
        names = ", ".join(p.name for p in proposals.with_status(ProposalStatus.PENDING)) or "none"
        raise ProposalDecisionError(f"no proposal {name!r} for {table}; pending: {names}")
    if proposal.status is not ProposalStatus.PENDING:
        raise ProposalDecisionError(f"proposal {name!r} is already {proposal.status.value}")
    return proposals, proposal
