"""Every rule type dq knows, by name: the one place a rule type is looked up.

Each home module lists its types in `DEFINITIONS`: a type's grammar (`RuleTypeSpec`), its
compiler, the other tables it reads and the checks it makes before any table is read, in one
place. Adding a rule type means adding its definition to the module of its family; a new
family is one more module here.
"""

from __future__ import annotations

from dq_checks.rules.types import (
    aggregates,
    cross_table,
    custom_sql,
    detect_anomalies,
    row_values,
    schema,
    uniqueness,
)
from dq_checks.rules.types.definition import RuleTypeDefinition
from dq_checks.rules.types.spec import RuleTypeSpec

HOME_MODULES = (aggregates, row_values, uniqueness, schema, custom_sql, cross_table, detect_anomalies)

REGISTRY: dict[str, RuleTypeDefinition] = {
    definition.name: definition for module in HOME_MODULES for definition in module.DEFINITIONS
}

RULE_TYPES: dict[str, RuleTypeSpec] = {name: definition.spec for name, definition in REGISTRY.items()}
"""Each rule type's grammar, for the readers that need only that (validation, column names, coverage)."""


def definition_of(rule_type: str) -> RuleTypeDefinition:
    """The registered rule type; RuleError for a name the engine does not run."""
    definition = REGISTRY.get(rule_type)
    if definition is None:
        from dq_checks.rules.model import RuleError  # validation never gets here: it loads sqlglot

        raise RuleError(f"{rule_type} is not a rule type the engine runs")
    return definition
