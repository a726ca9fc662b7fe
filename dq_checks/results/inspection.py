"""What one table step learned.

The step (`dq_runs.inspect`) returns it; summaries, workbooks and the results store read it
without depending on the step itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dq_checks.anomalies.model import Anomaly
from dq_checks.profile.model import TableProfile
from dq_checks.results.model import CheckResult
from dq_checks.rules.scores import Scores
from dq_checks.schema import TableDescription

if TYPE_CHECKING:
    from dq_checks.analyzers.compute import AnalyzerResult
    from dq_checks.drift.model import TableDrift


@dataclass(frozen=True)
class TableInspection:
    """Everything one step learned about a table. Values of PII columns are already redacted.

    `redacted_columns` are the columns whose values were hidden: the PII columns, or every
    column when a PII entry names no column of the table. What reads the table again (the
    report's sample, a proposer's prompt) hides the same ones.
    """

    description: TableDescription
    profile: TableProfile
    anomalies: list[Anomaly]
    checks: list[CheckResult]
    duration_seconds: float
    scores: Scores | None = None
    redacted_columns: tuple[str, ...] = ()
    analyzers: list[AnalyzerResult] = field(default_factory=list)
    """What the table's analyzers measured: statistics, never a pass or a fail."""
    metrics: dict[str, float] = field(default_factory=dict)
    """Each metric measured by a rule or an analyzer, by its history key (`Column.email.Completeness`)."""
    drift: TableDrift | None = None
    """The `drift` check's comparison with its baseline, when one ran (the reports show it)."""
