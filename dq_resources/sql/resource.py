"""The `sql` source: a table in any SQLAlchemy database, with every metric pushed down.

Postgres is first class (and tested for real); Trino, Snowflake and the others work through
their SQLAlchemy dialects when installed, the plan written by sqlglot in the matching dialect.
Only aggregates and capped samples come back: the table is never pulled out.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import dagster as dg

from dq_checks.config.sources import SqlSourceSpec
from dq_checks.schema import TableDescription
from dq_resources.sources.base import SAMPLE_LIMIT, ReferenceRequest, SourceError, redact, source_error
from dq_resources.sources.summary import describe_summary

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy.engine import Engine

    from dq_resources.engines.sql_runner import SqlRunner

SQLGLOT_DIALECTS = {
    "postgresql": "postgres",
    "redshift": "redshift",
    "trino": "trino",
    "snowflake": "snowflake",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "duckdb": "duckdb",
    "mssql": "tsql",
    "oracle": "oracle",
    "bigquery": "bigquery",
    "databricks": "databricks",
}
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()


def interpolate(url: str, where: str) -> str:
    """Replace each `${VAR}` with the environment's value; an unset variable is a SourceError naming it."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        found = os.environ.get(name)
        if found is None:
            raise SourceError(f"{where}: environment variable {name} (used in url) is not set")
        return found

    return _PLACEHOLDER.sub(value, url)


class SqlSourceResource(dg.ConfigurableResource):
    """Opens tables in SQL databases.

    A definition gives `url:` (with `${ENV_VAR}` placeholders, so secrets stay out of the file) or
    `resource: NAME`: a connection named in `connections` here (give its URL as a `dg.EnvVar` in
    code), else in the environment variable `DQ_SQL__<NAME>__URL`.
    """

    connections: dict[str, str] = {}  # noqa: RUF012 - a pydantic field: each instance gets its own copy

    def open(self, source: SqlSourceSpec) -> SqlTable:
        """Connect (one pooled engine per URL per process) and locate the table."""
        url = self._url(source)
        try:
            engine = _engine(url)
        except Exception as error:  # a URL SQLAlchemy cannot parse, a dialect that is not installed
            raise source_error(source.display(), "cannot connect", error) from error
        return SqlTable(source.display(), engine, source.table)

    def test_connection(self, source: SqlSourceSpec) -> str:
        """Connect and describe the table."""
        return describe_summary(self.open(source).describe())

    def _url(self, source: SqlSourceSpec) -> str:
        if source.url is not None:
            return interpolate(source.url, source.display())
        name = source.resource or ""
        configured = self.connections.get(name) or os.environ.get(f"DQ_SQL__{name.upper()}__URL")
        if not configured:
            raise SourceError(
                f"{source.display()}: no connection named {name!r}; configure it on the sql resource "
                f"or in DQ_SQL__{name.upper()}__URL"
            )
        return configured


def _engine(url: str) -> Engine:
    from sqlalchemy import create_engine

    with _LOCK:
        engine = _ENGINES.get(url)
        if engine is None:
            engine = _ENGINES[url] = create_engine(url, pool_pre_ping=True)
        return engine


class SqlTable:
    """One table in a SQL database."""

    def __init__(self, name: str, engine: Engine, table: str) -> None:
        self.name = name
        self.engine = engine
        self.schema, _, self.table = table.rpartition(".")
        self.dialect = SQLGLOT_DIALECTS.get(engine.dialect.name, engine.dialect.name)

    @property
    def relation(self) -> Any:
        """The table as a quoted sqlglot relation."""
        from sqlglot import exp

        return exp.table_(self.table, db=self.schema or None, quoted=True)

    def describe(self) -> TableDescription:
        """Columns reflected from the database catalog.

        SQL databases keep no portable row count or last-modified time per table, so both stay
        unknown here: the profile counts rows exactly, and a `freshness.timestamp_column` gives
        the data's own time.
        """
        from sqlalchemy import inspect
        from sqlalchemy.exc import NoSuchTableError

        from dq_resources.sql.types import column_info

        try:
            reflected = inspect(self.engine).get_columns(self.table, schema=self.schema or None)
        except NoSuchTableError:
            reflected = []
        except Exception as error:
            raise source_error(self.name, "cannot describe the table", error) from error
        if not reflected:
            raise SourceError(f"{self.name}: table not found")
        columns = tuple(column_info(c["name"], c["type"], bool(c.get("nullable", True))) for c in reflected)
        return TableDescription(columns=columns, row_count=None, last_updated=None, data_version=None)

    @contextmanager
    def query_runner(self, references: Sequence[ReferenceRequest] = ()) -> Iterator[SqlRunner]:
        """A runner that pushes every query down; references in the same database are joined there."""
        from dq_resources.engines.sql_runner import SqlRunner

        runner = SqlRunner(self.engine, self.relation, self.dialect)
        for request in references:
            other = request.table
            if isinstance(other, SqlTable) and other.engine.url == self.engine.url:
                runner.references[request.name] = other.relation
            else:
                runner.reference_errors[request.name] = (
                    f"{other.name} is not in the same database as {self.name}, so it cannot be joined there"
                )
        yield runner

    def sample(self, n: int) -> pd.DataFrame:
        """At most `n` rows, read with a LIMIT: never the whole table."""
        import pandas as pd
        from sqlglot import exp

        query = exp.select("*").from_(self.relation).limit(max(0, min(n, SAMPLE_LIMIT)))
        sql = query.sql(dialect=self.dialect)
        try:
            with self.engine.connect() as connection:
                result = connection.exec_driver_sql(sql)
                return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
        except Exception as error:
            raise SourceError(redact(f"{self.name}: cannot read a sample: {error}")) from error
