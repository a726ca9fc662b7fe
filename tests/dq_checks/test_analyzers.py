"""Analyzers, statically: which are computed, under which history key, and why others are refused."""

from __future__ import annotations

import pytest

from dq_checks.analyzers.metric_keys import rule_metric_key
from dq_checks.analyzers.validate import analyzer_problems
from dq_checks.dqdl.parser import parse_rule


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("RowCount", "Dataset.*.RowCount"),
        ("RowCount > avg(last(10))", "Dataset.*.RowCount"),
        ('DetectAnomalies "RowCount"', "Dataset.*.RowCount"),
        ('Completeness "email" > 0.9', "Column.email.Completeness"),
        ('IsComplete "email"', "Column.email.Completeness"),  # observes the completeness
        ('DetectAnomalies "Completeness" "email"', "Column.email.Completeness"),
        ('ColumnCorrelation "a" "b" > 0.5', "Multicolumn.a,b.ColumnCorrelation"),
        ('Mean "price" > 1 where "region = \'eu\'"', None),  # another population
        ('ColumnValues "age" >= 0', None),  # row-level: no single metric
        ("(RowCount > 1) and (ColumnCount > 2)", None),
    ],
)
def test_a_rule_and_an_analyzer_on_one_metric_share_its_key(text: str, key: str | None) -> None:
    assert rule_metric_key(parse_rule(text)) == key


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ('Mean "price"', []),
        ("Completeness AllColumns", []),
        ("RowCount", []),
        (
            'Mean "price" > 3',
            [
                "Mean: an analyzer takes no condition; it records the metric and is never "
                "judged (write it under Rules to judge it)"
            ],
        ),
        ('Mean "price" where "x > 1"', ["Mean: dq computes analyzers over the whole table; drop the where"]),
        ('ColumnCorrelation "a"', ["ColumnCorrelation takes two columns; got 1"]),
        (
            'ColumnCorrelation AllColumns "b"',
            ["ColumnCorrelation: AllColumns stands alone, for an analyzer of one column"],
        ),
        ('RowCount "x"', ["RowCount takes no column; got 1"]),
        ("(RowCount > 1) and (ColumnCount > 2)", ["an analyzer is one rule type, not a composite of rules"]),
        (
            'Distribution "age"',
            [
                "Distribution is not supported yet as an analyzer: it computes a histogram or "
                "top-values metric, which dq does not compute yet"
            ],
        ),
        (
            'Meen "price"',
            [
                "unknown analyzer type 'Meen'; did you mean Mean? (analyzers: ColumnCorrelation, "
                "ColumnCount, Completeness, DistinctValuesCount, Entropy, Mean, RowCount, "
                "StandardDeviation, Sum, UniqueValueRatio, Uniqueness, Variance)"
            ],
        ),
    ],
)
def test_analyzer_problems_say_what_to_change(text: str, problems: list[str]) -> None:
    assert analyzer_problems(parse_rule(text)) == problems
