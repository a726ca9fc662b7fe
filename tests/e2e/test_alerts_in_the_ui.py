"""Open alerts where engineers look, the Dagster UI: on the failing check's own metadata, and in the
`dq_alerts` summary asset the check alert sensor keeps current.

A real Dagster instance and a real alert store, on sqlite and on PostgreSQL; the table is a
Parquet file with planted defects, checked by real runs of the code location's own assets; the
sensor is the location's own, evaluated as the daemon evaluates it, its runless events reported
into the instance as the daemon reports them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dq_assets.alerting.sensors import CHECK_ALERT_SENSOR
from dq_assets.build import QualityOptions, build_quality_definitions
from dq_assets.definitions import build_definitions
from dq_checks.alerts.model import AlertStatus
from dq_resources.alerts.store import AlertStore
from dq_resources.clock import ClockResource
from tests.table_runs import run_table_checks

SUMMARY = dg.AssetKey("dq_alerts")
# Ten orders. Planted: orders 1 and 2 are 'refunded', a status the rule does not allow (status_known
# fails), and order 3 has a negative amount (amount_positive fails). row_count passes.
PLANTED = """
    SELECT i AS order_id,
           CASE WHEN i IN (1, 2) THEN 'refunded' WHEN i % 2 = 0 THEN 'paid' ELSE 'shipped' END AS status,
           CASE WHEN i = 3 THEN -5 ELSE 10 * i + 1 END AS amount
    FROM range(10) t(i)
"""
CLEAN = """
    SELECT i AS order_id, CASE WHEN i % 2 = 0 THEN 'paid' ELSE 'shipped' END AS status, 10 * i + 1 AS amount
    FROM range(10) t(i)
"""
DEFINITION = """\
table: orders
source: {type: file, path: ../../orders.parquet}
min_quality_score: 0   # the score of two failing rules out of three would alert too; not this test's subject
rules:
  - name: status_known
    rule: ColumnValues "status" in ["paid", "shipped"]
  - name: amount_positive
    rule: ColumnValues "amount" > 0
  - name: row_count
    rule: RowCount > 0
"""


def write_orders(root: Path, query: str) -> None:
    duckdb.sql(f"COPY ({query}) TO '{root / 'orders.parquet'}'")


def check_metadata(result: dg.ExecuteInProcessResult) -> dict[str, dict[str, object]]:
    """Each check's metadata as evaluated in this run, values unwrapped."""
    return {
        evaluation.check_name: {key: value.value for key, value in evaluation.metadata.items()}
        for evaluation in result.get_asset_check_evaluations()
    }


class Sensor:
    """The location's check alert sensor, ticked as the daemon ticks it, at the clock the test sets."""

    def __init__(self, defs: dg.Definitions, instance: dg.DagsterInstance) -> None:
        self.defs, self.instance = defs, instance
        self.cursor: str | None = None

    def tick(self, now: datetime) -> list[dg.AssetMaterialization]:
        """One tick; its runless events reported into the instance, as the daemon does. Returns them."""
        resources = {**self.defs.resources, "dq_clock": ClockResource(fixed_now=now.isoformat())}
        context = dg.build_sensor_context(
            instance=self.instance, definitions=self.defs, resources=resources, cursor=self.cursor
        )
        result = self.defs.resolve_sensor_def(CHECK_ALERT_SENSOR)(context)
        assert result.run_requests == []
        self.cursor = result.cursor
        for event in result.asset_events:
            self.instance.report_runless_asset_event(event)
        return list(result.asset_events)


def summary_shown(instance: dg.DagsterInstance) -> dict[str, object]:
    """What the UI shows for the summary asset: its latest materialization's metadata."""
    event = instance.get_latest_materialization_event(SUMMARY)
    assert event is not None and event.asset_materialization is not None
    return {key: value.value for key, value in event.asset_materialization.metadata.items()}


@pytest.fixture
def folder(tmp_path: Path, backend: tuple[dg.DagsterInstance, str]) -> Path:
    _, store_url = backend
    write_orders(tmp_path, PLANTED)
    tables = tmp_path / "defs" / "tables"
    tables.mkdir(parents=True)
    (tables / "orders.yaml").write_text(DEFINITION)
    (tmp_path / "defs" / "alerts.yaml").write_text(
        f"store: {{url: '{store_url}'}}\ndefault: {{channels: [log]}}\n"
    )
    return tables


def test_alerts_show_on_the_failing_checks_and_in_the_summary_asset(
    folder: Path, backend: tuple[dg.DagsterInstance, str]
) -> None:
    instance, store_url = backend
    defs = build_definitions(folder)
    sensor = Sensor(defs, instance)
    store = AlertStore.connect(store_url)
    start = datetime.now(tz=UTC)

    # Run 1: both planted failures; no alert is open yet, and each failing check says who opens it.
    first = check_metadata(run_table_checks(defs, "orders", instance))
    opens = "none open yet: the check alert sensor opens one on its next tick"
    assert first["status_known"]["dq/alert"] == opens
    assert first["amount_positive"]["dq/alert"] == opens
    assert "dq/alert" not in first["row_count"]  # a passing check without an alert says nothing

    # The sensor opens the two alerts and reports the summary once; a tick that changes nothing
    # reports nothing.
    (reported,) = sensor.tick(start)
    assert reported.asset_key == SUMMARY
    assert sensor.tick(start) == []
    alerts = {a.check: a for a in store.active_alerts("orders")}
    assert sorted(alerts) == ["amount_positive", "status_known"]
    status, amount = alerts["status_known"], alerts["amount_positive"]
    shown = summary_shown(instance)
    assert (shown["open"], shown["acknowledged"], shown["snoozed"]) == (2, 0, 0)
    assert shown["alerts"].splitlines()[2:4] == [
        f"| #{status.id} | orders | status_known | open | error | under 1 h | 1 | open |",
        f"| #{amount.id} | orders | amount_positive | open | error | under 1 h | 1 | open |",
    ]

    # An engineer acknowledges one and snoozes the other (as `dq alerts ack` and `snooze` do).
    store.acknowledge(status.id, "ana", start)
    store.snooze(amount.id, start + timedelta(hours=2), "ben", start)
    (reported,) = sensor.tick(start)
    shown = summary_shown(instance)
    assert (shown["open"], shown["acknowledged"], shown["snoozed"]) == (0, 1, 1)
    snoozed_until = (start + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M UTC")
    assert shown["alerts"].splitlines()[2:4] == [
        f"| #{status.id} | orders | status_known | acknowledged | error | under 1 h | 1 "
        "| acknowledged by ana under 1 h ago |",
        f"| #{amount.id} | orders | amount_positive | snoozed | error | under 1 h | 1 "
        f"| snoozed until {snoozed_until} |",
    ]

    # Run 2: the failing checks' own metadata now names their alerts and their state.
    second = check_metadata(run_table_checks(defs, "orders", instance))
    assert second["status_known"]["dq/alert"] == (
        f"#{status.id} acknowledged by ana under 1 h ago; open under 1 h, 1 occurrence"
    )
    assert second["status_known"]["dq/alert_id"] == str(status.id)  # text: the UI plots numbers
    assert second["amount_positive"]["dq/alert"] == (
        f"#{amount.id} snoozed until {snoozed_until}; open under 1 h, 1 occurrence"
    )

    # Five and a half hours on, the sensor records run 2's repeats (the snooze has ended: the
    # alert is open again) and the ages have moved: the summary is reported again.
    later = start + timedelta(hours=5, minutes=30)
    (reported,) = sensor.tick(later)
    shown = summary_shown(instance)
    assert (shown["open"], shown["acknowledged"], shown["snoozed"]) == (1, 1, 0)
    assert shown["oldest_open_hours"] == pytest.approx(5.5, abs=0.1)
    assert f"| #{status.id} | orders | status_known | acknowledged | error | 5 h | 2 |" in shown["alerts"]
    assert f"| #{amount.id} | orders | amount_positive | open | error | 5 h | 2 | open |" in shown["alerts"]

    # The data is fixed. Run 3 passes; the passing checks say their alerts resolve on the next
    # tick, which resolves them and empties the summary.
    write_orders(folder.parent.parent, CLEAN)
    third = check_metadata(run_table_checks(defs, "orders", instance))
    assert third["status_known"]["dq/alert"].endswith(
        "; the check alert sensor resolves it on its next tick, as this check passed"
    )
    (reported,) = sensor.tick(later)
    shown = summary_shown(instance)
    assert (shown["open"], shown["acknowledged"], shown["snoozed"]) == (0, 0, 0)
    assert shown["alerts"] == "No open, acknowledged or snoozed alerts."
    assert store.active_alerts() == []
    assert {a.status for a in store.list_alerts()} == {AlertStatus.RESOLVED}
    store.dispose()


def test_an_unreachable_alert_store_is_said_on_the_failing_checks_and_the_run_goes_on(
    tmp_path: Path,
) -> None:
    write_orders(tmp_path, PLANTED)
    tables = tmp_path / "defs" / "tables"
    tables.mkdir(parents=True)
    (tables / "orders.yaml").write_text(DEFINITION)
    # Planted: nothing listens on port 9, so the alert store cannot be reached.
    (tmp_path / "defs" / "alerts.yaml").write_text(
        "store: {url: 'postgresql://dq@127.0.0.1:9/alerts'}\ndefault: {channels: [log]}\n"
    )
    defs = build_definitions(tables)
    with dg.DagsterInstance.ephemeral() as instance:
        result = run_table_checks(defs, "orders", instance)

    assert result.success
    metadata = check_metadata(result)
    outcomes = {name: values["dq/outcome"] for name, values in metadata.items()}
    assert (outcomes["status_known"], outcomes["amount_positive"], outcomes["row_count"]) == (
        "fail",
        "fail",
        "pass",
    )
    note = metadata["status_known"]["dq/alert"]
    assert note.startswith("unknown: the alert store could not be read: StoreUnavailable: alert store")
    assert "127.0.0.1:9" in note
    assert "dq/alert" not in metadata["row_count"]


def test_two_namespaces_sharing_a_store_each_list_their_own_alerts(tmp_path: Path) -> None:
    # Two dq folders in one project, `dq` and `finance`, with one alert store (the default one).
    write_orders(tmp_path, PLANTED)
    store_url = f"sqlite:///{tmp_path / 'alerts.db'}"
    folders = {}
    for namespace, table in [("dq", "orders"), ("finance", "ledger")]:
        tables = tmp_path / namespace / "tables"
        tables.mkdir(parents=True)
        (tables / f"{table}.yaml").write_text(DEFINITION.replace("table: orders", f"table: {table}"))
        (tmp_path / namespace / "alerts.yaml").write_text(f"store: {{url: '{store_url}'}}\n")
        folders[namespace] = tables
    shown = {}
    with dg.DagsterInstance.ephemeral() as instance:
        built = {}
        for namespace, table in [("dq", "orders"), ("finance", "ledger")]:
            options = QualityOptions(alerts=True, namespace=namespace, schedules=False)
            built[namespace] = defs = build_quality_definitions(folders[namespace], options)
            job = defs.resolve_implicit_global_asset_job_def()
            assert job.execute_in_process(instance=instance, asset_selection=[dg.AssetKey(table)]).success
        now = datetime.now(tz=UTC).isoformat()
        for namespace, defs in built.items():  # both tables are checked before either sensor ticks
            resources = {**defs.resources, "dq_clock": ClockResource(fixed_now=now)}
            sensor = defs.resolve_sensor_def(f"{namespace}_check_alert_sensor")
            context = dg.build_sensor_context(instance=instance, definitions=defs, resources=resources)
            (event,) = sensor(context).asset_events
            shown[namespace] = (event.asset_key, event.metadata["alerts"].value)

    # Both alert sensors read the whole instance and record into the one store; each summary
    # lists only its own namespace's tables (planted: two failing rules on each table).
    assert shown["dq"][0] == dg.AssetKey("dq_alerts")
    assert shown["finance"][0] == dg.AssetKey("finance_alerts")
    assert [line.split(" | ")[1] for line in shown["dq"][1].splitlines()[2:4]] == ["orders", "orders"]
    assert [line.split(" | ")[1] for line in shown["finance"][1].splitlines()[2:4]] == ["ledger", "ledger"]
    assert "ledger" not in shown["dq"][1] and "orders" not in shown["finance"][1]
