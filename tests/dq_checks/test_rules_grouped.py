"""Grouped rules: Uniqueness, IsUnique, IsPrimaryKey, UniqueValueRatio and Entropy.

The oracle groups the rows in Python. A row whose key columns are all NULL has no value,
so it can neither repeat nor be unique: it is left out of the groups. On several columns a
row with some key columns present is grouped, a NULL equal to a NULL, as AWS Glue's engine
(Deequ) and Great Expectations' default do. IsPrimaryKey fails on a row with a NULL in any
key column, since a primary key is complete as well as unique.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Sequence

import numpy as np
import pyarrow as pa
import pytest

from dq_checks.results.model import Outcome
from dq_checks.rules.model import FAILING_ROWS_SHOWN, RuleError
from tests.dq_checks.rule_harness import RuleBench

COLUMNS = ("order_id", "customer_id", "region", "code", "sku")
# fmt: off
ROWS = [dict(zip(COLUMNS, row, strict=True)) for row in [
    (1, 1, "eu", "a", "s1"),
    (2, 2, "eu", "b", "s2"),
    (3, 2, "us", "a", "s3"),     # customer 2 twice
    (4, 3, "eu", "a", "s4"),     # (eu, a) twice: with row 1
    (5, 3, "us", None, "s5"),    # NULL code: the pair has no value
    (6, 3, None, "a", "s6"),     # customer 3 three times; NULL region
    (7, 4, "us", "b", "s7"),
    (8, None, "us", "c", None),  # NULL customer; NULL sku
    (9, None, "eu", "b", "s9"),  # NULL customer; (eu, b) twice: with row 2
    (10, 5, "eu", "c", "s10"),
]]
# fmt: on


def counts(keys: Sequence[str], rows: Sequence[dict] = ROWS) -> Counter:
    """Occurrences of each key tuple with at least one key present (NULL groups with NULL)."""
    return Counter(tuple(row[k] for k in keys) for row in rows if any(row[k] is not None for k in keys))


def table() -> pa.Table:
    return pa.table(
        {
            "order_id": pa.array([r["order_id"] for r in ROWS], pa.int64()),
            "customer_id": pa.array([r["customer_id"] for r in ROWS], pa.int64()),
            "region": pa.array([r["region"] for r in ROWS], pa.string()),
            "code": pa.array([r["code"] for r in ROWS], pa.string()),
            "sku": pa.array([r["sku"] for r in ROWS], pa.string()),
        }
    )


@pytest.fixture(scope="module")
def bench() -> Iterator[RuleBench]:
    with RuleBench(table(), key=("order_id",)) as opened:
        yield opened


def test_is_unique_and_uniqueness_of_one_column(bench: RuleBench) -> None:
    groups = counts(["customer_id"])
    assert groups == Counter({(1,): 1, (2,): 2, (3,): 3, (4,): 1, (5,): 1})
    rows = sum(groups.values())  # 8: the two NULL customers are left out
    duplicate_rows = sum(n for n in groups.values() if n > 1)  # 5
    expected = (rows - duplicate_rows) / rows  # 3 / 8

    outcome = bench.run('IsUnique "customer_id"')
    assert outcome.outcome is Outcome.FAIL
    assert outcome.observed == expected == 0.375
    assert outcome.details["duplicate_groups"] == 2
    assert outcome.details["duplicate_rows"] == duplicate_rows == 5
    assert outcome.details["distinct_values"] == len(groups) == 5
    # most repeated first
    assert outcome.details["duplicate_sample"] == [
        {"customer_id": 3, "occurrences": 3},
        {"customer_id": 2, "occurrences": 2},
    ]

    uniqueness = bench.run('Uniqueness "customer_id" = 0.375')
    assert (uniqueness.outcome, uniqueness.observed) == (Outcome.PASS, expected)
    assert uniqueness.details["duplicate_rows"] == 5
    assert bench.run('Uniqueness "customer_id" > 0.375').outcome is Outcome.FAIL


def test_nulls_are_not_duplicates_but_fail_a_primary_key(bench: RuleBench) -> None:
    unique = bench.run('IsUnique "sku"')  # one NULL sku, every other value once
    assert (unique.outcome, unique.observed) == (Outcome.PASS, 1.0)
    assert (unique.details["duplicate_groups"], unique.details["duplicate_rows"]) == (0, 0)
    assert "duplicate_sample" not in unique.details

    key = bench.run('IsPrimaryKey "sku"')
    assert key.outcome is Outcome.FAIL
    assert key.details["null_rows"] == 1
    assert key.details["duplicate_groups"] == 0
    assert "1 rows have a NULL in 'sku'" in key.message

    assert bench.run('IsPrimaryKey "sku" where "order_id != 8"').outcome is Outcome.PASS


def test_primary_key_that_holds(bench: RuleBench) -> None:
    outcome = bench.run('IsPrimaryKey "order_id"')
    assert (outcome.outcome, outcome.observed) == (Outcome.PASS, 1.0)
    assert outcome.details["null_rows"] == 0
    assert outcome.details["distinct_values"] == 10


def test_compound_keys(bench: RuleBench) -> None:
    groups = counts(["region", "code"])
    # rows 5 (us, NULL) and 6 (NULL, a) have one key present: grouped, each once. (Before
    # multi-column uniqueness followed Deequ and GX, any NULL left the row out: 8 rows.)
    assert sum(groups.values()) == 10
    duplicated = sorted(k for k, n in groups.items() if n > 1)
    assert duplicated == [("eu", "a"), ("eu", "b")]

    unique = bench.run('IsUnique "region" "code"')
    assert unique.outcome is Outcome.FAIL
    assert (unique.details["duplicate_groups"], unique.details["duplicate_rows"]) == (2, 4)
    assert unique.details["duplicate_sample"] == [
        {"region": "eu", "code": "a", "occurrences": 2},
        {"region": "eu", "code": "b", "occurrences": 2},
    ]
    assert unique.observed == (10 - 4) / 10

    key = bench.run('IsPrimaryKey "region" "code"')
    assert key.outcome is Outcome.FAIL
    assert key.details["null_rows"] == 2

    # with a third column every complete tuple is unique; rows 5 and 6 still break the primary key
    assert bench.run('IsUnique "region" "code" "order_id"').outcome is Outcome.PASS
    triple = bench.run('IsPrimaryKey "region" "code" "order_id"')
    assert (triple.outcome, triple.details["null_rows"], triple.details["duplicate_groups"]) == (
        Outcome.FAIL,
        2,
        0,
    )
    assert bench.run('Uniqueness "region" "code" = 0.6').outcome is Outcome.PASS


def test_where_narrows_the_rows_grouped(bench: RuleBench) -> None:
    scope = [r for r in ROWS if r["order_id"] <= 4]  # customers 1, 2, 2, 3
    groups = counts(["customer_id"], scope)
    expected = sum(n for n in groups.values() if n == 1) / sum(groups.values())
    assert expected == 0.5
    outcome = bench.run('Uniqueness "customer_id" > 0.5 where "order_id <= 4"')
    assert (outcome.outcome, outcome.observed) == (Outcome.FAIL, 0.5)
    assert outcome.details["duplicate_sample"] == [{"customer_id": 2, "occurrences": 2}]
    assert bench.run('IsUnique "customer_id" where "order_id != 3 and order_id < 6"').outcome is Outcome.FAIL
    assert bench.run('IsUnique "customer_id" where "order_id in (1, 2, 4, 7)"').outcome is Outcome.PASS


def test_unique_value_ratio(bench: RuleBench) -> None:
    groups = counts(["customer_id"])
    ratio = sum(1 for n in groups.values() if n == 1) / len(groups)  # 3 values seen once of 5
    assert ratio == 0.6
    outcome = bench.run('UniqueValueRatio "customer_id" between 0.5 and 0.7')
    assert (outcome.outcome, outcome.observed) == (Outcome.PASS, ratio)
    assert (
        bench.run('UniqueValueRatio "customer_id" between 0.6 and 0.7').outcome is Outcome.FAIL
    )  # exclusive
    assert bench.run('UniqueValueRatio "sku" = 1.0').outcome is Outcome.PASS
    scoped = bench.run(
        'UniqueValueRatio "region" = 0.0 where "order_id <= 4"'
    )  # eu, eu, us, eu: us seen once
    assert (scoped.outcome, scoped.observed) == (Outcome.FAIL, 0.5)


def _entropy(values: Sequence[object]) -> float:
    frequencies = np.array(list(Counter(v for v in values if v is not None).values()), dtype=float)
    p = frequencies / frequencies.sum()
    return float(-np.sum(p * np.log(p)))  # natural log


@pytest.mark.parametrize(
    ("column", "where", "scope"),
    [
        ("customer_id", None, ROWS),
        ("region", None, ROWS),
        ("sku", None, ROWS),  # all distinct: ln(9)
        ("code", "order_id > 3", [r for r in ROWS if r["order_id"] > 3]),
    ],
)
def test_entropy_uses_the_natural_log(bench: RuleBench, column: str, where: str | None, scope: list) -> None:
    expected = _entropy([r[column] for r in scope])
    clause = "" if where is None else f' where "{where}"'
    outcome = bench.run(f'Entropy "{column}" > {expected - 1e-9!r}{clause}')
    assert outcome.outcome is Outcome.PASS
    assert outcome.observed == pytest.approx(expected, rel=1e-12)
    assert bench.run(f'Entropy "{column}" > {expected + 1e-9!r}{clause}').outcome is Outcome.FAIL


def test_entropy_of_sku_is_ln_of_its_distinct_values(bench: RuleBench) -> None:
    assert bench.run('Entropy "sku" > 1').observed == pytest.approx(math.log(9), rel=1e-12)


def test_duplicate_sample_is_capped_but_the_counts_are_not() -> None:
    groups = FAILING_ROWS_SHOWN + 5
    # planted: values 0..24 appear twice, value 0 three times; 100..109 once
    values = [*range(groups), *range(groups), 0, *range(100, 110)]
    data = pa.table({"v": pa.array(values, pa.int64())})
    with RuleBench(data) as bench:
        outcome = bench.run('IsUnique "v"')
    assert outcome.details["duplicate_groups"] == groups
    assert outcome.details["duplicate_rows"] == 2 * groups + 1
    sample = outcome.details["duplicate_sample"]
    assert len(sample) == FAILING_ROWS_SHOWN
    assert sample[0] == {"v": 0, "occurrences": 3}
    assert sample[1:] == [{"v": v, "occurrences": 2} for v in range(1, FAILING_ROWS_SHOWN)]


def test_missing_key_column_raises(bench: RuleBench) -> None:
    with pytest.raises(RuleError, match="column 'nope' does not exist; the table has: order_id, customer_id"):
        bench.compile('IsUnique "customer_id" "nope"')


def test_grouped_rules_on_an_empty_table() -> None:
    empty = pa.table({"id": pa.array([], pa.int64())})  # planted: no rows at all
    with RuleBench(empty) as bench:
        outcomes = bench.run_all(
            ['IsUnique "id"', 'IsPrimaryKey "id"', 'Uniqueness "id" = 1.0', 'Entropy "id" = 0']
        )
    assert [o.outcome for o in outcomes.values()] == [Outcome.PASS] * 4
    assert outcomes['IsUnique "id"'].details["duplicate_groups"] == 0


def test_grouped_rules_when_every_key_is_null() -> None:
    nulls = pa.table({"id": pa.array([None, None], pa.int64())})  # planted: two NULL keys, nothing to group
    with RuleBench(nulls) as bench:
        outcomes = bench.run_all(['IsUnique "id"', 'IsPrimaryKey "id"'])
    assert outcomes['IsUnique "id"'].outcome is Outcome.PASS  # NULLs are not duplicates
    key = outcomes['IsPrimaryKey "id"']
    assert (key.outcome, key.details["null_rows"]) == (Outcome.FAIL, 2)


def test_multi_column_keys_group_nulls_and_leave_out_only_all_null_rows() -> None:
    """GX's example: on a = [NULL, NULL, 1], b = [1, 1, 2] the pair (NULL, 1) is there twice."""
    # planted: rows 1 and 2 repeat (NULL, 1); row 4 has no key at all and is left out
    keys = pa.table(
        {
            "a": pa.array([None, None, 1, None], pa.int64()),
            "b": pa.array([1, 1, 2, None], pa.int64()),
        }
    )
    with RuleBench(keys) as bench:
        outcomes = bench.run_all(
            [
                'IsUnique "a" "b"',
                'Uniqueness "a" "b" = 0.3333333333333333',
                'IsPrimaryKey "a" "b"',
                'UniqueValueRatio "a" "b" = 0.5',
                'IsUnique "a"',
            ]
        )
    unique = outcomes['IsUnique "a" "b"']
    assert unique.outcome is Outcome.FAIL
    assert (unique.details["duplicate_groups"], unique.details["duplicate_rows"]) == (1, 2)
    assert unique.details["duplicate_sample"] == [{"a": None, "b": 1, "occurrences": 2}]
    assert unique.details["distinct_values"] == 2  # (NULL, 1) and (1, 2); row 4 is not grouped
    assert outcomes['Uniqueness "a" "b" = 0.3333333333333333'].outcome is Outcome.PASS  # 1 of 3 rows
    key = outcomes['IsPrimaryKey "a" "b"']
    assert (key.outcome, key.details["null_rows"], key.details["duplicate_groups"]) == (Outcome.FAIL, 3, 1)
    assert outcomes['UniqueValueRatio "a" "b" = 0.5'].outcome is Outcome.PASS  # (1, 2) once of 2 values
    # one column: its NULLs are no value and never repeat; 1 is there once
    assert outcomes['IsUnique "a"'].outcome is Outcome.PASS
