"""The one thing dq_checks needs from an engine: run a query, return rows."""

from __future__ import annotations

from typing import Any, Protocol

from sqlglot import exp


class QueryRunner(Protocol):
    """Runs sqlglot queries against one table, which the queries call `relation`.

    Implementations live in dq_resources (local DuckDB over Arrow, or a pushed-down
    warehouse). They decide the dialect and how much memory-hungry work fits in one query.
    """

    dialect: str
    relation: exp.Table
    heavy_apart: bool
    """Whether heavy aggregates get queries of their own instead of riding in the light scan.

    A warehouse bills and queues per scan, so it wants one scan. The local engine rereads
    its own copy cheaply, and DuckDB's exact distinct counts slow every aggregate beside them.
    """

    def fetch_rows(self, query: exp.Query) -> list[tuple[Any, ...]]:
        """Run `query` and return every row."""
        ...

    def heavy_metrics_per_query(self, row_count: int) -> int:
        """How many row-proportional aggregates (exact distinct counts, quantiles) to run together."""
        ...
