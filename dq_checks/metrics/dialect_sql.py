"""A plan query as the text an engine runs: sqlglot's dialect, plus dq's own rewrites where it needs them.

sqlglot writes most engines' SQL right. Where its dialect writes something the engine refuses,
or runs with another meaning than DuckDB's, the rewrite for that dialect (`REWRITES`) changes
the tree first, so every pushdown runner of that dialect sends the same corrected SQL.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp
from sqlglot.errors import ErrorLevel

from dq_checks.metrics.mysql_sql import for_mysql

REWRITES: dict[str, Callable[[exp.Expression], exp.Expression]] = {"mysql": for_mysql}
"""sqlglot dialect -> the rewrite its queries go through before they are written."""


def written_sql(query: exp.Expression, dialect: str) -> str:
    """`query` in `dialect`, rewritten where `REWRITES` says; an unsupported construct raises."""
    rewrite = REWRITES.get(dialect)
    tree = rewrite(query) if rewrite is not None else query
    return tree.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)
