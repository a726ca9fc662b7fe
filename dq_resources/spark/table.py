"""One table Spark SQL reads: a catalog table, or a temporary view over files at a path.

Every query the check step sends is written by sqlglot in the `spark` dialect and run by
`spark.sql(...).collect()` under the source's time limit (`statements.py`): only aggregates and
capped samples reach the driver, never the table.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from dq_checks.error_text import first_line
from dq_checks.metrics.dialect_sql import written_sql
from dq_checks.rules.engine_errors import without_values
from dq_checks.schema import TableDescription
from dq_resources.source_contract.errors import SourceError, StatementCancelled, source_error
from dq_resources.source_contract.pushdown import SampleRows, attach_references, sample_frame
from dq_resources.source_contract.table import OpenedTable, ReferenceRequest
from dq_resources.spark.metadata import catalog_facts, file_facts
from dq_resources.spark.statements import Collected, collect
from dq_resources.spark.types import spark_columns

if TYPE_CHECKING:
    import pandas as pd
    from pyspark.sql import SparkSession

    from dq_checks.config.sources import SparkSourceSpec
    from dq_checks.partitions.row_slice import RowSlice

DIALECT = "spark"
SPARK_LOG = logging.getLogger("dq.sql")
"""Every statement sent to Spark, at INFO, as for the other pushdown sources."""
NOT_FOUND = ("TABLE_OR_VIEW_NOT_FOUND", "PATH_NOT_FOUND", "SCHEMA_NOT_FOUND", "NoSuchTableException")


class SparkTable:
    """A catalog table or files at a path, in one SparkSession."""

    def __init__(self, spec: SparkSourceSpec, session: SparkSession) -> None:
        self.name = spec.display()
        self.spec = spec
        self.session = session
        if spec.table is not None:
            self.relation = exp.table_(*_reversed_parts(spec.table), quoted=True)
        else:
            self.relation = exp.table_(exp.to_identifier(_view_name(spec), quoted=True))

    def locate(self) -> None:
        """Find the table, or register the files' temporary view: SourceError naming it when missing."""
        try:
            if self.spec.table is not None:
                self.session.table(self._relation_sql()).schema  # noqa: B018 - resolves the table now
            else:
                frame = self.session.read.format(self.spec.format).load(self.spec.path)
                frame.createOrReplaceTempView(self.relation.name)
        except Exception as error:
            raise self.failure("cannot open the table", error) from None

    def describe(self) -> TableDescription:
        """Columns from the schema; row count from catalog statistics; the last update from metadata.

        A catalog table's row count is its statistics' (after `ANALYZE TABLE`), else unknown; its
        last update a `transient_lastDdlTime`/`lastModified` property, else its files' newest
        modification time. Files at a path have no row count; the newest file is the last update.
        The files' count, size and newest time are the data version where they can be listed, and
        there is none otherwise: a property that DDL alone updates would let the query cache answer
        from an older state of the data.
        """
        try:
            schema = self.session.table(self._relation_sql()).schema
        except Exception as error:
            raise self.failure("cannot describe the table", error) from None
        extra: dict[str, str] = {}
        row_count = None
        last_updated = version = None
        location = self.spec.path
        if self.spec.table is not None:
            _, rows = self._run(
                f"DESCRIBE TABLE EXTENDED {self._relation_sql()}", "cannot describe the table"
            )
            facts = catalog_facts(rows)
            row_count, location = facts.row_count, facts.location
            last_updated = facts.updated()
            if facts.provider:
                extra["provider"] = facts.provider
        else:
            extra["format"] = self.spec.format
        if location:
            extra["location"] = location
            try:
                files = file_facts(self.session, location)
            except Exception as error:
                raise self.failure("cannot list the table's files", error) from None
            if files is not None:
                last_updated = last_updated or files.newest
                version = files.version
        return TableDescription(
            columns=spark_columns(schema),
            row_count=row_count,
            last_updated=last_updated,
            data_version=version,
            extra=extra,
        )

    @contextmanager
    def query_runner(self, references: Sequence[ReferenceRequest] = ()) -> Iterator[SparkRunner]:
        """A runner that pushes every query to Spark; references in the same session are joined there."""
        runner = SparkRunner(self)
        attach_references(runner, self, references)
        yield runner

    def reference_relation(self, other: OpenedTable) -> exp.Table | str:
        """`other` when the same session reads it, so one statement can join it; else why not."""
        if isinstance(other, SparkTable) and other.session is self.session:
            return other.relation.copy()
        return f"{other.name} is not in the same Spark session as {self.name}, so it cannot be joined there"

    def pruned(self, row_slice: RowSlice) -> SparkTable:
        """Itself: a partition's filter reaches Spark with each query."""
        return self

    def sample(self, n: int) -> pd.DataFrame:
        """At most `n` rows (capped at MAX_SAMPLE_ROWS), read with a LIMIT: never the whole table."""

        def read(query: exp.Select) -> SampleRows:
            return self._run(_sql(query), "cannot read a sample")

        return sample_frame(self.relation, n, read)

    def run_query(self, query: exp.Query) -> list[tuple[Any, ...]]:
        """One of the plan's queries; a failure hides the data values Spark quotes."""
        sql = _sql(query)
        _, rows = self._run(sql, "", hide_values=True)
        return rows

    def _run(self, sql: str, what: str, *, hide_values: bool = False) -> Collected:
        SPARK_LOG.info("%s: %s", DIALECT, sql)
        try:
            return collect(self.session, sql, self.spec.timeout_seconds)
        except Exception as error:
            raise self.failure(what, error, hide_values=hide_values) from None

    def failure(self, what: str, error: BaseException, *, hide_values: bool = False) -> SourceError:
        """One SourceError naming the table: not found, cancelled at the time limit, or Spark's first line."""
        if isinstance(error, SourceError):
            return error
        text = first_line(error)
        if isinstance(error, StatementCancelled):
            cause = text
        elif any(marker in text for marker in NOT_FOUND):
            missing = "no such path" if self.spec.path is not None else "table not found"
            return source_error(self.name, missing, without_values(text) if hide_values else text)
        else:
            cause = without_values(text) if hide_values else text
        return source_error(self.name, what, cause) if what else source_error(self.name, cause)

    def _relation_sql(self) -> str:
        return self.relation.sql(dialect=DIALECT)


class SparkRunner:
    """A QueryRunner over one Spark table: each query written in Spark SQL and collected under the limit.

    Heavy aggregates go in queries of their own, one each. Spark answers several `COUNT(DISTINCT)`
    in one query by expanding every row once per distinct aggregate (its `Expand` operator), and
    an exact `percentile` beside them sorts that expanded data: on 200,000 rows the light pass with
    every heavy aggregate in it took 27.6 s, and one scan per heavy aggregate a second or so each.
    """

    dialect = DIALECT
    heavy_apart = True

    def __init__(self, table: SparkTable) -> None:
        self.table = table
        self.relation = table.relation.copy()
        self.references: dict[str, exp.Table] = {}
        self.reference_errors: dict[str, str] = {}

    def fetch_rows(self, query: exp.Query) -> list[tuple[Any, ...]]:
        """Run the query in Spark and return its rows (aggregates, or a capped sample)."""
        return self.table.run_query(query)

    def heavy_metrics_per_query(self, row_count: int) -> int:
        """One: a query with a single distinct count is a plain two-phase aggregate, without `Expand`."""
        return 1


def _sql(query: exp.Query) -> str:
    """The query in Spark SQL (without `AS MATERIALIZED`, a DuckDB/Postgres hint Spark rejects)."""
    return written_sql(query, DIALECT)


def _reversed_parts(name: str) -> list[str]:
    """`catalog.db.table` as exp.table_'s (table, db, catalog)."""
    parts = name.split(".")
    return list(reversed(parts))


def _view_name(spec: SparkSourceSpec) -> str:
    """The temporary view over a path: one name per path and format, so reopening replaces it."""
    digest = hashlib.sha1(f"{spec.format}:{spec.path}".encode(), usedforsecurity=False).hexdigest()[:12]
    return f"dq_files_{digest}"
