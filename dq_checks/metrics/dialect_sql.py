"""A plan query as the text an engine runs: sqlglot's dialect, plus dq's own rewrites where it needs them.

sqlglot writes most engines' SQL right. Where its dialect writes something the engine refuses,
or runs with another meaning than DuckDB's, the rewrite for that dialect (`REWRITES`) changes
the tree first, so every pushdown runner of that dialect sends the same corrected SQL. Every
runner writes its statements here, so a rewrite every engine but some needs (dropping
`AS MATERIALIZED`) is made once, not once per source.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp
from sqlglot.errors import ErrorLevel

from dq_checks.metrics.mysql_sql import for_mysql

REWRITES: dict[str, Callable[[exp.Expression], exp.Expression]] = {"mysql": for_mysql}
"""sqlglot dialect -> the rewrite its queries go through before they are written."""
MATERIALIZED_CTE_DIALECTS = frozenset({"duckdb", "postgres"})
"""The engines that take `WITH x AS MATERIALIZED`; every other one refuses it."""


def written_sql(query: exp.Expression, dialect: str) -> str:
    """`query` in `dialect`, rewritten where `REWRITES` says; an unsupported construct raises."""
    tree = query if dialect in MATERIALIZED_CTE_DIALECTS else without_materialized(query)
    rewrite = REWRITES.get(dialect)
    if rewrite is not None:
        tree = rewrite(tree)
    return tree.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)


def without_materialized(query: exp.Expression) -> exp.Expression:
    """A copy of `query` whose CTEs drop `AS MATERIALIZED`.

    The hint only tells DuckDB and PostgreSQL to compute a CTE once; the results are the same.
    """
    tree = query.copy()
    for cte in tree.find_all(exp.CTE):
        if cte.args.get("materialized") is not None:
            cte.set("materialized", None)
    return tree
