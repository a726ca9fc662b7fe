"""Dynamic rules over a rule's own history, DetectAnomalies, composite rules, quality scores
and the references a ruleset needs.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pyarrow as pa
import pytest

from dq_checks.dqdl.parser import parse_rule
from dq_checks.results.model import Outcome
from dq_checks.rules.model import RuleError
from dq_checks.rules.references import reference_needs
from dq_checks.rules.scores import score
from dq_checks.rules.types.spec import Dimension
from dq_checks.rules.validate import validate_rule
from tests.dq_checks.rule_harness import RuleBench, history

ROWS = 12
EMAILS = [f"user{i}@shop.com" for i in range(10)] + [None, None]  # planted: 2 NULL emails of 12
AMOUNTS = [5.0, -3.0, 7.5, -1.0, 2.0, 9.0, -4.0, 6.0, 3.0, -2.5, 8.0, 1.0]  # planted: 4 negative, no zero


def table() -> pa.Table:
    return pa.table(
        {
            "id": pa.array(range(1, ROWS + 1), pa.int64()),
            "email": pa.array(EMAILS, pa.string()),
            "amount": pa.array(AMOUNTS, pa.float64()),
        }
    )


@pytest.fixture(scope="module")
def bench() -> Iterator[RuleBench]:
    with RuleBench(table(), key=("id",)) as opened:
        yield opened


# --- dynamic rules ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "past", "outcome", "resolved"),
    [
        # last(3) is the three most recent values: avg(30, 10, 20) * 0.5 = 10; the fourth (1000) is not used
        ("RowCount > avg(last(3)) * 0.5", (30, 10, 20, 1000), Outcome.PASS, "10"),
        ("RowCount > avg(last(3)) * 0.5", (40, 30, 20), Outcome.FAIL, "15"),
        # fewer points than k: the ones there are (30 alone), not padded with zeros
        ("RowCount > avg(last(3)) * 0.5", (30,), Outcome.FAIL, "15"),
        ("RowCount = sum(last(5))", (5, 7), Outcome.PASS, "12"),
        # no history at all: last(k) is [0.0]
        ("RowCount > avg(last(3)) * 0.5", (), Outcome.PASS, "0"),
        ("RowCount < max(last(5))", (), Outcome.FAIL, "0"),
        ("RowCount between (0.9 * avg(last(10))) and (1.1 * avg(last(10)))", (), Outcome.FAIL, "0, 0"),
        (
            "RowCount between (0.9 * avg(last(10))) and (1.1 * avg(last(10)))",
            (12, 11, 13),
            Outcome.PASS,
            "10.8, 13.2",
        ),
        ("RowCount < median(last(4))", (1, 100, 12, 13), Outcome.PASS, "12.5"),
        ("RowCount >= min(last(3))", (12, 30, 40), Outcome.PASS, "12"),
        ("RowCount > std(last(3))", (10, 12, 14), Outcome.PASS, "2"),
        ("RowCount = std(last(3))", (50,), Outcome.FAIL, "0"),  # one point has no spread
        ("RowCount = index(last(3), 1)", (99, 12, 7), Outcome.PASS, "12"),  # 0 is the most recent
        ("RowCount > abs(index(last(2), 0) - index(last(2), 1))", (3, 20), Outcome.FAIL, "17"),
        # last() is last(1), the most recent value; alone it compares as that one number (AWS)
        ("RowCount > last()", (11, 500), Outcome.PASS, "11"),
        ("RowCount > last()", (), Outcome.PASS, "0"),  # no history: 0.0
        ("RowCount > last(1)", (13, 1), Outcome.FAIL, "13"),
        ("RowCount > 0.5 * last()", (20,), Outcome.PASS, "10"),
        ("RowCount = index(last(10), 0)", (), Outcome.FAIL, "0"),  # no history: [0.0]
    ],
)
def test_dynamic_conditions(
    bench: RuleBench, rule: str, past: tuple[float, ...], outcome: Outcome, resolved: str
) -> None:
    result = bench.run(rule, history(*past))
    assert (result.outcome, result.observed) == (outcome, 12.0)
    assert result.details["condition"].endswith(f"(= {resolved})")


def test_dynamic_condition_on_another_metric(bench: RuleBench) -> None:
    completeness = 10 / 12
    outcome = bench.run('Completeness "email" >= avg(last(2))', history(0.9, 0.7))  # 0.8
    assert (outcome.outcome, outcome.observed) == (Outcome.PASS, pytest.approx(completeness))
    assert bench.run('Completeness "email" >= avg(last(2))', history(0.9, 0.8)).outcome is Outcome.FAIL


def test_index_outside_the_history_is_an_error_that_still_carries_the_metric(bench: RuleBench) -> None:
    # One earlier value: index(last(3), 2) needs three. The row count (12) was measured all the
    # same, and the error carries it, so it joins the history and a later run can compute the bound.
    with pytest.raises(
        RuleError,
        match=r"index\(last\(3\), 2\) needs at least 3 earlier value\(s\); "
        r"this rule has 1 so far",
    ) as raised:
        bench.run("RowCount = index(last(3), 2)", history(12))
    assert raised.value.observed == 12.0


def test_an_errored_dynamic_bound_is_an_error_outcome_with_its_observed_value(bench: RuleBench) -> None:
    from dq_checks.rules.compile import evaluate_safely
    from dq_checks.rules.model import Evidence

    compiled = bench.compile('Completeness "email" > index(last(10), 2)')
    measured = bench.measure(compiled)
    evidence = Evidence(measured.values, bench.engine, history(0.5), measured.profile)
    outcome = evaluate_safely(compiled, evidence)
    assert (outcome.outcome, outcome.observed) == (Outcome.ERROR, pytest.approx(10 / 12))
    assert "needs at least 3 earlier value(s); this rule has 1 so far" in outcome.message


def test_a_bare_list_of_several_values_is_an_error_at_run_time(bench: RuleBench) -> None:
    # dq validate refuses it first; at run time it is still a clear error, not a wrong answer.
    with pytest.raises(RuleError, match=r"last\(5\) is 2 values; reduce it") as raised:
        bench.run("RowCount > last(5)", history(3, 4))
    assert raised.value.observed == 12.0


# --- DetectAnomalies --------------------------------------------------------------------------


def test_detect_anomalies_skips_with_fewer_than_five_points(bench: RuleBench) -> None:
    outcome = bench.run('DetectAnomalies "RowCount"', history(500, 500, 500, 500))
    assert (outcome.outcome, outcome.observed) == (Outcome.SKIP, 12.0)
    assert outcome.details == {"history_points": 4}


def test_detect_anomalies_passes_inside_the_learned_range(bench: RuleBench) -> None:
    past = [11, 12, 13, 12, 11, 13]  # a flat history around 12
    outcome = bench.run('DetectAnomalies "RowCount"', history(*past))
    assert (outcome.outcome, outcome.observed) == (Outcome.PASS, 12.0)
    assert outcome.details["history_points"] == 6
    assert outcome.details["lower"] < 12 < outcome.details["upper"]
    assert outcome.details["expected"] == pytest.approx(12, abs=1)  # a Theil-Sen line through the six runs


def test_detect_anomalies_fails_an_outlier_against_a_stable_history(bench: RuleBench) -> None:
    past = [100, 101, 99, 100, 102, 98]  # the table suddenly has 12 rows instead of ~100
    outcome = bench.run('DetectAnomalies "RowCount"', history(*past))
    assert (outcome.outcome, outcome.observed) == (Outcome.FAIL, 12.0)
    assert outcome.details["expected"] == pytest.approx(100, abs=1)
    assert 12 < outcome.details["lower"] < 98
    # a flat history: anything else is an outlier
    assert bench.run('DetectAnomalies "RowCount"', history(13, 13, 13, 13, 13)).outcome is Outcome.FAIL


def test_detect_anomalies_learns_from_the_last_thirty_runs_only(bench: RuleBench) -> None:
    past = [12, 13, 11] * 10 + [1000] * 40  # the 40 oldest runs are from another era
    outcome = bench.run('DetectAnomalies "RowCount"', history(*past))
    assert outcome.outcome is Outcome.PASS
    assert outcome.details["history_points"] == 30


@pytest.mark.parametrize(
    ("rule", "observed", "past"),
    [
        ('DetectAnomalies "Completeness" "email"', 10 / 12, (0.82, 0.84, 0.83, 0.85, 0.81)),
        ('DetectAnomalies "Mean" "amount"', sum(AMOUNTS) / ROWS, (2.4, 2.5, 2.6, 2.5, 2.4)),
        ('DetectAnomalies "DistinctValuesCount" "email"', 10.0, (10, 9, 11, 10, 10)),
        ('DetectAnomalies "ColumnCount"', 3.0, (3, 3, 3, 3, 3)),
    ],
)
def test_detect_anomalies_of_column_metrics(
    bench: RuleBench, rule: str, observed: float, past: tuple[float, ...]
) -> None:
    outcome = bench.run(rule, history(*past))
    assert (outcome.outcome, outcome.observed) == (Outcome.PASS, pytest.approx(observed))


def test_detect_anomalies_learns_only_the_rules_aws_lists() -> None:
    problems = validate_rule(parse_rule('DetectAnomalies "IsComplete" "id"'), known_tables=set())
    assert [p.message for p in problems] == [
        "DetectAnomalies cannot learn 'IsComplete'; it learns RowCount, Completeness, Uniqueness, Mean, Sum, "
        "StandardDeviation, Entropy, DistinctValuesCount, UniqueValueRatio, ColumnLength, ColumnValues, "
        "ColumnCorrelation, CustomSql, ColumnCount"
    ]
    wrong = validate_rule(parse_rule('DetectAnomalies "ColumnCorrelation" "id"'), known_tables=set())
    assert [p.message for p in wrong] == [
        'DetectAnomalies \'ColumnCorrelation\' takes what ColumnCorrelation takes: "column" "column"; got 1'
    ]


LEARNED_TABLE = pa.table(
    {
        "id": pa.array([1, 2, 3, 4, 4, 6], pa.int64()),  # planted: 4 twice
        "name": pa.array(["ann", "bob", "cy", None, "dee", "eve"], pa.string()),  # planted: one NULL
        "x": pa.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], pa.float64()),
        "y": pa.array([2.0, 4.0, 6.0, 8.0, 10.0, 12.0], pa.float64()),  # y = 2x: correlation 1
    }
)


@pytest.mark.parametrize(
    ("rule", "observed"),
    [
        ('DetectAnomalies "RowCount"', 6.0),
        ('DetectAnomalies "ColumnCount"', 4.0),
        ('DetectAnomalies "Completeness" "name"', 5 / 6),
        ('DetectAnomalies "Uniqueness" "id"', 4 / 6),  # 1, 2, 3 and 6 appear once
        ('DetectAnomalies "Mean" "x"', 3.5),
        ('DetectAnomalies "Sum" "x"', 21.0),
        ('DetectAnomalies "StandardDeviation" "x"', math.sqrt(17.5 / 6)),  # population
        ('DetectAnomalies "Entropy" "id"', -(4 * (1 / 6) * math.log(1 / 6) + (2 / 6) * math.log(2 / 6))),
        ('DetectAnomalies "DistinctValuesCount" "id"', 5.0),
        ('DetectAnomalies "UniqueValueRatio" "id"', 4 / 5),  # 4 of the 5 distinct values appear once
        ('DetectAnomalies "ColumnLength" "name"', 3.0),  # the longest name
        ('DetectAnomalies "ColumnValues" "x"', 6.0),  # the largest value
        ('DetectAnomalies "ColumnCorrelation" "x" "y"', 1.0),
        ('DetectAnomalies "CustomSQL" "select count(*) from primary where x > 2"', 4.0),
    ],
)
def test_detect_anomalies_observes_each_rule_aws_lists(rule: str, observed: float) -> None:
    # Five steady earlier values, the current one far away: every metric is learned and judged.
    steady = history(*([observed] * 5))
    assert validate_rule(parse_rule(rule), known_tables=set()) == []
    with RuleBench(LEARNED_TABLE) as bench:
        first = bench.run(rule)
        judged = bench.run(rule, steady)
        far = bench.run(rule, history(*([observed * 10 + 100] * 5)))
    assert (first.outcome, first.observed) == (Outcome.SKIP, pytest.approx(observed))
    assert (judged.outcome, judged.observed) == (Outcome.PASS, pytest.approx(observed))
    assert far.outcome is Outcome.FAIL


def test_detect_anomalies_of_column_values_needs_a_numeric_column() -> None:
    with RuleBench(LEARNED_TABLE) as bench, pytest.raises(RuleError, match="its maximum"):
        bench.compile('DetectAnomalies "ColumnValues" "name"')


# --- composite rules --------------------------------------------------------------------------

# A child that compiles but cannot be evaluated: a scalar CustomSql whose query returns 12 rows.
BROKEN = 'CustomSql "select id from primary" > 0'


@pytest.mark.parametrize(
    ("rule", "outcome", "children"),
    [
        ('(RowCount > 5) and (IsComplete "email")', Outcome.FAIL, ["pass", "fail"]),
        ('(RowCount > 5) or (IsComplete "email")', Outcome.PASS, ["pass", "fail"]),
        ('(RowCount > 100) or (IsComplete "email")', Outcome.FAIL, ["fail", "fail"]),
        ('(RowCount > 5) and (IsComplete "id")', Outcome.PASS, ["pass", "pass"]),
        (f"(RowCount > 5) and ({BROKEN})", Outcome.ERROR, ["pass", "error"]),
        (f"(RowCount > 100) and ({BROKEN})", Outcome.ERROR, ["fail", "error"]),
        (f"(RowCount > 5) or ({BROKEN})", Outcome.PASS, ["pass", "error"]),
        (f"(RowCount > 100) or ({BROKEN})", Outcome.ERROR, ["fail", "error"]),
        (
            '(RowCount > 100) or ((IsComplete "id") and (Completeness "email" > 0.8))',
            Outcome.PASS,
            ["fail", "pass"],
        ),
        (
            '(RowCount > 100) or ((IsComplete "id") and (Completeness "email" > 0.9))',
            Outcome.FAIL,
            ["fail", "fail"],
        ),
        # a skipped child (DetectAnomalies without history) does not fail an `and`, nor pass an `or`
        ('(RowCount > 5) and (DetectAnomalies "RowCount")', Outcome.PASS, ["pass", "skip"]),
        ('(RowCount > 100) or (DetectAnomalies "RowCount")', Outcome.FAIL, ["fail", "skip"]),
        # each child runs over the whole table: every amount is > 0 or < 0, but no rule holds for all rows
        ('(ColumnValues "amount" > 0) or (ColumnValues "amount" < 0)', Outcome.FAIL, ["fail", "fail"]),
        ('(RowCount = 6 where "id <= 6") and (RowCount = 12)', Outcome.PASS, ["pass", "pass"]),
    ],
)
def test_composite_rules(bench: RuleBench, rule: str, outcome: Outcome, children: list[str]) -> None:
    result = bench.run(rule)
    assert result.outcome is outcome
    assert [child["outcome"] for child in result.details["rules"]] == children


def test_composite_reports_each_child(bench: RuleBench) -> None:
    result = bench.run(f'(IsComplete "email") or ({BROKEN})')
    assert result.outcome is Outcome.ERROR
    first, second = result.details["rules"]
    assert first["rule"] == 'IsComplete "email"'
    assert second["rule"] == BROKEN
    assert "must return one number" in second["message"]


def test_composite_with_a_missing_column_names_it(bench: RuleBench) -> None:
    with pytest.raises(RuleError, match="column 'nope' does not exist; the table has: id, email, amount"):
        bench.compile('(RowCount > 5) and (IsComplete "nope")')


# --- scores -----------------------------------------------------------------------------------


def test_scores_leave_errors_and_skips_out() -> None:
    result = score(
        [
            (Dimension.COMPLETENESS, Outcome.PASS),
            (Dimension.COMPLETENESS, Outcome.FAIL),
            (Dimension.UNIQUENESS, Outcome.PASS),
            (Dimension.VALIDITY, Outcome.ERROR),
            (Dimension.VALIDITY, Outcome.SKIP),
            (None, Outcome.FAIL),
        ]
    )
    assert (result.passed, result.evaluated) == (2, 4)
    assert result.overall == 0.5
    assert result.dimensions == {"completeness": 0.5, "uniqueness": 1.0}  # validity had no evaluated rule
    assert result.as_metadata() == {
        "rules_passed": 2,
        "rules_evaluated": 4,
        "quality_score": 0.5,
        "score.completeness": 0.5,
        "score.uniqueness": 1.0,
    }


def test_scores_with_nothing_evaluated() -> None:
    result = score([(Dimension.VOLUME, Outcome.ERROR), (Dimension.VOLUME, Outcome.SKIP)])
    assert (result.overall, result.passed, result.evaluated, result.dimensions) == (None, 0, 0, {})
    assert result.as_metadata() == {"rules_passed": 0, "rules_evaluated": 0}


# --- reference_needs ----------------------------------------------------------------------------


def test_reference_needs_collects_tables_and_columns() -> None:
    texts = [
        'ReferentialIntegrity "customer_id" "customers.{customer_id}" = 1.0',
        'ReferentialIntegrity "city,state" "geo.{city,state}" = 1.0',
        'ReferentialIntegrity "zip" "geo.zip" = 1.0',
        'AggregateMatch "sum(amount)" "sum(ledger.total)" > 0.9',
        'AggregateMatch "sum(primary.amount)" "avg(ledger.fee)" > 0.9',
        'SchemaMatch "archive" = 1.0',  # the description is enough: no columns
        'RowCountMatch "archive" > 0.9',
        'DatasetMatch "mirror" "id->id" = 1.0',  # compares every shared column
        '(RowCount > 0) and (DatasetMatch "copy" "id->ref_id" "a->ref_a" = 1.0)',
        'CustomSql "select count(*) from primary join events using (id)" > 0',
        'CustomSql "select count(*) from hidden" > 0',  # not readable: not requested
        'IsComplete "x"',
    ]
    needs = reference_needs([parse_rule(t) for t in texts], {"events"})
    assert needs == {
        "customers": {"customer_id"},
        "geo": {"city", "state", "zip"},
        "ledger": {"total", "fee"},
        "archive": set(),
        "mirror": None,
        "copy": {"ref_id", "ref_a"},
        "events": None,
    }


@pytest.mark.parametrize("whole_first", [True, False])
def test_reference_needs_whole_table_wins_in_either_order(whole_first: bool) -> None:
    some = 'ReferentialIntegrity "customer_id" "customers.{customer_id}" = 1.0'
    whole = 'CustomSql "select count(*) from customers" > 0'
    texts = [whole, some] if whole_first else [some, whole]
    assert reference_needs([parse_rule(t) for t in texts], {"customers"}) == {"customers": None}


def test_reference_needs_of_plain_rules_is_empty() -> None:
    assert reference_needs([parse_rule('IsComplete "a"'), parse_rule("RowCount > 0")], set()) == {}
