"""The `duckdb` source: a table in a DuckDB database file, read in place and read-only."""

from dq_resources.duckdb_database.resource import DuckDBDatabaseResource, DuckDBDatabaseTable

__all__ = ["DuckDBDatabaseResource", "DuckDBDatabaseTable"]
