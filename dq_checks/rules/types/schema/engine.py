"""Rules on the table's columns themselves: ColumnCount, ColumnExists, ColumnNamesMatchPattern.

They run no query: the observed number comes from the table's description.
"""

from __future__ import annotations

import re

from dq_checks.dqdl.ast import Rule
from dq_checks.rules.model import RuleError, TableContext
from dq_checks.rules.types.aggregates.engine import ALL_PRESENT, ScalarRule, required, string_param


def _column_count(rule: Rule, context: TableContext) -> ScalarRule:
    count = float(len(context.description.columns))
    return ScalarRule("column count", required(rule.condition), lambda _e: count)


def _column_exists(rule: Rule, context: TableContext) -> ScalarRule:
    name = string_param(rule, 0)
    present = 1.0 if context.description.column(name) is not None else 0.0
    return ScalarRule(
        f"column {name!r} present", ALL_PRESENT, lambda _e: present, condition_text="= 1 (exists)"
    )


def _names_match(rule: Rule, context: TableContext) -> ScalarRule:
    pattern = string_param(rule, 0)
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise RuleError(f"regex {pattern!r} does not compile: {error}") from None
    names = [c.name for c in context.description.columns]
    matching = sum(1 for n in names if compiled.fullmatch(n))
    share = matching / len(names) if names else 1.0
    misfits = [n for n in names if not compiled.fullmatch(n)]
    label = "share of column names matching" + (f" (not matching: {', '.join(misfits)})" if misfits else "")
    return ScalarRule(label, ALL_PRESENT, lambda _e: share, condition_text="= 1.0 (every name matches)")


_COMPILERS = {
    "ColumnCount": _column_count,
    "ColumnExists": _column_exists,
    "ColumnNamesMatchPattern": _names_match,
}


def compile_schema(rule: Rule, context: TableContext) -> ScalarRule:
    """The rule judged on the table's description: it adds no metric to the scan."""
    return _COMPILERS[rule.rule_type](rule, context)
