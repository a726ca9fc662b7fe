"""Compare an observed aggregate with a rule's numeric condition."""

from __future__ import annotations

import math

from dq_checks.dqdl.ast import Between, Comparison, Condition, Expr, InList, Matches
from dq_checks.dqdl.printer import condition_text
from dq_checks.rules.dynamic import evaluate_number, uses_history
from dq_checks.rules.model import History, RuleError

_TOLERANCE = 1e-9


def _equal(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=_TOLERANCE, abs_tol=_TOLERANCE)


def satisfies(condition: Condition, observed: float, history: History) -> bool:
    """Whether `observed` meets the condition. `between` is exclusive, as DQDL defines it.

    A bound that cannot be computed (too little history for `index(last(10), 2)`) is a
    RuleError that carries `observed`, so the metric is still recorded for later runs.
    """
    try:
        return _satisfies(condition, observed, history)
    except RuleError as error:
        raise error.measured(observed) from None


def _satisfies(condition: Condition, observed: float, history: History) -> bool:
    match condition:
        case Comparison():
            target = evaluate_number(condition.operand, history)
            return {
                "=": _equal(observed, target),
                "!=": not _equal(observed, target),
                ">": observed > target,
                ">=": observed >= target or _equal(observed, target),
                "<": observed < target,
                "<=": observed <= target or _equal(observed, target),
            }[condition.op]
        case Between():
            low, high = evaluate_number(condition.low, history), evaluate_number(condition.high, history)
            inside = low < observed < high
            return not inside if condition.negated else inside
        case InList():
            listed = any(_equal(observed, evaluate_number(v, history)) for v in condition.values)
            return not listed if condition.negated else listed
        case Matches():
            raise RuleError("matches applies to values, not to a metric")
    raise TypeError(condition)


def describe(condition: Condition, history: History) -> str:
    """The condition as written, with dynamic operands resolved: `> 0.5 * avg(last(7)) (= 1,234)`."""
    text = condition_text(condition)
    operands: tuple[Expr, ...] = ()
    if isinstance(condition, Comparison):
        operands = (condition.operand,)
    elif isinstance(condition, Between):
        operands = (condition.low, condition.high)
    dynamic = [o for o in operands if uses_history(o)]
    if not dynamic:
        return text
    resolved = ", ".join(f"{evaluate_number(o, history):,.6g}" for o in dynamic)
    return f"{text} (= {resolved})"
