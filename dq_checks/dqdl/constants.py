"""Substitute `$constants` into a rule, so everything downstream sees plain literals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from dq_checks.dqdl.ast import (
    Between,
    BinaryOp,
    Call,
    Comparison,
    Composite,
    Condition,
    ConstantRef,
    ConstantValue,
    Expr,
    InList,
    Matches,
    Negate,
    Number,
    RuleExpr,
    ValueList,
)
from dq_checks.suggestions import did_you_mean

__all__ = ["ConstantValue", "UndefinedConstant", "resolve_constants"]


class UndefinedConstant(ValueError):
    """A `$name` that no constant defines."""


def resolve_constants(rule: RuleExpr, constants: Mapping[str, ConstantValue]) -> RuleExpr:
    """The rule with every `$name` replaced by its value; UndefinedConstant names the first missing one."""
    if isinstance(rule, Composite):
        return replace(rule, rules=tuple(resolve_constants(r, constants) for r in rule.rules))
    return replace(
        rule,
        params=tuple(_expr(p, constants) for p in rule.params),  # type: ignore[misc]
        condition=_condition(rule.condition, constants),
        threshold=_condition(rule.threshold, constants),
        tags=tuple(replace(tag, condition=_condition(tag.condition, constants)) for tag in rule.tags),
    )


def _condition(condition: Condition | None, constants: Mapping[str, ConstantValue]) -> Condition | None:
    match condition:
        case None:
            return None
        case Comparison():
            return replace(condition, operand=_expr(condition.operand, constants))
        case Between():
            return replace(
                condition, low=_expr(condition.low, constants), high=_expr(condition.high, constants)
            )
        case InList() if condition.spread:
            reference = condition.values[0]
            value = _lookup(reference, constants)  # type: ignore[arg-type]
            if not isinstance(value, ValueList):
                raise UndefinedConstant(
                    f'${reference.name} is not a list; `in ${reference.name}` needs one, such as ["a", "b"]'
                )  # type: ignore[union-attr]
            return InList(value.values, negated=condition.negated)
        case InList():
            return replace(condition, values=tuple(_expr(v, constants) for v in condition.values))
        case Matches():
            return replace(condition, pattern=_expr(condition.pattern, constants))  # type: ignore[arg-type]
    raise TypeError(condition)


def _lookup(reference: ConstantRef, constants: Mapping[str, ConstantValue]) -> ConstantValue:
    if reference.name not in constants:
        known = ", ".join(f"${n}" for n in sorted(constants)) or "none"
        hint = did_you_mean(reference.name, sorted(constants))
        raise UndefinedConstant(f"${reference.name} is not defined (constants: {known}){hint}")
    return constants[reference.name]


def _expr(expr: Any, constants: Mapping[str, ConstantValue]) -> Expr:
    match expr:
        case ConstantRef():
            value = _lookup(expr, constants)
            if isinstance(value, ValueList):
                raise UndefinedConstant(f"${expr.name} is a list: use it as `in ${expr.name}`")
            return value
        case Call():
            return replace(expr, args=tuple(_expr(a, constants) for a in expr.args))
        case BinaryOp():
            return replace(expr, left=_expr(expr.left, constants), right=_expr(expr.right, constants))
        case Negate():
            inner = _expr(expr.operand, constants)
            return Number(-inner.value) if isinstance(inner, Number) else replace(expr, operand=inner)
    return expr
