"""The typed syntax tree of DQDL: rulesets, rules, conditions and operand expressions.

Nodes are frozen dataclasses, so two trees compare equal when they say the same thing;
source positions ride along but take no part in equality.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

GRAMMAR_KEYWORDS = ("between", "matches", "where", "with", "labels", "threshold", "not", "in", "and", "or")
"""The words the grammar gives a meaning; any other bare word is a column name, as in AWS's grammar.
A misspelling of one of these is named by the parser and by validation."""

# --- operands -----------------------------------------------------------------------------

KeywordName = Literal["NULL", "EMPTY", "WHITESPACES_ONLY"]
TimeUnit = Literal["days", "hours", "minutes"]
SizeUnit = Literal["B", "KB", "MB", "GB", "TB"]
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
class Size:
    """`10 MB`: a file size, as AWS's File* rules compare them."""

    amount: Number
    unit: SizeUnit

    @property
    def bytes(self) -> float:
        """The size in bytes (KB is 1,024 bytes)."""
        return float(self.amount.value) * 1024 ** ["B", "KB", "MB", "GB", "TB"].index(self.unit)


@dataclass(frozen=True)
class Boolean:
    """`true` or `false`: only an analyzer's tag takes one (`with rebin = false`)."""

    value: bool


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


Expr = Number | String | Keyword | Now | Duration | Size | Boolean | ConstantRef | Call | BinaryOp | Negate


@dataclass(frozen=True)
class ValueList:
    """A list constant, `allowed = ["a", "b", NULL]`, used as `ColumnValues "c" in $allowed`."""

    values: tuple[String | Keyword, ...]


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
    """`in [a, b]` or `not in [a, b]`; `in $name` (spread) takes the values of a list constant.

    A spread list holds the one ConstantRef until constants are resolved, which replace it
    with the constant's values and clear `spread`.
    """

    values: tuple[Expr, ...]
    negated: bool = False
    spread: bool = False


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


MAX_LABELS_PER_RULE = 10
MAX_LABEL_KEY_LENGTH = 128
MAX_LABEL_VALUE_LENGTH = 256


@dataclass(frozen=True)
class Labels:
    """`labels=["team"="sales", "tier"="1"]`: key-value pairs, in the order written."""

    pairs: tuple[tuple[str, str], ...] = ()

    def merged_over(self, defaults: Labels | None) -> Labels:
        """These labels over a ruleset's DefaultLabels: a rule's own value wins per key."""
        own = dict(self.pairs)
        inherited = tuple((k, v) for k, v in (defaults.pairs if defaults else ()) if k not in own)
        return Labels(inherited + self.pairs)


@dataclass(frozen=True)
class Tag:
    """`with <name> <condition>`: `with hashAlgorithm = "MD5"`, an analyzer's `with bins = 10`.

    `with threshold` has its own field on Rule, since the rule engine acts on it.
    """

    name: str
    condition: Condition


Param = String | ConstantRef


@dataclass(frozen=True)
class Rule:
    """One rule: `RuleType <params> [<condition>] [where "..."] [labels=[...]] [with <tag> ...]`.

    `with threshold <cond>` is the tag the engine acts on, so it has a field of its own.
    An analyzer (`Analyzers = [...]`) is a Rule with no condition.
    """

    rule_type: str
    params: tuple[Param, ...] = ()
    condition: Condition | None = None
    where: String | None = None
    threshold: Condition | None = None
    labels: Labels | None = None
    tags: tuple[Tag, ...] = ()
    position: Position | None = field(default=None, compare=False)

    @property
    def param_values(self) -> tuple[str, ...]:
        """The parameters' text, once `$constants` are resolved (an unresolved one is left out)."""
        return tuple(p.value for p in self.params if isinstance(p, String))


@dataclass(frozen=True)
class Composite:
    """`(A) and (B)` or `(A) or ((B) and (C))`: outcomes combined after each rule runs."""

    op: Literal["and", "or"]
    rules: tuple[RuleExpr, ...]
    position: Position | None = field(default=None, compare=False)
    labels: Labels | None = None


RuleExpr = Rule | Composite

DictValue = str | tuple[str, ...]
ConstantValue = Number | String | ValueList


@dataclass(frozen=True)
class Ruleset:
    """A whole DQDL document."""

    rules: tuple[RuleExpr, ...] = ()
    constants: tuple[tuple[str, ConstantValue], ...] = ()
    analyzers: tuple[RuleExpr, ...] = ()
    metadata: tuple[tuple[str, DictValue], ...] | None = None
    data_sources: tuple[tuple[str, DictValue], ...] | None = None
    default_labels: Labels | None = None

    def constant_values(self) -> dict[str, ConstantValue]:
        """Constants by name."""
        return dict(self.constants)


def leaf_rules(expression: RuleExpr) -> list[Rule]:
    """Every plain rule inside a (possibly composite) rule, left to right."""
    if isinstance(expression, Rule):
        return [expression]
    return [leaf for child in expression.rules for leaf in leaf_rules(child)]
