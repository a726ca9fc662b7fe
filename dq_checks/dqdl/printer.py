"""Write the syntax tree back as DQDL text. `parse_rule(to_text(rule)) == rule` for every rule."""

from __future__ import annotations

from dq_checks.dqdl.ast import (
    Between,
    BinaryOp,
    Call,
    Comparison,
    Composite,
    Condition,
    ConstantRef,
    Duration,
    Expr,
    InList,
    Keyword,
    Labels,
    Matches,
    Negate,
    Now,
    Number,
    RuleExpr,
    Ruleset,
    String,
)

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def quote(value: str) -> str:
    """A DQDL string literal: backslashes and double quotes escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def number_text(number: Number) -> str:
    """`5`, `0.95`, `1e+20`: integers without a point, floats with Python's shortest repr."""
    value = number.value
    return str(value) if isinstance(value, int) else repr(float(value))


def expr_text(expr: Expr, parent_precedence: int = 0) -> str:
    """An operand expression, parenthesised only where precedence needs it."""
    match expr:
        case Number():
            text = number_text(expr)
            return f"({text})" if parent_precedence >= 3 and text.startswith("-") else text
        case String():
            return quote(expr.value)
        case Keyword():
            return expr.name
        case Now():
            return "now()"
        case Duration():
            return f"{number_text(expr.amount)} {expr.unit}"
        case ConstantRef():
            return f"${expr.name}"
        case Call():
            return f"{expr.name}({', '.join(expr_text(a) for a in expr.args)})"
        case Negate():
            return f"-{expr_text(expr.operand, 3)}"
        case BinaryOp():
            precedence = _PRECEDENCE[expr.op]
            left = expr_text(expr.left, precedence)
            # the right side binds tighter: a - (b - c) keeps its parentheses
            right = expr_text(expr.right, precedence + 1)
            text = f"{left} {expr.op} {right}"
            return f"({text})" if parent_precedence > precedence or parent_precedence == 0 else text
    raise TypeError(f"not a DQDL expression: {expr!r}")


def condition_text(condition: Condition) -> str:
    """A condition, e.g. `between 0 and 100`, `not in ["a", NULL]`, `matches "^x"`."""
    match condition:
        case Comparison():
            return f"{condition.op} {expr_text(condition.operand)}"
        case Between():
            prefix = "not between" if condition.negated else "between"
            return f"{prefix} {expr_text(condition.low)} and {expr_text(condition.high)}"
        case InList():
            prefix = "not in" if condition.negated else "in"
            return f"{prefix} [{', '.join(expr_text(v) for v in condition.values)}]"
        case Matches():
            prefix = "not matches" if condition.negated else "matches"
            return f"{prefix} {expr_text(condition.pattern)}"
    raise TypeError(f"not a DQDL condition: {condition!r}")


def labels_text(labels: Labels) -> str:
    """`["a", "b"]` or `{"k": "v"}`."""
    if labels.pairs:
        return "{" + ", ".join(f"{quote(k)}: {quote(v)}" for k, v in labels.pairs) + "}"
    return "[" + ", ".join(quote(v) for v in labels.values) + "]"


def rule_text(rule: RuleExpr) -> str:
    """One rule or composite rule as DQDL."""
    if isinstance(rule, Composite):
        return f" {rule.op} ".join(f"({rule_text(child)})" for child in rule.rules)
    parts = [rule.rule_type, *(expr_text(p) for p in rule.params)]
    if rule.condition is not None:
        parts.append(condition_text(rule.condition))
    if rule.where is not None:
        parts.append(f"where {quote(rule.where.value)}")
    if rule.threshold is not None:
        parts.append(f"with threshold {condition_text(rule.threshold)}")
    if rule.labels is not None:
        parts.append(f"labels={labels_text(rule.labels)}")
    return " ".join(parts)


def ruleset_text(ruleset: Ruleset) -> str:
    """A whole document: constants, then the sections present, one rule per line."""
    lines = [f"{name} = {expr_text(value)}" for name, value in ruleset.constants]
    for title, pairs in (("Metadata", ruleset.metadata), ("DataSources", ruleset.data_sources)):
        if pairs is not None:
            lines.append(f"{title} = {_dict_text(pairs)}")
    if ruleset.default_labels is not None:
        lines.append(f"DefaultLabels = {labels_text(ruleset.default_labels)}")
    lines.append(_section("Rules", ruleset.rules))
    if ruleset.analyzers:
        lines.append(_section("Analyzers", ruleset.analyzers))
    return "\n".join(lines) + "\n"


def _dict_text(pairs: tuple[tuple[str, str | tuple[str, ...]], ...]) -> str:
    def value(v: str | tuple[str, ...]) -> str:
        return quote(v) if isinstance(v, str) else "[" + ", ".join(quote(x) for x in v) + "]"

    return "{" + ", ".join(f"{quote(k)}: {value(v)}" for k, v in pairs) + "}"


def _section(title: str, rules: tuple[RuleExpr, ...]) -> str:
    if not rules:
        return f"{title} = []"
    body = ",\n".join(f"    {rule_text(r)}" for r in rules)
    return f"{title} = [\n{body}\n]"
