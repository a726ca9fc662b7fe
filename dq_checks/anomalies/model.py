"""What a detector reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from dq_checks.profile.model import Scalar


class Severity(StrEnum):
    """How bad an anomaly is. Critical fails the check with ERROR, warning with WARN; info only reports."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Order for picking the worst severity."""
        return _RANKS[self]


_RANKS = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


@dataclass(frozen=True)
class Anomaly:
    """One anomaly in one column, with the measurement and the threshold it broke."""

    column: str
    type: str
    method: str
    value: float
    threshold: float
    severity: Severity
    description: str
    examples: tuple[Scalar, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the `dq run --json` shape)."""
        return {
            "column": self.column,
            "type": self.type,
            "method": self.method,
            "value": self.value,
            "threshold": self.threshold,
            "severity": self.severity.value,
            "description": self.description,
            "examples": list(self.examples),
        }


def worst_severity(anomalies: Iterable[Anomaly]) -> Severity | None:
    """The most severe level among `anomalies`, or None when there are none."""
    return max((a.severity for a in anomalies), key=lambda s: s.rank, default=None)
