"""A small world for alert tests: a real Dagster instance, a real alert store, a real HTTP receiver.

Check evaluations are written into the instance's event log with Dagster's own API
(`report_runless_asset_event`), exactly as a run writes them, and ticks run the same code as
the sensors. The clock is a plain value the test moves forward.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg

from dq_assets.alerting.feed import CHECK_FEED, Feed
from dq_assets.alerting.settings import load_alerting_for
from dq_assets.alerting.tick import TickReport, run_alert_tick
from dq_checks.config.alerting_loader import LoadedAlerting
from dq_checks.config.loader import load_table_specs
from dq_resources.alerts.store import AlertStore
from tests.http_sink import HttpSink

START = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
LOG = logging.getLogger("tests.alerts")


def write_definitions(root: Path, tables: list[str], alerts_yaml: str, table_extra: str = "") -> Path:
    """`root/tables/<t>.yaml` for each table and `root/alerts.yaml`; returns the tables folder."""
    folder = root / "tables"
    folder.mkdir(parents=True, exist_ok=True)
    for table in tables:
        (folder / f"{table}.yaml").write_text(
            f"table: {table}\nsource: {{type: iceberg, catalog: demo, identifier: ns.{table}}}\n{table_extra}"
        )
    (root / "alerts.yaml").write_text(alerts_yaml)
    return folder


def webhook_alerts_yaml(url: str, **extra: str) -> str:
    """An alerts.yaml routing everything (warn and up) to one webhook."""
    lines = [
        "channels:",
        f"  hook: {{type: webhook, url: '{url}/dq', timeout_seconds: 5}}",
        "default: {channels: [hook], min_severity: warn}",
    ]
    lines.extend(f"{key}: {value}" for key, value in extra.items())
    return "\n".join(lines) + "\n"


def load_alerting(folder: Path) -> LoadedAlerting:
    loaded = load_table_specs(folder)
    loaded.raise_for_problems()
    alerting = load_alerting_for(folder, loaded)
    alerting.raise_for_problems()
    return alerting


@dataclass
class AlertWorld:
    """The instance, the store, the settings, the receiver, the clock and each feed's cursor."""

    instance: dg.DagsterInstance
    store: AlertStore
    alerting: LoadedAlerting
    sink: HttpSink
    now: datetime = START
    cursors: dict[str, int] = field(default_factory=dict)

    def evaluate(
        self, asset: str, check: str, *, passed: bool, severity: str = "ERROR", outcome: str | None = None
    ) -> None:
        """Record one check evaluation in the instance, as a run would."""
        metadata = {"dq/outcome": outcome or ("pass" if passed else "fail")}
        self.instance.report_runless_asset_event(
            dg.AssetCheckEvaluation(
                asset_key=dg.AssetKey(asset.split("/")),
                check_name=check,
                passed=passed,
                severity=dg.AssetCheckSeverity(severity),
                description=f"{check} {'passed' if passed else 'failed'}",
                metadata=metadata,
            )
        )

    def tick(self, feed: Feed = CHECK_FEED, advance: timedelta = timedelta(minutes=1)) -> TickReport:
        """One sensor tick at the current clock, which then moves on by `advance`."""
        report = run_alert_tick(
            self.instance,
            self.store,
            self.alerting,
            feed,
            self.cursors.get(feed.name, 0),
            now=self.now,
            log=LOG,
        )
        self.cursors[feed.name] = report.cursor
        self.now += advance
        return report

    def messages(self) -> list[dict]:
        """Every JSON body the receiver has accepted or refused so far."""
        return self.sink.bodies()
