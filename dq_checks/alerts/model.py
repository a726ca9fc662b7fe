"""The vocabulary of alerts: types, statuses, severities, and the signal a check evaluation becomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from dq_checks.alerts.dedup import dedup_key


class AlertType(StrEnum):
    """What kind of problem an alert is about; it decides the wording, not the lifecycle."""

    RULE_FAILURE = "rule_failure"
    ANOMALY = "anomaly"
    VOLUME_ANOMALY = "volume_anomaly"
    SCHEMA_CHANGE = "schema_change"
    CHECK_ERROR = "check_error"
    QUALITY_SCORE = "quality_score"
    FRESHNESS_SLA = "freshness_sla"
    RUN_FAILURE = "run_failure"


class AlertStatus(StrEnum):
    """An alert's place in its lifecycle. Only `resolved` is final."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


ACTIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, AlertStatus.SNOOZED)


class AlertSeverity(StrEnum):
    """Dagster's two check severities, ordered so that a rise can be told from a repeat."""

    WARN = "warn"
    ERROR = "error"

    @property
    def rank(self) -> int:
        """Warn < error."""
        return _RANKS[self]


_RANKS = {AlertSeverity.WARN: 1, AlertSeverity.ERROR: 2}


class NotificationKind(StrEnum):
    """Why a notification is sent."""

    OPENED = "opened"
    ESCALATED = "escalated"
    REMINDER = "reminder"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class Signal:
    """One observation about one check: failing (opens or repeats an alert) or healthy (resolves it).

    `evaluation_id` is the Dagster event-log storage id of the evaluation it came from, so the
    same evaluation processed twice is recognised and changes nothing. A signal derived from
    another evaluation (a check that skipped, named in its run's profile evaluation) has an id of
    its own below zero, and `position` is that evaluation's storage id: where it stands in the feed.
    """

    evaluation_id: int
    asset: str
    check: str
    failing: bool
    type: AlertType
    severity: AlertSeverity
    title: str
    message: str
    observed_at: datetime
    details: dict[str, Any] = field(default_factory=dict)
    conclusive: bool = True
    """False for a skip: the check runs again (clearing a check_error), but it says nothing of the data."""
    position: int | None = None
    """The feed's storage id this signal stands at, when it is not `evaluation_id` itself."""

    @property
    def feed_position(self) -> int:
        """The storage id the feed read this signal at: what `applied through` marks compare with."""
        return self.position if self.position is not None else self.evaluation_id

    @property
    def dedup_key(self) -> str:
        """The alert this signal belongs to: `asset::check`, built by `dedup.dedup_key`."""
        return dedup_key(self.asset, self.check)


@dataclass(frozen=True)
class AlertState:
    """The parts of a stored alert that a lifecycle decision reads."""

    status: AlertStatus
    severity: AlertSeverity
    type: AlertType
    snoozed_until: datetime | None
    last_notified_at: datetime | None
    first_seen: datetime | None = None
