"""The pending-proposals file of one table: `proposals/<table>.yaml`.

Every proposal keeps its history in the file: `pending` until an engineer approves it (the rule
moves into the table's definition) or rejects it (the reason stays, so it is never proposed
again). A pending proposal past `expires_at` is *expired*: listed as such, approved only on
purpose. Nothing in this file ever runs as a check.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ruamel.yaml import YAML

from dq_checks.config.models import RuleSeverity
from dq_checks.config.safe_yaml import YamlProblem, load_plain_yaml

FILE_HEADER = (
    "# Rules proposed for {table}. Nothing here runs as a check.\n"
    "# `dq rules approve {table} NAME` moves a rule into the table's definition;\n"
    "# `dq rules reject {table} NAME --reason TEXT` records why not.\n"
)


NAME_MAX_LENGTH = 100
"""As for a rule's name in a table definition, which an approved proposal becomes."""


class ProposalStatus(StrEnum):
    """Where a proposal stands. `expired` is never stored: it is a pending one past its time."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class DryRun(BaseModel):
    """The proposal run once against today's data, before anyone approves it.

    A rule that fails 40% of today's rows is probably wrong; one that fails 0.1% may have found
    a real defect.
    """

    model_config = ConfigDict(extra="forbid")

    outcome: str
    message: str
    evaluated_rows: int | None = None
    failed_rows: int | None = None
    failed_fraction: float | None = None
    observed: float | None = None
    condition: str | None = None
    """What the rule asked of the data, as judged: `> 0.9`, or `... with threshold >= 0.95`."""


class Proposal(BaseModel):
    """One proposed rule and everything said about it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=NAME_MAX_LENGTH)
    rule: str
    severity: RuleSeverity = RuleSeverity.ERROR
    rule_type: str
    status: ProposalStatus = ProposalStatus.PENDING
    proposed_by: str
    proposed_at: datetime
    expires_at: datetime
    reasoning: str
    false_positive_scenarios: list[str] = Field(default_factory=list)
    dry_run: DryRun | None = None
    request: str | None = None
    approved_by: str | None = None
    approved_at: datetime | None = None
    rejected_by: str | None = None
    rejected_at: datetime | None = None
    rejection_reason: str | None = None

    def expired(self, now: datetime) -> bool:
        """Pending and past its time."""
        return self.status is ProposalStatus.PENDING and now >= self.expires_at

    def shown_status(self, now: datetime) -> str:
        """The status as listed: `expired` for a pending proposal past its time."""
        return "expired" if self.expired(now) else self.status.value


class ProposalsFile(BaseModel):
    """Every proposal ever made for one table."""

    model_config = ConfigDict(extra="forbid")

    table: str
    proposals: list[Proposal] = Field(default_factory=list)

    def named(self, name: str) -> Proposal | None:
        """The proposal called `name`."""
        return next((p for p in self.proposals if p.name == name), None)

    def with_status(self, *statuses: ProposalStatus) -> list[Proposal]:
        """Proposals in any of `statuses`, in file order."""
        return [p for p in self.proposals if p.status in statuses]

    def add(self, proposals: Iterable[Proposal], taken: Iterable[str] = ()) -> ProposalsFile:
        """A copy with `proposals` appended, names made unique by a numeric suffix.

        `taken` holds names used elsewhere (the table's active checks), which a proposal must not reuse.
        """
        taken = {p.name for p in self.proposals} | set(taken)
        added = []
        for proposal in proposals:
            name, suffix = proposal.name, 2
            while name in taken:
                base = proposal.name[: NAME_MAX_LENGTH - len(f"_{suffix}")]
                name, suffix = f"{base}_{suffix}", suffix + 1
            taken.add(name)
            added.append(proposal.model_copy(update={"name": name}))
        return self.model_copy(update={"proposals": [*self.proposals, *added]})

    def replace(self, updated: Proposal) -> ProposalsFile:
        """A copy with the proposal of the same name replaced."""
        proposals = [updated if p.name == updated.name else p for p in self.proposals]
        return self.model_copy(update={"proposals": proposals})


class ProposalsFileError(ValueError):
    """A proposals file that does not read: broken YAML, or an entry a hand edit spoiled."""


def parse_proposals(text: str, table: str, where: str = "proposals file") -> ProposalsFile:
    """Read a proposals file (an empty text is an empty file for `table`); `where` names it in errors."""
    try:
        data = load_plain_yaml(text) if text.strip() else None
    except YamlProblem as problem:
        place = where if problem.line is None else f"{where}:{problem.line}"
        raise ProposalsFileError(f"{place}: {problem.message}") from None
    if data is None:
        return ProposalsFile(table=table)
    try:
        return ProposalsFile.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in detail['loc'])}: {detail['msg']}" for detail in error.errors()
        )
        raise ProposalsFileError(f"{where}: {problems}") from None


def render_proposals(proposals: ProposalsFile) -> str:
    """The file's text: a header saying how to act on it, then the proposals, readable by people."""
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 110
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    yaml.dump(proposals.model_dump(mode="json", exclude_none=True), buffer)
    return FILE_HEADER.format(table=proposals.table) + buffer.getvalue()
