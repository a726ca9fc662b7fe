"""One BigQuery table: described by tables.get, queried by jobs that run where it lives."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from dq_checks.config.sources import BigQuerySourceSpec
from dq_checks.schema import TableDescription
from dq_resources.bigquery.client import make_client, rpc_retry
from dq_resources.bigquery.errors import failure, google_errors
from dq_resources.bigquery.runner import BigQueryRunner
from dq_resources.bigquery.types import bigquery_columns
from dq_resources.source_contract.errors import source_error
from dq_resources.source_contract.pushdown import SampleRows, attach_references, sample_frame
from dq_resources.source_contract.table import OpenedTable, ReferenceRequest

if TYPE_CHECKING:
    import pandas as pd
    from google.cloud import bigquery

    from dq_checks.partitions.row_slice import RowSlice


class BigQueryTable:
    """A BigQuery table located by `project.dataset.table`; its client is made on first use."""

    def __init__(
        self, spec: BigQuerySourceSpec, *, api_endpoint: str | None, maximum_bytes_billed: int
    ) -> None:
        self.name = spec.display()
        self.spec = spec
        self.api_endpoint = api_endpoint
        self.maximum_bytes_billed = spec.maximum_bytes_billed or maximum_bytes_billed
        *qualifiers, dataset, table = spec.table.split(".")
        self.project = qualifiers[0] if qualifiers else spec.project
        if self.project is None:
            raise source_error(
                self.name, "no project: write the table as project.dataset.table or set project"
            )
        self.billing_project = spec.project or self.project
        self.relation = exp.table_(
            exp.to_identifier(table, quoted=True),
            db=exp.to_identifier(dataset, quoted=True),
            catalog=exp.to_identifier(self.project, quoted=True),
        )
        self._client: bigquery.Client | None = None
        self._table: Any = None

    @property
    def client(self) -> bigquery.Client:
        """The client, made on first use: finding credentials may read files or a metadata server."""
        if self._client is None:
            with google_errors(self.name, "cannot create the BigQuery client"):
                self._client = make_client(self.spec, self.billing_project, self.api_endpoint)
        return self._client

    @property
    def table_id(self) -> str:
        """`project.dataset.table`."""
        return ".".join(
            part.name
            for part in (self.relation.args["catalog"], self.relation.args["db"], self.relation.this)
        )

    def refresh(self) -> Any:
        """Read the table's metadata again (tables.get)."""
        try:
            self._table = self.client.get_table(
                self.table_id, retry=rpc_retry(self.spec), timeout=self.spec.connect_timeout_seconds
            )
        except Exception as error:
            raise failure(self.name, "cannot describe the table", error) from None
        return self._table

    def describe(self) -> TableDescription:
        """Columns, `numRows` and `lastModifiedTime` from tables.get; the etag is the data version.

        `numRows` and the last-modified time are BigQuery's own and cover committed data; rows
        still in the streaming buffer are not counted, and the time moves with any change to the
        table (data or schema). The etag changes with every change too, so an unchanged table is
        not profiled again.
        """
        table = self._table if self._table is not None else self.refresh()
        modified = table.modified.astimezone(UTC) if table.modified is not None else None
        version = table.etag or (modified.isoformat() if modified is not None else None)
        extra = {"location": str(table.location or self.spec.location or ""), "table_id": self.table_id}
        if table.num_bytes is not None:
            extra["num_bytes"] = str(table.num_bytes)
        if table.require_partition_filter:
            extra["require_partition_filter"] = "true"
        return TableDescription(
            columns=bigquery_columns(table.schema),
            row_count=int(table.num_rows) if table.num_rows is not None else None,
            last_updated=modified,
            data_version=version,
            extra=extra,
        )

    def reference_relation(self, other: OpenedTable) -> exp.Table | str:
        """`other` when one query over this table can read it: a BigQuery table in the same location."""
        if not isinstance(other, BigQueryTable):
            return f"{other.name} is not a BigQuery table; BigQuery queries over {self.name} cannot read it"
        if (other.spec.location or "").upper() != (self.spec.location or "").upper():
            where = other.spec.location
            return f"{other.name} is in location {where}, which a query over {self.name} cannot read"
        return other.relation.copy()

    @contextmanager
    def query_runner(self, references: Sequence[ReferenceRequest] = ()) -> Iterator[BigQueryRunner]:
        """A runner that pushes the plan down to BigQuery, with same-location references beside it."""
        runner = BigQueryRunner(self)
        attach_references(runner, self, references)
        yield runner

    def sample(self, n: int) -> pd.DataFrame:
        """At most `n` rows (capped at MAX_SAMPLE_ROWS): `SELECT * ... LIMIT n`, run in BigQuery."""

        def read(query: exp.Select) -> SampleRows:
            return BigQueryRunner(self).run(query)

        return sample_frame(self.relation, n, read)

    def pruned(self, row_slice: RowSlice) -> BigQueryTable:
        """Itself: a partition's filter reaches BigQuery with each query."""
        return self
