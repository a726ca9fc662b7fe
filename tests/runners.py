"""Test helpers that are real parts: a DuckDB runner over in-memory Arrow data."""

from __future__ import annotations

import pyarrow as pa

from dq_resources.engines import LocalDuckDB, LocalScanSettings


def duckdb_over(table: pa.Table, *, heavy_cells_per_query: int = 8_000_000) -> LocalDuckDB:
    """A loaded LocalDuckDB engine holding `table` (close it, or use it as a context manager)."""
    engine = LocalDuckDB(LocalScanSettings(memory_limit="256MB", heavy_cells_per_query=heavy_cells_per_query))
    engine.load(table.to_reader())
    return engine
