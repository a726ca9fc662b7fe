"""Engines that run metric queries."""

from dq_resources.engines.local_duckdb import LocalDuckDB, LocalScanSettings
from dq_resources.engines.sql_runner import SqlRunner

__all__ = ["LocalDuckDB", "LocalScanSettings", "SqlRunner"]
