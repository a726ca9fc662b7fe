"""The `log` channel: the message goes to the log of the sensor tick (or to the CLI's stderr)."""

from __future__ import annotations

import logging

from dq_checks.alerts.messages import Notification
from dq_resources.notify.base import Notifier


class LogNotifier(Notifier):
    """Always available, needs no configuration; useful on its own in development."""

    level: str = "WARNING"

    def send(self, notification: Notification, log: logging.Logger) -> None:
        """Write the message's text at `level`."""
        log.log(logging.getLevelName(self.level.upper()), notification.text)
