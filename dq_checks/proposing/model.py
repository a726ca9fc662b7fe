"""What a rule proposer is given and what it returns, before validation, dry run and storage.

A proposer (the offline profile-based one, or Claude) receives a `ProposalContext` and returns
`RuleCandidate`s. Nothing a proposer returns is trusted: every candidate is parsed, checked
against the schema and dry-run before it is written as a *pending* proposal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from dq_checks.anomalies.model import Anomaly
from dq_checks.config.models import RuleSeverity
from dq_checks.profile.model import Scalar, TableProfile

TABLE_LEVEL = "*"
"""In `covered_columns`: table-level rules (RowCount) are covered already."""


@dataclass(frozen=True)
class RuleCandidate:
    """One proposed rule: its DQDL, why it is proposed, and where it came from."""

    rule: str
    """The DQDL rule, e.g. `ColumnValues "amount" between 0 and 10000`."""
    reasoning: str
    false_positive_scenarios: tuple[str, ...]
    severity: RuleSeverity
    rule_type: str
    """The suggested rule type, e.g. `ColumnValues`; checked against the rule's own type."""
    name: str | None = None
    """A check name (`^[A-Za-z][A-Za-z0-9_]*$`); derived from the rule when absent."""


@dataclass(frozen=True)
class ReferenceKey:
    """A key column of another monitored table, which a foreign key here may reference."""

    table: str
    column: str
    data_type: str
    min: Scalar
    max: Scalar
    distinct_count: int | None


@dataclass(frozen=True)
class ProposalContext:
    """Everything a proposer may use. Values of `pii_columns` are never in `profile` (redacted)."""

    table: str
    profile: TableProfile
    key: tuple[str, ...] = ()
    pii_columns: tuple[str, ...] = ()
    anomalies: tuple[Anomaly, ...] = ()
    references: tuple[ReferenceKey, ...] = ()
    covered_columns: frozenset[str] = frozenset()
    """Columns an active, pending or rejected rule already covers: propose for the others."""
    request: str | None = None
    """An engineer's request in plain language, or None for the automatic path."""
    freshness_max_age_hours: float | None = None
    freshness_column: str | None = None
    """The table's `freshness.timestamp_column`: the one column the configured maximum age is about."""
    now: datetime | None = None


@dataclass(frozen=True)
class DroppedCandidate:
    """A candidate that did not survive validation, and why."""

    rule: str
    reason: str


CandidateCheck = Callable[[RuleCandidate], str | None]
"""Static validation of one candidate (parse, schema, SQL safety): the problem, or None when it is valid."""


@dataclass(frozen=True)
class ProposerOutput:
    """The candidates that passed `check`, the ones dropped with their reasons, and the cost."""

    candidates: tuple[RuleCandidate, ...]
    dropped: tuple[DroppedCandidate, ...] = ()
    usage: dict[str, int] = field(default_factory=dict)
    """Token counts (input_tokens, output_tokens, ...) summed over every model call."""


class ProposerError(Exception):
    """The proposer could not produce an answer (the model unreachable, overloaded or answering garbage)."""


class RuleProposer(Protocol):
    """Anything that proposes rules for a table."""

    @property
    def proposed_by(self) -> str:
        """Recorded with each proposal: the model's id, or `profile`."""
        ...

    def propose(self, context: ProposalContext, check: CandidateCheck) -> ProposerOutput:
        """Candidates for the context's table; each returned candidate has passed `check`."""
        ...
