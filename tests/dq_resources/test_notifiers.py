"""The notifiers against real servers: a local HTTP sink (webhook, Slack Web API) and moto (SNS, SQS).

Nothing of ours is mocked: every notifier sends over a socket on 127.0.0.1 and the test reads what
arrived on the other side.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from dagster_slack import SlackResource

from dq_checks.alerts.messages import AlertNews, Notification, compose
from dq_checks.alerts.model import AlertSeverity, AlertStatus, AlertType, NotificationKind
from dq_checks.config.alerting import (
    LogChannelSpec,
    SlackChannelSpec,
    SnsChannelSpec,
    WebhookChannelSpec,
)
from dq_resources.notify import (
    LogNotifier,
    NotifierError,
    SlackNotifier,
    SnsNotifier,
    WebhookNotifier,
    build_notifier,
)
from dq_resources.notify.factory import UnavailableNotifier
from dq_resources.notify.slack import MAX_ITEMS_SHOWN
from dq_resources.notify.sns import sns_subject
from tests.http_sink import HttpSink, free_port

FIRST_SEEN = datetime(2024, 3, 1, 6, 30)
LAST_SEEN = datetime(2024, 3, 2, 6, 30)
LOGGER_NAME = "dq.tests.notifiers"
REGION = "eu-west-1"
FAKE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def news(
    alert_id: int,
    kind: NotificationKind,
    check: str,
    severity: AlertSeverity = AlertSeverity.ERROR,
    *,
    type_: AlertType = AlertType.RULE_FAILURE,
    status: AlertStatus = AlertStatus.OPEN,
    message: str = "",
    occurrences: int = 1,
) -> AlertNews:
    return AlertNews(
        alert_id=alert_id,
        kind=kind,
        check=check,
        type=type_,
        severity=severity,
        status=status,
        title=f"{check} failed",
        message=message or f"{check}: 12 rows fail",
        occurrences=occurrences,
        first_seen=FIRST_SEEN,
        last_seen=LAST_SEEN,
    )


def three_alerts(message_id: str = "msg-0001") -> Notification:
    """Given out of order on purpose: compose puts opened first, then escalated, then resolved."""
    return compose(
        message_id,
        "shop.orders",
        [
            news(
                13,
                NotificationKind.RESOLVED,
                "orders_freshness",
                AlertSeverity.WARN,
                type_=AlertType.FRESHNESS_SLA,
                status=AlertStatus.RESOLVED,
                message="fresh again",
            ),
            news(12, NotificationKind.ESCALATED, "orders_volume", type_=AlertType.VOLUME_ANOMALY),
            news(11, NotificationKind.OPENED, "orders_amount_positive", occurrences=3),
        ],
    )


@pytest.fixture
def logger() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    server = HttpSink().start()
    yield server
    server.stop()


def test_composed_message_is_what_the_channels_are_given() -> None:
    notification = three_alerts()
    assert notification.subject == "[dq] shop.orders: 1 new, 1 escalated, 1 resolved"
    assert notification.text == (
        "shop.orders: 1 new, 1 escalated, 1 resolved\n"
        "- [new] ERROR orders_amount_positive (rule_failure): orders_amount_positive: 12 rows fail "
        "(alert #11, seen 3x since 2024-03-01 06:30 UTC)\n"
        "- [escalated] ERROR orders_volume (volume_anomaly): orders_volume: 12 rows fail "
        "(alert #12, seen 1x since 2024-03-01 06:30 UTC)\n"
        "- [resolved] WARN orders_freshness (freshness_sla): fresh again "
        "(alert #13, seen 1x since 2024-03-01 06:30 UTC)"
    )


# --- webhook ---------------------------------------------------------------------------------


def test_webhook_posts_the_payload_once_without_a_signature(
    sink: HttpSink, logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    notification = three_alerts()
    before = int(time.time())
    with caplog.at_level(logging.INFO, logger=LOGGER_NAME):
        WebhookNotifier(url=sink.url + "/hooks/dq").send(notification, logger)
    after = int(time.time())

    assert len(sink.received) == 1
    request = sink.received[0]
    assert request.path == "/hooks/dq"
    assert request.body == json.dumps(notification.payload(), sort_keys=True).encode()
    body = request.json()
    assert body["message_id"] == "msg-0001"
    assert body["source"] == "dq"
    assert body["table"] == "shop.orders"
    assert body["subject"] == notification.subject
    assert body["text"] == notification.text
    assert [(a["check"], a["kind"], a["severity"], a["alert_id"]) for a in body["alerts"]] == [
        ("orders_amount_positive", "opened", "error", 11),
        ("orders_volume", "escalated", "error", 12),
        ("orders_freshness", "resolved", "warn", 13),
    ]
    assert body["alerts"][0] == {
        "alert_id": 11,
        "kind": "opened",
        "check": "orders_amount_positive",
        "type": "rule_failure",
        "severity": "error",
        "status": "open",
        "title": "orders_amount_positive failed",
        "message": "orders_amount_positive: 12 rows fail",
        "occurrences": 3,
        "first_seen": "2024-03-01T06:30:00",
        "last_seen": "2024-03-02T06:30:00",
        "details": {},
    }
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-DQ-Message-Id"] == "msg-0001"
    assert before <= int(request.headers["X-DQ-Timestamp"]) <= after
    assert "X-DQ-Signature" not in request.headers
    assert caplog.record_tuples == [(LOGGER_NAME, logging.INFO, f"sent msg-0001 to webhook {sink.url}/…")]


def test_webhook_signs_timestamp_and_raw_body_with_the_secret(sink: HttpSink, logger: logging.Logger) -> None:
    secret = "whsec-0123456789"
    WebhookNotifier(url=sink.url + "/hooks/dq", secret=secret).send(three_alerts(), logger)

    assert len(sink.received) == 1
    request = sink.received[0]
    timestamp = request.headers["X-DQ-Timestamp"]
    expected = hmac.new(
        secret.encode("utf-8"), timestamp.encode("ascii") + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert request.headers["X-DQ-Signature"] == "sha256=" + expected
    wrong_key = hmac.new(b"other", timestamp.encode("ascii") + b"." + request.body, hashlib.sha256)
    assert request.headers["X-DQ-Signature"] != "sha256=" + wrong_key.hexdigest()


def test_webhook_same_message_id_on_a_retry(sink: HttpSink, logger: logging.Logger) -> None:
    notifier = WebhookNotifier(url=sink.url + "/hooks/dq", secret="s3cret")
    notifier.send(three_alerts("msg-retry"), logger)
    notifier.send(three_alerts("msg-retry"), logger)

    assert [r.headers["X-DQ-Message-Id"] for r in sink.received] == ["msg-retry", "msg-retry"]
    assert sink.received[0].body == sink.received[1].body


def test_webhook_non_2xx_answer_raises(sink: HttpSink, logger: logging.Logger) -> None:
    sink.status = 503
    sink.reply = {"error": "maintenance"}

    with pytest.raises(NotifierError) as raised:
        WebhookNotifier(url=sink.url + "/hooks/dq").send(three_alerts(), logger)

    assert "HTTP 503" in str(raised.value)
    assert str(raised.value) == f'webhook {sink.url}/…: HTTP 503: {{"error": "maintenance"}}'
    assert len(sink.received) == 1


def test_webhook_nothing_listening_raises_without_leaking_the_url_secret(logger: logging.Logger) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hooks/SECRET-TOKEN-123?key=abc"

    with pytest.raises(NotifierError) as raised:
        WebhookNotifier(url=url, timeout_seconds=5).send(three_alerts(), logger)

    text = str(raised.value)
    assert text.startswith(f"webhook http://127.0.0.1:{port}/…: ConnectionError: ")
    assert "127.0.0.1" in text
    assert "SECRET-TOKEN-123" not in text
    assert "abc" not in text
    assert "/hooks" not in text


# --- slack -----------------------------------------------------------------------------------


def slack_notifier(sink: HttpSink, token: str = "xoxb-test") -> SlackNotifier:
    return SlackNotifier(slack=SlackResource(token=token), channel="#data-alerts", api_url=sink.url + "/api/")


def test_slack_posts_chat_post_message_with_blocks(
    sink: HttpSink, logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    sink.reply = {"ok": True, "channel": "C1", "ts": "1.0"}
    notification = three_alerts()

    with caplog.at_level(logging.INFO, logger=LOGGER_NAME):
        slack_notifier(sink).send(notification, logger)

    assert len(sink.received) == 1
    request = sink.received[0]
    assert request.path == "/api/chat.postMessage"
    assert request.headers["Authorization"] == "Bearer xoxb-test"
    # slack_sdk sends chat.postMessage as a JSON body (json=kwargs), blocks included as a list.
    assert request.headers["Content-Type"] == "application/json;charset=utf-8"
    body = request.json()
    assert set(body) == {"channel", "text", "blocks"}
    assert body["channel"] == "#data-alerts"
    assert body["text"] == notification.text
    assert body["blocks"] == [
        {"type": "header", "text": {"type": "plain_text", "text": notification.subject}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": ":red_circle: *orders_amount_positive* `error` rule_failure\n"
                "orders_amount_positive: 12 rows fail\n_alert #11, seen 3x_",
            },
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": ":rotating_light: *orders_volume* `error` volume_anomaly\n"
                "orders_volume: 12 rows fail\n_alert #12, seen 1x_",
            },
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": ":white_check_mark: *orders_freshness* `warn` freshness_sla\n"
                "fresh again\n_alert #13, seen 1x_",
            },
        },
    ]
    assert caplog.record_tuples == [(LOGGER_NAME, logging.INFO, "sent msg-0001 to slack #data-alerts")]


def test_slack_api_url_without_trailing_slash(sink: HttpSink, logger: logging.Logger) -> None:
    sink.reply = {"ok": True, "channel": "C1", "ts": "1.0"}
    notifier = SlackNotifier(
        slack=SlackResource(token="xoxb-test"), channel="#data-alerts", api_url=sink.url + "/api"
    )
    notifier.send(three_alerts(), logger)

    assert [r.path for r in sink.received] == ["/api/chat.postMessage"]


def test_slack_ok_false_raises_with_slack_error(sink: HttpSink, logger: logging.Logger) -> None:
    sink.reply = {"ok": False, "error": "channel_not_found"}

    with pytest.raises(NotifierError) as raised:
        slack_notifier(sink).send(three_alerts(), logger)

    assert str(raised.value) == "slack #data-alerts: channel_not_found"
    assert len(sink.received) == 1


def test_slack_shows_at_most_max_items_and_counts_the_rest(sink: HttpSink, logger: logging.Logger) -> None:
    sink.reply = {"ok": True, "channel": "C1", "ts": "1.0"}
    total = MAX_ITEMS_SHOWN + 5
    items = [
        news(100 + i, NotificationKind.OPENED, f"check_{i:02d}", AlertSeverity.WARN) for i in range(total)
    ]
    notification = compose("msg-many", "shop.order_items", items)

    slack_notifier(sink).send(notification, logger)

    assert MAX_ITEMS_SHOWN == 40
    body = sink.received[0].json()
    blocks = body["blocks"]
    assert len(blocks) == 1 + 40 + 1
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "[dq] shop.order_items: 45 new"},
    }
    sections = [b for b in blocks if b["type"] == "section"]
    assert len(sections) == 40
    assert sections[0]["text"]["text"].startswith(":red_circle: *check_00* `warn` rule_failure\n")
    assert sections[-1]["text"]["text"].startswith(":red_circle: *check_39* `warn` rule_failure\n")
    assert blocks[-1] == {"type": "context", "elements": [{"type": "mrkdwn", "text": "and 5 more"}]}
    # The plain text still lists every alert, the hidden ones included.
    assert body["text"] == notification.text
    assert body["text"].count("\n- [new] WARN check_") == 45
    assert "check_44" in body["text"]


def test_slack_exactly_max_items_has_no_context_block(sink: HttpSink, logger: logging.Logger) -> None:
    sink.reply = {"ok": True, "channel": "C1", "ts": "1.0"}
    items = [news(i, NotificationKind.REMINDER, f"check_{i:02d}") for i in range(MAX_ITEMS_SHOWN)]

    slack_notifier(sink).send(compose("msg-forty", "shop.orders", items), logger)

    blocks = sink.received[0].json()["blocks"]
    assert [b["type"] for b in blocks] == ["header"] + ["section"] * 40


# --- sns -------------------------------------------------------------------------------------


def aws_client(service: str, moto_url: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=moto_url, **FAKE_CREDENTIALS)


@pytest.fixture
def topic_with_queue(moto_url: str, aws_env: None) -> tuple[str, str]:
    """A fresh SNS topic with an SQS queue subscribed (raw delivery off); returns (topic ARN, queue URL)."""
    sns = aws_client("sns", moto_url)
    sqs = aws_client("sqs", moto_url)
    name = f"dq-alerts-{uuid.uuid4().hex[:8]}"
    topic_arn = sns.create_topic(Name=name)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    return topic_arn, queue_url


def test_sns_publish_reaches_the_sqs_subscriber_as_the_json_payload(
    moto_url: str,
    topic_with_queue: tuple[str, str],
    logger: logging.Logger,
    caplog: pytest.LogCaptureFixture,
) -> None:
    topic_arn, queue_url = topic_with_queue
    notification = three_alerts("msg-sns-1")

    with caplog.at_level(logging.INFO, logger=LOGGER_NAME):
        SnsNotifier(topic_arn=topic_arn, endpoint_url=moto_url).send(notification, logger)

    received = aws_client("sqs", moto_url).receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
    messages = received.get("Messages", [])
    assert len(messages) == 1
    envelope = json.loads(messages[0]["Body"])
    assert envelope["Type"] == "Notification"
    assert envelope["TopicArn"] == topic_arn
    assert envelope["Subject"] == "[dq] shop.orders: 1 new, 1 escalated, 1 resolved"
    # MessageStructure=json: the SQS subscriber gets the "sqs" variant, not the "default" text.
    assert envelope["Message"] == json.dumps(notification.payload(), default=str)
    payload = json.loads(envelope["Message"])
    assert payload["message_id"] == "msg-sns-1"
    assert payload["table"] == "shop.orders"
    assert [a["check"] for a in payload["alerts"]] == [
        "orders_amount_positive",
        "orders_volume",
        "orders_freshness",
    ]
    assert envelope["MessageAttributes"] == {
        "message_id": {"Type": "String", "Value": "msg-sns-1"},
        "table": {"Type": "String", "Value": "shop.orders"},
    }
    ours = [t for t in caplog.record_tuples if t[0] == LOGGER_NAME]  # moto's werkzeug logs too
    assert ours == [
        (LOGGER_NAME, logging.INFO, f"sent msg-sns-1 to sns {topic_arn} as {envelope['MessageId']}")
    ]


def test_sns_subject_is_ascii_one_line_and_under_100_characters(
    moto_url: str, topic_with_queue: tuple[str, str], logger: logging.Logger
) -> None:
    topic_arn, queue_url = topic_with_queue
    # planted: a table name with non-ASCII letters, long enough that compose() cuts it with "…"
    notification = compose("msg-sns-2", "données_" + "x" * 120, [news(1, NotificationKind.OPENED, "c")])
    assert len(notification.subject) == 100 and not notification.subject.isascii()

    SnsNotifier(topic_arn=topic_arn, endpoint_url=moto_url).send(notification, logger)

    (message,) = aws_client("sqs", moto_url).receive_message(QueueUrl=queue_url)["Messages"]
    subject = json.loads(message["Body"])["Subject"]
    assert subject.isascii() and len(subject) == 99
    assert subject.startswith("[dq] donn?es_xxx") and subject.endswith("...")
    assert sns_subject("a\nb  c") == "a b c"


def test_sns_unknown_topic_raises(moto_url: str, aws_env: None, logger: logging.Logger) -> None:
    missing = f"arn:aws:sns:{REGION}:123456789012:no-such-topic-{uuid.uuid4().hex[:8]}"

    with pytest.raises(NotifierError) as raised:
        SnsNotifier(topic_arn=missing, endpoint_url=moto_url).send(three_alerts(), logger)

    assert str(raised.value).startswith(f"sns {missing}: An error occurred (NotFound) ")
    cause = raised.value.__cause__
    assert isinstance(cause, ClientError)
    assert cause.response["Error"]["Code"] == "NotFound"


def test_sns_endpoint_down_raises(aws_env: None, logger: logging.Logger) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    topic = f"arn:aws:sns:{REGION}:123456789012:dq-alerts"
    notifier = SnsNotifier(topic_arn=topic, endpoint_url=endpoint)

    with pytest.raises(NotifierError) as raised:
        notifier.send(three_alerts(), logger)

    assert str(raised.value).startswith(f"sns {topic}: Could not connect to the endpoint URL")


# --- log -------------------------------------------------------------------------------------


def test_log_notifier_writes_the_text_at_warning(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    notification = three_alerts()
    with caplog.at_level(logging.DEBUG, logger=LOGGER_NAME):
        LogNotifier().send(notification, logger)

    assert caplog.record_tuples == [(LOGGER_NAME, logging.WARNING, notification.text)]


def test_log_notifier_level_is_configurable(logger: logging.Logger, caplog: pytest.LogCaptureFixture) -> None:
    notification = three_alerts()
    with caplog.at_level(logging.DEBUG, logger=LOGGER_NAME):
        LogNotifier(level="error").send(notification, logger)

    assert caplog.record_tuples == [(LOGGER_NAME, logging.ERROR, notification.text)]


# --- factory ---------------------------------------------------------------------------------

TOKEN_ENV = "DQ_TEST_NOTIFIERS_SLACK_TOKEN"
SECRET_ENV = "DQ_TEST_NOTIFIERS_WEBHOOK_SECRET"


def test_factory_slack_without_token_is_unavailable(
    monkeypatch: pytest.MonkeyPatch, logger: logging.Logger
) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    spec = SlackChannelSpec(type="slack", channel="#data-alerts", token_env=TOKEN_ENV)

    notifier = build_notifier("team-slack", spec)

    assert isinstance(notifier, UnavailableNotifier)
    with pytest.raises(NotifierError) as raised:
        notifier.send(three_alerts(), logger)
    assert str(raised.value) == f"channel team-slack: environment variable {TOKEN_ENV} is not set"


def test_factory_slack_with_empty_token_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, "")
    spec = SlackChannelSpec(type="slack", channel="#data-alerts", token_env=TOKEN_ENV)

    notifier = build_notifier("team-slack", spec)

    assert isinstance(notifier, UnavailableNotifier)
    assert notifier.reason == f"channel team-slack: environment variable {TOKEN_ENV} is not set"


def test_factory_slack_with_token_posts_with_it(
    monkeypatch: pytest.MonkeyPatch, sink: HttpSink, logger: logging.Logger
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "xoxb-from-env")
    sink.reply = {"ok": True, "channel": "C1", "ts": "1.0"}
    spec = SlackChannelSpec(
        type="slack", channel="#data-alerts", token_env=TOKEN_ENV, api_url=sink.url + "/api/"
    )

    notifier = build_notifier("team-slack", spec)

    assert isinstance(notifier, SlackNotifier)
    assert notifier.channel == "#data-alerts"
    assert notifier.api_url == sink.url + "/api/"
    notifier.send(three_alerts(), logger)
    assert [(r.path, r.headers["Authorization"]) for r in sink.received] == [
        ("/api/chat.postMessage", "Bearer xoxb-from-env")
    ]


def test_factory_webhook_secret_env_unset_is_unavailable(
    monkeypatch: pytest.MonkeyPatch, logger: logging.Logger
) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    spec = WebhookChannelSpec(type="webhook", url="http://127.0.0.1:9/hooks/dq", secret_env=SECRET_ENV)

    notifier = build_notifier("ops-hook", spec)

    assert isinstance(notifier, UnavailableNotifier)
    with pytest.raises(NotifierError) as raised:
        notifier.send(three_alerts(), logger)
    assert str(raised.value) == f"channel ops-hook: environment variable {SECRET_ENV} is not set"


def test_factory_webhook_secret_env_set_signs_with_it(
    monkeypatch: pytest.MonkeyPatch, sink: HttpSink, logger: logging.Logger
) -> None:
    monkeypatch.setenv(SECRET_ENV, "from-env")
    spec = WebhookChannelSpec(
        type="webhook", url=sink.url + "/hooks/dq", secret_env=SECRET_ENV, timeout_seconds=3
    )

    notifier = build_notifier("ops-hook", spec)

    assert isinstance(notifier, WebhookNotifier)
    assert (notifier.url, notifier.secret, notifier.timeout_seconds) == (
        sink.url + "/hooks/dq",
        "from-env",
        3.0,
    )
    notifier.send(three_alerts(), logger)
    request = sink.received[0]
    expected = hmac.new(
        b"from-env", request.headers["X-DQ-Timestamp"].encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert request.headers["X-DQ-Signature"] == "sha256=" + expected


def test_factory_webhook_without_secret_env_is_unsigned() -> None:
    spec = WebhookChannelSpec(type="webhook", url="http://127.0.0.1:9/hooks/dq")

    notifier = build_notifier("ops-hook", spec)

    assert isinstance(notifier, WebhookNotifier)
    assert notifier.secret is None


def test_factory_log_and_sns_specs() -> None:
    assert isinstance(build_notifier("log", LogChannelSpec(type="log")), LogNotifier)

    arn = "arn:aws:sns:eu-west-1:123456789012:dq-alerts"
    notifier = build_notifier(
        "aws",
        SnsChannelSpec(type="sns", topic_arn=arn, region="eu-central-1", endpoint_url="http://127.0.0.1:9"),
    )
    assert isinstance(notifier, SnsNotifier)
    assert (notifier.topic_arn, notifier.region_name, notifier.endpoint_url) == (
        arn,
        "eu-central-1",
        "http://127.0.0.1:9",
    )
