"""Text dq writes parses in AWS's published DQDL grammar, so an exported ruleset loads in Glue.

The oracle is the ANTLR parser generated from awslabs/dqdl's grammar (tests/dqdl_antlr.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dq_checks.config.loader import load_table_specs
from dq_checks.dqdl.ast import Labels, Ruleset, String, ValueList
from dq_checks.dqdl.parser import parse_rule, parse_ruleset
from dq_checks.dqdl.printer import rule_text, ruleset_text
from tests.dqdl_antlr import aws_grammar_errors, aws_rule_errors

REPO = Path(__file__).resolve().parents[2]

# One rule per construct the printer writes; each must come back from AWS's grammar with no error.
WRITTEN_FORMS = [
    "RowCount between 1000 and 5000",
    "RowCount > 0.00001",  # a float AWS's grammar can read: no exponent
    'RowCountMatch "reference" >= 0.95',
    "ColumnCount >= 12",
    'ColumnExists "load_dt"',
    'ColumnNamesMatchPattern "^[a-z_]+$"',
    'ColumnDataType "c" = "INTEGER" with threshold > 0.9',
    'Completeness "email" > 0.95 where "country = \'US\'"',
    'IsComplete "order_id"',
    'Uniqueness "a" "b" = 1.0',
    'IsUnique "order_id"',
    'IsPrimaryKey colA "colB"',
    'DistinctValuesCount "state" > 3',
    'UniqueValueRatio "c" between 0 and 0.5',
    'Mean "x" between -10 and 20.5',
    'Sum "amount" > 0',
    'StandardDeviation "x" < 16.33',
    'Variance "x" <= 100',
    'Entropy "c" > 1',
    'ColumnCorrelation "h" "w" > 0.8',
    'ColumnLength "zip" = 5',
    'ColumnValues "country" in ["US", "CA", NULL]',
    'ColumnValues "status" not in ["x", EMPTY, WHITESPACES_ONLY]',
    'ColumnValues "email" matches "^[^@]+@[^@]+$"',
    'ColumnValues "email" not matches "^x"',
    'ColumnValues "ts" > (now() - 3 days)',
    'ColumnValues "ts" between "2024-01-01" and "2024-12-31"',
    'ColumnValues "qty" != 0',
    'ColumnValues "c" in $allowed',
    'DataFreshness "updated_at" <= 24 hours',
    'CustomSql "select count(*) from primary" between 10 and 20',
    'CustomSql "select id from primary where age < 100" with threshold > 0.5',
    'ReferentialIntegrity "city,state" "reference.{ref_city,ref_state}" = 1.0',
    'DatasetMatch "reference" "id->ref_id" "a->ref_a" >= 0.9',
    'SchemaMatch "reference" = 1.0',
    'AggregateMatch "sum(amount)" "sum(reference.amount)" >= 0.95',
    'DetectAnomalies "Completeness" "email"',
    "RowCount between (0.9 * avg(last(10))) and (1.1 * avg(last(10)))",
    "RowCount > avg(last())",
    "RowCount = index(last(5), 1)",
    '(IsUnique "order_id") and (Completeness "email" > 0.95)',
    '(IsComplete "a") or ((IsComplete "b") and (IsComplete "c"))',
    'IsComplete "a" labels=["team"="sales", "tier"="1"]',
    '((IsComplete "a") or (IsComplete "b")) labels=["team"="sales"]',
    '(IsComplete "a") labels=["k"="v"] and (IsComplete "b")',
    'ColumnValues "e" matches "x" where "a > 1" labels=["pii"="yes"] with threshold > 0.9',
    'FileSize "s3://bucket/p/" > 1 MB',
    'FileMatch "s3://bucket/p/" in ["abc"] with hashAlgorithm = "MD5"',
]


@pytest.mark.parametrize("text", WRITTEN_FORMS)
def test_every_form_the_printer_writes_parses_in_aws_grammar(text: str) -> None:
    written = rule_text(parse_rule(text))
    assert aws_rule_errors(written) == [], written


def test_the_oracle_refuses_what_aws_refuses() -> None:
    # Without this, an oracle that accepted everything would pass every test above.
    assert aws_rule_errors('IsComplete "a" labels={"team": "sales"}')  # dq's old label form
    assert aws_rule_errors("RowCount > 1e5")  # no exponents in AWS's numbers
    assert aws_grammar_errors('x = "a"\nMetadata = {"Version": "1.0"}\nRules = []\n')  # section order


def test_a_whole_ruleset_with_every_section_parses_in_aws_grammar() -> None:
    ruleset = Ruleset(
        rules=tuple(parse_rule(text) for text in WRITTEN_FORMS),
        constants=(("allowed", ValueList((String("a"), String("b")))), ("owner", String("sales"))),
        analyzers=(parse_rule('Mean "x"'), parse_rule('Completeness "email"'), parse_rule("RowCount")),
        metadata=(("Version", "1.0"),),
        data_sources=(("Default", "orders"),),
        default_labels=Labels((("team", "shop"),)),
    )
    text = ruleset_text(ruleset)
    assert aws_grammar_errors(text) == [], text
    assert parse_ruleset(text) == ruleset


def test_every_rule_in_the_repository_s_table_definitions_exports_to_aws_grammar() -> None:
    folders = [REPO / "dq_checks" / "tables", REPO / "examples/shop_dbt/shop_dbt/defs/quality/tables"]
    written = [
        rule_text(parse_rule(entry.rule))
        for folder in folders
        for table in load_table_specs(folder).tables
        for entry in table.spec.rules
    ]
    assert len(written) >= 25  # the demo's 25 rules at least: the folders were found and read
    failures = {text: errors for text in written if (errors := aws_rule_errors(text))}
    assert failures == {}


def test_aws_s_own_examples_printed_back_by_dq_parse_in_aws_grammar() -> None:
    from ruamel.yaml import YAML

    examples = YAML(typ="safe").load((REPO / "tests/data/aws_dqdl_examples.yaml").read_text("utf-8"))
    texts = [example["rule"] for example in examples["valid"]] + [f["rule"] for f in examples["files"]]
    assert len(texts) >= 100  # the table was found and read
    # AWS's own example first: where AWS's grammar refuses AWS's text, dq's reprint is not at fault.
    accepted = [text for text in texts if not aws_rule_errors(text)]
    assert len(accepted) >= 100
    failures = {text: errors for text in accepted if (errors := aws_rule_errors(rule_text(parse_rule(text))))}
    assert failures == {}
