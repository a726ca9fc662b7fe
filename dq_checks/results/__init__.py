"""Check outcomes, independent of Dagster: pass, fail, error or skip, with metadata."""

from dq_checks.results.builders import anomalies_result, error_result, profile_result
from dq_checks.results.model import CheckResult, CheckSeverity, Markdown, Outcome

__all__ = [
    "CheckResult",
    "CheckSeverity",
    "Markdown",
    "Outcome",
    "anomalies_result",
    "error_result",
    "profile_result",
]
