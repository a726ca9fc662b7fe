"""The alert sensors: one for check evaluations, one for run failures.

`dq_check_alert_sensor` reads check evaluations and freshness-policy states;
`dq_run_failure_alert_sensor` reads failed runs, resolved by the next successful run.

Each reads the instance's event log after its cursor, an event storage id, and returns the new
cursor only after the alerts are persisted and the due notifications delivered.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass

import dagster as dg

from dq_assets.alerting.feed import CHECK_FEED, RUN_FEED, Feed
from dq_checks.config.alerting_loader import LoadedAlerting
from dq_resources.alerts.resource import AlertStoreResource
from dq_resources.clock import ClockResource

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


@dataclass(frozen=True)
class SummaryTarget:
    """The summary asset a check sensor keeps, and whose alerts it lists: its namespace's tables'."""

    key: dg.AssetKey
    assets: frozenset[str]
    """Asset keys (`a/b`) and table names of the namespace; an alert on any other belongs to another."""
    namespace: str

    def lists(self, asset: str) -> bool:
        """Whether an alert on `asset` (an asset key, a table name or `job:<name>`) is this summary's."""
        return asset in self.assets or asset.startswith(f"job:{self.namespace}_")


def build_alert_sensor(
    name: str, feed: Feed, alerting: LoadedAlerting, summary: SummaryTarget | None = None
) -> dg.SensorDefinition:
    """One alert sensor over one feed; it runs by default.

    With `summary`, each tick also re-reports that asset (without a run) when the active alerts
    it lists have changed since it was last reported: the UI's view of open alerts.
    """

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
        cursor = SensorCursor.parse(context.cursor)
        report = run_alert_tick(
            context.instance, store, alerting, feed, cursor.events, now=now, log=context.log
        )
        context.log.info(report.describe())
        events: list[dg.AssetMaterialization] = []
        summary_shown = cursor.summary
        if summary is not None:
            from dq_assets.alerting.views import AlertsSummary

            listed = AlertsSummary(tuple(a for a in store.active_alerts() if summary.lists(a.asset)), now)
            if listed.fingerprint != cursor.summary:
                events.append(listed.materialization(summary.key))
                summary_shown = listed.fingerprint
        return dg.SensorResult(
            cursor=SensorCursor(report.cursor, summary_shown).text(),
            skip_reason=report.describe(),
            asset_events=events,
        )

    return _alert_sensor


def alerts_asset_key(namespace: str) -> dg.AssetKey:
    """The summary asset of one namespace's alerts: `dq_alerts`, or `quality_alerts` in a component."""
    return dg.AssetKey(f"{namespace}_alerts")


@dataclass(frozen=True)
class SensorCursor:
    """Where an alert sensor's feed reading stands, and the summary it last reported.

    Stored as `{"events": N, "summary": "..."}`; a bare number is a cursor written before the
    summary existed, and reads as no summary reported yet.
    """

    events: int
    summary: str | None = None

    @classmethod
    def parse(cls, text: str | None) -> SensorCursor:
        """The cursor `text` holds; the start of the feed when there is none."""
        if not text:
            return cls(0)
        if text.lstrip().startswith("{"):
            data = json.loads(text)
            return cls(int(data["events"]), data.get("summary"))
        return cls(int(text))

    def text(self) -> str:
        """What the sensor stores."""
        return json.dumps({"events": self.events, "summary": self.summary})


def build_alert_sensors(
    alerting: LoadedAlerting, namespace: str = "dq", assets: Collection[str] = ()
) -> list[dg.SensorDefinition]:
    """Both alert sensors; a component's are named after its namespace (`quality_check_alert_sensor`).

    The check sensor also keeps the namespace's summary asset (`alerts_summary_spec`) current,
    listing the alerts on `assets` (its tables' asset keys and names): two namespaces may share
    one alert store, and each summary lists its own.
    """
    summary = SummaryTarget(alerts_asset_key(namespace), frozenset(assets), namespace)
    return [
        build_alert_sensor(
            f"{namespace}_" + name.removeprefix("dq_"),
            feed,
            alerting,
            summary=summary if feed is CHECK_FEED else None,
        )
        for name, feed in SENSOR_FEEDS.items()
    ]


def alerts_summary_spec(namespace: str = "dq") -> dg.AssetSpec:
    """The summary asset: no step computes it, the check alert sensor reports it as alerts change."""
    return dg.AssetSpec(
        key=alerts_asset_key(namespace),
        group_name=namespace,
        kinds={"dq"},
        description=(
            "Every open, acknowledged and snoozed alert of dq's tables, with its age. "
            f"{namespace}_check_alert_sensor reports it again whenever that list changes; "
            "acknowledge, snooze or resolve an alert with `dq alerts ack|snooze|resolve ID`."
        ),
    )
