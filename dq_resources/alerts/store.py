"""The alert store: signals in, alerts with a lifecycle and an outbox of deliveries out.

Every method is one transaction. `record` is idempotent per Dagster evaluation: the unique
`alert_events.evaluation_id` makes a second pass over the same evaluation change nothing, so
the sensors can re-read the event log after a crash without double effects.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from dq_checks.alerts.lifecycle import Action, Decision, EventKind, NotifyPolicy, decide, snooze_over
from dq_checks.alerts.model import AlertStatus, NotificationKind, Signal
from dq_checks.alerts.routing import channels_for
from dq_checks.config.models import AlertRouting
from dq_resources.alerts.migrate import upgrade
from dq_resources.alerts.records import (
    AlertRecord,
    DeliveryRecord,
    DueDelivery,
    EventRecord,
    news_of,
    state_of,
)
from dq_resources.alerts.schema import AlertCursorRow, AlertDeliveryRow, AlertEventRow, AlertRow
from dq_resources.sqlstore.unavailable import open_store

SYSTEM_ACTOR = "dq"
PENDING = "pending"
SENT = "sent"
CHUNK = 500
"""Ids per IN (...) list: well inside every database's parameter limit."""

RETRIES = 3
APPLIED_PREFIX = "applied:"
T = TypeVar("T")
RoutingFor = Callable[[str], AlertRouting]


class _AppliedConcurrently(Exception):
    """Another transaction moved a feed's applied mark since this one read it."""


class AlertStoreError(Exception):
    """A request the store cannot honour: an unknown alert, or a transition its status forbids."""


@dataclass
class RecordSummary:
    """What one `record` call did."""

    processed: int = 0
    duplicates: int = 0
    opened: int = 0
    repeated: int = 0
    resolved: int = 0
    ignored: int = 0
    queued: int = 0


class AlertStore:
    """Alerts, their history and their outbox in one SQL database (sqlite or Postgres)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def connect(cls, url: str) -> AlertStore:
        """Open the store at `url` and bring its schema up to date.

        Whatever stops it (a folder that cannot be created, a database that does not exist, a
        refused login) is a StoreUnavailable naming the store, with the password hidden.
        """
        return cls(open_store("alert store", url, upgrade))

    def dispose(self) -> None:
        """Close the connection pool."""
        self.engine.dispose()

    # -- signals -----------------------------------------------------------------------------

    def record(
        self,
        signals: Sequence[Signal],
        routing_for: RoutingFor,
        policy: NotifyPolicy,
        now: datetime,
        *,
        feed: str | None = None,
        through: int | None = None,
    ) -> RecordSummary:
        """Apply `signals` in order, in one transaction, and queue the notifications they call for.

        A signal whose evaluation was recorded before is skipped: every evaluation that changed an
        alert has a row in `alert_events`, whose unique `evaluation_id` rejects a second one. An
        evaluation that changed nothing (a pass with nothing open) leaves no row, yet applied again
        later it could resolve an alert opened since; so with `feed` and `through` the same
        transaction also records that every event of `feed` up to storage id `through` is applied,
        and later calls skip them. Two processes applying the same events at once: one transaction
        is rejected (the unique constraint, or the compare-and-set of that mark) and runs again.
        """
        for attempt in range(RETRIES):
            try:
                with self._sessions.begin() as session:
                    return self._record(
                        session, signals, routing_for, policy, now=now, feed=feed, through=through
                    )
            except (IntegrityError, _AppliedConcurrently):
                if attempt == RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _record(
        self,
        session: Session,
        signals: Sequence[Signal],
        routing_for: RoutingFor,
        policy: NotifyPolicy,
        *,
        now: datetime,
        feed: str | None,
        through: int | None,
    ) -> RecordSummary:
        summary = RecordSummary()
        applied = _applied_through(session, feed) if feed is not None else None
        known = self._known_evaluations(session, [s.evaluation_id for s in signals])
        fresh: list[Signal] = []
        for signal in signals:
            if signal.evaluation_id in known or (applied is not None and signal.feed_position <= applied):
                summary.duplicates += 1
                continue
            known.add(signal.evaluation_id)
            fresh.append(signal)
        active = self._active_by_key(session, {s.dedup_key for s in fresh})
        for signal in fresh:
            row = active.get(signal.dedup_key)
            decision = decide(state_of(row) if row is not None else None, signal, now, policy)
            summary.processed += 1
            if decision.action is Action.IGNORE:
                summary.ignored += 1
                continue
            before = row.status if row is not None else None
            row = self._apply(session, row, signal, decision, now)
            if decision.action is Action.RESOLVE:
                active.pop(signal.dedup_key, None)
                summary.resolved += 1
            else:
                active[signal.dedup_key] = row
                summary.opened += decision.action is Action.OPEN
                summary.repeated += decision.action is Action.REPEAT
            session.add(
                AlertEventRow(
                    alert=row,
                    at=signal.observed_at,
                    kind=decision.event.value if decision.event else decision.action.value,
                    actor=SYSTEM_ACTOR,
                    evaluation_id=signal.evaluation_id,
                    from_status=before,
                    to_status=row.status,
                    severity=signal.severity.value,
                    note=decision.reason,
                )
            )
            if decision.notify is not None:
                summary.queued += self._enqueue(session, row, decision.notify, routing_for(row.asset), now)
        if feed is not None and through is not None and through > (applied if applied is not None else -1):
            _mark_applied(session, feed, applied, through, now)
        return summary

    def applied_through(self, feed: str) -> int | None:
        """The storage id up to which every event of `feed` has been applied (None: nothing yet)."""
        with self._sessions() as session:
            return _applied_through(session, feed)

    @staticmethod
    def _apply(
        session: Session, row: AlertRow | None, signal: Signal, decision: Decision, now: datetime
    ) -> AlertRow:
        if decision.action is Action.OPEN:
            row = AlertRow(
                dedup_key=signal.dedup_key,
                asset=signal.asset,
                check_name=signal.check,
                type=signal.type.value,
                severity=signal.severity.value,
                title=signal.title,
                message=signal.message,
                details=signal.details,
                status=AlertStatus.OPEN.value,
                first_seen=signal.observed_at,
                last_seen=signal.observed_at,
                occurrences=1,
                delivery_state="none",
            )
            session.add(row)
            return row
        assert row is not None
        if decision.action is Action.RESOLVE:
            row.status = AlertStatus.RESOLVED.value
            row.resolved_at = signal.observed_at
            row.resolved_by = SYSTEM_ACTOR
            row.resolution_notes = f"{signal.check} passed: {signal.message}"
            return row
        row.occurrences += 1
        row.last_seen = max(row.last_seen, signal.observed_at)
        if signal.severity.rank > state_of(row).severity.rank:
            row.severity = signal.severity.value  # the alert keeps its peak, so a flapping level rises once
        row.type, row.title, row.message, row.details = (
            signal.type.value,
            signal.title,
            signal.message,
            signal.details,
        )
        if decision.status is not None:
            row.status = decision.status.value
            if decision.status is AlertStatus.OPEN:
                row.snoozed_until = None
        return row

    @staticmethod
    def _enqueue(
        session: Session, row: AlertRow, kind: NotificationKind, routing: AlertRouting, now: datetime
    ) -> int:
        channels = channels_for(routing, state_of(row).severity)
        if kind is NotificationKind.REMINDER and row.id is not None:
            waiting = set(
                session.scalars(
                    select(AlertDeliveryRow.channel).where(
                        AlertDeliveryRow.alert_id == row.id, AlertDeliveryRow.status == PENDING
                    )
                )
            )
            channels = tuple(
                c for c in channels if c not in waiting
            )  # a reminder never piles on an unsent message
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

    def expire_snoozes(self, routing_for: RoutingFor, now: datetime) -> int:
        """Snoozed alerts whose time has come open again, and a reminder is queued."""
        with self._sessions.begin() as session:
            rows = session.scalars(
                select(AlertRow).where(
                    AlertRow.status == AlertStatus.SNOOZED.value, AlertRow.snoozed_until <= now
                )
            ).all()
            for row in rows:
                if not snooze_over(state_of(row), now):
                    continue
                row.status, row.snoozed_until = AlertStatus.OPEN.value, None
                session.add(
                    AlertEventRow(
                        alert=row,
                        at=now,
                        kind=EventKind.SNOOZE_ENDED.value,
                        actor=SYSTEM_ACTOR,
                        from_status=AlertStatus.SNOOZED.value,
                        to_status=row.status,
                        note="snooze ended while the alert is still open",
                    )
                )
                self._enqueue(session, row, NotificationKind.REMINDER, routing_for(row.asset), now)
            return len(rows)

    # -- deliveries --------------------------------------------------------------------------

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
            for chunk in _chunks(due):
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
            rows = self._deliveries(session, delivery_ids)
            for row in rows:
                row.status, row.sent_at, row.message_id = SENT, now, message_id
                row.attempts += 1
                row.lease_owner = row.lease_until = None
                session.add(
                    AlertEventRow(
                        alert_id=row.alert_id,
                        at=now,
                        kind=EventKind.NOTIFIED.value,
                        actor=SYSTEM_ACTOR,
                        note=f"{row.kind} sent to {row.channel} (message {message_id})",
                    )
                )
            self._refresh_delivery_state(session, {row.alert_id for row in rows})

    def mark_failed(
        self, delivery_ids: Sequence[int], error: str, now: datetime, backoff: Callable[[int], timedelta]
    ) -> None:
        """The channel refused or could not be reached: retry each delivery after `backoff(attempts)`."""
        with self._sessions.begin() as session:
            rows = self._deliveries(session, delivery_ids)
            for row in rows:
                row.attempts += 1
                row.last_error = error
                row.next_attempt_at = now + backoff(row.attempts)
                row.lease_owner = row.lease_until = None
                session.add(
                    AlertEventRow(
                        alert_id=row.alert_id,
                        at=now,
                        kind=EventKind.DELIVERY_FAILED.value,
                        actor=SYSTEM_ACTOR,
                        note=f"{row.kind} to {row.channel}, attempt {row.attempts}: {error}; "
                        f"next try at {row.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC",
                    )
                )
            self._refresh_delivery_state(session, {row.alert_id for row in rows})

    @staticmethod
    def _deliveries(session: Session, ids: Sequence[int]) -> list[AlertDeliveryRow]:
        rows: list[AlertDeliveryRow] = []
        for chunk in _chunks(ids):
            rows.extend(session.scalars(select(AlertDeliveryRow).where(AlertDeliveryRow.id.in_(chunk))))
        return rows

    @staticmethod
    def _refresh_delivery_state(session: Session, alert_ids: set[int]) -> None:
        """`pending`, `retrying` (with the last error), `delivered` or `none`, from the alert's deliveries."""
        session.flush()
        for chunk in _chunks(sorted(alert_ids)):
            deliveries: dict[int, list[AlertDeliveryRow]] = {}
            for row in session.scalars(select(AlertDeliveryRow).where(AlertDeliveryRow.alert_id.in_(chunk))):
                deliveries.setdefault(row.alert_id, []).append(row)
            for alert in session.scalars(select(AlertRow).where(AlertRow.id.in_(chunk))):
                alert.delivery_state, alert.delivery_error = _delivery_state(deliveries.get(alert.id, []))

    # -- reading -----------------------------------------------------------------------------

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

    def get(self, alert_id: int) -> AlertRecord:
        """One alert; AlertStoreError when there is none with that id."""
        with self._sessions() as session:
            return AlertRecord.of(self._row(session, alert_id))

    def events(self, alert_id: int) -> list[EventRecord]:
        """The alert's history, oldest first."""
        with self._sessions() as session:
            self._row(session, alert_id)
            query = select(AlertEventRow).where(AlertEventRow.alert_id == alert_id).order_by(AlertEventRow.id)
            return [EventRecord.of(row) for row in session.scalars(query)]

    def deliveries(self, alert_id: int | None = None) -> list[DeliveryRecord]:
        """Deliveries of one alert (or of all), oldest first."""
        query = select(AlertDeliveryRow).order_by(AlertDeliveryRow.id)
        if alert_id is not None:
            query = query.where(AlertDeliveryRow.alert_id == alert_id)
        with self._sessions() as session:
            return [DeliveryRecord.of(row) for row in session.scalars(query)]

    # -- people ------------------------------------------------------------------------------

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
            row = self._row(session, alert_id)
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

    @staticmethod
    def _row(session: Session, alert_id: int) -> AlertRow:
        row = session.get(AlertRow, alert_id)
        if row is None:
            raise AlertStoreError(f"no alert with id {alert_id}")
        return row

    # -- cursors -----------------------------------------------------------------------------

    def cursor(self, name: str) -> str | None:
        """The stored cursor of consumer `name`."""
        with self._sessions() as session:
            row = session.get(AlertCursorRow, name)
            return row.value if row is not None else None

    def set_cursor(self, name: str, value: str, now: datetime) -> None:
        """Store the cursor of consumer `name`."""
        with self._sessions.begin() as session:
            row = session.get(AlertCursorRow, name)
            if row is None:
                session.add(AlertCursorRow(name=name, value=value, updated_at=now))
            else:
                row.value, row.updated_at = value, now

    # -- helpers -----------------------------------------------------------------------------

    @staticmethod
    def _known_evaluations(session: Session, ids: Sequence[int]) -> set[int]:
        known: set[int] = set()
        for chunk in _chunks(sorted(set(ids))):
            known.update(
                session.scalars(
                    select(AlertEventRow.evaluation_id).where(AlertEventRow.evaluation_id.in_(chunk))
                )
            )
        return known

    @staticmethod
    def _active_by_key(session: Session, keys: set[str]) -> dict[str, AlertRow]:
        active: dict[str, AlertRow] = {}
        for chunk in _chunks(sorted(keys)):
            query = select(AlertRow).where(
                AlertRow.dedup_key.in_(chunk), AlertRow.status != AlertStatus.RESOLVED.value
            )
            active.update((row.dedup_key, row) for row in session.scalars(query))
        return active


def _applied_through(session: Session, feed: str) -> int | None:
    row = session.get(AlertCursorRow, APPLIED_PREFIX + feed)
    return int(row.value) if row is not None else None


def _mark_applied(session: Session, feed: str, old: int | None, new: int, now: datetime) -> None:
    """Compare-and-set: moves the mark only if no other transaction moved it since it was read."""
    name = APPLIED_PREFIX + feed
    if old is None:
        session.add(AlertCursorRow(name=name, value=str(new), updated_at=now))
        session.flush()  # a concurrent first mark fails here, on the primary key
        return
    moved = session.execute(
        update(AlertCursorRow)
        .where(AlertCursorRow.name == name, AlertCursorRow.value == str(old))
        .values(value=str(new), updated_at=now)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise _AppliedConcurrently(name)


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


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
