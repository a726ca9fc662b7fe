"""The outcome of one check, in plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    """As in Soda: an error (the check could not be evaluated) is not a failure."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIP = "skip"


class CheckSeverity(StrEnum):
    """The two severities Dagster knows for a check that did not pass."""

    WARN = "WARN"
    ERROR = "ERROR"


class Markdown(str):
    """Text to be shown as rendered markdown rather than as plain text."""

    __slots__ = ()


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome, with a human description and machine-readable metadata."""

    name: str
    outcome: Outcome
    description: str
    severity: CheckSeverity | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Pass and skip count as passed; fail and error do not."""
        return self.outcome in (Outcome.PASS, Outcome.SKIP)
