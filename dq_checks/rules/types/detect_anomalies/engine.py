"""DetectAnomalies: a metric judged against its own history instead of a fixed condition.

It learns every rule AWS lists for it: RowCount, Completeness, Uniqueness, Mean, Sum,
StandardDeviation, Entropy, DistinctValuesCount, UniqueValueRatio, ColumnLength, ColumnValues,
ColumnCorrelation, CustomSql (one number) and ColumnCount. The metric is the one the rule type
itself observes, computed by that rule type's own compiled rule. ColumnLength and ColumnValues
are row-level rules with no single metric: AWS's analyzers report their minimum and maximum,
and DetectAnomalies learns the maximum (the longest value; a numeric column's largest value).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlglot import exp

from dq_checks.dqdl.ast import Comparison, Number, Rule, String
from dq_checks.metrics import AggregateMetric
from dq_checks.metrics.sql import column
from dq_checks.profile.column_metrics import statistic_value
from dq_checks.profile.values import as_float
from dq_checks.render.numbers import format_number
from dq_checks.results.model import Outcome
from dq_checks.rules.model import CompiledRule, Evidence, RuleError, RuleOutcome, TableContext
from dq_checks.rules.scope import only_where, where_predicate
from dq_checks.rules.types.aggregates.engine import ScalarRule
from dq_checks.rules.types.detect_anomalies import LEARNED_RULE_TYPES, learned_type
from dq_checks.schema import ColumnKind

LOOKBACK = 30
MIN_POINTS = 5


@dataclass(frozen=True)
class DetectAnomaliesRule:
    """Observe the metric as its own rule type would, then ask the history detector."""

    label: str
    observer: CompiledRule

    @property
    def metrics(self) -> Sequence[AggregateMetric]:
        """The metric's own aggregates."""
        return self.observer.metrics

    def evaluate(self, evidence: Evidence) -> RuleOutcome:
        """SKIP without enough history; FAIL on an outlier; PASS otherwise."""
        from dq_checks.history.detectors import Verdict, robust_judgement  # numpy: only to judge
        from dq_checks.history.series import Point

        observed = self.observer.evaluate(evidence)
        if observed.outcome is Outcome.ERROR:
            return observed
        value = observed.observed
        if value is None:
            return RuleOutcome(Outcome.FAIL, f"{self.label} has no value", None)
        history = list(evidence.history(LOOKBACK))
        # The rule's history is one value per earlier run, most recent first: the detector's
        # time axis is the run index (one run a day), which is all a rule's history knows.
        anchor = datetime(2000, 1, 1, tzinfo=UTC)
        points = [Point(anchor - timedelta(days=i + 1), v) for i, v in enumerate(history)][::-1]
        verdict = robust_judgement(value, anchor, points, window=LOOKBACK, min_points=MIN_POINTS)
        details: dict[str, object] = {"history_points": len(history)}
        if verdict.verdict is Verdict.NOT_ENOUGH_HISTORY:
            message = (
                f"{self.label} = {format_number(value)}; needs {MIN_POINTS} earlier runs to learn from, "
                f"has {len(history)}"
            )
            return RuleOutcome(Outcome.SKIP, message, value, details)
        details.update(
            expected=verdict.expected, lower=verdict.lower, upper=verdict.upper, method=verdict.method
        )
        normal = f"[{format_number(verdict.lower)}, {format_number(verdict.upper)}]"
        if verdict.verdict is Verdict.ANOMALOUS:
            message = f"{self.label} = {format_number(value)} is outside its learned range {normal}"
            return RuleOutcome(Outcome.FAIL, message, value, {**details, "condition": f"within {normal}"})
        message = f"{self.label} = {format_number(value)} is within its learned range {normal}"
        return RuleOutcome(Outcome.PASS, message, value, {**details, "condition": f"within {normal}"})


ANY_VALUE = Comparison(">=", Number(-math.inf))
"""The observing rule's condition: always met, so only its metric matters (and no sample is fetched)."""


def compile_detect_anomalies(rule: Rule, context: TableContext) -> DetectAnomaliesRule:
    """Observe the metric with a compiled rule of the metric's own type."""
    params = [p for p in rule.params if isinstance(p, String)]
    metric = learned_type(params[0].value)
    arguments = tuple(params[1:])
    observing = Rule(metric, arguments, ANY_VALUE, where=rule.where)
    if metric not in LEARNED_RULE_TYPES:
        raise RuleError(f"DetectAnomalies cannot learn {metric!r}; it learns {', '.join(LEARNED_RULE_TYPES)}")
    from dq_checks.rules.types.registry import definition_of  # which registers this module

    learned = definition_of(metric)
    # A row-level rule has no one metric: the largest value (or length) is learned instead.
    row_level = learned.spec.row_level
    observer: CompiledRule = (
        _maximum(observing, context) if row_level else learned.compile(observing, context)
    )
    shown = "" if metric == "CustomSql" else ", ".join(repr(a.value) for a in arguments)
    label = metric + (f" of {shown}" if shown else "")
    return DetectAnomaliesRule(label, observer)


def _maximum(rule: Rule, context: TableContext) -> ScalarRule:
    """The longest value of a text column (ColumnLength), the largest of a numeric one (ColumnValues)."""
    param = rule.params[0]
    assert isinstance(param, String)
    info = context.column(param.value)
    where = where_predicate(rule, context)
    if rule.rule_type == "ColumnLength":
        if info.kind is not ColumnKind.STRING:
            raise RuleError(f"ColumnLength needs a text column; {info.name!r} is {info.data_type}")
        value: exp.Expression = exp.Length(this=column(info.name))
        label = f"maximum length of {info.name!r}"
    else:
        if info.kind is not ColumnKind.NUMERIC:
            raise RuleError(
                f"DetectAnomalies learns ColumnValues of a numeric column (its maximum); "
                f"{info.name!r} is {info.data_type}"
            )
        value = statistic_value(info)
        label = f"maximum of {info.name!r}"
    maximum = AggregateMetric(exp.Max(this=only_where(value, where)))
    return ScalarRule(label, ANY_VALUE, lambda e: as_float(e.values[maximum]), (maximum,))
