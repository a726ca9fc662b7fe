"""Rules judged row by row: ColumnValues, ColumnLength, ColumnDataType, DataFreshness.

Each becomes a predicate that says whether a row passes. The shared scan counts the rows
that fail it; only a failing rule runs one more query, for a sample of the failing rows
with the table's key columns. Rows outside `where` are left out: they never fail, and
`with threshold` is the passing share of the rows in scope.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlglot import exp

from dq_checks.dqdl.ast import Comparison, Condition, InList, Rule, String
from dq_checks.metrics import AggregateMetric
from dq_checks.metrics.sql import column, count_if, count_rows
from dq_checks.render.numbers import format_number
from dq_checks.rules.conditions import describe, satisfies
from dq_checks.rules.model import Evidence, RuleError, RuleOutcome, TableContext
from dq_checks.rules.samples import sample_rows
from dq_checks.rules.scope import both, rows_in_scope, where_predicate
from dq_checks.rules.types.spec import DATA_TYPES
from dq_checks.rules.value_predicates import freshness_predicate, pass_predicate
from dq_checks.rules.verdicts import verdict
from dq_checks.schema import ColumnInfo, ColumnKind

_WHOLE_NUMBERS = frozenset({"INTEGER", "LONG"})


@dataclass(frozen=True)
class RowLevelRule:
    """Count the rows failing `passes`; compare the share passing with the threshold."""

    label: str
    passes: exp.Expression
    where: exp.Expression | None
    shown_columns: tuple[str, ...]
    threshold: Condition | None
    condition_text: str
    context: TableContext

    @property
    def metrics(self) -> Sequence[AggregateMetric]:
        """Rows in total, rows in scope, rows failing."""
        return (self._rows, self._in_scope, self._failed)

    @property
    def _rows(self) -> AggregateMetric:
        return AggregateMetric(count_rows())

    @property
    def _in_scope(self) -> AggregateMetric:
        return AggregateMetric(rows_in_scope(self.where))

    @property
    def _failed(self) -> AggregateMetric:
        return AggregateMetric(count_if(both(self.where, exp.Not(this=exp.paren(self.passes.copy())))))

    def evaluate(self, evidence: Evidence) -> RuleOutcome:
        """PASS when no row fails, or when the passing share meets `with threshold`."""
        evaluated = int(evidence.values[self._in_scope] or 0)
        failed = int(evidence.values[self._failed] or 0)
        # The passing share of the rows in scope, as AWS's engine (Deequ's Compliance) computes
        # it: rows outside `where` are neither passing nor failing. With no row in scope, it passes.
        observed = (evaluated - failed) / evaluated if evaluated else 1.0
        if self.threshold is not None:
            passed = satisfies(self.threshold, observed, evidence.history)
            wanted = f"{self.condition_text}, with threshold {describe(self.threshold, evidence.history)}"
        else:
            passed = failed == 0
            wanted = f"{self.condition_text} on every row"
        sample = []
        if failed:
            failing = both(self.where, exp.Not(this=exp.paren(self.passes.copy())))
            sample = sample_rows(evidence.runner, self.context, self.shown_columns, failing)
        message = (
            f"{failed:,} of {evaluated:,} rows fail: {self.label} {wanted}"
            if failed
            else f"all {evaluated:,} rows pass: {self.label} {wanted}"
        )
        if self.threshold is not None:
            message += f" (passing share {format_number(observed)})"
        return verdict(
            passed,
            message,
            observed,
            condition=wanted,
            evaluated_count=evaluated,
            failed_count=failed,
            failed_sample=sample or None,
        )


def compile_row_values(rule: Rule, context: TableContext) -> RowLevelRule:
    """A RowLevelRule: the rule type's per-row predicate, counted in the shared scan."""
    param = rule.params[0]
    assert isinstance(param, String)
    name = param.value
    info = context.column(name)
    where = where_predicate(rule, context)
    condition = rule.condition
    if condition is None:
        raise RuleError(f"{rule.rule_type} needs a condition")
    from dq_checks.dqdl.printer import condition_text

    text = condition_text(condition)
    passes, label = _ROW_PREDICATES[rule.rule_type](condition, info, column(name), context)
    return RowLevelRule(label, passes, where, (name,), rule.threshold, text, context)


RowPredicate = Callable[[Condition, ColumnInfo, exp.Expression, TableContext], tuple[exp.Expression, str]]
"""A rule type's test of one row's value (given the condition and the column), and its label."""


def _values(
    condition: Condition, info: ColumnInfo, value: exp.Expression, context: TableContext
) -> tuple[exp.Expression, str]:
    """ColumnValues: each value meets the condition."""
    return pass_predicate(condition, info, value, context.now), f"{info.name!r}"


def _length(
    condition: Condition, info: ColumnInfo, value: exp.Expression, context: TableContext
) -> tuple[exp.Expression, str]:
    """ColumnLength: each text's length (a NULL's is 0) meets the condition."""
    if info.kind is not ColumnKind.STRING:
        raise RuleError(f"ColumnLength needs a text column; {info.name!r} is {info.data_type}")
    length = exp.func("COALESCE", exp.Length(this=value), exp.Literal.number(0))
    length_info = ColumnInfo(f"length({info.name})", "bigint", ColumnKind.NUMERIC)
    return pass_predicate(condition, length_info, length, context.now), f"length of {info.name!r}"


def _data_type(
    condition: Condition, info: ColumnInfo, value: exp.Expression, _context: TableContext
) -> tuple[exp.Expression, str]:
    """ColumnDataType: each value's text casts to one of the named types."""
    return _castable(condition, value), f"type of {info.name!r}"


def _freshness(
    condition: Condition, info: ColumnInfo, value: exp.Expression, context: TableContext
) -> tuple[exp.Expression, str]:
    """DataFreshness: each timestamp's age meets the condition."""
    return freshness_predicate(condition, info, value, context.now), f"age of {info.name!r}"


_ROW_PREDICATES: dict[str, RowPredicate] = {
    "ColumnValues": _values,
    "ColumnLength": _length,
    "ColumnDataType": _data_type,
    "DataFreshness": _freshness,
}


def _castable(condition: Condition, value: exp.Expression) -> exp.Expression:
    """NULL passes (there is no value to mistype); otherwise the text must cast to one of the types."""
    if isinstance(condition, Comparison):
        names = [condition.operand]
    elif isinstance(condition, InList):
        names = list(condition.values)
    else:
        raise RuleError('ColumnDataType takes = "TYPE" or in ["TYPE", ...]')
    as_text = exp.cast(value.copy(), exp.DataType.build("varchar"))
    casts: list[exp.Expression] = []
    for name in names:
        if not isinstance(name, String) or name.value.upper() not in DATA_TYPES:
            raise RuleError(f"ColumnDataType: unknown type {name!r}")
        target = exp.DataType.build(DATA_TYPES[name.value.upper()])
        castable: exp.Expression = exp.Not(
            this=exp.Is(this=exp.TryCast(this=as_text.copy(), to=target), expression=exp.Null())
        )
        if name.value.upper() in _WHOLE_NUMBERS:
            # Engines round '4.5' to 5 when casting to an integer; a whole number has no fraction.
            digits = exp.RegexpLike(
                this=as_text.copy(), expression=exp.Literal.string(r"^\s*[+-]?[0-9]+\s*$")
            )
            castable = exp.and_(digits, castable)
        casts.append(exp.paren(castable))
    is_null = exp.Is(this=value.copy(), expression=exp.Null())
    return exp.or_(is_null, *casts)
