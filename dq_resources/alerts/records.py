"""Plain snapshots of stored alerts, events and deliveries, for the CLI and the notifiers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dq_checks.alerts.messages import AlertNews
from dq_checks.alerts.model import AlertSeverity, AlertState, AlertStatus, AlertType, NotificationKind
from dq_resources.alerts.schema import AlertDeliveryRow, AlertEventRow, AlertRow


@dataclass(frozen=True)
class AlertRecord:
    """One alert as stored."""

    id: int
    dedup_key: str
    asset: str
    check: str
    type: AlertType
    severity: AlertSeverity
    status: AlertStatus
    title: str
    message: str
    details: dict[str, Any]
    first_seen: datetime
    last_seen: datetime
    occurrences: int
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    snoozed_until: datetime | None
    resolved_by: str | None
    resolved_at: datetime | None
    resolution_notes: str | None
    last_notified_at: datetime | None
    delivery_state: str
    delivery_error: str | None

    @classmethod
    def of(cls, row: AlertRow) -> AlertRecord:
        """Snapshot an ORM row."""
        return cls(
            id=row.id,
            dedup_key=row.dedup_key,
            asset=row.asset,
            check=row.check_name,
            type=AlertType(row.type),
            severity=AlertSeverity(row.severity),
            status=AlertStatus(row.status),
            title=row.title,
            message=row.message,
            details=dict(row.details or {}),
            first_seen=row.first_seen,
            last_seen=row.last_seen,
            occurrences=row.occurrences,
            acknowledged_by=row.acknowledged_by,
            acknowledged_at=row.acknowledged_at,
            snoozed_until=row.snoozed_until,
            resolved_by=row.resolved_by,
            resolved_at=row.resolved_at,
            resolution_notes=row.resolution_notes,
            last_notified_at=row.last_notified_at,
            delivery_state=row.delivery_state,
            delivery_error=row.delivery_error,
        )


def state_of(row: AlertRow) -> AlertState:
    """What the lifecycle decision needs of a row."""
    return AlertState(
        status=AlertStatus(row.status),
        severity=AlertSeverity(row.severity),
        type=AlertType(row.type),
        snoozed_until=row.snoozed_until,
        last_notified_at=row.last_notified_at,
        first_seen=row.first_seen,
    )


def news_of(row: AlertRow, kind: NotificationKind) -> AlertNews:
    """The alert as an item of a message."""
    return AlertNews(
        alert_id=row.id,
        kind=kind,
        check=row.check_name,
        type=AlertType(row.type),
        severity=AlertSeverity(row.severity),
        status=AlertStatus(row.status),
        title=row.title,
        message=row.message,
        occurrences=row.occurrences,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        details=dict(row.details or {}),
    )


@dataclass(frozen=True)
class EventRecord:
    """One entry of an alert's history."""

    at: datetime
    kind: str
    actor: str | None
    evaluation_id: int | None
    from_status: str | None
    to_status: str | None
    severity: str | None
    note: str | None

    @classmethod
    def of(cls, row: AlertEventRow) -> EventRecord:
        """Snapshot an ORM row."""
        return cls(
            row.at,
            row.kind,
            row.actor,
            row.evaluation_id,
            row.from_status,
            row.to_status,
            row.severity,
            row.note,
        )


@dataclass(frozen=True)
class DeliveryRecord:
    """One notification owed to one channel, and how its delivery went."""

    id: int
    alert_id: int
    asset: str
    channel: str
    kind: NotificationKind
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None
    message_id: str | None

    @classmethod
    def of(cls, row: AlertDeliveryRow) -> DeliveryRecord:
        """Snapshot an ORM row."""
        return cls(
            row.id,
            row.alert_id,
            row.asset,
            row.channel,
            NotificationKind(row.kind),
            row.status,
            row.attempts,
            row.created_at,
            row.next_attempt_at,
            row.last_error,
            row.sent_at,
            row.message_id,
        )


@dataclass(frozen=True)
class DueDelivery:
    """A claimed delivery and the alert it is about, ready to be grouped into messages."""

    delivery: DeliveryRecord
    news: AlertNews
