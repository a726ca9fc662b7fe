"""Which channels hear about an alert: the table's routing, filtered by its minimum severity."""

from __future__ import annotations

from dq_checks.alerts.model import AlertSeverity
from dq_checks.config.models import AlertRouting


def channels_for(routing: AlertRouting, severity: AlertSeverity) -> tuple[str, ...]:
    """The routed channels when `severity` reaches `min_severity`; none otherwise."""
    if severity.rank < routing.min_severity.rank:
        return ()
    return routing.channels
