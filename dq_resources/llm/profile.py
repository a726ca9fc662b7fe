"""The offline proposer: rules derived from the profile alone, no model and no network."""

from __future__ import annotations

import dagster as dg

from dq_checks.proposing.model import (
    CandidateCheck,
    DroppedCandidate,
    ProposalContext,
    ProposerOutput,
    RuleCandidate,
)


class ProfileRuleProposer(dg.ConfigurableResource):
    """Proposes rules from the table's profile (completeness, uniqueness, ranges, sets)."""

    @property
    def proposed_by(self) -> str:
        """Recorded with each proposal."""
        return "profile"

    def propose(self, context: ProposalContext, check: CandidateCheck) -> ProposerOutput:
        """The profile-derived candidates that pass `check`; the others dropped with their reasons."""
        from dq_checks.proposing.from_profile import propose_from_profile

        kept: list[RuleCandidate] = []
        dropped: list[DroppedCandidate] = []
        for candidate in propose_from_profile(context):
            problem = check(candidate)
            if problem is None:
                kept.append(candidate)
            else:
                dropped.append(DroppedCandidate(candidate.rule, problem))
        return ProposerOutput(tuple(kept), tuple(dropped))
