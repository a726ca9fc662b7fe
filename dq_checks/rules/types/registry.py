"""Every rule type the engine runs, by name: the one place `compile_rule` looks a type up.

Each home module lists its types in `DEFINITIONS`; adding a rule type means adding its
grammar spec (`dq_checks/dqdl/rule_types.py`), its definition in the module of its family,
and, for a new family, that module here.
"""

from __future__ import annotations

from dq_checks.rules.model import RuleError
from dq_checks.rules.types import (
    aggregates,
    anomalies,
    cross_table,
    custom_sql,
    row_values,
    schema,
    uniqueness,
)
from dq_checks.rules.types.definition import RuleTypeDefinition

HOME_MODULES = (aggregates, row_values, uniqueness, schema, custom_sql, cross_table, anomalies)

REGISTRY: dict[str, RuleTypeDefinition] = {
    definition.name: definition for module in HOME_MODULES for definition in module.DEFINITIONS
}


def definition_of(rule_type: str) -> RuleTypeDefinition:
    """The registered rule type; RuleError for a name the engine does not run."""
    definition = REGISTRY.get(rule_type)
    if definition is None:
        raise RuleError(f"{rule_type} is not a rule type the engine runs")
    return definition
