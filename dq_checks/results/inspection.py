"""The shape of what one table step learned.

Summaries, workbooks and the results store read it without depending on the step itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from dq_checks.anomalies.model import Anomaly
from dq_checks.profile.model import TableProfile
from dq_checks.results.model import CheckResult
from dq_checks.rules.scores import Scores
from dq_checks.schema import TableDescription


class Inspection(Protocol):
    """What one table step learned (`dq_assets.steps.inspect.TableInspection` has this shape)."""

    @property
    def description(self) -> TableDescription:
        """The table as its metadata describes it."""
        ...

    @property
    def profile(self) -> TableProfile:
        """The profile, PII values already redacted."""
        ...

    @property
    def anomalies(self) -> Sequence[Anomaly]:
        """The anomalies found."""
        ...

    @property
    def checks(self) -> Sequence[CheckResult]:
        """Every check's outcome."""
        ...

    @property
    def duration_seconds(self) -> float:
        """How long the inspection took."""
        ...

    @property
    def scores(self) -> Scores | None:
        """The quality scores, when the table has rules."""
        ...
