"""A table that cannot be read, then can: run failures and errored checks become alerts through the
real sensors of the code location, a successful run resolves them, and the `dq alerts` commands
show and change them as a user would run them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest

from dq_assets.alerting.sensors import CHECK_ALERT_SENSOR, RUN_FAILURE_ALERT_SENSOR
from dq_assets.definitions import build_definitions
from dq_checks.alerts.model import AlertStatus
from dq_resources.alerts.store import AlertStore
from dq_resources.iceberg.catalogs import load_named_catalog
from tests.alert_world import write_definitions
from tests.conftest import REPO_ROOT
from tests.http_sink import HttpSink
from tests.table_runs import run_table_checks

UNREADABLE_CHECKS = {"profile", "anomalies", "volume", "schema", "drift"}


def tick(
    defs: dg.Definitions, instance: dg.DagsterInstance, name: str, cursors: dict[str, str | None]
) -> None:
    sensor = defs.resolve_sensor_def(name)
    result = sensor(
        dg.build_sensor_context(
            instance=instance, definitions=defs, resources=dict(defs.resources), cursor=cursors.get(name)
        )
    )
    assert result.run_requests == []
    cursors[name] = result.cursor


def dq(home: Path, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dq_assets.cli.main", "alerts", *args, "--config", str(folder)],
        cwd=REPO_ROOT,
        env={**os.environ, "DAGSTER_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def setup(tmp_path: Path, scratch_catalog: str, sink: HttpSink) -> tuple[Path, Path, str]:
    """Table `t` points at `ns.t`, which does not exist yet. Returns (folder, DAGSTER_HOME, store URL)."""
    store_url = f"sqlite:///{tmp_path / 'alerts.db'}"
    alerts_yaml = (
        f"channels:\n  hook: {{type: webhook, url: '{sink.url}/dq'}}\n"
        f"default: {{channels: [hook, log]}}\nstore: {{url: '{store_url}'}}\n"
    )
    folder = tmp_path / "defs" / "tables"
    write_definitions(tmp_path / "defs", [], alerts_yaml)
    (folder / "t.yaml").write_text(
        f"table: t\nsource: {{type: iceberg, catalog: {scratch_catalog}, identifier: ns.t}}\n"
    )
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return folder, home, store_url


def test_failed_runs_and_errored_checks_alert_once_and_resolve_on_success(
    setup: tuple[Path, Path, str], scratch_catalog: str, sink: HttpSink
) -> None:
    folder, home, store_url = setup
    defs = build_definitions(folder)
    cursors: dict[str, str | None] = {}
    with dg.DagsterInstance.from_config(str(home)) as instance:
        failed = run_table_checks(defs, "t", instance, raise_on_error=False)
        assert not failed.success  # planted: the Iceberg table ns.t does not exist
        tick(defs, instance, RUN_FAILURE_ALERT_SENSOR, cursors)
        tick(defs, instance, CHECK_ALERT_SENSOR, cursors)

        store = AlertStore.connect(store_url)
        alerts = {a.check: a for a in store.list_alerts(AlertStatus.OPEN)}
        assert set(alerts) == {"run", *UNREADABLE_CHECKS}
        assert alerts["run"].type.value == "run_failure"
        assert alerts["run"].details["run_id"] == failed.run_id
        assert {alerts[c].type.value for c in UNREADABLE_CHECKS} == {"check_error"}
        # One message per table per tick: the run sensor's tick, then the check sensor's.
        assert [sorted(a["check"] for a in m["alerts"]) for m in sink.bodies()] == [
            ["run"],
            sorted(UNREADABLE_CHECKS),
        ]

        # The table appears; the next run succeeds and the alerts resolve.
        catalog = load_named_catalog(scratch_catalog)
        catalog.create_namespace("ns")
        table = catalog.create_table("ns.t", schema=pa.schema([("id", pa.int64())]))
        table.append(pa.table({"id": pa.array(range(10), pa.int64())}))
        assert run_table_checks(defs, "t", instance).success
        tick(defs, instance, RUN_FAILURE_ALERT_SENSOR, cursors)
        tick(defs, instance, CHECK_ALERT_SENSOR, cursors)
        assert store.list_alerts(AlertStatus.OPEN) == []
        resolved_messages = sink.bodies()[2:]
        assert [sorted((a["check"], a["kind"]) for a in m["alerts"]) for m in resolved_messages] == [
            [("run", "resolved")],
            sorted((c, "resolved") for c in UNREADABLE_CHECKS),
        ]
        store.dispose()


def test_the_cli_syncs_lists_shows_acknowledges_snoozes_and_resolves(
    setup: tuple[Path, Path, str], sink: HttpSink
) -> None:
    folder, home, _ = setup
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert not run_table_checks(build_definitions(folder), "t", instance, raise_on_error=False).success

    synced = dq(home, folder, "sync")
    assert synced.returncode == 0, synced.stderr
    assert synced.stdout.splitlines() == [
        # two messages each: the webhook and the log channel
        "checks: 5 events read, 5 opened, 0 repeated, 0 resolved, 0 already recorded; "
        "2 messages sent, 0 failed",
        "runs: 1 events read, 1 opened, 0 repeated, 0 resolved, 0 already recorded; "
        "2 messages sent, 0 failed",
        "6 open alert(s)",
    ]
    assert "t: 5 new" in synced.stderr  # the log channel, on stderr
    assert len(sink.received) == 2
    again = dq(home, folder, "sync")
    assert again.stdout.splitlines()[0].startswith("checks: 0 events read")

    listed = dq(home, folder, "list", "--status", "open", "--table", "t")
    rows = listed.stdout.splitlines()[2:]
    assert len(rows) == 6
    run_id = next(int(r.split()[0]) for r in rows if " run_failure " in r)

    assert dq(home, folder, "ack", str(run_id), "--by", "ana").stdout.startswith(
        f"alert {run_id} acknowledged by ana"
    )
    snoozed = dq(home, folder, "snooze", str(run_id), "--for", "2h", "--by", "bo")
    assert snoozed.returncode == 0 and "snoozed until" in snoozed.stdout
    resolved = dq(home, folder, "resolve", str(run_id), "--notes", "catalog restored", "--by", "cy")
    assert resolved.stdout.startswith(f"alert {run_id} resolved by cy")

    shown = dq(home, folder, "show", str(run_id))
    assert shown.returncode == 0
    events = shown.stdout.split("events:")[1].split("deliveries:")[0]
    kinds = [line.split()[2] for line in events.strip().splitlines()[2:]]
    assert kinds == ["opened", "notified", "notified", "acknowledged", "snoozed", "manually_resolved"]
    assert "catalog restored" in shown.stdout
    assert "resolved" in shown.stdout and "by cy" in shown.stdout

    # Clear errors: an unknown id, a resolved alert, a bad duration.
    unknown = dq(home, folder, "ack", "9999", "--by", "ana")
    assert (unknown.returncode, unknown.stderr.strip()) == (2, "error: no alert with id 9999")
    twice = dq(home, folder, "resolve", str(run_id), "--notes", "again")
    assert twice.returncode == 2 and "is resolved" in twice.stderr
    bad = dq(home, folder, "snooze", str(run_id), "--for", "soon")
    assert bad.returncode == 2 and "'soon' is not a duration" in bad.stderr
    assert dq(home, folder, "list", "--status", "resolved").stdout.count("run_failure") == 1
