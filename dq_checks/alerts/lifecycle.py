"""What a new signal does to an alert: open, repeat quietly, escalate, remind, resolve or nothing.

One open alert per dedup key (asset and check). A repeat bumps the occurrence count and says
nothing new unless the severity rises or the re-notify interval has passed since the last
notification. An acknowledged alert stays quiet; a snoozed one stays quiet until its time.
A healthy evaluation resolves the alert, and the resolution is notified when the opening was; a
skip resolves only a check_error (the check runs again), never a failure of the data.
A resolved alert is final: the next failure opens a new one.

Deduplication, step 4 of `dedup.py`'s path: the key comes from `dedup.py`; the decision taken
here is applied and persisted by `dq_resources/alerts/ledger.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from dq_checks.alerts.model import AlertState, AlertStatus, AlertType, NotificationKind, Signal


class Action(StrEnum):
    """What happens to the stored alert."""

    OPEN = "open"
    REPEAT = "repeat"
    RESOLVE = "resolve"
    IGNORE = "ignore"


class EventKind(StrEnum):
    """The kinds of entries in an alert's history."""

    OPENED = "opened"
    REPEATED = "repeated"
    ESCALATED = "escalated"
    REMINDED = "reminded"
    SNOOZE_ENDED = "snooze_ended"
    RESOLVED = "resolved"
    ACKNOWLEDGED = "acknowledged"
    SNOOZED = "snoozed"
    MANUALLY_RESOLVED = "manually_resolved"
    NOTIFIED = "notified"
    DELIVERY_FAILED = "delivery_failed"


@dataclass(frozen=True)
class NotifyPolicy:
    """When a still-failing alert is worth another message."""

    renotify_after: timedelta | None = timedelta(hours=24)


@dataclass(frozen=True)
class Decision:
    """The action, the history entry it writes, the status afterwards, and what to notify (if anything)."""

    action: Action
    event: EventKind | None
    status: AlertStatus | None
    notify: NotificationKind | None
    reason: str


def decide(current: AlertState | None, signal: Signal, now: datetime, policy: NotifyPolicy) -> Decision:
    """The lifecycle step for `signal`, given the active alert of its dedup key (None when there is none)."""
    if not signal.failing:
        if current is None:
            return Decision(Action.IGNORE, None, None, None, "healthy, and nothing was open")
        if current.first_seen is not None and signal.observed_at < current.first_seen:
            return Decision(Action.IGNORE, None, None, None, "a pass from before the alert opened")
        if not signal.conclusive and current.type is not AlertType.CHECK_ERROR:
            return Decision(Action.IGNORE, None, None, None, "a skip says nothing about a failure")
        notify = NotificationKind.RESOLVED if current.last_notified_at is not None else None
        return Decision(Action.RESOLVE, EventKind.RESOLVED, AlertStatus.RESOLVED, notify, "the check passed")
    if current is None:
        return Decision(
            Action.OPEN, EventKind.OPENED, AlertStatus.OPEN, NotificationKind.OPENED, "first failure"
        )
    if current.status is AlertStatus.ACKNOWLEDGED:
        return Decision(Action.REPEAT, EventKind.REPEATED, current.status, None, "acknowledged: stays quiet")
    if current.status is AlertStatus.SNOOZED:
        if current.snoozed_until is not None and now < current.snoozed_until:
            return Decision(Action.REPEAT, EventKind.REPEATED, current.status, None, "snoozed: stays quiet")
        return Decision(
            Action.REPEAT, EventKind.SNOOZE_ENDED, AlertStatus.OPEN, NotificationKind.REMINDER, "snooze ended"
        )
    if signal.severity.rank > current.severity.rank:
        return Decision(
            Action.REPEAT,
            EventKind.ESCALATED,
            current.status,
            NotificationKind.ESCALATED,
            f"severity rose from {current.severity.value} to {signal.severity.value}",
        )
    if reminder_due(current, now, policy):
        return Decision(
            Action.REPEAT,
            EventKind.REMINDED,
            current.status,
            NotificationKind.REMINDER,
            "re-notify interval passed",
        )
    return Decision(Action.REPEAT, EventKind.REPEATED, current.status, None, "repeat: already notified")


def reminder_due(current: AlertState, now: datetime, policy: NotifyPolicy) -> bool:
    """An open alert that was notified longer ago than the re-notify interval."""
    if policy.renotify_after is None or current.last_notified_at is None:
        return False
    return now - current.last_notified_at >= policy.renotify_after


def snooze_over(current: AlertState, now: datetime) -> bool:
    """A snoozed alert whose time has come: it opens again, and says so."""
    return (
        current.status is AlertStatus.SNOOZED
        and current.snoozed_until is not None
        and now >= current.snoozed_until
    )
