"""The `databricks` source through databricks-sql-connector, against a local Databricks stand-in.

The stand-in (`tests/databricks_standin.py`) is Spark's own Thrift server behind a gateway that
checks the token and speaks TLS: every statement runs in real Spark SQL, sent by the connector's
real Thrift backend. The source's own runner must give every rule and the profile as local
DuckDB does; the whole check step runs from YAML; each fault is an error for its table alone.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot
from sqlglot import exp

from dq_assets.source_resources import RESOURCE_KEYS, default_resources
from dq_assets.table_asset import build_table_asset
from dq_checks.config.loader import load_table_specs
from dq_checks.config.sources import DatabricksSourceSpec
from dq_resources.databricks import DatabricksSourceResource
from dq_resources.databricks.connections import close_all
from dq_resources.source_contract import SourceError
from tests.databricks_standin import StandIn, databricks_standin, free_port
from tests.e2e.test_sql_source import aggregated_or_bounded
from tests.engines.agreement import CUSTOMERS, ORDERS, SameAsDuckDB

pytestmark = pytest.mark.databricks

TOKEN_ENV = "DQ_TEST_DATABRICKS_TOKEN"


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StandIn]:
    """The stand-in, started once for the module, its token in TOKEN_ENV."""
    if os.environ.get("DQ_REQUIRE_SPARK") != "1" and not _has_java():
        pytest.skip("the Databricks stand-in needs Java: no `java` on the PATH")
    with databricks_standin(tmp_path_factory.mktemp("databricks-standin")) as running:
        previous = os.environ.get(TOKEN_ENV)
        os.environ[TOKEN_ENV] = running.token
        try:
            yield running
        finally:
            if previous is None:
                os.environ.pop(TOKEN_ENV, None)
            else:
                os.environ[TOKEN_ENV] = previous


def _has_java() -> bool:
    import shutil

    return shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))


SPARK_TYPES = {
    pa.int64(): "bigint",
    pa.float64(): "double",
    pa.string(): "string",
    pa.bool_(): "boolean",
    pa.timestamp("us", tz="UTC"): "timestamp",
}


def load_table(standin: StandIn, name: str, table: pa.Table) -> None:
    """`table` as the Parquet table `default.<name>` on the stand-in, written by Spark itself.

    Created by its columns, then filled: no statistics are recorded, so the row count is unknown
    until ANALYZE TABLE (Spark's CREATE TABLE AS SELECT would record "0 rows", and keep it).
    """
    folder = standin.workdir / "loads"
    folder.mkdir(exist_ok=True)
    file = folder / f"{name}.parquet"
    pq.write_table(table, file)
    columns = ", ".join(f"{field.name} {SPARK_TYPES[field.type]}" for field in table.schema)
    standin.execute(
        f"DROP TABLE IF EXISTS default.{name}",
        f"CREATE TABLE default.{name} ({columns}) USING parquet",
        f"INSERT INTO default.{name} SELECT * FROM parquet.`{file}`",
    )


def spec(standin: StandIn, table: str, token_env: str = TOKEN_ENV) -> DatabricksSourceSpec:
    """A `databricks` source for `table` on the stand-in."""
    return DatabricksSourceSpec(
        type="databricks",
        server_hostname=standin.server_hostname,
        port=standin.port,
        http_path=standin.http_path,
        table=table,
        token_env=token_env,
    )


@pytest.fixture(scope="module")
def resource(standin: StandIn) -> DatabricksSourceResource:
    """The source's resource, trusting the stand-in's certificate."""
    return DatabricksSourceResource(tls_trusted_ca_file=str(standin.ca_file))


@pytest.fixture(scope="module")
def agreement_tables(standin: StandIn) -> None:
    load_table(standin, "agreement_orders", ORDERS)
    load_table(standin, "agreement_customers", CUSTOMERS)


class TestDatabricks(SameAsDuckDB):
    @pytest.fixture(scope="class")
    @classmethod
    def remote(
        cls, standin: StandIn, resource: DatabricksSourceResource, agreement_tables: None
    ) -> Iterator[tuple[Any, exp.Table]]:
        orders = resource.open(spec(standin, "default.agreement_orders"))
        customers = resource.open(spec(standin, "default.agreement_customers"))
        with orders.query_runner() as runner:
            yield runner, customers.relation


SHOP_ORDERS = pa.table(
    {
        "order_id": pa.array([1, 2, 3, 3, 5, 6, 7], pa.int64()),  # planted: order 3 loaded twice
        "customer_id": pa.array([10, 11, 12, 12, 99, 10, 11], pa.int64()),  # planted: customer 99 unknown
        "amount": pa.array([25.0, 40.0, 15.5, 15.5, 30.0, -5.0, None], pa.float64()),  # planted: -5.0, NULL
        "status": pa.array(
            ["delivered", "shipped", "delivered", "delivered", "delivered", "returned", "pending"]
        ),
    }
)
SHOP_CUSTOMERS = pa.table({"customer_id": pa.array([10, 11, 12], pa.int64())})
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
# planted: a cross join of 7^14 (about 7 * 10^11) rows, hours of work for two cores
CROSS_JOIN = ", ".join(f"primary t{i}" for i in range(14))
PRODUCT = " * ".join(f"t{i}.order_id" for i in range(14))
WRONG_TOKEN_ENV = "DQ_TEST_DATABRICKS_WRONG_TOKEN"
WRONG_TOKEN = "dapi-wrong-token-abc123"


@pytest.fixture(scope="module")
def shop(standin: StandIn, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`default.shop_orders` (its statistics computed), `default.shop_customers`, `default.shop_nested`
    (a MAP and an ARRAY column), and the orders as a Parquet file for the local DuckDB engine."""
    load_table(standin, "shop_orders", SHOP_ORDERS)
    load_table(standin, "shop_customers", SHOP_CUSTOMERS)
    standin.execute(
        "ANALYZE TABLE default.shop_orders COMPUTE STATISTICS",
        "DROP TABLE IF EXISTS default.shop_nested",
        "CREATE TABLE default.shop_nested USING parquet AS "
        "SELECT *, map('channel', 'web') AS attrs, array(order_id, customer_id) AS tags "
        "FROM default.shop_orders",
    )
    folder = tmp_path_factory.mktemp("databricks-shop")
    pq.write_table(SHOP_ORDERS, folder / "orders.parquet")
    return folder


def source(standin: StandIn, table: str, *, token_env: str = TOKEN_ENV, extra: str = "") -> str:
    """A `source:` mapping in YAML for `table` on the stand-in."""
    return (
        f"{{type: databricks, server_hostname: '{standin.server_hostname}', port: {standin.port}, "
        f"http_path: {standin.http_path}, table: {table}, token_env: {token_env}{extra}}}"
    )


def write(folder: Path, name: str, source_yaml: str, body: str = "") -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(f"table: {name}\nsource: {source_yaml}\n{body}")


Outcomes = dict[str, dict[str, tuple[str, dg.AssetCheckEvaluation]]]


def run(
    folder: Path, tables: list[str], resource: DatabricksSourceResource
) -> tuple[Outcomes, dict[str, Any]]:
    """Each table's checks' outcomes and evaluations, and their materializations' metadata: ONE run."""
    loaded = load_table_specs(folder)
    loaded.raise_for_problems()
    catalog = {t.spec.table: t for t in loaded.tables}
    resources = {**default_resources(), RESOURCE_KEYS["databricks"]: resource}
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [build_table_asset(catalog[name], catalog) for name in tables],
            instance=instance,
            resources=resources,
            raise_on_error=False,
        )
        materialized = {
            event.asset_key.path[-1]: event.materialization.metadata
            for event in result.get_asset_materialization_events()
        }
    found: Outcomes = {name: {} for name in tables}
    for evaluation in result.get_asset_check_evaluations():
        table = evaluation.asset_key.path[-1]
        found[table][evaluation.check_name] = (str(evaluation.metadata["dq/outcome"].value), evaluation)
    return found, materialized


def test_the_source_describes_samples_and_tests_its_connection(
    standin: StandIn, resource: DatabricksSourceResource, shop: Path
) -> None:
    table = resource.open(spec(standin, "default.shop_orders"))
    description = table.describe()
    assert [(c.name, c.data_type, c.kind.value, c.floating) for c in description.columns] == [
        ("order_id", "bigint", "numeric", False),
        ("customer_id", "bigint", "numeric", False),
        ("amount", "double", "numeric", True),
        ("status", "string", "string", False),
    ]
    assert description.row_count == 7  # from ANALYZE TABLE's statistics
    assert description.last_updated is None  # a Parquet table: no Delta log to say when
    assert description.data_version is None
    assert description.extra["format"] == "parquet"
    sample = table.sample(3)
    assert list(sample.columns) == ["order_id", "customer_id", "amount", "status"]
    assert len(sample) == 3
    assert resource.test_connection(spec(standin, "default.shop_orders")) == "7 rows, 4 columns"
    # no statistics computed: the row count is unknown, not guessed
    assert resource.test_connection(spec(standin, "default.shop_customers")) == "row count unknown, 1 columns"
    nested = resource.open(spec(standin, "default.shop_nested")).describe()
    assert [(c.name, c.data_type, c.kind.value) for c in nested.columns[4:]] == [
        ("attrs", "map<string,string>", "other"),
        ("tags", "array<bigint>", "other"),
    ]
    assert any(agent.endswith("(dq)") for agent in standin.user_agents)


def test_the_check_step_runs_on_databricks_and_finds_what_was_planted(
    standin: StandIn,
    resource: DatabricksSourceResource,
    shop: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    defs = tmp_path / "defs"
    write(
        defs, "orders", source(standin, "default.shop_orders"), f"key: [order_id]\ndeps: [customers]\n{RULES}"
    )
    write(defs, "customers", source(standin, "default.shop_customers"))
    write(defs, "orders_local", f"{{type: file, path: '{shop / 'orders.parquet'}'}}")
    with caplog.at_level(logging.INFO, logger="dq.sql"):
        outcomes, materialized = run(defs, ["orders", "customers", "orders_local"], resource)
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
    remote_profile = materialized["orders"]["dq/profile_json"].value
    local_profile = materialized["orders_local"]["dq/profile_json"].value
    assert remote_profile["engine"] == "databricks"
    assert remote_profile["row_count"] == local_profile["row_count"] == 7
    assert comparable_profile(remote_profile) == comparable_profile(local_profile)
    assert checks["profile"].metadata["dq/column_metrics"].value == (
        outcomes["orders_local"]["profile"][1].metadata["dq/column_metrics"].value
    )

    # Only aggregates and bounded samples came back from the warehouse.
    statements = [
        r.getMessage().split(": ", 1)[1] for r in caplog.records if r.getMessage().startswith("databricks: ")
    ]
    assert len(statements) >= 5
    for sql in statements:
        if sql.startswith("DESCRIBE"):
            continue
        (query,) = sqlglot.parse(sql, read="databricks")
        assert aggregated_or_bounded(query), sql


def test_each_fault_is_an_error_for_its_table_alone(
    standin: StandIn,
    resource: DatabricksSourceResource,
    shop: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(WRONG_TOKEN_ENV, WRONG_TOKEN)
    defs = tmp_path / "defs"
    write(defs, "customers", source(standin, "default.shop_customers"))
    write(defs, "missing", source(standin, "default.no_such_table"))
    write(defs, "locked_out", source(standin, "default.shop_orders", token_env=WRONG_TOKEN_ENV))
    slow_rule = f'  - name: slow\n    rule: CustomSql "select sum({PRODUCT}) from {CROSS_JOIN}" = 0\n'
    write(
        defs,
        "slow",
        source(standin, "default.shop_orders", extra=", timeout_seconds: 2"),
        f"rules:\n{slow_rule}",
    )
    # planted: `attrs` is a MAP and `tags` an ARRAY: neither has a mean or a length
    nested_rules = (
        "rules:\n"
        '  - name: attrs_mean\n    rule: Mean "attrs" > 0\n'
        '  - name: tags_length\n    rule: ColumnLength "tags" > 0\n'
        '  - name: key\n    rule: IsComplete "order_id"\n'
    )
    write(defs, "nested", source(standin, "default.shop_nested"), nested_rules)
    cancels_before = standin.calls.count("CancelOperation")

    outcomes, _ = run(defs, ["customers", "missing", "locked_out", "slow", "nested"], resource)

    assert outcomes["customers"]["profile"][0] == "pass"  # the rest of the run goes on

    assert {outcome for outcome, _ in outcomes["missing"].values()} == {"error"}
    assert outcomes["missing"]["profile"][1].description.startswith(
        f"error: databricks:{standin.server_hostname}/default.no_such_table: table default.no_such_table "
        "not found: [TABLE_OR_VIEW_NOT_FOUND] The table or view `default`.`no_such_table` cannot be found."
    )

    assert {outcome for outcome, _ in outcomes["locked_out"].values()} == {"error"}
    refused = outcomes["locked_out"]["profile"][1].description
    assert refused == (
        f"error: databricks:{standin.server_hostname}/default.shop_orders: cannot connect: "
        f"the access token in {WRONG_TOKEN_ENV} was refused (HTTP 403)"
    )
    assert WRONG_TOKEN not in refused

    assert outcomes["slow"]["slow"][0] == "error"
    assert outcomes["slow"]["slow"][1].description.endswith(
        "slow.yaml:5: the engine could not evaluate the rule: "
        f"databricks:{standin.server_hostname}/default.shop_orders: "
        "the statement exceeded timeout_seconds (2 s) and was cancelled"
    )
    assert standin.calls.count("CancelOperation") == cancels_before + 1  # the warehouse was told
    assert outcomes["slow"]["profile"][0] == "pass"
    # ... and its Spark job stopped: none runs, and exactly one (the cross join's) was cancelled
    jobs = wait_for_jobs(standin)
    assert [job["status"] for job in jobs if job["status"] == "RUNNING"] == []
    assert [job["status"] for job in jobs if job["status"] == "FAILED"] == ["FAILED"]

    assert outcomes["nested"]["attrs_mean"][0] == "error"
    assert "attrs" in outcomes["nested"]["attrs_mean"][1].description
    assert outcomes["nested"]["tags_length"][0] == "error"
    assert "tags" in outcomes["nested"]["tags_length"][1].description
    assert outcomes["nested"]["key"][0] == "pass"
    assert outcomes["nested"]["profile"][0] == "pass"


def test_a_missing_token_variable_is_an_error_naming_it(
    standin: StandIn, resource: DatabricksSourceResource, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DQ_TEST_DATABRICKS_UNSET", raising=False)
    with pytest.raises(SourceError) as raised:
        resource.open(spec(standin, "default.shop_orders", token_env="DQ_TEST_DATABRICKS_UNSET"))
    assert str(raised.value) == (
        f"databricks:{standin.server_hostname}/default.shop_orders: no access token: "
        "the variable DQ_TEST_DATABRICKS_UNSET is not set"
    )


def test_one_connection_serves_every_table_of_a_warehouse(
    standin: StandIn, resource: DatabricksSourceResource, shop: Path
) -> None:
    close_all()
    sessions = standin.calls.count("OpenSession")
    for name in ("default.shop_orders", "default.shop_customers"):
        table = resource.open(spec(standin, name))
        table.describe()
        table.sample(2)
    assert standin.calls.count("OpenSession") == sessions + 1


def test_a_warehouse_nobody_answers_at_is_an_error_naming_where(resource: DatabricksSourceResource) -> None:
    closed = free_port()  # planted: nothing listens there
    unreachable = DatabricksSourceSpec(
        type="databricks",
        server_hostname="127.0.0.1",
        port=closed,
        http_path="cliservice",
        table="default.shop_orders",
        token_env=TOKEN_ENV,
        connect_timeout_seconds=2,
    )
    with pytest.raises(SourceError) as raised:
        resource.open(unreachable)
    assert str(raised.value).startswith(
        f"databricks:127.0.0.1/default.shop_orders: cannot reach the warehouse at 127.0.0.1:{closed}: "
    )


def wait_for_jobs(standin: StandIn) -> list[dict[str, Any]]:
    """The server's jobs once none is running (its listener records a cancellation a moment later)."""
    deadline = time.monotonic() + 60
    jobs = standin.jobs()
    while any(job["status"] == "RUNNING" for job in jobs) and time.monotonic() < deadline:
        time.sleep(0.2)
        jobs = standin.jobs()
    return jobs


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
