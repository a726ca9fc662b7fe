"""Which columns a rule covers, and a rule's canonical text, so proposals skip what is already there.

"Covered" is deliberately coarse: a column named by any active, pending or rejected rule gets no
automatic proposal. An exact duplicate (same rule, written differently) is recognised by
printing the parsed rule back in canonical form.
"""

from __future__ import annotations

from collections.abc import Iterable

from dq_checks.dqdl.ast import Composite, Rule, RuleExpr, String
from dq_checks.dqdl.parser import DQDLSyntaxError, parse_rule
from dq_checks.dqdl.printer import rule_text
from dq_checks.proposing.model import TABLE_LEVEL
from dq_checks.rules.types.registry import RULE_TYPES
from dq_checks.rules.types.spec import ColumnParams


def rule_columns(rule: RuleExpr) -> set[str]:
    """The columns `rule` names, with TABLE_LEVEL for table-level rules."""
    if isinstance(rule, Composite):
        return set().union(*(rule_columns(child) for child in rule.rules))
    return _rule_columns(rule)


def _rule_columns(rule: Rule) -> set[str]:
    """The columns the rule type's parameters name, as its grammar spec says they do."""
    values = [p.value for p in rule.params if isinstance(p, String)]
    spec = RULE_TYPES.get(rule.rule_type)
    columns = spec.columns if spec is not None else ColumnParams.EXACT_NAME
    if columns is ColumnParams.TABLE:
        return {TABLE_LEVEL}
    if columns is ColumnParams.NONE or not values:
        return set()
    if columns is ColumnParams.EVERY:
        return set(values)
    if columns is ColumnParams.LISTED_FIRST:
        return {c.strip() for c in values[0].split(",") if c.strip()}
    if columns is ColumnParams.OF_LEARNED_RULE:
        return {values[1]} if len(values) > 1 else {TABLE_LEVEL}
    return {values[0]}


def canonical(text: str) -> str | None:
    """The rule printed back from its parse: equal for equal rules however they were written."""
    try:
        return rule_text(parse_rule(text))
    except DQDLSyntaxError:
        return None


def covered_columns(rules: Iterable[RuleExpr]) -> frozenset[str]:
    """Every column the rules name."""
    columns: set[str] = set()
    for rule in rules:
        columns |= rule_columns(rule)
    return frozenset(columns)
