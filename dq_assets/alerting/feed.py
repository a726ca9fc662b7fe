"""Read what the instance recorded since a cursor (an event-log storage id) and turn it into signals.

Two feeds: check evaluations with Dagster's freshness-policy state changes, and run outcomes
(a failure opens a `run_failure` alert, the next success of the same table resolves it).

Each signal keeps its event's storage id (`evaluation_id`), which is how the store recognises an
event read twice. What a signal says is `dq_checks/alerts/classify.py`'s; the alert it belongs to
is named by `dq_checks/alerts/dedup.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import dagster as dg
from dagster._core.event_api import EventLogRecord, EventRecordsFilter
from dagster._core.events import DagsterEventType

from dq_assets.run_tags import TABLE_TAG
from dq_assets.steps.run_metadata import SKIPPED_KEY
from dq_checks.alerts.classify import (
    DETAIL_KEYS,
    signal_from_check,
    signal_from_freshness_state,
    signal_from_run,
)
from dq_checks.alerts.model import Signal
from dq_checks.results.names import PROFILE_CHECK

OUTCOME_KEY = "dq/outcome"
MAX_SKIPPED_PER_EVALUATION = 10_000
"""Derived ids are -(storage id x this + n): unique per evaluation and skipped check."""


@dataclass(frozen=True)
class Feed:
    """A named stream of event types that one alert sensor consumes."""

    name: str
    event_types: tuple[DagsterEventType, ...]


CHECK_FEED = Feed(
    "checks", (DagsterEventType.ASSET_CHECK_EVALUATION, DagsterEventType.FRESHNESS_STATE_CHANGE)
)
RUN_FEED = Feed("runs", (DagsterEventType.RUN_FAILURE, DagsterEventType.RUN_SUCCESS))
FEEDS = (CHECK_FEED, RUN_FEED)


@dataclass(frozen=True)
class FeedBatch:
    """The signals read, the storage id to resume after, and whether more events are waiting."""

    signals: list[Signal]
    cursor: int
    events_read: int
    more: bool


def read_feed(instance: dg.DagsterInstance, feed: Feed, after: int, limit: int) -> FeedBatch:
    """Up to `limit` events of `feed` after storage id `after`, oldest first."""
    records: list[EventLogRecord] = []
    for event_type in feed.event_types:
        records.extend(
            _index_records(instance, EventRecordsFilter(event_type=event_type, after_cursor=after), limit + 1)
        )
    records.sort(key=lambda record: record.storage_id)
    taken = records[:limit]
    cursor = taken[-1].storage_id if taken else after
    tags = _run_tags(
        instance, {r.run_id for r in taken if r.event_log_entry.dagster_event_type in RUN_FEED.event_types}
    )
    signals = [s for record in taken for s in _signals(record, tags)]
    return FeedBatch(signals, cursor, len(taken), len(records) > limit)


def _index_records(
    instance: dg.DagsterInstance, records_filter: EventRecordsFilter, limit: int
) -> list[EventLogRecord]:
    """Cross-run records in storage-id order, on every event log storage.

    Dagster's default sqlite storage keeps one shard per run and mirrors check evaluations, asset
    events and run status changes into an index shard with ids of its own; its `get_event_records`
    reads that shard only for asset events. Read the index shard for all of them, as Dagster's own
    `fetch_run_status_changes` does, so that one cursor orders every feed.
    """
    from dagster._core.storage.event_log import SqlEventLogStorage, SqliteEventLogStorage

    storage = instance.event_log_storage
    if isinstance(storage, SqliteEventLogStorage):
        return list(
            SqlEventLogStorage.get_event_records(storage, records_filter, limit=limit, ascending=True)
        )
    return list(storage.get_event_records(records_filter, limit=limit, ascending=True))


def _signals(record: EventLogRecord, run_tags: Mapping[str, Mapping[str, str]]) -> list[Signal]:
    """The record's signal, and for a profile check naming skipped checks (`dq/skipped`) one skip each.

    A check that skipped yields no evaluation of its own (Dagster shows it as skipped), yet its skip
    still says the check runs again, which clears a check_error. Each such signal gets an id of its
    own below zero, unique per evaluation and check, and stands at the profile's place in the feed.
    """
    signal = _signal(record, run_tags)
    if signal is None:
        return []
    event = record.event_log_entry.dagster_event
    if event is None or event.event_type is not DagsterEventType.ASSET_CHECK_EVALUATION:
        return [signal]
    skipped = event.event_specific_data.metadata.get(SKIPPED_KEY)  # type: ignore[union-attr]
    reasons = getattr(skipped, "value", None)
    if signal.check != PROFILE_CHECK or not isinstance(reasons, dict):
        return [signal]
    derived = [
        signal_from_check(
            evaluation_id=-(record.storage_id * MAX_SKIPPED_PER_EVALUATION + index),
            asset=signal.asset,
            check=name,
            passed=True,
            severity="WARN",
            outcome="skip",
            description=str(reason),
            metadata={},
            run_id=signal.details.get("run_id"),
            observed_at=signal.observed_at,
        )
        for index, (name, reason) in enumerate(sorted(reasons.items())[: MAX_SKIPPED_PER_EVALUATION - 1], 1)
    ]
    return [signal, *(replace(s, position=record.storage_id) for s in derived)]


def _signal(record: EventLogRecord, run_tags: Mapping[str, Mapping[str, str]]) -> Signal | None:
    entry = record.event_log_entry
    event = entry.dagster_event
    if event is None:
        return None
    observed_at = datetime.fromtimestamp(entry.timestamp, tz=UTC)
    if event.event_type is DagsterEventType.ASSET_CHECK_EVALUATION:
        evaluation: dg.AssetCheckEvaluation = event.event_specific_data  # type: ignore[assignment]
        metadata = _plain_metadata(evaluation.metadata)
        return signal_from_check(
            evaluation_id=record.storage_id,
            asset=evaluation.asset_key.to_user_string(),
            check=evaluation.check_name,
            passed=evaluation.passed,
            severity=evaluation.severity.value,
            outcome=metadata.get(OUTCOME_KEY),
            description=evaluation.description,
            metadata=metadata,
            run_id=entry.run_id or None,
            observed_at=observed_at,
        )
    if event.event_type is DagsterEventType.FRESHNESS_STATE_CHANGE:
        change = event.event_specific_data
        return signal_from_freshness_state(
            evaluation_id=record.storage_id,
            asset=change.key.to_user_string(),  # type: ignore[union-attr]
            new_state=change.new_state.value,  # type: ignore[union-attr]
            previous_state=change.previous_state.value,  # type: ignore[union-attr]
            observed_at=observed_at,
        )
    tags = run_tags.get(entry.run_id, {})
    job = entry.job_name or "unknown_job"
    return signal_from_run(
        evaluation_id=record.storage_id,
        asset=tags.get(TABLE_TAG) or f"job:{job}",
        job=job,
        run_id=entry.run_id,
        failed=event.event_type is DagsterEventType.RUN_FAILURE,
        message=event.message,
        observed_at=observed_at,
    )


def _run_tags(instance: dg.DagsterInstance, run_ids: set[str]) -> dict[str, Mapping[str, str]]:
    if not run_ids:
        return {}
    records = instance.get_run_records(dg.RunsFilter(run_ids=sorted(run_ids)))
    return {record.dagster_run.run_id: record.dagster_run.tags for record in records}


def _plain_metadata(metadata: Mapping[str, dg.MetadataValue]) -> dict[str, Any]:
    """The scalar metadata an alert carries; tables, markdown and samples stay in Dagster."""
    wanted = {*DETAIL_KEYS, OUTCOME_KEY}
    plain: dict[str, Any] = {}
    for key, value in metadata.items():
        raw = getattr(value, "value", value)
        if key in wanted and (raw is None or isinstance(raw, str | int | float | bool)):
            plain[key] = raw
    return plain
