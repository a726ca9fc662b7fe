"""Reading alerts for people: the lists and the detail `dq alerts list` and `dq alerts show` print.

Every answer is a plain snapshot (`records.py`), so nothing returned holds a session open.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dq_checks.alerts.model import ACTIVE_STATUSES, AlertStatus
from dq_resources.alerts.errors import AlertStoreError
from dq_resources.alerts.records import AlertRecord, DeliveryRecord, EventRecord
from dq_resources.alerts.schema import AlertDeliveryRow, AlertEventRow, AlertRow
from dq_resources.alerts.sessions import Sessions


class AlertQueries:
    """Alerts, their history and their deliveries, read-only."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def list_alerts(
        self, status: AlertStatus | None = None, table: str | None = None, limit: int = 500
    ) -> list[AlertRecord]:
        """Alerts, most recently seen first."""
        query = select(AlertRow).order_by(AlertRow.last_seen.desc(), AlertRow.id.desc()).limit(limit)
        if status is not None:
            query = query.where(AlertRow.status == status.value)
        if table is not None:
            query = query.where(AlertRow.asset == table)
        with self._sessions() as session:
            return [AlertRecord.of(row) for row in session.scalars(query)]

    def active_alerts(self, table: str | None = None) -> list[AlertRecord]:
        """Every alert not yet resolved (open, acknowledged or snoozed), oldest first: what the UI lists."""
        statuses = [status.value for status in ACTIVE_STATUSES]
        query = (
            select(AlertRow).where(AlertRow.status.in_(statuses)).order_by(AlertRow.first_seen, AlertRow.id)
        )
        if table is not None:
            query = query.where(AlertRow.asset == table)
        with self._sessions() as session:
            return [AlertRecord.of(row) for row in session.scalars(query)]

    def get(self, alert_id: int) -> AlertRecord:
        """One alert; AlertStoreError when there is none with that id."""
        with self._sessions() as session:
            return AlertRecord.of(alert_row(session, alert_id))

    def events(self, alert_id: int) -> list[EventRecord]:
        """The alert's history, oldest first."""
        with self._sessions() as session:
            alert_row(session, alert_id)
            query = select(AlertEventRow).where(AlertEventRow.alert_id == alert_id).order_by(AlertEventRow.id)
            return [EventRecord.of(row) for row in session.scalars(query)]

    def deliveries(self, alert_id: int | None = None) -> list[DeliveryRecord]:
        """Deliveries of one alert (or of all), oldest first."""
        query = select(AlertDeliveryRow).order_by(AlertDeliveryRow.id)
        if alert_id is not None:
            query = query.where(AlertDeliveryRow.alert_id == alert_id)
        with self._sessions() as session:
            return [DeliveryRecord.of(row) for row in session.scalars(query)]


def alert_row(session: Session, alert_id: int) -> AlertRow:
    """The alert `alert_id` in the caller's session; AlertStoreError names an id that has none."""
    row = session.get(AlertRow, alert_id)
    if row is None:
        raise AlertStoreError(f"no alert with id {alert_id}")
    return row
