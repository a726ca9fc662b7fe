"""The one thing dq_checks needs from an engine: run a query, return rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlglot import exp


@dataclass(frozen=True)
class QueryBudget:
    """How much aggregate work one query may carry, so a wide table is split over several queries.

    `heavy`: row-proportional aggregates (exact quantiles, exact distinct counts) per query.
    `distinct`: exact distinct counts per query, at most `heavy`; None means as many as `heavy`.
    `aggregates`: aggregates of any kind per query; None means no limit. One SELECT with
    thousands of aggregates holds an input vector per aggregate per thread and binds slowly.
    """

    heavy: int
    distinct: int | None = None
    aggregates: int | None = None
    extremes_apart: bool = False
    """Whether columns read only for COUNT, MIN and MAX get queries of their own (a few dozen to one).

    DuckDB answers such a query from the Parquet files' statistics (or its own storage's)
    without reading a page, but only when every aggregate of the query can be answered so: one
    `AVG` beside them and the whole query reads every column it names. At 10M rows x 50
    columns the light pass took 26 s with the text columns' MIN and MAX in it, and 0.01 s per
    column apart.
    """
    parallel: int = 1
    """How many queries the engine runs at once; each pass is spread over at least this many.

    DuckDB splits one query's scan over its threads only by Parquet row group, and a 1M-row
    Iceberg data file written by pyiceberg is one row group: one query, one core. Two queries
    over disjoint columns, run at once on their own cursors, use both cores (measured at 1M rows
    x 10 columns: 1.40 s one after another, 0.81 s two at a time). The memory-bound limits above
    are already divided among the queries that run together.
    """


class QueryRunner(Protocol):
    """Runs sqlglot queries against one table, which the queries call `relation`.

    Implementations live in dq_resources (local DuckDB over Arrow, or a pushed-down
    warehouse). They decide the dialect and how much memory-hungry work fits in one query:
    `heavy_metrics_per_query` always, and, when the engine plans by the table's width too, a
    method `query_budget(row_count) -> QueryBudget` (see `budget_of`).
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


def budget_of(runner: QueryRunner, row_count: int) -> QueryBudget:
    """The runner's own `query_budget`, or just its heavy-metric count (a warehouse plans its own memory)."""
    planned = getattr(runner, "query_budget", None)
    if callable(planned):
        budget = planned(row_count)
        assert isinstance(budget, QueryBudget)
        return budget
    return QueryBudget(heavy=runner.heavy_metrics_per_query(row_count))


def parallel_queries(runner: QueryRunner) -> int:
    """How many queries `runner` runs at once (its `parallel_queries`; 1 unless it says so).

    A runner that says more than 1 is safe to call from several threads: `fetch_rows` at the
    same time, and `fetch_many`.
    """
    return max(1, int(getattr(runner, "parallel_queries", 1)))


def fetch_all(runner: QueryRunner, queries: Sequence[exp.Query]) -> list[list[tuple[Any, ...]]]:
    """Every query's rows, in order: at once where the runner can (`fetch_many`), else one by one.

    A query that fails raises its error, as `fetch_rows` would, once the others have ended.
    """
    many = getattr(runner, "fetch_many", None)
    if callable(many) and len(queries) > 1:
        results = many(list(queries))
        assert isinstance(results, list)
        return results
    return [runner.fetch_rows(query) for query in queries]
