"""Alerts where engineers already look, the Dagster UI: on the failing check, and as one summary asset.

The alert store stays the truth (acknowledge, snooze and resolve change it, from `dq alerts`), and
Dagster's event log cannot be edited after the fact, so each view is a snapshot taken when it is
written:

- a check's evaluation carries `dq/alert`: the state of its alert when the check ran (the alert
  a failure opens appears on the next evaluation, or in the summary after the sensor's tick);
- the summary asset `<namespace>_alerts` is re-reported by the check alert sensor whenever the set
  of active alerts changes, or a shown age moves to its next hour or day.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import dagster as dg

from dq_checks.alerts.model import ACTIVE_STATUSES, AlertStatus
from dq_checks.results import CheckResult

if TYPE_CHECKING:
    from dq_resources.alerts.records import AlertRecord  # SQLAlchemy loads with the store, not here

ALERT_METADATA_KEY = "dq/alert"
"""A check's alert, in words: `#12 acknowledged by ana 2 h ago; open 3 d, 5 occurrences`."""
SENSOR = "the check alert sensor"
"""Who opens and resolves alerts, as a check's note names it (its name depends on the namespace)."""
ALERT_ID_METADATA_KEY = "dq/alert_id"
"""The alert's id, as text: the UI plots every number on a check, and a plot of ids says nothing."""


def age(since: datetime, now: datetime) -> str:
    """How long ago, as coarsely as a person reads it: `under 1 h`, `5 h`, `3 d`.

    Coarse on purpose: the summary is re-reported when a shown age changes, so at most hourly.
    """
    hours = int((now - since).total_seconds() // 3600)
    if hours < 1:
        return "under 1 h"
    return f"{hours} h" if hours < 48 else f"{hours // 24} d"


def alert_state(record: AlertRecord, now: datetime) -> str:
    """Where the alert stands: `open`, `acknowledged by ana 2 h ago`, `snoozed until ... UTC`."""
    if record.status is AlertStatus.ACKNOWLEDGED and record.acknowledged_at is not None:
        who = f" by {record.acknowledged_by}" if record.acknowledged_by else ""
        return f"acknowledged{who} {age(record.acknowledged_at, now)} ago"
    if record.status is AlertStatus.SNOOZED and record.snoozed_until is not None:
        return f"snoozed until {record.snoozed_until.astimezone(UTC).strftime('%Y-%m-%d %H:%M UTC')}"
    return record.status.value


def alert_note(record: AlertRecord, now: datetime) -> str:
    """One alert in a line, for a check's metadata: `#12 <state>; open 2 d, 5 occurrences`."""
    plural = "s" if record.occurrences != 1 else ""
    opened = f"open {age(record.first_seen, now)}, {record.occurrences} occurrence{plural}"
    return f"#{record.id} {alert_state(record, now)}; {opened}"


def check_alert_metadata(
    records: Iterable[AlertRecord], results: Sequence[CheckResult], now: datetime
) -> dict[str, dict[str, dg.MetadataValue]]:
    """Check name -> the `dq/alert` metadata its evaluation carries.

    A check with an active alert names it and its state. A failing check without one says the
    alert sensor opens it; a passing check whose alert is still active says the sensor resolves it.
    A passing check without an alert gets nothing: there is nothing to look at.
    """
    by_check = {record.check: record for record in records}
    extra: dict[str, dict[str, dg.MetadataValue]] = {}
    for result in results:
        record = by_check.get(result.name)
        if record is not None:
            note = alert_note(record, now)
            if result.passed:
                note += f"; {SENSOR} resolves it on its next tick, as this check passed"
            extra[result.name] = {
                ALERT_METADATA_KEY: dg.MetadataValue.text(note),
                ALERT_ID_METADATA_KEY: dg.MetadataValue.text(str(record.id)),
            }
        elif not result.passed:
            note = f"none open yet: {SENSOR} opens one on its next tick"
            extra[result.name] = {ALERT_METADATA_KEY: dg.MetadataValue.text(note)}
    return extra


def unreadable_alert_metadata(
    results: Sequence[CheckResult], cause: str
) -> dict[str, dict[str, dg.MetadataValue]]:
    """What the failing checks say when the alert store could not be read: its cause, never silence."""
    note = dg.MetadataValue.text(f"unknown: the alert store could not be read: {cause}")
    return {result.name: {ALERT_METADATA_KEY: note} for result in results if not result.passed}


@dataclass(frozen=True)
class AlertsSummary:
    """The active alerts as the summary asset shows them, and a fingerprint of what it shows."""

    records: tuple[AlertRecord, ...]
    now: datetime

    @property
    def fingerprint(self) -> str:
        """A hash of the table the summary shows; the sensor re-reports the summary when it changes.

        It changes when an alert opens, changes state, repeats or resolves, or a shown age moves on.
        """
        return hashlib.sha256(self.table().encode()).hexdigest()[:16]

    def metadata(self) -> dict[str, dg.MetadataValue]:
        """Counts per status, the oldest open alert's age, and every active alert in a table."""
        counts = self._counts()
        waiting = [r for r in self.records if r.status is AlertStatus.OPEN]
        oldest = max(((self.now - r.first_seen).total_seconds() / 3600 for r in waiting), default=0.0)
        return {
            **{status.value: dg.MetadataValue.int(counts[status]) for status in ACTIVE_STATUSES},
            "oldest_open_hours": dg.MetadataValue.float(round(oldest, 2)),
            "alerts": dg.MetadataValue.md(self.table()),
        }

    def table(self) -> str:
        """Every active alert, oldest first, as a markdown table; a sentence when there is none."""
        if not self.records:
            return "No open, acknowledged or snoozed alerts."
        rows = [
            "| alert | table | check | status | severity | age | occurrences | state |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in self.records:
            cells = (
                f"#{r.id}",
                r.asset,
                r.check,
                r.status.value,
                r.severity.value,
                age(r.first_seen, self.now),
                str(r.occurrences),
                alert_state(r, self.now),
            )
            rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        rows.append("")
        rows.append("Acknowledge, snooze or resolve with `dq alerts ack|snooze|resolve ID`.")
        return "\n".join(rows)

    def materialization(self, key: dg.AssetKey) -> dg.AssetMaterialization:
        """The summary asset's new state, reported by the sensor without a run."""
        return dg.AssetMaterialization(asset_key=key, metadata=self.metadata(), description=self.headline())

    def headline(self) -> str:
        """`3 open, 1 acknowledged, 0 snoozed`."""
        counts = self._counts()
        return ", ".join(f"{counts[status]} {status.value}" for status in ACTIVE_STATUSES)

    def _counts(self) -> Counter[AlertStatus]:
        return Counter(record.status for record in self.records)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
