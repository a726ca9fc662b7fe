"""The `databricks` source's resource: opens tables in Databricks SQL warehouses."""

from __future__ import annotations

import dagster as dg

from dq_checks.config.sources import DatabricksSourceSpec
from dq_resources.databricks.table import DatabricksTable
from dq_resources.source_contract.summary import describe_summary


class DatabricksSourceResource(dg.ConfigurableResource):
    """Opens tables in Databricks SQL warehouses through databricks-sql-connector.

    The connector is imported only when a table is opened, so loading definitions never imports
    it. `tls_trusted_ca_file` trusts a private CA (a proxy in front of the workspace) besides the
    system's; the token comes from the variable each source's `token_env` names.
    """

    tls_trusted_ca_file: str | None = None

    def open(self, source: DatabricksSourceSpec) -> DatabricksTable:
        """Reach the warehouse and describe the table, or raise SourceError naming it and the cause."""
        table = DatabricksTable(source, self.tls_trusted_ca_file)
        table.refresh()
        return table

    def test_connection(self, source: DatabricksSourceSpec) -> str:
        """Reach the warehouse and describe the table: a one-line summary."""
        return describe_summary(self.open(source).describe())
