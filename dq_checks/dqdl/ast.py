"""The typed syntax tree of DQDL: rulesets, rules, conditions and operand expressions.

Nodes are frozen dataclasses, so two trees compare equal when they say the same thing;
source positions ride along but take no part in equality.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# --- operands -----------------------------------------------------------------------------

KeywordName = Literal["NULL", "EMPTY", "WHITESPACES_ONLY"]
TimeUnit = Literal["days", "hours", "minutes"]
ArithmeticOp = Literal["+", "-", "*", "/"]
ComparisonOp = Literal["=", "!=", ">", ">=", "<", "<="]


@dataclass(frozen=True)
class Number:
    """A numeric literal. Integers stay int, so `5` prints back as `5`."""

    value: int | float


@dataclass(frozen=True)
class String:
    """A double-quoted string literal, unescaped."""

    value: str


@dataclass(frozen=True)
class Keyword:
    """NULL, EMPTY (the empty string) or WHITESPACES_ONLY."""

    name: KeywordName


@dataclass(frozen=True)
class Now:
    """now(): the evaluation instant, from an injected clock."""


@dataclass(frozen=True)
class Duration:
    """`3 days`, `24 hours`, `30 minutes`."""

    amount: Number
    unit: TimeUnit

    @property
    def seconds(self) -> float:
        """The duration in seconds."""
        return float(self.amount.value) * {"days": 86_400, "hours": 3_600, "minutes": 60}[self.unit]


@dataclass(frozen=True)
class ConstantRef:
    """`$name`: a constant defined in the ruleset or the table's `constants:`."""

    name: str


@dataclass(frozen=True)
class Call:
    """A function call in a dynamic expression: `avg(last(10))`, `index(last(5), 1)`."""

    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class BinaryOp:
    """Arithmetic on operands: `1.1 * avg(last(10))`, `now() - 3 days`."""

    op: ArithmeticOp
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Negate:
    """Unary minus on something that is not a literal number."""

    operand: Expr


Expr = Number | String | Keyword | Now | Duration | ConstantRef | Call | BinaryOp | Negate

# --- conditions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """`= x`, `!= x`, `> x`, `>= x`, `< x`, `<= x`."""

    op: ComparisonOp
    operand: Expr


@dataclass(frozen=True)
class Between:
    """`between a and b` (exclusive) or `not between a and b`."""

    low: Expr
    high: Expr
    negated: bool = False


@dataclass(frozen=True)
class InList:
    """`in [a, b]` or `not in [a, b]`."""

    values: tuple[Expr, ...]
    negated: bool = False


@dataclass(frozen=True)
class Matches:
    """`matches "regex"` or `not matches "regex"` (the whole value must match)."""

    pattern: String | ConstantRef
    negated: bool = False


Condition = Comparison | Between | InList | Matches

# --- rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    """Where a node starts in the text it was parsed from (1-based)."""

    line: int
    column: int


@dataclass(frozen=True)
class Labels:
    """`labels=["a", "b"]` or `labels={"team": "sales"}`."""

    values: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()


Param = String | ConstantRef


@dataclass(frozen=True)
class Rule:
    """One rule: `RuleType <params> [<condition>] [where "..."] [with threshold <cond>] [labels=...]`."""

    rule_type: str
    params: tuple[Param, ...] = ()
    condition: Condition | None = None
    where: String | None = None
    threshold: Condition | None = None
    labels: Labels | None = None
    position: Position | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Composite:
    """`(A) and (B)` or `(A) or ((B) and (C))`: outcomes combined after each rule runs."""

    op: Literal["and", "or"]
    rules: tuple[RuleExpr, ...]
    position: Position | None = field(default=None, compare=False)


RuleExpr = Rule | Composite

DictValue = str | tuple[str, ...]


@dataclass(frozen=True)
class Ruleset:
    """A whole DQDL document."""

    rules: tuple[RuleExpr, ...] = ()
    constants: tuple[tuple[str, Number | String], ...] = ()
    analyzers: tuple[RuleExpr, ...] = ()
    metadata: tuple[tuple[str, DictValue], ...] | None = None
    data_sources: tuple[tuple[str, DictValue], ...] | None = None
    default_labels: Labels | None = None

    def constant_values(self) -> dict[str, Number | String]:
        """Constants by name."""
        return dict(self.constants)


def leaf_rules(expression: RuleExpr) -> list[Rule]:
    """Every plain rule inside a (possibly composite) rule, left to right."""
    if isinstance(expression, Rule):
        return [expression]
    return [leaf for child in expression.rules for leaf in leaf_rules(child)]
