"""A Databricks table: described from the catalog, queried by pushing the plan down as Databricks SQL.

Every statement (the metric plan's queries, a rule's own SQL, a sample, the descriptions) runs on
the warehouse through the process's connection to it (`connections.py`), under the source's
`timeout_seconds` (`statements.py`); only aggregates and capped samples come back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlglot import exp
from sqlglot.errors import SqlglotError

from dq_checks.config.sources import DatabricksSourceSpec
from dq_checks.metrics.dialect_sql import written_sql
from dq_checks.schema import TableDescription
from dq_resources.databricks.connections import connection_for, forget
from dq_resources.databricks.errors import (
    is_missing_table,
    refused_status,
    request_failure,
    server_message,
    statement_failure,
)
from dq_resources.databricks.metadata import CatalogFacts, catalog_facts, delta_last_modified, delta_version
from dq_resources.databricks.statements import StatementResult, run_statement
from dq_resources.engines.sql_runner import SQL_LOG, WAREHOUSE_HEAVY_METRICS
from dq_resources.source_contract.errors import SourceError, StatementCancelled, source_error
from dq_resources.source_contract.pushdown import SampleRows, attach_references, sample_frame
from dq_resources.source_contract.table import OpenedTable, ReferenceRequest

if TYPE_CHECKING:
    import pandas as pd

    from dq_checks.partitions.row_slice import RowSlice

DIALECT = "databricks"


def table_relation(name: str) -> exp.Table:
    """`catalog.schema.table`, `schema.table` or `table` as a relation with quoted parts."""
    parts = [exp.to_identifier(part, quoted=True) for part in name.split(".")]
    table = parts[-1]
    schema = parts[-2] if len(parts) > 1 else None
    catalog = parts[-3] if len(parts) > 2 else None
    return exp.table_(table, db=schema, catalog=catalog)


class DatabricksTable:
    """One table in a Databricks SQL warehouse, as its catalog described it when opened."""

    def __init__(self, spec: DatabricksSourceSpec, tls_trusted_ca_file: str | None = None) -> None:
        self.name = spec.display()
        self.spec = spec
        self.tls_trusted_ca_file = tls_trusted_ca_file
        self.relation = table_relation(spec.table)
        self._facts: CatalogFacts | None = None

    @property
    def location_key(self) -> tuple[str, int, str]:
        """Tables with the same key are in one warehouse: one statement can read them together."""
        return (self.spec.server_hostname, self.spec.port, self.spec.http_path)

    def execute(self, sql: str, what: str = "", *, missing: str = "") -> StatementResult:
        """Run one statement on the warehouse; SourceError naming the table when it fails.

        `what` says what was being done ("cannot describe the table"); empty for a query's own.
        `missing`, when given, is the error's text if the server says the table does not exist.
        """
        SQL_LOG.info("%s: %s", DIALECT, sql)
        try:
            connection = connection_for(self.spec, self.tls_trusted_ca_file)
        except SourceError:
            raise
        except Exception as error:
            raise self.failure("cannot connect", error) from None
        try:
            return run_statement(connection, sql, self.spec.timeout_seconds)
        except StatementCancelled as error:
            raise source_error(self.name, str(error)) from None
        except Exception as error:
            from databricks.sql.exc import ServerOperationError

            if not isinstance(error, ServerOperationError):  # the connection itself may be broken
                forget(connection)
            if missing and is_missing_table(error):
                raise source_error(self.name, missing, server_message(error)) from None
            raise self.failure(what, error) from None

    def failure(self, what: str, error: BaseException) -> SourceError:
        """The connector's error as one SourceError: a refused token, no warehouse, a failed statement."""
        from databricks.sql.exc import RequestError

        status = refused_status(error)
        if status is not None:
            cause = f"the access token in {self.spec.token_env} was refused (HTTP {status})"
            return source_error(self.name, what or "cannot connect", cause)
        if isinstance(error, RequestError):
            where = f"cannot reach the warehouse at {self.spec.server_hostname}:{self.spec.port}"
            return source_error(self.name, where, request_failure(error))
        cause = statement_failure(error)
        return source_error(self.name, what, cause) if what else source_error(self.name, cause)

    def refresh(self) -> CatalogFacts:
        """Read the table's columns and details from the catalog again (`DESCRIBE TABLE EXTENDED`)."""
        sql = f"DESCRIBE TABLE EXTENDED {self.relation.sql(dialect=DIALECT)}"
        missing = f"table {self.spec.table} not found"
        result = self.execute(sql, "cannot describe the table", missing=missing)
        self._facts = catalog_facts(result.rows)
        return self._facts

    def describe(self) -> TableDescription:
        """Columns and row count from the catalog; last update and version from Delta's log.

        A Delta table's last update is `DESCRIBE DETAIL`'s `lastModified` (its last commit) and
        its version `DESCRIBE HISTORY`'s newest; other formats have neither (unknown). The row
        count is the catalog's statistics (`ANALYZE TABLE`) when present, else unknown.
        """
        facts = self._facts if self._facts is not None else self.refresh()
        extra = {"warehouse": self.spec.http_path}
        if facts.provider:
            extra["format"] = facts.provider
        if facts.location:
            extra["location"] = facts.location
        last_updated = version = None
        if facts.is_delta:
            target = self.relation.sql(dialect=DIALECT)
            detail = self.execute(f"DESCRIBE DETAIL {target}", "cannot read the Delta table's detail")
            last_updated = delta_last_modified(detail.records()[0]) if detail.rows else None
            version = self._delta_version(target)
        return TableDescription(
            columns=facts.columns,
            row_count=facts.row_count,
            last_updated=last_updated,
            data_version=version,
            extra=extra,
        )

    def _delta_version(self, target: str) -> str | None:
        """The newest commit's version; None where the history cannot be read (a share, no permission)."""
        try:
            history = self.execute(f"DESCRIBE HISTORY {target} LIMIT 1", "cannot read the Delta history")
        except SourceError:
            return None
        return delta_version(history.records())

    def reference_relation(self, other: OpenedTable) -> exp.Table | str:
        """`other` when one statement over this table can read it: a table of the same warehouse."""
        if not isinstance(other, DatabricksTable):
            return f"{other.name} is not a Databricks table; Databricks SQL over {self.name} cannot read it"
        if other.location_key != self.location_key:
            return f"{other.name} is in another warehouse, which one statement over {self.name} cannot read"
        return other.relation.copy()

    @contextmanager
    def query_runner(self, references: Sequence[ReferenceRequest] = ()) -> Iterator[DatabricksRunner]:
        """A runner that pushes the plan down to the warehouse, with same-warehouse references beside it."""
        runner = DatabricksRunner(self)
        attach_references(runner, self, references)
        yield runner

    def sample(self, n: int) -> pd.DataFrame:
        """At most `n` rows (capped at MAX_SAMPLE_ROWS): `SELECT * ... LIMIT n`, run on the warehouse."""

        def read(query: exp.Select) -> SampleRows:
            result = self.execute(DatabricksRunner(self).render(query))
            return result.names, result.rows

        return sample_frame(self.relation, n, read)

    def pruned(self, row_slice: RowSlice) -> DatabricksTable:
        """Itself: a partition's filter reaches the warehouse with each query."""
        return self


class DatabricksRunner:
    """A QueryRunner that writes each query in Databricks SQL and runs it on the warehouse."""

    dialect = DIALECT
    heavy_apart = False

    def __init__(self, table: DatabricksTable) -> None:
        self.table = table
        self.relation = table.relation.copy()
        self.references: dict[str, exp.Table] = {}
        self.reference_errors: dict[str, str] = {}

    def render(self, query: exp.Query) -> str:
        """The query in Databricks SQL; SourceError for a construct the dialect cannot write.

        CTEs lose `AS MATERIALIZED` (a DuckDB/Postgres hint that Databricks SQL rejects).
        """
        try:
            return written_sql(query, DIALECT)
        except SqlglotError as error:
            raise source_error(self.table.name, "cannot write the query in Databricks SQL", error) from None

    def fetch_rows(self, query: exp.Query) -> list[tuple[Any, ...]]:
        """Run the query on the warehouse and return every row as Python values."""
        return self.table.execute(self.render(query)).rows

    def heavy_metrics_per_query(self, row_count: int) -> int:
        """A warehouse plans its own memory: all heavy aggregates go in one scan."""
        return WAREHOUSE_HEAVY_METRICS
