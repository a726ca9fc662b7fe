"""The `spark` source on a local SparkSession: the whole check step on Spark tables, every metric run
by Spark SQL, only aggregates and capped samples collected; each bad input an error for its table
(or its rule) alone while the rest of the run goes on.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot

from dq_assets.source_resources import default_resources
from dq_assets.table_asset import build_table_asset
from dq_checks.config.loader import load_table_specs
from dq_checks.config.sources import SparkSourceSpec
from dq_resources.source_contract import SourceError
from dq_resources.spark import SparkSourceResource
from tests.e2e.test_sql_source import aggregated_or_bounded

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = pytest.mark.spark

ORDERS = [
    # (order_id, customer_id, amount, status)
    (1, 10, 25.0, "delivered"),
    (2, 11, 40.0, "shipped"),
    (3, 12, 15.5, "delivered"),
    (3, 12, 15.5, "delivered"),  # planted: order 3 loaded twice
    (5, 99, 30.0, "delivered"),  # planted: customer 99 does not exist
    (6, 10, -5.0, "returned"),  # planted: a negative amount
    (7, 11, None, "pending"),  # planted: a missing amount
]
ORDER_SCHEMA = "order_id bigint, customer_id bigint, amount double, status string"
CUSTOMERS = [(10,), (11,), (12,)]
RULES = """\
rules:
  - name: order_id_is_key
    rule: IsPrimaryKey "order_id"
  - name: customer_exists
    rule: ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0
  - name: amount_positive
    rule: ColumnValues "amount" > 0
  - name: status_known
    rule: ColumnValues "status" in ["delivered", "shipped", "returned", "pending"]
  - name: no_refunds
    rule: CustomSql "select count(*) from primary where amount < 0" = 0
"""
# planted: a cross join of 7^11 (about 2 * 10^9) rows, some 20 s of work for two cores, far past the
# 2 s limit. Not more: Spark cannot interrupt a task inside its generated code, so a cancelled
# statement starts no new task but its running one ends on its own, and the test run waits for it.
CROSS_JOIN = ", ".join(f"primary t{i}" for i in range(11))
PRODUCT = " * ".join(f"t{i}.order_id" for i in range(11))


@pytest.fixture(scope="module")
def shop(spark_session: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Catalog tables `shop_orders`, `shop_customers` and `shop_nested` (a MAP column); the orders also
    as a Parquet file, which the local DuckDB engine reads as the reference."""
    folder = tmp_path_factory.mktemp("spark-shop")
    spark_session.createDataFrame(ORDERS, ORDER_SCHEMA).coalesce(1).write.saveAsTable("shop_orders")
    spark_session.createDataFrame(CUSTOMERS, "customer_id bigint").write.saveAsTable("shop_customers")
    nested = [(*row, {"channel": "web"}) for row in ORDERS]
    spark_session.createDataFrame(nested, f"{ORDER_SCHEMA}, attrs map<string,string>").write.saveAsTable(
        "shop_nested"
    )
    pq.write_table(
        pa.table(
            {
                "order_id": pa.array([r[0] for r in ORDERS], pa.int64()),
                "customer_id": pa.array([r[1] for r in ORDERS], pa.int64()),
                "amount": pa.array([r[2] for r in ORDERS], pa.float64()),
                "status": pa.array([r[3] for r in ORDERS], pa.string()),
            }
        ),
        folder / "orders.parquet",
    )
    yield folder
    for table in ("shop_orders", "shop_customers", "shop_nested"):
        spark_session.sql(f"DROP TABLE IF EXISTS {table}")


def write(folder: Path, name: str, source: str, body: str = "") -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(f"table: {name}\nsource: {source}\n{body}")


def run(folder: Path, tables: list[str]) -> dict[str, dict[str, tuple[str, dg.AssetCheckEvaluation | None]]]:
    """Each table's checks' outcomes and evaluations, all tables materialized in ONE run."""
    loaded = load_table_specs(folder)
    loaded.raise_for_problems()
    catalog = {t.spec.table: t for t in loaded.tables}
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [build_table_asset(catalog[name], catalog) for name in tables],
            instance=instance,
            resources=default_resources(),
            raise_on_error=False,
        )
        materialized = {
            event.asset_key.path[-1]: event.materialization.metadata
            for event in result.get_asset_materialization_events()
        }
    found: dict[str, dict[str, tuple[str, dg.AssetCheckEvaluation | None]]] = {name: {} for name in tables}
    for evaluation in result.get_asset_check_evaluations():
        table = evaluation.asset_key.path[-1]
        found[table][evaluation.check_name] = (str(evaluation.metadata["dq/outcome"].value), evaluation)
    run.materialized = materialized  # type: ignore[attr-defined]
    return found


def test_the_check_step_runs_in_spark_and_finds_what_was_planted(
    shop: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    defs = tmp_path / "defs"
    write(defs, "orders", "{type: spark, table: shop_orders}", f"key: [order_id]\ndeps: [customers]\n{RULES}")
    write(defs, "customers", "{type: spark, table: shop_customers}")
    write(defs, "orders_local", f"{{type: file, path: '{shop / 'orders.parquet'}'}}")
    write(defs, "orders_files", f"{{type: spark, path: '{shop / 'orders.parquet'}', format: parquet}}")
    with caplog.at_level(logging.INFO, logger="dq.sql"):
        outcomes = run(defs, ["orders", "customers", "orders_local", "orders_files"])
    verdicts = {name: outcome for name, (outcome, _) in outcomes["orders"].items()}
    assert verdicts == {
        "profile": "pass",
        "anomalies": verdicts["anomalies"],  # 7 rows: whatever the detectors say, it is not the point here
        "order_id_is_key": "fail",
        "customer_exists": "fail",
        "amount_positive": "fail",
        "status_known": "pass",
        "no_refunds": "fail",
        "quality_score": "fail",
        "schema": "pass",
    }
    checks = {name: evaluation for name, (_, evaluation) in outcomes["orders"].items()}
    assert checks["order_id_is_key"].metadata["duplicate_rows"].value == 2
    assert checks["customer_exists"].metadata["missing_values_count"].value == 1
    assert checks["amount_positive"].metadata["failed_count"].value == 2  # -5.0 and NULL
    assert checks["no_refunds"].metadata["observed"].value == 1.0
    assert checks["profile"].description.startswith("profiled 7 rows x 4 columns")
    assert outcomes["customers"]["profile"][0] == "pass"

    # The profile equals the local DuckDB engine's on the same rows.
    spark_profile = run.materialized["orders"]["dq/profile_json"].value  # type: ignore[attr-defined]
    local_profile = run.materialized["orders_local"]["dq/profile_json"].value  # type: ignore[attr-defined]
    assert spark_profile["engine"] == "spark"
    assert spark_profile["row_count"] == local_profile["row_count"] == 7
    assert comparable_profile(spark_profile) == comparable_profile(local_profile)
    files_profile = run.materialized["orders_files"]["dq/profile_json"].value  # type: ignore[attr-defined]
    assert outcomes["orders_files"]["profile"][0] == "pass"  # the same rows, read by Spark at a path
    assert comparable_profile(files_profile) == comparable_profile(local_profile)
    assert checks["profile"].metadata["dq/column_metrics"].value == (
        outcomes["orders_local"]["profile"][1].metadata["dq/column_metrics"].value
    )

    # Only aggregates and bounded samples came back from Spark.
    statements = [
        r.getMessage().split(": ", 1)[1] for r in caplog.records if r.getMessage().startswith("spark: ")
    ]
    assert len(statements) >= 5
    for sql in statements:
        if sql.startswith("DESCRIBE"):
            continue
        (query,) = sqlglot.parse(sql, read="spark")
        assert aggregated_or_bounded(query), sql


ENGINE_SPECIFIC = ("engine", "data_type", "type")


def comparable_profile(profile: dict[str, Any]) -> dict[str, Any]:
    """The profile's statistics, without what names the engine or its type spellings."""
    columns = {}
    for name, column in profile["columns"].items():
        columns[name] = {
            key: round(value, 9) if isinstance(value, float) else value
            for key, value in column.items()
            if key not in ENGINE_SPECIFIC
        }
    return columns


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_each_fault_is_an_error_for_its_table_alone(
    shop: Path, tmp_path: Path, spark_session: SparkSession
) -> None:
    defs = tmp_path / "defs"
    write(defs, "customers", "{type: spark, table: shop_customers}")
    write(defs, "missing", "{type: spark, table: no_such_table}")
    slow_rule = f'  - name: slow\n    rule: CustomSql "select sum({PRODUCT}) from {CROSS_JOIN}" = 0\n'
    write(defs, "slow", "{type: spark, table: shop_orders, timeout_seconds: 2}", f"rules:\n{slow_rule}")
    # planted: `attrs` is a MAP, which has no mean
    nested_rules = (
        'rules:\n  - name: attrs_mean\n    rule: Mean "attrs" > 0\n'
        '  - name: key\n    rule: IsComplete "order_id"\n'
    )
    write(defs, "nested", "{type: spark, table: shop_nested}", nested_rules)
    remote = f"sc://localhost:{closed_port()}/;token=secret"
    write(
        defs,
        "locked_out",
        f"{{type: spark, table: shop_orders, remote: '{remote}', connect_timeout_seconds: 3}}",
    )
    started = time.monotonic()
    outcomes = run(defs, ["customers", "missing", "slow", "nested", "locked_out"])
    elapsed = time.monotonic() - started

    assert outcomes["customers"]["profile"][0] == "pass"  # the rest of the run goes on

    assert {outcome for outcome, _ in outcomes["missing"].values()} == {"error"}
    missing = outcomes["missing"]["profile"][1].description
    assert missing.startswith("error: spark:no_such_table: table not found: [TABLE_OR_VIEW_NOT_FOUND]")

    assert outcomes["slow"]["slow"][0] == "error"
    assert outcomes["slow"]["slow"][1].description.endswith(
        "slow.yaml:5: the engine could not evaluate the rule: "
        "spark:shop_orders: the statement exceeded timeout_seconds (2 s) and was cancelled"
    )
    tracker = spark_session.sparkContext.statusTracker()
    deadline = time.monotonic() + 60
    while tracker.getActiveJobsIds() and time.monotonic() < deadline:  # the listener catches up
        time.sleep(0.2)
    assert tracker.getActiveJobsIds() == []  # the cancelled cross join's job is over
    assert tracker.getActiveStageIds() == []
    jobs = [tracker.getJobInfo(job) for job in range(1_000)]
    assert [job.status for job in jobs if job is not None and job.status == "FAILED"] == ["FAILED"]

    assert outcomes["nested"]["attrs_mean"][0] == "error"
    assert "attrs" in outcomes["nested"]["attrs_mean"][1].description
    assert outcomes["nested"]["key"][0] == "pass"
    assert outcomes["nested"]["profile"][0] == "pass"

    assert {outcome for outcome, _ in outcomes["locked_out"].values()} == {"error"}
    refused = outcomes["locked_out"]["profile"][1].description
    assert refused.startswith("error: spark:shop_orders: cannot reach Spark Connect: ")
    assert refused.endswith(f"(connect_timeout_seconds: 3 s), at {remote.replace('secret', '***')}")
    assert "secret" not in refused
    assert elapsed < 600  # nothing waited for the client's own retries (minutes)


def test_describe_sample_and_test_connection(shop: Path, spark_session: SparkSession) -> None:
    resource = SparkSourceResource()
    table = SparkSourceSpec(type="spark", table="shop_orders")
    summary = resource.test_connection(table)
    assert summary.startswith("row count unknown, 4 columns, last updated ")  # no statistics yet
    spark_session.sql("ANALYZE TABLE shop_orders COMPUTE STATISTICS")
    assert resource.test_connection(table).startswith("7 rows, 4 columns")
    described = resource.open(table).describe()
    assert [(c.name, c.data_type, c.kind.value) for c in described.columns] == [
        ("order_id", "bigint", "numeric"),
        ("customer_id", "bigint", "numeric"),
        ("amount", "double", "numeric"),
        ("status", "string", "string"),
    ]
    assert described.extra["provider"] == "parquet"

    # Files at a path: the newest file's modification time is the last update.
    files = shop / "orders_files"
    files.mkdir()
    pq.write_table(pq.read_table(shop / "orders.parquet"), files / "part-0.parquet")
    pq.write_table(pq.read_table(shop / "orders.parquet"), files / "part-1.parquet")
    os.utime(files / "part-0.parquet", (1_700_000_000, 1_700_000_000))
    os.utime(files / "part-1.parquet", (1_750_000_000, 1_750_000_000))
    opened = resource.open(SparkSourceSpec(type="spark", path=str(files)))
    described = opened.describe()
    assert described.row_count is None
    assert described.last_updated == datetime.fromtimestamp(1_750_000_000, UTC)
    assert described.data_version is not None and described.data_version.startswith("2 files, ")
    sample = opened.sample(3)
    assert list(sample.columns) == ["order_id", "customer_id", "amount", "status"]
    assert len(sample) == 3

    with pytest.raises(SourceError, match=r"^spark:.*/nowhere: no such path: \[PATH_NOT_FOUND\]"):
        resource.open(SparkSourceSpec(type="spark", path=str(shop / "nowhere")))
