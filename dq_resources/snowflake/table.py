"""A Snowflake table: described from INFORMATION_SCHEMA, queried by pushing the plan down as Snowflake SQL.

Every statement (the metric plan's queries, a rule's own SQL, a sample, the descriptions) runs in
Snowflake through the process's connection to its target (`connections.py`), under the source's
`timeout_seconds` (`statements.py`); only aggregates and capped samples come back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlglot import exp
from sqlglot.errors import SqlglotError

from dq_checks.config.sources import SnowflakeSourceSpec
from dq_checks.metrics.dialect_sql import written_sql
from dq_checks.schema import TableDescription
from dq_resources.engines.sql_runner import SQL_LOG, WAREHOUSE_HEAVY_METRICS
from dq_resources.snowflake.connections import connection_for, forget
from dq_resources.snowflake.errors import (
    is_missing_table,
    is_refused,
    is_unreachable,
    server_message,
    statement_failure,
)
from dq_resources.snowflake.metadata import (
    DIALECT,
    TableFacts,
    columns_sql,
    table_facts,
    table_relation,
    table_sql,
)
from dq_resources.snowflake.statements import StatementResult, run_statement
from dq_resources.source_contract.errors import SourceError, StatementCancelled, source_error
from dq_resources.source_contract.pushdown import SampleRows, attach_references, sample_frame
from dq_resources.source_contract.table import OpenedTable, ReferenceRequest

if TYPE_CHECKING:
    import pandas as pd

    from dq_checks.partitions.row_slice import RowSlice


CONNECTING = "cannot connect"


class SnowflakeTable:
    """One table in Snowflake, as INFORMATION_SCHEMA described it when opened."""

    def __init__(self, spec: SnowflakeSourceSpec) -> None:
        self.name = spec.display()
        self.spec = spec
        self.relation = table_relation(spec.database, spec.table)
        self._facts: TableFacts | None = None

    @property
    def location_key(self) -> tuple[Any, ...]:
        """Tables with the same key are reached by one login: one statement can read them together."""
        spec = self.spec
        return (spec.account, spec.host, spec.port, spec.user, spec.role)

    def execute(self, sql: str, what: str = "") -> StatementResult:
        """Run one statement in Snowflake; SourceError naming the table when it fails.

        `what` says what was being done ("cannot describe the table"); empty for a query's own.
        """
        SQL_LOG.info("%s: %s", DIALECT, sql)
        try:
            connection = connection_for(self.spec)
        except SourceError:
            raise
        except Exception as error:
            raise self.failure(CONNECTING, error) from None
        try:
            return run_statement(connection, sql, self.spec.timeout_seconds)
        except StatementCancelled as error:
            raise source_error(self.name, str(error)) from None
        except Exception as error:
            from snowflake.connector.errors import ProgrammingError

            if not isinstance(error, ProgrammingError):  # the connection itself may be broken
                forget(connection)
            if is_missing_table(error):
                raise source_error(
                    self.name, f"table {self.spec.table} not found", server_message(error)
                ) from None
            raise self.failure(what, error) from None

    def failure(self, what: str, error: BaseException) -> SourceError:
        """The connector's error as one SourceError: refused credentials, no answer, a failed statement."""
        if is_refused(error):
            return source_error(self.name, what or CONNECTING, self._refused(error))
        if is_unreachable(error) and what == CONNECTING:
            where = self.spec.host or f"{self.spec.account}.snowflakecomputing.com"
            port = f":{self.spec.port}" if self.spec.port else ""
            limit = f"connect_timeout_seconds ({self.spec.connect_timeout_seconds:g} s)"
            cause = f"no answer within {limit}: {server_message(error)}"
            return source_error(self.name, f"cannot reach Snowflake at {where}{port}", cause)
        cause = statement_failure(error)
        return source_error(self.name, what, cause) if what else source_error(self.name, cause)

    def _refused(self, error: BaseException) -> str:
        """Which credential was refused, and Snowflake's reason (which never repeats the secret)."""
        if self.spec.private_key_file is not None:
            credential = f"the private key in {self.spec.private_key_file}"
        else:
            credential = f"the password in {self.spec.password_env}"
        return f"{credential} was refused for user {self.spec.user}: {server_message(error)}"

    def refresh(self) -> TableFacts:
        """Read the table's columns and details from INFORMATION_SCHEMA again."""
        what = "cannot describe the table"
        tables = self.execute(table_sql(self.relation), what).records()
        if not tables:
            raise source_error(
                self.name,
                f"table {self.spec.table} not found",
                f"database {self.spec.database} has no such table, or the role cannot see it",
            )
        columns = self.execute(columns_sql(self.relation), what).rows
        self._facts = table_facts(columns, tables[0])
        return self._facts

    def describe(self) -> TableDescription:
        """Columns, row count and last change from INFORMATION_SCHEMA; the version from the last change."""
        facts = self._facts if self._facts is not None else self.refresh()
        extra = {"database": self.spec.database, "table_type": facts.table_type}
        if self.spec.warehouse:
            extra["warehouse"] = self.spec.warehouse
        return TableDescription(
            columns=facts.columns,
            row_count=facts.row_count,
            last_updated=facts.last_altered,
            data_version=facts.data_version,
            extra=extra,
        )

    def reference_relation(self, other: OpenedTable) -> exp.Table | str:
        """`other` when one statement over this table can read it: a table the same login reaches."""
        if not isinstance(other, SnowflakeTable):
            return f"{other.name} is not a Snowflake table; Snowflake SQL over {self.name} cannot read it"
        if other.location_key != self.location_key:
            return (
                f"{other.name} is reached by another login, which one statement over {self.name} cannot use"
            )
        return other.relation.copy()

    @contextmanager
    def query_runner(self, references: Sequence[ReferenceRequest] = ()) -> Iterator[SnowflakeRunner]:
        """A runner that pushes the plan down to Snowflake, with references the same login reaches."""
        runner = SnowflakeRunner(self)
        attach_references(runner, self, references)
        yield runner

    def sample(self, n: int) -> pd.DataFrame:
        """At most `n` rows (capped at MAX_SAMPLE_ROWS): `SELECT * ... LIMIT n`, run in Snowflake."""

        def read(query: exp.Select) -> SampleRows:
            result = self.execute(SnowflakeRunner(self).render(query))
            return result.names, result.rows

        return sample_frame(self.relation, n, read)

    def pruned(self, row_slice: RowSlice) -> SnowflakeTable:
        """Itself: a partition's filter reaches Snowflake with each query."""
        return self


class SnowflakeRunner:
    """A QueryRunner that writes each query in Snowflake SQL and runs it in Snowflake."""

    dialect = DIALECT
    heavy_apart = False

    def __init__(self, table: SnowflakeTable) -> None:
        self.table = table
        self.relation = table.relation.copy()
        self.references: dict[str, exp.Table] = {}
        self.reference_errors: dict[str, str] = {}

    def render(self, query: exp.Query) -> str:
        """The query in Snowflake SQL (dq's rewrites for it included); SourceError for what it cannot write.

        CTEs lose `AS MATERIALIZED` (a DuckDB/Postgres hint Snowflake has no syntax for).
        """
        try:
            return written_sql(query, DIALECT)
        except SqlglotError as error:
            raise source_error(self.table.name, "cannot write the query in Snowflake SQL", error) from None

    def fetch_rows(self, query: exp.Query) -> list[tuple[Any, ...]]:
        """Run the query in Snowflake and return every row as Python values."""
        return self.table.execute(self.render(query)).rows

    def heavy_metrics_per_query(self, row_count: int) -> int:
        """A warehouse plans its own memory: all heavy aggregates go in one scan."""
        return WAREHOUSE_HEAVY_METRICS
