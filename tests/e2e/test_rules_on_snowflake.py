"""The `snowflake` source through snowflake-connector-python, against fakesnow's Snowflake REST server.

The stand-in (`tests/snowflake_standin.py`) is fakesnow: Snowflake emulated on DuckDB, reached over
HTTP by the real connector, with the login check and the cancellation fakesnow lacks added in
front of it. The source's own runner must give every rule and the profile as local DuckDB does.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
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
from dq_checks.config.sources import SnowflakeSourceSpec
from dq_resources.snowflake import SnowflakeSourceResource
from dq_resources.snowflake.connections import close_all
from dq_resources.source_contract import SourceError
from tests.e2e.test_rules_on_databricks import comparable_profile
from tests.e2e.test_sql_source import aggregated_or_bounded
from tests.engines.agreement import CUSTOMERS, ORDERS, SameAsDuckDB
from tests.snowflake_standin import PASSWORD, StandIn, free_port, snowflake_standin

pytestmark = pytest.mark.filterwarnings(  # fakesnow's own note about DuckDB's Arrow copies
    "ignore:Arrow output on a DB-API result:UserWarning"
)

PASSWORD_ENV = "DQ_TEST_SNOWFLAKE_PASSWORD"
DATABASE = "DQ_TEST"
SNOWFLAKE_TYPES = {
    pa.int64(): "NUMBER(38,0)",
    pa.float64(): "FLOAT",
    pa.string(): "VARCHAR",
    pa.bool_(): "BOOLEAN",
    pa.timestamp("us", tz="UTC"): "TIMESTAMP_TZ",
}


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    """The stand-in, started once for the module, its password in PASSWORD_ENV."""
    with snowflake_standin() as running:
        previous = os.environ.get(PASSWORD_ENV)
        os.environ[PASSWORD_ENV] = PASSWORD
        try:
            yield running
        finally:
            if previous is None:
                os.environ.pop(PASSWORD_ENV, None)
            else:
                os.environ[PASSWORD_ENV] = previous


def literal(value: Any) -> str:
    """A Python value as a Snowflake SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'::TIMESTAMP_TZ"
    return "'" + str(value).replace("'", "''") + "'"


def load_table(standin: StandIn, table: str, data: pa.Table, *, quoted: bool = True) -> None:
    """`data` as `DQ_TEST.<table>`, loaded through the connector; its column names quoted as they are,
    or unquoted (Snowflake then stores them in capitals)."""
    schema, _ = table.split(".")
    names = [f'"{f.name}"' if quoted else f.name for f in data.schema]
    columns = ", ".join(
        f"{name} {SNOWFLAKE_TYPES[f.type]}" for name, f in zip(names, data.schema, strict=True)
    )
    rows = ", ".join("(" + ", ".join(literal(v) for v in row.values()) + ")" for row in data.to_pylist())
    standin.execute(
        f"CREATE SCHEMA IF NOT EXISTS {schema}",
        f"CREATE OR REPLACE TABLE {table} ({columns})",
        f"INSERT INTO {table} VALUES {rows}",
        database=DATABASE,
    )


def spec(standin: StandIn, table: str, **settings: Any) -> SnowflakeSourceSpec:
    """A `snowflake` source for `table` on the stand-in; `settings` replace any of its own."""
    own = {
        "type": "snowflake",
        "account": "fakesnow",
        "user": "fake",
        "database": DATABASE,
        "table": table,
        "host": standin.host,
        "port": standin.port,
        "protocol": "http",
        "password_env": PASSWORD_ENV,
    }
    return SnowflakeSourceSpec(**(own | settings))


@pytest.fixture(scope="module")
def agreement_tables(standin: StandIn) -> None:
    load_table(standin, "agreement.orders", ORDERS)
    load_table(standin, "agreement.customers", CUSTOMERS)


class TestSnowflake(SameAsDuckDB):
    @pytest.fixture(scope="class")
    @classmethod
    def remote(cls, standin: StandIn, agreement_tables: None) -> Iterator[tuple[Any, exp.Table]]:
        resource = SnowflakeSourceResource()
        orders = resource.open(spec(standin, "agreement.orders"))
        customers = resource.open(spec(standin, "agreement.customers"))
        with orders.query_runner() as runner:
            yield runner, customers.relation


# The whole check step, from YAML definitions, on tables as Snowflake usually holds them: unquoted
# names, stored in capitals (ORDER_ID), which the rules name in lower case.
SHOP_ORDERS = pa.table(
    {
        "ORDER_ID": pa.array([1, 2, 3, 3, 5, 6, 7], pa.int64()),  # planted: order 3 loaded twice
        "CUSTOMER_ID": pa.array([10, 11, 12, 12, 99, 10, 11], pa.int64()),  # planted: customer 99 unknown
        "AMOUNT": pa.array([25.0, 40.0, 15.5, 15.5, 30.0, -5.0, None], pa.float64()),  # planted: -5.0, NULL
        "STATUS": pa.array(
            ["delivered", "shipped", "delivered", "delivered", "delivered", "returned", "pending"]
        ),
    }
)
SHOP_CUSTOMERS = pa.table({"CUSTOMER_ID": pa.array([10, 11, 12], pa.int64())})
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
  - name: delivered_rows
    rule: CustomSql "select order_id from primary where status = 'delivered'" with threshold > 0.5
"""
# planted: a cross join of 7^14 (about 7 * 10^11) rows, hours of work for two cores
CROSS_JOIN = ", ".join(f"primary t{i}" for i in range(14))
PRODUCT = " * ".join(f"t{i}.order_id" for i in range(14))
WRONG_PASSWORD_ENV = "DQ_TEST_SNOWFLAKE_WRONG_PASSWORD"
WRONG_PASSWORD = "hunter2-wrong"


@pytest.fixture(scope="module")
def shop(standin: StandIn, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`SHOP.ORDERS`, `SHOP.CUSTOMERS`, `SHOP.NESTED` (an OBJECT and an ARRAY column), and the orders
    as a Parquet file for the local DuckDB engine."""
    load_table(standin, "shop.orders", SHOP_ORDERS, quoted=False)
    load_table(standin, "shop.customers", SHOP_CUSTOMERS, quoted=False)
    standin.execute(
        "CREATE OR REPLACE TABLE shop.nested (order_id NUMBER(38,0), customer_id NUMBER(38,0), "
        "amount FLOAT, status VARCHAR, attrs OBJECT, tags ARRAY)",
        "INSERT INTO shop.nested SELECT *, OBJECT_CONSTRUCT('channel', 'web'), "
        "ARRAY_CONSTRUCT(order_id, customer_id) FROM shop.orders",
        database=DATABASE,
    )
    folder = tmp_path_factory.mktemp("snowflake-shop")
    pq.write_table(
        SHOP_ORDERS.rename_columns([c.lower() for c in SHOP_ORDERS.column_names]), folder / "orders.parquet"
    )
    return folder


def source(standin: StandIn, table: str, extra: str = "") -> str:
    """A `source:` mapping in YAML for `table` on the stand-in."""
    return (
        f"{{type: snowflake, account: fakesnow, user: fake, database: {DATABASE}, table: {table}, "
        f"host: {standin.host}, port: {standin.port}, protocol: http, password_env: {PASSWORD_ENV}{extra}}}"
    )


def write(folder: Path, name: str, source_yaml: str, body: str = "") -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(f"table: {name}\nsource: {source_yaml}\n{body}")


Outcomes = dict[str, dict[str, tuple[str, dg.AssetCheckEvaluation]]]


def run(folder: Path, tables: list[str]) -> tuple[Outcomes, dict[str, Any]]:
    """Each table's checks' outcomes and evaluations, and their materializations' metadata: ONE run."""
    loaded = load_table_specs(folder)
    loaded.raise_for_problems()
    catalog = {t.spec.table: t for t in loaded.tables}
    resources = {**default_resources(), RESOURCE_KEYS["snowflake"]: SnowflakeSourceResource()}
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


def test_the_source_describes_samples_and_tests_its_connection(standin: StandIn, shop: Path) -> None:
    resource = SnowflakeSourceResource()
    table = resource.open(spec(standin, "shop.orders"))
    description = table.describe()
    assert [(c.name, c.data_type, c.kind.value, c.floating) for c in description.columns] == [
        ("ORDER_ID", "number", "numeric", False),
        ("CUSTOMER_ID", "number", "numeric", False),
        ("AMOUNT", "float", "numeric", True),
        ("STATUS", "text", "string", False),
    ]
    assert description.row_count == 7  # INFORMATION_SCHEMA.TABLES' ROW_COUNT
    # fakesnow keeps no change times: LAST_ALTERED is always the epoch (Snowflake's is the last DML)
    assert description.last_updated == datetime(1970, 1, 1, tzinfo=UTC)
    assert description.data_version == "1970-01-01T00:00:00+00:00/7/0"
    assert description.extra == {"database": DATABASE, "table_type": "BASE TABLE"}
    sample = table.sample(3)
    assert list(sample.columns) == ["ORDER_ID", "CUSTOMER_ID", "AMOUNT", "STATUS"]
    assert len(sample) == 3
    assert resource.test_connection(spec(standin, "shop.orders")) == (
        "7 rows, 4 columns, last updated 1970-01-01 00:00 UTC"
    )
    nested = resource.open(spec(standin, "shop.nested")).describe()
    # fakesnow holds OBJECT and ARRAY as DuckDB JSON, which it reports as VARIANT
    assert [(c.name, c.data_type, c.kind.value) for c in nested.columns[4:]] == [
        ("ATTRS", "variant", "other"),
        ("TAGS", "variant", "other"),
    ]
    assert resource.open(spec(standin, "shop.nested")).sample(1)["TAGS"][0] == [1, 10]  # JSON read back


def test_each_session_names_dq_and_carries_the_statement_timeout(standin: StandIn, shop: Path) -> None:
    close_all()
    logins = len(standin.logins)
    resource = SnowflakeSourceResource()
    for name in ("shop.orders", "shop.customers"):  # one connection serves both tables
        table = resource.open(spec(standin, name, timeout_seconds=42.5))
        table.describe()
        table.sample(2)
    assert len(standin.logins) == logins + 1
    login = standin.logins[-1]
    assert login["application"] == "dq"
    assert login["session_parameters"]["QUERY_TAG"] == "dq"
    assert login["session_parameters"]["STATEMENT_TIMEOUT_IN_SECONDS"] == 43  # whole seconds, rounded up
    close_all()


def test_the_check_step_runs_on_snowflake_and_finds_what_was_planted(
    standin: StandIn, shop: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    defs = tmp_path / "defs"
    write(defs, "orders", source(standin, "shop.orders"), f"key: [ORDER_ID]\ndeps: [customers]\n{RULES}")
    write(defs, "customers", source(standin, "shop.customers"))
    write(defs, "orders_local", f"{{type: file, path: '{shop / 'orders.parquet'}'}}")
    with caplog.at_level(logging.INFO, logger="dq.sql"):
        outcomes, materialized = run(defs, ["orders", "customers", "orders_local"])
    verdicts = {name: outcome for name, (outcome, _) in outcomes["orders"].items()}
    assert verdicts == {
        "profile": "pass",
        "anomalies": verdicts["anomalies"],  # 7 rows: whatever the detectors say, it is not the point here
        "order_id_is_key": "fail",
        "customer_exists": "fail",
        "amount_positive": "fail",
        "status_known": "pass",
        "no_refunds": "fail",
        "delivered_rows": "pass",  # 4 of 7 rows are delivered: 0.571 > 0.5
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

    # The profile equals the local DuckDB engine's on the same rows (names aside: ORDER_ID, order_id).
    remote_profile = materialized["orders"]["dq/profile_json"].value
    local_profile = materialized["orders_local"]["dq/profile_json"].value
    assert remote_profile["engine"] == "snowflake"
    assert remote_profile["row_count"] == local_profile["row_count"] == 7
    assert unnamed(comparable_profile(remote_profile)) == unnamed(comparable_profile(local_profile))

    # Only aggregates and bounded samples came back, and every column was named as Snowflake stores it.
    statements = [
        r.getMessage().split(": ", 1)[1] for r in caplog.records if r.getMessage().startswith("snowflake: ")
    ]
    assert len(statements) >= 5
    for sql in statements:
        if "INFORMATION_SCHEMA" in sql:
            continue
        (query,) = sqlglot.parse(sql, read="snowflake")
        assert aggregated_or_bounded(query), sql
        quoted = {c.name for c in query.find_all(exp.Column) if c.this.quoted and c.table != "q"}
        assert not {"order_id", "customer_id", "amount", "status"} & quoted, sql


def unnamed(columns: dict[str, Any]) -> dict[str, Any]:
    """Each column's statistics by its name in lower case, without the name as spelt."""
    return {name.lower(): {k: v for k, v in stats.items() if k != "name"} for name, stats in columns.items()}


def test_each_fault_is_an_error_for_its_table_alone(
    standin: StandIn, shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(WRONG_PASSWORD_ENV, WRONG_PASSWORD)
    defs = tmp_path / "defs"
    write(defs, "customers", source(standin, "shop.customers"))
    write(defs, "missing", source(standin, "shop.no_such_table"))
    wrong = source(standin, "shop.orders").replace(PASSWORD_ENV, WRONG_PASSWORD_ENV)
    write(defs, "locked_out", wrong)
    slow_rule = f'  - name: slow\n    rule: CustomSql "select sum({PRODUCT}) from {CROSS_JOIN}" = 0\n'
    write(defs, "slow", source(standin, "shop.orders", extra=", timeout_seconds: 2"), f"rules:\n{slow_rule}")
    # planted: `attrs` is an OBJECT and `tags` an ARRAY: neither has a mean or a length
    nested_rules = (
        "rules:\n"
        '  - name: attrs_mean\n    rule: Mean "attrs" > 0\n'
        '  - name: tags_length\n    rule: ColumnLength "tags" > 0\n'
        '  - name: key\n    rule: IsComplete "order_id"\n'
        '  - name: attrs_average\n    rule: CustomSql "select avg(attrs) from primary" > 0\n'
    )
    write(defs, "nested", source(standin, "shop.nested"), nested_rules)
    aborts_before = len(standin.aborts)

    outcomes, _ = run(defs, ["customers", "missing", "locked_out", "slow", "nested"])

    assert outcomes["customers"]["profile"][0] == "pass"  # the rest of the run goes on

    assert {outcome for outcome, _ in outcomes["missing"].values()} == {"error"}
    assert outcomes["missing"]["profile"][1].description == (
        f"error: snowflake:fakesnow/{DATABASE}.shop.no_such_table: table shop.no_such_table not found: "
        f"database {DATABASE} has no such table, or the role cannot see it"
    )

    assert {outcome for outcome, _ in outcomes["locked_out"].values()} == {"error"}
    refused = outcomes["locked_out"]["profile"][1].description
    assert refused == (
        f"error: snowflake:fakesnow/{DATABASE}.shop.orders: cannot connect: the password in "
        f"{WRONG_PASSWORD_ENV} was refused for user fake: 390100 (28000): Failed to connect to DB: "
        f"{standin.host}:{standin.port}. Incorrect username or password was specified."
    )
    assert WRONG_PASSWORD not in refused

    assert outcomes["slow"]["slow"][0] == "error"
    assert outcomes["slow"]["slow"][1].description.endswith(
        "slow.yaml:5: the engine could not evaluate the rule: "
        f"snowflake:fakesnow/{DATABASE}.shop.orders: "
        "the statement exceeded timeout_seconds (2 s) and was cancelled"
    )
    assert len(standin.aborts) == aborts_before + 1  # the connector told Snowflake to abort it
    assert outcomes["slow"]["profile"][0] == "pass"  # and the next statements ran

    # dq refuses both before any statement: the column's type (from INFORMATION_SCHEMA) is no number or text
    assert outcomes["nested"]["attrs_mean"][0] == "error"
    assert outcomes["nested"]["attrs_mean"][1].description.endswith(
        "nested.yaml:5: Mean needs a numeric column; 'ATTRS' is variant"
    )
    assert outcomes["nested"]["tags_length"][0] == "error"
    assert outcomes["nested"]["tags_length"][1].description.endswith(
        "nested.yaml:7: ColumnLength needs a text column; 'TAGS' is variant"
    )
    # A rule's own SQL reaches the engine: Snowflake refuses AVG over an OBJECT; fakesnow (DuckDB JSON)
    # answers NULL, which is an error too, for that reason
    assert outcomes["nested"]["attrs_average"][0] == "error"
    assert outcomes["nested"]["attrs_average"][1].description.endswith(
        "nested.yaml:11: CustomSql returned NULL, not a number"
    )
    assert outcomes["nested"]["key"][0] == "pass"
    assert outcomes["nested"]["profile"][0] == "pass"


def test_a_failed_statement_names_the_table_and_hides_the_values(standin: StandIn, shop: Path) -> None:
    table = SnowflakeSourceResource().open(spec(standin, "shop.orders"))
    with pytest.raises(SourceError) as raised:
        table.execute('SELECT CAST("STATUS" AS INT) FROM "DQ_TEST"."SHOP"."ORDERS"')
    # planted: 'delivered' is no number; the value stays out of the message
    assert str(raised.value) == (
        f"snowflake:fakesnow/{DATABASE}.shop.orders: 100035 (22007): Conversion Error: Could not convert "
        "string <value> to INT64 when casting from source column STATUS"
    )


def test_a_missing_password_variable_is_an_error_naming_it(
    standin: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DQ_TEST_SNOWFLAKE_UNSET", raising=False)
    with pytest.raises(SourceError) as raised:
        SnowflakeSourceResource().open(spec(standin, "shop.orders", password_env="DQ_TEST_SNOWFLAKE_UNSET"))
    assert str(raised.value) == (
        f"snowflake:fakesnow/{DATABASE}.shop.orders: no password: "
        "the variable DQ_TEST_SNOWFLAKE_UNSET is not set"
    )


def test_snowflake_nobody_answers_at_is_an_error_naming_where(standin: StandIn) -> None:
    closed = free_port()  # planted: nothing listens there
    unreachable = spec(standin, "shop.orders", port=closed, connect_timeout_seconds=2)
    with pytest.raises(SourceError) as raised:
        SnowflakeSourceResource().open(unreachable)
    assert str(raised.value).startswith(
        f"snowflake:fakesnow/{DATABASE}.shop.orders: cannot reach Snowflake at 127.0.0.1:{closed}: "
        "no answer within connect_timeout_seconds (2 s): 250001: Could not connect to Snowflake backend"
    )


# Key-pair authentication: a throwaway RSA key, written as encrypted PKCS#8 PEM.
PASSPHRASE_ENV = "DQ_TEST_SNOWFLAKE_KEY_PASSPHRASE"
PASSPHRASE = "correct horse battery staple"


def write_key(path: Path, passphrase: str) -> Any:
    """A new 2048-bit RSA key at `path`, encrypted with `passphrase`; returns its public key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PrivateFormat.PKCS8,
            encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode()),
        )
    )
    return key.public_key()


def test_key_pair_authentication_signs_in_with_the_encrypted_key(
    standin: StandIn, shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    registered, stranger = tmp_path / "rsa_key.p8", tmp_path / "other_key.p8"
    standin.public_keys["FAKE"] = write_key(registered, PASSPHRASE)  # the user's public key
    write_key(stranger, PASSPHRASE)  # planted: a key Snowflake does not know
    settings = {"password_env": None, "private_key_passphrase_env": PASSPHRASE_ENV}
    close_all()

    table = SnowflakeSourceResource().open(
        spec(standin, "shop.orders", private_key_file=str(registered), **settings)
    )
    assert table.describe().row_count == 7
    assert standin.logins[-1]["authenticator"] == "SNOWFLAKE_JWT"  # the stand-in verified its JWT

    with pytest.raises(SourceError) as refused:
        SnowflakeSourceResource().open(
            spec(standin, "shop.orders", private_key_file=str(stranger), **settings)
        )
    assert str(refused.value) == (
        f"snowflake:fakesnow/{DATABASE}.shop.orders: cannot connect: "
        f"the private key in {stranger} was refused for user fake: 390144 (28000): "
        f"Failed to connect to DB: {standin.host}:{standin.port}. "
        "JWT token is invalid."
    )

    monkeypatch.setenv(PASSPHRASE_ENV, "wrong passphrase")  # planted: the key cannot be decrypted
    with pytest.raises(SourceError) as undecrypted:
        SnowflakeSourceResource().open(
            spec(standin, "shop.orders", private_key_file=str(registered), **settings)
        )
    assert str(undecrypted.value).startswith(
        f"snowflake:fakesnow/{DATABASE}.shop.orders: cannot load the private key in {registered}: "
    )
    assert "wrong passphrase" not in str(undecrypted.value)
    close_all()
