"""The alert ledger: signals in; alerts opened, repeated, escalated, reminded and resolved.

This is where an alert is deduplicated and persisted, the last step of the path that
`dq_checks/alerts/dedup.py` lays out. `AlertLedger.record`:

1. skips a signal whose evaluation was recorded before (its `evaluation_id` has a row in
   `alert_events`, or its feed's applied mark, in `cursors.py`, is past it);
2. loads the active (unresolved) alert of each signal's dedup key (`Signal.dedup_key`);
3. asks `dq_checks.alerts.lifecycle.decide` what the signal does to it, and applies that here;
4. writes the event, and queues the notifications the decision calls for in the outbox
   (`outbox.py`), which the tick then delivers.

The database holds the two rules even against a bug here (`schema.py`): `alert_events`' unique
`evaluation_id`, and one unresolved alert per `dedup_key`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dq_checks.alerts.lifecycle import Action, Decision, EventKind, NotifyPolicy, decide, snooze_over
from dq_checks.alerts.model import AlertStatus, NotificationKind, Signal
from dq_checks.config.models import AlertRouting
from dq_resources.alerts.cursors import AppliedConcurrently, applied_mark, move_applied_mark
from dq_resources.alerts.outbox import queue_notifications
from dq_resources.alerts.records import state_of
from dq_resources.alerts.schema import SYSTEM_ACTOR, AlertEventRow, AlertRow
from dq_resources.alerts.sessions import Sessions, in_chunks

RETRIES = 3
RoutingFor = Callable[[str], AlertRouting]


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


class AlertLedger:
    """Alerts and their history as dq changes them: every method is one transaction."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

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
                    return _record(session, signals, routing_for, policy, now=now, feed=feed, through=through)
            except (IntegrityError, AppliedConcurrently):
                if attempt == RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

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
                queue_notifications(session, row, NotificationKind.REMINDER, routing_for(row.asset), now)
            return len(rows)


def _record(
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
    applied = applied_mark(session, feed) if feed is not None else None
    known = _known_evaluations(session, [s.evaluation_id for s in signals])
    fresh: list[Signal] = []
    for signal in signals:
        if signal.evaluation_id in known or (applied is not None and signal.feed_position <= applied):
            summary.duplicates += 1
            continue
        known.add(signal.evaluation_id)
        fresh.append(signal)
    active = _active_by_key(session, {s.dedup_key for s in fresh})
    for signal in fresh:
        row = active.get(signal.dedup_key)
        decision = decide(state_of(row) if row is not None else None, signal, now, policy)
        summary.processed += 1
        if decision.action is Action.IGNORE:
            summary.ignored += 1
            continue
        before = row.status if row is not None else None
        row = _apply(session, row, signal, decision)
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
            summary.queued += queue_notifications(session, row, decision.notify, routing_for(row.asset), now)
    if feed is not None and through is not None and through > (applied if applied is not None else -1):
        move_applied_mark(session, feed, applied, through, now)
    return summary


def _apply(session: Session, row: AlertRow | None, signal: Signal, decision: Decision) -> AlertRow:
    """The decision on the alert's row: a new row for OPEN, the same row changed otherwise."""
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


def _known_evaluations(session: Session, ids: Sequence[int]) -> set[int]:
    """Which of `ids` already have an event: evaluations recorded before."""
    known: set[int] = set()
    for chunk in in_chunks(sorted(set(ids))):
        known.update(
            session.scalars(select(AlertEventRow.evaluation_id).where(AlertEventRow.evaluation_id.in_(chunk)))
        )
    return known


def _active_by_key(session: Session, keys: set[str]) -> dict[str, AlertRow]:
    """The unresolved alert of each dedup key in `keys` that has one."""
    active: dict[str, AlertRow] = {}
    for chunk in in_chunks(sorted(keys)):
        query = select(AlertRow).where(
            AlertRow.dedup_key.in_(chunk), AlertRow.status != AlertStatus.RESOLVED.value
        )
        active.update((row.dedup_key, row) for row in session.scalars(query))
    return active
