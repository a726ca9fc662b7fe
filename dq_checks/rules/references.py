"""Which other monitored tables a table's rules read.

Kept apart from the compiler: the Dagster wiring needs this at definition time (to require
the references' resources), and it must not pull the rule engine onto the load path.
"""

from __future__ import annotations

from collections.abc import Sequence

from dq_checks.config.loader import DefinedTable
from dq_checks.dqdl.ast import RuleExpr, leaf_rules
from dq_checks.rules.kinds.cross_table import referenced_tables
from dq_checks.rules.kinds.custom_sql import custom_sql_tables

CROSS_TABLE = frozenset(
    {"ReferentialIntegrity", "DatasetMatch", "SchemaMatch", "RowCountMatch", "AggregateMatch"}
)


def reference_needs(rules: Sequence[RuleExpr], readable_tables: set[str]) -> dict[str, set[str] | None]:
    """The other tables the rules read, with the columns needed (None: all of them)."""
    needs: dict[str, set[str] | None] = {}
    for leaf in (leaf for rule in rules for leaf in leaf_rules(rule)):
        found: dict[str, set[str] | None] = referenced_tables(leaf) if leaf.rule_type in CROSS_TABLE else {}
        if leaf.rule_type == "CustomSql":
            found = dict.fromkeys(custom_sql_tables(leaf, readable_tables))
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
