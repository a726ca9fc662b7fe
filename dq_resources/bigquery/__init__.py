"""The `bigquery` source: a BigQuery table, described by tables.get and queried by pushed-down jobs."""

from dq_resources.bigquery.resource import BigQuerySourceResource

__all__ = ["BigQuerySourceResource"]
