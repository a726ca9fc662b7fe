"""Slack: chat.postMessage through dagster-slack's SlackResource."""

from __future__ import annotations

import logging
from typing import Any

from dagster_slack import SlackResource

from dq_checks.alerts.messages import Notification
from dq_resources.notify.base import Notifier, NotifierError, redact_urls

MAX_ITEMS_SHOWN = 40
"""Slack takes at most 50 blocks per message; the rest are counted, and listed in the text."""

_ICONS = {
    "opened": ":red_circle:",
    "escalated": ":rotating_light:",
    "reminder": ":repeat:",
    "resolved": ":white_check_mark:",
}


class SlackNotifier(Notifier):
    """Posts one message per table per tick to `channel`, with the token of the wrapped SlackResource."""

    slack: SlackResource
    channel: str
    api_url: str = "https://slack.com/api/"
    timeout_seconds: int = 30

    def send(self, notification: Notification, log: logging.Logger) -> None:
        """Post the message; a Slack error (`ok: false`) or a network failure raises NotifierError."""
        from slack_sdk.errors import SlackApiError

        client = self.slack.get_client()
        client.base_url = self.api_url if self.api_url.endswith("/") else self.api_url + "/"
        client.timeout = self.timeout_seconds
        try:
            client.chat_postMessage(
                channel=self.channel, text=notification.text, blocks=slack_blocks(notification)
            )
        except SlackApiError as error:
            raise NotifierError(f"slack {self.channel}: {error.response.get('error', 'error')}") from error
        except OSError as error:
            raise NotifierError(f"slack {self.channel}: {redact_urls(str(error))}") from error
        log.info(f"sent {notification.message_id} to slack {self.channel}")


def slack_blocks(notification: Notification) -> list[dict[str, Any]]:
    """A header and one section per alert, in Slack's Block Kit."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": notification.subject[:150]}}
    ]
    for item in notification.items[:MAX_ITEMS_SHOWN]:
        text = (
            f"{_ICONS[item.kind.value]} *{item.check}* `{item.severity.value}` {item.type.value}\n"
            f"{item.message[:2500]}\n_alert #{item.alert_id}, seen {item.occurrences}x_"
        )
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    hidden = len(notification.items) - MAX_ITEMS_SHOWN
    if hidden > 0:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"and {hidden} more"}]})
    return blocks
