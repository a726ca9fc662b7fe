"""Compute a table's analyzers in the scan its rules share, and report their values.

Each analyzer is compiled as a rule of its own type would be (with a condition nobody reads),
so its aggregates join the same single scan and a metric a rule also needs is computed once.
Its outcome is ignored: only the observed metric is kept. `AllColumns` becomes one analyzer
per column the type can take (numeric columns for Mean, Sum, ...).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dq_checks.analyzers.kinds import ALL_COLUMNS, ANALYZER_KINDS
from dq_checks.analyzers.metric_keys import metric_key
from dq_checks.config.analyzer_entries import AnalyzerDefinition
from dq_checks.dqdl.ast import Comparison, Number, Rule, String
from dq_checks.dqdl.printer import rule_text
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

    @property
    def metrics(self) -> Sequence[AggregateMetric]:
        """The aggregates this analyzer adds to the shared scan."""
        return self.compiled.metrics if self.compiled is not None else ()


@dataclass(frozen=True)
class AnalyzerResult:
    """What one analyzer measured (`value`), or why it could not (`error`). Never a pass or a fail."""

    analyzer: str
    metric: str | None
    value: float | None
    location: str
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `dq run --json` and of the profile check's `dq/analyzers`."""
        return {
            "analyzer": self.analyzer,
            "metric": self.metric,
            "value": self.value,
            "error": self.error,
            "location": self.location,
        }


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
            text, key = rule_text(rule), metric_key(rule.rule_type, columns)
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
        Rule(analyzer.rule_type, (String(column.name),), position=analyzer.position)
        for column in context.description.columns
        if not numeric or column.kind is ColumnKind.NUMERIC
    ]


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
    for index, analyzer in enumerate(planned):
        location = analyzer.definition.location
        if analyzer.compiled is None:
            results.append(AnalyzerResult(analyzer.text, analyzer.metric, None, location, analyzer.error))
            continue
        if index in refusals:
            error = f"{location}: the engine could not compute it: {without_values(refusals[index])}"
            results.append(AnalyzerResult(analyzer.text, analyzer.metric, None, location, error))
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
