"""What every notifier does: send one composed message, or raise NotifierError saying why not."""

from __future__ import annotations

import logging
import re
from abc import abstractmethod

import dagster as dg

from dq_checks.alerts.messages import Notification


class NotifierError(Exception):
    """The channel did not accept the message (down, refused, misconfigured); the delivery is retried."""


class Notifier(dg.ConfigurableResource):
    """A channel that alerts are delivered to."""

    @abstractmethod
    def send(self, notification: Notification, log: logging.Logger) -> None:
        """Deliver `notification`, or raise NotifierError; `log` is the sensor's (or the CLI's) logger."""


_URL_TAIL = re.compile(r"(https?://[^/\s?#]+)[/?#][^\s'\"]*")
_BARE_PATH = re.compile(r"(\burl: )/[^\s'\"]*")
"""urllib3 (so requests) names only the path and query: `Max retries exceeded with url: /hooks/T0KEN`."""


def redact_urls(text: str) -> str:
    """Keep a URL's scheme and host, drop its path and query: webhook URLs often carry their secret."""
    return _BARE_PATH.sub(r"\1/…", _URL_TAIL.sub(r"\1/…", text))
