"""The `spark` source through Spark Connect (`remote: sc://...`), against a Connect server started
here from the pyspark wheel: the same rules and profile as local DuckDB, and a statement past its
time limit interrupted by its tag.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import sqlglot
from sqlglot import exp

from dq_checks.config.sources import SparkSourceSpec
from dq_resources.source_contract import SourceError
from dq_resources.spark import SparkSourceResource
from dq_resources.spark.sessions import close_connect_sessions
from tests.engines.agreement import CUSTOMERS, ORDERS, SameAsDuckDB

pytestmark = pytest.mark.spark

CONNECT_SERVER = "org.apache.spark.sql.connect.service.SparkConnectServer"
STARTUP_SECONDS = 180


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def connect_server(spark_session: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Spark Connect server (local[2], no UI) on a free localhost port; yields its `sc://` URL."""
    import pyspark

    home = Path(pyspark.__file__).parent
    port = free_port()
    log = tmp_path_factory.mktemp("spark-connect") / "server.log"
    command = [
        str(home / "bin" / "spark-submit"),
        *("--class", CONNECT_SERVER, "--master", "local[2]", "--driver-memory", "512m"),
        *("--conf", f"spark.connect.grpc.binding.port={port}", "--conf", "spark.ui.enabled=false"),
        *("--conf", "spark.sql.shuffle.partitions=2", "--name", "dq-test-connect", "spark-internal"),
    ]
    with log.open("w") as output:
        server = subprocess.Popen(
            command, env={**os.environ, "SPARK_HOME": str(home)}, stdout=output, stderr=output
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the Spark Connect server did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
        yield f"sc://localhost:{port}"
    finally:
        close_connect_sessions(f"sc://localhost:{port}")
        server.terminate()
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:  # a loaded machine: its JVM's shutdown hooks are slow
            server.kill()
            server.wait(60)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ORDERS and CUSTOMERS as Parquet folders the server reads (it runs on this machine)."""
    folder = tmp_path_factory.mktemp("spark-connect-data")
    for name, table in (("orders", ORDERS), ("customers", CUSTOMERS)):
        (folder / name).mkdir()
        pq.write_table(table, folder / name / "part-0.parquet")
    return folder


class TestSparkConnect(SameAsDuckDB):
    @pytest.fixture(scope="class")
    @classmethod
    def remote(cls, connect_server: str, files: Path) -> Iterator[tuple[Any, exp.Table]]:
        resource = SparkSourceResource()
        orders = resource.open(
            SparkSourceSpec(type="spark", path=str(files / "orders"), remote=connect_server)
        )
        customers = resource.open(
            SparkSourceSpec(type="spark", path=str(files / "customers"), remote=connect_server)
        )
        assert type(orders.session).__module__.startswith("pyspark.sql.connect")
        with orders.query_runner() as runner:
            yield runner, customers.relation


# planted: a cross join of 400^5 (10^13) rows, far past two seconds
CROSS_JOIN = (
    "select sum(a.order_id * b.order_id * c.order_id * d.order_id * e.order_id) "
    "from {t} a, {t} b, {t} c, {t} d, {t} e"
)


def test_a_statement_past_its_limit_is_interrupted_and_the_session_goes_on(
    connect_server: str, files: Path
) -> None:
    spec = SparkSourceSpec(type="spark", path=str(files / "orders"), remote=connect_server, timeout_seconds=2)
    table = SparkSourceResource().open(spec)
    query = sqlglot.parse_one(CROSS_JOIN.format(t=table.relation.sql(dialect="spark")), read="spark")
    with table.query_runner() as runner, pytest.raises(SourceError) as raised:
        runner.fetch_rows(query)
    assert str(raised.value) == (
        f"spark:{files / 'orders'}: the statement exceeded timeout_seconds (2 s) and was cancelled"
    )
    with table.query_runner() as runner:  # interrupted by its tag, not by closing the session
        assert runner.fetch_rows(exp.select("count(*)").from_(table.relation.copy())) == [(400,)]


def test_describe_through_connect_reads_the_files_modification_time(connect_server: str, files: Path) -> None:
    os.utime(files / "orders" / "part-0.parquet", (1_750_000_000, 1_750_000_000))
    spec = SparkSourceSpec(type="spark", path=str(files / "orders"), remote=connect_server)
    described = SparkSourceResource().open(spec).describe()
    assert [c.name for c in described.columns] == ORDERS.column_names
    assert described.last_updated == datetime.fromtimestamp(1_750_000_000, UTC)
    assert described.row_count is None
