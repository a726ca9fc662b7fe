"""One proposal run for one table: profile, propose, validate, de-duplicate, dry-run, store as pending.

The CLI (`dq propose`), the `propose_rules` job and the automatic `<table>_rule_proposals` assets
all call `propose_for_table`. Nothing a proposer returns runs, except the bounded dry run of a
rule that has passed the same static validation as an engineer's own rules. The pipeline checks
every candidate itself before the dry run, whatever the proposer says it checked: a candidate
that fails is dropped with the reason (reported, never stored, never executed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from dq_checks.config.loader import DefinedTable
from dq_checks.config.models import RuleEntry
from dq_checks.config.rule_entries import rule_definitions
from dq_checks.dqdl.parser import parse_rule
from dq_checks.profile.model import TableProfile
from dq_checks.proposing.coverage import canonical, covered_columns
from dq_checks.proposing.model import (
    TABLE_LEVEL,
    CandidateCheck,
    DroppedCandidate,
    ProposalContext,
    ReferenceKey,
    RuleCandidate,
    RuleProposer,
)
from dq_checks.proposing.pending import (
    DryRun,
    Proposal,
    ProposalsFile,
    ProposalStatus,
    parse_proposals,
    render_proposals,
)
from dq_checks.results.inspection import TableInspection
from dq_checks.results.model import CheckResult
from dq_checks.rules.naming import RESERVED_CHECK_NAMES, slug
from dq_checks.schema import TableDescription
from dq_resources.proposals.store import ProposalStore
from dq_resources.source_contract import OpenedTable, SourceError
from dq_runs.inspect import inspect_table
from dq_runs.proposals.checking import static_check

PROPOSAL_LIFETIME = timedelta(days=7)

Opener = Callable[[DefinedTable], OpenedTable]
ProfileLookup = Callable[[str], TableProfile | None]


@dataclass
class ProposalRun:
    """What one run proposed, dropped and skipped, and what it cost."""

    table: str
    proposed_by: str
    location: str
    added: list[Proposal] = field(default_factory=list)
    dropped: list[DroppedCandidate] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)
    skipped_reason: str | None = None


def propose_for_table(
    defined: DefinedTable,
    catalog: Mapping[str, DefinedTable],
    *,
    open_defined: Opener,
    proposer: RuleProposer,
    store: ProposalStore,
    now: datetime,
    request: str | None = None,
    reference_profile: ProfileLookup | None = None,
) -> ProposalRun:
    """Propose rules for `defined` and store the survivors as pending proposals.

    With no `request` (the automatic path), only columns that no active, pending or rejected
    rule covers get proposals, and a table with none left costs one metadata read.
    """
    table = defined.spec.table
    run = ProposalRun(table, proposer.proposed_by, store.location(table))
    existing = parse_proposals(store.read(table), table, store.location(table))
    opened = open_defined(defined)
    description = opened.describe()
    covered = _covered(defined, existing, now) if request is None else frozenset()
    if request is None and {c.name for c in description.columns} <= covered and TABLE_LEVEL in covered:
        run.skipped_reason = "every column is covered by an active, pending or rejected rule"
        return run
    inspection = _inspect(replace(defined, rules=()), opened, catalog, open_defined, now)
    context = ProposalContext(
        table=table,
        profile=inspection.profile,
        key=defined.spec.key,
        pii_columns=inspection.redacted_columns,
        anomalies=tuple(inspection.anomalies),
        references=_reference_keys(defined, catalog, open_defined, reference_profile),
        covered_columns=covered,
        request=request,
        freshness_max_age_hours=defined.spec.freshness.max_age_hours if defined.spec.freshness else None,
        freshness_column=defined.spec.freshness.timestamp_column if defined.spec.freshness else None,
        now=now,
    )
    check = static_check(
        defined,
        description,
        catalog.keys(),
        lambda name: _describe(catalog, name, open_defined),
        now,
    )
    output = proposer.propose(context, check)
    run.usage = dict(output.usage)
    run.dropped = list(output.dropped)
    valid = _validated(list(output.candidates), check, run.dropped)
    fresh = _without_duplicates(valid, defined, existing, now, run.dropped)
    if not fresh:
        return run
    dry_runs = _dry_run(defined, fresh, opened=opened, catalog=catalog, open_defined=open_defined, now=now)
    proposals = [
        Proposal(
            name=candidate.name or slug(candidate.rule),
            rule=candidate.rule,
            severity=candidate.severity,
            rule_type=candidate.rule_type,
            proposed_by=proposer.proposed_by,
            proposed_at=now,
            expires_at=now + PROPOSAL_LIFETIME,
            reasoning=candidate.reasoning,
            false_positive_scenarios=list(candidate.false_positive_scenarios),
            dry_run=dry_run,
            request=request,
        )
        for candidate, dry_run in zip(fresh, dry_runs, strict=True)
    ]
    taken = [*RESERVED_CHECK_NAMES, *(rule.check_name for rule in defined.rules)]
    updated = existing.add(proposals, taken=taken)
    store.write(table, render_proposals(updated))
    run.added = updated.proposals[len(existing.proposals) :]
    return run


def _validated(
    candidates: list[RuleCandidate], check: CandidateCheck, dropped: list[DroppedCandidate]
) -> list[RuleCandidate]:
    """The candidates that pass `check` now, before anything runs; the rest dropped with the reason.

    A proposer is asked to return only checked candidates, but it is code we do not trust to be
    right: this is the gate the dry run stands behind.
    """
    kept = []
    for candidate in candidates:
        problem = check(candidate)
        if problem is None:
            kept.append(candidate)
        else:
            dropped.append(DroppedCandidate(candidate.rule, f"invalid, not run: {problem}"))
    return kept


def _covered(defined: DefinedTable, existing: ProposalsFile, now: datetime) -> frozenset[str]:
    rules = [r.rule for r in defined.rules if r.rule is not None]
    for proposal in existing.proposals:
        if proposal.status is ProposalStatus.PENDING and proposal.expired(now):
            continue
        try:
            rules.append(parse_rule(proposal.rule))
        except Exception:
            continue
    return covered_columns(rules)


def _without_duplicates(
    candidates: list[RuleCandidate],
    defined: DefinedTable,
    existing: ProposalsFile,
    now: datetime,
    dropped: list[DroppedCandidate],
) -> list[RuleCandidate]:
    """Drop duplicates of active rules, of live or approved proposals, and rules an engineer rejected."""
    known: dict[str, str] = {}
    for rule in defined.rules:
        if rule.rule is not None:
            known[canonical(rule.text) or rule.text] = f"duplicate of the active rule {rule.check_name}"
    for proposal in existing.proposals:
        text = canonical(proposal.rule) or proposal.rule
        if proposal.status is ProposalStatus.REJECTED:
            known[text] = f"rejected by {proposal.rejected_by}: {proposal.rejection_reason}"
        elif not proposal.expired(now):
            known.setdefault(text, f"already proposed as {proposal.name} ({proposal.status.value})")
    kept = []
    for candidate in candidates:
        text = canonical(candidate.rule) or candidate.rule
        if text in known:
            dropped.append(DroppedCandidate(candidate.rule, known[text]))
            continue
        known[text] = "proposed twice in one answer"
        kept.append(candidate)
    return kept


def _dry_run(
    defined: DefinedTable,
    candidates: list[RuleCandidate],
    *,
    opened: OpenedTable,
    catalog: Mapping[str, DefinedTable],
    open_defined: Opener,
    now: datetime,
) -> list[DryRun]:
    """Run the candidates once, as checks, against today's data; report each one's failing rows."""
    names = [f"proposal_{index}" for index in range(len(candidates))]
    entries = tuple(
        RuleEntry(name=name, rule=c.rule, severity=c.severity)
        for name, c in zip(names, candidates, strict=True)
    )
    spec = defined.spec.model_copy(update={"rules": entries})
    rules, _ = rule_definitions(spec, defined.path, None, set(catalog))
    trial = replace(defined, spec=spec, rules=rules)
    try:
        inspection = _inspect(trial, opened, catalog, open_defined, now)
    except SourceError as error:
        return [DryRun(outcome="error", message=f"dry run failed: {error}") for _ in candidates]
    results = {result.name: result for result in inspection.checks}
    locations = {rule.check_name: rule.location for rule in rules}
    return [_dry_run_of(results[name], locations[name]) for name in names]


def _dry_run_of(result: CheckResult, location: str) -> DryRun:
    """The dry run as stored; `location` (the definition file, which holds no proposal) is left out."""
    metadata = result.metadata
    evaluated = _int(metadata.get("evaluated_count"))
    failed = _int(metadata.get("failed_count"))
    if failed is None:
        failed = _int(metadata.get("duplicate_rows")) or _int(metadata.get("missing_rows_count"))
    fraction = failed / evaluated if evaluated and failed is not None else None
    observed = metadata.get("observed")
    return DryRun(
        outcome=result.outcome.value,
        message=result.description.replace(f"{location}: ", "", 1),
        evaluated_rows=evaluated,
        failed_rows=failed,
        failed_fraction=round(fraction, 6) if fraction is not None else None,
        observed=float(observed) if isinstance(observed, int | float) else None,
        condition=str(metadata["condition"]) if metadata.get("condition") is not None else None,
    )


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) else None


def _inspect(
    defined: DefinedTable,
    opened: OpenedTable,
    catalog: Mapping[str, DefinedTable],
    open_defined: Opener,
    now: datetime,
) -> TableInspection:
    def open_reference(name: str) -> OpenedTable:
        if name not in catalog:
            raise SourceError(f"{name!r} is not a monitored table")
        return open_defined(catalog[name])

    return inspect_table(defined, opened, open_reference=open_reference, now=now)


def _describe(
    catalog: Mapping[str, DefinedTable], name: str, open_defined: Opener
) -> TableDescription | None:
    if name not in catalog:
        return None
    try:
        return open_defined(catalog[name]).describe()
    except SourceError:
        return None


def _reference_keys(
    defined: DefinedTable,
    catalog: Mapping[str, DefinedTable],
    open_defined: Opener,
    reference_profile: ProfileLookup | None,
) -> tuple[ReferenceKey, ...]:
    """The single-column keys of the other monitored tables, with their value range when known."""
    keys = []
    for name, other in sorted(catalog.items()):
        if name == defined.spec.table or len(other.spec.key) != 1:
            continue
        column = other.spec.key[0]
        description = _describe(catalog, name, open_defined)
        info = description.column(column) if description is not None else None
        if info is None:
            continue
        profile = reference_profile(name) if reference_profile is not None else None
        profiled = profile.columns.get(column) if profile is not None else None
        keys.append(
            ReferenceKey(
                table=name,
                column=column,
                data_type=info.data_type,
                min=profiled.min if profiled else None,
                max=profiled.max if profiled else None,
                distinct_count=profiled.distinct_count if profiled else None,
            )
        )
    return tuple(keys)
