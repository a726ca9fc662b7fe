"""A table's asset step, materialized in-process against real Iceberg tables."""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.loader import LoadingContextForTest
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionResolvedStatus

from dq_assets.source_resources import default_resources
from dq_assets.table_asset import build_table_asset
from dq_checks.config.loader import load_table_specs
from dq_checks.config.paths import PACKAGED_TABLES_DIR
from dq_resources.iceberg.catalogs import load_named_catalog


def materialize_table(config_dir: Path, table: str) -> dg.ExecuteInProcessResult:
    loaded = load_table_specs(config_dir)
    assert loaded.problems == ()
    return dg.materialize(
        [build_table_asset(loaded.by_name(table), {t.spec.table: t for t in loaded.tables})],
        instance=dg.DagsterInstance.ephemeral(),
        resources=default_resources(),
        raise_on_error=False,
    )


def evaluations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


@pytest.fixture(scope="module")
def orders_run(demo_warehouse: dict[str, int]) -> dg.ExecuteInProcessResult:
    return materialize_table(PACKAGED_TABLES_DIR, "orders")


def test_materialization_carries_rows_schema_time_and_version(orders_run: dg.ExecuteInProcessResult) -> None:
    assert orders_run.success
    (event,) = orders_run.get_asset_materialization_events()
    materialization = event.event_specific_data.materialization
    metadata = materialization.metadata
    snapshot = load_named_catalog("demo").load_table("shop.orders").current_snapshot()

    assert metadata["dagster/row_count"].value == 200_000
    assert [c.name for c in metadata["dagster/column_schema"].value.columns] == [
        "order_id",
        "customer_id",
        "order_ts",
        "status",
        "amount",
        "channel",
    ]
    assert metadata["dagster/last_updated_timestamp"].value == snapshot.timestamp_ms / 1000
    assert event.event_specific_data.materialization.tags["dagster/data_version"] == str(snapshot.snapshot_id)
    assert metadata["status.distinct_count"].value == 5
    assert metadata["amount.median"].value == 75.37
    assert "| amount | decimal(12, 2) |" in metadata["dq/profile"].value
    profile = metadata["dq/profile_json"].value
    assert profile["columns"]["order_id"]["distinct_count"] == 199_850


def test_orders_checks_report_the_planted_defects(orders_run: dg.ExecuteInProcessResult) -> None:
    checks = evaluations(orders_run)
    assert checks["profile"].passed
    assert checks["profile"].metadata["dq/outcome"].value == "pass"
    anomalies = checks["anomalies"]
    assert not anomalies.passed
    assert anomalies.severity == dg.AssetCheckSeverity.ERROR  # the isolated 4.2M amount is critical
    found = {(a["column"], a["type"], a["severity"]) for a in anomalies.metadata["anomalies"].value}
    assert found == {
        ("amount", "isolated_extreme", "critical"),
        ("amount", "iqr_outliers", "warning"),
        ("status", "single_value_dominance", "warning"),
    }
    assert anomalies.metadata["critical"].value == 1
    assert anomalies.metadata["warning"].value == 2


def test_unreadable_source_reports_errors_and_fails_the_step(
    tmp_path: Path, demo_warehouse: dict[str, int]
) -> None:
    (tmp_path / "gone.yaml").write_text(
        "table: gone\nsource: {type: iceberg, catalog: demo, identifier: shop.gone}\n"
    )
    result = materialize_table(tmp_path, "gone")
    assert not result.success
    checks = evaluations(result)
    assert set(checks) == {"profile", "anomalies", "volume", "schema", "drift"}
    for check in checks.values():
        assert not check.passed
        assert check.severity == dg.AssetCheckSeverity.ERROR
        assert check.metadata["dq/outcome"].value == "error"
        assert "shop.gone" in check.description and "not found" in check.description
    assert result.get_asset_materialization_events() == []
    (failure,) = result.get_step_failure_events()
    assert "source unavailable" in failure.step_failure_data.user_failure_data.description


def test_misnamed_columns_are_errors_naming_file_and_line(
    tmp_path: Path, demo_warehouse: dict[str, int]
) -> None:
    definition = tmp_path / "customers.yaml"
    definition.write_text(
        textwrap.dedent(
            """\
            table: customers
            source: {type: iceberg, catalog: demo, identifier: shop.customers}
            pii_columns:
              - email
              - phon            # planted typo: the real 'phone' would go unredacted
            anomalies:
              columns:
                signup: {null_rate_max: 0.5}   # planted typo: no such column
            """
        )
    )
    result = materialize_table(tmp_path, "customers")
    checks = evaluations(result)
    assert checks["profile"].metadata["dq/outcome"].value == "error"
    assert (
        f"{definition}:5: pii_columns: 'phon' is not a column of the table" in checks["profile"].description
    )
    assert checks["anomalies"].metadata["dq/outcome"].value == "error"
    assert f"{definition}:8: anomalies.columns: 'signup'" in checks["anomalies"].description


def test_pii_values_never_reach_metadata(demo_warehouse: dict[str, int]) -> None:
    result = materialize_table(PACKAGED_TABLES_DIR, "customers")
    (event,) = result.get_asset_materialization_events()
    metadata = event.event_specific_data.materialization.metadata
    profile = metadata["dq/profile_json"].value
    email = profile["columns"]["email"]
    assert email["min"] == email["max"] == "<redacted>"
    assert {v["value"] for v in email["top_values"]} == {"<redacted>"}
    assert "@example.com" not in metadata["dq/profile"].value
    assert profile["columns"]["country"]["top_values"][0]["value"] == "US"


def test_empty_table_warns(scratch_catalog: str, tmp_path: Path) -> None:
    import pyarrow as pa

    catalog = load_named_catalog(scratch_catalog)
    catalog.create_namespace("ns")
    catalog.create_table("ns.empty", schema=pa.schema([("x", pa.int64())]))
    (tmp_path / "empty.yaml").write_text(
        f"table: empty\nsource: {{type: iceberg, catalog: {scratch_catalog}, identifier: ns.empty}}\n"
    )
    result = materialize_table(tmp_path, "empty")
    checks = evaluations(result)
    assert checks["profile"].metadata["dq/outcome"].value == "fail"
    assert checks["profile"].severity == dg.AssetCheckSeverity.WARN
    assert checks["profile"].description == "table is empty: 0 rows"
    assert checks["anomalies"].passed
    (event,) = result.get_asset_materialization_events()
    # No snapshot: the table has never been written, so there is no last-update time to report.
    assert "dagster/last_updated_timestamp" not in event.event_specific_data.materialization.metadata


def test_one_check_of_a_standalone_table_executes_alone_without_a_materialization(
    demo_warehouse: dict[str, int],
) -> None:
    """The Checks tab's "Execute": the same step inspects the table and reports that check only."""
    loaded = load_table_specs(PACKAGED_TABLES_DIR)
    catalog = {t.spec.table: t for t in loaded.tables}
    asset = build_table_asset(catalog["orders"], catalog)
    instance = dg.DagsterInstance.ephemeral()
    key = dg.AssetCheckKey(dg.AssetKey("orders"), "anomalies")
    result = dg.materialize(
        [asset], instance=instance, resources=default_resources(), selection=dg.AssetSelection.checks(key)
    )
    assert result.success
    assert [e.check_name for e in result.get_asset_check_evaluations()] == ["anomalies"]
    assert result.get_asset_materialization_events() == []
    assert instance.fetch_materializations(dg.AssetKey("orders"), limit=1).records == []


def test_a_skipped_check_yields_nothing_and_dagster_resolves_it_skipped(orders_run_instance: tuple) -> None:
    result, instance = orders_run_instance
    evaluated = {e.check_name for e in result.get_asset_check_evaluations()}
    assert "volume" not in evaluated  # no earlier run: nothing to learn from
    profile = evaluations(result)["profile"]
    assert profile.metadata["dq/skipped"].value == {
        "volume": "200,000 rows; needs 7 earlier data versions, has 0",
        "drift": "no earlier data version was checked yet: this one is the next run's baseline",
    }
    key = dg.AssetCheckKey(dg.AssetKey("orders"), "volume")
    record = instance.event_log_storage.get_latest_asset_check_execution_by_key([key])[key]
    status = asyncio.run(record.resolve_status(LoadingContextForTest(instance)))
    assert status == AssetCheckExecutionResolvedStatus.SKIPPED
    # What later runs learn from travels on the profile check, whichever kind of table it is.
    assert profile.metadata["dq/row_count"].value == 200_000
    assert profile.metadata["dq/column_metrics"].value["status.distinct_count"] == 5
    assert [c.name for c in profile.metadata["dq/column_schema"].value.columns][:2] == [
        "order_id",
        "customer_id",
    ]
    assert "dq/profile_json" not in profile.metadata  # the materialization carries the profile


@pytest.fixture(scope="module")
def orders_run_instance(
    demo_warehouse: dict[str, int],
) -> tuple[dg.ExecuteInProcessResult, dg.DagsterInstance]:
    loaded = load_table_specs(PACKAGED_TABLES_DIR)
    catalog = {t.spec.table: t for t in loaded.tables}
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [build_table_asset(catalog["orders"], catalog)], instance=instance, resources=default_resources()
    )
    return result, instance
