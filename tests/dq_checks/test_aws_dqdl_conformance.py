"""AWS's own DQDL examples, from its Glue Data Quality pages (tests/data/aws_dqdl_examples.yaml).

Every valid example parses, passes dq's static validation and evaluates on a small real DuckDB
table holding the columns it names without an *error* outcome; where AWS states the outcome on
stated data, dq's outcome (and metric) is AWS's. File* examples are refused with dq's reason;
the few valid AWS rules dq refuses on purpose are refused with their reason; AWS's invalid
examples are refused with a clear message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import yaml
from sqlglot import exp

from dq_checks.dqdl.ast import Rule, RuleExpr, String, leaf_rules
from dq_checks.dqdl.parser import parse_rule, parse_ruleset
from dq_checks.dqdl.references import aggregate_ref, column_list, columns_ref, key_mapping
from dq_checks.results.model import Outcome
from dq_checks.rules.column_names import COLUMN_PARAMS
from dq_checks.rules.compile import compile_rule, evaluate_safely
from dq_checks.rules.model import Evidence, RuleOutcome
from dq_checks.rules.sql_safety import vet_predicate
from dq_checks.rules.validate import validate_rule
from tests.dq_checks.rule_harness import NOW, RuleBench, history

EXAMPLES = yaml.safe_load((Path(__file__).parents[1] / "data" / "aws_dqdl_examples.yaml").read_text())
REFERENCE = "reference"
ROWS = 5
# Ten earlier values, most recent first, so every dynamic bound (index(last(10), 2) too) resolves.
PAST = history(5.0, 4.0, 6.0, 5.0, 5.5, 4.5, 5.0, 6.0, 4.0, 5.0)


def _example_id(example: dict[str, Any]) -> str:
    return example["rule"] + (" [stated]" if "expect" in example else "")


# --- the table an example runs on -------------------------------------------------------------


@dataclass
class Needs:
    """The columns an example names, in its own table and in the reference."""

    primary: dict[str, None]
    reference: dict[str, None]
    reference_is_copy: bool = False


def _needs(rule: RuleExpr) -> Needs:
    needs = Needs({}, {})
    for leaf in leaf_rules(rule):
        _leaf_needs(leaf, needs)
    return needs


def _leaf_needs(rule: Rule, needs: Needs) -> None:
    params = [p.value for p in rule.params if isinstance(p, String)]
    kind = rule.rule_type
    if kind in COLUMN_PARAMS:
        needs.primary.update(dict.fromkeys(params))
    elif kind == "DetectAnomalies" and params[0] in COLUMN_PARAMS:
        needs.primary.update(dict.fromkeys(params[1:]))
    elif kind == "ReferentialIntegrity":
        needs.primary.update(dict.fromkeys(column_list(params[0])))
        needs.reference.update(dict.fromkeys(columns_ref(params[1]).columns))
    elif kind == "DatasetMatch":
        for mapping in params[1:]:
            for mine, theirs in key_mapping(mapping):
                needs.primary[mine] = None
                needs.reference[theirs] = None
    elif kind == "AggregateMatch":
        for text in params:
            ref = aggregate_ref(text)
            (needs.primary if ref.table in (None, "primary") else needs.reference)[ref.column] = None
    elif kind in ("RowCountMatch", "SchemaMatch"):
        needs.reference_is_copy = True
    elif kind == "CustomSql":
        import sqlglot

        for column in sqlglot.parse_one(params[0]).find_all(exp.Column):
            needs.primary[column.name] = None
    if rule.where is not None:
        for column in vet_predicate(rule.where.value).find_all(exp.Column):
            needs.primary[column.name] = None


def _kind(name: str, overrides: dict[str, str]) -> str:
    lowered = {k.lower(): v for k, v in overrides.items()}
    if name.lower() in lowered:
        return lowered[name.lower()]
    for kind, names in EXAMPLES["columns"].items():
        if name.lower() in names:
            return kind
    return "number"


def _column(name: str, kind: str) -> pa.Array:
    if kind == "text":
        return pa.array(["alpha", "bravo", "charlie", "delta", "echo"], pa.string())
    if kind == "timestamp":
        return pa.array([NOW - timedelta(hours=h) for h in range(1, ROWS + 1)], pa.timestamp("us", tz="UTC"))
    return pa.array(list(range(1, ROWS + 1)), pa.int64())


def _generated(names: dict[str, None], overrides: dict[str, str]) -> pa.Table:
    if not names:
        names = {"id": None}
    return pa.table({name: _column(name, _kind(name, overrides)) for name in names})


def _stated(data: dict[str, list[Any]]) -> pa.Table:
    """AWS's stated data: numbers, text, NULLs, and `hours N` for a timestamp N hours before now."""
    columns = {}
    for name, values in data.items():
        present = [v for v in values if v is not None]
        if present and all(isinstance(v, str) and v.startswith("hours ") for v in present):
            stamps = [None if v is None else NOW - timedelta(hours=float(v.split()[1])) for v in values]
            columns[name] = pa.array(stamps, pa.timestamp("us", tz="UTC"))
        elif (present and all(isinstance(v, str) for v in present)) or not present:
            columns[name] = pa.array(values, pa.string())
        else:
            kind = pa.float64() if any(isinstance(v, float) for v in present) else pa.int64()
            columns[name] = pa.array(values, kind)
    return pa.table(columns)


def _evaluate(example: dict[str, Any], rule: RuleExpr) -> RuleOutcome:
    overrides = example.get("types", {})
    needs = _needs(rule)
    primary = _stated(example["data"]) if "data" in example else _generated(needs.primary, overrides)
    references: dict[str, pa.Table] = {}
    if needs.reference or needs.reference_is_copy:
        references[REFERENCE] = primary if needs.reference_is_copy else _generated(needs.reference, overrides)
    with RuleBench(primary, references=references) as bench:
        compiled = compile_rule(rule, bench.context)
        measured = bench.measure(compiled)
        if measured.failed_groups:  # the engine refused the rule's metrics: an error outcome
            return RuleOutcome(Outcome.ERROR, "; ".join(measured.failed_groups.values()))
        return evaluate_safely(compiled, Evidence(measured.values, bench.engine, PAST, measured.profile))


# --- the tests --------------------------------------------------------------------------------


def test_the_table_holds_what_the_task_asked_for() -> None:
    assert len(EXAMPLES["valid"]) + len(EXAMPLES["files"]) + len(EXAMPLES["refused"]) >= 115
    assert len(EXAMPLES["invalid"]) >= 8
    groups = ("valid", "files", "refused", "rulesets", "invalid")
    assert all(e.get("source") for group in groups for e in EXAMPLES[group])
    assert not any("recalled" in e for group in groups for e in EXAMPLES[group])


@pytest.mark.parametrize("example", EXAMPLES["valid"], ids=_example_id)
def test_a_valid_aws_example_parses_validates_and_evaluates(example: dict[str, Any]) -> None:
    rule = parse_rule(example["rule"])
    problems = validate_rule(rule, known_tables={REFERENCE})
    assert [p.message for p in problems] == []
    result = _evaluate(example, rule)
    if "differs" in example:  # a documented difference: dq's error, with its reason
        assert (result.outcome, example["differs"] in result.message) == (Outcome.ERROR, True), result.message
        return
    assert result.outcome is not Outcome.ERROR, result.message
    if "expect" in example:
        assert result.outcome is Outcome(example["expect"]), result.message
    if "observed" in example:
        assert result.observed == pytest.approx(example["observed"], rel=1e-6)


@pytest.mark.parametrize("example", EXAMPLES["files"], ids=_example_id)
def test_a_file_rule_is_refused_as_checking_files_not_tables(example: dict[str, Any]) -> None:
    rule = parse_rule(example["rule"])
    problems = [p.message for p in validate_rule(rule, known_tables={REFERENCE})]
    kind = example["rule"].split()[0]
    assert problems == [f"{kind} checks files, not tables; the File* rules are not supported"]


@pytest.mark.parametrize("example", EXAMPLES["refused"], ids=_example_id)
def test_a_valid_aws_rule_dq_refuses_is_refused_with_its_reason(example: dict[str, Any]) -> None:
    problems = [p.message for p in validate_rule(parse_rule(example["rule"]), known_tables={REFERENCE})]
    assert any(example["message"] in p for p in problems), problems


@pytest.mark.parametrize("example", EXAMPLES["rulesets"], ids=lambda e: e["text"])
def test_an_aws_ruleset_parses_and_its_rules_validate(example: dict[str, Any]) -> None:
    ruleset = parse_ruleset(example["text"])
    assert ruleset.rules
    for rule in ruleset.rules:
        assert validate_rule(rule, known_tables={REFERENCE}) == []


@pytest.mark.parametrize("example", EXAMPLES["invalid"], ids=_example_id)
def test_an_invalid_aws_example_is_refused_with_a_clear_message(example: dict[str, Any]) -> None:
    if example["stage"] == "parse":
        with pytest.raises(ValueError) as raised:
            parse_rule(example["rule"])
        assert example["message"] in str(raised.value)
        return
    problems = [p.message for p in validate_rule(parse_rule(example["rule"]), known_tables={REFERENCE})]
    assert any(example["message"] in p for p in problems), problems
