"""Compile a table's rules, collect their metrics for the shared scan, and judge them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from dq_checks.config.rule_entries import RuleDefinition
from dq_checks.metrics import AggregateMetric, MetricValues, QueryRunner
from dq_checks.metrics.runner import parallel_queries
from dq_checks.profile.model import TableProfile
from dq_checks.results.model import Outcome
from dq_checks.rules.compile import compile_rule, evaluate_safely
from dq_checks.rules.engine_errors import without_values
from dq_checks.rules.model import CompiledRule, Evidence, History, RuleError, RuleOutcome, TableContext


@dataclass(frozen=True)
class PlannedRule:
    """A rule compiled for this table, or the reason it could not be."""

    definition: RuleDefinition
    compiled: CompiledRule | None = None
    error: str | None = None

    @property
    def metrics(self) -> Sequence[AggregateMetric]:
        """The metrics this rule adds to the shared scan."""
        return self.compiled.metrics if self.compiled is not None else ()


def plan_rules(definitions: Sequence[RuleDefinition], context: TableContext) -> list[PlannedRule]:
    """Compile every rule; definition problems and misfits with this table become errors."""
    planned = []
    for definition in definitions:
        if definition.rule is None:
            planned.append(PlannedRule(definition, error=definition.problem or "the rule did not parse"))
            continue
        try:
            planned.append(PlannedRule(definition, compile_rule(definition.rule, context)))
        except RuleError as error:
            planned.append(PlannedRule(definition, error=f"{definition.location}: {error}"))
    return planned


def judge_rules(
    planned: Sequence[PlannedRule],
    values: MetricValues,
    runner: QueryRunner,
    *,
    profile: TableProfile | None,
    history_for: Callable[[str], History],
    failed_groups: dict[int, str] | None = None,
) -> list[tuple[RuleDefinition, RuleOutcome]]:
    """Every rule's outcome. `failed_groups` maps a rule's index to the engine's refusal of its metrics.

    An error met while evaluating names the rule's `path:line`, as a definition problem does: the
    engine's message alone (`column "ghost" does not exist`) does not say which rule to fix.
    """
    failures = failed_groups or {}
    shared: dict[str, object] = {}
    workers = parallel_queries(runner)
    history = _serialized(history_for) if workers > 1 else history_for

    def judge(index: int, rule: PlannedRule) -> tuple[RuleDefinition, RuleOutcome]:
        if rule.compiled is None:
            return rule.definition, RuleOutcome(Outcome.ERROR, rule.error or "the rule could not be compiled")
        if index in failures:
            refusal = without_values(failures[index])
            return rule.definition, _located(
                rule, RuleOutcome(Outcome.ERROR, f"the engine could not evaluate the rule: {refusal}")
            )
        evidence = Evidence(values, runner, history(rule.definition.check_name), profile, shared)
        return rule.definition, _located(rule, evaluate_safely(rule.compiled, evidence))

    if workers <= 1 or len(planned) <= 1:
        return [judge(index, rule) for index, rule in enumerate(planned)]
    # Rules that query the engine (uniqueness, failing-row samples, CustomSql) run at once, as
    # many as the engine runs queries; the outcomes keep the rules' order.
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dq-rule") as pool:
        return list(pool.map(judge, range(len(planned)), planned))


def _serialized(history_for: Callable[[str], History]) -> Callable[[str], History]:
    """`history_for` whose lookups run one at a time: the store behind it need not be thread-safe."""
    lock = threading.Lock()

    def for_check(check_name: str) -> History:
        found = history_for(check_name)

        def last(k: int) -> Sequence[float]:
            with lock:
                return found(k)

        return last

    return for_check


def _located(rule: PlannedRule, outcome: RuleOutcome) -> RuleOutcome:
    """An error outcome's message prefixed with the rule's `path:line` (once)."""
    location = rule.definition.location
    if outcome.outcome is not Outcome.ERROR or not location or outcome.message.startswith(location):
        return outcome
    return replace(outcome, message=f"{location}: {outcome.message}")
