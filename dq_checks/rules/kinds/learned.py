"""DetectAnomalies: a metric judged against its own history instead of a fixed condition."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dq_checks.dqdl.ast import Comparison, Number, Rule, String
from dq_checks.history import Point, Verdict, robust_judgement
from dq_checks.metrics import AggregateMetric
from dq_checks.render.numbers import format_number
from dq_checks.results.model import Outcome
from dq_checks.rules.kinds.scalar import ScalarRule, compile_scalar
from dq_checks.rules.model import Evidence, RuleOutcome, TableContext

LOOKBACK = 30
MIN_POINTS = 5


@dataclass(frozen=True)
class DetectAnomaliesRule:
    """Observe the metric as its own rule type would, then ask the history detector."""

    label: str
    observer: ScalarRule

    @property
    def metrics(self) -> Sequence[AggregateMetric]:
        """The metric's own aggregates."""
        return self.observer.metrics

    def evaluate(self, evidence: Evidence) -> RuleOutcome:
        """SKIP without enough history; FAIL on an outlier; PASS otherwise."""
        value = self.observer.observe(evidence)
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


def compile_detect_anomalies(rule: Rule, context: TableContext) -> DetectAnomaliesRule:
    """Build the metric's observer from a rule of the metric's own type."""
    params = [p for p in rule.params if isinstance(p, String)]
    metric, columns = params[0].value, tuple(params[1:])
    observer_rule = Rule(metric, columns, Comparison(">=", Number(0)))
    observer = compile_scalar(observer_rule, context)
    label = f"{metric}" + (f" of {columns[0].value!r}" if columns else "")
    return DetectAnomaliesRule(label, observer)
