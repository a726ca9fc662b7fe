"""Which resource serves which `source.type`, and the default resource set.

Resources are light to build: each imports its clients (pyiceberg, SQLAlchemy, boto3, DuckDB)
only when it opens a table.
"""

from __future__ import annotations

import os
from typing import Any

import dagster as dg

from dq_checks.config.sources import SourceSpec
from dq_resources.aws.athena import AthenaSourceResource
from dq_resources.aws.redshift import RedshiftSourceResource
from dq_resources.bigquery import BigQuerySourceResource
from dq_resources.clock import ClockResource
from dq_resources.databricks import DatabricksSourceResource
from dq_resources.duckdb_database import DuckDBDatabaseResource
from dq_resources.files.resource import FileSourceResource
from dq_resources.iceberg import IcebergCatalogResource
from dq_resources.results.resource import ResultsStoreResource
from dq_resources.snowflake import SnowflakeSourceResource
from dq_resources.source_contract import OpenedTable, SourceError
from dq_resources.spark import SparkSourceResource
from dq_resources.sql.resource import SqlSourceResource

RESOURCE_KEYS = {
    "iceberg": "dq_iceberg",
    "athena": "dq_athena",
    "redshift": "dq_redshift",
    "sql": "dq_sql",
    "file": "dq_files",
    "duckdb": "dq_duckdb",
    "bigquery": "dq_bigquery",
    "spark": "dq_spark",
    "databricks": "dq_databricks",
    "snowflake": "dq_snowflake",
}
"""Every key starts with `dq_`, so dq's resources merge with any project's without a clash."""
CLOCK_RESOURCE_KEY = "dq_clock"
RESULTS_STORE_RESOURCE_KEY = "dq_results_store"
ALERT_STORE_RESOURCE_KEY = "dq_alert_store"
"""The alert sensors' parameter is named after this key: Dagster matches resources by name."""
RESULTS_URL_ENV = "DQ_RESULTS_URL"


def source_resource_key(source: SourceSpec) -> str:
    """The resource key an asset requires for its source type."""
    return RESOURCE_KEYS[source.type]


def open_table(resource: Any, source: SourceSpec) -> OpenedTable:
    """Ask the source's resource to locate the table."""
    _require_table(source)
    return resource.open(source)


def connect_and_describe(resource: Any, source: SourceSpec) -> str:
    """Ask the source's resource to connect and describe the table: a one-line summary."""
    _require_table(source)
    return resource.test_connection(source)


def _require_table(source: SourceSpec) -> None:
    """A `sql` source whose table its asset names (`dagster/table_name`) is known only in a run.

    Outside one (`dq sources test`, `dq propose`) it is a SourceError before any connection.
    """
    if source.table_from_asset:
        raise SourceError(
            f"{source.display()}: no table: it comes from the asset's dagster/table_name when the checks "
            "run in the project; set source.table to reach it from here"
        )


def results_store_resource() -> ResultsStoreResource:
    """`$DQ_RESULTS_URL` (kept an EnvVar: it may hold a password), else the sqlite file under `.dq/`."""
    if os.environ.get(RESULTS_URL_ENV):
        return ResultsStoreResource(url=dg.EnvVar(RESULTS_URL_ENV))
    return ResultsStoreResource()


def default_resources() -> dict[str, Any]:
    """Resources for every source type, with their default settings, the clock and the results store."""
    return {
        RESULTS_STORE_RESOURCE_KEY: results_store_resource(),
        RESOURCE_KEYS["iceberg"]: IcebergCatalogResource(),
        RESOURCE_KEYS["athena"]: AthenaSourceResource(),
        RESOURCE_KEYS["redshift"]: RedshiftSourceResource(),
        RESOURCE_KEYS["sql"]: SqlSourceResource(),
        RESOURCE_KEYS["file"]: FileSourceResource(),
        RESOURCE_KEYS["duckdb"]: DuckDBDatabaseResource(),
        RESOURCE_KEYS["bigquery"]: BigQuerySourceResource(),
        RESOURCE_KEYS["spark"]: SparkSourceResource(),
        RESOURCE_KEYS["databricks"]: DatabricksSourceResource(),
        RESOURCE_KEYS["snowflake"]: SnowflakeSourceResource(),
        CLOCK_RESOURCE_KEY: ClockResource(),
    }
