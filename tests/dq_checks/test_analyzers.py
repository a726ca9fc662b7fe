"""Analyzers, statically: which are computed, under which history key, and why others are refused."""

from __future__ import annotations

import pytest

from dq_checks.analyzers.metric_keys import metric_key, rule_metric_key
from dq_checks.analyzers.validate import analyzer_problems
from dq_checks.dqdl.parser import parse_rule, parse_ruleset


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
        ('Distribution "age"', []),
        ('Distribution "age" with bins = 10', []),
        ("Distribution AllColumns with bins = 1", []),
        (
            'Distribution "age" with bins = 25',
            ["Distribution: bins must be a whole number from 1 to 20 (got 25), as in `with bins = 10`"],
        ),
        (
            'Distribution "age" with bins = 2.5',
            ["Distribution: bins must be a whole number from 1 to 20 (got 2.5), as in `with bins = 10`"],
        ),
        (
            'Distribution "age" with bins = 0',
            ["Distribution: bins must be a whole number from 1 to 20 (got 0), as in `with bins = 10`"],
        ),
        (
            'Distribution "age" with bins > 5',
            ["Distribution: bins must be a whole number from 1 to 20 (got > 5), as in `with bins = 10`"],
        ),
        (
            'Distribution "age" with buckets = 5',
            ["Distribution: unknown setting 'buckets' (settings: bins, rebin)"],
        ),
        (
            'Distribution "age" > 3',
            [
                "Distribution: an analyzer takes no condition; it records the metric and is never "
                "judged (write it under Rules to judge it)"
            ],
        ),
        ('Distribution "a" "b"', ["Distribution takes one column; got 2"]),
        ('Mean "price" with bins = 5', ["Mean: takes no 'with' options (got bins)"]),
        (
            "AllStatistics AllColumns",
            [
                "AllStatistics is not supported yet as an analyzer: it computes a bundle of metrics, "
                "which dq does not compute yet; list the analyzers it stands for"
            ],
        ),
        (
            'Meen "price"',
            [
                "unknown analyzer type 'Meen'; did you mean Mean? (analyzers: ColumnCorrelation, "
                "ColumnCount, Completeness, DistinctValuesCount, Distribution, Entropy, Mean, RowCount, "
                "StandardDeviation, Sum, UniqueValueRatio, Uniqueness, Variance)"
            ],
        ),
    ],
)
def test_analyzer_problems_say_what_to_change(text: str, problems: list[str]) -> None:
    assert analyzer_problems(parse_rule(text)) == problems


@pytest.mark.parametrize(
    ("analyzers", "problems"),
    [
        ('Distribution "age" with bins = 10, rebin = false', []),
        ('Distribution "age" with rebin = true, bins = 20', []),
        (
            'Distribution "age" with rebin = 1',
            ["Distribution: rebin must be true or false (got 1), as in `with rebin = false`"],
        ),
        ('Distribution "age" with bins = 5, bins = 6', ["Distribution: bins is set twice"]),
    ],
)
def test_distribution_settings_as_glue_writes_them(analyzers: str, problems: list[str]) -> None:
    """`rebin = false` and a comma between settings parse only inside an Analyzers block."""
    (analyzer,) = parse_ruleset(f"Analyzers = [ {analyzers} ]").analyzers
    assert analyzer_problems(analyzer) == problems


def test_distribution_is_an_analyzer_with_no_history_key() -> None:
    """A histogram or top values is no scalar: nothing is recorded for a dynamic rule to learn from."""
    assert metric_key("Distribution", ("age",)) is None
