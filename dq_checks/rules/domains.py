"""The values each rule type's metric can take, and the conditions that cannot tell them apart.

A share is within [0, 1], a count is a whole number of at least 0, a correlation within
[-1, 1]. A condition whose literals leave no value of its metric's domain passing
(`Completeness "c" > 2`, `ColumnCount = 6.5`, `ColumnLength "c" between -5 and -1`) can never
be met; one that every value passes (`with threshold > -1`, `Completeness "c" <= 1`) can never
fail. Both are mistakes, not rules, so both are refused. A literal outside the domain is fine
where it still splits the domain: with DQDL's exclusive `between`, `ColumnLength "c" between
-1 and 5` is the way to say "0 to 4 characters".

Conditions with dynamic operands (`avg(last(7)) * 0.5`) depend on history and are not judged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise

from dq_checks.dqdl.ast import Between, Comparison, Condition, InList, Number
from dq_checks.dqdl.printer import condition_text

_TOLERANCE = 1e-9  # as the rules judge `=`: a metric computed in floating point is never exact


@dataclass(frozen=True)
class Domain:
    """The values a metric can take: an interval, of whole numbers or of reals."""

    description: str
    low: float
    high: float
    whole: bool = False

    def candidates(self, literals: list[float]) -> list[float]:
        """Values of the domain that stand for every way a condition over `literals` can turn out.

        Such a condition changes its truth only at its literals, so it is enough to try the
        domain's ends, the literals inside it, and a value on each side of every one.
        """
        top = self.high if math.isfinite(self.high) else math.floor(max([self.low, *literals])) + 2
        if self.whole:
            points = {self.low, top}
            for value in literals:
                points.update(range(math.floor(value) - 1, math.ceil(value) + 2))
        else:
            points = {self.low, top, *literals}
            ordered = sorted(p for p in points if self.low <= p <= top)
            points.update((a + b) / 2 for a, b in pairwise(ordered))
        return sorted(float(p) for p in points if self.low <= p <= top)


SHARE = Domain("a share between 0 and 1", 0.0, 1.0)
COUNT = Domain("a whole number of at least 0", 0.0, math.inf, whole=True)
NON_NEGATIVE = Domain("a number of at least 0", 0.0, math.inf)
CORRELATION = Domain("a correlation between -1 and 1", -1.0, 1.0)
"""Each rule type's spec names the domain of the number its condition is compared with. Mean,
Sum, AggregateMatch and a scalar CustomSql have none: they can be any number. ColumnValues
compares values whose type only the table knows."""

# `with threshold` is the share of rows that pass.
THRESHOLD_DOMAIN = Domain("a share of rows between 0 and 1", 0.0, 1.0)


def empty_list_problem(condition: Condition) -> str | None:
    """`in []` matches nothing and `not in []` everything: neither says what the author meant."""
    if not isinstance(condition, InList) or condition.values:
        return None
    if condition.negated:
        return "'not in []' lists no value, so it is always met and the rule can never fail"
    return "'in []' lists no value, so it can never be met"


def domain_problem(condition: Condition, domain: Domain, subject: str) -> str | None:
    """Why `condition` cannot tell the values of `domain` apart, or None when it can."""
    literals = _literals(condition)
    if literals is None or not literals:
        return None
    outcomes = {_meets(condition, value) for value in domain.candidates(literals)}
    shown = condition_text(condition)
    if True not in outcomes:
        return f"{subject} is {domain.description}, so '{shown}' can never be met"
    if False not in outcomes:
        return f"{subject} is {domain.description}, so '{shown}' is always met and the rule can never fail"
    return None


def _literals(condition: Condition) -> list[float] | None:
    """The condition's numbers, when every operand is a finite literal; None otherwise."""
    match condition:
        case Comparison():
            operands = (condition.operand,)
        case Between():
            operands = (condition.low, condition.high)
        case InList():
            operands = condition.values
        case _:
            return None
    if not all(isinstance(o, Number) and math.isfinite(o.value) for o in operands):
        return None
    return [float(o.value) for o in operands]  # type: ignore[union-attr]


def _meets(condition: Condition, value: float) -> bool:
    """Whether `value` meets a condition of literals, as the rules judge it (`between` exclusive)."""
    match condition:
        case Comparison():
            target = float(condition.operand.value)  # type: ignore[union-attr]
            equal = _equal(value, target)
            return {
                "=": equal,
                "!=": not equal,
                ">": value > target,
                ">=": value >= target or equal,
                "<": value < target,
                "<=": value <= target or equal,
            }[condition.op]
        case Between():
            low, high = float(condition.low.value), float(condition.high.value)  # type: ignore[union-attr]
            return (low < value < high) != condition.negated
        case InList():
            listed = any(_equal(value, float(v.value)) for v in condition.values)  # type: ignore[union-attr]
            return listed != condition.negated
    raise TypeError(condition)


def _equal(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=_TOLERANCE, abs_tol=_TOLERANCE)
