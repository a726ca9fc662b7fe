"""Pieces every rule family uses: `where` filters, failing-row samples, outcome wording."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlglot import exp

from dq_checks.dqdl.ast import Condition, Rule
from dq_checks.metrics import QueryRunner
from dq_checks.metrics.sql import column, count_if, count_rows, select_from, text_length, text_start
from dq_checks.profile.values import MAX_VALUE_CHARS, cut_text
from dq_checks.render.numbers import format_number
from dq_checks.results.model import Outcome
from dq_checks.rules.conditions import describe, satisfies
from dq_checks.rules.model import Evidence, RuleError, RuleOutcome, TableContext, rows_as_dicts
from dq_checks.rules.sql_safety import UnsafeSql, vet_predicate
from dq_checks.schema import ColumnKind


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


def sample_rows(
    runner: QueryRunner,
    context: TableContext,
    shown: Sequence[str],
    condition: exp.Expression,
) -> list[dict[str, Any]]:
    """Up to `context.sample_limit` rows matching `condition`, with the table's key columns first."""
    names = [*dict.fromkeys([*(k for k in context.key_columns if context.description.column(k)), *shown])]
    values = ShownValues(names, context)
    query = select_from(values.projections(), context.relation, where=condition).order_by(*values.order())
    return values.rows(runner.fetch_rows(query.limit(context.sample_limit)))


class ShownValues:
    """Columns whose values a rule shows, fetched so that a huge text value never leaves the engine whole.

    A text column is fetched as its first MAX_VALUE_CHARS characters and its length, and is
    ordered by them too: sorting twenty 5 MB strings ran DuckDB out of memory. The rows come
    back as dicts whose long texts carry the cut marker (`plain` leaves them as they are).
    """

    def __init__(self, names: Sequence[str], context: TableContext, extra: Sequence[str] = ()) -> None:
        self.names = list(names)
        self.extra = list(extra)
        self._text = {
            n for n in names if (info := context.description.column(n)) and info.kind is ColumnKind.STRING
        }

    def projections(self) -> list[exp.Expression]:
        """What to select, in order: each column, or a text column's start and length."""
        selected: list[exp.Expression] = []
        for name in self.names:
            if name in self._text:
                selected += [text_start(column(name), MAX_VALUE_CHARS), text_length(column(name))]
            else:
                selected.append(column(name))
        return selected

    def order(self) -> list[exp.Expression]:
        """Sort keys for the columns, text by its start and length rather than by its whole value."""
        keys: list[exp.Expression] = []
        for name in self.names:
            if name in self._text:
                keys += [text_start(column(name), MAX_VALUE_CHARS), text_length(column(name))]
            else:
                keys.append(column(name))
        return keys

    def rows(self, rows: Sequence[tuple[Any, ...]]) -> list[dict[str, Any]]:
        """The fetched rows as dicts keyed by column (then by `extra`), long texts cut with their marker."""
        shown = []
        for row in rows:
            cells, position = [], 0
            for name in self.names:
                if name in self._text:
                    start, length = row[position], row[position + 1]
                    cells.append(cut_text(start, length) if isinstance(start, str) else start)
                    position += 2
                else:
                    cells.append(row[position])
                    position += 1
            shown.append((*cells, *row[position:]))
        return rows_as_dicts([*self.names, *self.extra], shown)


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
        raise RuleError("this rule needs a condition", observed=observed)
    passed = satisfies(condition, observed, evidence.history)
    try:
        wanted = wanted or describe(condition, evidence.history)
    except RuleError as error:
        raise error.measured(observed) from None
    relation = "meets" if passed else "does not meet"
    message = f"{label} = {format_number(observed)} {relation} {wanted}"
    return verdict(passed, message, observed, condition=wanted, **details)


def fraction(numerator: float, denominator: float) -> float | None:
    """A ratio, or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None
