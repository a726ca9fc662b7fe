"""Small sqlglot builders. Identifiers are always quoted, so no column name can inject SQL."""

from __future__ import annotations

from collections.abc import Sequence

from sqlglot import exp


def column(name: str) -> exp.Column:
    """A quoted column reference."""
    return exp.column(exp.to_identifier(name, quoted=True))


def as_double(expression: exp.Expression) -> exp.Expression:
    """Cast to DOUBLE so integer and decimal columns average and compare as floats."""
    return exp.cast(expression, exp.DataType.build("double"))


def number(value: float | int) -> exp.Expression:
    """A numeric literal; negative numbers become a unary minus."""
    if value < 0:
        return exp.Neg(this=exp.Literal.number(repr(-value) if isinstance(value, float) else -value))
    return exp.Literal.number(repr(value) if isinstance(value, float) else value)


def is_finite(expression: exp.Expression) -> exp.Expression:
    """True for finite numbers, false for NaN and the infinities, NULL for NULL.

    Written as `x - x = 0` because that holds in every engine: NaN and the infinities give
    NaN, which equals nothing (not even in Postgres, where NaN equals only NaN), while a
    function like ISFINITE exists for doubles in DuckDB but not in Postgres.
    """
    difference = exp.Sub(this=expression.copy(), expression=expression.copy())
    return exp.EQ(this=exp.paren(difference), expression=exp.Literal.number(0))


def finite_or_null(expression: exp.Expression) -> exp.Expression:
    """The value when it is finite, else NULL, so NaN and infinities drop out of aggregates."""
    return exp.Case(ifs=[exp.If(this=is_finite(expression.copy()), true=expression.copy())])


def count_rows() -> exp.Expression:
    """COUNT(*)."""
    return exp.Count(this=exp.Star())


def count_non_null(col: exp.Expression) -> exp.Expression:
    """COUNT(col)."""
    return exp.Count(this=col)


def count_distinct(col: exp.Expression) -> exp.Expression:
    """COUNT(DISTINCT col), exact."""
    return exp.Count(this=exp.Distinct(expressions=[col]))


def count_if(condition: exp.Expression) -> exp.Expression:
    """COUNT_IF(condition); sqlglot writes SUM(CASE ...) where the dialect lacks it."""
    return exp.CountIf(this=condition)


def quantiles(col: exp.Expression, fractions: Sequence[float]) -> exp.Expression:
    """Exact, interpolated quantiles as one list-valued aggregate (one sort, not one per fraction)."""
    return exp.PercentileCont(this=col, expression=exp.Array(expressions=[number(f) for f in fractions]))


def top_n(col: exp.Expression, n: int, *, largest: bool) -> exp.Expression:
    """The n largest (or smallest) values, duplicates included, as a list: DuckDB's `max(x, n)`.

    Written as an anonymous call: sqlglot versions differ on whether MAX takes a count, and the
    profiler sends this only to DuckDB (other engines get `tail_query`).
    """
    return exp.Anonymous(this="max" if largest else "min", expressions=[col, exp.Literal.number(n)])


def select_from(
    projections: Sequence[exp.Expression], relation: exp.Table, where: exp.Expression | None = None
) -> exp.Select:
    """SELECT projections FROM relation [WHERE where]."""
    query = exp.select(*projections).from_(relation.copy())
    return query.where(where) if where is not None else query


def text_start(col: exp.Expression, chars: int) -> exp.Expression:
    """The first `chars` characters of a text value: what may leave the engine of a huge one."""
    return exp.Left(this=col, expression=exp.Literal.number(chars))


def text_length(col: exp.Expression) -> exp.Expression:
    """The length of a text value in characters, for the marker of a value cut short."""
    return exp.Length(this=col)
