"""Metric plans: de-duplication, batching of heavy aggregates, and computing them with real DuckDB."""

from __future__ import annotations

import pyarrow as pa
import pytest
import sqlglot
from sqlglot import exp

from dq_checks.metrics import AggregateMetric, MetricValues, QueryBudget, compute_aggregates
from dq_checks.metrics.plan import batch_metrics, unique_metrics
from dq_checks.metrics.sql import (
    column,
    count_distinct,
    count_if,
    count_non_null,
    count_rows,
    number,
    quantiles,
)
from tests.runners import duckdb_over


def light(name: str) -> AggregateMetric:
    return AggregateMetric(count_non_null(column(name)))


def heavy(name: str) -> AggregateMetric:
    return AggregateMetric(count_distinct(column(name)), heavy=True)


# --- unique_metrics -------------------------------------------------------------------------


def test_metric_key_is_canonical_duckdb_sql():
    assert light("a").key == 'COUNT("a")'
    assert heavy("a").key == 'COUNT(DISTINCT "a")'
    assert AggregateMetric(count_rows()).key == "COUNT(*)"


def test_identical_expressions_dedupe_to_one_keeping_the_first():
    first = light("a")
    again = light("a")  # built separately, same SQL
    parsed = AggregateMetric(sqlglot.parse_one('count("a")', read="duckdb"))  # written by hand, same SQL
    other = light("b")

    assert first is not again
    assert first.key == again.key == parsed.key

    unique = unique_metrics([first, other, again, parsed, light("b")])

    assert unique == [first, other]
    assert unique[0] is first
    assert unique[1] is other


def test_different_expressions_are_all_kept_in_order():
    metrics = [light("c"), light("a"), heavy("a"), AggregateMetric(count_rows()), light("b")]

    assert unique_metrics(metrics) == metrics
    assert unique_metrics([]) == []


def test_quoting_distinguishes_columns_that_differ_only_in_case():
    assert len(unique_metrics([light("Amount"), light("amount")])) == 2


# --- batch_metrics --------------------------------------------------------------------------


def test_light_metrics_all_in_the_first_batch_with_the_first_heavy_ones():
    lights = [light(f"l{i}") for i in range(4)]
    heavies = [heavy(f"h{i}") for i in range(5)]
    h0, h1, h2, h3, h4 = heavies
    mixed = [h0, lights[0], lights[1], h1, h2, lights[2], h3, lights[3], h4]

    batches = batch_metrics(mixed, budget=2)

    assert batches == [
        [*lights, heavies[0], heavies[1]],
        [heavies[2], heavies[3]],
        [heavies[4]],
    ]


@pytest.mark.parametrize(
    ("per_query", "sizes"), [(1, [1, 1, 1, 1, 1, 1, 1]), (3, [3, 3, 1]), (7, [7]), (100, [7])]
)
def test_heavy_metrics_spread_heavy_per_query(per_query, sizes):
    heavies = [heavy(f"h{i}") for i in range(7)]

    batches = batch_metrics(heavies, budget=per_query)

    assert [len(b) for b in batches] == sizes
    assert [m for b in batches for m in b] == heavies


def test_heavy_per_query_below_one_means_one():
    heavies = [heavy("x"), heavy("y")]

    assert batch_metrics(heavies, budget=0) == [[heavies[0]], [heavies[1]]]
    assert batch_metrics(heavies, budget=-3) == [[heavies[0]], [heavies[1]]]


def test_heavy_apart_keeps_the_light_batch_to_itself():
    lights = [light(f"l{i}") for i in range(3)]
    heavies = [heavy(f"h{i}") for i in range(5)]
    mixed = [heavies[0], lights[0], heavies[1], lights[1], heavies[2], heavies[3], lights[2], heavies[4]]

    batches = batch_metrics(mixed, budget=2, heavy_apart=True)

    assert batches == [lights, heavies[0:2], heavies[2:4], heavies[4:]]
    assert batch_metrics(lights, budget=2, heavy_apart=True) == [lights]
    assert batch_metrics(heavies[:2], budget=2, heavy_apart=True) == [heavies[:2]]


def test_only_light_metrics_is_one_batch():
    lights = [light(f"l{i}") for i in range(30)]

    assert batch_metrics(lights, budget=1) == [lights]


def test_no_metrics_no_batches():
    assert batch_metrics([], budget=4) == []


# --- budgets by width: aggregates and distinct counts per query -----------------------------


def quartiles(name: str) -> AggregateMetric:
    return AggregateMetric(quantiles(column(name), (0.25, 0.5, 0.75)), heavy=True)


def test_a_distinct_count_is_recognised_from_its_sql_wherever_it_sits():
    inside_case = exp.Case(ifs=[exp.If(this=exp.true(), true=count_distinct(column("a")))])
    assert heavy("a").counts_distinct
    assert AggregateMetric(inside_case, heavy=True).counts_distinct
    assert not quartiles("a").counts_distinct
    assert not light("a").counts_distinct


def test_distinct_counts_go_at_most_budget_distinct_to_a_query():
    # Per column a distinct count and quartiles, as the profile asks: 5 columns, 10 heavy metrics.
    metrics = [m for name in "abcde" for m in (heavy(name), quartiles(name))]

    batches = batch_metrics(metrics, QueryBudget(heavy=10, distinct=2), heavy_apart=True)

    # Each query closes before a third distinct count; the quartiles ride along.
    assert [[m.key for m in batch] for batch in batches] == [
        [m.key for m in metrics[0:4]],
        [m.key for m in metrics[4:8]],
        [m.key for m in metrics[8:10]],
    ]
    assert all(sum(m.counts_distinct for m in batch) <= 2 for batch in batches)


def test_no_query_carries_more_than_budget_aggregates():
    lights = [light(f"l{i}") for i in range(25)]
    heavies = [quartiles(f"h{i}") for i in range(7)]

    batches = batch_metrics([*lights, *heavies], QueryBudget(heavy=100, aggregates=10))

    assert [len(batch) for batch in batches] == [10, 10, 5, 7]
    assert [m for batch in batches for m in batch] == [*lights, *heavies]


def test_the_first_heavy_batch_rides_in_the_light_query_only_when_both_fit():
    lights = [light(f"l{i}") for i in range(8)]
    heavies = [quartiles(f"h{i}") for i in range(4)]

    assert batch_metrics([*lights, *heavies], QueryBudget(heavy=4, aggregates=12)) == [[*lights, *heavies]]
    assert batch_metrics([*lights, *heavies], QueryBudget(heavy=4, aggregates=10)) == [lights, heavies]


def minimum(col: exp.Expression) -> exp.Expression:
    return exp.Min(this=col)


def zeros(name: str) -> AggregateMetric:
    return AggregateMetric(count_if(exp.EQ(this=column(name), expression=number(0))))


def test_an_engine_running_two_queries_at_once_gets_each_pass_in_two_split_between_columns():
    lights = [m for name in "abcd" for m in (light(name), zeros(name))]
    heavies = [m for name in "abcd" for m in (heavy(name), quartiles(name))]

    batches = batch_metrics([*lights, *heavies], QueryBudget(heavy=100, parallel=2), heavy_apart=True)

    # One query alone would take all 8 light metrics, and all 8 heavy ones; two at a time take
    # half each, and no column's metrics are split between queries.
    assert batches == [lights[:4], lights[4:], heavies[:4], heavies[4:]]
    assert batch_metrics([*lights, *heavies], QueryBudget(heavy=100), heavy_apart=True) == [lights, heavies]


def test_heavy_queries_are_filled_evenly():
    # 6 columns' distinct counts, at most 5 to a query: 3 and 3 end together, where 5 and 1 would
    # keep one query waiting on the other; 4 fit in one query, and go 2 and 2 when two run at once.
    heavies = [heavy(name) for name in "abcdef"]

    assert batch_metrics(heavies, QueryBudget(heavy=100, distinct=5), heavy_apart=True) == [
        heavies[:3],
        heavies[3:],
    ]
    assert batch_metrics(heavies[:4], QueryBudget(heavy=100, distinct=5), heavy_apart=True) == [heavies[:4]]
    assert batch_metrics(heavies[:4], QueryBudget(heavy=100, distinct=5, parallel=2), heavy_apart=True) == [
        heavies[:2],
        heavies[2:4],
    ]


def test_a_pass_over_one_column_is_not_split():
    metrics = [light("a"), zeros("a")]

    assert batch_metrics(metrics, QueryBudget(heavy=100, parallel=2)) == [metrics]


def test_two_queries_at_once_compute_the_same_values_as_one_at_a_time(shop):
    metrics = list(shop_metrics().values())

    with duckdb_over(shop) as runner:
        alone = compute_aggregates(runner, metrics, row_count_hint=ROWS)
    with duckdb_over(shop, threads=2) as runner:
        together = compute_aggregates(runner, metrics, row_count_hint=ROWS)

    assert dict(together) == dict(alone)
    assert together.query_count > alone.query_count


def test_a_wide_table_is_computed_exactly_over_many_queries():
    # 150 columns, column c{i} holds i, i + 1, ..., i + 29 with a NULL on every 3rd row from row i % 3.
    rows = 30
    table = pa.table(
        {f"c{i}": pa.array([None if (r + i) % 3 == 0 else i + r for r in range(rows)]) for i in range(150)}
    )
    metrics = {
        name: (light(name), heavy(name), AggregateMetric(exp.Max(this=column(name))))
        for name in table.column_names
    }

    with duckdb_over(table) as runner:
        values = compute_aggregates(
            runner, [m for trio in metrics.values() for m in trio], row_count_hint=rows
        )

    assert values.query_count > 1
    for i, (present, distinct, largest) in enumerate(metrics.values()):
        kept = [i + r for r in range(rows) if (r + i) % 3 != 0]
        assert (values[present], values[distinct], values[largest]) == (20, 20, max(kept))


# --- compute_aggregates against DuckDB ------------------------------------------------------

ROWS = 1000


@pytest.fixture
def shop() -> pa.Table:
    # Planted: amount is NULL on every 10th row and 0 on every 7th; code has 10 distinct values.
    amounts = [None if i % 10 == 0 else float(0 if i % 7 == 0 else i) for i in range(ROWS)]
    codes = [f"c{i % 10}" for i in range(ROWS)]
    return pa.table({"amount": pa.array(amounts, pa.float64()), "code": pa.array(codes, pa.string())})


def expected_values(shop):
    amounts = [a for a in shop.column("amount").to_pylist() if a is not None]
    return {
        "rows": ROWS,
        "non_null": len(amounts),
        "zeros": sum(1 for a in amounts if a == 0),
        "distinct_amount": len(set(amounts)),
        "distinct_code": 10,
    }


def shop_metrics():
    return {
        "rows": AggregateMetric(count_rows()),
        "non_null": AggregateMetric(count_non_null(column("amount"))),
        "zeros": AggregateMetric(count_if(exp.EQ(this=column("amount"), expression=number(0)))),
        "distinct_amount": AggregateMetric(count_distinct(column("amount")), heavy=True),
        "distinct_code": AggregateMetric(count_distinct(column("code")), heavy=True),
        "median": AggregateMetric(quantiles(column("amount"), (0.5,)), heavy=True),
    }


def test_compute_aggregates_in_one_query_with_duplicates(shop):
    metrics = shop_metrics()
    duplicate = AggregateMetric(count_non_null(column("amount")))

    with duckdb_over(shop) as runner:
        requested = [*metrics.values(), duplicate, light("amount")]
        values = compute_aggregates(runner, requested, row_count_hint=ROWS)

    assert isinstance(values, MetricValues)
    assert values.query_count == 2  # the light metrics, then the heavy ones apart
    assert len(values) == len(metrics)  # the two duplicates were computed once
    assert {name: values[metrics[name]] for name in expected_values(shop)} == expected_values(shop)
    non_null = expected_values(shop)["non_null"]
    assert values[duplicate] == values['COUNT("amount")'] == non_null
    amounts = sorted(a for a in shop.column("amount").to_pylist() if a is not None)
    middle = len(amounts) // 2
    assert values[metrics["median"]] == [(amounts[middle - 1] + amounts[middle]) / 2]
    assert set(values) == {m.key for m in metrics.values()}


def test_compute_aggregates_spreads_heavy_metrics(shop):
    metrics = shop_metrics()

    # 2 heavy aggregates per query: budget of 2 x rows cells.
    with duckdb_over(shop, heavy_cells_per_query=2 * ROWS) as runner:
        assert runner.heavy_metrics_per_query(ROWS) == 2
        values = compute_aggregates(runner, metrics.values(), row_count_hint=ROWS)

    assert values.query_count == 3  # 3 light, 2 heavy, then the third heavy
    assert {name: values[metrics[name]] for name in expected_values(shop)} == expected_values(shop)

    with duckdb_over(shop, heavy_cells_per_query=1) as runner:
        one_each = compute_aggregates(runner, metrics.values(), row_count_hint=ROWS)

    assert one_each.query_count == 4
    assert dict(one_each) == dict(values)


def test_compute_aggregates_uses_the_larger_of_hint_and_loaded_rows(shop):
    metrics = list(shop_metrics().values())

    with duckdb_over(shop, heavy_cells_per_query=3 * ROWS) as runner:
        # The hint is smaller than the table: the loaded row count decides (3 per query).
        assert compute_aggregates(runner, metrics, row_count_hint=10).query_count == 1 + 1
        # A larger hint shrinks the budget to 1 per query.
        assert compute_aggregates(runner, metrics, row_count_hint=3 * ROWS).query_count == 1 + 3


def test_compute_aggregates_with_where(shop):
    metrics = shop_metrics()
    only_c3 = exp.EQ(this=column("code"), expression=exp.Literal.string("c3"))

    with duckdb_over(shop) as runner:
        values = compute_aggregates(runner, metrics.values(), row_count_hint=ROWS, where=only_c3)

    pairs = zip(shop.column("amount").to_pylist(), shop.column("code").to_pylist(), strict=True)
    rows = [a for a, c in pairs if c == "c3"]
    present = [a for a in rows if a is not None]
    assert values[metrics["rows"]] == len(rows) == 100
    assert values[metrics["non_null"]] == len(present)
    assert values[metrics["zeros"]] == sum(1 for a in present if a == 0)
    assert values[metrics["distinct_code"]] == 1


def test_compute_aggregates_with_no_metrics_runs_no_query(shop):
    with duckdb_over(shop) as runner:
        values = compute_aggregates(runner, [], row_count_hint=ROWS)

    assert values.query_count == 0
    assert len(values) == 0


def test_columns_read_only_for_extremes_get_queries_apart_when_the_engine_asks():
    def parsed(sql: str) -> AggregateMetric:
        return AggregateMetric(sqlglot.parse_one(sql, read="duckdb"))

    # "name" and "day" are read only by COUNT, MIN and MAX: a query of their own, which DuckDB
    # answers from statistics (two at once: a query each). "amount" is also averaged, so its
    # extremes stay in the light query that reads it.
    metrics = [
        parsed("COUNT(*)"),
        parsed('COUNT("name")'),
        parsed('MIN("name")'),
        parsed('MAX("name")'),
        parsed('MIN("amount")'),
        parsed('AVG("amount")'),
        parsed('MAX("day")'),
        parsed('COUNT_IF("amount" > 0)'),
    ]

    apart = batch_metrics(metrics, QueryBudget(heavy=1, extremes_apart=True), heavy_apart=True)
    together = batch_metrics(metrics, QueryBudget(heavy=1), heavy_apart=True)

    def sql(batches: list[list[AggregateMetric]]) -> list[list[str]]:
        return [[m.key for m in batch] for batch in batches]

    light = ["COUNT(*)", 'MIN("amount")', 'AVG("amount")', 'COUNT_IF("amount" > 0)']
    assert sql(apart) == [light, ['COUNT("name")', 'MIN("name")', 'MAX("name")', 'MAX("day")']]
    two_at_once = batch_metrics(
        metrics, QueryBudget(heavy=1, extremes_apart=True, parallel=2), heavy_apart=True
    )
    assert sql(two_at_once) == [
        ["COUNT(*)"],
        light[1:],
        ['COUNT("name")', 'MIN("name")', 'MAX("name")'],
        ['MAX("day")'],
    ]
    assert sql(together) == [[m.key for m in metrics]]


def test_a_wide_table_s_extremes_go_a_few_dozen_columns_to_a_query():
    extremes = [AggregateMetric(f(column(f"t{i}"))) for i in range(60) for f in (count_non_null, minimum)]

    batches = batch_metrics(extremes, QueryBudget(heavy=1, extremes_apart=True), heavy_apart=True)

    # 60 columns: 25, 25 and 10 to a query, each column's aggregates together.
    assert [len(batch) for batch in batches] == [50, 50, 20]
    assert [m for batch in batches for m in batch] == extremes
