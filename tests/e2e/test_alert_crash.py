"""Crash safety of the alert sensors, tested the way Dagster tests its own sensors: the real sensor
daemon iteration against a real code server, which is killed (SIGKILL) mid-tick.

A crash between persisting the alerts and advancing the cursor makes the next tick read the same
evaluations again; the unique evaluation id makes that change nothing: one alert, one message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.scheduler.instigation import InstigatorType, TickStatus
from dagster._core.test_utils import create_test_daemon_workspace_context, freeze_time
from dagster._core.workspace.load_target import ModuleTarget
from dagster._daemon.sensor import execute_sensor_iteration
from dagster._time import get_current_datetime

from dq_assets.alerting.crash import CRASH_ENV
from dq_assets.alerting.feed import CHECK_FEED
from dq_assets.alerting.sensors import CHECK_ALERT_SENSOR, SensorCursor
from dq_checks.alerts.model import AlertStatus
from dq_resources.alerts.store import AlertStore
from tests.alert_world import write_definitions
from tests.conftest import REPO_ROOT
from tests.http_sink import HttpSink

LOG = logging.getLogger("tests.alert_crash")


@pytest.fixture(params=["sqlite", "postgres"])
def deployment(request: pytest.FixtureRequest, tmp_path: Path, sink: HttpSink) -> Iterator[tuple[Path, str]]:
    """A DAGSTER_HOME and an alert store URL, both on the same backend; definitions routed to the sink."""
    home = tmp_path / "home"
    home.mkdir()
    if request.param == "sqlite":
        store_url = f"sqlite:///{tmp_path / 'alerts.db'}"
        (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    else:
        store_url = request.getfixturevalue("postgres_database")
        (home / "dagster.yaml").write_text(
            f'storage:\n  postgres:\n    postgres_url: "{store_url}"\ntelemetry:\n  enabled: false\n'
        )
    alerts_yaml = (
        f"channels:\n  hook: {{type: webhook, url: '{sink.url}/dq'}}\n"
        f"default: {{channels: [hook]}}\nstore: {{url: '{store_url}'}}\n"
    )
    folder = write_definitions(tmp_path / "defs", ["t0"], alerts_yaml)
    yield folder, str(home)


def daemon_iteration(instance: dg.DagsterInstance) -> None:
    """One pass of the sensor daemon over a freshly started code server for `dq_assets.definitions`."""
    target = ModuleTarget(
        module_name="dq_assets.definitions",
        attribute=None,
        working_directory=str(REPO_ROOT),
        location_name="dq",
    )
    with create_test_daemon_workspace_context(target, instance) as workspace:
        list(
            execute_sensor_iteration(
                workspace, LOG, threadpool_executor=None, submit_threadpool_executor=None
            )
        )


def sensor_state(instance: dg.DagsterInstance) -> tuple[str | None, list[TickStatus]]:
    (state,) = [
        s
        for s in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR)
        if s.name == CHECK_ALERT_SENSOR
    ]
    ticks = instance.get_ticks(state.instigator_origin_id, state.selector_id)
    return state.instigator_data.cursor, [t.status for t in reversed(ticks)]


@pytest.mark.parametrize("crash_at", ["after_persist", "after_deliver"])
def test_a_crash_before_the_cursor_advances_gives_one_alert_and_one_message(
    deployment: tuple[Path, str], sink: HttpSink, monkeypatch: pytest.MonkeyPatch, crash_at: str
) -> None:
    folder, home = deployment
    monkeypatch.setenv("DQ_CONFIG_DIR", str(folder))
    monkeypatch.setenv("DAGSTER_HOME", home)
    with dg.DagsterInstance.get() as instance:
        instance.report_runless_asset_event(
            dg.AssetCheckEvaluation(
                asset_key=dg.AssetKey("t0"),
                check_name="rule_a",
                passed=False,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={"dq/outcome": "fail"},
            )
        )
        start = get_current_datetime()

        # 1. The code server dies (SIGKILL) mid-tick: the daemon records a failed tick, no cursor.
        monkeypatch.setenv(CRASH_ENV, f"{CHECK_FEED.name}:{crash_at}")
        with freeze_time(start):
            daemon_iteration(instance)
        cursor, ticks = sensor_state(instance)
        assert cursor is None
        assert ticks == [TickStatus.FAILURE]
        store = AlertStore.connect(_store_url(folder))
        (alert,) = store.list_alerts()
        assert alert.status is AlertStatus.OPEN
        delivered = 0 if crash_at == "after_persist" else 1
        assert len(sink.received) == delivered
        assert alert.delivery_state == ("pending" if crash_at == "after_persist" else "delivered")

        # 2. The next tick reads the same evaluation again: nothing changes but what was owed is sent.
        monkeypatch.delenv(CRASH_ENV)
        with freeze_time(start + timedelta(minutes=1)):
            daemon_iteration(instance)
        cursor, ticks = sensor_state(instance)
        assert cursor is not None and SensorCursor.parse(cursor).events > 0
        assert ticks == [TickStatus.FAILURE, TickStatus.SKIPPED]

        # 3. And once more, for good measure.
        with freeze_time(start + timedelta(minutes=2)):
            daemon_iteration(instance)

        (after,) = store.list_alerts()
        assert (after.id, after.occurrences, after.delivery_state) == (alert.id, 1, "delivered")
        assert len(sink.received) == 1
        (message,) = sink.bodies()
        assert [(a["alert_id"], a["kind"]) for a in message["alerts"]] == [(alert.id, "opened")]
        assert [e.kind for e in store.events(alert.id)] == ["opened", "notified"]
        store.dispose()


def _store_url(folder: Path) -> str:
    from dq_checks.config.alerting_loader import alerting_config_path, load_alerting

    return load_alerting(alerting_config_path(folder), []).config.store.url or ""
