"""A rule's scope: its `where` as a vetted predicate, and the rows inside it."""

from __future__ import annotations

from sqlglot import exp

from dq_checks.dqdl.ast import Rule
from dq_checks.metrics.sql import count_if, count_rows
from dq_checks.rules.model import RuleError, TableContext
from dq_checks.rules.sql_safety import UnsafeSql, vet_predicate


def where_predicate(rule: Rule, context: TableContext) -> exp.Expression | None:
    """The rule's `where` as a vetted predicate over columns the table really has.

    Its column names are resolved against the schema (ignoring case, as Glue does) and then
    quoted as the table spells them, so the engine sees exactly those columns, whatever its
    case folding.
    """
    if rule.where is None:
        return None
    try:
        predicate = vet_predicate(rule.where.value)
    except UnsafeSql as error:
        raise RuleError(str(error)) from None
    for reference in predicate.find_all(exp.Column):
        info = context.column(reference.name)
        if reference.table:
            raise RuleError(f"where {rule.where.value!r}: name columns without a table ({reference.sql()})")
        reference.set("this", exp.to_identifier(info.name, quoted=True))
    return predicate


def only_where(expression: exp.Expression, where: exp.Expression | None) -> exp.Expression:
    """`expression` for rows inside the `where` filter, NULL elsewhere (so aggregates skip them)."""
    if where is None:
        return expression
    return exp.Case(ifs=[exp.If(this=exp.paren(where.copy()), true=expression)])


def rows_in_scope(where: exp.Expression | None) -> exp.Expression:
    """COUNT(*), or COUNT_IF(where)."""
    return count_rows() if where is None else count_if(exp.paren(where.copy()))


def both(where: exp.Expression | None, predicate: exp.Expression) -> exp.Expression:
    """`where AND predicate`, or just the predicate."""
    return predicate if where is None else exp.and_(exp.paren(where.copy()), exp.paren(predicate))
