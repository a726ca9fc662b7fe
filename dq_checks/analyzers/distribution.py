"""Compute Distribution analyzers: histograms of numeric columns, top values of the others.

A column's row count, value count, minimum and maximum ride in the rules' single scan (the
profile computes the same aggregates, so they cost nothing more). Once the scan is back, every
histogram of the table is counted in one more aggregate query (more only when the engine's query
budget splits it): one `COUNT_IF` per bin, comparing the column with edges computed here, so the
edges reported are exactly the edges counted against. The top values of each other column come
from the profiler's own frequency query, asked for AWS's 20 values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from sqlglot import exp

from dq_checks.analyzers.distribution_model import ColumnDistribution, HistogramBin
from dq_checks.analyzers.distribution_settings import DistributionSettings
from dq_checks.metrics import AggregateMetric, MetricValues, QueryRunner, compute_aggregates
from dq_checks.metrics.runner import fetch_all
from dq_checks.metrics.sql import count_if, count_rows, number
from dq_checks.profile.column_metrics import extremes_metrics, frequency_query, statistic_value
from dq_checks.profile.model import Scalar, ValueCount
from dq_checks.profile.values import as_float, cut_text, plain
from dq_checks.rules.engine_errors import engine_error_text
from dq_checks.schema import ColumnInfo, ColumnKind

TOP_VALUES = 20
"""AWS returns the 20 most frequent values of a non-numeric column."""


@dataclass(frozen=True)
class DistributionPlan:
    """One column's Distribution: the aggregates it adds to the shared scan, and its settings."""

    column: ColumnInfo
    settings: DistributionSettings

    @property
    def numeric(self) -> bool:
        """Numeric columns get a histogram; every other kind its top values."""
        return self.column.kind is ColumnKind.NUMERIC

    @property
    def rows(self) -> AggregateMetric:
        """COUNT(*), which the profile computes too."""
        return AggregateMetric(count_rows())

    @property
    def extremes(self) -> tuple[AggregateMetric, AggregateMetric | None, AggregateMetric | None]:
        """The column's value count, minimum and maximum, as the profile computes them."""
        found = extremes_metrics(self.column)
        return found.non_null, found.minimum, found.maximum

    @property
    def metrics(self) -> list[AggregateMetric]:
        """What this analyzer adds to the shared scan (already there when the profile measures the column)."""
        non_null, low, high = self.extremes
        wanted = [self.rows, non_null, *((low, high) if self.numeric else ())]
        return [m for m in wanted if m is not None]


def measure_distributions(
    plans: Mapping[int, DistributionPlan], values: MetricValues, runner: QueryRunner
) -> dict[int, ColumnDistribution | str]:
    """Each plan's distribution, or the engine's reason it has none, by the plan's index."""
    found: dict[int, ColumnDistribution | str] = {}
    histograms = {i: _Histogram.of(plan, values) for i, plan in plans.items() if plan.numeric}
    metrics = [m for h in histograms.values() for m in h.metrics]
    if metrics:
        rows = int(values[AggregateMetric(count_rows())])
        try:
            counted = compute_aggregates(runner, metrics, row_count_hint=rows)
        except Exception as error:  # the engine refused the histogram query: every histogram says why
            reason = f"the engine could not count the histogram: {engine_error_text(error)}"
            found.update(dict.fromkeys(histograms, reason))
        else:
            found.update({i: h.distribution(counted) for i, h in histograms.items()})
    others = {i: plan for i, plan in plans.items() if not plan.numeric}
    found.update(_top_values(others, values, runner))
    return found


@dataclass(frozen=True)
class _Histogram:
    """A numeric column's equal-width bins over this run's minimum and maximum, as aggregates."""

    plan: DistributionPlan
    null_count: int
    non_null: int
    edges: tuple[float, ...]
    metrics: tuple[AggregateMetric, ...]

    @classmethod
    def of(cls, plan: DistributionPlan, values: MetricValues) -> _Histogram:
        non_null_metric, low_metric, high_metric = plan.extremes
        rows, non_null = int(values[plan.rows]), int(values[non_null_metric])
        low = as_float(values[low_metric]) if low_metric is not None else None
        high = as_float(values[high_metric]) if high_metric is not None else None
        if low is None or high is None:  # no finite value: no bins
            return cls(plan, rows - non_null, non_null, (), ())
        edges = _edges(low, high, plan.settings.bins)
        value = statistic_value(plan.column)
        return cls(plan, rows - non_null, non_null, edges, tuple(_bin_counts(value, edges)))

    def distribution(self, counted: MetricValues) -> ColumnDistribution:
        counts = [int(counted[m] or 0) for m in self.metrics]
        bins = tuple(
            HistogramBin(low, high, count)
            for (low, high), count in zip(pairwise(self.edges), counts, strict=True)
        )
        settings = self.plan.settings
        return ColumnDistribution(
            column=self.plan.column.name,
            kind="histogram",
            null_count=self.null_count,
            bins_requested=settings.bins,
            rebin=settings.rebin,
            bins=bins,
            non_finite_count=self.non_null - sum(counts),
        )


def _edges(low: float, high: float, bins: int) -> tuple[float, ...]:
    """The `bins` + 1 equal-width edges, exactly `low` and `high` at the ends; one bin when they are equal."""
    if high <= low:
        return (low, high)
    inner = (low + (high - low) * i / bins for i in range(1, bins))
    return (low, *inner, high)


def _bin_counts(value: exp.Expression, edges: tuple[float, ...]) -> list[AggregateMetric]:
    """One COUNT_IF per bin: [low, high), the last [low, high].

    The first bin is bounded above only and the last below only: nothing finite lies outside
    [min, max], so every value is counted once even where a DECIMAL's minimum and its DOUBLE
    differ in the last digit. NULLs (and NaN, infinities: NULL in `statistic_value`) match none.
    """
    last = len(edges) - 2
    metrics = []
    for index, (low, high) in enumerate(pairwise(edges)):
        parts: list[exp.Expression] = []
        if index > 0:
            parts.append(exp.GTE(this=value.copy(), expression=number(low)))
        if index < last:
            parts.append(exp.LT(this=value.copy(), expression=number(high)))
        if not parts:  # one bin: every finite value
            parts.append(exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null())))
        condition = parts[0] if len(parts) == 1 else exp.And(this=parts[0], expression=parts[1])
        metrics.append(AggregateMetric(count_if(condition)))
    return metrics


def _top_values(
    plans: Mapping[int, DistributionPlan], values: MetricValues, runner: QueryRunner
) -> dict[int, ColumnDistribution | str]:
    """The 20 most frequent values of each column, ties by value ascending (the profiler's order)."""
    if not plans:
        return {}
    queries = [frequency_query(plan.column, runner.relation, limit=TOP_VALUES) for plan in plans.values()]
    try:
        answers: list[list[tuple[Any, ...]] | str] = list(fetch_all(runner, queries))
    except Exception:  # one column's query failed: run each alone, so only that column says why
        answers = [_rows_or_reason(runner, query) for query in queries]
    found: dict[int, ColumnDistribution | str] = {}
    for (index, plan), rows in zip(plans.items(), answers, strict=True):
        if isinstance(rows, str):
            found[index] = f"the engine could not count the values: {rows}"
            continue
        non_null_metric, _, _ = plan.extremes
        top = tuple(ValueCount(_shown(value, length), int(count)) for value, length, count, _ in rows)
        found[index] = ColumnDistribution(
            column=plan.column.name,
            kind="top_values",
            null_count=int(values[plan.rows]) - int(values[non_null_metric]),
            bins_requested=plan.settings.bins,
            rebin=plan.settings.rebin,
            top_values=top,
            distinct_count=int(rows[0][3]) if rows else 0,
        )
    return found


def _rows_or_reason(runner: QueryRunner, query: exp.Query) -> list[tuple[Any, ...]] | str:
    try:
        return runner.fetch_rows(query)
    except Exception as error:  # reported on this column's analyzer
        return engine_error_text(error)


def _shown(value: object, length: object) -> Scalar:
    """A value as the profile stores it: text fetched as its start and length gets its cut marker."""
    if isinstance(value, str) and isinstance(length, int):
        return cut_text(value, length)
    return plain(value)
