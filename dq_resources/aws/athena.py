"""The Athena source: a Glue Data Catalog table, described from Glue and queried through Athena.

The plan's SQL is written by sqlglot in Athena's dialect (Trino) and runs in Athena; only
aggregates and bounded samples come back. Two constructs of the plan have no Trino form and
are rewritten on the way out: `AS MATERIALIZED` on a CTE is dropped (a hint only), and exact
`PERCENTILE_CONT(x, ARRAY[...])` becomes `APPROX_PERCENTILE(x, ARRAY[...])`, because Athena
has no exact percentile aggregate. Quartiles (and the IQR fences built on them) are therefore
Athena's approximations (a rank error around 1%); every other statistic is exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from dq_checks.config.sources import AthenaSourceSpec
from dq_checks.schema import TableDescription
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
from dq_resources.aws.types import athena_value, glue_columns
from dq_resources.engines.sql_runner import WAREHOUSE_HEAVY_METRICS
from dq_resources.source_contract.errors import source_error
from dq_resources.source_contract.pushdown import SampleRows, attach_references, sample_frame
from dq_resources.source_contract.table import ReferenceRequest

if TYPE_CHECKING:
    import pandas as pd
    from botocore.client import BaseClient

DIALECT = "athena"
DEFAULT_CATALOG = "AwsDataCatalog"
TERMINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
ROW_COUNT_PARAMETERS = ("recordCount", "numRows")
"""Glue table parameters that carry a row count: crawlers write `recordCount`, Hive and Spark `numRows`."""


class AthenaSourceResource(AwsWarehouseResource):
    """Opens Glue Data Catalog tables and queries them through Athena."""

    def open(self, source: AthenaSourceSpec) -> AthenaTable:
        """Describe the table from its catalog, or raise SourceError naming the source and the cause."""
        return self._open_table(AthenaTable, source)


class AthenaTable(AwsWarehouseTable):
    """One Glue table, as its Glue entry described it when opened."""

    kind = "an Athena table"
    statements = "Athena queries"
    spec: AthenaSourceSpec

    def __init__(
        self, spec: AthenaSourceSpec, *, region: str | None, endpoint_url: str | None, poll_seconds: float
    ) -> None:
        super().__init__(spec, region=region, endpoint_url=endpoint_url, poll_seconds=poll_seconds)
        self.relation = exp.table_(
            exp.to_identifier(spec.table, quoted=True), db=exp.to_identifier(spec.database, quoted=True)
        )
        self._glue_table: Mapping[str, Any] | None = None

    @property
    def location_key(self) -> tuple[str | None, str | None, str]:
        """Tables with the same key can be read by one Athena query: same endpoint, region and catalog."""
        return (self.endpoint_url, self.region, self.spec.catalog)

    def client(self, service: str) -> BaseClient:
        """A client for `service` in this table's region and endpoint."""
        with aws_errors(self.name, f"cannot create the {service} client", limits=self.spec):
            return aws_client(service, self.region, self.endpoint_url, self.spec)

    def refresh(self) -> Mapping[str, Any]:
        """Read the table's entry from Glue again."""
        arguments: dict[str, Any] = {"DatabaseName": self.spec.database, "Name": self.spec.table}
        catalog_id = self._glue_catalog_id()
        if catalog_id is not None:
            arguments["CatalogId"] = catalog_id
        glue = self.client("glue")
        missing = f"table {self.spec.database}.{self.spec.table} not found in the Glue catalog"
        with aws_errors(self.name, "cannot read the table from Glue", not_found=missing, limits=self.spec):
            self._glue_table = glue.get_table(**arguments)["Table"]
        return self._glue_table

    def _glue_catalog_id(self) -> str | None:
        """The Glue catalog behind a registered Athena catalog (another account's); None for the default."""
        if self.spec.catalog == DEFAULT_CATALOG:
            return None
        missing = f"Athena data catalog {self.spec.catalog!r} not found"
        with aws_errors(
            self.name, "cannot read the Athena data catalog", not_found=missing, limits=self.spec
        ):
            catalog = self.client("athena").get_data_catalog(Name=self.spec.catalog)["DataCatalog"]
        if str(catalog.get("Type", "")).upper() != "GLUE":
            raise source_error(
                self.name,
                f"Athena data catalog {self.spec.catalog!r}",
                f"its type is {catalog.get('Type')}; only Glue catalogs can be described",
            )
        return (catalog.get("Parameters") or {}).get("catalog-id")

    def describe(self) -> TableDescription:
        """Columns (partition keys included), row count and last update from the Glue entry.

        `last_updated` is the Glue entry's UpdateTime (its CreateTime if it was never altered):
        when the table's metadata last changed. Appending files to S3 does not change it, so
        tables loaded that way should set `freshness.timestamp_column`. The row count is the
        `recordCount` or `numRows` parameter that crawlers and Hive/Spark write, when present
        (it may lag the data); else unknown. `data_version` is UpdateTime, or the VersionId.
        """
        table = self._glue_table if self._glue_table is not None else self.refresh()
        updated = table.get("UpdateTime")
        created = table.get("CreateTime")
        last = updated or created
        last_updated = last.astimezone(UTC) if isinstance(last, datetime) else None
        if isinstance(updated, datetime):
            version: str | None = updated.astimezone(UTC).isoformat()
        else:
            version = str(table["VersionId"]) if table.get("VersionId") is not None else None
        extra = {"catalog": self.spec.catalog, "workgroup": self.spec.workgroup}
        location = (table.get("StorageDescriptor") or {}).get("Location")
        if location:
            extra["location"] = str(location)
        if (table.get("Parameters") or {}).get("table_type"):
            extra["table_type"] = str(table["Parameters"]["table_type"])
        return TableDescription(
            columns=glue_columns(table),
            row_count=_row_count(table.get("Parameters") or {}),
            last_updated=last_updated,
            data_version=version,
            extra=extra,
        )

    def elsewhere(self, other: AthenaTable) -> str:
        """Why a table in another catalog (or region, or endpoint) cannot be read with this one."""
        return (
            f"{other.name} is in catalog {other.spec.catalog!r} ({other.region}), "
            f"which one Athena query over {self.name} cannot read"
        )

    @contextmanager
    def query_runner(self, references: Sequence[ReferenceRequest] = ()) -> Iterator[AthenaRunner]:
        """A runner that pushes the plan down to Athena, with same-catalog references beside it."""
        runner = AthenaRunner(self)
        attach_references(runner, self, references)
        yield runner

    def sample(self, n: int) -> pd.DataFrame:
        """At most `n` rows (capped at MAX_SAMPLE_ROWS): `SELECT * ... LIMIT n`, run in Athena."""

        def read(query: exp.Select) -> SampleRows:
            result = AthenaRunner(self).run(query)
            return [name for name, _ in result.columns], result.rows

        return sample_frame(self.relation, n, read)


class AthenaRunner:
    """A QueryRunner that runs each query in Athena and waits for it, up to the source's timeout."""

    dialect = DIALECT

    def __init__(self, table: AthenaTable) -> None:
        self.table = table
        self.relation = table.relation.copy()
        self.references: dict[str, exp.Table] = {}
        self.reference_errors: dict[str, str] = {}
        self.query_ids: list[str] = []
        self._athena: BaseClient | None = None

    @property
    def athena(self) -> BaseClient:
        """The Athena client, created on first use."""
        if self._athena is None:
            self._athena = self.table.client("athena")
        return self._athena

    def fetch_rows(self, query: exp.Query) -> list[tuple[Any, ...]]:
        """Run the query in Athena and return every row as Python values."""
        return self.run(query).rows

    heavy_apart = False

    def heavy_metrics_per_query(self, row_count: int) -> int:
        """A warehouse plans its own memory: all heavy aggregates go in one scan."""
        return WAREHOUSE_HEAVY_METRICS

    def run(self, query: exp.Query) -> QueryResult:
        """Write the query for Athena, run it, wait for it and read the whole result."""
        sql = render_sql(athena_query(query), DIALECT)
        return self.run_sql(sql)

    def run_sql(self, sql: str) -> QueryResult:
        """Run one statement; SourceError if it fails, is cancelled or outlives the timeout."""
        name, spec = self.table.name, self.table.spec
        log_sql(DIALECT, sql)
        arguments: dict[str, Any] = {
            "QueryString": sql,
            "WorkGroup": spec.workgroup,
            "QueryExecutionContext": {"Catalog": spec.catalog, "Database": spec.database},
        }
        if spec.output_location:
            arguments["ResultConfiguration"] = {"OutputLocation": spec.output_location}
        with aws_errors(name, "cannot start the Athena query", limits=self.table.spec):
            query_id = str(self.athena.start_query_execution(**arguments)["QueryExecutionId"])
        self.query_ids.append(query_id)
        status = self._wait(query_id)
        state = status.get("State")
        if state == "FAILED":
            reason = status.get("StateChangeReason") or (status.get("AthenaError") or {}).get("ErrorMessage")
            raise source_error(name, f"Athena query {query_id} failed", reason or "no reason given")
        if state == "CANCELLED":
            raise source_error(name, f"Athena query {query_id} was cancelled", "by someone else")
        with aws_errors(name, f"cannot read the results of Athena query {query_id}", limits=self.table.spec):
            pages = self.athena.get_paginator("get_query_results").paginate(QueryExecutionId=query_id)
            return result_from_pages(pages)

    def _wait(self, query_id: str) -> Mapping[str, Any]:
        name, timeout = self.table.name, self.table.spec.timeout_seconds

        def describe() -> Mapping[str, Any]:
            with aws_errors(name, f"cannot follow Athena query {query_id}", limits=self.table.spec):
                execution = self.athena.get_query_execution(QueryExecutionId=query_id)
            return execution["QueryExecution"]["Status"]

        try:
            return wait_for_statement(
                describe,
                lambda status: status.get("State") in TERMINAL_STATES,
                cancel=lambda: self.athena.stop_query_execution(QueryExecutionId=query_id),
                timeout_seconds=timeout,
                poll_seconds=self.table.poll_seconds,
            )
        except StatementTimedOut as error:
            raise source_error(name, f"Athena query {query_id}", f"{error} (stop_query_execution)") from error


def athena_query(query: exp.Query) -> exp.Query:
    """The plan's query with what Trino lacks rewritten (see the module docstring).

    `PERCENTILE_CONT(f) WITHIN GROUP (ORDER BY x)`, as SQL text parses, sqlglot already writes
    as APPROX_PERCENTILE for Trino; the plan's own form is rewritten here.
    """
    tree = query.copy()

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.PercentileCont) and node.expression is not None and node.this is not None:
            return exp.ApproxQuantile(this=node.this.copy(), quantile=node.expression.copy())
        return node

    return tree.transform(rewrite, copy=False)


def result_from_pages(pages: Iterable[Mapping[str, Any]]) -> QueryResult:
    """Rows from `get_query_results` pages; the first page's first row is the header, and is skipped."""
    columns: list[tuple[str, str]] = []
    rows: list[tuple[Any, ...]] = []
    for index, page in enumerate(pages):
        result_set = page.get("ResultSet") or {}
        if not columns:
            info = (result_set.get("ResultSetMetadata") or {}).get("ColumnInfo") or []
            columns = [
                (str(c.get("Name") or c.get("Label") or ""), str(c.get("Type") or "varchar")) for c in info
            ]
        page_rows = result_set.get("Rows") or []
        if index == 0:
            page_rows = page_rows[1:]
        types = [type_name for _, type_name in columns]
        for row in page_rows:
            cells = [datum.get("VarCharValue") for datum in row.get("Data") or []]
            if len(types) < len(cells):
                types = [*types, *["varchar"] * (len(cells) - len(types))]
            rows.append(tuple(athena_value(cell, kind) for cell, kind in zip(cells, types, strict=False)))
    return QueryResult(columns, rows)


def _row_count(parameters: Mapping[str, Any]) -> int | None:
    for key in ROW_COUNT_PARAMETERS:
        value = parameters.get(key)
        if value is None:
            continue
        try:
            count = int(float(str(value)))
        except ValueError:
            continue
        if count >= 0:
            return count
    return None
