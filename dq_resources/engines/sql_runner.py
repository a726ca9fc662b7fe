"""Run metric queries where the data lives: a SQL database reached through SQLAlchemy.

The plan's SQL is written by sqlglot in the database's dialect and pushed down; only
aggregates and capped samples come back. The warehouse decides how to scan, so every
heavy aggregate rides in one query.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from dq_checks.config.sources import DEFAULT_STATEMENT_TIMEOUT_SECONDS
from dq_checks.metrics.dialect_sql import written_sql
from dq_resources.sql.session import guarded_connection, read_rows

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

WAREHOUSE_HEAVY_METRICS = 1_000
SQL_LOG = logging.getLogger("dq.sql")
"""Every statement a pushdown runner sends, at INFO: what leaves for the warehouse is auditable."""


Failure = Callable[[BaseException], Exception]
"""Turns a driver's error for a failed statement into the error to raise."""


class SqlRunner:
    """A QueryRunner over one table in a SQL database.

    Each statement is written by `written_sql` (sqlglot's dialect, and dq's rewrites for it) and
    runs through `guarded_connection`: sent as written, read-only and cancelled by the server
    after `timeout_seconds` on Postgres, MySQL and MariaDB. `failure` turns a driver's error into
    the source's own (the `sql` source's names the table, says which time limit was exceeded and
    hides the url's values); without it the driver's error is raised as it is.
    """

    def __init__(
        self,
        engine: Engine,
        relation: exp.Table,
        dialect: str,
        *,
        timeout_seconds: float = DEFAULT_STATEMENT_TIMEOUT_SECONDS,
        failure: Failure | None = None,
    ) -> None:
        self._engine = engine
        self.relation = relation
        self.dialect = dialect
        self.timeout_seconds = timeout_seconds
        self._failure = failure
        self.references: dict[str, exp.Table] = {}
        self.reference_errors: dict[str, str] = {}

    def fetch_rows(self, query: exp.Query) -> list[tuple[Any, ...]]:
        """Run the query in the database's dialect.

        The SQL goes to the driver as it is (no paramstyle interpretation), so a `:` or a `%`
        in a regex, a string literal or a modulo is never mistaken for a parameter.
        """
        sql = written_sql(query, self.dialect)
        SQL_LOG.info("%s: %s", self.dialect, sql)
        try:
            with guarded_connection(self._engine, self.timeout_seconds) as connection:
                return read_rows(connection, sql)[1]
        except Exception as error:
            if self._failure is None:
                raise
            raise self._failure(error) from None

    heavy_apart = False

    def heavy_metrics_per_query(self, row_count: int) -> int:
        """A warehouse plans its own memory: all heavy aggregates go in one scan."""
        return WAREHOUSE_HEAVY_METRICS
