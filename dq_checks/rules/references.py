"""Which other monitored tables a table's rules read.

Kept apart from the compiler: the Dagster wiring needs this at definition time (to require
the references' resources). It reads each rule type's `tables_read` from the registry, whose
modules build sqlglot expressions only when a rule is compiled; numpy, which judging a
DetectAnomalies rule needs, is imported only then.
"""

from __future__ import annotations

from collections.abc import Sequence

from dq_checks.config.loader import DefinedTable
from dq_checks.dqdl.ast import RuleExpr, leaf_rules
from dq_checks.rules.types.registry import REGISTRY


def reference_needs(rules: Sequence[RuleExpr], readable_tables: set[str]) -> dict[str, set[str] | None]:
    """The other tables the rules read, with the columns needed (None: all of them)."""
    needs: dict[str, set[str] | None] = {}
    for leaf in (leaf for rule in rules for leaf in leaf_rules(rule)):
        definition = REGISTRY.get(leaf.rule_type)
        tables_read = definition.tables_read if definition is not None else None
        found = tables_read(leaf, readable_tables) if tables_read is not None else {}
        for table, columns in found.items():
            if columns is None or (table in needs and needs[table] is None):
                needs[table] = None
            else:
                needs[table] = (needs.get(table) or set()) | columns
    return needs


def references_of(defined: DefinedTable) -> dict[str, set[str] | None]:
    """The monitored tables a table's parsed rules read; CustomSql may read its `deps`."""
    parsed = [rule.rule for rule in defined.rules if rule.rule is not None]
    return reference_needs(parsed, set(defined.spec.deps))
