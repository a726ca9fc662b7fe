"""Check outcomes, independent of Dagster: pass, fail, error or skip, with metadata.

Only the light value types are re-exported here, so that naming a check does not import
the profiler; the builders live in `dq_checks.results.builders`.
"""

from dq_checks.results.model import CheckResult, CheckSeverity, Markdown, Outcome
from dq_checks.results.names import ANOMALIES_CHECK, PROFILE_CHECK

__all__ = ["ANOMALIES_CHECK", "PROFILE_CHECK", "CheckResult", "CheckSeverity", "Markdown", "Outcome"]
