"""Engines that run metric queries.

The names load on first use: the local engine brings pyarrow and DuckDB, which the code
location must not import just because a pushdown source shares a constant with it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dq_resources.engines.local_duckdb import LocalDuckDB, LocalScanSettings
    from dq_resources.engines.sql_runner import SqlRunner

_HOMES = {
    "LocalDuckDB": "dq_resources.engines.local_duckdb",
    "LocalScanSettings": "dq_resources.engines.local_duckdb",
    "SqlRunner": "dq_resources.engines.sql_runner",
}

__all__ = ["LocalDuckDB", "LocalScanSettings", "SqlRunner"]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)
