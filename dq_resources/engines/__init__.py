"""Engines that run metric queries."""

from dq_resources.engines.local_duckdb import LocalDuckDB, LocalScanSettings

__all__ = ["LocalDuckDB", "LocalScanSettings"]
