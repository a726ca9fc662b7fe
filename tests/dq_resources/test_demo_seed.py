"""The demo warehouse holds exactly the planted defects docs/demo.md lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pyarrow as pa
import pytest

from dq_resources.demo import generate_shop, seed_demo_warehouse
from dq_resources.demo.shop_data import ABSURD_AMOUNT
from dq_resources.iceberg.catalogs import load_named_catalog


@pytest.fixture(scope="module")
def shop(demo_warehouse: dict[str, int]) -> dict[str, pa.Table]:
    catalog = load_named_catalog("demo")
    return {
        name: catalog.load_table(f"shop.{name}").scan().to_arrow()
        for name in ("customers", "products", "orders", "order_items")
    }


def scalar(sql: str, **tables: pa.Table) -> object:
    connection = duckdb.connect()
    for name, table in tables.items():
        connection.register(name, table)
    return connection.execute(sql).fetchone()[0]


def test_tables_have_the_documented_sizes(demo_warehouse: dict[str, int], shop: dict[str, pa.Table]) -> None:
    assert {name: t.num_rows for name, t in shop.items()} == {
        "customers": 5_000,
        "products": 500,
        "orders": 200_000,
        "order_items": 599_953,
    }
    assert demo_warehouse["shop.orders"] == 200_000


def test_duplicate_order_ids(shop: dict[str, pa.Table]) -> None:
    orders = shop["orders"]
    # 150 ids occur twice: 150 duplicate groups, 300 rows in them.
    assert scalar("SELECT count(DISTINCT order_id) FROM orders", orders=orders) == 199_850
    assert (
        scalar(
            "SELECT count(*) FROM (SELECT order_id FROM orders GROUP BY order_id HAVING count(*) = 2)",
            orders=orders,
        )
        == 150
    )
    assert scalar("SELECT max(c) FROM (SELECT count(*) c FROM orders GROUP BY order_id)", orders=orders) == 2


def test_null_spike_in_customer_phones(shop: dict[str, pa.Table]) -> None:
    customers = shop["customers"]
    assert customers.column("phone").null_count == 1_400
    # Exactly the customers 3,601..5,000 lost their phone.
    assert scalar("SELECT min(customer_id) FROM customers WHERE phone IS NULL", customers=customers) == 3_601
    for other in ("customer_id", "email", "country"):
        assert customers.column(other).null_count == 0


def test_orphan_customer_ids(shop: dict[str, pa.Table]) -> None:
    orphans = scalar(
        "SELECT count(*) FROM orders o ANTI JOIN customers c USING (customer_id)",
        orders=shop["orders"],
        customers=shop["customers"],
    )
    assert orphans == 300
    assert (
        scalar(
            "SELECT min(customer_id) || '..' || max(customer_id) FROM orders WHERE customer_id > 5000",
            orders=shop["orders"],
        )
        == "90001..90300"
    )


def test_status_dominated_by_delivered(shop: dict[str, pa.Table]) -> None:
    counts = dict(scalar_rows("SELECT status, count(*) FROM orders GROUP BY 1", orders=shop["orders"]))
    assert counts == {
        "delivered": 194_000,
        "shipped": 2_500,
        "pending": 1_500,
        "cancelled": 1_200,
        "returned": 800,
    }


def scalar_rows(sql: str, **tables: pa.Table) -> list[tuple]:
    connection = duckdb.connect()
    for name, table in tables.items():
        connection.register(name, table)
    return connection.execute(sql).fetchall()


def test_amount_outliers_and_one_absurd_value(shop: dict[str, pa.Table]) -> None:
    orders = shop["orders"]
    amounts = sorted((float(a) for a in orders.column("amount").to_pylist()), reverse=True)
    # One isolated absurd value, then the cents-bug orders (x100), the largest under 50,000.
    assert amounts[0] == float(ABSURD_AMOUNT)
    assert amounts[1] < 50_000
    assert amounts[0] / amounts[1] > 80
    # Every 10th row was multiplied by 100: 20,000 rows, minus the absurd one if it fell on them.
    assert scalar("SELECT count(*) FROM orders WHERE amount >= 100", orders=orders) > 20_000


def test_products_snapshot_is_days_old_and_others_are_fresh(demo_warehouse: dict[str, int]) -> None:
    catalog = load_named_catalog("demo")
    now = datetime.now(tz=UTC)
    ages = {}
    for name in ("customers", "products", "orders", "order_items"):
        snapshot = catalog.load_table(f"shop.{name}").current_snapshot()
        ages[name] = now - datetime.fromtimestamp(snapshot.timestamp_ms / 1000, tz=UTC)
    assert timedelta(days=5) <= ages["products"] < timedelta(days=5, hours=1)
    for name in ("customers", "orders", "order_items"):
        assert ages[name] < timedelta(hours=1)


def test_generation_is_deterministic() -> None:
    first, second = generate_shop(), generate_shop()
    for name, table in first.by_name().items():
        assert table.equals(second.by_name()[name]), name


def test_seeding_again_keeps_existing_tables(demo_warehouse: dict[str, int]) -> None:
    report = seed_demo_warehouse("demo")
    assert report.created == []
    assert report.skipped == ["shop.customers", "shop.products", "shop.orders", "shop.order_items"]
