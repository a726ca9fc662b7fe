"""Alerts end to end: evaluations in a real Dagster instance (sqlite and Postgres), the alert store on
the same backend, notifications to a real HTTP receiver. Every tick runs the sensors' own code.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from dq_checks.alerts.model import AlertStatus
from dq_resources.alerts.schema import AlertEventRow
from tests.alert_world import AlertWorld
from tests.conftest import ALERT_TABLES

CHECKS_PER_TABLE = 10
REPEATS = 20


def alerts_in(message: dict) -> list[tuple[str, str]]:
    return [(a["check"], a["kind"]) for a in message["alerts"]]


def test_a_flood_makes_one_alert_per_check_and_one_message_per_table(world: AlertWorld) -> None:
    # 1,000 failing evaluations: 5 tables x 10 rules x 20 runs each, over four ticks.
    per_tick = []
    for tick in range(4):
        for _ in range(REPEATS // 4):
            for table in ALERT_TABLES:
                for rule in range(CHECKS_PER_TABLE):
                    world.evaluate(table, f"rule_{rule}", passed=False)
        before = len(world.sink.received)
        report = world.tick()
        per_tick.append(len(world.sink.received) - before)
        assert report.events_read == 250
        assert report.recorded.opened == (50 if tick == 0 else 0)
        assert report.recorded.repeated == (200 if tick == 0 else 250)

    open_alerts = world.store.list_alerts(AlertStatus.OPEN)
    assert len(open_alerts) == 50
    assert {a.occurrences for a in open_alerts} == {REPEATS}
    # Ten failing rules on one table make one message; repeats say nothing new.
    assert per_tick == [5, 0, 0, 0]
    messages = world.messages()
    assert sorted(m["table"] for m in messages) == ALERT_TABLES
    for message in messages:
        assert sorted(alerts_in(message)) == [(f"rule_{r}", "opened") for r in range(CHECKS_PER_TABLE)]
    with world.store.engine.connect() as connection:
        assert (
            connection.scalar(
                select(func.count())
                .select_from(AlertEventRow)
                .where(AlertEventRow.evaluation_id.is_not(None))
            )
            == 1_000
        )


def test_processing_the_same_evaluations_again_changes_nothing(world: AlertWorld) -> None:
    world.evaluate("t0", "rule_a", passed=False)
    world.evaluate("t0", "rule_b", passed=False, severity="WARN")
    first = world.tick()
    assert (first.recorded.opened, first.delivery.sent) == (2, 1)
    # As after a crash before the cursor was stored: the same events are read again.
    world.cursors.clear()
    again = world.tick()
    assert again.events_read == 2
    assert (again.recorded.duplicates, again.recorded.opened, again.recorded.repeated) == (2, 0, 0)
    assert again.delivery.sent == 0
    assert len(world.store.list_alerts()) == 2
    assert len(world.sink.received) == 1


def test_a_flapping_check_read_again_after_a_crash_changes_nothing(world: AlertWorld) -> None:
    # fail, pass, pass, fail in one batch: the second pass finds nothing open and changes nothing.
    for passed in (False, True, True, False):
        world.evaluate("t0", "flappy", passed=passed)
    first = world.tick()
    assert (first.recorded.opened, first.recorded.resolved, first.recorded.ignored) == (2, 1, 1)
    before = [(a.id, a.status) for a in world.store.list_alerts()]
    messages = len(world.sink.received)
    # Read from the start again, as after a crash before the cursor was stored: the pass that
    # changed nothing must not now resolve the alert that the later failure opened.
    world.cursors.clear()
    again = world.tick()
    assert (again.recorded.duplicates, again.recorded.processed) == (4, 0)
    assert [(a.id, a.status) for a in world.store.list_alerts()] == before
    assert len(world.sink.received) == messages
    assert world.store.applied_through("checks") == first.cursor


def test_a_webhook_down_for_three_ticks_delivers_every_alert_exactly_once(world: AlertWorld) -> None:
    port = world.sink.port
    world.sink.stop()  # connections refused from here on
    for table in ALERT_TABLES[:3]:
        world.evaluate(table, "rule_a", passed=False)
        world.evaluate(table, "rule_b", passed=False, severity="WARN")
    for tick in range(3):
        report = world.tick(advance=timedelta(hours=2))  # past the backoff, so every tick retries
        assert report.delivery.sent == 0
        assert report.delivery.failed == 3
        # the alerts are persisted and their delivery state says what is going on
        alerts = world.store.list_alerts(AlertStatus.OPEN)
        assert len(alerts) == 6
        assert {a.delivery_state for a in alerts} == {"retrying"}
        assert all(f"({tick + 1} attempts)" in (a.delivery_error or "") for a in alerts)
        if tick == 1:
            world.evaluate("t0", "rule_a", passed=False)  # a repeat while down queues nothing more
    assert "ConnectionError" in (alerts[0].delivery_error or "")

    world.sink.port = port
    world.sink.start()
    delivered = world.tick()
    assert (delivered.delivery.sent, delivered.delivery.failed) == (3, 0)
    assert world.tick().delivery.sent == 0

    received = [alert for message in world.messages() for alert in message["alerts"]]
    assert len(world.messages()) == 3  # one per table, the first time the receiver was up
    assert sorted(a["alert_id"] for a in received) == sorted(a.id for a in world.store.list_alerts())
    assert {a.delivery_state for a in world.store.list_alerts()} == {"delivered"}
    deliveries = world.store.deliveries()
    assert len(deliveries) == 6
    assert {(d.status, d.attempts) for d in deliveries} == {("sent", 4)}


def test_a_passing_check_resolves_and_says_so_and_a_new_failure_opens_a_new_alert(world: AlertWorld) -> None:
    world.evaluate("t1", "rule_a", passed=False)
    world.tick()
    (opened,) = world.store.list_alerts(AlertStatus.OPEN)

    world.evaluate("t1", "rule_a", passed=True)
    report = world.tick()
    assert report.recorded.resolved == 1
    resolved = world.store.get(opened.id)
    assert (resolved.status, resolved.resolved_by) == (AlertStatus.RESOLVED, "dq")
    assert alerts_in(world.messages()[-1]) == [("rule_a", "resolved")]

    world.evaluate("t1", "rule_a", passed=False)
    world.tick()
    (reopened,) = world.store.list_alerts(AlertStatus.OPEN)
    assert reopened.id != opened.id
    assert reopened.occurrences == 1
    assert [m["alerts"][0]["kind"] for m in world.messages()] == ["opened", "resolved", "opened"]


def test_acknowledged_stays_quiet_and_snoozed_waits_for_its_time(world: AlertWorld) -> None:
    world.evaluate("t2", "acked", passed=False, severity="WARN")
    world.evaluate("t2", "snoozed", passed=False)
    world.tick()
    acked, snoozed = (
        next(a for a in world.store.list_alerts() if a.check == name) for name in ("acked", "snoozed")
    )
    world.store.acknowledge(acked.id, "ana", world.now)
    world.store.snooze(snoozed.id, world.now + timedelta(hours=2), "bo", world.now)
    sent = len(world.sink.received)

    # Failing again, even a day later and at a higher severity: nothing is sent for either.
    world.evaluate("t2", "acked", passed=False, severity="ERROR")
    world.evaluate("t2", "snoozed", passed=False)
    world.tick(advance=timedelta(minutes=30))
    assert len(world.sink.received) == sent
    assert world.store.get(acked.id).status is AlertStatus.ACKNOWLEDGED
    assert world.store.get(acked.id).occurrences == 2

    # Two hours later the snooze ends: the still-failing alert opens again and reminds.
    world.now += timedelta(hours=2)
    report = world.tick()
    assert report.snoozes_ended == 1
    assert world.store.get(snoozed.id).status is AlertStatus.OPEN
    assert alerts_in(world.messages()[-1]) == [("snoozed", "reminder")]
    kinds = [e.kind for e in world.store.events(snoozed.id)]
    assert kinds == ["opened", "notified", "snoozed", "repeated", "snooze_ended", "notified"]


def test_repeats_notify_again_only_when_severity_rises_or_the_interval_passes(world: AlertWorld) -> None:
    world.evaluate("t3", "score", passed=False, severity="WARN")
    world.tick()
    world.evaluate("t3", "score", passed=False, severity="WARN")
    world.tick(advance=timedelta(hours=1))
    world.evaluate("t3", "score", passed=False, severity="ERROR")
    world.tick(advance=timedelta(hours=25))
    world.evaluate("t3", "score", passed=False, severity="ERROR")
    world.tick()
    assert [m["alerts"][0]["kind"] for m in world.messages()] == ["opened", "escalated", "reminder"]
    (alert,) = world.store.list_alerts()
    assert (alert.occurrences, alert.severity.value) == (4, "error")


def test_min_severity_keeps_warnings_off_a_channel(world: AlertWorld, tmp_path) -> None:
    from tests.alert_world import load_alerting, write_definitions

    folder = write_definitions(
        tmp_path / "strict",
        ["t0"],
        f"channels:\n  hook: {{type: webhook, url: '{world.sink.url}/dq'}}\n",
        table_extra="alerts: {channels: [hook], min_severity: error}\n",
    )
    world.alerting = load_alerting(folder)
    world.evaluate("t0", "mild", passed=False, severity="WARN")
    world.evaluate("t0", "bad", passed=False, severity="ERROR")
    world.tick()
    assert [alerts_in(m) for m in world.messages()] == [[("bad", "opened")]]
    mild = next(a for a in world.store.list_alerts() if a.check == "mild")
    assert (mild.status, mild.delivery_state) == (AlertStatus.OPEN, "none")


def test_an_errored_check_is_a_check_error_alert(world: AlertWorld) -> None:
    world.evaluate("t4", "rule_a", passed=False, outcome="error")
    world.evaluate("t4", "volume", passed=False)
    world.tick()
    alerts = {a.check: a for a in world.store.list_alerts()}
    assert (alerts["rule_a"].type.value, alerts["rule_a"].title) == (
        "check_error",
        "t4: rule_a could not be evaluated",
    )
    # A skip shows the check runs again: it clears the error, but says nothing of the volume failure.
    world.evaluate("t4", "rule_a", passed=True, outcome="skip")
    world.evaluate("t4", "volume", passed=True, outcome="skip")
    report = world.tick()
    assert (report.recorded.resolved, report.recorded.ignored) == (1, 1)
    assert world.store.get(alerts["rule_a"].id).status is AlertStatus.RESOLVED
    assert world.store.get(alerts["volume"].id).status is AlertStatus.OPEN


@pytest.mark.parametrize("state", ["FAIL", "WARN"])
def test_freshness_policy_breaches_become_freshness_sla_alerts(world: AlertWorld, state: str) -> None:
    import dagster as dg
    from dagster._core.definitions.freshness import FreshnessState, FreshnessStateChange

    def change(new: str, old: str) -> None:
        world.instance.report_runless_asset_event(
            FreshnessStateChange(
                key=dg.AssetKey("t0"),
                new_state=FreshnessState(new),
                previous_state=FreshnessState(old),
                state_change_timestamp=world.now.timestamp(),
            )
        )

    change(state, "PASS")
    world.tick()
    (alert,) = world.store.list_alerts(AlertStatus.OPEN)
    assert (alert.type.value, alert.check, alert.severity.value) == (
        "freshness_sla",
        "freshness_policy",
        "error" if state == "FAIL" else "warn",
    )
    change("PASS", state)
    world.tick()
    assert world.store.get(alert.id).status is AlertStatus.RESOLVED
