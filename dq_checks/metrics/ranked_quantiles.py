"""Exact interpolated quantiles from window functions, for engines with no quantile aggregate.

MySQL has no percentile function at all, and MariaDB's `PERCENTILE_CONT` is a window function
only: neither can compute quantiles inside the profile's aggregate scan. Both have
`ROW_NUMBER()` and `COUNT(*)` over a window (MySQL 8, MariaDB 10.2), and that is enough for
what `percentile_cont` computes: over the n non-NULL values sorted, the quantile at fraction
f sits at the 0-based position h = f * (n - 1), between the values at floor(h) and ceil(h),
interpolated linearly. One sort of the column serves every fraction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp

from dq_checks.metrics.sql import number

QUANTILES_APART_DIALECTS = frozenset({"mysql"})
"""Engines whose quantiles need a query of their own (`ranked_quantiles`), not an aggregate.

sqlglot's `mysql` dialect is what the `sql` source writes for MySQL and MariaDB alike.
"""


def ranked_quantiles(value: exp.Expression, relation: exp.Table, fractions: Sequence[float]) -> exp.Select:
    """One row: the exact interpolated quantile of `value` at each fraction (NULL without values).

    `SELECT <one per fraction> FROM (SELECT v, ROW_NUMBER() OVER (ORDER BY v) - 1 AS i,
    COUNT(*) OVER () AS n FROM relation WHERE v IS NOT NULL) AS ranked`; each quantile is
    `at(floor(h)) + (h - floor(h)) * (at(ceil(h)) - at(floor(h)))`, `at(k)` being
    `MAX(CASE WHEN i = k THEN v END)`, as `percentile_cont` interpolates. Every column is read
    inside an aggregate, as MySQL 8's ONLY_FULL_GROUP_BY requires.
    """
    v, i, n = (exp.to_identifier(name, quoted=True) for name in ("v", "i", "n"))
    ordered = exp.Window(this=exp.RowNumber(), order=exp.Order(expressions=[exp.Ordered(this=exp.column(v))]))
    every = exp.Window(this=exp.Count(this=exp.Star()))
    values = (
        exp.select(exp.alias_(value.copy(), v))
        .from_(relation.copy())
        .where(exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null())))
        .subquery(exp.to_identifier("vals", quoted=True))
    )
    ranked = exp.select(
        exp.column(v),
        exp.alias_(exp.Sub(this=ordered, expression=exp.Literal.number(1)), i),
        exp.alias_(every, n),
    ).from_(values)
    projections = [
        exp.alias_(_interpolated(fraction, v, i, n), f"q{index}", quoted=True)
        for index, fraction in enumerate(fractions)
    ]
    return exp.select(*projections).from_(ranked.subquery(exp.to_identifier("ranked", quoted=True)))


def _interpolated(fraction: float, v: exp.Identifier, i: exp.Identifier, n: exp.Identifier) -> exp.Expression:
    last = exp.Sub(this=exp.column(n), expression=exp.Literal.number(1))
    position = exp.Mul(this=number(fraction), expression=exp.paren(last))
    low, high = exp.Floor(this=position.copy()), exp.Ceil(this=position.copy())

    def at(rank: exp.Expression) -> exp.Expression:
        hit = exp.If(this=exp.EQ(this=exp.column(i), expression=rank), true=exp.column(v))
        return exp.Max(this=exp.Case(ifs=[hit]))

    # n is the same on every row, but outside an aggregate it must be aggregated too (MySQL 8's
    # ONLY_FULL_GROUP_BY, DuckDB): the weight is taken from MAX(h).
    highest = exp.Max(this=position.copy())
    weight = exp.paren(exp.Sub(this=highest, expression=exp.Floor(this=highest.copy())))
    spread = exp.paren(exp.Sub(this=at(high), expression=at(low.copy())))
    return exp.Add(this=at(low.copy()), expression=exp.Mul(this=weight, expression=spread))
