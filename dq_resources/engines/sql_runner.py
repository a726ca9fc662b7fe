"""Run metric queries where the data lives: a SQL database reached through SQLAlchemy.

The plan's SQL is written by sqlglot in the database's dialect and pushed down; only
aggregates and capped samples come back. The warehouse decides how to scan, so every
heavy aggregate rides in one query.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlglot import exp
from sqlglot.errors import ErrorLevel

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

WAREHOUSE_HEAVY_METRICS = 1_000
SQL_LOG = logging.getLogger("dq.sql")
"""Every statement a pushdown runner sends, at INFO: what leaves for the warehouse is auditable."""


class SqlRunner:
    """A QueryRunner over one table in a SQL database."""

    def __init__(self, engine: Engine, relation: exp.Table, dialect: str) -> None:
        self._engine = engine
        self.relation = relation
        self.dialect = dialect
        self.references: dict[str, exp.Table] = {}
        self.reference_errors: dict[str, str] = {}

    def fetch_rows(self, query: exp.Query) -> list[tuple[Any, ...]]:
        """Run the query in the database's dialect.

        The SQL goes to the driver as it is (no bind-parameter parsing), so a `:` or a `%`
        in a regex or a string literal is never mistaken for a parameter.
        """
        sql = query.sql(dialect=self.dialect, unsupported_level=ErrorLevel.RAISE)
        SQL_LOG.info("%s: %s", self.dialect, sql)
        with self._engine.connect() as connection:
            return [tuple(row) for row in connection.exec_driver_sql(sql).fetchall()]

    heavy_apart = False

    def heavy_metrics_per_query(self, row_count: int) -> int:
        """A warehouse plans its own memory: all heavy aggregates go in one scan."""
        return WAREHOUSE_HEAVY_METRICS
