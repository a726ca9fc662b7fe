"""The `databricks` source: a table in a Databricks SQL warehouse, through databricks-sql-connector."""

from dq_resources.databricks.resource import DatabricksSourceResource

__all__ = ["DatabricksSourceResource"]
