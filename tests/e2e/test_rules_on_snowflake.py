"""The `snowflake` source through snowflake-connector-python, against fakesnow's Snowflake REST server.

The stand-in (`tests/snowflake_standin.py`) is fakesnow: Snowflake emulated on DuckDB, reached over
HTTP by the real connector, with the login check and the cancellation fakesnow lacks added in
front of it. The source's own runner must give every rule and the profile as local DuckDB does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pyarrow as pa
import pytest
from sqlglot import exp

from dq_checks.config.sources import SnowflakeSourceSpec
from dq_resources.snowflake import SnowflakeSourceResource
from tests.engines.agreement import CUSTOMERS, ORDERS, SameAsDuckDB
from tests.snowflake_standin import PASSWORD, StandIn, snowflake_standin

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


def load_table(standin: StandIn, table: str, data: pa.Table) -> None:
    """`data` as `DQ_TEST.<table>`, loaded through the connector, its column names quoted in lower case."""
    schema, _ = table.split(".")
    columns = ", ".join(f'"{f.name}" {SNOWFLAKE_TYPES[f.type]}' for f in data.schema)
    rows = ", ".join("(" + ", ".join(literal(v) for v in row.values()) + ")" for row in data.to_pylist())
    standin.execute(
        f"CREATE SCHEMA IF NOT EXISTS {schema}",
        f"CREATE OR REPLACE TABLE {table} ({columns})",
        f"INSERT INTO {table} VALUES {rows}",
        database=DATABASE,
    )


def spec(standin: StandIn, table: str, **settings: Any) -> SnowflakeSourceSpec:
    """A `snowflake` source for `table` on the stand-in."""
    return SnowflakeSourceSpec(
        type="snowflake",
        account="fakesnow",
        user="fake",
        database=DATABASE,
        table=table,
        host=standin.host,
        port=standin.port,
        protocol="http",
        **({"password_env": PASSWORD_ENV} | settings),
    )


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
