"""Test helpers that are real parts: a DuckDB runner over in-memory Arrow data."""

from __future__ import annotations

import pyarrow as pa

from dq_resources.engines import LocalDuckDB, LocalScanSettings


def duckdb_over(table: pa.Table, *, heavy_cells_per_query: int = 8_000_000, threads: int = 1) -> LocalDuckDB:
    """A loaded LocalDuckDB engine holding `table` (close it, or use it as a context manager).

    One thread by default: the engine then runs one query at a time, and a test's query counts
    are the plan's own, whatever the machine's cores (two threads spread each pass over two).
    """
    engine = LocalDuckDB(
        LocalScanSettings(memory_limit="256MB", heavy_cells_per_query=heavy_cells_per_query, threads=threads)
    )
    engine.load(table.to_reader())
    return engine
