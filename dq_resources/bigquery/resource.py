"""The `bigquery` source's resource: opens BigQuery tables with Application Default Credentials."""

from __future__ import annotations

import dagster as dg

from dq_checks.config.sources import BigQuerySourceSpec
from dq_resources.bigquery.table import BigQueryTable
from dq_resources.source_contract.summary import describe_summary

DEFAULT_MAXIMUM_BYTES_BILLED = 100 * 1024**3
"""100 GiB: the most one query may bill unless a table's `maximum_bytes_billed` says otherwise."""


class BigQuerySourceResource(dg.ConfigurableResource):
    """Opens BigQuery tables; credentials come from Application Default Credentials.

    `api_endpoint` sends every call to another endpoint (a Private Service Connect endpoint, or
    a local stand-in in tests). `maximum_bytes_billed` guards every query of a table whose own
    `maximum_bytes_billed` is not set: BigQuery refuses a query that would bill more, before it
    runs, and that check is an error naming the limit.
    """

    api_endpoint: str | None = None
    maximum_bytes_billed: int = DEFAULT_MAXIMUM_BYTES_BILLED

    def open(self, source: BigQuerySourceSpec) -> BigQueryTable:
        """Locate the table (tables.get), or raise SourceError naming the source and the cause."""
        table = BigQueryTable(
            source, api_endpoint=self.api_endpoint, maximum_bytes_billed=self.maximum_bytes_billed
        )
        table.refresh()
        return table

    def test_connection(self, source: BigQuerySourceSpec) -> str:
        """Reach BigQuery and describe the table: a one-line summary, or SourceError."""
        return describe_summary(self.open(source).describe())
