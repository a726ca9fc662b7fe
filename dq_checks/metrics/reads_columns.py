"""Whether a query may read the values of some columns: what decides that a result is never kept.

Read from the sqlglot tree, conservatively: a query reads a column when any column reference
names it (in a projection, a filter, a join, a CASE: wherever), and it reads every column when
it holds a `*` other than `COUNT(*)`, DuckDB's `COLUMNS(...)`, a whole-row reference (a table's
name or alias used as a value) or a name that is neither a known column nor an alias the query
defines itself. Names are compared case-insensitively, as most engines resolve them.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlglot import exp


def reads_any_column(query: exp.Expression, columns: Collection[str], known_columns: Collection[str]) -> bool:
    """True when `query` may return or depend on values of any of `columns`.

    `known_columns` are the columns of every table the query may read (the primary table and
    its references); a column reference to any other name counts as reading everything.
    """
    hidden = {name.casefold() for name in columns}
    if not hidden:
        return False
    known = {name.casefold() for name in known_columns}
    aliases = _defined_aliases(query)
    relations = _relation_names(query)
    for node in query.walk():
        if isinstance(node, exp.Star) and not isinstance(node.parent, exp.Count):
            return True
        if type(node).__name__ == "Columns":  # DuckDB's COLUMNS(*) / COLUMNS('regex')
            return True
        if isinstance(node, exp.Column):
            name = node.name.casefold()
            if name in hidden or name in relations:
                return True
            if name not in known and name not in aliases:
                return True
    return False


def _defined_aliases(query: exp.Expression) -> set[str]:
    """Names the query gives its own outputs: projection aliases and derived tables' column lists."""
    names = {node.alias.casefold() for node in query.find_all(exp.Alias) if node.alias}
    for alias in query.find_all(exp.TableAlias):
        names.update(column.name.casefold() for column in alias.columns)
    return names


def _relation_names(query: exp.Expression) -> set[str]:
    """Tables, CTEs and subqueries by name and alias: used as a value, each is a whole row."""
    names = {table.name.casefold() for table in query.find_all(exp.Table) if table.name}
    names.update(
        node.alias.casefold() for node in query.find_all(exp.Table, exp.Subquery, exp.CTE) if node.alias
    )
    return names
