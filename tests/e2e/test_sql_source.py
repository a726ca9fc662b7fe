"""The `sql` source on a real PostgreSQL: every metric pushed down, only aggregates and capped
samples leave the database, and bad input gives a clear error for that table only.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import psycopg2
import pytest
import sqlglot
from sqlalchemy.engine import make_url
from sqlglot import exp

from dq_assets.source_resources import default_resources
from dq_assets.table_asset import build_table_asset
from dq_checks.config.loader import load_table_specs
from dq_resources.source_contract import MAX_SAMPLE_ROWS
from tests.check_outcomes import skipped_checks

pytestmark = pytest.mark.postgres

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
CUSTOMERS = [(10,), (11,), (12,)]


@pytest.fixture
def shop(postgres_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A `shop` schema with orders and customers; DQ_TEST_DB names the database for ${} interpolation."""
    connection = psycopg2.connect(postgres_database)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA shop")
        cursor.execute(
            "CREATE TABLE shop.orders (order_id bigint, customer_id bigint, amount double precision, "
            "status text, payload json)"
        )
        cursor.executemany("INSERT INTO shop.orders VALUES (%s, %s, %s, %s, '{}')", ORDERS)
        cursor.execute("CREATE TABLE shop.customers (customer_id bigint)")
        cursor.executemany("INSERT INTO shop.customers VALUES (%s)", CUSTOMERS)
    connection.close()
    monkeypatch.setenv("DQ_TEST_DB", make_url(postgres_database).database)
    yield make_url(postgres_database).set(database="${DQ_TEST_DB}").render_as_string(hide_password=False)


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


def define(folder: Path, url: str, table: str = "shop.orders", extra: str = "") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "orders.yaml").write_text(
        f"table: orders\nsource: {{type: sql, url: '{url}', table: {table}}}\nkey: [order_id]\n"
        f"deps: [customers]\n{RULES}{extra}"
    )
    (folder / "customers.yaml").write_text(
        f"table: customers\nsource: {{type: sql, url: '{url}', table: shop.customers}}\n"
    )
    return folder


def run(folder: Path, table: str = "orders") -> dict[str, tuple[str, dg.AssetCheckEvaluation | None]]:
    """Each check's outcome and evaluation; a skipped check has none (the profile check says why)."""
    loaded = load_table_specs(folder)
    loaded.raise_for_problems()
    catalog = {t.spec.table: t for t in loaded.tables}
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [build_table_asset(catalog[table], catalog)],
            instance=instance,
            resources=default_resources(),
            raise_on_error=False,
        )
    found: dict[str, tuple[str, dg.AssetCheckEvaluation | None]] = {
        e.check_name: (e.metadata["dq/outcome"].value, e) for e in result.get_asset_check_evaluations()
    }
    found.update(dict.fromkeys(skipped_checks(result), ("skip", None)))
    return found


def test_rules_and_profile_run_in_postgres_and_find_what_was_planted(
    shop: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="dq.sql"):
        outcomes = run(define(tmp_path / "defs", shop))
    verdicts = {name: outcome for name, (outcome, _) in outcomes.items()}
    assert verdicts == {
        "profile": "pass",
        "anomalies": verdicts["anomalies"],  # 7 rows: whatever the detectors say, it is not the point here
        "order_id_is_key": "fail",
        "customer_exists": "fail",
        "amount_positive": "fail",
        "status_known": "pass",
        "no_refunds": "fail",
        "quality_score": "fail",
        "volume": "skip",
        "schema": "pass",
        "drift": "skip",  # the first run: this data version is the next run's baseline
    }
    assert outcomes["order_id_is_key"][1].metadata["duplicate_rows"].value == 2
    assert outcomes["customer_exists"][1].metadata["missing_values_count"].value == 1
    assert outcomes["amount_positive"][1].metadata["failed_count"].value == 2  # -5.0 and NULL
    profile = outcomes["profile"][1].description
    assert profile.startswith("profiled 7 rows x 5 columns")

    # Only aggregates and bounded samples left the database.
    statements = [r.getMessage().split(": ", 1)[1] for r in caplog.records if r.name == "dq.sql"]
    assert len(statements) >= 5
    for sql in statements:
        (query,) = sqlglot.parse(sql, read="postgres")
        assert aggregated_or_bounded(query), sql


def aggregated_or_bounded(query: exp.Expression) -> bool:
    """Every row the query returns is an aggregate, or there are at most MAX_SAMPLE_ROWS of them."""
    selects = [query] if isinstance(query, exp.Select) else list(query.find_all(exp.Select))
    outer = selects[0]
    limit = outer.args.get("limit")
    if limit is not None and int(limit.expression.name) <= MAX_SAMPLE_ROWS:
        return True
    if outer.args.get("group"):
        return all(p.find(exp.AggFunc) or _grouped(p, outer) for p in outer.expressions)
    return all(p.find(exp.AggFunc) is not None or p.find(exp.Window) is not None for p in outer.expressions)


def _grouped(projection: exp.Expression, select: exp.Select) -> bool:
    keys = {k.sql() for k in select.args["group"].expressions}
    return projection.unalias().sql() in keys or projection.alias_or_name in keys


def test_a_wrong_password_is_an_error_naming_the_source_without_the_password(
    shop: str, tmp_path: Path
) -> None:
    url = (
        make_url(shop.replace("${DQ_TEST_DB}", "x"))
        .set(username="nobody", password="hunter2", database="${DQ_TEST_DB}")
        .render_as_string(hide_password=False)
    )
    outcomes = run(define(tmp_path / "defs", url))
    assert {o for o, _ in outcomes.values()} == {"error"}
    description = outcomes["profile"][1].description
    assert description.startswith("error: sql:postgresql/shop.orders: cannot describe the table:")
    assert "hunter2" not in description


def test_a_missing_table_and_an_unset_variable_are_clear_errors(
    shop: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = run(define(tmp_path / "a", shop, table="shop.no_such_table"))
    assert missing["profile"] == ("error", missing["profile"][1])
    assert missing["profile"][1].description == "error: sql:postgresql/shop.no_such_table: table not found"
    monkeypatch.delenv("DQ_TEST_DB")
    unset = run(define(tmp_path / "b", shop))
    assert unset["profile"][1].description == (
        "error: sql:postgresql/shop.orders: environment variable DQ_TEST_DB (used in url) is not set"
    )


def test_a_column_the_database_cannot_aggregate_errors_alone(shop: str, tmp_path: Path) -> None:
    # planted: `payload` is json, which has no equality in Postgres: no DISTINCT, no GROUP BY
    outcomes = run(
        define(tmp_path / "defs", shop, extra='  - name: payload_unique\n    rule: IsUnique "payload"\n')
    )
    assert outcomes["payload_unique"][0] == "error"
    assert "json" in outcomes["payload_unique"][1].description
    assert outcomes["order_id_is_key"][0] == "fail"  # the rest of the run goes on
    assert outcomes["profile"][0] == "pass"


def test_sample_and_test_connection(shop: str, tmp_path: Path) -> None:
    from dq_resources.sql.resource import SqlSourceResource

    loaded = load_table_specs(define(tmp_path / "defs", shop))
    spec = loaded.by_name("orders").spec.source
    resource = SqlSourceResource()
    assert resource.test_connection(spec) == "row count unknown, 5 columns"
    sample = resource.open(spec).sample(3)
    assert list(sample.columns) == ["order_id", "customer_id", "amount", "status", "payload"]
    assert len(sample) == 3


def test_a_named_connection_and_dq_sources_test(
    shop: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from dq_assets.cli.main import cli

    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "orders.yaml").write_text(
        "table: orders\nsource: {type: sql, resource: shop_db, table: shop.orders}\n"
    )
    (folder / "lost.yaml").write_text(
        "table: lost\nsource: {type: sql, resource: shop_db, table: shop.lost}\n"
    )
    database = os.environ["DQ_TEST_DB"]
    monkeypatch.setenv("DQ_SQL__SHOP_DB__URL", make_url(shop).set(database=database).render_as_string(False))
    result = CliRunner().invoke(cli, ["sources", "test", "--config", str(folder)])
    assert result.exit_code == 2  # one table is missing
    rows = {line.split()[0]: line for line in result.output.splitlines()[2:]}
    assert "sql:shop_db/shop.orders" in rows["orders"] and " ok " in rows["orders"]
    assert "row count unknown, 5 columns" in rows["orders"]
    assert " error " in rows["lost"] and "table not found" in rows["lost"]
