"""Freshness is measured on the data's own last update, and a breach is caught without a check run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest

from dq_assets.definitions import build_definitions
from dq_assets.freshness_sensor import FRESHNESS_SENSOR, due_run_requests
from dq_assets.source_resources import CLOCK_RESOURCE_KEY, default_resources
from dq_assets.table_asset import build_table_asset
from dq_assets.unchecked_freshness import UncheckedCursor
from dq_checks.config.loader import load_table_specs
from dq_resources.clock import ClockResource
from dq_resources.iceberg.catalogs import load_named_catalog
from dq_resources.iceberg.clock import snapshot_clock
from tests.table_runs import run_table_checks


def make_table(catalog_name: str, committed: datetime, name: str = "t") -> None:
    catalog = load_named_catalog(catalog_name)
    catalog.create_namespace_if_not_exists("ns")
    table = catalog.create_table(f"ns.{name}", schema=pa.schema([("id", pa.int64())]))
    with snapshot_clock(committed):
        table.append(pa.table({"id": pa.array([1, 2, 3], pa.int64())}))


def define(folder: Path, catalog_name: str, freshness: str, name: str = "t") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(
        f"table: {name}\nsource: {{type: iceberg, catalog: {catalog_name}, identifier: ns.{name}}}\n"
        f"schedule: '0 * * * *'\nfreshness: {freshness}\n"
    )
    return folder


def freshness_of(result: dg.ExecuteInProcessResult) -> dg.AssetCheckEvaluation:
    return next(e for e in result.get_asset_check_evaluations() if e.check_name == "freshness")


def run(folder: Path, instance: dg.DagsterInstance, now: datetime | None = None) -> dg.ExecuteInProcessResult:
    loaded = load_table_specs(folder)
    defined = loaded.tables[0]
    resources = default_resources()
    if now is not None:
        resources[CLOCK_RESOURCE_KEY] = ClockResource(fixed_now=now.isoformat())
    asset = build_table_asset(defined, {defined.spec.table: defined})
    return dg.materialize([asset], instance=instance, resources=resources)


@pytest.mark.parametrize(
    ("age_hours", "outcome", "severity"),
    [(1, "pass", None), (13, "fail", "WARN"), (72, "fail", "ERROR")],
)
def test_age_is_the_snapshots_not_the_checks(
    scratch_catalog: str, tmp_path: Path, age_hours: int, outcome: str, severity: str | None
) -> None:
    now = datetime.now(tz=UTC)
    make_table(scratch_catalog, now - timedelta(hours=age_hours))
    folder = define(tmp_path / "defs", scratch_catalog, "{max_age_hours: 24, warn_after_hours: 12}")
    evaluation = freshness_of(run(folder, dg.DagsterInstance.ephemeral()))
    # Checked this very second, yet a 3-day-old snapshot is stale: age is the data's own.
    assert evaluation.metadata["dq/outcome"].value == outcome
    if severity is not None:
        assert evaluation.severity.value == severity
    assert evaluation.metadata["age_hours"].value == pytest.approx(age_hours, abs=0.05)
    assert evaluation.metadata["last_updated_from"].value == "snapshot commit time"


def test_a_deadline_cron_sla(scratch_catalog: str, tmp_path: Path) -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 13:00 in Paris; the last 09:00 deadline was 08:00 UTC
    make_table(scratch_catalog, datetime(2026, 11, 22, 7, 0, tzinfo=UTC))  # before 08:00 UTC yesterday: late
    folder = define(
        tmp_path / "defs",
        scratch_catalog,
        "{max_age_hours: 24, deadline_cron: '0 9 * * *', timezone: Europe/Paris}",
    )
    evaluation = freshness_of(run(folder, dg.DagsterInstance.ephemeral(), now))
    assert (evaluation.metadata["dq/outcome"].value, evaluation.severity.value) == ("fail", "ERROR")


def test_dagster_freshness_policy_mirrors_the_sla(scratch_catalog: str, tmp_path: Path) -> None:
    folder = define(tmp_path / "defs", scratch_catalog, "{max_age_hours: 6, warn_after_hours: 3}")
    node = build_definitions(folder).resolve_asset_graph().get(dg.AssetKey("t"))
    policy = node.freshness_policy
    assert isinstance(policy, dg.FreshnessPolicy)
    assert policy.fail_window.to_timedelta() == timedelta(hours=6)
    assert policy.warn_window.to_timedelta() == timedelta(hours=3)


def test_the_sensor_catches_a_breach_without_any_run(scratch_catalog: str, tmp_path: Path) -> None:
    committed = datetime.now(tz=UTC) - timedelta(hours=3)
    make_table(scratch_catalog, committed)
    folder = define(tmp_path / "defs", scratch_catalog, "{max_age_hours: 1, warn_after_hours: 0.5}")
    defs = build_definitions(folder)
    instance = dg.DagsterInstance.ephemeral()
    # The last check ran ten minutes after the commit, when the data was fresh; then the
    # schedule was off: no run since.
    first = freshness_of(run(folder, instance, committed + timedelta(minutes=10)))
    assert first.metadata["dq/outcome"].value == "pass"
    assert first.metadata["fail_at"].value == pytest.approx((committed + timedelta(hours=1)).timestamp())

    sensor = defs.resolve_sensor_def(FRESHNESS_SENSOR)
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    result = sensor(dg.build_sensor_context(instance=instance, definitions=defs))
    (request,) = result.run_requests
    assert request.asset_selection == [dg.AssetKey("t"), dg.AssetKey("t_rule_proposals")]
    assert request.tags == {"dq/table": "t", "dq/source": "iceberg", "dq/trigger": "freshness_sensor"}
    assert request.run_key.endswith(":ERROR")

    # The run the sensor asked for measures the data again and records the breach...
    run_table_checks(defs, "t", instance, tags=request.tags)
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [dg.AssetCheckKey(dg.AssetKey("t"), "freshness")]
    )
    evaluation = next(iter(latest.values())).event.dagster_event.event_specific_data
    assert (evaluation.passed, evaluation.severity) == (False, dg.AssetCheckSeverity.ERROR)
    # ...after which the sensor has nothing more to ask for.
    again = sensor(dg.build_sensor_context(instance=instance, definitions=defs))
    assert again.run_requests == []
    assert due_run_requests(instance, load_table_specs(folder).tables, datetime.now(tz=UTC)) == []


def test_a_timestamp_column_is_the_data_time_when_named(scratch_catalog: str, tmp_path: Path) -> None:
    now = datetime.now(tz=UTC)
    catalog = load_named_catalog(scratch_catalog)
    catalog.create_namespace("ns")
    schema = pa.schema([("id", pa.int64()), ("updated_at", pa.timestamp("us", tz="UTC"))])
    table = catalog.create_table("ns.t", schema=schema)
    # planted: the snapshot is fresh, but the newest row was updated 30 hours ago
    table.append(
        pa.table(
            {"id": [1, 2], "updated_at": [now - timedelta(hours=40), now - timedelta(hours=30)]},
            schema=schema,
        )
    )
    folder = define(tmp_path / "defs", scratch_catalog, "{max_age_hours: 24, timestamp_column: updated_at}")
    result = run(folder, dg.DagsterInstance.ephemeral())
    evaluation = freshness_of(result)
    assert (evaluation.metadata["dq/outcome"].value, evaluation.severity.value) == ("fail", "ERROR")
    assert evaluation.metadata["last_updated_from"].value == "max(updated_at)"
    assert evaluation.metadata["age_hours"].value == pytest.approx(30, abs=0.05)
    (event,) = result.get_asset_materialization_events()
    stamp = event.event_specific_data.materialization.metadata["dagster/last_updated_timestamp"].value
    assert stamp == pytest.approx(
        (now - timedelta(hours=30)).timestamp(), abs=1
    )  # the UI shows the same time


def test_on_an_attached_asset_the_check_measures_the_data_and_the_policy_stays_the_users(
    tmp_path: Path,
) -> None:
    """dq adds its data-time `freshness` check to the user's asset and leaves the asset's own policy alone."""
    import pyarrow.parquet as pq

    from dq_assets.check_names import ATTACHED_FRESHNESS_NOTE
    from dq_assets.table_asset import build_attached_checks

    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    parquet = tmp_path / "events.parquet"
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "events.yaml").write_text(
        f"asset: events\nsource: {{type: file, path: {parquet}}}\n"
        "freshness: {max_age_hours: 24, warn_after_hours: 12, timestamp_column: updated_at}\n"
    )
    defined = load_table_specs(folder).tables[0]
    users_policy = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=2))

    @dg.asset(key="events", freshness_policy=users_policy)
    def events() -> None:
        # planted: the pipeline ran just now, but the newest row is 30 hours old
        stamps = pa.array(
            [now - timedelta(hours=40), now - timedelta(hours=30)], pa.timestamp("us", tz="UTC")
        )
        pq.write_table(pa.table({"id": [1, 2], "updated_at": stamps}), parquet)

    checks = build_attached_checks(defined, {"events": defined})
    resources = {**default_resources(), CLOCK_RESOURCE_KEY: ClockResource(fixed_now=now.isoformat())}
    defs = dg.Definitions(assets=[events], asset_checks=[checks], resources=resources)
    node = defs.resolve_asset_graph().get(dg.AssetKey("events"))
    assert node.freshness_policy == users_policy  # the user's, untouched
    spec = next(s for s in checks.check_specs if s.name == "freshness")
    assert spec.description.endswith(ATTACHED_FRESHNESS_NOTE)

    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=dg.DagsterInstance.ephemeral()
    )
    evaluation = freshness_of(result)
    assert (evaluation.metadata["dq/outcome"].value, evaluation.severity.value) == ("fail", "ERROR")
    assert evaluation.metadata["last_updated_from"].value == "max(updated_at)"
    assert evaluation.metadata["age_hours"].value == pytest.approx(30, abs=0.01)


def test_the_sensor_rechecks_an_attached_table_with_its_checks_alone(tmp_path: Path) -> None:
    """On the user's asset the sensor asks for a run of dq's checks only, never rematerializing the asset."""
    import pyarrow.parquet as pq

    from dq_assets.build import QualityOptions, build_quality_definitions
    from dq_assets.job_names import QualityNames
    from dq_assets.table_asset import check_keys_of

    newest = datetime.now(tz=UTC) - timedelta(hours=3)
    parquet = tmp_path / "events.parquet"
    stamps = pa.array([newest - timedelta(hours=1), newest], pa.timestamp("us", tz="UTC"))
    pq.write_table(pa.table({"id": [1, 2], "updated_at": stamps}), parquet)
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "events.yaml").write_text(
        f"asset: events\nsource: {{type: file, path: {parquet}}}\n"
        "freshness: {max_age_hours: 1, warn_after_hours: 0.5, timestamp_column: updated_at}\n"
    )
    ran: list[str] = []

    @dg.asset(key="events")
    def events() -> None:
        ran.append("events")

    quality = build_quality_definitions(folder, QualityOptions(schedules=False))
    defs = dg.Definitions.merge(dg.Definitions(assets=[events]), quality)
    instance = dg.DagsterInstance.ephemeral()
    defined = load_table_specs(folder).tables[0]
    names = QualityNames()
    checks_job = defs.resolve_job_def(names.checks_job)
    # The last check ran ten minutes after the newest row landed, when the data was fresh.
    clock = ClockResource(fixed_now=(newest + timedelta(minutes=10)).isoformat())
    first = checks_job.execute_in_process(instance=instance, resources={CLOCK_RESOURCE_KEY: clock})
    assert freshness_of(first).metadata["dq/outcome"].value == "pass"

    sensor = defs.resolve_sensor_def(names.freshness_sensor)
    result = sensor(dg.build_sensor_context(instance=instance, definitions=defs))
    (request,) = result.run_requests
    assert request.job_name == names.checks_job
    assert request.asset_selection == []  # not the user's asset
    assert request.asset_check_keys == check_keys_of(defined)
    assert request.run_key.endswith(":ERROR")

    subset = checks_job.get_subset(asset_selection=set(), asset_check_selection=set(request.asset_check_keys))
    again = subset.execute_in_process(instance=instance, tags=request.tags)
    assert (freshness_of(again).metadata["dq/outcome"].value, freshness_of(again).severity.value) == (
        "fail",
        "ERROR",
    )
    assert ran == []
    assert sensor(dg.build_sensor_context(instance=instance, definitions=defs)).run_requests == []


# -- a table never checked: the sensor asks its source when its data was last updated


def test_a_never_checked_stale_table_is_checked_on_the_sensors_first_tick(
    scratch_catalog: str, tmp_path: Path
) -> None:
    make_table(scratch_catalog, datetime.now(tz=UTC) - timedelta(days=5))  # planted: five days old
    folder = define(tmp_path / "defs", scratch_catalog, "{max_age_hours: 24}")
    defs = build_definitions(folder)
    instance = dg.DagsterInstance.ephemeral()  # no run ever, the schedule stopped
    sensor = defs.resolve_sensor_def(FRESHNESS_SENSOR)

    result = sensor(dg.build_sensor_context(instance=instance, definitions=defs))

    (request,) = result.run_requests
    assert request.run_key == "freshness:t:unchecked:ERROR"
    assert request.tags["dq/trigger"] == "freshness_sensor"
    run_table_checks(defs, "t", instance, tags=request.tags)
    # the run recorded the breach; the table is a checked one now, already failing: nothing more to ask
    again = sensor(dg.build_sensor_context(instance=instance, definitions=defs, cursor=result.cursor))
    assert again.run_requests == []


def test_a_never_checked_fresh_table_waits_for_its_sla_without_asking_the_source_again(
    scratch_catalog: str, tmp_path: Path
) -> None:
    committed = datetime.now(tz=UTC) - timedelta(minutes=10)
    make_table(scratch_catalog, committed)
    folder = define(tmp_path / "defs", scratch_catalog, "{max_age_hours: 1, warn_after_hours: 0.5}")
    defs = build_definitions(folder)
    instance = dg.DagsterInstance.ephemeral()
    sensor = defs.resolve_sensor_def(FRESHNESS_SENSOR)

    first = sensor(dg.build_sensor_context(instance=instance, definitions=defs))

    assert first.run_requests == []
    cursor = UncheckedCursor.parse(first.cursor)
    assert cursor.last_updated == {"t": pytest.approx(committed.timestamp(), abs=0.01)}
    tables = load_table_specs(folder).tables
    # 40 minutes on: past warn_after; no resources given, so the cursor alone must answer
    later = due_run_requests(instance, tables, committed + timedelta(minutes=40), resources={}, cursor=cursor)
    assert [r.run_key for r in later] == ["freshness:t:unchecked:WARN"]
    latest = due_run_requests(instance, tables, committed + timedelta(hours=2), resources={}, cursor=cursor)
    assert [r.run_key for r in latest] == ["freshness:t:unchecked:ERROR"]


def test_a_never_checked_table_the_sensor_cannot_judge_gets_one_run(
    scratch_catalog: str, tmp_path: Path
) -> None:
    make_table(scratch_catalog, datetime.now(tz=UTC))
    folder = define(tmp_path / "defs", scratch_catalog, "{max_age_hours: 24}")
    define(folder, scratch_catalog, "{max_age_hours: 24}", name="gone")  # planted: ns.gone does not exist
    define(folder, scratch_catalog, "{max_age_hours: 24, timestamp_column: id}", name="stamped")
    defs = build_definitions(folder)
    sensor = defs.resolve_sensor_def(FRESHNESS_SENSOR)

    result = sensor(dg.build_sensor_context(instance=dg.DagsterInstance.ephemeral(), definitions=defs))

    # t is fresh; gone cannot be described; stamped's data time is a column's maximum, which a run measures
    assert sorted(r.run_key for r in result.run_requests) == [
        "freshness:gone:unchecked:unreachable",
        "freshness:stamped:unchecked:column-time",
    ]
