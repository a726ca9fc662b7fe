"""Great Expectations 1.x expectations <-> DQDL rules, both directions, with exact texts."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from dq_checks.dqdl.parser import parse_rule
from dq_checks.dqdl.printer import rule_text
from dq_checks.gx import (
    NoEquivalent,
    RuleToExport,
    SuiteFormatError,
    Unsupported,
    expectation_to_dqdl,
    full_match_to_search,
    rule_to_expectations,
    rules_to_suite,
    search_to_full_match,
    suite_to_dqdl,
)
from dq_checks.rules.validate import validate_rule


def nn(column: str) -> str:
    """The `where` the import adds to a column-map rule: GX leaves the column's NULLs out."""
    return f' where "\\"{column}\\" IS NOT NULL"'


# (expectation type, kwargs, the DQDL it must become)
IMPORTS: list[tuple[str, dict[str, Any], str]] = [
    ("expect_column_values_to_not_be_null", {"column": "order_id"}, 'IsComplete "order_id"'),
    (
        "expect_column_values_to_not_be_null",
        {"column": "email", "mostly": 0.95},
        'Completeness "email" >= 0.95',
    ),
    ("expect_column_values_to_not_be_null", {"column": "email", "mostly": 1.0}, 'IsComplete "email"'),
    ("expect_column_values_to_be_unique", {"column": "id"}, 'IsUnique "id"'),
    ("expect_column_values_to_be_unique", {"column": "id", "mostly": 0.99}, 'Uniqueness "id" >= 0.99'),
    ("expect_compound_columns_to_be_unique", {"column_list": ["a", "b"]}, 'IsUnique "a" "b"'),
    (
        "expect_compound_columns_to_be_unique",
        {"column_list": ["a", "b"], "ignore_row_if": "all_values_are_missing", "mostly": 0.9},
        'Uniqueness "a" "b" >= 0.9',
    ),
    (
        "expect_column_values_to_be_between",
        {"column": "amount", "min_value": 0.0},
        'ColumnValues "amount" >= 0' + nn("amount"),
    ),
    (
        "expect_column_values_to_be_between",
        {"column": "amount", "min_value": 0.5},
        'ColumnValues "amount" >= 0.5' + nn("amount"),
    ),
    (
        "expect_column_values_to_be_between",
        {"column": "amount", "max_value": 100, "strict_max": True},
        'ColumnValues "amount" < 100' + nn("amount"),
    ),
    (
        "expect_column_values_to_be_between",
        {"column": "amount", "min_value": 0, "max_value": 100},
        f'(ColumnValues "amount" >= 0{nn("amount")}) and (ColumnValues "amount" <= 100{nn("amount")})',
    ),
    (
        "expect_column_values_to_be_between",
        {"column": "amount", "min_value": 0, "max_value": 100, "strict_min": True, "strict_max": True},
        'ColumnValues "amount" between 0 and 100' + nn("amount"),
    ),
    (
        "expect_column_values_to_be_between",
        {"column": "amount", "min_value": 0, "max_value": 100, "strict_min": True, "strict_max": False},
        f'(ColumnValues "amount" > 0{nn("amount")}) and (ColumnValues "amount" <= 100{nn("amount")})',
    ),
    (
        "expect_column_values_to_be_between",
        {"column": "day", "min_value": "2024-01-01"},
        'ColumnValues "day" >= "2024-01-01"' + nn("day"),
    ),
    (
        "expect_column_values_to_be_in_set",
        {"column": "country", "value_set": ["US", "CA"]},
        'ColumnValues "country" in ["US", "CA"]' + nn("country"),
    ),
    (
        "expect_column_values_to_not_be_in_set",
        {"column": "status", "value_set": ["deleted"]},
        'ColumnValues "status" not in ["deleted"]',
    ),
    (
        "expect_column_values_to_match_regex",
        {"column": "email", "regex": "^[^@]+@[^@]+$"},
        'ColumnValues "email" matches "^[^@]+@[^@]+$"' + nn("email"),
    ),
    (
        "expect_column_values_to_match_regex",
        {"column": "sku", "regex": "abc"},
        'ColumnValues "sku" matches ".*abc.*"' + nn("sku"),
    ),
    (
        "expect_column_values_to_match_regex",
        {"column": "id", "regex": "^ORD-"},
        'ColumnValues "id" matches "^ORD-.*"' + nn("id"),
    ),
    (
        "expect_column_values_to_match_regex",
        {"column": "c", "regex": "a|b"},
        'ColumnValues "c" matches ".*(?:a|b).*"' + nn("c"),
    ),
    (
        "expect_column_values_to_not_match_regex",
        {"column": "name", "regex": "test"},
        'ColumnValues "name" not matches ".*test.*"' + nn("name"),
    ),
    (
        "expect_column_value_lengths_to_be_between",
        {"column": "name", "min_value": 1, "max_value": 40},
        f'(ColumnLength "name" >= 1{nn("name")}) and (ColumnLength "name" <= 40{nn("name")})',
    ),
    (
        "expect_column_value_lengths_to_be_between",
        {"column": "name", "min_value": 1},
        'ColumnLength "name" >= 1' + nn("name"),
    ),
    (
        "expect_column_value_lengths_to_be_between",
        {"column": "zip", "min_value": 4, "max_value": 6, "strict_min": True, "strict_max": True},
        'ColumnLength "zip" between 4 and 6' + nn("zip"),
    ),
    (
        "expect_column_value_lengths_to_be_between",
        {"column": "zip", "min_value": 5, "max_value": 5},
        'ColumnLength "zip" = 5' + nn("zip"),
    ),
    (
        "expect_column_value_lengths_to_equal",
        {"column": "zip", "value": 5},
        'ColumnLength "zip" = 5' + nn("zip"),
    ),
    (
        "expect_table_row_count_to_be_between",
        {"min_value": 1000, "max_value": 5000},
        "(RowCount >= 1000) and (RowCount <= 5000)",
    ),
    ("expect_table_row_count_to_be_between", {"min_value": 1}, "RowCount >= 1"),
    (
        "expect_table_row_count_to_be_between",
        {"min_value": 0, "max_value": 10, "strict_min": True, "strict_max": True},
        "RowCount between 0 and 10",
    ),
    ("expect_table_row_count_to_equal", {"value": 42}, "RowCount = 42"),
    (
        "expect_column_mean_to_be_between",
        {"column": "x", "min_value": 10, "max_value": 20},
        '(Mean "x" >= 10) and (Mean "x" <= 20)',
    ),
    ("expect_column_sum_to_be_between", {"column": "x", "min_value": 0}, 'Sum "x" >= 0'),
    ("expect_column_to_exist", {"column": "load_dt"}, 'ColumnExists "load_dt"'),
    ("expect_table_column_count_to_equal", {"value": 12}, "ColumnCount = 12"),
    ("expect_table_column_count_to_be_between", {"min_value": 3}, "ColumnCount >= 3"),
    (
        "expect_column_unique_value_count_to_be_between",
        {"column": "s", "min_value": 3},
        'DistinctValuesCount "s" >= 3',
    ),
    ("expect_column_values_to_not_be_null", {"column": 'we"ird'}, r'IsComplete "we\"ird"'),
    (
        "expect_column_values_to_be_in_set",
        {"column": 'we"ird', "value_set": ["a"]},
        r'ColumnValues "we\"ird" in ["a"] where "\"we\"\"ird\" IS NOT NULL"',
    ),
    # a None in the set matches nothing: GX leaves NULL rows out
    (
        "expect_column_values_to_be_in_set",
        {"column": "s", "value_set": ["a", None]},
        'ColumnValues "s" in ["a"]' + nn("s"),
    ),
    (
        "expect_compound_columns_to_be_unique",
        {"column_list": ["a", "b"], "ignore_row_if": "any_value_is_missing"},
        r'IsUnique "a" "b" where "\"a\" IS NOT NULL AND \"b\" IS NOT NULL"',
    ),
    (
        "expect_column_values_to_be_between",
        {"column": "ts", "max_value": {"$PARAMETER": "now()"}},
        'ColumnValues "ts" <= now()' + nn("ts"),
    ),
    (
        "expect_column_values_to_be_between",
        {"column": "ts", "min_value": {"$PARAMETER": "now() - timedelta(weeks=52*2)"}},
        'ColumnValues "ts" >= (now() - 728 days)' + nn("ts"),
    ),
    (
        "expect_column_values_to_be_between",
        {"column": "ts", "min_value": {"$PARAMETER": "datetime(1969, 1, 1)"}},
        'ColumnValues "ts" >= "1969-01-01"' + nn("ts"),
    ),
    (
        "expect_column_value_lengths_to_equal",
        {"column": "s", "value": 4, "row_condition": '(n == 5) & (t != "e")', "condition_parser": "pandas"},
        'ColumnLength "s" = 4 where "(COALESCE(\\"n\\" = 5, FALSE) AND COALESCE(\\"t\\" <> \'e\', TRUE))'
        r' AND \"s\" IS NOT NULL"',
    ),
    (
        "expect_column_values_to_be_unique",
        {"column": "id", "row_condition": 'col("n") >= 2', "condition_parser": "great_expectations"},
        r'IsUnique "id" where "(\"n\" >= 2)"',
    ),
    (
        "expect_column_values_to_not_be_null",
        {"column": "a", "result_format": "COMPLETE", "catch_exceptions": True, "row_condition": None},
        'IsComplete "a"',
    ),
    # mostly on a column-map expectation: GX's share is of the non-NULL rows, and DQDL's
    # threshold the passing share of the rows in scope, so the NOT NULL where makes them one
    (
        "expect_column_values_to_be_between",
        {"column": "a", "min_value": 0, "mostly": 0.9},
        'ColumnValues "a" >= 0' + nn("a") + " with threshold >= 0.9",
    ),
    (
        "expect_column_values_to_be_between",
        {
            "column": "a",
            "min_value": 0,
            "max_value": 9,
            "strict_min": True,
            "strict_max": True,
            "mostly": 0.9,
        },
        'ColumnValues "a" between 0 and 9' + nn("a") + " with threshold >= 0.9",
    ),
    (
        "expect_column_values_to_be_between",
        {"column": "a", "min_value": 4, "max_value": 4, "mostly": 0.5},
        'ColumnValues "a" = 4' + nn("a") + " with threshold >= 0.5",
    ),
    (
        "expect_column_values_to_be_in_set",
        {"column": "a", "value_set": [1, 2], "mostly": 0.8},
        'ColumnValues "a" in [1, 2]' + nn("a") + " with threshold >= 0.8",
    ),
    # `not in` passes NULLs, but with mostly they must not be counted: the where comes back
    (
        "expect_column_values_to_not_be_in_set",
        {"column": "a", "value_set": ["x"], "mostly": 0.75},
        'ColumnValues "a" not in ["x"]' + nn("a") + " with threshold >= 0.75",
    ),
    (
        "expect_column_values_to_match_regex",
        {"column": "a", "regex": "^x", "mostly": 0.5},
        'ColumnValues "a" matches "^x.*"' + nn("a") + " with threshold >= 0.5",
    ),
    (
        "expect_column_values_to_not_match_regex",
        {"column": "a", "regex": "x", "mostly": 0.25},
        'ColumnValues "a" not matches ".*x.*"' + nn("a") + " with threshold >= 0.25",
    ),
    # the row condition narrows GX's non-NULL rows too: both go into the where
    (
        "expect_column_values_to_be_in_set",
        {
            "column": "a",
            "value_set": [1],
            "mostly": 0.8,
            "row_condition": "b == 1",
            "condition_parser": "pandas",
        },
        r'ColumnValues "a" in [1] where "COALESCE(\"b\" = 1, FALSE) AND \"a\" IS NOT NULL"'
        " with threshold >= 0.8",
    ),
    # not-NULL's share is of the rows the condition keeps, as Completeness with a where is
    (
        "expect_column_values_to_not_be_null",
        {"column": "a", "mostly": 0.9, "row_condition": "b == 1", "condition_parser": "pandas"},
        r'Completeness "a" >= 0.9 where "COALESCE(\"b\" = 1, FALSE)"',
    ),
    # a count is at least 0: a min_value of 0 checks nothing, and dq refuses `RowCount >= 0`
    ("expect_table_row_count_to_be_between", {"min_value": 0, "max_value": 10}, "RowCount <= 10"),
    (
        "expect_column_value_lengths_to_be_between",
        {"column": "s", "min_value": -1, "max_value": 3},
        'ColumnLength "s" <= 3' + nn("s"),
    ),
]


@pytest.mark.parametrize(("expectation_type", "kwargs", "text"), IMPORTS)
def test_expectation_becomes_exact_dqdl(expectation_type: str, kwargs: dict[str, Any], text: str) -> None:
    rule = expectation_to_dqdl(expectation_type, kwargs)
    assert rule_text(rule) == text
    assert parse_rule(text) == rule
    assert validate_rule(rule, known_tables=()) == []


@pytest.mark.parametrize(
    ("expectation_type", "kwargs", "reason"),
    [
        (
            "expect_column_values_to_be_of_type",
            {"column": "a", "type_": "INT"},
            "unsupported expectation type",
        ),
        # mostly needs one rule whose pass predicate is the whole range: DQDL's between is
        # exclusive, and two thresholded rules are two shares (mostly on one side is converted)
        (
            "expect_column_values_to_be_between",
            {"column": "a", "min_value": 0, "max_value": 9, "mostly": 0.9},
            "mostly on a range inclusive at an end",
        ),
        (
            "expect_column_values_to_be_between",
            {"column": "a", "min_value": 0, "max_value": 9, "strict_min": True, "mostly": 0.9},
            "mostly on a range inclusive at an end",
        ),
        # DQDL's ColumnLength takes no threshold (mostly on the values is converted)
        (
            "expect_column_value_lengths_to_equal",
            {"column": "a", "value": 5, "mostly": 0.5},
            "mostly on lengths",
        ),
        (
            "expect_column_value_lengths_to_be_between",
            {"column": "a", "min_value": 1, "mostly": 0.5},
            "mostly on lengths",
        ),
        # every share meets mostly 0, and dq refuses a threshold that cannot fail
        ("expect_column_values_to_match_regex", {"column": "a", "regex": "x", "mostly": 0}, "mostly 0"),
        # a count is at least 0: with no max_value there is nothing to check; below 0, nothing passes
        (
            "expect_table_row_count_to_be_between",
            {"min_value": 0},
            "nothing to check: RowCount is at least 0",
        ),
        ("expect_table_row_count_to_be_between", {"max_value": -1}, "can never be met"),
        (
            "expect_column_values_to_not_be_null",
            {"column": "a", "row_condition": "b.isnull()", "condition_parser": "pandas"},
            "only comparisons of a column with a literal",
        ),
        (
            "expect_column_values_to_not_be_null",
            {"column": "a", "row_condition": "b > 1", "condition_parser": "spark"},
            "condition_parser 'spark' is not translated",
        ),
        (
            "expect_column_values_to_not_be_null",
            {"column": "a", "row_condition": 'col("b") != 1', "condition_parser": "great_expectations"},
            "'!=' in a great_expectations row_condition",
        ),
        (
            "expect_column_mean_to_be_between",
            {"column": "a", "min_value": 1, "row_condition": "b == 1", "condition_parser": "pandas"},
            "row_condition on Mean",
        ),
        ("expect_column_values_to_not_be_null", {"column": "a", "foo": 1}, "unsupported option(s): foo"),
        (
            "expect_column_values_to_be_between",
            {"column": "a", "min_value": {"$PARAMETER": "lo"}},
            "min_value: suite parameter 'lo' is known only when the suite runs",
        ),
        (
            "expect_column_values_to_be_between",
            {"column": "a", "min_value": {"$PARAMETER": "now() - timedelta(seconds=5)"}},
            "timedelta(seconds=...) has no DQDL unit",
        ),
        (
            "expect_column_mean_to_be_between",
            {"column": "a", "min_value": {"$PARAMETER": "now()"}},
            "suite parameter",
        ),
        ("expect_column_values_to_be_between", {"column": "a"}, "nothing to check"),
        (
            "expect_column_values_to_be_between",
            {"column": "a", "min_value": 10, "max_value": 0},
            "above max_value",
        ),
        ("expect_table_row_count_to_be_between", {"min_value": 1, "max_value": 0}, "above max_value"),
        (
            "expect_column_values_to_be_between",
            {"column": "a", "min_value": "2024-01-01", "max_value": 5},
            "of different types",
        ),
        ("expect_column_value_lengths_to_be_between", {"column": "a", "min_value": 1.5}, "whole number"),
        ("expect_column_stdev_to_be_between", {"column": "a", "max_value": 3}, "sample one"),
        ("expect_column_to_exist", {"column": "a", "column_index": 2}, "column_index"),
        (
            "expect_compound_columns_to_be_unique",
            {"column_list": ["a", "b"], "ignore_row_if": "never"},
            "ignore_row_if 'never'",
        ),
        ("expect_column_values_to_not_be_in_set", {"column": "a", "value_set": [None]}, "nothing to check"),
        ("expect_column_values_to_be_in_set", {"column": "a", "value_set": []}, "value_set is empty"),
        ("expect_column_values_to_be_in_set", {"column": "a", "value_set": [True]}, "must be a number"),
        ("expect_column_values_to_not_be_null", {"column": "a", "mostly": 1.5}, "between 0 and 1"),
        ("expect_table_column_count_to_be_between", {"min_value": 1, "strict_min": True}, "strict_min"),
    ],
)
def test_expectation_without_exact_equivalent_is_refused(
    expectation_type: str, kwargs: dict[str, Any], reason: str
) -> None:
    with pytest.raises(Unsupported, match=re.escape(reason)):
        expectation_to_dqdl(expectation_type, kwargs)


def not_null(column: str) -> dict[str, Any]:
    """The expectation a DQDL rule adds when it fails NULLs, which GX's column-map expectations leave out."""
    return {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": column}}


# (DQDL, the expectations it must become)
EXPORTS: list[tuple[str, list[dict[str, Any]]]] = [
    ('IsComplete "a"', [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}}]),
    (
        'Completeness "a" >= 0.95',
        [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a", "mostly": 0.95}}],
    ),
    ('Completeness "a" >= 1.0', [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}}]),
    ('IsUnique "a"', [{"type": "expect_column_values_to_be_unique", "kwargs": {"column": "a"}}]),
    (
        'IsUnique "a" "b"',
        [{"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["a", "b"]}}],
    ),
    (
        'Uniqueness "a" >= 0.9',
        [{"type": "expect_column_values_to_be_unique", "kwargs": {"column": "a", "mostly": 0.9}}],
    ),
    (
        'IsPrimaryKey "a" "b"',
        [
            {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["a", "b"]}},
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}},
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "b"}},
        ],
    ),
    (
        'ColumnValues "x" between 0 and 100',
        [
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {
                    "column": "x",
                    "min_value": 0,
                    "max_value": 100,
                    "strict_min": True,
                    "strict_max": True,
                },
            },
            not_null("x"),
        ],
    ),
    (
        'ColumnValues "x" >= 0',
        [
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": "x", "min_value": 0}},
            not_null("x"),
        ],
    ),
    (
        'ColumnValues "x" > 0',
        [
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "x", "min_value": 0, "strict_min": True},
            },
            not_null("x"),
        ],
    ),
    (
        'ColumnValues "x" <= 1.5',
        [
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": "x", "max_value": 1.5}},
            not_null("x"),
        ],
    ),
    (
        'ColumnValues "x" < 100',
        [
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "x", "max_value": 100, "strict_max": True},
            },
            not_null("x"),
        ],
    ),
    (
        '(ColumnValues "x" >= 0) and (ColumnValues "x" <= 100)',
        [
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "x", "min_value": 0, "max_value": 100},
            },
            not_null("x"),
        ],
    ),
    (
        '(ColumnValues "x" < 100) and (ColumnValues "x" > 0)',
        [
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {
                    "column": "x",
                    "min_value": 0,
                    "strict_min": True,
                    "max_value": 100,
                    "strict_max": True,
                },
            },
            not_null("x"),
        ],
    ),
    (
        'ColumnValues "x" = 5',
        [
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "x", "min_value": 5, "max_value": 5},
            },
            not_null("x"),
        ],
    ),
    (
        'ColumnValues "s" = "a"',
        [
            {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "s", "value_set": ["a"]}},
            not_null("s"),
        ],
    ),
    (
        'ColumnValues "s" != "a"',
        [{"type": "expect_column_values_to_not_be_in_set", "kwargs": {"column": "s", "value_set": ["a"]}}],
    ),
    (
        'ColumnValues "s" not in [1, 2]',
        [{"type": "expect_column_values_to_not_be_in_set", "kwargs": {"column": "s", "value_set": [1, 2]}}],
    ),
    (
        'ColumnValues "s" matches "^[a-z]+$"',
        [
            {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "s", "regex": "^[a-z]+$"}},
            not_null("s"),
        ],
    ),
    (
        'ColumnValues "s" matches ".*abc.*"',
        [
            {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "s", "regex": "abc"}},
            not_null("s"),
        ],
    ),
    (
        'ColumnValues "s" matches "abc"',
        [
            {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "s", "regex": "^abc$"}},
            not_null("s"),
        ],
    ),
    (
        'ColumnValues "s" not matches "a|b"',
        [
            {
                "type": "expect_column_values_to_not_match_regex",
                "kwargs": {"column": "s", "regex": "^(?:a|b)$"},
            },
            not_null("s"),
        ],
    ),
    (
        'ColumnLength "z" = 5',
        [
            {"type": "expect_column_value_lengths_to_equal", "kwargs": {"column": "z", "value": 5}},
            not_null("z"),
        ],
    ),
    (
        'ColumnLength "z" between 4 and 6',
        [
            {
                "type": "expect_column_value_lengths_to_be_between",
                "kwargs": {
                    "column": "z",
                    "min_value": 4,
                    "max_value": 6,
                    "strict_min": True,
                    "strict_max": True,
                },
            },
            not_null("z"),
        ],
    ),
    (
        '(ColumnLength "z" >= 1) and (ColumnLength "z" <= 40)',
        [
            {
                "type": "expect_column_value_lengths_to_be_between",
                "kwargs": {"column": "z", "min_value": 1, "max_value": 40},
            },
            not_null("z"),
        ],
    ),
    (
        "RowCount between 1000 and 5000",
        [
            {
                "type": "expect_table_row_count_to_be_between",
                "kwargs": {"min_value": 1000, "max_value": 5000, "strict_min": True, "strict_max": True},
            }
        ],
    ),
    ("RowCount >= 1", [{"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}}]),
    ("RowCount = 3", [{"type": "expect_table_row_count_to_equal", "kwargs": {"value": 3}}]),
    ("ColumnCount = 12", [{"type": "expect_table_column_count_to_equal", "kwargs": {"value": 12}}]),
    ("ColumnCount <= 30", [{"type": "expect_table_column_count_to_be_between", "kwargs": {"max_value": 30}}]),
    (
        'Mean "x" between 10 and 20',
        [
            {
                "type": "expect_column_mean_to_be_between",
                "kwargs": {
                    "column": "x",
                    "min_value": 10,
                    "max_value": 20,
                    "strict_min": True,
                    "strict_max": True,
                },
            }
        ],
    ),
    (
        'Mean "x" = 3',
        [
            {
                "type": "expect_column_mean_to_be_between",
                "kwargs": {"column": "x", "min_value": 3, "max_value": 3},
            }
        ],
    ),
    (
        'Sum "x" >= 0',
        [{"type": "expect_column_sum_to_be_between", "kwargs": {"column": "x", "min_value": 0}}],
    ),
    (
        'DistinctValuesCount "s" >= 3',
        [
            {
                "type": "expect_column_unique_value_count_to_be_between",
                "kwargs": {"column": "s", "min_value": 3},
            }
        ],
    ),
    ('ColumnExists "c"', [{"type": "expect_column_to_exist", "kwargs": {"column": "c"}}]),
    (
        '(IsComplete "a") and (IsUnique "a")',
        [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}},
            {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "a"}},
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), EXPORTS)
def test_rule_becomes_exact_expectations(text: str, expected: list[dict[str, Any]]) -> None:
    assert rule_to_expectations(parse_rule(text)) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0', "compares with another table"),
        ('CustomSql "select count(*) from primary" > 0', "CustomSql has no GX equivalent"),
        ('DataFreshness "ts" <= 24 hours', "relative to the time of the run"),
        ('DetectAnomalies "RowCount"', "history"),
        ('(IsComplete "a") or (IsComplete "b")', "'or'"),
        ('IsComplete "a" where "b > 0"', "where"),
        (
            'ColumnValues "x" in [1] where "y IS NOT NULL"',
            "only a where that the rule's columns are not NULL",
        ),
        ('IsUnique "a" "b" where "a IS NOT NULL"', "only a where that the key columns are not NULL"),
        ('IsPrimaryKey "a" where "a IS NOT NULL"', "where"),
        # without a where that the column is not NULL, the share counts the NULL rows; GX's
        # mostly only the non-NULL values
        ('ColumnValues "x" >= 0 with threshold >= 0.9', "the share counts the NULL rows"),
        ('ColumnValues "s" not in [1] with threshold >= 0.9', "the share counts the NULL rows"),
        # GX's mostly is an inclusive minimum share
        ('ColumnValues "x" >= 0 where "\\"x\\" IS NOT NULL" with threshold > 0.9', "only '>= x'"),
        # only ColumnValues takes a threshold in DQDL
        (
            'ColumnLength "s" = 4 where "\\"s\\" IS NOT NULL" with threshold >= 0.5',
            "takes no 'with threshold'",
        ),
        ('StandardDeviation "x" < 3', "population standard deviation"),
        ('Uniqueness "x" > 0.9', "only '>= x'"),
        ('Completeness "a" > 0.9', "only '>= x'"),
        ('ColumnValues "x" not between 1 and 5', "this condition has no GX equivalent"),
        ("RowCount > avg(last(10))", "Call operands"),
        ('ColumnValues "x" = NULL', "Keyword operands"),
        ('ColumnValues "t" >= (now() - 1.5 days)', "BinaryOp operands"),
        ("ColumnCount > 3", "no strict bounds"),
        ('(IsComplete "a") and (CustomSql "select 1" = 1)', "CustomSql"),
    ],
)
def test_rule_without_exact_equivalent_is_refused(text: str, reason: str) -> None:
    with pytest.raises(NoEquivalent, match=re.escape(reason)):
        rule_to_expectations(parse_rule(text))


@pytest.mark.parametrize(
    ("expectation_type", "kwargs"),
    [
        (t, kwargs)
        for t, kwargs, _ in IMPORTS
        if "row_condition" not in kwargs or kwargs["row_condition"] is None
    ],
)
def test_import_export_import_is_a_fixpoint(expectation_type: str, kwargs: dict[str, Any]) -> None:
    """Whatever spelling the export chooses (mostly, a merged range, days), it imports as the same rule."""
    rule = expectation_to_dqdl(expectation_type, kwargs)
    (expectation,) = rule_to_expectations(parse_rule(rule_text(rule)))
    assert expectation_to_dqdl(expectation["type"], expectation["kwargs"]) == rule


_COUNTS = ("expect_table_row_count_to_be_between", "expect_column_value_lengths_to_be_between")


def _without_defaults(kwargs: dict[str, Any]) -> dict[str, Any]:
    defaults = {
        "strict_min": False,
        "strict_max": False,
        "mostly": 1,
        "ignore_row_if": "all_values_are_missing",
    }
    return {k: v for k, v in kwargs.items() if k not in defaults or v != defaults[k]}


@pytest.mark.parametrize(
    ("expectation_type", "kwargs"),
    [
        (expectation_type, kwargs)
        for expectation_type, kwargs, _ in IMPORTS
        # two inclusive equal bounds of a length are read back as the equivalent *_to_equal
        if not (expectation_type.startswith("expect_column_value_lengths") and kwargs.get("min_value") == 5)
        and "result_format" not in kwargs
        # read back in another spelling of the same: a row condition, no None in a set, days
        and "row_condition" not in kwargs
        and None not in kwargs.get("value_set", ())
        and not isinstance(kwargs.get("min_value"), dict)
        # a count's min_value every count meets is left out on import (dq refuses `RowCount >= 0`)
        and not (
            expectation_type in _COUNTS and kwargs.get("min_value", 1) <= 0 and not kwargs.get("strict_min")
        )
    ]
    + [
        ("expect_column_values_to_match_regex", {"column": "s", "regex": regex})
        for regex in ("abc$", "(?i)abc", "^a|b$", r"\d+\.\d*", "x.*")
    ],
)
def test_import_then_export_gives_the_same_expectation(expectation_type: str, kwargs: dict[str, Any]) -> None:
    rule = parse_rule(rule_text(expectation_to_dqdl(expectation_type, kwargs)))
    (expectation,) = rule_to_expectations(rule)
    assert expectation["type"] == expectation_type
    if kwargs.get("regex") == "x.*":  # `x.*` and `x` find the same values
        assert expectation["kwargs"] == {"column": "s", "regex": "x"}
        return
    assert _without_defaults(expectation["kwargs"]) == _without_defaults(kwargs)


# --- regular expressions -----------------------------------------------------------------

PATTERNS = [
    "abc",
    "^abc",
    "abc$",
    "^abc$",
    "a|b",
    "^a|b$",
    "[|]x",
    r"a\|b",
    "(a|b)c",
    r"\d{3}",
    "^$",
    "x*",
    "(?i)AbC",
    "[]a]b",
    r"a\$",
    r"\\$",
    "^[^@]+@[^@]+$",
    "x.*",
    r"a\.*",
    ".*abc.*",
    ".*abc",
    "abc.*",
    ".*(?:a|b).*",
    ".*",
]
VALUES = [
    "",
    "abc",
    "xabc",
    "abcx",
    "xabcx",
    "a",
    "b",
    "ab",
    "ba",
    "|x",
    "a|b",
    "123",
    "x12345",
    "AbC",
    "aBc",
    "]b",
    "a$",
    "\\",
    "x\\",
    "u@h",
    "@",
    "a@b@c",
    "a...",
    "xy",
    "bc",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_full_match_rewrite_finds_what_gx_search_finds(pattern: str) -> None:
    rewritten = search_to_full_match(pattern)
    for value in VALUES:
        assert bool(re.search(pattern, value)) == bool(re.fullmatch(rewritten, value)), (rewritten, value)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_search_rewrite_finds_what_dqdl_full_match_finds(pattern: str) -> None:
    rewritten = full_match_to_search(pattern)
    for value in VALUES:
        assert bool(re.fullmatch(pattern, value)) == bool(re.search(rewritten, value)), (rewritten, value)


# --- whole suites --------------------------------------------------------------------------


def test_suite_reports_converted_and_skipped_in_order() -> None:
    suite = {
        "name": "orders",
        "expectations": [
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "id"},
                "meta": {"name": "id_set"},
            },
            {"type": "expect_column_values_to_be_of_type", "kwargs": {"column": "id", "type_": "INT"}},
            {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "id"}, "severity": "warning"},
            # GX 0.x spelling of the type key
            {"expectation_type": "expect_column_to_exist", "kwargs": {"column": "id"}, "meta": {}},
        ],
    }
    result = suite_to_dqdl(suite)
    assert result.name == "orders"
    assert [(r.number, r.text, r.name, r.severity) for r in result.rules] == [
        (1, 'IsComplete "id"', "id_set", "error"),
        (3, 'IsUnique "id"', None, "warn"),
        (4, 'ColumnExists "id"', None, "error"),
    ]
    assert [(s.number, s.expectation_type, s.reason) for s in result.skipped] == [
        (2, "expect_column_values_to_be_of_type", "unsupported expectation type: it has no DQDL equivalent")
    ]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "JSON object"),
        ({"name": "x"}, "no 'expectations' list"),
        ({"expectations": ["x"]}, "expectation 1 is not a JSON object"),
        ({"expectations": [{"kwargs": {}}]}, "expectation 1 has no 'type'"),
        ({"expectations": [{"type": "expect_column_to_exist", "kwargs": []}]}, "'kwargs' is not an object"),
    ],
)
def test_a_document_that_is_not_a_suite_is_an_error(document: object, message: str) -> None:
    with pytest.raises(SuiteFormatError, match=re.escape(message)):
        suite_to_dqdl(document)


def test_rules_to_suite_keeps_names_severity_and_lists_the_rest() -> None:
    exported = rules_to_suite(
        "shop/orders",
        [
            RuleToExport('IsComplete "order_id"', name="id_set"),
            RuleToExport(
                'ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0', name="known_customer"
            ),
            RuleToExport("ColumnValues $col >= $low", severity="warn"),
            RuleToExport('CustomSql "select count(*) from primary" between 1 and 9'),
            RuleToExport("IsComplete"),
            RuleToExport("IsComplete $missing"),
        ],
        constants={"col": "amount", "low": 0},
    )
    assert exported.suite == {
        "name": "shop/orders",
        "id": None,
        "expectations": [
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "order_id"},
                "meta": {"name": "id_set", "dqdl": 'IsComplete "order_id"'},
                "severity": "critical",
            },
            # a DQDL rule fails NULLs, GX's between leaves them out: both expectations
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "amount", "min_value": 0},
                "meta": {"dqdl": "ColumnValues $col >= $low"},
                "severity": "warning",
            },
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "amount"},
                "meta": {"dqdl": "ColumnValues $col >= $low"},
                "severity": "warning",
            },
        ],
        "meta": {},
        "notes": None,
    }
    assert [(u.number, u.label) for u in exported.unconverted] == [
        (2, 'known_customer (ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0)'),
        (4, 'CustomSql "select count(*) from primary" between 1 and 9'),
        (5, "IsComplete"),
        (6, "IsComplete $missing"),
    ]
    reasons = [u.reason for u in exported.unconverted]
    assert reasons[0].startswith("ReferentialIntegrity has no GX equivalent: it compares with another table")
    assert reasons[1].startswith("CustomSql has no GX equivalent")
    assert reasons[2] == "IsComplete needs quoted column names"
    assert reasons[3].startswith("$missing is not defined")


def test_a_rule_that_does_not_parse_is_listed_not_raised() -> None:
    exported = rules_to_suite("t", [RuleToExport("IsComplete (")])
    assert exported.suite["expectations"] == []
    (unconverted,) = exported.unconverted
    assert unconverted.reason.startswith("does not parse: 1:")


# --- against the real great_expectations package ------------------------------------------


@pytest.fixture(scope="module")
def gx_suite_json() -> dict[str, Any]:
    """A suite built and serialised by great_expectations itself, as a file would hold it."""
    import great_expectations as gx
    from great_expectations.core import ExpectationSuite

    suite = ExpectationSuite(
        name="orders",
        expectations=[
            gx.expectations.ExpectColumnValuesToNotBeNull(column="order_id"),
            gx.expectations.ExpectColumnValuesToNotBeNull(column="email", mostly=0.95),
            gx.expectations.ExpectColumnValuesToBeUnique(column="order_id"),
            gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["order_id", "line"]),
            gx.expectations.ExpectColumnValuesToBeBetween(column="amount", min_value=0, max_value=100000),
            gx.expectations.ExpectColumnValuesToBeBetween(
                column="amount", min_value=0, strict_min=True, mostly=0.99
            ),
            gx.expectations.ExpectColumnValuesToBeInSet(
                column="status", value_set=["new", "paid", "shipped"]
            ),
            gx.expectations.ExpectColumnValuesToMatchRegex(
                column="email", regex="^[^@]+@[^@]+$", meta={"name": "email_format"}, severity="warning"
            ),
            gx.expectations.ExpectColumnValuesToMatchRegex(column="sku", regex="SKU"),
            gx.expectations.ExpectColumnValueLengthsToBeBetween(column="zip", min_value=5, max_value=10),
            gx.expectations.ExpectTableRowCountToBeBetween(min_value=1000, max_value=5000),
            gx.expectations.ExpectColumnMeanToBeBetween(column="amount", min_value=10, max_value=500),
            gx.expectations.ExpectColumnSumToBeBetween(column="amount", min_value=0),
            gx.expectations.ExpectColumnStdevToBeBetween(column="amount", max_value=1000),
            gx.expectations.ExpectColumnToExist(column="load_dt"),
            gx.expectations.ExpectColumnValuesToBeOfType(column="amount", type_="DECIMAL"),
        ],
    )
    return json.loads(json.dumps(suite.to_json_dict()))


GX_SUITE_RULES = [
    'IsComplete "order_id"',
    'Completeness "email" >= 0.95',
    'IsUnique "order_id"',
    'IsUnique "order_id" "line"',
    f'(ColumnValues "amount" >= 0{nn("amount")}) and (ColumnValues "amount" <= 100000{nn("amount")})',
    # mostly, now exact: the share of the non-NULL values, the rows the where keeps
    'ColumnValues "amount" > 0' + nn("amount") + " with threshold >= 0.99",
    'ColumnValues "status" in ["new", "paid", "shipped"]' + nn("status"),
    'ColumnValues "email" matches "^[^@]+@[^@]+$"' + nn("email"),
    'ColumnValues "sku" matches ".*SKU.*"' + nn("sku"),
    f'(ColumnLength "zip" >= 5{nn("zip")}) and (ColumnLength "zip" <= 10{nn("zip")})',
    "(RowCount >= 1000) and (RowCount <= 5000)",
    '(Mean "amount" >= 10) and (Mean "amount" <= 500)',
    'Sum "amount" >= 0',
    'ColumnExists "load_dt"',
]
# expectations 14 (sample standard deviation) and 16
GX_SUITE_SKIPPED = [
    (14, "expect_column_stdev_to_be_between"),
    (16, "expect_column_values_to_be_of_type"),
]


def test_a_suite_written_by_great_expectations_imports(gx_suite_json: dict[str, Any]) -> None:
    result = suite_to_dqdl(gx_suite_json)
    assert [r.text for r in result.rules] == GX_SUITE_RULES
    assert [(r.name, r.severity) for r in result.rules if r.name] == [("email_format", "warn")]
    assert [(s.number, s.expectation_type) for s in result.skipped] == GX_SUITE_SKIPPED


def test_great_expectations_reads_back_the_exported_suite(gx_suite_json: dict[str, Any]) -> None:
    from great_expectations.core import ExpectationSuite

    exported = rules_to_suite(
        "orders", [RuleToExport(r.text, r.name) for r in suite_to_dqdl(gx_suite_json).rules]
    )
    assert exported.unconverted == ()
    loaded = ExpectationSuite(**json.loads(json.dumps(exported.suite)))
    # GX drops (and only logs) an expectation it cannot build: every one must have survived
    assert len(loaded.expectations) == len(GX_SUITE_RULES)
    skipped = {number for number, _ in GX_SUITE_SKIPPED}
    original = [
        (e["type"], _without_defaults(e["kwargs"]))
        for number, e in enumerate(gx_suite_json["expectations"], start=1)
        if number not in skipped
    ]
    round_trip = [(e["type"], _without_defaults(e["kwargs"])) for e in loaded.to_json_dict()["expectations"]]
    assert round_trip == original
