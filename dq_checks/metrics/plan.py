"""Batch aggregate metrics into as few queries as memory allows, and read the values back."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlglot import exp

from dq_checks.metrics.metric import AggregateMetric
from dq_checks.metrics.runner import QueryRunner
from dq_checks.metrics.sql import select_from


class MetricValues(Mapping[str, Any]):
    """Values of computed metrics, looked up by metric (or its key)."""

    def __init__(self, values: Mapping[str, Any], query_count: int = 0) -> None:
        self._values = dict(values)
        self.query_count = query_count

    def __getitem__(self, metric: str | AggregateMetric) -> Any:
        return self._values[metric.key if isinstance(metric, AggregateMetric) else metric]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def of(self, metric: AggregateMetric) -> Any:
        """The value of `metric`."""
        return self._values[metric.key]


def unique_metrics(metrics: Iterable[AggregateMetric]) -> list[AggregateMetric]:
    """Drop metrics whose expression another metric already computes, keeping order."""
    seen: dict[str, AggregateMetric] = {}
    for metric in metrics:
        seen.setdefault(metric.key, metric)
    return list(seen.values())


def batch_metrics(
    metrics: Sequence[AggregateMetric], heavy_per_query: int, *, heavy_apart: bool = False
) -> list[list[AggregateMetric]]:
    """Light metrics share one query; heavy ones go `heavy_per_query` at a time.

    Unless `heavy_apart`, the first batch carries every light metric and the first heavy
    ones, so a table whose heavy metrics fit in memory together is scanned exactly once.
    """
    light = [m for m in metrics if not m.heavy]
    heavy = [m for m in metrics if m.heavy]
    size = max(1, heavy_per_query)
    heavy_batches = [heavy[i : i + size] for i in range(0, len(heavy), size)] or [[]]
    first, *rest = heavy_batches
    batches = [light, first, *rest] if heavy_apart else [light + first, *rest]
    return [batch for batch in batches if batch]


def compute_aggregates(
    runner: QueryRunner,
    metrics: Iterable[AggregateMetric],
    *,
    row_count_hint: int,
    where: exp.Expression | None = None,
) -> MetricValues:
    """Compute every metric with the fewest queries that keep memory bounded."""
    distinct = unique_metrics(metrics)
    values: dict[str, Any] = {}
    batches = batch_metrics(
        distinct, runner.heavy_metrics_per_query(row_count_hint), heavy_apart=runner.heavy_apart
    )
    for batch in batches:
        projections = [m.expression.copy() for m in batch]
        rows = runner.fetch_rows(select_from(projections, runner.relation, where))
        (row,) = rows
        values.update({m.key: value for m, value in zip(batch, row, strict=True)})
    return MetricValues(values, query_count=len(batches))
