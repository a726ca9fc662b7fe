"""The alerting settings: named channels, default routing, the store and the re-notify policy.

They live in `alerts.yaml` beside the tables folder (`$DQ_ALERTS_CONFIG` overrides the path);
a table may override the routing with its own `alerts:` block. Secrets never sit in the file:
a channel names the environment variable that holds its token, URL secret or signing key.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator

from dq_checks.config.models import AlertRouting, StrictModel

CHANNEL_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
BUILTIN_LOG_CHANNEL = "log"
ENV_NAME = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")


class LogChannelSpec(StrictModel):
    """Writes each message to the process log (the sensor's log in Dagster, stderr for the CLI)."""

    type: Literal["log"]


class SlackChannelSpec(StrictModel):
    """chat.postMessage through dagster-slack's SlackResource, with a bot token from the environment."""

    type: Literal["slack"]
    channel: str = Field(min_length=1, description="e.g. #data-alerts or a channel id")
    token_env: Annotated[str, ENV_NAME] = "SLACK_BOT_TOKEN"
    api_url: str = Field(default="https://slack.com/api/", description="Slack's Web API base URL")


class SnsChannelSpec(StrictModel):
    """A publish to an Amazon SNS topic through boto3 (credentials from the usual AWS chain)."""

    type: Literal["sns"]
    topic_arn: str = Field(pattern=r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$")
    region: str | None = None
    endpoint_url: str | None = None


class WebhookChannelSpec(StrictModel):
    """A JSON POST, signed with HMAC-SHA256 when `secret_env` names a signing key."""

    type: Literal["webhook"]
    url: str = Field(pattern=r"^https?://")
    secret_env: Annotated[str, ENV_NAME] | None = None
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)


ChannelSpec = Annotated[
    LogChannelSpec | SlackChannelSpec | SnsChannelSpec | WebhookChannelSpec, Field(discriminator="type")
]


class AlertStoreSpec(StrictModel):
    """Where alerts persist: a SQLAlchemy URL, or the environment variable that holds one.

    The default is a sqlite file under `.dq/`; production points `url_env` at a Postgres URL.
    """

    url: str | None = None
    url_env: Annotated[str, ENV_NAME] | None = None


class DeliverySettings(StrictModel):
    """Retry timing for a channel that is down: backoff doubles from `retry_after_seconds` up to the cap."""

    retry_after_seconds: float = Field(default=60, gt=0)
    max_retry_after_seconds: float = Field(default=3600, gt=0)


class AlertingConfig(StrictModel):
    """The whole `alerts.yaml`."""

    channels: dict[str, ChannelSpec] = Field(default_factory=dict)
    default: AlertRouting = Field(default_factory=AlertRouting)
    store: AlertStoreSpec = Field(default_factory=AlertStoreSpec)
    renotify_after_hours: float | None = Field(
        default=24, gt=0, description="remind about a still-failing open alert this often; null: never"
    )
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    max_evaluations_per_tick: int = Field(default=10_000, ge=1)

    @field_validator("channels")
    @classmethod
    def _channel_names(cls, value: dict[str, ChannelSpec]) -> dict[str, ChannelSpec]:
        for name in value:
            if not CHANNEL_NAME.match(name):
                raise ValueError(f"channel name {name!r}: use letters, digits, '_' and '-'")
        return value

    def channel_specs(self) -> dict[str, ChannelSpec]:
        """The configured channels plus the built-in `log` channel (which a file may redefine)."""
        return {BUILTIN_LOG_CHANNEL: LogChannelSpec(type="log"), **self.channels}
