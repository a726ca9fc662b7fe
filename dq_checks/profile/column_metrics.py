"""Which aggregates profile a column, per column kind. Each metric owns its SQL."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlglot import exp

from dq_checks.config.models import ProfileLevel
from dq_checks.metrics import AggregateMetric
from dq_checks.metrics.approximate import distinct_count, quantile_list
from dq_checks.metrics.ranked_quantiles import QUANTILES_APART_DIALECTS, ranked_quantiles
from dq_checks.metrics.sql import (
    as_double,
    column,
    count_if,
    count_non_null,
    finite_or_null,
    is_finite,
    number,
    select_from,
    text_length,
    text_start,
    top_n,
)
from dq_checks.profile.values import MAX_VALUE_CHARS
from dq_checks.schema import ColumnInfo, ColumnKind

QUARTILES = (0.25, 0.5, 0.75)
TOP_VALUES_LIMIT = 10
EXTREMES_LIMIT = 20


@dataclass(frozen=True)
class FirstPassMetrics:
    """The first-pass aggregates of one column; None where the kind has no such metric."""

    non_null: AggregateMetric
    distinct: AggregateMetric | None = None
    minimum: AggregateMetric | None = None
    maximum: AggregateMetric | None = None
    mean: AggregateMetric | None = None
    std: AggregateMetric | None = None
    quartiles: AggregateMetric | None = None
    zeros: AggregateMetric | None = None
    negatives: AggregateMetric | None = None
    non_finite: AggregateMetric | None = None
    approximate: tuple[str, ...] = ()
    """The ColumnProfile fields these metrics only approximate (`distinct_count`, `q1`, `median`, `q3`)."""

    def all(self) -> list[AggregateMetric]:
        """Every metric this column needs."""
        candidates = [
            self.non_null,
            self.distinct,
            self.minimum,
            self.maximum,
            self.mean,
            self.std,
            self.quartiles,
            self.zeros,
            self.negatives,
            self.non_finite,
        ]
        return [m for m in candidates if m is not None]


def first_pass_metrics(
    info: ColumnInfo, level: ProfileLevel = ProfileLevel.EXACT, dialect: str = "duckdb"
) -> FirstPassMetrics:
    """The aggregates that profile `info` in the first scan, at `level` on `dialect`'s engine.

    Categorical columns get their distinct count from the frequency query instead, which
    groups by the column anyway; counting distinct values twice would double the cost (at the
    approximate level too: the frequency query's exact count comes free with the top values).
    Floating-point columns count NaN and infinities apart and leave them out of every
    statistic, so one NaN cannot turn the mean, the quartiles and the outlier pass into NaN.
    At the approximate level the distinct count and the quartiles come from sketches of fixed
    memory where the engine has them, which are then not heavy; `approximate` names them.
    At `off`, see `extremes_metrics`: the profile measures no column unless another check needs it.
    On an engine without a quantile aggregate (`quartiles_apart`) the quartiles are left out here:
    `quartile_query` gets them in a query of their own.
    """
    col = column(info.name)
    non_null = AggregateMetric(count_non_null(col))
    if info.kind is ColumnKind.OTHER:
        return FirstPassMetrics(non_null=non_null)
    if info.kind is ColumnKind.BOOLEAN:  # its two values' counts say everything; MIN(boolean) is not portable
        return FirstPassMetrics(non_null=non_null)
    extremes = _extremes(info)
    if info.kind.is_categorical:
        return FirstPassMetrics(non_null=non_null, **extremes)
    approximate = level is ProfileLevel.APPROXIMATE
    distinct_sql = distinct_count(col.copy(), dialect, approximate=approximate)
    distinct = AggregateMetric(distinct_sql.expression, heavy=distinct_sql.heavy)
    approximated = ("distinct_count",) if distinct_sql.approximate else ()
    if info.kind is not ColumnKind.NUMERIC:
        return FirstPassMetrics(non_null=non_null, distinct=distinct, approximate=approximated, **extremes)
    value = statistic_value(info)
    non_finite = (
        AggregateMetric(count_if(exp.Not(this=is_finite(as_double(col.copy()))))) if info.floating else None
    )
    quartiles: AggregateMetric | None = None
    if not quartiles_apart(info, dialect):
        quartiles_sql = quantile_list(value.copy(), QUARTILES, dialect, approximate=approximate)
        quartiles = AggregateMetric(quartiles_sql.expression, heavy=quartiles_sql.heavy)
        if quartiles_sql.approximate:
            approximated += ("q1", "median", "q3")
    return FirstPassMetrics(
        non_null=non_null,
        distinct=distinct,
        mean=AggregateMetric(exp.Avg(this=value.copy())),
        std=AggregateMetric(exp.StddevSamp(this=value.copy())),
        quartiles=quartiles,
        zeros=AggregateMetric(count_if(exp.EQ(this=col.copy(), expression=number(0)))),
        negatives=AggregateMetric(count_if(exp.LT(this=col.copy(), expression=number(0)))),
        non_finite=non_finite,
        approximate=approximated,
        **extremes,
    )


def quartiles_apart(info: ColumnInfo, dialect: str) -> bool:
    """Whether the column's quartiles come from `quartile_query`, not from the first scan.

    So they do for a numeric column on an engine that has no quantile aggregate (MySQL, MariaDB).
    """
    return info.kind is ColumnKind.NUMERIC and dialect in QUANTILES_APART_DIALECTS


def quartile_query(info: ColumnInfo, relation: exp.Table) -> exp.Select:
    """One row: the exact q1, median and q3 of a numeric column, as the first scan's quartiles would be."""
    return ranked_quantiles(statistic_value(info), relation, QUARTILES)


def extremes_metrics(info: ColumnInfo) -> FirstPassMetrics:
    """Only the count, min and max of a column: what `profile: off` measures of a column a check reads.

    Freshness on a timestamp column reads its max; nothing heavier is measured.
    """
    non_null = AggregateMetric(count_non_null(column(info.name)))
    if info.kind in (ColumnKind.OTHER, ColumnKind.BOOLEAN):
        return FirstPassMetrics(non_null=non_null)
    return FirstPassMetrics(non_null=non_null, **_extremes(info))


def _extremes(info: ColumnInfo) -> dict[str, AggregateMetric]:
    col = column(info.name)
    ranged = finite_or_null(col) if info.floating else col
    return {
        "minimum": AggregateMetric(exp.Min(this=ranged.copy())),
        "maximum": AggregateMetric(exp.Max(this=ranged.copy())),
    }


def statistic_value(info: ColumnInfo) -> exp.Expression:
    """The column as DOUBLE, with NaN and infinities turned into NULL for floating types."""
    value = as_double(column(info.name))
    return finite_or_null(value) if info.floating else value


def frequency_query(info: ColumnInfo, relation: exp.Table, limit: int = TOP_VALUES_LIMIT) -> exp.Query:
    """The most frequent non-NULL values with their counts, and the number of distinct values.

    Each row is (value, its length or NULL, count, distinct values). The grouped counts are
    computed once (a materialized CTE) and read twice: counting the groups gives the exact
    distinct count, ordering them gives the top values. That is one hash aggregation instead
    of a COUNT(DISTINCT) and a GROUP BY, and measured faster than a window over the groups.

    Text is grouped by its whole value, so the counts stay exact, but only its first
    MAX_VALUE_CHARS characters and its length leave the group: twenty 5 MB strings would
    otherwise be copied into the CTE and sorted whole, which ran DuckDB out of memory.
    """
    col = column(info.name)
    value, length = exp.to_identifier("value", quoted=True), exp.to_identifier("length", quoted=True)
    count = exp.to_identifier("n", quoted=True)
    groups = exp.to_identifier("value_counts", quoted=True)
    is_text = info.kind is ColumnKind.STRING
    shown = text_start(col.copy(), MAX_VALUE_CHARS) if is_text else col.copy()
    size = text_length(col.copy()) if is_text else exp.Null()
    grouped = select_from(
        [exp.alias_(shown, value), exp.alias_(size, length), exp.alias_(exp.Count(this=exp.Star()), count)],
        relation,
        where=exp.Not(this=exp.Is(this=col.copy(), expression=exp.Null())),
    ).group_by(col.copy())
    group_count = exp.Subquery(this=exp.select(exp.Count(this=exp.Star())).from_(exp.table_(groups)))
    distinct_values = exp.alias_(group_count, "distinct_values", quoted=True)
    order = [exp.Ordered(this=exp.column(count), desc=True), exp.Ordered(this=exp.column(value))]
    if is_text:
        order.append(exp.Ordered(this=exp.column(length)))
    return (
        exp.select(exp.column(value), exp.column(length), exp.column(count), distinct_values)
        .from_(exp.table_(groups))
        .with_(groups, as_=grouped, materialized=True)
        .order_by(*order)
        .limit(limit)
    )


@dataclass(frozen=True)
class SecondPassMetrics:
    """Outlier counts that need the first pass's mean, std and quartiles."""

    zscore_count: AggregateMetric | None
    iqr_count: AggregateMetric
    largest: AggregateMetric | None
    smallest: AggregateMetric | None
    iqr_lower_bound: float
    iqr_upper_bound: float

    def all(self) -> list[AggregateMetric]:
        """Every metric of the second pass for this column."""
        metrics = [self.zscore_count, self.iqr_count, self.largest, self.smallest]
        return [m for m in metrics if m is not None]


def second_pass_metrics(
    info: ColumnInfo,
    *,
    mean: float,
    std: float | None,
    q1: float,
    q3: float,
    zscore_threshold: float,
    iqr_multiplier: float,
    tails_in_aggregate: bool = True,
) -> SecondPassMetrics:
    """Count values beyond |z| > threshold and beyond the IQR fences, and fetch both tails.

    With `tails_in_aggregate`, the tails are list-valued aggregates (DuckDB's `max(x, n)`)
    in the same scan; engines without them run `tail_query` instead.
    """
    value = statistic_value(info)
    iqr = q3 - q1
    lower, upper = q1 - iqr_multiplier * iqr, q3 + iqr_multiplier * iqr
    zscore_count = None
    if std is not None and math.isfinite(std) and std > 0:
        distance = exp.Abs(this=exp.Sub(this=value.copy(), expression=number(mean)))
        zscore_count = AggregateMetric(
            count_if(exp.GT(this=distance, expression=number(zscore_threshold * std)))
        )
    outside = exp.Or(
        this=exp.LT(this=value.copy(), expression=number(lower)),
        expression=exp.GT(this=value.copy(), expression=number(upper)),
    )
    return SecondPassMetrics(
        zscore_count=zscore_count,
        iqr_count=AggregateMetric(count_if(exp.paren(outside))),
        largest=AggregateMetric(top_n(value.copy(), EXTREMES_LIMIT, largest=True))
        if tails_in_aggregate
        else None,
        smallest=(
            AggregateMetric(top_n(value.copy(), EXTREMES_LIMIT, largest=False))
            if tails_in_aggregate
            else None
        ),
        iqr_lower_bound=lower,
        iqr_upper_bound=upper,
    )


def tail_query(info: ColumnInfo, relation: exp.Table, *, largest: bool) -> exp.Select:
    """The EXTREMES_LIMIT largest (or smallest) values, for engines without list aggregates."""
    value = statistic_value(info)
    return (
        select_from(
            [value.copy()], relation, where=exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null()))
        )
        .order_by(exp.Ordered(this=value.copy(), desc=largest))
        .limit(EXTREMES_LIMIT)
    )
