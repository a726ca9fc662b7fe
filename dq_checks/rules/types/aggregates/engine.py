"""Rules that compare one aggregate of the table with a condition: RowCount, Completeness, Mean, Sum, ...

The module also holds ScalarRule, which the schema rules and DetectAnomalies judge with too.
Their metrics join the profile's aggregate scan. A metric both need is built with the
same sqlglot expression, so the scan computes it once (`AggregateMetric.key`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlglot import exp

from dq_checks.dqdl.ast import Comparison, Condition, Number, Rule, String
from dq_checks.metrics import AggregateMetric, MetricValues
from dq_checks.metrics.sql import column, count_distinct, count_non_null, select_from
from dq_checks.profile.column_metrics import statistic_value
from dq_checks.profile.values import as_float
from dq_checks.rules.conditions import describe
from dq_checks.rules.model import Evidence, RuleError, RuleOutcome, TableContext
from dq_checks.rules.scope import only_where, rows_in_scope, where_predicate
from dq_checks.rules.verdicts import fraction, judge, verdict
from dq_checks.schema import ColumnInfo, ColumnKind

ALL_PRESENT = Comparison("=", Number(1.0))


@dataclass(frozen=True)
class ScalarRule:
    """An observed number, from metrics (or the profile), compared with a condition."""

    label: str
    condition: Condition
    observe: Callable[[Evidence], float | None]
    metrics: Sequence[AggregateMetric] = field(default_factory=tuple)
    condition_text: str | None = None
    counts: Callable[[Evidence], dict[str, int]] | None = None

    def evaluate(self, evidence: Evidence) -> RuleOutcome:
        """PASS when the observed value meets the condition; FAIL otherwise, or when there is none."""
        observed = self.observe(evidence)
        try:
            wanted = self.condition_text or describe(self.condition, evidence.history)
        except RuleError as error:
            raise error.measured(observed) from None
        counts = self.counts(evidence) if self.counts is not None else {}
        if observed is None:
            return verdict(
                False, f"{self.label} has no value (no rows in scope)", None, condition=wanted, **counts
            )
        return judge(self.label, self.condition, observed, evidence, wanted=wanted, **counts)


def string_param(rule: Rule, index: int) -> str:
    """The rule's parameter at `index`, which validation made sure is a quoted string."""
    param = rule.params[index]
    assert isinstance(param, String)
    return param.value


def _numeric(context: TableContext, name: str, rule_type: str) -> ColumnInfo:
    info = context.column(name)
    if info.kind is not ColumnKind.NUMERIC:
        raise RuleError(f"{rule_type} needs a numeric column; {name!r} is {info.data_type}")
    return info


def _value_of(metric: AggregateMetric) -> Callable[[Evidence], float | None]:
    return lambda evidence: as_float(evidence.values[metric])


def _ratio(
    numerator: AggregateMetric, denominator: AggregateMetric, *, when_empty: float | None = None
) -> Callable[[Evidence], float | None]:
    def observe(evidence: Evidence) -> float | None:
        values: MetricValues = evidence.values
        share = fraction(float(values[numerator] or 0), float(values[denominator] or 0))
        return when_empty if share is None else share

    return observe


def _row_count(rule: Rule, context: TableContext) -> ScalarRule:
    where = where_predicate(rule, context)
    rows = AggregateMetric(rows_in_scope(where))
    return ScalarRule("row count", required(rule.condition), _value_of(rows), (rows,))


def _completeness(rule: Rule, context: TableContext) -> ScalarRule:
    """Completeness (the share of non-NULL values) and IsComplete (that share is 1)."""
    where = where_predicate(rule, context)
    name = string_param(rule, 0)
    context.column(name)
    present = AggregateMetric(count_non_null(only_where(column(name), where)))
    rows = AggregateMetric(rows_in_scope(where))

    def nulls(evidence: Evidence) -> dict[str, int]:
        in_scope = int(evidence.values[rows] or 0)
        return {
            "evaluated_count": in_scope,
            "failed_count": in_scope - int(evidence.values[present] or 0),
        }

    label = f"completeness of {name!r}"
    # No rows in scope (an empty table, a `where` that keeps nothing): nothing is missing.
    share = _ratio(present, rows, when_empty=1.0)
    if rule.rule_type == "IsComplete":
        return ScalarRule(label, ALL_PRESENT, share, (present, rows), "= 1.0 (no NULLs)", nulls)
    return ScalarRule(label, required(rule.condition), share, (present, rows), counts=nulls)


def _statistic(rule: Rule, context: TableContext) -> ScalarRule:
    """Mean, Sum, StandardDeviation or Variance of a numeric column."""
    where = where_predicate(rule, context)
    kind = rule.rule_type
    name = string_param(rule, 0)
    info = _numeric(context, name, kind)
    metric = AggregateMetric(_STATISTICS[kind](only_where(statistic_value(info), where)))
    return ScalarRule(f"{kind} of {name!r}", required(rule.condition), _value_of(metric), (metric,))


def _correlation(rule: Rule, context: TableContext) -> ScalarRule:
    where = where_predicate(rule, context)
    first, second = (_numeric(context, string_param(rule, i), rule.rule_type) for i in (0, 1))
    correlation = exp.Corr(
        this=only_where(statistic_value(first), where),
        expression=only_where(statistic_value(second), where),
    )
    metric = AggregateMetric(correlation)
    label = f"correlation of {first.name!r} and {second.name!r}"
    return ScalarRule(label, required(rule.condition), _value_of(metric), (metric,))


_STATISTICS: dict[str, Callable[[exp.Expression], exp.Expression]] = {
    "Mean": lambda value: exp.Avg(this=value),
    "Sum": lambda value: exp.Sum(this=value),
    # The population statistics, as AWS defines them: its StandardDeviation page works 0, 20, 40
    # to 16.33, and deequ (AWS's DQDL engine) computes both over all n values. Every dialect dq
    # compiles to has them (STDDEV_POP and VAR_POP; VARIANCE_POP on Snowflake). The profile's own
    # `std` stays the sample deviation, a separate metric.
    "StandardDeviation": lambda value: exp.StddevPop(this=value),
    "Variance": lambda value: exp.VariancePop(this=value),
}


def required(condition: Condition | None) -> Condition:
    """The rule's condition; RuleError when it has none."""
    if condition is None:
        raise RuleError("this rule needs a condition")
    return condition


def _distinct_count(rule: Rule, context: TableContext) -> ScalarRule:
    where = where_predicate(rule, context)
    name = string_param(rule, 0)
    info = context.column(name)
    label = f"distinct values of {name!r}"
    if where is None and info.kind.is_categorical:
        # The profile's frequency query already counted them exactly; `profile: off` ran none,
        # so the rule counts them itself.
        def from_profile(evidence: Evidence) -> float | None:
            profile = evidence.profile
            profiled = profile.columns.get(name) if profile is not None else None
            count = profiled.distinct_count if profiled is not None else None
            if count is None:
                query = select_from([count_distinct(column(name))], evidence.runner.relation)
                ((count,),) = evidence.runner.fetch_rows(query)
            return None if count is None else float(count)

        return ScalarRule(label, required(rule.condition), from_profile)
    metric = AggregateMetric(count_distinct(only_where(column(name), where)), heavy=True)
    return ScalarRule(label, required(rule.condition), _value_of(metric), (metric,))


_COMPILERS: dict[str, Callable[[Rule, TableContext], ScalarRule]] = {
    "RowCount": _row_count,
    "Completeness": _completeness,
    "IsComplete": _completeness,
    **dict.fromkeys(_STATISTICS, _statistic),
    "ColumnCorrelation": _correlation,
    "DistinctValuesCount": _distinct_count,
}


def compile_aggregate(rule: Rule, context: TableContext) -> ScalarRule:
    """The rule as one aggregate of the shared scan and a judge; RuleError when the column cannot serve."""
    return _COMPILERS[rule.rule_type](rule, context)
