"""Notifier resources: Slack (dagster-slack), Amazon SNS (boto3), a signed JSON webhook, and the log."""

from dq_resources.notify.base import Notifier, NotifierError
from dq_resources.notify.factory import build_notifier
from dq_resources.notify.log import LogNotifier
from dq_resources.notify.slack import SlackNotifier
from dq_resources.notify.sns import SnsNotifier
from dq_resources.notify.webhook import WebhookNotifier

__all__ = [
    "LogNotifier",
    "Notifier",
    "NotifierError",
    "SlackNotifier",
    "SnsNotifier",
    "WebhookNotifier",
    "build_notifier",
]
