"""The `sql` source: a table in any SQLAlchemy database, with every metric pushed down.

Postgres, MySQL and MariaDB are first class (and tested for real); Trino, Snowflake and the
others work through their SQLAlchemy dialects when installed, the plan written by sqlglot in the
matching dialect (`dq_checks.metrics.dialect_sql`: with dq's rewrites where sqlglot's falls short).
Only aggregates and capped samples come back: the table is never pulled out.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import dagster as dg

from dq_checks.config.sources import SourceLimits, SqlSourceSpec
from dq_checks.metrics.dialect_sql import written_sql
from dq_checks.rules.engine_errors import without_values
from dq_checks.schema import TableDescription
from dq_resources.source_contract.errors import SourceError, redact, source_error
from dq_resources.source_contract.pushdown import SampleRows, attach_references, sample_frame
from dq_resources.source_contract.summary import describe_summary
from dq_resources.source_contract.table import OpenedTable, ReferenceRequest
from dq_resources.sql.session import engine_options, failure, guarded_connection, read_rows
from dq_resources.sql.url import HiddenValues, ResolvedUrl, resolve_url

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy.engine import Engine
    from sqlglot import exp

    from dq_checks.partitions.row_slice import RowSlice
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
_ENGINES: dict[tuple[str, float, float], Engine] = {}
_LOCK = threading.Lock()


class SqlSourceResource(dg.ConfigurableResource):
    """Opens tables in SQL databases.

    A definition gives `url:` (with `${ENV_VAR}` placeholders, so secrets stay out of the file:
    `DQ_*` variables and those the definition lists under `env:`) or `resource: NAME`: a
    connection named in `connections` here (give its URL as a `dg.EnvVar` in code), else in the
    environment variable `DQ_SQL__<NAME>__URL`. Every statement runs through
    `dq_resources.sql.session`: bounded by the definition's time limits, read-only on Postgres,
    MySQL and MariaDB.
    """

    connections: dict[str, str] = {}  # noqa: RUF012 - a pydantic field: each instance gets its own copy

    def open(self, source: SqlSourceSpec) -> SqlTable:
        """Connect (one pooled engine per URL and limits per process) and locate the table."""
        resolved = self._url(source)
        try:
            engine = _engine(resolved.url, source.connect_timeout_seconds, source.timeout_seconds)
        except Exception as error:  # a URL SQLAlchemy cannot parse, a dialect that is not installed
            cause = resolved.hidden(redact(f"{type(error).__name__}: {error}"))
            raise source_error(source.display(), "cannot connect", cause) from None
        return SqlTable(source.display(), engine, source.table, limits=source, hidden=resolved.hidden)

    def test_connection(self, source: SqlSourceSpec) -> str:
        """Connect and describe the table."""
        return describe_summary(self.open(source).describe())

    def _url(self, source: SqlSourceSpec) -> ResolvedUrl:
        if source.url is not None:
            return resolve_url(source.url, source.display(), source.env)
        name = source.resource or ""
        configured = self.connections.get(name) or os.environ.get(f"DQ_SQL__{name.upper()}__URL")
        if not configured:
            variable = f"DQ_SQL__{name.upper()}__URL"
            unnamed = f"no connection named {name!r}; configure it on the sql resource or in {variable}"
            raise source_error(source.display(), unnamed)
        return ResolvedUrl(configured, HiddenValues())


def _engine(url: str, connect_timeout_seconds: float, timeout_seconds: float) -> Engine:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    key = (url, connect_timeout_seconds, timeout_seconds)
    with _LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            drivername = make_url(url).drivername
            options = engine_options(drivername, connect_timeout_seconds, timeout_seconds)
            engine = _ENGINES[key] = create_engine(url, **options)
        return engine


class SqlTable:
    """One table in a SQL database."""

    def __init__(
        self,
        name: str,
        engine: Engine,
        table: str,
        *,
        limits: SourceLimits | None = None,
        hidden: Callable[[str], str] | None = None,
    ) -> None:
        self.name = name
        self.engine = engine
        self.schema, _, self.table = table.rpartition(".")
        self.dialect = SQLGLOT_DIALECTS.get(engine.dialect.name, engine.dialect.name)
        self.limits = limits or SourceLimits()
        self.hidden = hidden or HiddenValues()

    @property
    def relation(self) -> Any:
        """The table as a quoted sqlglot relation: `table`, `schema.table` or `catalog.schema.table`."""
        from sqlglot import exp

        catalog, _, schema = self.schema.rpartition(".")
        return exp.table_(self.table, db=schema or None, catalog=catalog or None, quoted=True)

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
            with guarded_connection(self.engine, self.limits.timeout_seconds) as connection:
                reflected = inspect(connection).get_columns(self.table, schema=self.schema or None)
        except NoSuchTableError:
            reflected = []
        except Exception as error:
            raise self.failure("cannot describe the table", error) from None
        if not reflected:
            raise source_error(self.name, "table not found")
        columns = tuple(column_info(c["name"], c["type"], bool(c.get("nullable", True))) for c in reflected)
        return TableDescription(columns=columns, row_count=None, last_updated=None, data_version=None)

    def failure(self, what: str, error: BaseException) -> SourceError:
        """A SourceError naming this table and the cause, time limits by name, url values hidden."""
        return failure(
            self.name,
            what,
            error,
            timeout_seconds=self.limits.timeout_seconds,
            connect_timeout_seconds=self.limits.connect_timeout_seconds,
            hide=self.hidden,
        )

    def statement_failure(self, error: BaseException) -> SourceError:
        """A failed query over the table's rows: as `failure`, and the data values it quotes hidden."""
        return failure(
            self.name,
            "",
            error,
            timeout_seconds=self.limits.timeout_seconds,
            connect_timeout_seconds=self.limits.connect_timeout_seconds,
            hide=lambda text: self.hidden(without_values(text)),
        )

    def reference_relation(self, other: OpenedTable) -> exp.Table | str:
        """`other` when it is in the same database, where one statement can join it; else why not."""
        if isinstance(other, SqlTable) and other.engine.url == self.engine.url:
            return other.relation
        return f"{other.name} is not in the same database as {self.name}, so it cannot be joined there"

    @contextmanager
    def query_runner(self, references: Sequence[ReferenceRequest] = ()) -> Iterator[SqlRunner]:
        """A runner that pushes every query down; references in the same database are joined there."""
        from dq_resources.engines.sql_runner import SqlRunner

        runner = SqlRunner(
            self.engine,
            self.relation,
            self.dialect,
            timeout_seconds=self.limits.timeout_seconds,
            failure=self.statement_failure,
        )
        attach_references(runner, self, references)
        yield runner

    def pruned(self, row_slice: RowSlice) -> SqlTable:
        """Itself: a partition's filter reaches the database with each query."""
        return self

    def sample(self, n: int) -> pd.DataFrame:
        """At most `n` rows (capped at MAX_SAMPLE_ROWS), read with a LIMIT: never the whole table."""

        def read(query: exp.Select) -> SampleRows:
            try:
                with guarded_connection(self.engine, self.limits.timeout_seconds) as connection:
                    return read_rows(connection, written_sql(query, self.dialect))
            except Exception as error:
                raise self.failure("cannot read a sample", error) from None

        return sample_frame(self.relation, n, read)
