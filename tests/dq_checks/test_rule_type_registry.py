"""Each rule type is one unit, registered once, and the DQDL reference describes it as registered."""

from __future__ import annotations

import re
from pathlib import Path

from dq_checks.dqdl.parser import parse_rule
from dq_checks.proposing.prompt import SYSTEM_PROMPT
from dq_checks.rules.types.detect_anomalies import LEARNED_RULE_TYPES
from dq_checks.rules.types.registry import HOME_MODULES, REGISTRY, RULE_TYPES
from dq_checks.rules.types.spec import ConditionKind
from dq_checks.rules.validate import validate_rule

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "dqdl.md"

# The "Condition" column of the reference's at-a-glance table, for each kind of condition.
CONDITION_WORDS = {
    "numeric": ConditionKind.NUMERIC,
    "value": ConditionKind.VALUE,
    "none": ConditionKind.NONE,
    "type name": ConditionKind.TYPE_NAME,
    "duration": ConditionKind.DURATION,
    "numeric, or threshold, or none": ConditionKind.NUMERIC_OR_THRESHOLD,
}


def _at_a_glance() -> dict[str, list[str]]:
    """The reference's table of rule types: each type's row, cell by cell."""
    section = REFERENCE.read_text(encoding="utf-8").split("## Rule types at a glance", 1)[1]
    rows: dict[str, list[str]] = {}
    for line in section.split("\n## ", 1)[0].splitlines():
        found = re.match(r"\| \[(\w+)\]\(#\w+\) \|(.*)\|$", line)
        if found:
            rows[found.group(1)] = [cell.strip() for cell in found.group(2).split("|")]
    return rows


def test_each_rule_type_has_one_home_module() -> None:
    names = [d.name for module in HOME_MODULES for d in module.DEFINITIONS]
    assert len(names) == len(set(names)) == len(REGISTRY)


def test_the_grammar_table_is_read_from_the_definitions() -> None:
    for name, definition in REGISTRY.items():
        assert definition.name == name
        assert RULE_TYPES[name] is definition.spec


def test_the_reference_describes_every_registered_type_as_registered() -> None:
    rows = _at_a_glance()
    assert sorted(rows) == sorted(REGISTRY)
    text = REFERENCE.read_text(encoding="utf-8")
    for name, spec in RULE_TYPES.items():
        _params, condition, where, threshold, row_level, _dynamic, dimension = rows[name]
        assert f"\n### {name}\n" in text, name
        assert CONDITION_WORDS[condition] is spec.condition, name
        assert (where == "yes") is spec.where, name
        assert (threshold == "yes") is spec.threshold, name
        assert (row_level == "yes") is spec.row_level, name
        assert dimension == ("the metric's" if name == "DetectAnomalies" else spec.dimension.value), name


def test_a_type_s_own_static_checks_run_from_its_definition() -> None:
    # Each refusal comes from the type's home module (its `tables_read` or `check_statically`),
    # not from a switch in validation: a reference to a table that is not monitored, a malformed
    # key mapping, unsafe SQL, and a learned rule given the wrong parameters.
    cases = {
        'ReferentialIntegrity "id" "ghost.id" = 1.0': "references table 'ghost', which is not a monitored",
        'DatasetMatch "orders" "id->" >= 0.9': "must map a column to a reference column",
        'CustomSql "delete from primary" > 0': "must be a SELECT statement, got DELETE",
        'DetectAnomalies "Completeness"': "takes what Completeness takes",
        'DetectAnomalies "ColumnExists" "id"': "cannot learn 'ColumnExists'",
    }
    for text, expected in cases.items():
        problems = validate_rule(parse_rule(text), known_tables={"orders"})
        assert len(problems) == 1, (text, problems)
        assert expected in problems[0].message, (text, problems[0].message)


def test_every_type_s_examples_pass_validation_and_reach_the_proposer_s_prompt() -> None:
    # The proposer is shown each registered type by its examples: a type added to the registry
    # reaches the prompt, and an example the engine would refuse is caught here, not by the model.
    for name, spec in RULE_TYPES.items():
        assert spec.examples, name
        for example in spec.examples:
            rule = parse_rule(example)
            assert validate_rule(rule, known_tables={"reference", "customers"}) == [], example
            assert f"`{example}`" in SYSTEM_PROMPT, example


def test_detect_anomalies_learns_only_registered_types_that_have_one_number() -> None:
    assert set(LEARNED_RULE_TYPES) <= set(REGISTRY)
    # The rule types whose history Glue keys by name can all be learned, except Variance,
    # which AWS's DetectAnomalies page does not list.
    keyed = {name for name, spec in RULE_TYPES.items() if spec.metric_name == name}
    assert keyed - set(LEARNED_RULE_TYPES) == {"Variance"}
