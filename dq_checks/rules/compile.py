"""Turn a parsed rule into a compiled rule for one table, and combine composite rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dq_checks.dqdl.ast import Composite, RuleExpr
from dq_checks.dqdl.printer import rule_text
from dq_checks.metrics import AggregateMetric
from dq_checks.results.model import Outcome
from dq_checks.rules.column_names import with_table_names
from dq_checks.rules.engine_errors import engine_error_text
from dq_checks.rules.model import CompiledRule, Evidence, RuleError, RuleOutcome, TableContext
from dq_checks.rules.types.registry import definition_of


def compile_rule(rule: RuleExpr, context: TableContext) -> CompiledRule:
    """The compiled rule; RuleError when the table cannot support it (missing column, wrong type).

    A rule type's compiler is found by name in the registry (`dq_checks/rules/types/registry.py`).
    """
    if isinstance(rule, Composite):
        return CompositeRule(rule.op, tuple((rule_text(r), compile_rule(r, context)) for r in rule.rules))
    rule = with_table_names(rule, context.description)
    return definition_of(rule.rule_type).compile(rule, context)


@dataclass(frozen=True)
class CompositeRule:
    """`(A) and (B)`, `(A) or (B)`: each rule runs over the whole table, then the outcomes combine."""

    op: str
    children: tuple[tuple[str, CompiledRule], ...]

    @property
    def metrics(self) -> Sequence[AggregateMetric]:
        """Every child's metrics."""
        return [m for _, child in self.children for m in child.metrics]

    def evaluate(self, evidence: Evidence) -> RuleOutcome:
        """and: pass when all pass; or: pass when any passes. An error decides only if nothing else can."""
        results = [(text, evaluate_safely(child, evidence)) for text, child in self.children]
        outcomes = [r.outcome for _, r in results]
        if self.op == "and":
            if Outcome.ERROR in outcomes:
                outcome = Outcome.ERROR
            else:
                outcome = (
                    Outcome.PASS if all(o in (Outcome.PASS, Outcome.SKIP) for o in outcomes) else Outcome.FAIL
                )
        elif Outcome.PASS in outcomes:
            outcome = Outcome.PASS
        else:
            outcome = Outcome.ERROR if Outcome.ERROR in outcomes else Outcome.FAIL
        parts = [{"rule": text, "outcome": r.outcome.value, "message": r.message} for text, r in results]
        message = f" {self.op} ".join(f"({r.outcome.value}: {r.message})" for _, r in results)
        return RuleOutcome(outcome, message, None, {"rules": parts})


def evaluate_safely(rule: CompiledRule, evidence: Evidence) -> RuleOutcome:
    """Evaluate; a rule that cannot be evaluated is an *error* outcome with the reason, never a crash."""
    try:
        return rule.evaluate(evidence)
    except RuleError as error:
        return RuleOutcome(Outcome.ERROR, str(error), error.observed)
    except Exception as error:  # the engine refused the rule's query: report it, run the other rules
        return RuleOutcome(
            Outcome.ERROR, f"the engine could not evaluate the rule: {engine_error_text(error)}"
        )
