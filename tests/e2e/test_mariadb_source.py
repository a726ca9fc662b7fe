"""The `sql` source on a real MariaDB: the whole check step from YAML definitions, and each fault an
error for its own table while the other table of the same run passes.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy
from sqlalchemy.engine import make_url

from dq_assets.source_resources import default_resources
from dq_assets.table_asset import build_table_asset
from dq_checks.config.loader import load_table_specs

pytestmark = pytest.mark.mariadb

NOW = datetime.now(UTC).replace(microsecond=0)
ORDERS = [
    # (order_id, customer_id, amount, status, email, placed_at, paid)
    (1, 10, 25.0, "delivered", "ann@shop.com", NOW - timedelta(hours=1), True),
    (2, 11, 40.0, "shipped", "bob@shop.com", NOW - timedelta(hours=2), True),
    (3, 12, 15.5, "delivered", "cy@shop.com", NOW - timedelta(hours=3), True),
    (3, 12, 15.5, "delivered", "cy@shop.com", NOW - timedelta(hours=3), True),  # planted: order 3 twice
    (5, 99, 30.0, "delivered", "Dee@shop.com", NOW - timedelta(hours=5), True),  # planted: no customer 99;
    # and an upper-case letter the email pattern does not allow (the collation ignores case, dq does not)
    (6, 10, -5.0, "annulé", "eve@shop.com", NOW - timedelta(days=30), False),  # planted: negative, 30 days
    # old, unpaid; "annulé" is 6 characters in 7 bytes
    (7, 11, None, "pending", "fay@shop.com", NOW - timedelta(hours=7), False),  # planted: no amount, unpaid
]
CUSTOMERS = [(10,), (11,), (12,)]
DATABASE_ENV = "DQ_TEST_MARIADB_DB"


@pytest.fixture
def shop(mariadb_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`orders` and `customers` in a scratch database; the url names it through ${DQ_TEST_MARIADB_DB}."""
    engine = sqlalchemy.create_engine(
        mariadb_database, connect_args={"init_command": "SET time_zone = '+00:00'"}
    )
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE orders (order_id BIGINT, customer_id BIGINT, amount DOUBLE, status VARCHAR(20), "
            "email VARCHAR(64), placed_at TIMESTAMP(6) NULL, paid BOOLEAN, shape GEOMETRY)"
        )
        connection.exec_driver_sql("CREATE TABLE customers (customer_id BIGINT)")
        connection.exec_driver_sql("INSERT INTO customers VALUES (10), (11), (12)")
        for row in ORDERS:
            connection.execute(
                sqlalchemy.text(
                    "INSERT INTO orders VALUES (:id, :customer, :amount, :status, :email, :placed, :paid, "
                    "ST_GeomFromText('POINT(1 2)'))"
                ),
                dict(
                    zip(("id", "customer", "amount", "status", "email", "placed", "paid"), row, strict=True)
                ),
            )
    engine.dispose()
    monkeypatch.setenv(DATABASE_ENV, make_url(mariadb_database).database)
    yield (
        make_url(mariadb_database).set(database=f"${{{DATABASE_ENV}}}").render_as_string(hide_password=False)
    )


RULES = """\
rules:
  - name: order_id_is_key
    rule: IsPrimaryKey "order_id"
  - name: customer_exists
    rule: ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0
  - name: amount_positive
    rule: ColumnValues "amount" > 0
  - name: status_known
    rule: ColumnValues "status" in ["delivered", "shipped", "annulé", "pending"]
  - name: status_short
    rule: ColumnLength "status" <= 6
  - name: email_lower_case
    rule: ColumnValues "email" matches "[a-z]+@shop\\\\.com"
  - name: recent
    rule: DataFreshness "placed_at" <= 48 hours
  - name: paid
    rule: ColumnValues "paid" = "true" with threshold > 0.7
  - name: amount_spread
    rule: StandardDeviation "amount" between 14 and 14.5
  - name: no_refunds
    rule: CustomSql "select count(*) from primary where amount < 0" = 0
"""


def define(
    folder: Path, orders_url: str, customers_url: str, *, table: str = "orders", extra: str = ""
) -> Path:
    """`orders` (with RULES and `extra`) and `customers`, each a `sql` source at its url."""
    folder.mkdir(exist_ok=True)
    (folder / "orders.yaml").write_text(
        f"table: orders\nsource: {{type: sql, url: '{orders_url}', table: {table}}}\nkey: [order_id]\n"
        f"deps: [customers]\n{RULES}{extra}"
    )
    (folder / "customers.yaml").write_text(
        f"table: customers\nsource: {{type: sql, url: '{customers_url}', table: customers}}\n"
    )
    return folder


Outcomes = dict[str, tuple[str, dg.AssetCheckEvaluation | None]]


def run(folder: Path) -> dict[str, Outcomes]:
    """Both tables in one run: per table, each check's outcome and evaluation (none when skipped)."""
    loaded = load_table_specs(folder)
    loaded.raise_for_problems()
    catalog = {t.spec.table: t for t in loaded.tables}
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [build_table_asset(catalog[name], catalog) for name in ("customers", "orders")],
            instance=instance,
            resources=default_resources(),
            raise_on_error=False,
        )
    found: dict[str, Outcomes] = {"orders": {}, "customers": {}}
    for evaluation in result.get_asset_check_evaluations():
        table = found[evaluation.asset_key.path[-1]]
        table[evaluation.check_name] = (str(evaluation.metadata["dq/outcome"].value), evaluation)
        if evaluation.check_name == "profile" and "dq/skipped" in evaluation.metadata:
            table.update(dict.fromkeys(evaluation.metadata["dq/skipped"].value, ("skip", None)))
    return found


def description(outcomes: Outcomes, check: str) -> str:
    evaluation = outcomes[check][1]
    assert evaluation is not None, check
    return str(evaluation.description)


def test_rules_and_profile_run_in_mariadb_and_find_what_was_planted(shop: str, tmp_path: Path) -> None:
    outcomes = run(define(tmp_path / "defs", shop, shop))["orders"]
    verdicts = {name: outcome for name, (outcome, _) in outcomes.items()}
    assert verdicts == {
        "profile": "pass",
        "anomalies": verdicts["anomalies"],  # 7 rows: whatever the detectors say, it is not the point here
        "order_id_is_key": "fail",
        "customer_exists": "fail",
        "amount_positive": "fail",
        "status_known": "pass",
        "status_short": "fail",
        "email_lower_case": "fail",
        "recent": "fail",
        "paid": "pass",
        "amount_spread": "pass",
        "no_refunds": "fail",
        "quality_score": "fail",
        "volume": "skip",
        "schema": "pass",
        "drift": "skip",  # the first run: this data version is the next run's baseline
    }
    metadata = {name: evaluation.metadata for name, (_, evaluation) in outcomes.items() if evaluation}
    assert metadata["order_id_is_key"]["duplicate_rows"].value == 2
    assert metadata["customer_exists"]["missing_values_count"].value == 1
    assert metadata["amount_positive"]["failed_count"].value == 2  # -5.0 and NULL
    # 'annulé' is 6 characters (7 bytes): it passes, the 6 longer statuses fail
    assert metadata["status_short"]["failed_count"].value == 6
    assert metadata["email_lower_case"]["failed_count"].value == 1  # 'Dee@shop.com'
    assert metadata["recent"]["failed_count"].value == 1  # 30 days old
    # the population standard deviation of 25, 40, 15.5, 15.5, 30, -5 (NULL left out), as DuckDB's
    assert metadata["amount_spread"]["observed"].value == pytest.approx(
        statistics.pstdev([25, 40, 15.5, 15.5, 30, -5]), rel=1e-12
    )
    assert description(outcomes, "profile").startswith("profiled 7 rows x 8 columns")


def test_a_wrong_password_is_an_error_for_that_table_alone_without_the_password(
    shop: str, tmp_path: Path
) -> None:
    wrong = make_url(shop).set(password="hunter2").render_as_string(hide_password=False)
    found = run(define(tmp_path / "defs", wrong, shop))
    assert {outcome for outcome, _ in found["orders"].values()} == {"error"}
    text = description(found["orders"], "profile")
    assert text.startswith("error: sql:mysql+pymysql/orders: cannot describe the table: Access denied")
    assert "(error 1045)" in text
    assert "hunter2" not in text
    assert found["customers"]["profile"][0] == "pass"


def test_a_missing_table_is_an_error_for_that_table_alone(shop: str, tmp_path: Path) -> None:
    found = run(define(tmp_path / "defs", shop, shop, table="no_such_table"))
    assert {outcome for outcome, _ in found["orders"].values()} == {"error"}
    assert (
        description(found["orders"], "profile") == "error: sql:mysql+pymysql/no_such_table: table not found"
    )
    assert found["customers"]["profile"][0] == "pass"


SLOW = " cross join ".join(f"primary p{i}" for i in range(12))
"""Twelve copies of the 7 orders joined: 7^12 (about 14 billion) rows to count, far past any limit."""


def test_a_statement_past_its_time_limit_is_cancelled_by_the_server_and_errors_alone(
    shop: str, mariadb_server_url: str, tmp_path: Path
) -> None:
    slow_rule = f'  - name: slow\n    rule: CustomSql "select count(*) from {SLOW}" = 0\n'
    folder = define(tmp_path / "defs", shop, shop, extra=slow_rule)
    orders = folder / "orders.yaml"
    orders.write_text(orders.read_text().replace("table: orders}", "table: orders, timeout_seconds: 1}"))
    found = run(folder)
    assert found["orders"]["slow"][0] == "error"
    assert description(found["orders"], "slow").endswith(
        "the statement exceeded timeout_seconds (1 s) and was cancelled by the server (error 1969)"
    )
    assert found["orders"]["profile"][0] == "pass"  # the rest of the table goes on
    assert found["orders"]["order_id_is_key"][0] == "fail"
    assert found["customers"]["profile"][0] == "pass"
    # The server stopped it: no statement of the run is still running there.
    admin = sqlalchemy.create_engine(mariadb_server_url)
    with admin.connect() as connection:
        connection.execution_options(no_parameters=True)  # the LIKE pattern's % is no placeholder
        running = connection.exec_driver_sql(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '%cross join%' "
            "AND ID <> CONNECTION_ID()"
        ).scalar()
    admin.dispose()
    assert running == 0


def test_a_column_the_engine_cannot_aggregate_errors_alone(shop: str, tmp_path: Path) -> None:
    # planted: `shape` is GEOMETRY, which MariaDB cannot sum; it can group it, so IsUnique runs
    extra = (
        '  - name: shape_total\n    rule: CustomSql "select sum(shape) from primary" > 0\n'
        '  - name: shape_unique\n    rule: IsUnique "shape"\n'
    )
    found = run(define(tmp_path / "defs", shop, shop, extra=extra))
    assert found["orders"]["shape_total"][0] == "error"
    assert description(found["orders"], "shape_total").endswith(
        "Illegal parameter data type geometry for operation <value> (error 4079)"
    )
    assert found["orders"]["shape_unique"][0] == "fail"  # every order has the same point
    assert found["orders"]["order_id_is_key"][0] == "fail"  # the rest of the run goes on
    assert found["orders"]["profile"][0] == "pass"
    assert found["customers"]["profile"][0] == "pass"


def test_sessions_are_read_only_and_in_utc(shop: str, tmp_path: Path) -> None:
    from dq_resources.sql.resource import SqlSourceResource
    from dq_resources.sql.session import guarded_connection

    spec = load_table_specs(define(tmp_path / "defs", shop, shop)).by_name("orders").spec.source
    table = SqlSourceResource().open(spec)
    with guarded_connection(table.engine, 5) as connection:
        assert connection.exec_driver_sql("SELECT @@session.time_zone").scalar() == "+00:00"
        with pytest.raises(sqlalchemy.exc.OperationalError, match="READ ONLY"):
            connection.exec_driver_sql("DELETE FROM orders")
    sample = table.sample(3)
    assert list(sample.columns) == [
        "order_id",
        "customer_id",
        "amount",
        "status",
        "email",
        "placed_at",
        "paid",
        "shape",
    ]
    assert len(sample) == 3
    assert sample["placed_at"].iloc[0] == NOW - timedelta(hours=1)  # a TIMESTAMP is an instant, in UTC
    assert SqlSourceResource().test_connection(spec) == "row count unknown, 8 columns"


def test_a_server_that_never_answers_is_an_error_at_the_connect_timeout() -> None:
    from dq_checks.config.sources import SqlSourceSpec
    from dq_resources.source_contract.errors import SourceError
    from dq_resources.sql.resource import SqlSourceResource
    from tests.silent_server import SilentServer

    # planted: a port that accepts connections and never sends MySQL's greeting
    with SilentServer() as silent:
        url = f"mysql+pymysql://root@127.0.0.1:{silent.port}/shop"
        spec = SqlSourceSpec(type="sql", url=url, table="orders", connect_timeout_seconds=1)
        with pytest.raises(SourceError) as raised:
            SqlSourceResource().test_connection(spec)
    assert str(raised.value).startswith(
        "sql:mysql+pymysql/orders: cannot describe the table: no answer within connect_timeout_seconds (1 s)"
    )


def test_a_day_partition_on_a_timestamp_column_is_cut_in_utc_whatever_the_server_zone(
    mariadb_database: str, tmp_path: Path
) -> None:
    first = datetime(2026, 11, 28, 0, 30, tzinfo=UTC)
    engine = sqlalchemy.create_engine(
        mariadb_database, connect_args={"init_command": "SET time_zone = '+00:00'"}
    )
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE events (event_id BIGINT, happened_at TIMESTAMP(6), amount DOUBLE)"
        )
        for hour in range(72):  # one event an hour, 2026-11-28 00:30 to 2026-11-30 23:30 UTC
            amount = -1.0 if hour == 30 else 5.0  # planted: a negative amount at 2026-11-29 06:30 UTC
            connection.execute(
                sqlalchemy.text("INSERT INTO events VALUES (:id, :at, :amount)"),
                {"id": hour, "at": (first + timedelta(hours=hour)).replace(tzinfo=None), "amount": amount},
            )
    engine.dispose()
    # The connections start in a zone five hours east (a server elsewhere); dq's sessions read in UTC.
    elsewhere = make_url(mariadb_database).update_query_dict({"init_command": "SET time_zone = '+05:00'"})
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "events.yaml").write_text(
        f"table: events\nsource: {{type: sql, url: '{elsewhere.render_as_string(hide_password=False)}', "
        "table: events}\npartition: {column: happened_at, by: day, start: '2026-11-01'}\n"
        'rules:\n  - name: amount_positive\n    rule: ColumnValues "amount" > 0\n',
        encoding="utf-8",
    )
    loaded = load_table_specs(folder)
    loaded.raise_for_problems()
    asset = build_table_asset(loaded.by_name("events"), {"events": loaded.by_name("events")})
    checked: dict[str, dict[str, dg.AssetCheckEvaluation]] = {}
    with dg.DagsterInstance.ephemeral() as instance:
        for day in ("2026-11-28", "2026-11-29", "2026-11-30"):
            result = dg.materialize(
                [asset],
                instance=instance,
                resources=default_resources(),
                partition_key=day,
                raise_on_error=False,
            )
            checked[day] = {e.check_name: e for e in result.get_asset_check_evaluations()}
    for evaluations in checked.values():
        assert evaluations["profile"].description.startswith("profiled 24 rows")  # 00:30 to 23:30 UTC
    assert {day: str(e["amount_positive"].metadata["dq/outcome"].value) for day, e in checked.items()} == {
        "2026-11-28": "pass",
        "2026-11-29": "fail",
        "2026-11-30": "pass",
    }
    assert checked["2026-11-29"]["amount_positive"].metadata["failed_count"].value == 1
