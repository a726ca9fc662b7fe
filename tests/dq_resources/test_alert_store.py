"""The alert store against real databases: a sqlite file and a fresh PostgreSQL database.

Nothing is mocked. The guarantees the sensors rely on are checked where they live: idempotency
and one active alert per dedup key are enforced by the database (a unique constraint, a partial
unique index), so raw inserts that break them must be rejected by the database itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from dq_checks.alerts.lifecycle import NotifyPolicy
from dq_checks.alerts.model import AlertSeverity, AlertStatus, AlertType, NotificationKind, Signal
from dq_checks.config.models import AlertRouting
from dq_resources.alerts.errors import AlertStoreError
from dq_resources.alerts.ledger import RecordSummary
from dq_resources.alerts.schema import AlertCursorRow, AlertEventRow, AlertRow
from dq_resources.alerts.store import AlertStore

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ASSET = "shop.orders"
TWO_CHANNELS = AlertRouting(channels=("ops", "oncall"))
DAILY = NotifyPolicy()
STORE_TABLES = {"alerts", "alert_events", "alert_deliveries", "alert_cursors", "dq_alerts_schema_version"}


def routed(routing: AlertRouting = TWO_CHANNELS) -> Callable[[str], AlertRouting]:
    return lambda _asset: routing


def signal(
    evaluation_id: int,
    *,
    check: str = "not_null_id",
    asset: str = ASSET,
    failing: bool = True,
    severity: AlertSeverity = AlertSeverity.ERROR,
    at: datetime = T0,
    message: str = "3 rows have a null id",
) -> Signal:
    return Signal(
        evaluation_id=evaluation_id,
        asset=asset,
        check=check,
        failing=failing,
        type=AlertType.RULE_FAILURE,
        severity=severity,
        title=f"{check} on {asset}",
        message=message,
        observed_at=at,
        details={"failed_rows": 3} if failing else {},
    )


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=10 * attempts)


def raw_alert(dedup_key: str, status: str) -> AlertRow:
    """An alert row inserted behind the store's back, to see what the database itself allows."""
    return AlertRow(
        dedup_key=dedup_key,
        asset=ASSET,
        check_name="not_null_id",
        type=AlertType.RULE_FAILURE.value,
        severity=AlertSeverity.ERROR.value,
        title="raw",
        message="raw",
        details={},
        status=status,
        first_seen=T0,
        last_seen=T0,
        occurrences=1,
        delivery_state="none",
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'alerts.db'}"
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def store(store_url: str) -> Iterator[AlertStore]:
    opened = AlertStore.connect(store_url)
    yield opened
    opened.dispose()


def only_alert(store: AlertStore) -> Any:
    alerts = store.list_alerts()
    assert len(alerts) == 1
    return alerts[0]


def version_rows(store: AlertStore, table: str = "dq_alerts_schema_version") -> list[str]:
    with store.engine.connect() as connection:
        return list(connection.execute(text(f"SELECT version_num FROM {table}")).scalars())


def everything(store: AlertStore) -> tuple[Any, ...]:
    alerts = store.list_alerts()
    return alerts, store.deliveries(), [store.events(alert.id) for alert in alerts]


# -- 1. migrations ---------------------------------------------------------------------------


def test_connect_creates_the_tables_at_revision_0001(store: AlertStore) -> None:
    inspector = inspect(store.engine)
    assert set(inspector.get_table_names()) == STORE_TABLES
    assert version_rows(store) == ["0001"]
    indexes = {index["name"]: index for index in inspector.get_indexes("alerts")}
    assert indexes["uq_alerts_one_active_per_key"]["unique"]
    assert indexes["uq_alerts_one_active_per_key"]["column_names"] == ["dedup_key"]
    assert {c["name"] for c in inspector.get_columns("alert_deliveries")} >= {"lease_owner", "lease_until"}


def test_connecting_again_is_a_no_op(store: AlertStore, store_url: str) -> None:
    store.record([signal(1)], routed(), DAILY, T0)
    before = everything(store)
    again = AlertStore.connect(store_url)
    try:
        assert set(inspect(again.engine).get_table_names()) == STORE_TABLES
        assert version_rows(again) == ["0001"]
        assert everything(again) == before
    finally:
        again.dispose()


@pytest.mark.postgres
def test_a_foreign_alembic_version_table_is_left_untouched(postgres_database: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(postgres_database)
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
            )
        )
        connection.execute(text("INSERT INTO alembic_version (version_num) VALUES ('b3d8e2a17c40')"))
    engine.dispose()

    store = AlertStore.connect(postgres_database)
    try:
        assert set(inspect(store.engine).get_table_names()) == STORE_TABLES | {"alembic_version"}
        assert version_rows(store, "alembic_version") == ["b3d8e2a17c40"]
        assert version_rows(store) == ["0001"]
        assert store.record([signal(1)], routed(), DAILY, T0).opened == 1
    finally:
        store.dispose()


def test_the_resource_migrates_once_and_reuses_its_store(tmp_path: Path) -> None:
    from dq_resources.alerts.resource import AlertStoreResource

    resource = AlertStoreResource(url=f"sqlite:///{tmp_path / 'nested' / 'alerts.db'}")
    store = resource.open()
    try:
        assert resource.open() is store
        assert AlertStoreResource(url=resource.url).open() is store
        assert (tmp_path / "nested" / "alerts.db").is_file()
        assert set(inspect(store.engine).get_table_names()) == STORE_TABLES
    finally:
        store.dispose()


# -- 2. idempotency --------------------------------------------------------------------------


def test_recording_the_same_evaluations_twice_changes_nothing(store: AlertStore) -> None:
    signals = [
        signal(1, check="a"),
        signal(2, check="b", severity=AlertSeverity.WARN),
        signal(3, check="a", at=T0 + timedelta(minutes=1)),
        signal(3, check="a", at=T0 + timedelta(minutes=1)),  # the same evaluation twice in one batch
    ]
    first = store.record(signals, routed(), DAILY, T0)
    assert first == RecordSummary(processed=3, duplicates=1, opened=2, repeated=1, queued=4)
    before = everything(store)

    # Two days later a processed repeat would be due a reminder: nothing must be processed at all.
    second = store.record(signals, routed(), DAILY, T0 + timedelta(days=2))
    assert second == RecordSummary(duplicates=4)
    assert everything(store) == before
    with Session(store.engine) as session:
        assert session.scalar(select(func.count()).select_from(AlertRow)) == 2
        assert session.scalar(select(func.count()).select_from(AlertEventRow)) == 3


def test_a_used_evaluation_id_is_rejected_by_the_database(store: AlertStore) -> None:
    store.record([signal(7)], routed(), DAILY, T0)
    alert = only_alert(store)
    with Session(store.engine) as session:
        session.add(AlertEventRow(alert_id=alert.id, at=T0, kind="repeated", actor="test", evaluation_id=7))
        with pytest.raises(IntegrityError):
            session.commit()
    with Session(store.engine) as session:  # events without an evaluation (people, deliveries) may repeat
        session.add_all(
            [AlertEventRow(alert_id=alert.id, at=T0, kind="acknowledged", actor="x") for _ in range(2)]
        )
        session.commit()
    assert [e.evaluation_id for e in store.events(alert.id)] == [7, None, None]


# -- 3. one active alert per dedup key -------------------------------------------------------


def test_one_active_alert_per_key_is_enforced_by_a_partial_unique_index(store: AlertStore) -> None:
    store.record([signal(1)], routed(), DAILY, T0)
    first = only_alert(store)
    for status in ("open", "acknowledged", "snoozed"):
        with Session(store.engine) as session:
            session.add(raw_alert(first.dedup_key, status))
            with pytest.raises(IntegrityError):
                session.commit()

    store.resolve(first.id, by="ana", notes="fixed", now=T0 + timedelta(hours=1))
    with Session(store.engine) as session:
        session.add(raw_alert(first.dedup_key, "resolved"))  # resolved alerts may pile up
        session.add(raw_alert(first.dedup_key, "open"))
        session.commit()
    statuses = sorted(a.status.value for a in store.list_alerts() if a.dedup_key == first.dedup_key)
    assert statuses == ["open", "resolved", "resolved"]


# -- 4. lifecycle through record -------------------------------------------------------------


def test_open_repeat_keep_the_peak_severity_resolve_and_reopen(store: AlertStore) -> None:
    minute = timedelta(minutes=1)
    opened = store.record([signal(1, severity=AlertSeverity.WARN)], routed(), DAILY, T0)
    assert opened == RecordSummary(processed=1, opened=1, queued=2)
    alert = only_alert(store)
    assert (alert.status, alert.severity, alert.occurrences) == (AlertStatus.OPEN, AlertSeverity.WARN, 1)
    assert (alert.first_seen, alert.last_seen, alert.last_notified_at) == (T0, T0, T0)
    assert (alert.dedup_key, alert.check, alert.delivery_state) == (
        f"{ASSET}::not_null_id",
        "not_null_id",
        "pending",
    )

    escalated = store.record(
        [signal(2, severity=AlertSeverity.ERROR, at=T0 + 10 * minute)], routed(), DAILY, T0 + 10 * minute
    )
    assert escalated == RecordSummary(processed=1, repeated=1, queued=2)
    repeated = store.record(
        [signal(3, severity=AlertSeverity.WARN, at=T0 + 20 * minute, message="1 row has a null id")],
        routed(),
        DAILY,
        T0 + 20 * minute,
    )
    assert repeated == RecordSummary(processed=1, repeated=1)
    alert = store.get(alert.id)
    assert alert.severity is AlertSeverity.ERROR  # warn -> error -> warn keeps the peak
    assert (alert.occurrences, alert.first_seen, alert.last_seen) == (3, T0, T0 + 20 * minute)
    assert alert.last_notified_at == T0 + 10 * minute
    assert alert.message == "1 row has a null id"
    events = store.events(alert.id)
    assert [(e.kind, e.evaluation_id, e.severity, e.actor) for e in events] == [
        ("opened", 1, "warn", "dq"),
        ("escalated", 2, "error", "dq"),
        ("repeated", 3, "warn", "dq"),
    ]
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "open"),
        ("open", "open"),
        ("open", "open"),
    ]

    resolved = store.record(
        [signal(4, failing=False, at=T0 + 30 * minute)], routed(), DAILY, T0 + 30 * minute
    )
    assert resolved == RecordSummary(processed=1, resolved=1, queued=2)
    alert = store.get(alert.id)
    assert (alert.status, alert.resolved_by, alert.resolved_at) == (
        AlertStatus.RESOLVED,
        "dq",
        T0 + 30 * minute,
    )
    assert alert.resolution_notes == "not_null_id passed: 3 rows have a null id"
    assert [(d.kind.value, d.channel) for d in store.deliveries(alert.id)] == [
        ("opened", "ops"),
        ("opened", "oncall"),
        ("escalated", "ops"),
        ("escalated", "oncall"),
        ("resolved", "ops"),
        ("resolved", "oncall"),
    ]
    healthy_again = store.record([signal(5, failing=False, at=T0 + 35 * minute)], routed(), DAILY, T0)
    assert healthy_again == RecordSummary(processed=1, ignored=1)

    reopened = store.record([signal(6, at=T0 + 40 * minute)], routed(), DAILY, T0 + 40 * minute)
    assert reopened == RecordSummary(processed=1, opened=1, queued=2)
    newest, old = store.list_alerts()
    assert old.id == alert.id and old.status is AlertStatus.RESOLVED
    assert newest.id != alert.id
    assert (newest.status, newest.occurrences, newest.first_seen) == (AlertStatus.OPEN, 1, T0 + 40 * minute)
    assert [e.evaluation_id for e in store.events(newest.id)] == [6]


def test_open_and_resolve_of_one_key_in_one_batch(store: AlertStore) -> None:
    minute = timedelta(minutes=1)
    batch = [
        signal(1, at=T0),
        signal(2, at=T0 + minute),
        signal(3, failing=False, at=T0 + 2 * minute),
        signal(
            4, at=T0 + 3 * minute
        ),  # fails again: a new alert, while the first is resolved in the same flush
    ]
    summary = store.record(batch, routed(), DAILY, T0 + 3 * minute)
    assert summary == RecordSummary(processed=4, opened=2, repeated=1, resolved=1, queued=6)
    newest, first = store.list_alerts()
    assert (first.status, first.occurrences, first.last_seen) == (AlertStatus.RESOLVED, 2, T0 + minute)
    assert first.resolved_at == T0 + 2 * minute
    assert [e.kind for e in store.events(first.id)] == ["opened", "repeated", "resolved"]
    assert [d.kind for d in store.deliveries(first.id)] == [NotificationKind.OPENED] * 2 + [
        NotificationKind.RESOLVED
    ] * 2
    assert (newest.status, newest.occurrences, newest.first_seen) == (AlertStatus.OPEN, 1, T0 + 3 * minute)
    assert [e.kind for e in store.events(newest.id)] == ["opened"]


def test_min_severity_keeps_a_warning_quiet_and_its_resolution_too(store: AlertStore) -> None:
    errors_only = routed(AlertRouting(channels=("ops",), min_severity=AlertSeverity.ERROR))
    summary = store.record(
        [signal(1, severity=AlertSeverity.WARN), signal(2, failing=False, at=T0 + timedelta(minutes=5))],
        errors_only,
        DAILY,
        T0,
    )
    assert summary == RecordSummary(processed=2, opened=1, resolved=1)
    alert = only_alert(store)
    assert (alert.delivery_state, alert.last_notified_at) == ("none", None)
    assert store.deliveries() == []


# -- 5. deliveries ---------------------------------------------------------------------------


def test_deliveries_are_leased_retried_with_backoff_and_marked_sent(store: AlertStore) -> None:
    minute = timedelta(minutes=1)
    store.record([signal(1)], routed(), DAILY, T0)
    alert = only_alert(store)

    claimed = store.claim_due_deliveries(T0)
    assert sorted(c.delivery.channel for c in claimed) == ["oncall", "ops"]
    assert {(c.news.alert_id, c.news.kind, c.delivery.kind) for c in claimed} == {
        (alert.id, NotificationKind.OPENED, NotificationKind.OPENED)
    }
    assert store.claim_due_deliveries(T0) == []  # leased
    assert store.claim_due_deliveries(T0 + 4 * minute) == []
    ids = [c.delivery.id for c in claimed]

    store.mark_failed(ids, "HTTP 503", T0 + minute, backoff)
    retry_at = T0 + minute + backoff(1)
    for delivery in store.deliveries(alert.id):
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "HTTP 503")
        assert (delivery.next_attempt_at, delivery.sent_at, delivery.message_id) == (retry_at, None, None)
    alert = store.get(alert.id)
    assert alert.delivery_state == "retrying"
    assert alert.delivery_error in {"ops: HTTP 503 (1 attempts)", "oncall: HTTP 503 (1 attempts)"}

    assert store.claim_due_deliveries(retry_at - timedelta(seconds=1)) == []
    again = store.claim_due_deliveries(retry_at)
    assert sorted(c.delivery.id for c in again) == sorted(ids)
    assert {c.delivery.attempts for c in again} == {1}

    store.mark_delivered(ids, "msg-42", retry_at + minute)
    for delivery in store.deliveries(alert.id):
        assert (delivery.status, delivery.attempts, delivery.message_id) == ("sent", 2, "msg-42")
        assert delivery.sent_at == retry_at + minute
    alert = store.get(alert.id)
    assert (alert.delivery_state, alert.delivery_error) == ("delivered", None)
    assert store.claim_due_deliveries(T0 + timedelta(days=1)) == []

    events = store.events(alert.id)
    assert [e.kind for e in events] == [
        "opened",
        "delivery_failed",
        "delivery_failed",
        "notified",
        "notified",
    ]
    assert {e.note for e in events if e.kind == "delivery_failed"} == {
        f"opened to {channel}, attempt 1: HTTP 503; next try at 2026-03-02 09:11:00 UTC"
        for channel in ("ops", "oncall")
    }
    assert {e.note for e in events if e.kind == "notified"} == {
        f"opened sent to {channel} (message msg-42)" for channel in ("ops", "oncall")
    }
    assert {e.at for e in events if e.kind == "notified"} == {retry_at + minute}


def test_an_expired_lease_can_be_claimed_again(store: AlertStore) -> None:
    store.record([signal(1)], routed(), DAILY, T0)
    first = store.claim_due_deliveries(T0, lease=timedelta(minutes=5))
    assert len(first) == 2
    assert store.claim_due_deliveries(T0 + timedelta(minutes=5)) == []
    second = store.claim_due_deliveries(T0 + timedelta(minutes=5, seconds=1))
    assert sorted(c.delivery.id for c in second) == sorted(c.delivery.id for c in first)


# -- 6. a reminder never piles on an unsent message ------------------------------------------


def test_a_reminder_skips_channels_whose_message_is_still_pending(store: AlertStore) -> None:
    hourly = NotifyPolicy(renotify_after=timedelta(hours=1))
    store.record([signal(1)], routed(), hourly, T0)
    alert = only_alert(store)
    ops = [c.delivery.id for c in store.claim_due_deliveries(T0) if c.delivery.channel == "ops"]
    store.mark_delivered(ops, "msg-1", T0 + timedelta(minutes=1))  # oncall's message stays pending

    later = T0 + timedelta(hours=2)
    summary = store.record([signal(2, at=later)], routed(), hourly, later)
    assert summary == RecordSummary(processed=1, repeated=1, queued=1)
    assert [(d.kind, d.channel, d.status) for d in store.deliveries(alert.id)] == [
        (NotificationKind.OPENED, "ops", "sent"),
        (NotificationKind.OPENED, "oncall", "pending"),
        (NotificationKind.REMINDER, "ops", "pending"),
    ]
    assert store.get(alert.id).last_notified_at == later
    assert store.events(alert.id)[-1].kind == "reminded"

    # Due again, but both channels still wait for a message: nothing new, and the clock does not move.
    much_later = T0 + timedelta(hours=4)
    summary = store.record([signal(3, at=much_later)], routed(), hourly, much_later)
    assert summary == RecordSummary(processed=1, repeated=1, queued=0)
    assert len(store.deliveries(alert.id)) == 3
    assert store.get(alert.id).last_notified_at == later


# -- 7. people -------------------------------------------------------------------------------


def test_acknowledge_snooze_and_resolve_by_people(store: AlertStore) -> None:
    minute = timedelta(minutes=1)
    store.record([signal(1, check="a"), signal(2, check="b")], routed(), DAILY, T0)
    a, b = sorted(store.list_alerts(), key=lambda alert: alert.check)

    acked = store.acknowledge(a.id, "ana", T0 + 5 * minute)
    assert (acked.status, acked.acknowledged_by, acked.acknowledged_at) == (
        AlertStatus.ACKNOWLEDGED,
        "ana",
        T0 + 5 * minute,
    )
    assert store.get(a.id) == acked
    quiet = store.record(
        [signal(3, check="a", at=T0 + timedelta(days=2))], routed(), DAILY, T0 + timedelta(days=2)
    )
    assert quiet == RecordSummary(processed=1, repeated=1)  # acknowledged: no reminder
    assert store.get(a.id).status is AlertStatus.ACKNOWLEDGED

    snoozed = store.snooze(b.id, T0 + timedelta(hours=2), "bo", T0 + 10 * minute)
    assert (snoozed.status, snoozed.snoozed_until) == (AlertStatus.SNOOZED, T0 + timedelta(hours=2))

    done = store.resolve(a.id, "ana", "fixed upstream", T0 + 15 * minute)
    assert (done.status, done.resolved_by, done.resolved_at, done.resolution_notes) == (
        AlertStatus.RESOLVED,
        "ana",
        T0 + 15 * minute,
        "fixed upstream",
    )

    people = [
        (e.kind, e.actor, e.from_status, e.to_status, e.note, e.at)
        for e in store.events(a.id)
        if e.actor != "dq"
    ]
    assert people == [
        ("acknowledged", "ana", "open", "acknowledged", None, T0 + 5 * minute),
        ("manually_resolved", "ana", "acknowledged", "resolved", "fixed upstream", T0 + 15 * minute),
    ]
    last = store.events(b.id)[-1]
    assert (last.kind, last.actor, last.from_status, last.to_status, last.note) == (
        "snoozed",
        "bo",
        "open",
        "snoozed",
        "until 2026-03-02T11:00:00+00:00",
    )

    with pytest.raises(AlertStoreError, match=r"^snooze until 2026-03-02 09:00 UTC is not in the future$"):
        store.snooze(b.id, T0, "bo", T0 + 20 * minute)
    with pytest.raises(AlertStoreError, match=r"is not in the future"):
        store.snooze(b.id, T0 + 20 * minute, "bo", T0 + 20 * minute)
    resolved_message = rf"^alert {a.id} is resolved; a new failure opens a new alert$"
    with pytest.raises(AlertStoreError, match=resolved_message):
        store.acknowledge(a.id, "ana", T0 + 20 * minute)
    with pytest.raises(AlertStoreError, match=resolved_message):
        store.snooze(a.id, T0 + timedelta(hours=5), "ana", T0 + 20 * minute)
    with pytest.raises(AlertStoreError, match=resolved_message):
        store.resolve(a.id, "ana", "again", T0 + 20 * minute)
    for act in (
        lambda: store.acknowledge(999_999, "ana", T0),
        lambda: store.resolve(999_999, "ana", "x", T0),
        lambda: store.snooze(999_999, T0 + minute, "ana", T0),
        lambda: store.get(999_999),
        lambda: store.events(999_999),
    ):
        with pytest.raises(AlertStoreError, match=r"^no alert with id 999999$"):
            act()
    assert store.get(b.id).status is AlertStatus.SNOOZED  # the failed requests changed nothing
    assert store.get(a.id) == done


def test_expire_snoozes_reopens_due_alerts_and_queues_a_reminder(store: AlertStore) -> None:
    store.record([signal(1, check="a"), signal(2, check="b")], routed(), DAILY, T0)
    claimed = store.claim_due_deliveries(T0)
    store.mark_delivered([c.delivery.id for c in claimed], "msg-1", T0)
    a, b = sorted(store.list_alerts(), key=lambda alert: alert.check)
    store.snooze(a.id, T0 + timedelta(hours=2), "ana", T0 + timedelta(minutes=1))
    store.snooze(b.id, T0 + timedelta(hours=5), "ana", T0 + timedelta(minutes=1))

    assert store.expire_snoozes(routed(), T0 + timedelta(hours=1)) == 0
    assert {store.get(a.id).status, store.get(b.id).status} == {AlertStatus.SNOOZED}

    woke = T0 + timedelta(hours=2)
    assert store.expire_snoozes(routed(), woke) == 1
    a = store.get(a.id)
    assert (a.status, a.snoozed_until, a.last_notified_at, a.delivery_state) == (
        AlertStatus.OPEN,
        None,
        woke,
        "pending",
    )
    last = store.events(a.id)[-1]
    assert (last.kind, last.actor, last.from_status, last.to_status, last.at) == (
        "snooze_ended",
        "dq",
        "snoozed",
        "open",
        woke,
    )
    reminders = [d for d in store.deliveries(a.id) if d.kind is NotificationKind.REMINDER]
    assert sorted((d.channel, d.status, d.next_attempt_at) for d in reminders) == [
        ("oncall", "pending", woke),
        ("ops", "pending", woke),
    ]

    b = store.get(b.id)
    assert (b.status, b.snoozed_until) == (AlertStatus.SNOOZED, T0 + timedelta(hours=5))
    assert [d.kind for d in store.deliveries(b.id)] == [NotificationKind.OPENED] * 2
    assert store.expire_snoozes(routed(), woke) == 0  # already open


# -- 8. times --------------------------------------------------------------------------------


def test_times_round_trip_as_aware_utc(store: AlertStore) -> None:
    plus_two = timezone(timedelta(hours=2))
    local = datetime(2026, 3, 2, 11, 0, 0, 123456, tzinfo=plus_two)
    utc = datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=UTC)
    store.record([signal(1, at=local)], routed(), DAILY, local)
    alert = only_alert(store)
    delivery = store.deliveries(alert.id)[0]
    moments = [
        alert.first_seen,
        alert.last_seen,
        alert.last_notified_at,
        delivery.created_at,
        delivery.next_attempt_at,
        store.events(alert.id)[0].at,
    ]
    assert moments == [utc] * 6
    assert all(moment.tzinfo is UTC for moment in moments)
    with Session(store.engine) as session:
        stored = session.scalars(select(AlertRow.first_seen)).one()
    assert (stored, stored.tzinfo) == (utc, UTC)
    # a comparison in SQL sees the same instant, whatever zone it was given in
    assert store.claim_due_deliveries(utc - timedelta(microseconds=1)) == []
    assert len(store.claim_due_deliveries(local)) == 2


@pytest.mark.postgres
def test_the_postgres_session_time_zone_does_not_leak_into_results(postgres_database: str) -> None:
    kolkata = f"{postgres_database}?options=-c%20timezone%3DAsia/Kolkata"
    store = AlertStore.connect(kolkata)
    try:
        with store.engine.connect() as connection:
            assert connection.execute(text("SHOW timezone")).scalar() == "Asia/Kolkata"
        store.record([signal(1)], routed(), DAILY, T0)
        alert = only_alert(store)
        assert (alert.first_seen, alert.first_seen.tzinfo) == (T0, UTC)
        with store.engine.connect() as connection:  # stored as the instant, shown in the session's zone
            shown = connection.execute(text("SELECT first_seen::text FROM alerts")).scalar()
        assert shown == "2026-03-02 14:30:00+05:30"
    finally:
        store.dispose()


def test_a_naive_datetime_is_rejected(store: AlertStore) -> None:
    naive = datetime(2026, 3, 2, 9, 0)
    with pytest.raises(StatementError, match="naive datetime") as raised:
        store.set_cursor("feed", "1", naive)
    assert isinstance(raised.value.orig, ValueError)
    with pytest.raises(StatementError, match="naive datetime"):
        store.record([signal(1, at=naive)], routed(), DAILY, T0)
    assert store.cursor("feed") is None
    assert store.list_alerts() == []


# -- 9. cursors ------------------------------------------------------------------------------


def test_cursors_are_stored_and_updated_in_place(store: AlertStore) -> None:
    assert store.cursor("checks") is None
    store.set_cursor("checks", "1041", T0)
    assert store.cursor("checks") == "1041"
    store.set_cursor("checks", "2077", T0 + timedelta(minutes=1))
    assert store.cursor("checks") == "2077"
    assert store.cursor("runs") is None
    with Session(store.engine) as session:
        rows = session.scalars(select(AlertCursorRow)).all()
        assert [(r.name, r.value, r.updated_at) for r in rows] == [
            ("checks", "2077", T0 + timedelta(minutes=1))
        ]


# -- 10. listing -----------------------------------------------------------------------------


def test_list_alerts_filters_by_status_and_table_newest_first(store: AlertStore) -> None:
    hour = timedelta(hours=1)
    store.record(
        [
            signal(1, asset="t1", check="a", at=T0),
            signal(2, asset="t2", check="a", at=T0 + hour),
            signal(3, asset="t1", check="b", at=T0 + 2 * hour),
            signal(4, asset="t1", check="a", at=T0 + 3 * hour),  # t1::a seen last, though opened first
            signal(5, asset="t2", check="b", at=T0 + 30 * timedelta(minutes=1)),
        ],
        routed(),
        DAILY,
        T0 + 3 * hour,
    )
    store.record([signal(6, asset="t2", check="b", failing=False, at=T0 + 4 * hour)], routed(), DAILY, T0)

    def keys(**filters: Any) -> list[str]:
        return [alert.dedup_key for alert in store.list_alerts(**filters)]

    assert keys() == ["t1::a", "t1::b", "t2::a", "t2::b"]  # a resolution does not move last_seen
    assert keys(status=AlertStatus.OPEN) == ["t1::a", "t1::b", "t2::a"]
    assert keys(status=AlertStatus.RESOLVED) == ["t2::b"]
    assert keys(status=AlertStatus.SNOOZED) == []
    assert keys(table="t1") == ["t1::a", "t1::b"]
    assert keys(table="t2") == ["t2::a", "t2::b"]
    assert keys(table="t2", status=AlertStatus.OPEN) == ["t2::a"]
    assert keys(table="t9") == []
    assert keys(limit=2) == ["t1::a", "t1::b"]
