"""A rule's column names meet the table's ignoring case, as Glue's Spark resolves them; two
columns that differ only in case make a name ambiguous, an error naming both.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from dq_checks.results.model import Outcome
from dq_checks.rules.model import RuleError
from tests.dq_checks.rule_harness import RuleBench

TABLE = pa.table(
    {
        "order_id": pa.array([1, 2, 3, 3, 5], pa.int64()),  # planted: 3 twice
        "Email": pa.array(["a@x.com", None, "c@x.com", "d@x.com", "e@x.com"], pa.string()),  # one NULL
        "amount": pa.array([10.0, 20.0, 30.0, 40.0, 50.0], pa.float64()),
    }
)


@pytest.mark.parametrize(
    ("rule", "outcome", "observed"),
    [
        ('Completeness "EMAIL" >= 0.8', Outcome.PASS, 0.8),
        ('IsComplete "email"', Outcome.FAIL, 0.8),
        ('IsUnique "ORDER_ID"', Outcome.FAIL, 0.6),  # a grouped rule: 1, 2 and 5 appear once of 5
        ('Mean "Amount" = 30', Outcome.PASS, 30.0),
        ('ColumnValues "AMOUNT" > 15', Outcome.FAIL, 0.8),  # a row-level rule: 10 fails
        ('ColumnLength "email" = 7', Outcome.FAIL, 0.8),  # the NULL's length is 0
        ('Sum "amount" > 100 where "ORDER_ID > 2"', Outcome.PASS, 120.0),  # the where clause too
        ('DetectAnomalies "Mean" "AMOUNT"', Outcome.SKIP, 30.0),
    ],
)
def test_rule_columns_match_ignoring_case(rule: str, outcome: Outcome, observed: float) -> None:
    with RuleBench(TABLE) as bench:
        result = bench.run(rule)
    assert (result.outcome, result.observed) == (outcome, pytest.approx(observed))


def test_column_exists_compares_names_exactly_as_deequ_does() -> None:
    with RuleBench(TABLE) as bench:
        assert bench.run('ColumnExists "Email"').outcome is Outcome.PASS
        assert bench.run('ColumnExists "email"').outcome is Outcome.FAIL


def test_a_name_two_columns_differ_from_only_in_case_is_ambiguous() -> None:
    clash = pa.table({"id": pa.array([1], pa.int64()), "ID": pa.array([2], pa.int64())})
    message = (
        "column 'Id' is ambiguous: the table has 'id' and 'ID', which differ only in case "
        "(column names match case-insensitively, as in Glue)"
    )
    with RuleBench(clash) as bench:
        for rule in ('IsComplete "Id"', 'Mean "Id" > 0', 'RowCount > 0 where "Id > 0"', 'IsUnique "Id"'):
            with pytest.raises(RuleError) as raised:
                bench.compile(rule)
            assert str(raised.value) == message
        # the exact name is ambiguous too, as in Spark: the table itself is ambiguous to Glue
        with pytest.raises(RuleError, match="column 'id' is ambiguous"):
            bench.compile('IsComplete "id"')


def test_an_unknown_column_still_names_the_columns_the_table_has() -> None:
    with RuleBench(TABLE) as bench, pytest.raises(RuleError) as raised:
        bench.compile('IsComplete "phone"')
    assert str(raised.value) == "column 'phone' does not exist; the table has: order_id, Email, amount"
