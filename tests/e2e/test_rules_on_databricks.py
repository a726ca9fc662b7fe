"""The `databricks` source through databricks-sql-connector, against a local Databricks stand-in.

The stand-in (`tests/databricks_standin.py`) is Spark's own Thrift server behind a gateway that
checks the token and speaks TLS: every statement runs in real Spark SQL, sent by the connector's
real Thrift backend. The source's own runner must give every rule and the profile as local
DuckDB does; the whole check step runs from YAML; each fault is an error for its table alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlglot import exp

from dq_checks.config.sources import DatabricksSourceSpec
from dq_resources.databricks import DatabricksSourceResource
from tests.databricks_standin import StandIn, databricks_standin
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


def load_table(standin: StandIn, name: str, table: pa.Table) -> None:
    """`table` as the Parquet table `default.<name>` on the stand-in, written by Spark itself."""
    folder = standin.workdir / "loads"
    folder.mkdir(exist_ok=True)
    pq.write_table(table, folder / f"{name}.parquet")
    standin.execute(
        f"DROP TABLE IF EXISTS default.{name}",
        f"CREATE TABLE default.{name} USING parquet AS SELECT * FROM parquet.`{folder / name}.parquet`",
    )


def spec(standin: StandIn, table: str, **settings: Any) -> DatabricksSourceSpec:
    """A `databricks` source for `table` on the stand-in."""
    return DatabricksSourceSpec(
        type="databricks",
        server_hostname=standin.server_hostname,
        port=standin.port,
        http_path=standin.http_path,
        table=table,
        token_env=TOKEN_ENV,
        **settings,
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
