"""The `snowflake` source's resource: opens tables in Snowflake."""

from __future__ import annotations

import dagster as dg

from dq_checks.config.sources import SnowflakeSourceSpec
from dq_resources.snowflake.table import SnowflakeTable
from dq_resources.source_contract.summary import describe_summary


class SnowflakeSourceResource(dg.ConfigurableResource):
    """Opens tables in Snowflake through snowflake-connector-python.

    The connector is imported only when a table is opened, so loading definitions never imports
    it. Each source's password or private key comes from the environment (see its settings);
    one connection serves every table of a target in the process.
    """

    def open(self, source: SnowflakeSourceSpec) -> SnowflakeTable:
        """Reach Snowflake and describe the table, or raise SourceError naming it and the cause."""
        table = SnowflakeTable(source)
        table.refresh()
        return table

    def test_connection(self, source: SnowflakeSourceSpec) -> str:
        """Reach Snowflake and describe the table: a one-line summary."""
        return describe_summary(self.open(source).describe())
