"""A rule's outcome in words: an observed number against its condition, PASS or FAIL with the evidence."""

from __future__ import annotations

from typing import Any

from dq_checks.dqdl.ast import Condition
from dq_checks.render.numbers import format_number
from dq_checks.results.model import Outcome
from dq_checks.rules.conditions import describe, satisfies
from dq_checks.rules.model import Evidence, RuleError, RuleOutcome


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
