"""The `spark` source's resource: opens tables in the process's SparkSessions."""

from __future__ import annotations

import dagster as dg

from dq_checks.config.sources import SparkSourceSpec
from dq_resources.source_contract.summary import describe_summary
from dq_resources.spark.sessions import session_for
from dq_resources.spark.table import SparkTable


class SparkSourceResource(dg.ConfigurableResource):
    """Opens catalog tables and files through Spark SQL: a classic session, or Spark Connect.

    The session is the process's one for the spec's master (or remote) and conf, built on first
    use (`sessions.py`); pyspark is imported only then, so loading definitions never imports it.
    """

    def open(self, source: SparkSourceSpec) -> SparkTable:
        """Reach the session and locate the table, or raise SourceError naming it and the cause."""
        table = SparkTable(source, session_for(source))
        table.locate()
        return table

    def test_connection(self, source: SparkSourceSpec) -> str:
        """Reach the session and describe the table: a one-line summary."""
        return describe_summary(self.open(source).describe())
