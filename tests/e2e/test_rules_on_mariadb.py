"""The same rules and profile, pushed down to a real MariaDB by the `sql` source, agree with local DuckDB.

ORDERS and CUSTOMERS (their defects planted in tests/engines/agreement.py) are loaded into a
scratch MariaDB database; the runner is the one `SqlSourceResource().open(spec).query_runner()`
hands out, so the source itself (its dialect, its guarded connections) is under test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pytest
import sqlalchemy
from sqlalchemy.engine import make_url
from sqlglot import exp

from dq_checks.config.sources import SqlSourceSpec
from dq_resources.engines import SqlRunner
from dq_resources.sql.resource import SqlSourceResource
from tests.conftest import scratch_mariadb_database
from tests.engines.agreement import CUSTOMERS, ORDERS, EvaluatedTable, SameAsDuckDB

pytestmark = pytest.mark.mariadb


def load(url: str, name: str, table: pa.Table) -> None:
    """`table` as the MariaDB table `name`; a zoned timestamp as TIMESTAMP(6), MySQL's instant type."""
    from sqlalchemy.dialects.mysql import TIMESTAMP

    frame = table.to_pandas()
    zoned = [c for c in frame.columns if getattr(frame[c].dtype, "tz", None) is not None]
    for column in zoned:
        frame[column] = frame[column].dt.tz_convert("UTC").dt.tz_localize(None)
    engine = sqlalchemy.create_engine(url, connect_args={"init_command": "SET time_zone = '+00:00'"})
    try:
        frame.to_sql(name, engine, index=False, dtype={c: TIMESTAMP(fsp=6) for c in zoned})
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def mariadb_url(mariadb_server_url: str) -> Iterator[str]:
    with scratch_mariadb_database(mariadb_server_url, prefix="dq_rules") as url:
        load(url, "orders", ORDERS)
        load(url, "customers", CUSTOMERS)
        yield url


MYSQL_8_SQL_MODE = (
    "ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
    "NO_ENGINE_SUBSTITUTION"
)
"""MySQL 8's default sql_mode, stricter than MariaDB's: every column outside an aggregate must be grouped."""


class TestMariaDB(SameAsDuckDB):
    @pytest.fixture(scope="class")
    @classmethod
    def remote(cls, mariadb_url: str) -> Iterator[tuple[SqlRunner, exp.Table]]:
        strict = make_url(mariadb_url).update_query_dict(
            {"init_command": f"SET SESSION sql_mode = '{MYSQL_8_SQL_MODE}'"}
        )
        url = strict.render_as_string(hide_password=False)
        resource = SqlSourceResource()
        orders = resource.open(SqlSourceSpec(type="sql", url=url, table="orders"))
        customers = resource.open(SqlSourceSpec(type="sql", url=url, table="customers"))
        assert orders.dialect == "mysql"
        with orders.query_runner() as runner:
            yield runner, customers.relation

    def test_booleans_and_instants_come_back_as_duckdb_gives_them(
        self, both: tuple[EvaluatedTable, EvaluatedTable]
    ) -> None:
        # MariaDB's BOOLEAN is TINYINT(1) (0 and 1 on the wire); its TIMESTAMP is naive on the wire
        local, remote = both
        paid = [(v.value, type(v.value)) for v in remote.profile.columns["paid"].top_values]
        assert paid == [(v.value, type(v.value)) for v in local.profile.columns["paid"].top_values]
        assert remote.profile.columns["placed_at"].max == local.profile.columns["placed_at"].max
        assert str(remote.profile.columns["placed_at"].max).endswith("+00:00")
