"""Batch aggregate metrics into as few queries as memory allows, and read the values back.

A wide table needs more than one query: its aggregates are split by the engine's
`QueryBudget` (aggregates of any kind, row-proportional ones, exact distinct counts per
query), so the memory one query needs depends on the budget, not on the table's width.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from dq_checks.metrics.metric import AggregateMetric
from dq_checks.metrics.runner import QueryBudget, QueryRunner, budget_of, fetch_all
from dq_checks.metrics.sql import select_from


class MetricValues(Mapping[str, Any]):
    """Values of computed metrics, looked up by metric (or its key)."""

    def __init__(self, values: Mapping[str, Any], query_count: int = 0) -> None:
        self._values = dict(values)
        self.query_count = query_count

    def __getitem__(self, metric: str | AggregateMetric) -> Any:
        """The value of `metric`, or of the metric whose key is given."""
        return self._values[metric.key if isinstance(metric, AggregateMetric) else metric]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def unique_metrics(metrics: Iterable[AggregateMetric]) -> list[AggregateMetric]:
    """Drop metrics whose expression another metric already computes, keeping order."""
    seen: dict[str, AggregateMetric] = {}
    for metric in metrics:
        seen.setdefault(metric.key, metric)
    return list(seen.values())


def batch_metrics(
    metrics: Sequence[AggregateMetric], budget: QueryBudget | int, *, heavy_apart: bool = False
) -> list[list[AggregateMetric]]:
    """Split metrics into queries that each stay within `budget` (an int: heavy metrics per query).

    Light metrics share queries of up to `budget.aggregates`; heavy ones go `budget.heavy` at a
    time, of which at most `budget.distinct` exact distinct counts. Unless `heavy_apart`, the
    first heavy batch rides in the first light query when the two fit together, so a narrow
    table whose heavy metrics fit in memory together is scanned exactly once. Metrics keep
    their order, so one column's aggregates stay together.

    An engine that runs `budget.parallel` queries at once gets each pass (the light metrics, the
    heavy ones) spread over at least that many queries, split between columns, so that no core
    waits while one query holds every column.
    """
    limits = budget if isinstance(budget, QueryBudget) else QueryBudget(heavy=budget)
    width = limits.aggregates if limits.aggregates is not None and limits.aggregates > 0 else None
    light_metrics = [m for m in metrics if not m.heavy]
    extremes: list[list[AggregateMetric]] = []
    if limits.extremes_apart:
        by_column, light_metrics = _extremes_by_column(light_metrics)
        extremes = _spread(_grouped(by_column, EXTREMES_COLUMNS_PER_QUERY), limits.parallel)
    light = _spread(_chunks(light_metrics, width), limits.parallel)
    heavy = _heavy_batches([m for m in metrics if m.heavy], limits, width)
    if not heavy_apart and light and heavy and (width is None or len(light[0]) + len(heavy[0]) <= width):
        return [light[0] + heavy[0], *light[1:], *extremes, *heavy[1:]]
    return [*light, *extremes, *heavy]


_EXTREMES = (exp.Count, exp.Min, exp.Max)
EXTREMES_COLUMNS_PER_QUERY = 25
"""Columns read only by COUNT, MIN and MAX go this many to a query, apart from the other metrics.

A query of nothing but such aggregates is still answered from the files' statistics where they
hold the answer; one query per column was, until a 1,000-column table ran 500 of them and each
query's fixed cost (binding a 1,000-column view over the files) took more than its work.
"""


def _grouped(batches: list[list[AggregateMetric]], size: int) -> list[list[AggregateMetric]]:
    """Consecutive batches joined, `size` batches to a group."""
    return [[m for batch in batches[i : i + size] for m in batch] for i in range(0, len(batches), size)]


def _extremes_by_column(
    metrics: list[AggregateMetric],
) -> tuple[list[list[AggregateMetric]], list[AggregateMetric]]:
    """One batch per column that only COUNT, MIN or MAX read, and the metrics left over.

    A column that any other light metric reads stays with the others: its query reads the
    column anyway, so its extremes cost nothing more there.
    """

    def extreme_of(metric: AggregateMetric) -> str | None:
        expression = metric.expression
        if isinstance(expression, _EXTREMES) and isinstance(expression.this, exp.Column):
            return expression.this.name
        return None

    scanned = {
        column.name
        for metric in metrics
        if extreme_of(metric) is None
        for column in metric.expression.find_all(exp.Column)
    }
    by_column: dict[str, list[AggregateMetric]] = {}
    rest: list[AggregateMetric] = []
    for metric in metrics:
        name = extreme_of(metric)
        if name is None or name in scanned:
            rest.append(metric)
        else:
            by_column.setdefault(name, []).append(metric)
    apart = list(by_column.values())
    return apart, rest


def _chunks(metrics: list[AggregateMetric], size: int | None) -> list[list[AggregateMetric]]:
    if not metrics:
        return []
    if size is None:
        return [metrics]
    return [metrics[i : i + size] for i in range(0, len(metrics), size)]


def _spread(batches: list[list[AggregateMetric]], parallel: int) -> list[list[AggregateMetric]]:
    """`batches` split further, between columns, until there are `parallel` of them (where it can).

    A split falls where the column read changes, so one column's aggregates stay in one query.
    """
    if parallel <= 1 or len(batches) >= parallel:
        return batches
    metrics = [m for batch in batches for m in batch]
    runs: list[list[AggregateMetric]] = []
    for metric in metrics:
        if runs and _column_of(runs[-1][-1]) == _column_of(metric):
            runs[-1].append(metric)
        else:
            runs.append([metric])
    parts = min(parallel, len(runs))
    if parts <= len(batches):
        return batches
    spread: list[list[AggregateMetric]] = [[] for _ in range(parts)]
    target = len(metrics) / parts
    index = 0
    for run in runs:
        if spread[index] and len(spread[index]) + len(run) / 2 > target and index < parts - 1:
            index += 1
        spread[index].extend(run)
    return [part for part in spread if part]


def _column_of(metric: AggregateMetric) -> str | None:
    """The first column a metric reads (None: it reads none, such as COUNT(*))."""
    column = metric.expression.find(exp.Column)
    return None if column is None else column.name


def _heavy_batches(
    metrics: list[AggregateMetric], limits: QueryBudget, width: int | None
) -> list[list[AggregateMetric]]:
    """Heavy metrics in as few queries as the limits allow (at least `parallel`), evenly filled.

    Even, because queries that run at once end when the longest does: 5 distinct counts beside
    1 took 0.81 s and 0.13 s, where 3 beside 3 end together in about half.
    """
    if not metrics:
        return []
    per_query = max(1, limits.heavy if width is None else min(limits.heavy, width))
    distinct_per_query = max(1, min(per_query, limits.distinct if limits.distinct is not None else per_query))
    distinct_total = sum(metric.counts_distinct for metric in metrics)
    needed = max(
        math.ceil(len(metrics) / per_query), math.ceil(distinct_total / distinct_per_query), limits.parallel
    )
    fill = math.ceil(len(metrics) / min(needed, len(metrics)))
    batches: list[list[AggregateMetric]] = []
    batch: list[AggregateMetric] = []
    distinct = 0
    for metric in metrics:
        full = len(batch) >= min(per_query, fill)
        if full or (metric.counts_distinct and distinct == distinct_per_query):
            batches.append(batch)
            batch, distinct = [], 0
        batch.append(metric)
        distinct += metric.counts_distinct
    if batch:
        batches.append(batch)
    return batches


@dataclass(frozen=True)
class AggregatePlan:
    """The queries that compute a set of metrics, and how to read their values back.

    Planned apart from running, so a caller can send these queries together with others
    (the profile's frequency queries) and keep the engine's threads busy across both.
    """

    batches: list[list[AggregateMetric]]
    queries: list[exp.Query]

    def run(
        self, runner: QueryRunner, *, alongside: Sequence[exp.Query] = ()
    ) -> tuple[MetricValues, list[list[tuple[Any, ...]]]]:
        """The metrics' values, and the rows of the `alongside` queries, all sent together.

        The queries with row-proportional aggregates go first, `alongside` next, the light ones
        last: queries that run at once end when the longest ends, and starting the longest first
        leaves the short ones to fill the other threads (longest-processing-time-first).
        """
        heavy = [i for i, batch in enumerate(self.batches) if any(m.heavy for m in batch)]
        light = [i for i, batch in enumerate(self.batches) if not any(m.heavy for m in batch)]
        count = len(self.queries)
        order = [*heavy, *range(count, count + len(alongside)), *light]
        every = [*self.queries, *alongside]
        results: list[list[tuple[Any, ...]]] = [[] for _ in every]
        for index, rows in zip(order, fetch_all(runner, [every[i] for i in order]), strict=True):
            results[index] = rows
        return self._values(results[:count]), results[count:]

    def _values(self, results: Sequence[list[tuple[Any, ...]]]) -> MetricValues:
        values: dict[str, Any] = {}
        for batch, rows in zip(self.batches, results, strict=True):
            (row,) = rows
            values.update({m.key: value for m, value in zip(batch, row, strict=True)})
        return MetricValues(values, query_count=len(self.batches))


def plan_aggregates(
    runner: QueryRunner,
    metrics: Iterable[AggregateMetric],
    *,
    row_count_hint: int,
    where: exp.Expression | None = None,
) -> AggregatePlan:
    """The fewest queries that compute every metric and keep memory bounded (see `batch_metrics`)."""
    batches = batch_metrics(
        unique_metrics(metrics), budget_of(runner, row_count_hint), heavy_apart=runner.heavy_apart
    )
    queries = [select_from([m.expression.copy() for m in batch], runner.relation, where) for batch in batches]
    return AggregatePlan(batches, queries)


def compute_aggregates(
    runner: QueryRunner,
    metrics: Iterable[AggregateMetric],
    *,
    row_count_hint: int,
    where: exp.Expression | None = None,
) -> MetricValues:
    """Compute every metric with the fewest queries that keep memory bounded, at once where the engine can."""
    plan = plan_aggregates(runner, metrics, row_count_hint=row_count_hint, where=where)
    values, _ = plan.run(runner)
    return values
