"""An engineer's decision on a proposal: approve it into the table's definition, or reject it."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from dq_checks.config.loader import DefinedTable
from dq_checks.config.models import RuleEntry, RuleSeverity
from dq_checks.config.yaml_edit import append_rule_entries
from dq_checks.proposing.model import RuleCandidate
from dq_checks.proposing.pending import (
    Proposal,
    ProposalsFile,
    ProposalsFileError,
    ProposalStatus,
    parse_proposals,
    render_proposals,
)
from dq_checks.suggestions import did_you_mean
from dq_resources.proposals.store import ProposalStore, ProposalStoreError
from dq_runs.proposals.checking import validate_as_definition


class ProposalDecisionError(Exception):
    """The proposal cannot be decided on: unknown, decided, expired, invalid, errored, or its name taken."""


def approve_proposal(
    defined: DefinedTable,
    store: ProposalStore,
    name: str,
    *,
    known_tables: Collection[str],
    by: str,
    now: datetime,
    severity: RuleSeverity | None = None,
    force: bool = False,
) -> Proposal:
    """Append the rule to the table's YAML (comments kept), then mark the proposal approved.

    The rule is validated again as the definition will read it (the file may have been edited by
    hand since it was proposed); an invalid rule is refused even with `force`. A proposal whose dry
    run errored, or that has none, or that expired, is approved only with `force`: nobody has seen
    what it does on today's data.
    """
    proposals, proposal = _pending(defined, store, name)
    candidate = RuleCandidate(
        rule=proposal.rule,
        reasoning=proposal.reasoning,
        false_positive_scenarios=tuple(proposal.false_positive_scenarios),
        severity=severity or proposal.severity,
        rule_type=proposal.rule_type,
        name=proposal.name,
    )
    _, problem = validate_as_definition(defined, candidate, known_tables)
    if problem is not None:
        raise ProposalDecisionError(f"proposal {name!r} is not a valid rule for {defined.path}: {problem}")
    if not force:
        refusal = _unproven(proposal, now)
        if refusal is not None:
            raise ProposalDecisionError(f"proposal {name!r} {refusal}; propose again, or pass --force")
    taken = {rule.check_name for rule in defined.rules}
    if proposal.name in taken:
        raise ProposalDecisionError(f"{defined.path} already has a rule named {proposal.name!r}")
    chosen = severity or proposal.severity
    entry = RuleEntry(name=proposal.name, rule=proposal.rule, severity=chosen)
    try:
        append_rule_entries(defined.path, [entry])
    except OSError as error:
        raise ProposalDecisionError(f"{defined.path}: cannot be written: {error}") from None
    approved = proposal.model_copy(
        update={"status": ProposalStatus.APPROVED, "approved_by": by, "approved_at": now, "severity": chosen}
    )
    _write(store, defined.spec.table, proposals.replace(approved))
    return approved


def _unproven(proposal: Proposal, now: datetime) -> str | None:
    """Why the proposal's dry run does not show what it would do today, or None when it does."""
    dry_run = proposal.dry_run
    if dry_run is None:
        return "was never dry-run"
    if dry_run.outcome == "error":
        return f"cannot be approved: its dry run errored: {dry_run.message.removeprefix('error: ')}"
    if proposal.expired(now):
        return f"expired at {proposal.expires_at:%Y-%m-%d %H:%M} UTC: its dry run is stale"
    return None


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
    _write(store, defined.spec.table, proposals.replace(rejected))
    return rejected


def _write(store: ProposalStore, table: str, proposals: ProposalsFile) -> None:
    try:
        store.write(table, render_proposals(proposals))
    except ProposalStoreError as error:
        raise ProposalDecisionError(str(error)) from None


def _pending(defined: DefinedTable, store: ProposalStore, name: str) -> tuple[ProposalsFile, Proposal]:
    table = defined.spec.table
    try:
        proposals = parse_proposals(store.read(table), table, store.location(table))
    except (ProposalsFileError, ProposalStoreError) as error:
        raise ProposalDecisionError(str(error)) from None
    proposal = proposals.named(name)
    if proposal is None:
        pending = [p.name for p in proposals.with_status(ProposalStatus.PENDING)]
        hint = did_you_mean(name, pending)
        raise ProposalDecisionError(
            f"no proposal {name!r} for {table}; pending: {', '.join(pending) or 'none'}{hint}"
        )
    if proposal.status is not ProposalStatus.PENDING:
        raise ProposalDecisionError(f"proposal {name!r} is already {proposal.status.value}")
    return proposals, proposal
