"""`dq propose` and `dq rules pending | approve | reject`.

Rules proposed from profiles or requests stay pending until an engineer approves them into the
table's definition.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import click
from tabulate import tabulate

from dq_assets.cli.options import CONFIG_OPTION
from dq_checks.config.loader import DefinedTable, LoadedConfig, load_table_specs
from dq_checks.config.models import RuleSeverity
from dq_checks.config.paths import default_config_dir
from dq_checks.proposing.pending import DryRun, Proposal
from dq_checks.suggestions import unknown_table

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def _loaded(config_dir: Path | None) -> tuple[Path, LoadedConfig]:
    directory = config_dir or default_config_dir()
    loaded = load_table_specs(directory)
    if loaded.problems:
        _fail("invalid definitions:\n" + "\n".join(str(p) for p in loaded.problems))
    return directory, loaded


def _table(loaded: LoadedConfig, name: str) -> DefinedTable:
    defined = loaded.by_name(name)
    if defined is None:
        _fail(unknown_table(name, (t.spec.table for t in loaded.tables)))
    return defined


def _now() -> datetime:
    return datetime.now(tz=UTC)


def _user() -> str:
    return os.environ.get("USER") or os.environ.get("USERNAME") or "cli"


def describe_dry_run(dry_run: DryRun | None) -> str:
    """What the rule made of today's rows, in the threshold's own terms.

    `passes: 98.1% of rows meet it (threshold >= 0.95); 950 of 50,000 rows do not`: the share that
    passes comes first, then the rows that do not, so a pass with failing rows never reads as a
    contradiction. `passes: all 50,000 rows meet it`, `fails: ...`, or the error.
    """
    if dry_run is None:
        return "not run"
    if dry_run.outcome == "error":
        return f"error: {dry_run.message.removeprefix('error: ')}"
    verdict = "passes" if dry_run.outcome == "pass" else "fails"
    failed, evaluated = dry_run.failed_rows, dry_run.evaluated_rows
    if failed is not None and evaluated:
        if failed == 0:
            return f"{verdict}: all {evaluated:,} rows meet it"
        if (dry_run.condition or "").endswith("on every row"):
            return f"{verdict}: {failed:,} of {evaluated:,} rows do not meet it, and every row must"
        meeting = 100 * (evaluated - failed) / evaluated
        threshold = _threshold(dry_run.condition)
        judged = f" ({threshold})" if threshold else ""
        return (
            f"{verdict}: {_percent(meeting)} of rows meet it{judged}; {failed:,} of {evaluated:,} rows do not"
        )
    return f"{'passes' if dry_run.outcome == 'pass' else dry_run.outcome + 's'}: {dry_run.message}"


def _threshold(condition: str | None) -> str | None:
    """`threshold >= 0.95` from a row rule's `... with threshold >= 0.95` or a share's `>= 0.95`."""
    if condition is None:
        return None
    _, marker, after = condition.rpartition("with threshold ")
    if marker:
        return f"threshold {after}"
    if condition.lstrip().startswith(("<", ">", "=", "!", "between", "BETWEEN")):
        return f"threshold {condition.strip()}"
    return None


def _percent(share: float) -> str:
    """98.1%, 99.98%, 0.002%: enough digits that a share short of 100% never rounds up to it."""
    for digits in range(1, 6):
        text = f"{share:.{digits}f}"
        if float(text) < 100 or share >= 100:
            return f"{text.rstrip('0').rstrip('.') if '.' in text else text}%"
    return f"{share}%"


@click.command("propose")
@click.argument("table")
@click.argument("request", required=False)
@CONFIG_OPTION
def propose(table: str, request: str | None, config_dir: Path | None) -> None:
    """Propose rules for TABLE, from its profile and, when given, a REQUEST in plain language.

    Claude proposes when ANTHROPIC_API_KEY is set; otherwise the offline profile-based proposer.
    Every proposal is validated as an engineer's rule would be, then dry-run, then stored as
    *pending*: nothing runs as a check until `dq rules approve`. An invalid proposal is dropped
    with the reason, never run and never stored. Exit 0 when the run completed (whether or not
    anything was new to propose), 2 on an error (the model, the source or the store).
    """
    from dq_assets.cli.run import instance_for_cli
    from dq_assets.proposals.settings import latest_profile, proposal_store, rule_proposer_resource
    from dq_assets.source_resources import default_resources, open_table, source_resource_key
    from dq_checks.proposing.model import ProposerError
    from dq_checks.proposing.pending import ProposalsFileError
    from dq_resources.proposals.store import ProposalStoreError
    from dq_resources.source_contract import SourceError
    from dq_runs.proposals.pipeline import propose_for_table

    directory, loaded = _loaded(config_dir)
    defined = _table(loaded, table)
    catalog = {t.spec.table: t for t in loaded.tables}
    resources = default_resources()
    proposer = rule_proposer_resource().process_config_and_initialize()

    def open_defined(target: DefinedTable) -> object:
        return open_table(resources[source_resource_key(target.spec.source)], target.spec.source)

    failure: str | None = None
    # Earlier profiles of the referenced tables come from $DAGSTER_HOME's instance, when there is one.
    with ExitStack() as stack:
        instance = stack.enter_context(instance_for_cli()) if os.environ.get("DAGSTER_HOME") else None
        try:
            run = propose_for_table(
                defined,
                catalog,
                open_defined=open_defined,  # type: ignore[arg-type]
                proposer=proposer,
                store=proposal_store(directory),
                now=_now(),
                request=request,
                reference_profile=(lambda name: latest_profile(instance, name)) if instance else None,
            )
        except (ProposerError, SourceError, ProposalsFileError, ProposalStoreError) as error:
            failure = str(error)
    if failure is not None:
        _fail(failure)
    click.echo(
        f"proposed by {run.proposed_by} for {table}: {len(run.added)} pending, {len(run.dropped)} dropped"
    )
    for proposal in run.added:
        _print_proposal(proposal)
    for dropped in run.dropped:
        click.echo(f"  dropped {dropped.rule!r}: {dropped.reason}")
    if run.usage:
        click.echo("tokens: " + ", ".join(f"{k} {v:,}" for k, v in sorted(run.usage.items())))
    if run.added:
        click.echo(f"written to {run.location}; approve with: dq rules approve {table} NAME")
    sys.exit(EXIT_OK)


def _print_proposal(proposal: Proposal) -> None:
    click.echo(f"\n  {proposal.name}  [{proposal.severity.value}, {proposal.rule_type}]")
    click.echo(f"    rule:      {proposal.rule}")
    click.echo(f"    why:       {proposal.reasoning}")
    for scenario in proposal.false_positive_scenarios:
        click.echo(f"    may misfire when: {scenario}")
    click.echo(f"    dry run:   {describe_dry_run(proposal.dry_run)}")


@click.command("pending")
@click.argument("table", required=False)
@CONFIG_OPTION
def pending(table: str | None, config_dir: Path | None) -> None:
    """List proposals waiting for approval (expired ones marked), for TABLE or every table."""
    from dq_assets.proposals.settings import proposal_store
    from dq_checks.proposing.pending import ProposalsFileError, ProposalStatus, parse_proposals
    from dq_resources.proposals.store import ProposalStoreError

    directory, loaded = _loaded(config_dir)
    tables = [_table(loaded, table)] if table else list(loaded.tables)
    store = proposal_store(directory)
    now = _now()
    rows = []
    for defined in tables:
        name = defined.spec.table
        try:
            proposals = parse_proposals(store.read(name), name, store.location(name))
        except (ProposalsFileError, ProposalStoreError) as error:
            _fail(str(error))
        for proposal in proposals.with_status(ProposalStatus.PENDING):
            rows.append(
                (
                    name,
                    proposal.name,
                    proposal.shown_status(now),
                    proposal.severity.value,
                    proposal.rule,
                    describe_dry_run(proposal.dry_run),
                    proposal.proposed_by,
                    f"{proposal.expires_at:%Y-%m-%d %H:%M}",
                )
            )
    if not rows:
        click.echo("no pending proposals")
        return
    headers = ("table", "name", "status", "severity", "rule", "dry run", "proposed by", "expires (UTC)")
    click.echo(tabulate(rows, headers=headers, maxcolwidths=[None, None, None, None, 60, 50, None, None]))


@click.command("approve")
@click.argument("table")
@click.argument("name")
@click.option("--severity", type=click.Choice([s.value for s in RuleSeverity]), default=None)
@click.option("--by", "by", default=None, help="Who approves (default: $USER).")
@click.option("--force", is_flag=True, help="Approve even an expired proposal, or one whose dry run errored.")
@CONFIG_OPTION
def approve(
    *, table: str, name: str, severity: str | None, by: str | None, force: bool, config_dir: Path | None
) -> None:
    """Move proposal NAME into TABLE's definition; it becomes a check on the next load.

    The definition file keeps its comments and layout. A proposal whose dry run errored (or that
    expired) is refused unless --force; an invalid rule is refused always.
    """
    from dq_assets.proposals.settings import proposal_store
    from dq_runs.proposals.decisions import ProposalDecisionError, approve_proposal

    directory, loaded = _loaded(config_dir)
    defined = _table(loaded, table)
    try:
        proposal = approve_proposal(
            defined,
            proposal_store(directory),
            name,
            known_tables=[t.spec.table for t in loaded.tables],
            by=by or _user(),
            now=_now(),
            severity=RuleSeverity(severity) if severity else None,
            force=force,
        )
    except ProposalDecisionError as error:
        _fail(str(error))
    click.echo(
        f"approved {proposal.name}: {proposal.rule} -> {defined.path} (severity {proposal.severity.value})"
    )


@click.command("reject")
@click.argument("table")
@click.argument("name")
@click.option("--reason", required=True, help="Why: it is kept, and the rule is never proposed again.")
@click.option("--by", "by", default=None, help="Who rejects (default: $USER).")
@CONFIG_OPTION
def reject(table: str, name: str, reason: str, by: str | None, config_dir: Path | None) -> None:
    """Reject proposal NAME with a reason."""
    from dq_assets.proposals.settings import proposal_store
    from dq_runs.proposals.decisions import ProposalDecisionError, reject_proposal

    directory, loaded = _loaded(config_dir)
    defined = _table(loaded, table)
    try:
        proposal = reject_proposal(
            defined, proposal_store(directory), name, by=by or _user(), reason=reason, now=_now()
        )
    except ProposalDecisionError as error:
        _fail(str(error))
    click.echo(f"rejected {proposal.name}: {proposal.rule} ({reason})")
