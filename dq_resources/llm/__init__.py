"""Rule proposer resources: Claude through the Messages API, and the offline profile-based one."""

from dq_resources.llm.claude import ClaudeRuleProposer
from dq_resources.llm.profile import ProfileRuleProposer

__all__ = ["ClaudeRuleProposer", "ProfileRuleProposer"]
