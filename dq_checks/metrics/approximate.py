"""Approximate aggregates where the engine has them, the exact ones where it does not.

HyperLogLog distinct counts and sketch quantiles hold a fixed amount of memory per column,
whatever the row count, so they are not heavy metrics. Each builder says whether it really
approximated: on an engine without the function (Postgres, MySQL) it returns the exact
aggregate and says so, and the profile then marks that number exact. An approximation is
never claimed that was not made, and no query fails for want of one.

sqlglot writes each dialect's own function: DuckDB `approx_count_distinct` and
`approx_quantile`, Trino and Athena `approx_distinct` and `approx_percentile`, Redshift
`APPROXIMATE COUNT(DISTINCT ...)`, Spark `percentile_approx`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from dq_checks.metrics.sql import count_distinct, number, quantiles

APPROXIMATE_DISTINCT_DIALECTS = frozenset(
    {"duckdb", "trino", "athena", "presto", "redshift", "snowflake", "bigquery", "spark", "databricks"}
)
"""Engines with a HyperLogLog distinct count that sqlglot writes in their own spelling."""

APPROXIMATE_QUANTILE_DIALECTS = frozenset({"duckdb", "trino", "athena", "presto", "spark", "databricks"})
"""Engines whose approximate quantile takes a list of fractions and returns a list.

Redshift's `APPROXIMATE PERCENTILE_DISC` and Snowflake's `APPROX_PERCENTILE` take one fraction,
BigQuery's `APPROX_QUANTILES` takes a bucket count: those keep the exact quantiles.
"""

LIST_PERCENTILE_DIALECTS = frozenset({"spark", "databricks"})
"""Engines whose exact interpolated quantiles are `percentile(x, array(...))`: their
`percentile_cont` takes one fraction, written `WITHIN GROUP`, never a list."""

ONE_FRACTION_PERCENTILE_DIALECTS = frozenset({"snowflake"})
"""Engines whose `percentile_cont` takes one fraction, written `WITHIN GROUP`, and which build an array
of aggregates: the quantiles are `ARRAY_CONSTRUCT(PERCENTILE_CONT(f) WITHIN GROUP (ORDER BY x), ...)`,
one aggregate per fraction in the same scan (a DuckDB-style list of fractions is refused)."""

SKETCH_ONLY_QUANTILE_DIALECTS = frozenset({"athena"})
"""Engines without an exact percentile aggregate: their runner sends its sketch even for the
exact quantiles (dq_resources.aws.athena), so the quartiles are marked approximate at every level."""


@dataclass(frozen=True)
class Aggregate:
    """An aggregate expression, and whether its result is an approximation.

    `heavy`: its memory grows with the rows (an exact aggregate the plan sends), see AggregateMetric.
    """

    expression: exp.Expression
    approximate: bool
    heavy: bool


def distinct_count(col: exp.Expression, dialect: str, *, approximate: bool) -> Aggregate:
    """The number of distinct non-NULL values: HyperLogLog when asked and the engine has it."""
    if approximate and dialect in APPROXIMATE_DISTINCT_DIALECTS:
        return Aggregate(exp.ApproxDistinct(this=col), approximate=True, heavy=False)
    return Aggregate(count_distinct(col), approximate=False, heavy=True)


def quantile_list(
    col: exp.Expression, fractions: Sequence[float], dialect: str, *, approximate: bool
) -> Aggregate:
    """Quantiles as one list-valued aggregate: a sketch when asked and the engine has one.

    Otherwise the exact aggregate, which is still an approximation on an engine that has none
    (SKETCH_ONLY_QUANTILE_DIALECTS), and then says so.
    """
    if approximate and dialect in APPROXIMATE_QUANTILE_DIALECTS:
        wanted = exp.Array(expressions=[number(f) for f in fractions])
        return Aggregate(exp.ApproxQuantile(this=col, quantile=wanted), approximate=True, heavy=False)
    if dialect in ONE_FRACTION_PERCENTILE_DIALECTS:
        return Aggregate(per_fraction_quantiles(col, fractions), approximate=False, heavy=True)
    if dialect in LIST_PERCENTILE_DIALECTS:
        wanted = exp.Array(expressions=[number(f) for f in fractions])
        return Aggregate(
            exp.Anonymous(this="percentile", expressions=[col, wanted]), approximate=False, heavy=True
        )
    return Aggregate(
        quantiles(col, fractions), approximate=dialect in SKETCH_ONLY_QUANTILE_DIALECTS, heavy=True
    )


def per_fraction_quantiles(col: exp.Expression, fractions: Sequence[float]) -> exp.Expression:
    """`ARRAY_CONSTRUCT(PERCENTILE_CONT(f) WITHIN GROUP (ORDER BY col), ...)`: exact, one per fraction.

    Written as the function call (not sqlglot's array literal) so the engine reads it as an array
    of aggregates whatever its support for array constants.
    """
    each = [
        exp.WithinGroup(
            this=exp.PercentileCont(this=number(f)),
            expression=exp.Order(expressions=[exp.Ordered(this=col.copy(), nulls_first=False)]),
        )
        for f in fractions
    ]
    return exp.Anonymous(this="ARRAY_CONSTRUCT", expressions=each)
