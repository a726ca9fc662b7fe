"""The Redshift source: a table in a serverless workgroup or a provisioned cluster, over the Data API.

Every statement goes through the Redshift Data API (`execute_statement`, polled with
`describe_statement`, read with `get_statement_result`), so no driver or network path to the
cluster is needed: only IAM access to the API, as the database user (`db_user`, temporary
credentials) or through a Secrets Manager secret (`secret_arn`).

The plan's SQL is written by sqlglot in Redshift's dialect, with two adjustments on the way
out. `AS MATERIALIZED` on a CTE is dropped (a hint Redshift does not accept), and exact
quantiles `PERCENTILE_CONT(ARRAY[...])` become one `PERCENTILE_CONT(f) WITHIN GROUP (ORDER BY x)`
per fraction, put back into a list. Redshift requires every sort-based aggregate of a
statement to share one ORDER BY, so an aggregate query with quantiles of several columns is
split into one statement per column; the rows are stitched back into the one row asked for.
The results stay exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from dq_checks.config.sources import RedshiftSourceSpec
from dq_checks.schema import ColumnInfo, TableDescription
from dq_resources.aws.common import (
    QueryResult,
    StatementTimedOut,
    aws_client,
    aws_errors,
    log_sql,
    render_sql,
    wait_for_statement,
)
from dq_resources.aws.resource import AwsWarehouseResource, AwsWarehouseTable
from dq_resources.aws.types import redshift_columns, redshift_value
from dq_resources.engines.sql_runner import WAREHOUSE_HEAVY_METRICS
from dq_resources.source_contract.errors import source_error
from dq_resources.source_contract.pushdown import SampleRows, attach_references, sample_frame
from dq_resources.source_contract.table import ReferenceRequest

if TYPE_CHECKING:
    import pandas as pd
    from botocore.client import BaseClient

DIALECT = "redshift"
TERMINAL_STATES = frozenset({"FINISHED", "FAILED", "ABORTED"})
DEFAULT_SCHEMA = "public"


class RedshiftSourceResource(AwsWarehouseResource):
    """Opens Redshift tables (serverless or provisioned) and queries them through the Data API."""

    def open(self, source: RedshiftSourceSpec) -> RedshiftTable:
        """Describe the table from its catalog, or raise SourceError naming the source and the cause."""
        return self._open_table(RedshiftTable, source)


class RedshiftTable(AwsWarehouseTable):
    """One Redshift table, with its columns as `describe_table` listed them when opened."""

    kind = "a Redshift table"
    statements = "statements"
    spec: RedshiftSourceSpec

    def __init__(
        self, spec: RedshiftSourceSpec, *, region: str | None, endpoint_url: str | None, poll_seconds: float
    ) -> None:
        super().__init__(spec, region=region, endpoint_url=endpoint_url, poll_seconds=poll_seconds)
        parts = spec.table.split(".")
        self.table_name = parts[-1]
        self.schema = parts[-2] if len(parts) > 1 else DEFAULT_SCHEMA
        self.database = parts[0] if len(parts) > 2 else spec.database
        self.relation = exp.table_(
            exp.to_identifier(self.table_name, quoted=True),
            db=exp.to_identifier(self.schema, quoted=True),
            catalog=exp.to_identifier(self.database, quoted=True) if len(parts) > 2 else None,
        )
        self._columns: tuple[ColumnInfo, ...] | None = None

    @property
    def location_key(self) -> tuple[Any, ...]:
        """Tables with the same key can be read by one statement: same endpoint, target, database, user."""
        spec = self.spec
        return (
            self.endpoint_url,
            self.region,
            spec.workgroup_name,
            spec.cluster_identifier,
            spec.database,
            spec.db_user,
            spec.secret_arn,
        )

    def client(self) -> BaseClient:
        """A Redshift Data API client in this table's region and endpoint."""
        with aws_errors(self.name, "cannot create the redshift-data client", limits=self.spec):
            return aws_client("redshift-data", self.region, self.endpoint_url, self.spec)

    def target_arguments(self) -> dict[str, str]:
        """Where and as whom statements run: the Data API's Database, target and authentication."""
        spec = self.spec
        arguments = {"Database": spec.database}
        if spec.workgroup_name is not None:
            arguments["WorkgroupName"] = spec.workgroup_name
        if spec.cluster_identifier is not None:
            arguments["ClusterIdentifier"] = spec.cluster_identifier
        if spec.secret_arn is not None:
            arguments["SecretArn"] = spec.secret_arn
        elif spec.db_user is not None:
            arguments["DbUser"] = spec.db_user
        return arguments

    def refresh(self) -> tuple[ColumnInfo, ...]:
        """List the table's columns again with `describe_table`; SourceError when there are none."""
        arguments = {**self.target_arguments(), "Schema": self.schema, "Table": self.table_name}
        if self.database != self.spec.database:
            arguments["ConnectedDatabase"] = self.spec.database
            arguments["Database"] = self.database
        where = f"{self.database}.{self.schema}.{self.table_name}"
        missing = f"table {where} not found"
        with aws_errors(self.name, "cannot describe the table", not_found=missing, limits=self.spec):
            pages = self.client().get_paginator("describe_table").paginate(**arguments)
            column_list = [column for page in pages for column in page.get("ColumnList") or []]
        if not column_list:
            raise source_error(self.name, missing, "describe_table lists no columns (or no access to it)")
        self._columns = redshift_columns(column_list)
        return self._columns

    def describe(self) -> TableDescription:
        """The columns from `describe_table`; no row count, last update or version.

        The Data API's metadata calls carry none of them: the row count comes from the
        profile's own count, and freshness needs `freshness.timestamp_column`.
        """
        columns = self._columns if self._columns is not None else self.refresh()
        target = self.spec.workgroup_name or self.spec.cluster_identifier or ""
        return TableDescription(
            columns=columns,
            row_count=None,
            last_updated=None,
            data_version=None,
            extra={"target": target, "database": self.database, "schema": self.schema},
        )

    def elsewhere(self, other: RedshiftTable) -> str:
        """Why a table in another database, target or user cannot be read with this one."""
        return (
            f"{other.name} is in another database, target or user; "
            f"one statement over {self.name} cannot read it"
        )

    @contextmanager
    def query_runner(self, references: Sequence[ReferenceRequest] = ()) -> Iterator[RedshiftRunner]:
        """A runner that pushes the plan down to Redshift, with references in the same database beside it."""
        runner = RedshiftRunner(self)
        attach_references(runner, self, references)
        yield runner

    def sample(self, n: int) -> pd.DataFrame:
        """At most `n` rows (capped at MAX_SAMPLE_ROWS): `SELECT * ... LIMIT n`, run in Redshift."""

        def read(query: exp.Select) -> SampleRows:
            result = RedshiftRunner(self).run_sql(render_sql(query, DIALECT))
            return [name for name, _ in result.columns], result.rows

        return sample_frame(self.relation, n, read)


class RedshiftRunner:
    """A QueryRunner that runs each query through the Data API, up to the source's timeout."""

    dialect = DIALECT

    def __init__(self, table: RedshiftTable) -> None:
        self.table = table
        self.relation = table.relation.copy()
        self.references: dict[str, exp.Table] = {}
        self.reference_errors: dict[str, str] = {}
        self.statement_ids: list[str] = []
        self._client: BaseClient | None = None

    @property
    def client(self) -> BaseClient:
        """The Data API client, created on first use."""
        if self._client is None:
            self._client = self.table.client()
        return self._client

    def fetch_rows(self, query: exp.Query) -> list[tuple[Any, ...]]:
        """Run the query (as one statement, or split as the module docstring says) and return every row."""
        split = split_for_redshift(query)
        results = [self.run_sql(render_sql(statement, DIALECT)).rows for statement in split.statements]
        return split.assemble(results)

    heavy_apart = False

    def heavy_metrics_per_query(self, row_count: int) -> int:
        """A warehouse plans its own memory: all heavy aggregates go in one scan."""
        return WAREHOUSE_HEAVY_METRICS

    def run_sql(self, sql: str) -> QueryResult:
        """Run one statement; SourceError if it fails, is aborted or outlives the timeout."""
        name = self.table.name
        log_sql(DIALECT, sql)
        with aws_errors(name, "cannot start the Redshift statement", limits=self.table.spec):
            response = self.client.execute_statement(Sql=sql, **self.table.target_arguments())
        statement_id = str(response["Id"])
        self.statement_ids.append(statement_id)
        description = self._wait(statement_id)
        status = description.get("Status")
        if status == "FAILED":
            reason = description.get("Error") or "no reason given"
            raise source_error(name, f"Redshift statement {statement_id} failed", reason)
        if status == "ABORTED":
            raise source_error(name, f"Redshift statement {statement_id} was aborted", "by someone else")
        if description.get("HasResultSet") is False:
            return QueryResult([], [])
        with aws_errors(
            name, f"cannot read the result of Redshift statement {statement_id}", limits=self.table.spec
        ):
            pages = self.client.get_paginator("get_statement_result").paginate(Id=statement_id)
            return result_from_pages(pages)

    def _wait(self, statement_id: str) -> Mapping[str, Any]:
        name, timeout = self.table.name, self.table.spec.timeout_seconds

        def describe() -> Mapping[str, Any]:
            with aws_errors(name, f"cannot follow Redshift statement {statement_id}", limits=self.table.spec):
                return self.client.describe_statement(Id=statement_id)

        try:
            return wait_for_statement(
                describe,
                lambda description: description.get("Status") in TERMINAL_STATES,
                cancel=lambda: self.client.cancel_statement(Id=statement_id),
                timeout_seconds=timeout,
                poll_seconds=self.table.poll_seconds,
            )
        except StatementTimedOut as error:
            raise source_error(
                name, f"Redshift statement {statement_id}", f"{error} (cancel_statement)"
            ) from error


def result_from_pages(pages: Iterable[Mapping[str, Any]]) -> QueryResult:
    """Rows from `get_statement_result` pages, each typed field converted by its column's type."""
    columns: list[tuple[str, str]] = []
    rows: list[tuple[Any, ...]] = []
    for page in pages:
        if not columns:
            metadata = page.get("ColumnMetadata") or []
            columns = [
                (str(c.get("name") or c.get("label") or ""), str(c.get("typeName") or "")) for c in metadata
            ]
        types = [type_name for _, type_name in columns]
        for record in page.get("Records") or []:
            if len(types) < len(record):
                types = [*types, *[""] * (len(record) - len(types))]
            rows.append(
                tuple(redshift_value(field, kind) for field, kind in zip(record, types, strict=False))
            )
    return QueryResult(columns, rows)


@dataclass(frozen=True)
class SplitQuery:
    """The statements that answer one plan query, and how their rows make the query's rows.

    `shape` has one entry per projection of the plan's query: None for a plain value, k for
    a list of k quantiles. `groups` says which flat columns each statement computes. Without
    a shape the single statement's rows are the answer as they are.
    """

    statements: list[exp.Query]
    shape: list[int | None] | None = None
    groups: list[list[int]] | None = None

    def assemble(self, results: list[list[tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
        """The plan query's rows from each statement's rows."""
        if self.shape is None or self.groups is None:
            return [row for rows in results for row in rows]
        flat: dict[int, Any] = {}
        for group, rows in zip(self.groups, results, strict=True):
            (row,) = rows  # an aggregate without GROUP BY: one row
            flat.update(zip(group, row, strict=True))
        values: list[Any] = []
        position = 0
        for width in self.shape:
            if width is None:
                values.append(flat[position])
                position += 1
            else:
                values.append([flat[position + i] for i in range(width)])
                position += width
        return [tuple(values)]


def split_for_redshift(query: exp.Query) -> SplitQuery:
    """The statements Redshift accepts for a plan query (see the module docstring)."""
    tree = query.copy()
    if not isinstance(tree, exp.Select) or tree.args.get("group"):
        return SplitQuery([tree])
    has_lists = any(_quantile_list(p) is not None for p in tree.expressions)
    orders = {key for p in tree.expressions if (key := _order_key(p)) is not None}
    if not has_lists and len(orders) <= 1:
        return SplitQuery([tree])
    columns: list[tuple[exp.Expression, str | None]] = []
    shape: list[int | None] = []
    for projection in tree.expressions:
        quantiles = _quantile_list(projection)
        if quantiles is None:
            columns.append((projection.copy(), _order_key(projection)))
            shape.append(None)
            continue
        key = quantiles.this.sql(dialect=DIALECT)
        fractions = quantiles.expression.expressions
        columns += [
            (exp.PercentileCont(this=quantiles.this.copy(), expression=f.copy()), key) for f in fractions
        ]
        shape.append(len(fractions))
    keys = list(dict.fromkeys(key for _, key in columns if key is not None))
    groups: list[list[int]] = [[] for _ in keys] or [[]]
    for index, (_, key) in enumerate(columns):
        groups[keys.index(key) if key is not None else 0].append(index)
    statements = []
    for group in groups:
        statement = tree.copy()
        statement.set("expressions", [columns[i][0].copy() for i in group])
        statements.append(statement)
    return SplitQuery(statements, shape, groups)


def _quantile_list(projection: exp.Expression) -> exp.PercentileCont | None:
    """The plan's list-valued quantiles, `PERCENTILE_CONT(x, ARRAY[...])`, when that is the projection."""
    inner = projection.unalias()
    if isinstance(inner, exp.PercentileCont) and isinstance(inner.expression, exp.Array):
        return inner
    return None


def _order_key(projection: exp.Expression) -> str | None:
    """The ORDER BY of the first sort-based aggregate in a projection, if it has one.

    The plan writes `PERCENTILE_CONT(x, f)`; SQL parsed from text has `... WITHIN GROUP (ORDER BY x)`.
    """
    for node in projection.find_all(exp.PercentileCont, exp.PercentileDisc, exp.WithinGroup):
        if isinstance(node, exp.WithinGroup) and isinstance(node.expression, exp.Order):
            (ordered, *_) = node.expression.expressions or [None]
            return ordered.this.sql(dialect=DIALECT) if isinstance(ordered, exp.Ordered) else None
        if not isinstance(node, exp.WithinGroup) and node.expression is not None and node.this is not None:
            return node.this.sql(dialect=DIALECT)
    return None
