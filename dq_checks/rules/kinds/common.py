"""Pieces every rule family uses: `where` filters, failing-row samples, outcome wording."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlglot import exp

from dq_checks.dqdl.ast import Condition, Rule
from dq_checks.metrics import QueryRunner
from dq_checks.metrics.sql import column, count_if, count_rows, select_from
from dq_checks.render.numbers import format_number
from dq_checks.results.model import Outcome
from dq_checks.rules.conditions import describe, satisfies
from dq_checks.rules.model import Evidence, RuleError, RuleOutcome, TableContext, rows_as_dicts
from dq_checks.rules.sql_safety import UnsafeSql, vet_predicate


def where_predicate(rule: Rule, context: TableContext) -> exp.Expression | None:
    """The rule's `where` as a vetted predicate over columns the table really has.

    Its column names are checked against the schema exactly as written and then quoted, so
    the engine sees exactly those columns, whatever its case folding.
    """
    if rule.where is None:
        return None
    try:
        predicate = vet_predicate(rule.where.value)
    except UnsafeSql as error:
        raise RuleError(str(error)) from None
    for reference in predicate.find_all(exp.Column):
        context.column(reference.name)
        if reference.table:
            raise RuleError(f"where {rule.where.value!r}: name columns without a table ({reference.sql()})")
        reference.set("this", exp.to_identifier(reference.name, quoted=True))
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


def sample_rows(
    runner: QueryRunner,
    context: TableContext,
    shown: Sequence[str],
    condition: exp.Expression,
) -> list[dict[str, Any]]:
    """Up to `context.sample_limit` rows matching `condition`, with the table's key columns first."""
    names = [*dict.fromkeys([*(k for k in context.key_columns if context.description.column(k)), *shown])]
    projections = [column(name) for name in names]
    query = select_from(projections, context.relation, where=condition).order_by(*[column(n) for n in names])
    rows = runner.fetch_rows(query.limit(context.sample_limit))
    return rows_as_dicts(names, rows)


def verdict(passed: bool, message: str, observed: float | None, **details: Any) -> RuleOutcome:
    """PASS or FAIL with the evidence."""
    outcome = Outcome.PASS if passed else Outcome.FAIL
    return RuleOutcome(outcome, message, observed, {k: v for k, v in details.items() if v is not None})


def judge(
    label: str,
    condition: Condition | None,
    observed: float,
    evidence: Evidence,
    *,
    wanted: str | None = None,
    **details: Any,
) -> RuleOutcome:
    """Compare an observed number with the rule's condition and say so: `label = 5 meets > 3`."""
    if condition is None:
        raise RuleError("this rule needs a condition")
    passed = satisfies(condition, observed, evidence.history)
    wanted = wanted or describe(condition, evidence.history)
    relation = "meets" if passed else "does not meet"
    message = f"{label} = {format_number(observed)} {relation} {wanted}"
    return verdict(passed, message, observed, condition=wanted, **details)


def fraction(numerator: float, denominator: float) -> float | None:
    """A ratio, or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None
