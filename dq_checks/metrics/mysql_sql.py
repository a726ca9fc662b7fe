"""The plan's SQL as MySQL and MariaDB run it, with DuckDB's meaning.

sqlglot's `mysql` dialect writes some of the plan's expressions in a form MySQL 8 and MariaDB
refuse, or accept with another meaning. `for_mysql` rewrites those nodes before the SQL is
written, so every rule, the profile and CustomSql give what DuckDB gives:

- `COUNT_IF(c)` does not exist: `COUNT(CASE WHEN c THEN 1 END)` (0 over no rows, as COUNT_IF).
- `REGEXP_LIKE` is MySQL 8's only, and a match there follows the column's collation, which is
  case-insensitive by default: `REGEXP_INSTR(x, '(?-i)' || pattern) > 0` matches case-sensitively
  (as DuckDB does) in both, `(?-i)` being understood by MariaDB's PCRE and MySQL's ICU.
- `VARIANCE` and `STDDEV` are the *population* statistics in MySQL: the sample ones are
  `VAR_SAMP` and `STDDEV_SAMP`; the population variance is `VAR_POP` (sqlglot writes `VARIANCE_POP`).
- `CORR` does not exist: the Pearson correlation over the rows where both values are present,
  as the population covariance over the product of the population standard deviations.
- A zoned instant `CAST('...+00:00' AS TIMESTAMPTZ)` becomes `TIMESTAMP('...+00:00')`, whose
  offset MariaDB ignores: it is written as the UTC wall-clock time, `CAST('...' AS DATETIME(6))`,
  which compares right because the `sql` source's sessions run with `time_zone = '+00:00'`.

Text comparisons and grouping still follow the table's collation: under a case-insensitive
one (MariaDB's default), `'Paid' = 'paid'` and the two count as one distinct value.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlglot import exp

CASE_SENSITIVE = "(?-i)"


def for_mysql(query: exp.Expression) -> exp.Expression:
    """A copy of `query` that MySQL and MariaDB run with the meaning DuckDB gives it.

    Children are rewritten before their parents, so a rewritten node's operands are rewritten too.
    """
    tree = query.copy()
    for node in reversed(list(tree.dfs())):
        rewritten = _rewrite(node)
        if rewritten is node:
            continue
        if node is tree:
            tree = rewritten
        else:
            node.replace(rewritten)
    return tree


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.CountIf):
        return exp.Count(this=exp.Case(ifs=[exp.If(this=node.this, true=exp.Literal.number(1))]))
    if isinstance(node, exp.RegexpLike):
        return _regexp_match(node.this, node.expression)
    if isinstance(node, exp.VariancePop):
        return exp.Anonymous(this="VAR_POP", expressions=[node.this])
    if isinstance(node, exp.Variance):
        return exp.Anonymous(this="VAR_SAMP", expressions=[node.this])
    if isinstance(node, exp.Stddev):
        return exp.StddevSamp(this=node.this)
    if isinstance(node, exp.Corr):
        return _correlation(node.this, node.expression)
    if isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.TIMESTAMPTZ):
        return _utc_datetime(node)
    return node


def _regexp_match(value: exp.Expression, pattern: exp.Expression) -> exp.Expression:
    if isinstance(pattern, exp.Literal) and pattern.is_string:
        sensitive: exp.Expression = exp.Literal.string(CASE_SENSITIVE + pattern.this)
    else:
        sensitive = exp.Anonymous(this="CONCAT", expressions=[exp.Literal.string(CASE_SENSITIVE), pattern])
    found = exp.Anonymous(this="REGEXP_INSTR", expressions=[value, sensitive])
    return exp.GT(this=found, expression=exp.Literal.number(0))


def _correlation(x: exp.Expression, y: exp.Expression) -> exp.Expression:
    """(AVG(xy) - AVG(x) AVG(y)) / (STDDEV_POP(x) STDDEV_POP(y)), each over the rows with both x and y."""

    def paired(value: exp.Expression, other: exp.Expression) -> exp.Expression:
        present = exp.Not(this=exp.Is(this=other.copy(), expression=exp.Null()))
        return exp.Case(ifs=[exp.If(this=present, true=value.copy())])

    px, py = paired(x, y), paired(y, x)
    product = exp.Mul(this=exp.paren(x.copy()), expression=exp.paren(y.copy()))
    covariance = exp.Sub(
        this=exp.Avg(this=product),
        expression=exp.Mul(this=exp.Avg(this=px.copy()), expression=exp.Avg(this=py.copy())),
    )
    spread = exp.Mul(this=exp.StddevPop(this=px), expression=exp.StddevPop(this=py))
    return exp.Div(this=exp.paren(covariance), expression=exp.paren(spread))


def _utc_datetime(cast: exp.Cast) -> exp.Expression:
    literal = cast.this
    if not (isinstance(literal, exp.Literal) and literal.is_string):
        return cast
    try:
        moment = datetime.fromisoformat(literal.this)
    except ValueError:
        return cast
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    written = exp.Literal.string(moment.isoformat(sep=" ", timespec="microseconds"))
    return exp.cast(written, exp.DataType.build("DATETIME(6)", dialect="mysql"))
