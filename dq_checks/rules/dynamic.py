"""Evaluate numeric operands, including dynamic expressions over a rule's own history.

`last(k)` is this rule's last k observed values, most recent first. With no history it
is [0.0]; with fewer than k points it uses those there are (DQDL.md). `index(last(k), i)`
is the i-th of them, 0 being the most recent.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from dq_checks.dqdl.ast import BinaryOp, Call, Expr, Negate, Number
from dq_checks.rules.model import History, RuleError


def evaluate_number(expr: Expr, history: History) -> float:
    """The value of a numeric operand."""
    match expr:
        case Number():
            return float(expr.value)
        case Negate():
            return -evaluate_number(expr.operand, history)
        case BinaryOp():
            left, right = evaluate_number(expr.left, history), evaluate_number(expr.right, history)
            if expr.op == "/" and right == 0:
                raise RuleError("division by zero in the rule's expression")
            return {
                "+": left + right,
                "-": left - right,
                "*": left * right,
                "/": left / right if right else 0.0,
            }[expr.op]
        case Call():
            return _call(expr, history)
    raise RuleError(f"{type(expr).__name__} is not a number")


def _last(call: Expr, history: History) -> list[float]:
    if not isinstance(call, Call) or call.name != "last":
        raise RuleError("expected last(k)")
    k = int(evaluate_number(call.args[0], history))
    values = [float(v) for v in history(k)][:k]
    return values or [0.0]


def _call(call: Call, history: History) -> float:
    if call.name == "abs":
        return abs(evaluate_number(call.args[0], history))
    if call.name == "index":
        values = _last(call.args[0], history)
        position = int(evaluate_number(call.args[1], history))
        if not 0 <= position < len(values):
            raise RuleError(f"index {position} is outside the {len(values)} values of history")
        return values[position]
    values = _last(call.args[0], history)
    return _aggregate(call.name, values)


def _aggregate(name: str, values: Sequence[float]) -> float:
    match name:
        case "avg":
            return statistics.fmean(values)
        case "median":
            return float(statistics.median(values))
        case "max":
            return max(values)
        case "min":
            return min(values)
        case "sum":
            return float(sum(values))
        case "std":
            return statistics.stdev(values) if len(values) > 1 else 0.0
        case "last":
            return values[0]
    raise RuleError(f"unknown function {name}()")


def uses_history(expr: Expr) -> bool:
    """True when the operand reads the rule's history."""
    match expr:
        case Call():
            return True
        case BinaryOp():
            return uses_history(expr.left) or uses_history(expr.right)
        case Negate():
            return uses_history(expr.operand)
    return False
