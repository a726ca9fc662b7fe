"""How a rule's column names meet the table's: case-insensitively, as Glue Data Quality does.

Glue runs DQDL on Spark, whose default (`spark.sql.caseSensitive=false`) resolves `"Email"` to a
column `email`; AWS's open-source DQDL engine (deequ) resolves a rule's columns the same way.
Two columns that differ only in case make such a name ambiguous: that is an error naming both,
never a guess. ColumnExists is the one exception: deequ's ColumnExists compares names exactly.
"""

from __future__ import annotations

from dataclasses import replace

from dq_checks.dqdl.ast import Rule, String
from dq_checks.rules.model import find_column
from dq_checks.rules.types.registry import RULE_TYPES
from dq_checks.rules.types.spec import ColumnParams
from dq_checks.schema import TableDescription

COLUMN_PARAMS = frozenset(name for name, spec in RULE_TYPES.items() if spec.columns is ColumnParams.EVERY)
"""Rule types whose every parameter names a column of the table."""

__all__ = ["COLUMN_PARAMS", "find_column", "with_table_names"]


def with_table_names(rule: Rule, description: TableDescription) -> Rule:
    """The rule with each column parameter spelled as the table spells it.

    A name no column matches is left as written, so the rule's own check reports it.
    """
    if rule.rule_type in COLUMN_PARAMS:
        positions = range(len(rule.params))
    elif _learns_columns(rule):
        positions = range(1, len(rule.params))
    else:
        return rule
    params = list(rule.params)
    for index in positions:
        param = params[index]
        if isinstance(param, String):
            found = find_column(description, param.value)
            if found is not None and found.name != param.value:
                params[index] = String(found.name)
    return replace(rule, params=tuple(params)) if params != list(rule.params) else rule


def _learns_columns(rule: Rule) -> bool:
    """DetectAnomalies learning a rule whose parameters are columns: its parameters after the first."""
    spec = RULE_TYPES.get(rule.rule_type)
    if spec is None or spec.columns is not ColumnParams.OF_LEARNED_RULE or not rule.params:
        return False
    first = rule.params[0]
    return isinstance(first, String) and first.value in COLUMN_PARAMS
