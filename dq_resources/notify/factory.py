"""Notifier resources from the channels of `alerts.yaml`, with secrets read from the environment at tick time.

A channel that cannot be built (its token's variable is unset) becomes a notifier that fails
every send with that reason: its deliveries wait and retry, visibly, while every other channel
goes on.
"""

from __future__ import annotations

import logging

import dagster as dg
from dagster_slack import SlackResource

from dq_checks.alerts.messages import Notification
from dq_checks.config.alerting import (
    ChannelSpec,
    LogChannelSpec,
    SlackChannelSpec,
    SnsChannelSpec,
    WebhookChannelSpec,
)
from dq_resources.notify.base import Notifier, NotifierError
from dq_resources.notify.log import LogNotifier
from dq_resources.notify.slack import SlackNotifier
from dq_resources.notify.sns import SnsNotifier
from dq_resources.notify.webhook import WebhookNotifier


class UnavailableNotifier(Notifier):
    """Stands in for a channel that is misconfigured; every send fails with the reason."""

    reason: str

    def send(self, notification: Notification, log: logging.Logger) -> None:
        """Always refuses."""
        raise NotifierError(self.reason)


def build_notifier(name: str, spec: ChannelSpec) -> Notifier:
    """The notifier for channel `name`."""
    if isinstance(spec, LogChannelSpec):
        return LogNotifier()
    if isinstance(spec, SlackChannelSpec):
        token = dg.EnvVar(spec.token_env).get_value()
        if not token:
            return UnavailableNotifier(
                reason=f"channel {name}: environment variable {spec.token_env} is not set"
            )
        return SlackNotifier(slack=SlackResource(token=token), channel=spec.channel, api_url=spec.api_url)
    if isinstance(spec, SnsChannelSpec):
        return SnsNotifier(topic_arn=spec.topic_arn, region_name=spec.region, endpoint_url=spec.endpoint_url)
    if isinstance(spec, WebhookChannelSpec):
        secret = None
        if spec.secret_env is not None:
            secret = dg.EnvVar(spec.secret_env).get_value()
            if not secret:
                return UnavailableNotifier(
                    reason=f"channel {name}: environment variable {spec.secret_env} is not set"
                )
        return WebhookNotifier(url=spec.url, secret=secret, timeout_seconds=spec.timeout_seconds)
    raise TypeError(f"unknown channel type {spec!r}")


def build_notifiers(specs: dict[str, ChannelSpec]) -> dict[str, Notifier]:
    """Every channel's notifier, by name."""
    return {name: build_notifier(name, spec) for name, spec in specs.items()}
