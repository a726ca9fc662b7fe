"""The caching runner over a real DuckDB engine: same SQL text, same answer, no engine query."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest
import sqlglot
from sqlglot import exp

from dq_checks.metrics import AggregateMetric, compute_aggregates
from dq_checks.metrics.cached_runner import CachedResult, CachingRunner, RunnerFacts, stamped, swap_relations
from dq_checks.metrics.reads_columns import reads_any_column
from dq_checks.metrics.sql import column, count_distinct, count_rows
from dq_checks.metrics.typed_json import decode_rows, encode_rows
from tests.runners import duckdb_over

TABLE = pa.table({"id": [1, 2, 2, 4], "email": ["a@x", "b@x", "b@x", None]})  # planted: id 2 twice
METRICS = [
    AggregateMetric(count_rows()),
    AggregateMetric(count_distinct(column("id")), heavy=True),
    AggregateMetric(exp.Min(this=column("email"))),
]


def never(_query: exp.Query) -> bool:
    return False


def always(_query: exp.Query) -> bool:
    return True


def test_a_second_run_answers_every_query_without_opening_the_engine() -> None:
    opened: list[str] = []

    def open_engine() -> object:
        opened.append("engine")
        return duckdb_over(TABLE, heavy_cells_per_query=1)  # one heavy metric per row: own queries

    with CachingRunner(open_engine, {}, None, [], always) as first:  # type: ignore[arg-type]
        values = compute_aggregates(first, METRICS, row_count_hint=4)
    assert opened == ["engine"]
    # The row count; MIN("email") apart (the engine answers it from statistics); the distinct count apart.
    assert first.engine_queries == 3
    assert first.facts is not None
    facts = RunnerFacts.from_dict(first.facts.to_dict())
    stored = stamped(first.fresh, "run-1")  # and through the codec, as the store keeps them
    known = {k: CachedResult(decode_rows(encode_rows(r.rows)), r.run_id) for k, r in stored.items()}

    with CachingRunner(open_engine, known, facts, [], always) as second:  # type: ignore[arg-type]
        again = compute_aggregates(second, METRICS, row_count_hint=4)
    assert opened == ["engine"]  # never opened again
    assert second.engine_queries == 0
    assert dict(second.reused_from) == {"run-1": 3}
    assert dict(again) == dict(values) == {m.key: v for m, v in zip(METRICS, [4, 3, "a@x"], strict=True)}


def test_an_engine_running_two_queries_at_once_is_replayed_with_the_same_batches() -> None:
    def open_engine() -> object:
        return duckdb_over(TABLE, threads=2)

    with CachingRunner(open_engine, {}, None, [], always) as first:  # type: ignore[arg-type]
        values = compute_aggregates(first, METRICS, row_count_hint=4)
    assert first.facts is not None
    assert (first.parallel_queries, first.facts.parallel) == (2, 2)
    facts = RunnerFacts.from_dict(first.facts.to_dict())
    assert facts.parallel == 2

    # The second run plans from the facts (two at a time, so the same split) and meets only
    # known SQL: nothing is opened, every result is reused.
    known = stamped(first.fresh, "run-1")
    with CachingRunner(lambda: pytest.fail("opened"), known, facts, [], always) as second:  # type: ignore[arg-type]
        again = compute_aggregates(second, METRICS, row_count_hint=4)
        assert not second.opened
    assert second.engine_queries == 0
    assert dict(second.reused_from) == {"run-1": first.engine_queries}
    assert dict(again) == dict(values)


def test_facts_kept_before_parallel_queries_replay_one_at_a_time() -> None:
    kept = {"dialect": "duckdb", "heavy_apart": True, "budgets": {"4": {"heavy": 1}}}

    assert RunnerFacts.from_dict(kept).parallel == 1


def test_a_query_not_kept_runs_again_on_the_engine() -> None:
    with CachingRunner(lambda: duckdb_over(TABLE), {}, None, [], never) as first:  # type: ignore[arg-type]
        compute_aggregates(first, METRICS, row_count_hint=4)
    assert first.fresh == {}
    assert first.facts is not None
    with CachingRunner(lambda: duckdb_over(TABLE), {}, first.facts, [], never) as second:  # type: ignore[arg-type]
        assert not second.opened  # the plan's facts come from the first run...
        compute_aggregates(second, METRICS, row_count_hint=4)
        assert second.opened  # ...the results from the engine
    assert second.engine_queries == first.engine_queries


def test_placeholders_are_swapped_for_the_engines_own_tables() -> None:
    connection = duckdb.connect()
    connection.execute("CREATE TABLE copy_of_orders AS SELECT * FROM range(5) t(id)")
    connection.execute("CREATE TABLE copy_of_refs AS SELECT * FROM range(3) t(id)")
    # A column qualified by the placeholder's name, and a reference aliased as the user wrote it.
    query = sqlglot.parse_one(
        'SELECT COUNT(*) FROM "primary" WHERE EXISTS (SELECT 1 FROM "dq_reference:refs" AS r '
        'WHERE r.id = "primary".id)',
        dialect="duckdb",
    )
    targets = {
        "primary": exp.table_(exp.to_identifier("copy_of_orders", quoted=True)),
        "dq_reference:refs": exp.table_(exp.to_identifier("copy_of_refs", quoted=True)),
    }
    swapped = swap_relations(query, targets).sql(dialect="duckdb")
    assert '"copy_of_orders" AS "primary"' in swapped and '"copy_of_refs" AS r ' in swapped
    assert connection.execute(swapped).fetchall() == [(3,)]  # ids 0, 1, 2 are in both


@pytest.mark.parametrize(
    ("sql", "reads_email"),
    [
        ("SELECT COUNT(*) FROM p", False),
        ('SELECT COUNT(DISTINCT "id") FROM p', False),
        ('SELECT MIN("email") FROM p', True),
        ("SELECT COUNT(*) FROM p WHERE \"EMAIL\" LIKE '%x'", True),  # any case
        ("SELECT * FROM p", True),
        ("SELECT p.* FROM p", True),
        ("SELECT min(COLUMNS(*)) FROM p", True),
        ("SELECT to_json(t) FROM p AS t", True),  # a whole row
        ("SELECT mystery FROM p", True),  # not a known column, not an alias: could be anything
        ('WITH c AS (SELECT "id" AS v, COUNT(*) AS n FROM p GROUP BY "id") SELECT v, n FROM c', False),
    ],
)
def test_which_queries_may_read_a_pii_column(sql: str, reads_email: bool) -> None:
    query = sqlglot.parse_one(sql, dialect="duckdb")
    assert reads_any_column(query, ["email"], ["id", "email"]) is reads_email


def test_nothing_is_private_without_pii_columns() -> None:
    assert reads_any_column(sqlglot.parse_one("SELECT * FROM p"), [], ["id"]) is False
