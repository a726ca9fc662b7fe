"""The alert sensors: one for check evaluations, one for run failures.

`dq_check_alert_sensor` reads check evaluations and freshness-policy states;
`dq_run_failure_alert_sensor` reads failed runs, resolved by the next successful run.

Each reads the instance's event log after its cursor, an event storage id, and returns the new
cursor only after the alerts are persisted and the due notifications delivered.
"""

from __future__ import annotations

import dagster as dg

from dq_assets.alerting.feed import CHECK_FEED, RUN_FEED, Feed
from dq_checks.config.alerting_loader import LoadedAlerting
from dq_resources.alerts.resource import AlertStoreResource
from dq_resources.clock import ClockResource

ALERT_STORE_RESOURCE_KEY = "dq_alert_store"
"""The sensors' parameter names are these keys: Dagster matches resources by name."""
CHECK_ALERT_SENSOR = "dq_check_alert_sensor"
RUN_FAILURE_ALERT_SENSOR = "dq_run_failure_alert_sensor"
ALERT_SENSOR_INTERVAL_SECONDS = 30

SENSOR_FEEDS = {CHECK_ALERT_SENSOR: CHECK_FEED, RUN_FAILURE_ALERT_SENSOR: RUN_FEED}
_DESCRIPTIONS = {
    CHECK_FEED.name: "Turns failed and errored asset checks (and freshness-policy breaches) into alerts; "
    "resolves them when the checks pass; delivers notifications.",
    RUN_FEED.name: "Turns failed runs into run_failure alerts; the next successful run of the "
    "table resolves them.",
}


def build_alert_sensor(name: str, feed: Feed, alerting: LoadedAlerting) -> dg.SensorDefinition:
    """One alert sensor over one feed; it runs by default."""

    @dg.sensor(
        name=name,
        minimum_interval_seconds=ALERT_SENSOR_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=_DESCRIPTIONS[feed.name],
    )
    def _alert_sensor(
        context: dg.SensorEvaluationContext, dq_alert_store: AlertStoreResource, dq_clock: ClockResource
    ) -> dg.SensorResult:
        from dq_assets.alerting.tick import (
            run_alert_tick,  # notifier clients load on the first tick, not with the code location
        )

        store = dq_alert_store.open()
        now = dq_clock.now()
        cursor = int(context.cursor) if context.cursor else 0
        report = run_alert_tick(context.instance, store, alerting, feed, cursor, now=now, log=context.log)
        context.log.info(report.describe())
        return dg.SensorResult(cursor=str(report.cursor), skip_reason=report.describe())

    return _alert_sensor


def build_alert_sensors(alerting: LoadedAlerting, namespace: str = "dq") -> list[dg.SensorDefinition]:
    """Both alert sensors; a component's are named after its namespace (`quality_check_alert_sensor`)."""
    return [
        build_alert_sensor(f"{namespace}_" + name.removeprefix("dq_"), feed, alerting)
        for name, feed in SENSOR_FEEDS.items()
    ]
