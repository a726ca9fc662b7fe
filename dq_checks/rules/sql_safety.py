"""User SQL (CustomSql statements and `where` predicates) is parsed and vetted before any engine sees it.

A statement must be one SELECT over `primary` and the monitored tables its definition names,
calling only functions known to be pure (`pure_functions`: an allow-list, not a blocklist).
DDL, DML, several statements, other tables (system catalogs too), table functions, schema-
qualified function calls, parameters and casts to types that look things up are rejected with
the reason, when `dq validate` checks the definitions and again when the rule is compiled.
Defence in depth behind it: the local engine switches off external access once the data is
loaded, and a pushdown source runs each statement read-only, with a time limit.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from dq_checks.error_text import first_line
from dq_checks.rules.pure_functions import (
    SESSION_KEYWORDS,
    function_name,
    is_allowed_cast,
    is_allowed_function,
)

PRIMARY = "primary"

_STATEMENTS = (exp.Select, exp.Union, exp.Intersect, exp.Except)
_FORBIDDEN_NODES: tuple[type[exp.Expression], ...] = tuple(
    getattr(exp, name)
    for name in (
        "Insert",
        "Update",
        "Delete",
        "Merge",
        "Create",
        "Drop",
        "Alter",
        "Command",
        "Copy",
        "Pragma",
        "Set",
        "Use",
        "Transaction",
        "Commit",
        "Rollback",
        "Attach",
        "Detach",
        "Install",
        "LoadData",
        "Into",
        "Grant",
        "Revoke",
        "Kill",
        "Export",
        "Analyze",
        "Refresh",
        "Cache",
        "Uncache",
        "TruncateTable",
    )
    if hasattr(exp, name)
)


class UnsafeSql(ValueError):
    """SQL that will not be sent to an engine; the message says why."""


@dataclass(frozen=True)
class VettedQuery:
    """A parsed SELECT and the monitored tables it reads besides `primary`."""

    query: exp.Query
    tables: frozenset[str]


def vet_custom_sql(sql: str, *, allowed_tables: Collection[str], dialect: str = "duckdb") -> VettedQuery:
    """Parse `sql` and check it is one safe SELECT over `primary` and `allowed_tables`."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except ParseError as error:
        raise UnsafeSql(f"CustomSql does not parse: {first_line(error)}") from None
    if len(statements) != 1:
        raise UnsafeSql(f"CustomSql must be a single SELECT statement, got {len(statements)} statements")
    (statement,) = statements
    if not isinstance(statement, _STATEMENTS):
        raise UnsafeSql(f"CustomSql must be a SELECT statement, got {statement.key.upper()}")
    _reject_forbidden(statement)
    tables: set[str] = set()
    for table in real_tables(statement):
        name = _table_name(table)
        if name == PRIMARY:
            continue
        if name not in allowed_tables:
            allowed = ", ".join(sorted({PRIMARY, *allowed_tables}))
            raise UnsafeSql(f"CustomSql reads table {name!r}, which it may not; allowed: {allowed}")
        tables.add(name)
    return VettedQuery(statement, frozenset(tables))


def vet_predicate(predicate: str, *, dialect: str = "duckdb") -> exp.Expression:
    """Parse a `where` predicate: an expression over the table's columns, nothing more."""
    try:
        expression = sqlglot.parse_one(predicate, read=dialect)
    except ParseError as error:
        raise UnsafeSql(f"where {predicate!r} does not parse: {first_line(error)}") from None
    if isinstance(expression, exp.Query) or expression.find(exp.Select, exp.Subquery, exp.Table) is not None:
        raise UnsafeSql(f"where {predicate!r} must be a condition on columns, not a query")
    _reject_forbidden(expression)
    return expression


def real_tables(statement: exp.Expression) -> list[exp.Table]:
    """The table references that name real tables, not common table expressions.

    A CTE is visible only after its definition and never inside its own body, as in the
    engines: `WITH t AS (SELECT * FROM t)` reads the real `t`, so it is vetted like any
    table. Nested and recursive WITH clauses are refused rather than scoped.
    """
    with_clause = statement.args.get("with") or statement.args.get("with_")
    for node in statement.find_all(exp.With):
        if node is not with_clause:
            raise UnsafeSql("CustomSql may use WITH only at the top of the statement")
    if with_clause is not None and with_clause.args.get("recursive"):
        raise UnsafeSql("CustomSql may not use recursive common table expressions")
    ctes = list(with_clause.expressions) if with_clause is not None else []
    real: list[exp.Table] = []
    visible: set[str] = set()
    for cte in ctes:
        real += [t for t in cte.this.find_all(exp.Table) if _table_name(t) not in visible]
        visible.add(cte.alias_or_name)
    in_ctes = {id(t) for cte in ctes for t in cte.this.find_all(exp.Table)}
    real += [
        t for t in statement.find_all(exp.Table) if id(t) not in in_ctes and _table_name(t) not in visible
    ]
    return real


def rewrite_tables(query: exp.Query, relations: Mapping[str, exp.Table]) -> exp.Query:
    """Point `primary` and each monitored table at the relation that holds it in the engine."""
    query = query.copy()
    targets = {id(t) for t in real_tables(query)}

    def replace(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and id(node) in targets:
            target = relations[_table_name(node)].copy()
            alias = node.args.get("alias")
            if alias is not None:
                target.set("alias", alias.copy())
            elif _table_name(node) != target.name:
                target.set("alias", exp.TableAlias(this=exp.to_identifier(_table_name(node), quoted=True)))
            return target
        return node

    return query.transform(replace, copy=False)


def _table_name(table: exp.Table) -> str:
    if not isinstance(table.this, exp.Identifier):
        raise UnsafeSql("CustomSql may not call table functions")
    if table.args.get("db") is not None or table.args.get("catalog") is not None:
        raise UnsafeSql(f"CustomSql may not name schemas or catalogs: {table.sql()}")
    return table.name


def _reject_forbidden(tree: exp.Expression) -> None:
    """Refuse statements that change things, and every function not known to be pure.

    The function check is an allow-list (`pure_functions`): what is not known to compute its
    value from its arguments alone is refused, whatever the engine would make of it.
    """
    for node in tree.walk():
        if isinstance(node, _FORBIDDEN_NODES):
            raise UnsafeSql(f"{node.key.upper()} is not allowed; only SELECT queries run")
        if isinstance(node, exp.Placeholder | exp.Parameter | exp.SessionParameter):
            raise UnsafeSql("parameters ($1, ?, :name, @@name) are not allowed; write the value itself")
        if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Func):
            raise UnsafeSql(f"function calls may not name a schema: {node.sql()}")
        if isinstance(node, exp.Column) and _is_session_keyword(node):
            raise UnsafeSql(
                f"{node.name} reads the session's state, which is not allowed; "
                f'write "{node.name}" in double quotes if it is a column'
            )
        if isinstance(node, exp.Cast) and not is_allowed_cast(node):
            raise UnsafeSql(
                f"a cast to {node.to.sql()} is not allowed: only casts to plain types (numbers, text, "
                "booleans, dates and times, intervals, uuid, json) are"
            )
        if isinstance(node, exp.Func) and not is_allowed_function(node):
            raise UnsafeSql(
                f"function {function_name(node)}() is not allowed: only functions known to be pure "
                f"may be called ({_ALLOWED_KINDS})"
            )


_ALLOWED_KINDS = (
    "aggregates, window functions, arithmetic, text, date and time, conditionals, casts to plain types"
)


def _is_session_keyword(column: exp.Column) -> bool:
    identifier = column.this
    return (
        not column.table
        and isinstance(identifier, exp.Identifier)
        and not identifier.quoted
        and identifier.name.lower() in SESSION_KEYWORDS
    )
