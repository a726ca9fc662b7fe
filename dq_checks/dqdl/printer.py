"""Write the syntax tree back as DQDL text. `parse_rule(to_text(rule)) == rule` for every rule.

The text is the form AWS's published grammar reads: labels as `["k"="v"]` before the `with`
tags, numbers without exponents, and a ruleset's sections in AWS's order.
"""

from __future__ import annotations

from decimal import Decimal

from dq_checks.dqdl.ast import (
    Between,
    BinaryOp,
    Boolean,
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
    Rule,
    RuleExpr,
    Ruleset,
    Size,
    String,
    Tag,
    ValueList,
)

ALL_COLUMNS = "AllColumns"
"""An analyzer's parameter meaning every column it can take."""

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def quote(value: str) -> str:
    """A DQDL string literal: backslashes and double quotes escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def number_text(number: Number) -> str:
    """`5`, `0.95`, `0.00001`: integers without a point, floats in plain decimal with one.

    AWS's grammar has no exponent form, so `1e-05` is written out; the shortest repr keeps
    the value exact, and the point keeps a float a float when it is read back.
    """
    value = number.value
    if isinstance(value, int):
        return str(value)
    text = format(Decimal(repr(float(value))), "f")
    return text if "." in text else f"{text}.0"


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
        case Size():
            return f"{number_text(expr.amount)} {expr.unit}"
        case Boolean():
            return "true" if expr.value else "false"
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
            if condition.spread:
                return f"{prefix} {expr_text(condition.values[0])}"
            return f"{prefix} [{', '.join(expr_text(v) for v in condition.values)}]"
        case Matches():
            prefix = "not matches" if condition.negated else "matches"
            return f"{prefix} {expr_text(condition.pattern)}"
    raise TypeError(f"not a DQDL condition: {condition!r}")


def labels_text(labels: Labels) -> str:
    """`["team"="sales", "tier"="1"]`."""
    return "[" + ", ".join(f"{quote(k)}={quote(v)}" for k, v in labels.pairs) + "]"


def tag_text(tag: Tag) -> str:
    """`with hashAlgorithm = "MD5"`."""
    return f"with {tag.name} {condition_text(tag.condition)}"


def rule_text(rule: RuleExpr) -> str:
    """One rule or composite rule as DQDL."""
    if isinstance(rule, Composite):
        body = f" {rule.op} ".join(f"({rule_text(child)})" for child in rule.rules)
        # Labels on a composite ride on parentheses around it, as AWS's grammar writes them.
        return f"({body}) labels={labels_text(rule.labels)}" if rule.labels is not None else body
    parts = [rule.rule_type, *(expr_text(p) for p in rule.params)]
    if rule.condition is not None:
        parts.append(condition_text(rule.condition))
    if rule.where is not None:
        parts.append(f"where {quote(rule.where.value)}")
    if rule.labels is not None:
        parts.append(f"labels={labels_text(rule.labels)}")
    if rule.threshold is not None:
        parts.append(f"with threshold {condition_text(rule.threshold)}")
    parts.extend(tag_text(tag) for tag in rule.tags)
    return " ".join(parts)


def analyzer_text(analyzer: Rule) -> str:
    """An analyzer: `Mean "x"`, `Distribution "age" with bins = 10, rebin = false`."""
    text = " ".join([analyzer.rule_type, *(_analyzer_param(p) for p in analyzer.params)])
    if analyzer.tags:
        settings = ", ".join(f"{tag.name} {condition_text(tag.condition)}" for tag in analyzer.tags)
        text += f" with {settings}"
    return text


def _analyzer_param(param: Expr) -> str:
    # AWS writes the every-column parameter unquoted: `Distribution AllColumns`.
    if isinstance(param, String) and param.value == ALL_COLUMNS:
        return ALL_COLUMNS
    return expr_text(param)


def constant_text(value: Number | String | ValueList) -> str:
    """A constant's value: `"text"`, `5`, or `["a", "b", NULL]`."""
    if isinstance(value, ValueList):
        return "[" + ", ".join(expr_text(v) for v in value.values) + "]"
    return expr_text(value)


def ruleset_text(ruleset: Ruleset) -> str:
    """A whole document, one rule per line.

    Sections come in the order AWS's grammar requires: Metadata, DataSources, constants,
    DefaultLabels, Rules, Analyzers.
    """
    lines = []
    for title, pairs in (("Metadata", ruleset.metadata), ("DataSources", ruleset.data_sources)):
        if pairs is not None:
            lines.append(f"{title} = {_dict_text(pairs)}")
    lines.extend(f"{name} = {constant_text(value)}" for name, value in ruleset.constants)
    if ruleset.default_labels is not None:
        lines.append(f"DefaultLabels = {labels_text(ruleset.default_labels)}")
    if ruleset.rules or not ruleset.analyzers:
        lines.append(_section("Rules", [rule_text(r) for r in ruleset.rules]))
    if ruleset.analyzers:
        analyzers = [analyzer_text(a) if isinstance(a, Rule) else rule_text(a) for a in ruleset.analyzers]
        lines.append(_section("Analyzers", analyzers))
    return "\n".join(lines) + "\n"


def _dict_text(pairs: tuple[tuple[str, str | tuple[str, ...]], ...]) -> str:
    def value(v: str | tuple[str, ...]) -> str:
        return quote(v) if isinstance(v, str) else "[" + ", ".join(quote(x) for x in v) + "]"

    return "{" + ", ".join(f"{quote(k)}: {value(v)}" for k, v in pairs) + "}"


def _section(title: str, texts: list[str]) -> str:
    if not texts:
        return f"{title} = []"
    body = ",\n".join(f"    {text}" for text in texts)
    return f"{title} = [\n{body}\n]"
