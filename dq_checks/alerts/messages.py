"""One message per table per tick: every alert of the table that has news, in one text and one payload."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dq_checks.alerts.model import AlertSeverity, AlertStatus, AlertType, NotificationKind

SUBJECT_LIMIT = 100
"""SNS subjects are at most 100 characters."""


@dataclass(frozen=True)
class AlertNews:
    """One alert in a message, and why it is in it."""

    alert_id: int
    kind: NotificationKind
    check: str
    type: AlertType
    severity: AlertSeverity
    status: AlertStatus
    title: str
    message: str
    occurrences: int
    first_seen: datetime
    last_seen: datetime
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "alert_id": self.alert_id,
            "kind": self.kind.value,
            "check": self.check,
            "type": self.type.value,
            "severity": self.severity.value,
            "status": self.status.value,
            "title": self.title,
            "message": self.message,
            "occurrences": self.occurrences,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "details": self.details,
        }


@dataclass(frozen=True)
class Notification:
    """What a channel sends: a subject, a plain text body and a structured payload."""

    message_id: str
    table: str
    subject: str
    text: str
    items: tuple[AlertNews, ...]

    def payload(self) -> dict[str, Any]:
        """The webhook's JSON body (and the structured part of every other channel)."""
        return {
            "message_id": self.message_id,
            "source": "dq",
            "table": self.table,
            "subject": self.subject,
            "text": self.text,
            "alerts": [item.as_dict() for item in self.items],
        }


_VERBS = {
    NotificationKind.OPENED: "new",
    NotificationKind.ESCALATED: "escalated",
    NotificationKind.REMINDER: "still failing",
    NotificationKind.RESOLVED: "resolved",
}


def compose(message_id: str, table: str, items: Sequence[AlertNews]) -> Notification:
    """The message for `items`, all about `table`; the worst news first."""
    ordered = sorted(items, key=_order)
    counts: dict[NotificationKind, int] = {}
    for item in ordered:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    summary = ", ".join(
        f"{n} {_VERBS[kind]}" for kind, n in sorted(counts.items(), key=lambda kv: _KIND_ORDER[kv[0]])
    )
    subject = f"[dq] {table}: {summary}"
    lines = [f"{table}: {summary}"]
    for item in ordered:
        lines.append(
            f"- [{_VERBS[item.kind]}] {item.severity.value.upper()} {item.check} ({item.type.value}): "
            f"{item.message} (alert #{item.alert_id}, seen {item.occurrences}x since "
            f"{item.first_seen:%Y-%m-%d %H:%M} UTC)"
        )
    return Notification(
        message_id=message_id,
        table=table,
        subject=_truncate(subject, SUBJECT_LIMIT),
        text="\n".join(lines),
        items=tuple(ordered),
    )


_KIND_ORDER = {
    NotificationKind.OPENED: 0,
    NotificationKind.ESCALATED: 1,
    NotificationKind.REMINDER: 2,
    NotificationKind.RESOLVED: 3,
}


def _order(item: AlertNews) -> tuple[int, int, str]:
    return (_KIND_ORDER[item.kind], -item.severity.rank, item.check)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
