"""One tick of an alert sensor: read, persist, deliver, and only then report the new cursor.

The same function serves the Dagster sensors and `dq alerts sync`. Its order is the guarantee:
signals are persisted (idempotently, per evaluation id) before anything is sent, and the
cursor is returned only after both, so a crash anywhere re-reads events that change nothing.

Deduplication, step 1 of the path `dq_checks/alerts/dedup.py` lays out: `feed.py` reads the
events as signals, and `store.record` (`dq_resources/alerts/ledger.py`) deduplicates and
persists them; the tick itself only orders the steps.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import dagster as dg

from dq_assets.alerting.crash import crash_point
from dq_assets.alerting.feed import Feed, read_feed
from dq_checks.alerts.lifecycle import NotifyPolicy
from dq_checks.alerts.messages import compose
from dq_checks.config.alerting import DeliverySettings
from dq_checks.config.alerting_loader import LoadedAlerting
from dq_resources.alerts.ledger import RecordSummary
from dq_resources.alerts.records import DueDelivery
from dq_resources.alerts.store import AlertStore
from dq_resources.notify import Notifier, NotifierError
from dq_resources.notify.factory import UnavailableNotifier, build_notifiers


@dataclass
class DeliveryReport:
    """Messages sent and failed in one tick, with the failures' reasons."""

    sent: int = 0
    failed: int = 0
    deliveries_sent: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TickReport:
    """What one tick did, and where the next one starts."""

    feed: str
    cursor: int
    events_read: int
    more: bool
    recorded: RecordSummary
    snoozes_ended: int
    delivery: DeliveryReport

    def describe(self) -> str:
        """One line for the sensor's tick log and the CLI."""
        r, d = self.recorded, self.delivery
        text = (
            f"{self.feed}: {self.events_read} events read, {r.opened} opened, {r.repeated} repeated, "
            f"{r.resolved} resolved, {r.duplicates} already recorded; "
            f"{d.sent} messages sent, {d.failed} failed"
        )
        if self.more:
            text += "; more events waiting"
        return text


def notify_policy(alerting: LoadedAlerting) -> NotifyPolicy:
    """The re-notify interval of `alerts.yaml`."""
    hours = alerting.config.renotify_after_hours
    return NotifyPolicy(renotify_after=timedelta(hours=hours) if hours is not None else None)


def run_alert_tick(
    instance: dg.DagsterInstance,
    store: AlertStore,
    alerting: LoadedAlerting,
    feed: Feed,
    cursor: int,
    *,
    now: datetime,
    log: logging.Logger,
    notifiers: Mapping[str, Notifier] | None = None,
) -> TickReport:
    """Read `feed` after `cursor`, persist the signals, deliver what is due; return the new cursor."""
    batch = read_feed(instance, feed, cursor, alerting.config.max_evaluations_per_tick)
    recorded = store.record(
        batch.signals,
        alerting.routing_for,
        notify_policy(alerting),
        now,
        feed=feed.name,
        through=batch.cursor,
    )
    crash_point(feed.name, "after_persist")
    snoozes_ended = store.expire_snoozes(alerting.routing_for, now)
    if notifiers is None:
        notifiers = build_notifiers(alerting.config.channel_specs())
    delivery = deliver_due(store, notifiers, alerting.config.delivery, now, log)
    crash_point(feed.name, "after_deliver")
    return TickReport(
        feed.name, batch.cursor, batch.events_read, batch.more, recorded, snoozes_ended, delivery
    )


def deliver_due(
    store: AlertStore,
    notifiers: Mapping[str, Notifier],
    settings: DeliverySettings,
    now: datetime,
    log: logging.Logger,
) -> DeliveryReport:
    """Send every due delivery, one message per channel and table; a failing channel is retried later.

    Each group is marked sent (or failed) right after its own attempt, so a crash mid-way never
    re-sends a group that went out.
    """
    report = DeliveryReport()
    groups: dict[tuple[str, str], list[DueDelivery]] = defaultdict(list)
    for due in store.claim_due_deliveries(now):
        groups[(due.delivery.channel, due.delivery.asset)].append(due)
    down: dict[str, str] = {}
    for (channel, table), items in sorted(groups.items()):
        ids = [item.delivery.id for item in items]
        notification = compose(message_id(channel, ids), table, [item.news for item in items])
        notifier = notifiers.get(channel) or UnavailableNotifier(
            reason=f"channel {channel} is not configured"
        )
        try:
            if channel in down:  # one timeout per channel and tick, not one per table
                raise NotifierError(f"not tried: {channel} failed earlier in this tick ({down[channel]})")
            notifier.send(notification, log)
        except Exception as error:  # a notifier's bug must not stop the other channels either
            reason = str(error) if isinstance(error, NotifierError) else f"{type(error).__name__}: {error}"
            down.setdefault(channel, reason)
            store.mark_failed(ids, reason, now, lambda attempts: backoff(settings, attempts))
            report.failed += 1
            report.errors.append(f"{channel} / {table}: {reason}")
            log.warning(f"alert delivery to {channel} for {table} failed, will retry: {reason}")
            continue
        store.mark_delivered(ids, notification.message_id, now)
        report.sent += 1
        report.deliveries_sent += len(ids)
    return report


def backoff(settings: DeliverySettings, attempts: int) -> timedelta:
    """Doubling from `retry_after_seconds`, capped at `max_retry_after_seconds`."""
    seconds = settings.retry_after_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.max_retry_after_seconds))


def message_id(channel: str, delivery_ids: list[int]) -> str:
    """Stable for the same deliveries, so a retried message carries the id its receiver may have seen."""
    digest = hashlib.sha256(f"{channel}:{','.join(map(str, sorted(delivery_ids)))}".encode()).hexdigest()
    return f"dq-{digest[:24]}"
