"""Every rule type the grammar accepts is registered with the engine, once, by its home module."""

from __future__ import annotations

from dq_checks.dqdl.rule_types import RULE_TYPES
from dq_checks.rules.types.registry import HOME_MODULES, REGISTRY


def test_the_registry_runs_exactly_the_rule_types_the_grammar_accepts() -> None:
    assert sorted(REGISTRY) == sorted(RULE_TYPES)


def test_each_rule_type_has_one_home_module() -> None:
    names = [d.name for module in HOME_MODULES for d in module.DEFINITIONS]
    assert len(names) == len(set(names))


def test_a_definition_points_at_its_grammar() -> None:
    for name, definition in REGISTRY.items():
        assert definition.spec is RULE_TYPES[name]
