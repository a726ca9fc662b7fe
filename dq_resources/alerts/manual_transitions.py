"""What people do to an alert: acknowledge it, snooze it, resolve it by hand (`dq alerts ack|snooze|resolve`).

Each is one transaction that checks the alert may still move (a resolved alert is final), sets
its status and writes the person's event into its history. What dq itself does to an alert is
the ledger's (`ledger.py`).
"""

from __future__ import annotations

from datetime import datetime

from dq_checks.alerts.lifecycle import EventKind
from dq_checks.alerts.model import AlertStatus
from dq_resources.alerts.errors import AlertStoreError
from dq_resources.alerts.queries import alert_row
from dq_resources.alerts.records import AlertRecord
from dq_resources.alerts.schema import AlertEventRow
from dq_resources.alerts.sessions import Sessions


class ManualTransitions:
    """A person's acknowledge, snooze and resolve, each recorded with who did it."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def acknowledge(self, alert_id: int, by: str, now: datetime) -> AlertRecord:
        """Someone is on it: the alert stays quiet until it resolves."""
        return self._transition(
            alert_id,
            AlertStatus.ACKNOWLEDGED,
            EventKind.ACKNOWLEDGED,
            by,
            now,
            note=None,
            acknowledged=(by, now),
        )

    def snooze(self, alert_id: int, until: datetime, by: str, now: datetime) -> AlertRecord:
        """Quiet until `until`; after that a failure that persists is notified again."""
        if until <= now:
            raise AlertStoreError(f"snooze until {until:%Y-%m-%d %H:%M} UTC is not in the future")
        return self._transition(
            alert_id,
            AlertStatus.SNOOZED,
            EventKind.SNOOZED,
            by,
            now,
            note=f"until {until.isoformat()}",
            until=until,
        )

    def resolve(self, alert_id: int, by: str, notes: str, now: datetime) -> AlertRecord:
        """Closed by a person; the next failure opens a new alert."""
        return self._transition(
            alert_id, AlertStatus.RESOLVED, EventKind.MANUALLY_RESOLVED, by, now, note=notes, notes=notes
        )

    def _transition(
        self,
        alert_id: int,
        status: AlertStatus,
        kind: EventKind,
        by: str,
        now: datetime,
        *,
        note: str | None,
        acknowledged: tuple[str, datetime] | None = None,
        until: datetime | None = None,
        notes: str | None = None,
    ) -> AlertRecord:
        with self._sessions.begin() as session:
            row = alert_row(session, alert_id)
            if row.status == AlertStatus.RESOLVED.value:
                raise AlertStoreError(f"alert {alert_id} is resolved; a new failure opens a new alert")
            before = row.status
            row.status = status.value
            row.snoozed_until = until
            if acknowledged is not None:
                row.acknowledged_by, row.acknowledged_at = acknowledged
            if status is AlertStatus.RESOLVED:
                row.resolved_by, row.resolved_at, row.resolution_notes = by, now, notes
            session.add(
                AlertEventRow(
                    alert=row,
                    at=now,
                    kind=kind.value,
                    actor=by,
                    from_status=before,
                    to_status=row.status,
                    note=note,
                )
            )
            session.flush()
            return AlertRecord.of(row)
