"""Evaluate numeric operands, including dynamic expressions over a rule's own history.

As AWS documents dynamic rules: `last(k)` is this rule's last k observed values, most recent
first; with fewer than k earlier values it is those there are, and with none it is [0.0].
`last()` is `last(1)`, the most recent value, and a bare `last()` or `last(1)` compares as that
one number (`RowCount > last()`); a bare `last(k)` with k > 1 is a list, which `dq validate`
refuses. `index(last(k), i)` is the i-th of them, 0 being the most recent; a position past the
values there are is an error.
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


def last_count(call: Call) -> int:
    """The k of `last(k)`; `last()` is `last(1)`."""
    if not call.args:
        return 1
    amount = call.args[0]
    if not isinstance(amount, Number) or not isinstance(amount.value, int) or amount.value < 1:
        raise RuleError("last(k) takes one whole number k >= 1")
    return amount.value


def _last(call: Expr, history: History) -> list[float]:
    if not isinstance(call, Call) or call.name != "last":
        raise RuleError(f"{type(call).__name__} is not last(k): aggregate functions take last(k)")
    k = last_count(call)
    values = [float(v) for v in history(k)][:k]
    return values or [0.0]


def _call(call: Call, history: History) -> float:
    if call.name == "abs":
        return abs(evaluate_number(call.args[0], history))
    if call.name == "index":
        k = last_count(call.args[0]) if isinstance(call.args[0], Call) else 0
        earlier = len([float(v) for v in history(k)][:k]) if k else 0
        values = _last(call.args[0], history)
        position = int(evaluate_number(call.args[1], history))
        if not 0 <= position < len(values):
            raise RuleError(
                f"index(last({k}), {position}) needs at least {position + 1} earlier value(s); "
                f"this rule has {earlier} so far"
            )
        return values[position]
    if call.name == "last":
        values = _last(call, history)
        if len(values) > 1:
            raise RuleError(f"last({last_count(call)}) is {len(values)} values; reduce it, e.g. avg(last(k))")
        return values[0]
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
