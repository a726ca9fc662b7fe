"""Behaviour of dq_checks.alerts: lifecycle decisions, classification, messages, routing, durations."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from dq_checks.alerts.classify import (
    DETAIL_KEYS,
    FRESHNESS_POLICY_CHECK,
    RUN_CHECK,
    alert_type_for,
    signal_from_check,
    signal_from_freshness_state,
    signal_from_run,
)
from dq_checks.alerts.dedup import dedup_key
from dq_checks.alerts.durations import parse_duration
from dq_checks.alerts.lifecycle import (
    Action,
    Decision,
    EventKind,
    NotifyPolicy,
    decide,
    reminder_due,
    snooze_over,
)
from dq_checks.alerts.messages import SUBJECT_LIMIT, AlertNews, Notification, compose
from dq_checks.alerts.model import (
    AlertSeverity,
    AlertState,
    AlertStatus,
    AlertType,
    NotificationKind,
    Signal,
)
from dq_checks.alerts.routing import channels_for
from dq_checks.config.models import AlertRouting

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
DAILY = NotifyPolicy(renotify_after=timedelta(hours=24))


def signal(
    *, failing: bool = True, severity: AlertSeverity = AlertSeverity.ERROR, check: str = "not_null_id"
) -> Signal:
    return Signal(
        evaluation_id=1,
        asset="shop/orders",
        check=check,
        failing=failing,
        type=AlertType.RULE_FAILURE,
        severity=severity,
        title=f"shop/orders: {check} failed",
        message="3 rows failed",
        observed_at=NOW,
    )


def state(
    status: AlertStatus = AlertStatus.OPEN,
    severity: AlertSeverity = AlertSeverity.ERROR,
    *,
    snoozed_until: datetime | None = None,
    notified_ago: timedelta | None = timedelta(hours=1),
    type_: AlertType = AlertType.RULE_FAILURE,
) -> AlertState:
    return AlertState(
        status=status,
        severity=severity,
        type=type_,
        snoozed_until=snoozed_until,
        last_notified_at=None if notified_ago is None else NOW - notified_ago,
    )


def outcome(decision: Decision) -> tuple[object, ...]:
    """The parts of a decision that matter (the reason is prose)."""
    return decision.action, decision.event, decision.status, decision.notify


# --- decide ------------------------------------------------------------------------------------


def test_healthy_with_nothing_open_is_ignored():
    decision = decide(None, signal(failing=False), NOW, DAILY)

    assert outcome(decision) == (Action.IGNORE, None, None, None)


def test_first_failure_opens_and_notifies():
    decision = decide(None, signal(), NOW, DAILY)

    assert outcome(decision) == (Action.OPEN, EventKind.OPENED, AlertStatus.OPEN, NotificationKind.OPENED)


def test_repeat_notified_an_hour_ago_stays_quiet():
    decision = decide(state(notified_ago=timedelta(hours=1)), signal(), NOW, DAILY)

    assert outcome(decision) == (Action.REPEAT, EventKind.REPEATED, AlertStatus.OPEN, None)


def test_repeat_notified_25_hours_ago_reminds():
    decision = decide(state(notified_ago=timedelta(hours=25)), signal(), NOW, DAILY)

    assert outcome(decision) == (
        Action.REPEAT,
        EventKind.REMINDED,
        AlertStatus.OPEN,
        NotificationKind.REMINDER,
    )


def test_reminder_is_due_exactly_at_the_interval():
    current = state(notified_ago=timedelta(hours=24))

    assert reminder_due(current, NOW, DAILY) is True
    assert reminder_due(current, NOW - timedelta(seconds=1), DAILY) is False


def test_no_renotify_interval_never_reminds():
    never = NotifyPolicy(renotify_after=None)
    current = state(notified_ago=timedelta(days=365))

    decision = decide(current, signal(), NOW, never)

    assert outcome(decision) == (Action.REPEAT, EventKind.REPEATED, AlertStatus.OPEN, None)
    assert reminder_due(current, NOW, never) is False


def test_never_notified_alert_is_not_reminded():
    assert reminder_due(state(notified_ago=None), NOW, DAILY) is False


def test_severity_rising_from_warn_to_error_escalates():
    decision = decide(state(severity=AlertSeverity.WARN), signal(severity=AlertSeverity.ERROR), NOW, DAILY)

    assert outcome(decision) == (
        Action.REPEAT,
        EventKind.ESCALATED,
        AlertStatus.OPEN,
        NotificationKind.ESCALATED,
    )
    assert decision.reason == "severity rose from warn to error"


def test_error_repeat_of_an_error_alert_is_quiet():
    decision = decide(state(severity=AlertSeverity.ERROR), signal(severity=AlertSeverity.ERROR), NOW, DAILY)

    assert outcome(decision) == (Action.REPEAT, EventKind.REPEATED, AlertStatus.OPEN, None)


def test_severity_falling_is_a_quiet_repeat():
    decision = decide(state(severity=AlertSeverity.ERROR), signal(severity=AlertSeverity.WARN), NOW, DAILY)

    assert outcome(decision) == (Action.REPEAT, EventKind.REPEATED, AlertStatus.OPEN, None)


def test_acknowledged_alert_stays_quiet_even_when_severity_rises():
    current = state(AlertStatus.ACKNOWLEDGED, AlertSeverity.WARN, notified_ago=timedelta(days=3))

    decision = decide(current, signal(severity=AlertSeverity.ERROR), NOW, DAILY)

    assert outcome(decision) == (Action.REPEAT, EventKind.REPEATED, AlertStatus.ACKNOWLEDGED, None)


def test_snoozed_alert_stays_quiet_before_its_time():
    current = state(
        AlertStatus.SNOOZED, snoozed_until=NOW + timedelta(minutes=1), notified_ago=timedelta(days=3)
    )

    decision = decide(current, signal(), NOW, DAILY)

    assert outcome(decision) == (Action.REPEAT, EventKind.REPEATED, AlertStatus.SNOOZED, None)
    assert snooze_over(current, NOW) is False


def test_snoozed_alert_reopens_with_a_reminder_after_its_time():
    current = state(AlertStatus.SNOOZED, snoozed_until=NOW - timedelta(minutes=1))

    decision = decide(current, signal(), NOW, DAILY)

    assert outcome(decision) == (
        Action.REPEAT,
        EventKind.SNOOZE_ENDED,
        AlertStatus.OPEN,
        NotificationKind.REMINDER,
    )
    assert snooze_over(current, NOW) is True


def test_snooze_is_over_exactly_at_its_time():
    current = state(AlertStatus.SNOOZED, snoozed_until=NOW)

    assert snooze_over(current, NOW) is True
    assert decide(current, signal(), NOW, DAILY).event is EventKind.SNOOZE_ENDED


def test_snooze_over_is_false_for_alerts_that_are_not_snoozed():
    assert snooze_over(state(AlertStatus.OPEN, snoozed_until=NOW - timedelta(hours=1)), NOW) is False
    assert snooze_over(state(AlertStatus.ACKNOWLEDGED), NOW) is False


def test_healthy_resolves_a_notified_alert_and_says_so():
    decision = decide(state(notified_ago=timedelta(hours=2)), signal(failing=False), NOW, DAILY)

    assert outcome(decision) == (
        Action.RESOLVE,
        EventKind.RESOLVED,
        AlertStatus.RESOLVED,
        NotificationKind.RESOLVED,
    )


def test_healthy_resolves_a_never_notified_alert_silently():
    decision = decide(state(notified_ago=None), signal(failing=False), NOW, DAILY)

    assert outcome(decision) == (Action.RESOLVE, EventKind.RESOLVED, AlertStatus.RESOLVED, None)


@pytest.mark.parametrize("status", [AlertStatus.ACKNOWLEDGED, AlertStatus.SNOOZED])
def test_healthy_resolves_acknowledged_and_snoozed_alerts_too(status: AlertStatus):
    current = state(status, snoozed_until=NOW + timedelta(hours=5))

    decision = decide(current, signal(failing=False), NOW, DAILY)

    assert outcome(decision) == (
        Action.RESOLVE,
        EventKind.RESOLVED,
        AlertStatus.RESOLVED,
        NotificationKind.RESOLVED,
    )


def test_dedup_key_is_asset_and_check():
    assert dedup_key("shop/orders", "volume") == "shop/orders::volume"
    assert signal(check="volume").dedup_key == "shop/orders::volume"


def test_severity_ranks_order_warn_below_error():
    assert AlertSeverity.WARN.rank < AlertSeverity.ERROR.rank


# --- classify ----------------------------------------------------------------------------------


def check_signal(
    *,
    check: str = "not_null_id",
    passed: bool = False,
    severity: str = "ERROR",
    outcome: str | None = "fail",
    metadata: dict[str, object] | None = None,
    description: str | None = "3 rows failed",
) -> Signal | None:
    return signal_from_check(
        evaluation_id=42,
        asset="shop/orders",
        check=check,
        passed=passed,
        severity=severity,
        outcome=outcome,
        description=description,
        metadata=metadata or {},
        run_id="run-1",
        observed_at=NOW,
    )


@pytest.mark.parametrize("check", ["not_null_id", "profile", "anomalies", "volume", "schema", "freshness"])
def test_error_outcome_is_a_check_error_whatever_the_check(check: str):
    assert alert_type_for(check, "error") is AlertType.CHECK_ERROR
    made = check_signal(check=check, outcome="error")
    assert made is not None
    assert made.type is AlertType.CHECK_ERROR
    assert made.failing is True
    assert made.title == f"shop/orders: {check} could not be evaluated"


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        ("profile", AlertType.VOLUME_ANOMALY),
        ("anomalies", AlertType.ANOMALY),
        ("volume", AlertType.VOLUME_ANOMALY),
        ("schema", AlertType.SCHEMA_CHANGE),
        ("quality_score", AlertType.QUALITY_SCORE),
        ("freshness", AlertType.FRESHNESS_SLA),
        ("not_null_id", AlertType.RULE_FAILURE),
        ("row_count_between", AlertType.RULE_FAILURE),
    ],
)
def test_check_name_decides_the_type(check: str, expected: AlertType):
    assert alert_type_for(check, "fail") is expected
    made = check_signal(check=check)
    assert made is not None
    assert made.type is expected


def test_a_skip_is_an_inconclusive_healthy_signal():
    made = check_signal(outcome="skip", passed=True)
    assert (made.failing, made.conclusive, made.title) == (False, False, "shop/orders: not_null_id skipped")


def test_a_skip_clears_a_check_error_but_not_a_failure():
    skip = check_signal(outcome="skip", passed=True)
    cleared = decide(state(type_=AlertType.CHECK_ERROR), skip, NOW, DAILY)
    assert outcome(cleared) == (
        Action.RESOLVE,
        EventKind.RESOLVED,
        AlertStatus.RESOLVED,
        NotificationKind.RESOLVED,
    )
    kept = decide(state(type_=AlertType.RULE_FAILURE), skip, NOW, DAILY)
    assert outcome(kept) == (Action.IGNORE, None, None, None)
    assert decide(None, skip, NOW, DAILY).action is Action.IGNORE


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("WARN", AlertSeverity.WARN),
        ("warn", AlertSeverity.WARN),
        ("ERROR", AlertSeverity.ERROR),
        ("error", AlertSeverity.ERROR),
    ],
)
def test_severity_mapping(given: str, expected: AlertSeverity):
    made = check_signal(severity=given)
    assert made is not None
    assert made.severity is expected


def test_failed_check_signal_fields():
    made = check_signal(check="not_null_id", description=None)

    assert made == Signal(
        evaluation_id=42,
        asset="shop/orders",
        check="not_null_id",
        failing=True,
        type=AlertType.RULE_FAILURE,
        severity=AlertSeverity.ERROR,
        title="shop/orders: not_null_id failed",
        message="not_null_id failed",
        observed_at=NOW,
        details={"outcome": "fail", "run_id": "run-1"},
    )
    assert made.dedup_key == "shop/orders::not_null_id"


def test_description_becomes_the_message():
    made = check_signal(description="3 of 10 rows have a null id")
    assert made is not None
    assert made.message == "3 of 10 rows have a null id"


def test_details_keep_only_the_detail_keys_plus_outcome_and_run_id():
    metadata = {
        "observed": 3,
        "failed_count": 3,
        "evaluated_count": 10,
        "condition": "id is not null",
        "markdown": "| id |\n|---|\n| None |",
        "sample": [{"id": None}],
        "dq/outcome": "fail",
    }

    made = check_signal(metadata=metadata)

    assert made is not None
    assert made.details == {
        "observed": 3,
        "condition": "id is not null",
        "evaluated_count": 10,
        "failed_count": 3,
        "outcome": "fail",
        "run_id": "run-1",
    }
    assert set(made.details) <= {*DETAIL_KEYS, "outcome", "run_id"}


def test_without_a_dq_outcome_passed_decides():
    passing = check_signal(outcome=None, passed=True)
    failing = check_signal(outcome=None, passed=False)

    assert passing is not None
    assert failing is not None
    assert (passing.failing, passing.details["outcome"], passing.title) == (
        False,
        "pass",
        "shop/orders: not_null_id passed",
    )
    assert (failing.failing, failing.details["outcome"], failing.title) == (
        True,
        "fail",
        "shop/orders: not_null_id failed",
    )


@pytest.mark.parametrize(
    ("new_state", "failing", "severity"),
    [
        ("FAIL", True, AlertSeverity.ERROR),
        ("WARN", True, AlertSeverity.WARN),
        ("PASS", False, AlertSeverity.WARN),
    ],
)
def test_freshness_policy_states(new_state: str, failing: bool, severity: AlertSeverity):
    made = signal_from_freshness_state(
        evaluation_id=7, asset="shop/orders", new_state=new_state, previous_state="PASS", observed_at=NOW
    )

    assert made is not None
    assert made.check == FRESHNESS_POLICY_CHECK == "freshness_policy"
    assert made.type is AlertType.FRESHNESS_SLA
    assert made.failing is failing
    assert made.severity is severity
    assert made.title == f"shop/orders: freshness policy {new_state}"
    assert made.details == {"new_state": new_state, "previous_state": "PASS"}


def test_unknown_freshness_state_is_no_signal():
    made = signal_from_freshness_state(
        evaluation_id=7, asset="shop/orders", new_state="UNKNOWN", previous_state="PASS", observed_at=NOW
    )

    assert made is None


def test_failed_run_opens_the_run_pseudo_check():
    made = signal_from_run(
        evaluation_id=9,
        asset="shop/orders",
        job="dq__shop__orders",
        run_id="abc",
        failed=True,
        message=None,
        observed_at=NOW,
    )

    assert made.check == RUN_CHECK == "run"
    assert made.dedup_key == "shop/orders::run"
    assert made.failing is True
    assert made.type is AlertType.RUN_FAILURE
    assert made.severity is AlertSeverity.ERROR
    assert made.title == "shop/orders: run of dq__shop__orders failed"
    assert made.message == "run abc failed"
    assert made.details == {"job": "dq__shop__orders", "run_id": "abc"}


def test_successful_run_resolves_the_run_pseudo_check():
    made = signal_from_run(
        evaluation_id=10,
        asset="shop/orders",
        job="dq__shop__orders",
        run_id="def",
        failed=False,
        message=None,
        observed_at=NOW,
    )

    assert made.failing is False
    assert made.dedup_key == "shop/orders::run"
    assert made.title == "shop/orders: run of dq__shop__orders succeeded"
    assert made.message == "run def succeeded"
    assert outcome(decide(state(), made, NOW, DAILY))[0] is Action.RESOLVE


def test_run_failure_message_is_kept():
    made = signal_from_run(
        evaluation_id=9,
        asset="shop/orders",
        job="j",
        run_id="abc",
        failed=True,
        message="step blew up",
        observed_at=NOW,
    )

    assert made.message == "step blew up"


# --- compose -----------------------------------------------------------------------------------


def news(
    alert_id: int,
    *,
    kind: NotificationKind = NotificationKind.OPENED,
    severity: AlertSeverity = AlertSeverity.ERROR,
    check: str | None = None,
) -> AlertNews:
    return AlertNews(
        alert_id=alert_id,
        kind=kind,
        check=check or f"rule_{alert_id:02d}",
        type=AlertType.RULE_FAILURE,
        severity=severity,
        status=AlertStatus.RESOLVED if kind is NotificationKind.RESOLVED else AlertStatus.OPEN,
        title=f"t: rule_{alert_id:02d} failed",
        message=f"rule {alert_id} failed",
        occurrences=alert_id,
        first_seen=NOW - timedelta(hours=1),
        last_seen=NOW,
        details={"failed_count": alert_id, "run_id": "run-1"},
    )


def test_ten_failing_rules_make_one_notification_with_ten_items():
    items = [news(i) for i in range(1, 11)]

    message = compose("msg-1", "shop/orders", items)

    assert isinstance(message, Notification)
    assert message.message_id == "msg-1"
    assert message.table == "shop/orders"
    assert len(message.items) == 10
    assert [item.alert_id for item in message.items] == list(range(1, 11))
    assert message.subject == "[dq] shop/orders: 10 new"
    text_lines = message.text.splitlines()
    assert text_lines[0] == "shop/orders: 10 new"
    assert len(text_lines) == 11
    assert text_lines[1] == (
        "- [new] ERROR rule_01 (rule_failure): rule 1 failed (alert #1, seen 1x since 2024-05-01 11:00 UTC)"
    )


def test_opened_comes_before_resolved_and_error_before_warn():
    items = [
        news(1, kind=NotificationKind.RESOLVED, severity=AlertSeverity.ERROR, check="a_resolved"),
        news(2, kind=NotificationKind.OPENED, severity=AlertSeverity.WARN, check="a_warn"),
        news(3, kind=NotificationKind.REMINDER, severity=AlertSeverity.ERROR, check="a_reminder"),
        news(4, kind=NotificationKind.OPENED, severity=AlertSeverity.ERROR, check="z_error"),
        news(5, kind=NotificationKind.ESCALATED, severity=AlertSeverity.ERROR, check="a_escalated"),
    ]

    message = compose("msg-2", "shop/orders", items)

    assert [item.check for item in message.items] == [
        "z_error",
        "a_warn",
        "a_escalated",
        "a_reminder",
        "a_resolved",
    ]
    assert message.subject == "[dq] shop/orders: 2 new, 1 escalated, 1 still failing, 1 resolved"


def test_same_kind_and_severity_are_ordered_by_check_name():
    items = [news(1, check="zeta"), news(2, check="alpha"), news(3, check="mid")]

    message = compose("msg-3", "t", items)

    assert [item.check for item in message.items] == ["alpha", "mid", "zeta"]


def test_subject_starts_with_the_table():
    message = compose("msg-4", "shop/orders", [news(1)])

    assert message.subject.startswith("[dq] shop/orders:")
    assert len(message.subject) <= SUBJECT_LIMIT == 100


def test_subject_is_at_most_100_characters_with_a_very_long_table_name():
    table = "warehouse/" + "very_long_table_name_" * 10
    items = [
        news(1),
        news(2, kind=NotificationKind.ESCALATED),
        news(3, kind=NotificationKind.REMINDER),
        news(4, kind=NotificationKind.RESOLVED),
    ]

    message = compose("msg-5", table, items)

    assert len(message.subject) == 100
    assert message.subject == f"[dq] {table}"[:99] + "…"
    assert message.text.splitlines()[0].startswith(f"{table}: 1 new, 1 escalated")


def test_subject_just_at_the_limit_is_not_truncated():
    suffix = ": 1 new"
    table = "t" * (100 - len("[dq] ") - len(suffix))

    message = compose("msg-6", table, [news(1)])

    assert message.subject == f"[dq] {table}{suffix}"
    assert len(message.subject) == 100


def test_payload_is_json_and_lists_the_alerts():
    items = [news(2, kind=NotificationKind.RESOLVED), news(1)]
    message = compose("msg-7", "shop/orders", items)

    payload = json.loads(json.dumps(message.payload()))

    assert payload["message_id"] == "msg-7"
    assert payload["source"] == "dq"
    assert payload["table"] == "shop/orders"
    assert payload["subject"] == message.subject
    assert payload["text"] == message.text
    assert [alert["alert_id"] for alert in payload["alerts"]] == [1, 2]
    assert payload["alerts"][0] == {
        "alert_id": 1,
        "kind": "opened",
        "check": "rule_01",
        "type": "rule_failure",
        "severity": "error",
        "status": "open",
        "title": "t: rule_01 failed",
        "message": "rule 1 failed",
        "occurrences": 1,
        "first_seen": "2024-05-01T11:00:00+00:00",
        "last_seen": "2024-05-01T12:00:00+00:00",
        "details": {"failed_count": 1, "run_id": "run-1"},
    }
    assert payload["alerts"][1]["kind"] == "resolved"
    assert payload["alerts"][1]["status"] == "resolved"


# --- routing -----------------------------------------------------------------------------------


def test_below_min_severity_goes_nowhere():
    routing = AlertRouting(channels=("ops", "log"), min_severity=AlertSeverity.ERROR)

    assert channels_for(routing, AlertSeverity.WARN) == ()


def test_at_or_above_min_severity_goes_to_the_channels():
    strict = AlertRouting(channels=("ops", "log"), min_severity=AlertSeverity.ERROR)
    lenient = AlertRouting(channels=("ops",), min_severity=AlertSeverity.WARN)

    assert channels_for(strict, AlertSeverity.ERROR) == ("ops", "log")
    assert channels_for(lenient, AlertSeverity.WARN) == ("ops",)
    assert channels_for(lenient, AlertSeverity.ERROR) == ("ops",)


def test_default_routing_is_the_log_channel_from_warn():
    assert channels_for(AlertRouting(), AlertSeverity.WARN) == ("log",)


# --- durations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", timedelta(hours=2)),
        ("30m", timedelta(minutes=30)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d", timedelta(days=1)),
        ("1w", timedelta(weeks=1)),
        ("90s", timedelta(seconds=90)),
        (" 1H 30M ", timedelta(hours=1, minutes=30)),
        ("1.5h", timedelta(minutes=90)),
    ],
)
def test_parse_duration(text: str, expected: timedelta):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "is not a duration"),
        ("2x", "is not a duration"),
        ("h", "is not a duration"),
        ("-1h", "is not a duration"),
        ("2h junk", "is not a duration"),
        ("0m", "is not a positive duration"),
    ],
)
def test_parse_duration_rejects(text: str, error: str):
    with pytest.raises(ValueError, match=error) as raised:
        parse_duration(text)

    assert str(raised.value).startswith(repr(text))


def test_a_pass_from_before_the_alert_opened_is_stale():
    alert = AlertState(
        status=AlertStatus.OPEN,
        severity=AlertSeverity.ERROR,
        type=AlertType.RULE_FAILURE,
        snoozed_until=None,
        last_notified_at=NOW,
        first_seen=NOW,
    )
    earlier = replace(signal(failing=False), observed_at=NOW - timedelta(seconds=1))
    assert outcome(decide(alert, earlier, NOW, DAILY)) == (Action.IGNORE, None, None, None)
    at_the_same_time = replace(signal(failing=False), observed_at=NOW)
    assert decide(alert, at_the_same_time, NOW, DAILY).action is Action.RESOLVE
