"""A generic webhook: the message's JSON payload, POSTed and optionally signed with HMAC-SHA256."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

from dq_checks.alerts.messages import Notification
from dq_resources.notify.base import Notifier, NotifierError, redact_urls

SIGNATURE_HEADER = "X-DQ-Signature"
TIMESTAMP_HEADER = "X-DQ-Timestamp"
MESSAGE_ID_HEADER = "X-DQ-Message-Id"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` over `<timestamp>.<body>`: the receiver recomputes it, and rejects old timestamps."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class WebhookNotifier(Notifier):
    """POSTs JSON to `url`. Any 2xx answer is delivery; anything else is retried later.

    `X-DQ-Message-Id` stays the same when the same message is retried, so a receiver can drop a
    repeat it already accepted.
    """

    url: str
    secret: str | None = None
    timeout_seconds: float = 10.0

    def send(self, notification: Notification, log: logging.Logger) -> None:
        """One POST; a refused connection, a timeout or a non-2xx status raises NotifierError."""
        import requests

        body = json.dumps(notification.payload(), default=str, sort_keys=True).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            MESSAGE_ID_HEADER: notification.message_id,
            TIMESTAMP_HEADER: timestamp,
        }
        if self.secret:
            headers[SIGNATURE_HEADER] = signature(self.secret, timestamp, body)
        target = redact_urls(self.url)
        try:
            response = requests.post(self.url, data=body, headers=headers, timeout=self.timeout_seconds)
        except requests.RequestException as error:
            raise NotifierError(
                f"webhook {target}: {type(error).__name__}: {redact_urls(str(error))}"
            ) from error
        if not 200 <= response.status_code < 300:
            raise NotifierError(f"webhook {target}: HTTP {response.status_code}: {response.text[:200]}")
        log.info(f"sent {notification.message_id} to webhook {target}")
