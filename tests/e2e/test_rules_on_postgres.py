"""The same rules and profile, pushed down to a real PostgreSQL, agree with the local DuckDB engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy
from sqlglot import exp

from dq_resources.engines import SqlRunner
from tests.engines.agreement import CUSTOMERS, ORDERS, SameAsDuckDB

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def postgres_engine(postgres_server_url: str) -> Iterator[sqlalchemy.Engine]:
    import uuid

    import psycopg2
    from psycopg2 import sql
    from sqlalchemy.engine import make_url

    name = f"dq_rules_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(postgres_server_url)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(postgres_server_url).set(drivername="postgresql+psycopg2", database=name)
    engine = sqlalchemy.create_engine(url)
    ORDERS.to_pandas().to_sql("orders", engine, index=False)
    CUSTOMERS.to_pandas().to_sql("customers", engine, index=False)
    yield engine
    engine.dispose()
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    admin.close()


def _table(name: str) -> exp.Table:
    return exp.table_(exp.to_identifier(name, quoted=True))


class TestPostgres(SameAsDuckDB):
    @pytest.fixture(scope="class")
    @classmethod
    def remote(cls, postgres_engine: sqlalchemy.Engine) -> tuple[SqlRunner, exp.Table]:
        return SqlRunner(postgres_engine, _table("orders"), "postgres"), _table("customers")

    def test_the_plan_runs_inside_postgres(self, remote: tuple[SqlRunner, exp.Table]) -> None:
        runner, _ = remote
        assert runner.dialect == "postgres"
        assert runner.fetch_rows(exp.select("count(*)").from_(runner.relation.copy())) == [(400,)]
