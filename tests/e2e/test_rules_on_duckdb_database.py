"""The `duckdb` source: a table in a DuckDB database file, attached read-only and read in place.

The rules and the profile agree with the local engine reading the same rows as Arrow; the whole
check step runs on a file written as dbt-duckdb writes one; and every fault is an error for its
table alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from sqlglot import exp

from dq_checks.config.sources import DuckDBSourceSpec
from dq_resources.duckdb_database import DuckDBDatabaseResource
from dq_resources.source_contract import ReferenceRequest, SourceError
from tests.e2e.test_sql_source import run
from tests.engines.agreement import CUSTOMERS, ORDERS, SameAsDuckDB


def write_shop(path: Path) -> None:
    """ORDERS and CUSTOMERS as tables of schema `shop` in a database file, then closed."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE SCHEMA shop")
        connection.register("orders_arrow", ORDERS)
        connection.register("customers_arrow", CUSTOMERS)
        connection.execute("CREATE TABLE shop.orders AS SELECT * FROM orders_arrow")
        connection.execute("CREATE TABLE shop.customers AS SELECT * FROM customers_arrow")


@pytest.fixture(scope="module")
def shop_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("duckdb") / "warehouse.duckdb"
    write_shop(path)
    return path


def spec(path: Path, table: str, **settings: Any) -> DuckDBSourceSpec:
    return DuckDBSourceSpec(type="duckdb", path=str(path), table=table, **settings)


class TestDuckDBDatabase(SameAsDuckDB):
    @pytest.fixture(scope="class")
    @classmethod
    def remote(cls, shop_file: Path) -> Iterator[tuple[Any, exp.Table]]:
        resource = DuckDBDatabaseResource(scan_threads=1)
        orders = resource.open(spec(shop_file, "shop.orders"))
        customers = resource.open(spec(shop_file, "shop.customers"))
        # CUSTOMERS sits in the same database: the rules join it there, nothing streamed.
        with orders.query_runner([ReferenceRequest("customers", customers, None)]) as runner:
            yield runner, runner.references["customers"]


def test_the_file_is_attached_read_only_and_read_in_place(shop_file: Path) -> None:
    table = DuckDBDatabaseResource().open(spec(shop_file, "warehouse.shop.orders"))
    with table.query_runner() as runner:
        assert runner.scan_path == "read in place: a DuckDB database, attached read-only"
        assert runner.rows_loaded == 400
        with pytest.raises(duckdb.Error, match="read-only"):
            runner._connection.execute("DELETE FROM dq_database.shop.orders")
    description = table.describe()
    assert description.row_count == 400
    assert [c.name for c in description.columns][:3] == ["order_id", "customer_id", "amount"]
    assert description.last_updated is not None and description.data_version is not None


def test_a_missing_file_table_or_wrong_catalog_is_a_clear_error(shop_file: Path, tmp_path: Path) -> None:
    resource = DuckDBDatabaseResource()
    with pytest.raises(SourceError, match=r"duckdb:.*/nowhere.duckdb/shop.orders: no such database file"):
        resource.open(spec(tmp_path / "nowhere.duckdb", "shop.orders"))
    with pytest.raises(SourceError, match=r"shop.ghosts: table not found"):
        resource.open(spec(shop_file, "shop.ghosts"))
    with pytest.raises(
        SourceError, match=r"names the database 'other', but the file is database 'warehouse'"
    ):
        resource.open(spec(shop_file, "other.shop.orders"))


def test_a_writer_holding_the_lock_is_a_clear_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "busy.duckdb"
    write_shop(path)
    # Another process holds the database open for writing, as a running `dbt build` does.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(path)!r}); print('ok', flush=True); "
            "sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        with pytest.raises(SourceError, match=r"busy.duckdb/shop.orders: cannot open the database: .*lock"):
            DuckDBDatabaseResource().open(spec(path, "shop.orders"))
    finally:
        holder.communicate("")


STEP_ROWS = [
    # (order_id, customer_id, amount, status)
    (1, 10, 25.0, "delivered"),
    (2, 11, 40.0, "shipped"),
    (3, 12, 15.5, "delivered"),
    (3, 12, 15.5, "delivered"),  # planted: order 3 loaded twice
    (5, 99, 30.0, "delivered"),  # planted: customer 99 does not exist
    (6, 10, -5.0, "returned"),  # planted: a negative amount
    (7, 11, None, "pending"),  # planted: a missing amount
]
STEP_RULES = """\
rules:
  - name: order_id_is_key
    rule: IsPrimaryKey "order_id"
  - name: customer_exists
    rule: ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0
  - name: amount_positive
    rule: ColumnValues "amount" > 0
  - name: status_known
    rule: ColumnValues "status" in ["delivered", "shipped", "returned", "pending"]
"""


@pytest.fixture
def dbt_warehouse(tmp_path: Path) -> Path:
    """A database as dbt-duckdb leaves one: models in schema `main`, and a MAP column."""
    path = tmp_path / "shop.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            "CREATE TABLE orders (order_id BIGINT, customer_id BIGINT, amount DOUBLE, status VARCHAR, "
            "tags MAP(VARCHAR, VARCHAR))"
        )
        connection.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, MAP {'k': 'v'})", STEP_ROWS)
        connection.execute("CREATE TABLE customers AS SELECT * FROM (VALUES (10), (11), (12)) t(customer_id)")
    return path


def define(folder: Path, path: Path, table: str = "main.orders", extra: str = "", settings: str = "") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "orders.yaml").write_text(
        f"table: orders\nsource: {{type: duckdb, path: '{path}', table: {table}{settings}}}\n"
        f"key: [order_id]\ndeps: [customers]\n{STEP_RULES}{extra}"
    )
    (folder / "customers.yaml").write_text(
        f"table: customers\nsource: {{type: duckdb, path: '{path}', table: main.customers}}\n"
    )
    return folder


def test_the_check_step_reads_the_database_in_place_and_finds_what_was_planted(
    dbt_warehouse: Path, tmp_path: Path
) -> None:
    outcomes = run(define(tmp_path / "defs", dbt_warehouse))
    verdicts = {name: outcome for name, (outcome, _) in outcomes.items()}
    assert verdicts == {
        "profile": "pass",
        "anomalies": verdicts["anomalies"],  # 7 rows: whatever the detectors say, it is not the point here
        "order_id_is_key": "fail",
        "customer_exists": "fail",
        "amount_positive": "fail",
        "status_known": "pass",
        "quality_score": "fail",
        "volume": "skip",
        "schema": "pass",
        "drift": "skip",  # the first run: this data version is the next run's baseline
    }
    assert outcomes["order_id_is_key"][1].metadata["duplicate_rows"].value == 2
    assert outcomes["customer_exists"][1].metadata["missing_values_count"].value == 1
    assert outcomes["amount_positive"][1].metadata["failed_count"].value == 2  # -5.0 and NULL
    profile = outcomes["profile"][1]
    assert profile.description.startswith("profiled 7 rows x 5 columns")
    assert profile.metadata["dq/scan"].value == "read in place: a DuckDB database, attached read-only"


CROSS_JOIN = ", ".join(f"primary t{i}" for i in range(12))
PRODUCT = " * ".join(f"t{i}.order_id" for i in range(12))


def test_a_statement_past_the_time_limit_is_cancelled_and_errors_alone(
    dbt_warehouse: Path, tmp_path: Path
) -> None:
    slow = (
        "  - name: slow\n"  # planted: a cross join of 7^12 (about 10^10) rows, cancelled after a second
        f'    rule: CustomSql "select sum({PRODUCT}) from {CROSS_JOIN}" = 0\n'
    )
    outcomes = run(define(tmp_path / "defs", dbt_warehouse, extra=slow, settings=", timeout_seconds: 1"))
    assert outcomes["slow"][0] == "error"
    assert "exceeded timeout_seconds (1 s) and was cancelled" in outcomes["slow"][1].description
    assert outcomes["order_id_is_key"][0] == "fail"  # the rest of the run goes on
    assert outcomes["profile"][0] == "pass"


def test_a_column_duckdb_cannot_aggregate_errors_alone(dbt_warehouse: Path, tmp_path: Path) -> None:
    # planted: `tags` is a MAP, which has no mean
    extra = '  - name: tags_mean\n    rule: Mean "tags" > 0\n'
    outcomes = run(define(tmp_path / "defs", dbt_warehouse, extra=extra))
    assert outcomes["tags_mean"][0] == "error"
    assert "tags" in outcomes["tags_mean"][1].description
    assert outcomes["order_id_is_key"][0] == "fail"
    assert outcomes["profile"][0] == "pass"


def test_a_missing_table_errors_for_that_table_alone(dbt_warehouse: Path, tmp_path: Path) -> None:
    outcomes = run(define(tmp_path / "defs", dbt_warehouse, table="main.no_such_table"))
    assert outcomes["profile"][0] == "error"
    assert outcomes["profile"][1].description.endswith("/main.no_such_table: table not found")
    customers = run(define(tmp_path / "defs", dbt_warehouse, table="main.no_such_table"), table="customers")
    assert customers["profile"][0] == "pass"
