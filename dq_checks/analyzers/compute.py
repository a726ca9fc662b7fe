"""Compute a table's analyzers in the scan its rules share, and report their values.

Each analyzer is compiled as a rule of its own type would be (with a condition nobody reads),
so its aggregates join the same single scan and a metric a rule also needs is computed once.
Its outcome is ignored: only the observed metric is kept. `AllColumns` becomes one analyzer
per column the type can take (numeric columns for Mean, Sum, ...). `Distribution` is no rule
type: it adds its column's count, minimum and maximum to the scan, and its histograms and top
values are counted after it (see `distribution.py`); it has no scalar metric and no history key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from dq_checks.analyzers.distribution import DistributionPlan, measure_distributions
from dq_checks.analyzers.distribution_model import ColumnDistribution
from dq_checks.analyzers.distribution_settings import distribution_settings
from dq_checks.analyzers.kinds import ALL_COLUMNS, ANALYZER_KINDS, DISTRIBUTION
from dq_checks.analyzers.metric_keys import metric_key
from dq_checks.config.analyzer_entries import AnalyzerDefinition
from dq_checks.dqdl.ast import Comparison, Number, Rule, String
from dq_checks.dqdl.printer import analyzer_text
from dq_checks.metrics import AggregateMetric, MetricValues, QueryRunner
from dq_checks.profile.model import TableProfile
from dq_checks.results.model import Outcome
from dq_checks.rules.compile import compile_rule, evaluate_safely
from dq_checks.rules.engine_errors import without_values
from dq_checks.rules.model import CompiledRule, Evidence, RuleError, TableContext, no_history
from dq_checks.schema import ColumnKind

_UNJUDGED = Comparison(">=", Number(0))
"""The condition an analyzer is compiled with: rule types need one, and its verdict is never read."""


@dataclass(frozen=True)
class PlannedAnalyzer:
    """One analyzer on this table (one column of an `AllColumns`), compiled, or why it cannot be."""

    definition: AnalyzerDefinition
    text: str
    metric: str | None
    compiled: CompiledRule | None = None
    error: str | None = None
    distribution: DistributionPlan | None = None

    @property
    def metrics(self) -> Sequence[AggregateMetric]:
        """The aggregates this analyzer adds to the shared scan."""
        if self.distribution is not None:
            return self.distribution.metrics
        return self.compiled.metrics if self.compiled is not None else ()


@dataclass(frozen=True)
class AnalyzerResult:
    """What one analyzer measured (`value`), or why it could not (`error`). Never a pass or a fail."""

    analyzer: str
    metric: str | None
    value: float | None
    location: str
    error: str | None = None
    distribution: ColumnDistribution | None = None
    """A Distribution analyzer's histogram or top values; its `value` is None."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `dq run --json` and of the profile check's `dq/analyzers`.

        A Distribution analyzer adds `distribution` (see `ColumnDistribution.to_dict`).
        """
        data = {
            "analyzer": self.analyzer,
            "metric": self.metric,
            "value": self.value,
            "error": self.error,
            "location": self.location,
        }
        if self.distribution is not None:
            data["distribution"] = self.distribution.to_dict()
        return data


def plan_analyzers(definitions: Sequence[AnalyzerDefinition], context: TableContext) -> list[PlannedAnalyzer]:
    """Every analyzer compiled for this table; `AllColumns` expanded against its columns."""
    planned: list[PlannedAnalyzer] = []
    for definition in definitions:
        if definition.analyzer is None:
            problem = definition.problem or "the analyzer did not parse"
            planned.append(PlannedAnalyzer(definition, definition.text, None, error=problem))
            continue
        for rule in _expanded(definition.analyzer, context):
            columns = tuple(p.value for p in rule.params if isinstance(p, String))
            text, key = analyzer_text(rule), metric_key(rule.rule_type, columns)
            if rule.rule_type == DISTRIBUTION:
                planned.append(_distribution(definition, rule, text, context))
                continue
            try:
                compiled = compile_rule(_judgeable(rule), context)
            except RuleError as error:
                problem = f"{definition.location}: {text}: {error}"
                planned.append(PlannedAnalyzer(definition, text, key, error=problem))
                continue
            planned.append(PlannedAnalyzer(definition, text, key, compiled))
    return planned


def _expanded(analyzer: Rule, context: TableContext) -> list[Rule]:
    """The analyzer itself, or one per fitting column when its column is `AllColumns`."""
    params = analyzer.params
    if not (len(params) == 1 and isinstance(params[0], String) and params[0].value == ALL_COLUMNS):
        return [analyzer]
    numeric = ANALYZER_KINDS[analyzer.rule_type].numeric
    return [
        replace(analyzer, params=(String(column.name),))
        for column in context.description.columns
        if not numeric or column.kind is ColumnKind.NUMERIC
    ]


def _distribution(
    definition: AnalyzerDefinition, rule: Rule, text: str, context: TableContext
) -> PlannedAnalyzer:
    """A Distribution analyzer on its (case-insensitively matched) column, or why it has none."""
    (column,) = (p.value for p in rule.params if isinstance(p, String))
    try:
        info = context.column(column)
    except RuleError as error:
        return PlannedAnalyzer(definition, text, None, error=f"{definition.location}: {text}: {error}")
    plan = DistributionPlan(info, distribution_settings(rule))
    return PlannedAnalyzer(definition, text, None, distribution=plan)


def _judgeable(analyzer: Rule) -> Rule:
    return Rule(analyzer.rule_type, analyzer.params, _UNJUDGED, position=analyzer.position)


def compute_analyzers(
    planned: Sequence[PlannedAnalyzer],
    values: MetricValues,
    runner: QueryRunner,
    *,
    profile: TableProfile | None,
    refused: Mapping[int, str] | None = None,
) -> list[AnalyzerResult]:
    """Each analyzer's value from the shared scan (and any query of its own, as its rule type runs).

    `refused` maps an analyzer's index to the engine's refusal of its aggregates.
    """
    results, refusals, shared = [], refused or {}, {}
    plans = {
        i: a.distribution for i, a in enumerate(planned) if a.distribution is not None and i not in refusals
    }
    distributions = measure_distributions(plans, values, runner) if plans else {}
    for index, analyzer in enumerate(planned):
        location = analyzer.definition.location
        if index in refusals:
            error = f"{location}: the engine could not compute it: {without_values(refusals[index])}"
            results.append(AnalyzerResult(analyzer.text, analyzer.metric, None, location, error))
            continue
        if index in distributions:
            results.append(_distribution_result(analyzer, distributions[index]))
            continue
        if analyzer.compiled is None:
            results.append(AnalyzerResult(analyzer.text, analyzer.metric, None, location, analyzer.error))
            continue
        evidence = Evidence(values, runner, no_history, profile, shared)
        outcome = evaluate_safely(analyzer.compiled, evidence)
        value = outcome.observed
        if outcome.outcome is Outcome.ERROR or value is None or not math.isfinite(value):
            reason = outcome.message if outcome.outcome is Outcome.ERROR else "no value (no rows to measure)"
            reason = reason if reason.startswith(location) else f"{location}: {analyzer.text}: {reason}"
            results.append(AnalyzerResult(analyzer.text, analyzer.metric, None, location, reason))
            continue
        results.append(AnalyzerResult(analyzer.text, analyzer.metric, float(value), location))
    return results


def _distribution_result(analyzer: PlannedAnalyzer, measured: ColumnDistribution | str) -> AnalyzerResult:
    location = analyzer.definition.location
    if isinstance(measured, str):
        error = f"{location}: {analyzer.text}: {without_values(measured)}"
        return AnalyzerResult(analyzer.text, None, None, location, error)
    return AnalyzerResult(analyzer.text, None, None, location, distribution=measured)
