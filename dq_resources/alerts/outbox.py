"""The delivery outbox: notifications owed to channels, leased, sent, or retried with backoff.

The ledger queues a delivery (`queue_notifications`) in the same transaction that changes the
alert, so a notification is owed exactly when the change is stored. The tick then claims what is
due, sends it, and marks each delivery sent or failed; every attempt is an event in the alert's
history, and the alert's `delivery_state` sums up its deliveries.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from dq_checks.alerts.lifecycle import EventKind
from dq_checks.alerts.model import NotificationKind
from dq_checks.alerts.routing import channels_for
from dq_checks.config.models import AlertRouting
from dq_resources.alerts.records import DeliveryRecord, DueDelivery, news_of, state_of
from dq_resources.alerts.schema import SYSTEM_ACTOR, AlertDeliveryRow, AlertEventRow, AlertRow
from dq_resources.alerts.sessions import Sessions, in_chunks

PENDING = "pending"
SENT = "sent"


class DeliveryOutbox:
    """Claim due deliveries, and record how sending them went."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def claim_due_deliveries(
        self, now: datetime, lease: timedelta = timedelta(minutes=5)
    ) -> list[DueDelivery]:
        """Lease every pending delivery that is due, so that a concurrent tick cannot send it too."""
        owner = uuid.uuid4().hex
        free = or_(AlertDeliveryRow.lease_until.is_(None), AlertDeliveryRow.lease_until < now)
        with self._sessions.begin() as session:
            due = session.scalars(
                select(AlertDeliveryRow.id).where(
                    AlertDeliveryRow.status == PENDING, AlertDeliveryRow.next_attempt_at <= now, free
                )
            ).all()
            for chunk in in_chunks(due):
                session.execute(
                    update(AlertDeliveryRow)
                    .where(AlertDeliveryRow.id.in_(chunk), AlertDeliveryRow.status == PENDING, free)
                    .values(lease_owner=owner, lease_until=now + lease)
                )
        with self._sessions() as session:
            rows = session.scalars(
                select(AlertDeliveryRow)
                .where(AlertDeliveryRow.lease_owner == owner, AlertDeliveryRow.status == PENDING)
                .options(selectinload(AlertDeliveryRow.alert))  # one query for the alerts, not one each
                .order_by(AlertDeliveryRow.id)
            ).all()
            return [
                DueDelivery(DeliveryRecord.of(row), news_of(row.alert, NotificationKind(row.kind)))
                for row in rows
            ]

    def mark_delivered(self, delivery_ids: Sequence[int], message_id: str, now: datetime) -> None:
        """The message carrying these deliveries was accepted by its channel."""
        with self._sessions.begin() as session:
            rows = _deliveries(session, delivery_ids)
            for row in rows:
                row.status, row.sent_at, row.message_id = SENT, now, message_id
                row.attempts += 1
                row.lease_owner = row.lease_until = None
                note = f"{row.kind} sent to {row.channel} (message {message_id})"
                session.add(_attempt_event(row, EventKind.NOTIFIED, note, now))
            _refresh_delivery_state(session, {row.alert_id for row in rows})

    def mark_failed(
        self, delivery_ids: Sequence[int], error: str, now: datetime, backoff: Callable[[int], timedelta]
    ) -> None:
        """The channel refused or could not be reached: retry each delivery after `backoff(attempts)`."""
        with self._sessions.begin() as session:
            rows = _deliveries(session, delivery_ids)
            for row in rows:
                row.attempts += 1
                row.last_error = error
                row.next_attempt_at = now + backoff(row.attempts)
                row.lease_owner = row.lease_until = None
                note = (
                    f"{row.kind} to {row.channel}, attempt {row.attempts}: {error}; "
                    f"next try at {row.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC"
                )
                session.add(_attempt_event(row, EventKind.DELIVERY_FAILED, note, now))
            _refresh_delivery_state(session, {row.alert_id for row in rows})


def queue_notifications(
    session: Session, row: AlertRow, kind: NotificationKind, routing: AlertRouting, now: datetime
) -> int:
    """Owe `kind` about `row` to each channel its routing names for its severity; how many were queued.

    Runs in the caller's transaction. A reminder skips a channel whose earlier message is still
    pending: it never piles on an unsent message.
    """
    channels = channels_for(routing, state_of(row).severity)
    if kind is NotificationKind.REMINDER and row.id is not None:
        waiting = set(
            session.scalars(
                select(AlertDeliveryRow.channel).where(
                    AlertDeliveryRow.alert_id == row.id, AlertDeliveryRow.status == PENDING
                )
            )
        )
        channels = tuple(c for c in channels if c not in waiting)
    for channel in channels:
        session.add(
            AlertDeliveryRow(
                alert=row,
                asset=row.asset,
                channel=channel,
                kind=kind.value,
                status=PENDING,
                attempts=0,
                created_at=now,
                next_attempt_at=now,
            )
        )
    if channels:
        row.last_notified_at = now
        row.delivery_state = PENDING
    return len(channels)


def _attempt_event(row: AlertDeliveryRow, kind: EventKind, note: str, now: datetime) -> AlertEventRow:
    """The entry a delivery attempt writes into its alert's history."""
    return AlertEventRow(alert_id=row.alert_id, at=now, kind=kind.value, actor=SYSTEM_ACTOR, note=note)


def _deliveries(session: Session, ids: Sequence[int]) -> list[AlertDeliveryRow]:
    rows: list[AlertDeliveryRow] = []
    for chunk in in_chunks(ids):
        rows.extend(session.scalars(select(AlertDeliveryRow).where(AlertDeliveryRow.id.in_(chunk))))
    return rows


def _refresh_delivery_state(session: Session, alert_ids: set[int]) -> None:
    """`pending`, `retrying` (with the last error), `delivered` or `none`, from the alert's deliveries."""
    session.flush()
    for chunk in in_chunks(sorted(alert_ids)):
        deliveries: dict[int, list[AlertDeliveryRow]] = {}
        for row in session.scalars(select(AlertDeliveryRow).where(AlertDeliveryRow.alert_id.in_(chunk))):
            deliveries.setdefault(row.alert_id, []).append(row)
        for alert in session.scalars(select(AlertRow).where(AlertRow.id.in_(chunk))):
            alert.delivery_state, alert.delivery_error = _delivery_state(deliveries.get(alert.id, []))


def _delivery_state(rows: Iterable[AlertDeliveryRow]) -> tuple[str, str | None]:
    rows = list(rows)
    pending = [r for r in rows if r.status == PENDING]
    failing = [r for r in pending if r.attempts > 0]
    if failing:
        worst = max(failing, key=lambda r: r.attempts)
        return "retrying", f"{worst.channel}: {worst.last_error} ({worst.attempts} attempts)"
    if pending:
        return PENDING, None
    return ("delivered", None) if rows else ("none", None)
