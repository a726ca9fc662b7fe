"""Aggregate rules against numpy/Python oracles: RowCount, ColumnCount, ColumnExists,
ColumnNamesMatchPattern, Completeness, IsComplete, DistinctValuesCount, Mean, Sum,
StandardDeviation, Variance and ColumnCorrelation. Aggregates ignore NULLs (docs/dqdl.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest

from dq_checks.results.model import Outcome
from dq_checks.rules.model import RuleError, RuleOutcome
from tests.dq_checks.rule_harness import RuleBench

N = 200
rng = np.random.default_rng(7)
IDS = np.arange(N)
AMOUNT = rng.normal(100.0, 15.0, N).round(2)
AMOUNT_NULL = (IDS % 20 == 3) & (IDS < 100)  # planted: 5 NULL amounts, all among ids < 100
QTY = rng.integers(0, 25, N)
QTY_NULL = IDS % 40 == 0  # planted: 5 NULL quantities
HEIGHT = rng.normal(170.0, 10.0, N)
WEIGHT = 0.5 * HEIGHT + rng.normal(0.0, 4.0, N)  # correlated with height, not perfectly
HEIGHT_NULL = IDS % 17 == 0  # planted: NULLs in one column only drop the pair
WEIGHT_NULL = IDS % 23 == 5
STATES = np.array(["CA", "NY", "TX", "WA", "OR", "NV", "AZ"])
STATE = STATES[rng.integers(0, len(STATES), N)]
STATE_NULL = IDS % 50 == 7  # planted: 4 NULL states
SEGMENT = np.where(IDS % 3 == 0, "retail", "wholesale")
UNIT_PRICE = [Decimal(f"{v:.2f}") for v in rng.uniform(1, 50, N)]


def _masked(values: np.ndarray, mask: np.ndarray) -> list[object]:
    return [None if m else v.item() for v, m in zip(values, mask, strict=True)]


def table() -> pa.Table:
    return pa.table(
        {
            "id": pa.array(IDS, pa.int64()),
            "amount": pa.array(_masked(AMOUNT, AMOUNT_NULL), pa.float64()),
            "qty": pa.array(_masked(QTY, QTY_NULL), pa.int64()),
            "height": pa.array(_masked(HEIGHT, HEIGHT_NULL), pa.float64()),
            "weight": pa.array(_masked(WEIGHT, WEIGHT_NULL), pa.float64()),
            "state": pa.array(_masked(STATE, STATE_NULL), pa.string()),
            "segment": pa.array(SEGMENT, pa.string()),
            "unit_price": pa.array(UNIT_PRICE, pa.decimal128(10, 2)),
        }
    )


@pytest.fixture(scope="module")
def bench() -> Iterator[RuleBench]:
    with RuleBench(table(), key=("id",)) as opened:
        yield opened


def _num(value: float) -> str:
    """A float as a DQDL number literal (DQDL writes negatives with a unary minus)."""
    return repr(float(value))


def assert_observed(
    bench: RuleBench, rule_head: str, expected: float, *, where: str | None = None, rel: float = 1e-9
) -> None:
    """The rule observes `expected`; a condition just below it passes and one just above fails."""
    margin = max(abs(expected) * 1e-6, 1e-9)
    clause = "" if where is None else f' where "{where}"'
    low, high = (f"{rule_head} > {_num(expected + m)}{clause}" for m in (-margin, margin))
    outcomes = bench.run_all([low, high])  # one shared scan, as a ruleset's rules get
    below, above = outcomes[low], outcomes[high]
    assert below.observed == pytest.approx(expected, rel=rel)
    assert below.outcome is Outcome.PASS, below.message
    assert above.outcome is Outcome.FAIL, above.message


# --- RowCount ---------------------------------------------------------------------------------


ROW_COUNT_CASES = [
    ("RowCount = 200", Outcome.PASS),
    ("RowCount > 199", Outcome.PASS),
    ("RowCount between 200 and 300", Outcome.FAIL),  # exclusive: 200 is on the bound
    ("RowCount between 199 and 201", Outcome.PASS),
    ("RowCount not between 200 and 300", Outcome.PASS),
    ("RowCount in [100, 200]", Outcome.PASS),
    ("RowCount not in [100, 200]", Outcome.FAIL),
    ("RowCount != 200", Outcome.FAIL),
    ("RowCount <= 2 * 100", Outcome.PASS),
]

COLUMN_CASES = [
    ("ColumnCount = 8", Outcome.PASS, 8.0),
    ("ColumnCount > 8", Outcome.FAIL, 8.0),
    ('ColumnExists "amount"', Outcome.PASS, 1.0),
    ('ColumnExists "Amount"', Outcome.FAIL, 0.0),  # names are case-sensitive
    ('ColumnNamesMatchPattern "[a-z_]+"', Outcome.PASS, 1.0),
    ('ColumnNamesMatchPattern "^[a-z]+$"', Outcome.FAIL, 7 / 8),  # unit_price has an underscore
    ('ColumnNamesMatchPattern "[a-z]+"', Outcome.FAIL, 7 / 8),  # the whole name must match
    ('ColumnNamesMatchPattern "[a-z]"', Outcome.FAIL, 0.0),  # a one-letter match is not enough
]


@pytest.fixture(scope="module")
def outcomes(bench: RuleBench) -> dict[str, RuleOutcome]:
    """The listed table-level cases, evaluated together from one shared scan."""
    return bench.run_all([case[0] for case in [*ROW_COUNT_CASES, *COLUMN_CASES]])


@pytest.mark.parametrize(("rule", "expected"), ROW_COUNT_CASES)
def test_row_count(outcomes: dict[str, RuleOutcome], rule: str, expected: Outcome) -> None:
    outcome = outcomes[rule]
    assert (outcome.outcome, outcome.observed) == (expected, 200.0)


def test_row_count_with_where(bench: RuleBench) -> None:
    retail = int(np.sum(SEGMENT == "retail"))
    big = int(np.sum(~AMOUNT_NULL & (AMOUNT > 100)))  # NULL > 100 is not true: not counted
    assert bench.run(f"RowCount = {retail} where \"segment = 'retail'\"").outcome is Outcome.PASS
    outcome = bench.run(f'RowCount = {big} where "amount > 100"')
    assert (outcome.outcome, outcome.observed) == (Outcome.PASS, float(big))
    assert bench.run(f'RowCount > {big} where "amount > 100"').outcome is Outcome.FAIL


# --- columns ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "outcome", "observed"), COLUMN_CASES)
def test_column_rules(outcomes: dict[str, RuleOutcome], rule: str, outcome: Outcome, observed: float) -> None:
    result = outcomes[rule]
    assert (result.outcome, result.observed) == (outcome, observed)


def test_column_names_that_do_not_match_are_named(outcomes: dict[str, RuleOutcome]) -> None:
    assert "not matching: unit_price" in outcomes['ColumnNamesMatchPattern "[a-z]+"'].message


# --- Completeness -------------------------------------------------------------------------------


def test_completeness(bench: RuleBench) -> None:
    nulls = int(AMOUNT_NULL.sum())
    share = 1 - nulls / N
    assert (nulls, share) == (5, 0.975)
    assert_observed(bench, 'Completeness "amount"', share)
    rules = [
        'Completeness "amount" = 0.975',
        'Completeness "amount" between 0.9 and 0.975',  # exclusive: 0.975 is on the bound
        'Completeness "id" = 1.0',
    ]
    equal, between, complete = (bench.run_all(rules)[r] for r in rules)
    assert (equal.outcome, between.outcome, complete.outcome) == (Outcome.PASS, Outcome.FAIL, Outcome.PASS)
    assert (equal.details["evaluated_count"], equal.details["failed_count"]) == (N, nulls)
    assert (complete.observed, complete.details["failed_count"]) == (1.0, 0)


def test_completeness_with_where(bench: RuleBench) -> None:
    low = IDS < 100
    share = 1 - (AMOUNT_NULL & low).sum() / low.sum()
    assert share == 0.95
    assert_observed(bench, 'Completeness "amount"', share, where="id < 100")
    outcome = bench.run('Completeness "amount" >= 0.95 where "id < 100"')
    assert (outcome.details["evaluated_count"], outcome.details["failed_count"]) == (100, 5)
    retail = SEGMENT == "retail"
    assert_observed(
        bench,
        'Completeness "state"',
        1 - (STATE_NULL & retail).sum() / retail.sum(),
        where="segment = 'retail'",
    )


def test_is_complete(bench: RuleBench) -> None:
    rules = [
        'IsComplete "id"',
        'IsComplete "amount"',
        # every NULL amount has an id below 100: the rows the filter keeps are complete
        'IsComplete "amount" where "id >= 100"',
        'IsComplete "amount" where "id < 100"',
    ]
    complete, gappy, late, early = (bench.run_all(rules)[r] for r in rules)
    assert (complete.outcome, complete.observed) == (Outcome.PASS, 1.0)
    assert (gappy.outcome, gappy.observed) == (Outcome.FAIL, 0.975)
    assert (gappy.details["evaluated_count"], gappy.details["failed_count"]) == (N, 5)
    assert (late.outcome, late.observed, late.details["evaluated_count"]) == (Outcome.PASS, 1.0, 100)
    assert (early.outcome, early.observed, early.details["failed_count"]) == (Outcome.FAIL, 0.95, 5)


# --- DistinctValuesCount ------------------------------------------------------------------------


def test_distinct_values_of_a_string_column_come_from_the_profile(bench: RuleBench) -> None:
    distinct = len({s for s, m in zip(STATE, STATE_NULL, strict=True) if not m})  # NULL is not a value
    assert distinct == 7
    assert bench.compile('DistinctValuesCount "state" = 7').metrics == ()  # no metric of its own
    outcome = bench.run('DistinctValuesCount "state" = 7')
    assert (outcome.outcome, outcome.observed) == (Outcome.PASS, 7.0)
    assert bench.run('DistinctValuesCount "state" > 7').outcome is Outcome.FAIL


def test_distinct_values_of_a_numeric_column_are_a_metric(bench: RuleBench) -> None:
    distinct = len({int(q) for q, m in zip(QTY, QTY_NULL, strict=True) if not m})
    assert len(bench.compile(f'DistinctValuesCount "qty" = {distinct}').metrics) == 1
    outcome = bench.run(f'DistinctValuesCount "qty" = {distinct}')
    assert (outcome.outcome, outcome.observed) == (Outcome.PASS, float(distinct))


def test_distinct_values_with_where(bench: RuleBench) -> None:
    low = IDS < 10
    states = {s for s, m, keep in zip(STATE, STATE_NULL, low, strict=True) if keep and not m}
    outcome = bench.run(f'DistinctValuesCount "state" = {len(states)} where "id < 10"')
    assert (outcome.outcome, outcome.observed) == (Outcome.PASS, float(len(states)))
    quantities = {int(q) for q, m, keep in zip(QTY, QTY_NULL, low, strict=True) if keep and not m}
    numeric = bench.run(f'DistinctValuesCount "qty" = {len(quantities)} where "id < 10"')
    assert (numeric.outcome, numeric.observed) == (Outcome.PASS, float(len(quantities)))


# --- statistics ---------------------------------------------------------------------------------

PRESENT_AMOUNT = AMOUNT[~AMOUNT_NULL]


@pytest.mark.parametrize(
    ("rule_type", "oracle"),
    [
        ("Mean", lambda v: float(np.mean(v))),
        ("Sum", lambda v: float(np.sum(v))),
        # Population statistics (ddof=0), as AWS defines them.
        ("StandardDeviation", lambda v: float(np.std(v, ddof=0))),
        ("Variance", lambda v: float(np.var(v, ddof=0))),
    ],
)
def test_statistics_ignore_nulls(bench: RuleBench, rule_type: str, oracle: object) -> None:
    assert callable(oracle)
    assert_observed(bench, f'{rule_type} "amount"', oracle(PRESENT_AMOUNT))
    quantities = QTY[~QTY_NULL].astype(float)
    assert_observed(bench, f'{rule_type} "qty"', oracle(quantities))
    retail = AMOUNT[~AMOUNT_NULL & (SEGMENT == "retail")]
    assert_observed(bench, f'{rule_type} "amount"', oracle(retail), where="segment = 'retail'")


def test_sum_of_a_decimal_column(bench: RuleBench) -> None:
    exact = float(sum(UNIT_PRICE))
    assert_observed(bench, 'Sum "unit_price"', exact)


def test_statistics_with_no_rows_in_scope_fail_without_a_value(bench: RuleBench) -> None:
    outcome = bench.run('Mean "amount" > 0 where "id < 0"')
    assert (outcome.outcome, outcome.observed) == (Outcome.FAIL, None)
    assert "no value" in outcome.message


def test_nan_and_infinity_are_left_out_of_statistics() -> None:
    values = [1.0, 2.0, 3.0, math.nan, math.inf, None]  # planted: NaN, +inf and NULL
    data = pa.table({"x": pa.array(values, pa.float64())})
    with RuleBench(data) as bench:
        assert bench.run('Mean "x" = 2.0').outcome is Outcome.PASS
        assert bench.run('Sum "x" = 6.0').outcome is Outcome.PASS
        # 1, 2, 3: the population deviation is sqrt(2/3)
        assert bench.run(f'StandardDeviation "x" = {math.sqrt(2 / 3)!r}').outcome is Outcome.PASS


def test_standard_deviation_is_aws_worked_example() -> None:
    """AWS's StandardDeviation page: units1 (0, NULL, 20, NULL, 40) is 16.33; units2 (0, 0, 20, 0, 40), 16."""
    data = pa.table(
        {
            "id": pa.array([100, 101, 102, 103, 104], pa.int64()),
            "units1": pa.array([0, None, 20, None, 40], pa.int64()),  # NULLs left out: 0, 20, 40
            "units2": pa.array([0, 0, 20, 0, 40], pa.int64()),
        }
    )
    with RuleBench(data) as bench:
        units1 = bench.run('StandardDeviation "units1" between 16.32 and 16.34')
        units2 = bench.run('StandardDeviation "units2" = 16')
        variance = bench.run('Variance "units2" = 256')
    assert (units1.outcome, units1.observed) == (Outcome.PASS, pytest.approx(16.3299316, rel=1e-7))
    assert (units2.outcome, units2.observed) == (Outcome.PASS, 16.0)
    assert (variance.outcome, variance.observed) == (Outcome.PASS, 256.0)


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "trino", "athena", "redshift", "snowflake"])
def test_standard_deviation_and_variance_compile_to_each_dialects_population_function(dialect: str) -> None:
    from sqlglot import exp

    from dq_checks.rules.types.aggregates.engine import _STATISTICS

    value = exp.column("x")
    stddev = _STATISTICS["StandardDeviation"](value).sql(dialect)
    variance = _STATISTICS["Variance"](value).sql(dialect)
    assert stddev == "STDDEV_POP(x)"
    assert variance == ("VARIANCE_POP(x)" if dialect == "snowflake" else "VAR_POP(x)")


def test_column_correlation(bench: RuleBench) -> None:
    pairs = ~HEIGHT_NULL & ~WEIGHT_NULL  # a row counts only when both values are present
    expected = float(np.corrcoef(HEIGHT[pairs], WEIGHT[pairs])[0, 1])
    assert 0.5 < expected < 0.95
    assert_observed(bench, 'ColumnCorrelation "height" "weight"', expected, rel=1e-9)
    assert bench.run('ColumnCorrelation "height" "weight" between 0.5 and 1').outcome is Outcome.PASS

    retail = pairs & (SEGMENT == "retail")
    expected_retail = float(np.corrcoef(HEIGHT[retail], WEIGHT[retail])[0, 1])
    assert_observed(bench, 'ColumnCorrelation "height" "weight"', expected_retail, where="segment = 'retail'")


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ('Mean "state" > 1', "Mean needs a numeric column; 'state' is string"),
        ('Sum "segment" > 1', "Sum needs a numeric column; 'segment' is string"),
        ('StandardDeviation "state" > 1', "StandardDeviation needs a numeric column; 'state' is string"),
        (
            'ColumnCorrelation "height" "state" > 0.5',
            "ColumnCorrelation needs a numeric column; 'state' is string",
        ),
        ('Completeness "nope" > 0.5', "column 'nope' does not exist; the table has: id, amount, qty, height"),
        ('Mean "nope" > 0.5', "column 'nope' does not exist; the table has: id, amount"),
        ('DistinctValuesCount "nope" > 0', "column 'nope' does not exist"),
        ('RowCount > 0 where "ghost = 1"', "column 'ghost' does not exist; the table has: id, amount"),
        ('RowCount > 0 where "(select 1) = 1"', "must be a condition on columns, not a query"),
    ],
)
def test_rules_that_do_not_fit_the_table_raise(bench: RuleBench, rule: str, message: str) -> None:
    with pytest.raises(RuleError) as raised:
        bench.compile(rule)
    assert message in str(raised.value)
