"""The query cache's tables on a sqlite file and on a real PostgreSQL: load, save, bounded size."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from dq_checks.metrics import QueryBudget
from dq_checks.metrics.cached_runner import CachedResult, RunnerFacts
from dq_checks.metrics.typed_json import encode_rows
from dq_resources.results.query_cache import KEEP_SCANS_PER_TABLE, QueryCacheStore, ScanToKeep
from dq_resources.results.store import ResultsStore

BUDGET = QueryBudget(heavy=5, distinct=2, aggregates=500, extremes_apart=True)  # no field at its default
FACTS = RunnerFacts("duckdb", heavy_apart=True, budgets={20: BUDGET})
NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def cache(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[QueryCacheStore]:
    url = (
        f"sqlite:///{tmp_path / 'results.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_database")
    )
    store = ResultsStore.connect(url)
    try:
        yield QueryCacheStore(store.engine)
    finally:
        store.dispose()


def scan(table: str, key: str, run_id: str, results: dict[str, list[tuple[object, ...]]]) -> ScanToKeep:
    encoded = {query: encode_rows(rows) for query, rows in results.items()}
    return ScanToKeep(table, key, f"version-{key}", run_id, FACTS, encoded)


def test_a_saved_scan_loads_back_with_its_facts_and_typed_rows(cache: QueryCacheStore) -> None:
    rows: list[tuple[object, ...]] = [
        (20, Decimal("1.50"), date(2026, 1, 2), None),
        (0, Decimal("0"), None, 1.5),
    ]
    cache.save(scan("orders", "k1", "run-1", {"q1": rows, "q2": []}), NOON)
    loaded = cache.load("orders", "k1")
    assert loaded is not None
    assert loaded.data_version == "version-k1"
    assert loaded.facts == FACTS
    assert loaded.results == {"q1": CachedResult(rows, "run-1"), "q2": CachedResult([], "run-1")}
    assert cache.load("orders", "other key") is None
    assert cache.load("customers", "k1") is None


def test_a_later_run_adds_and_replaces_results_of_the_same_scan(cache: QueryCacheStore) -> None:
    cache.save(scan("orders", "k1", "run-1", {"q1": [(1,)], "q2": [(2,)]}), NOON)
    cache.save(scan("orders", "k1", "run-2", {"q2": [(22,)], "q3": [(3,)]}), NOON + timedelta(hours=1))
    loaded = cache.load("orders", "k1")
    assert loaded is not None
    assert loaded.results == {
        "q1": CachedResult([(1,)], "run-1"),
        "q2": CachedResult([(22,)], "run-2"),
        "q3": CachedResult([(3,)], "run-2"),
    }


def test_only_the_newest_scans_of_each_table_are_kept(cache: QueryCacheStore) -> None:
    keys = [f"k{i}" for i in range(KEEP_SCANS_PER_TABLE + 2)]
    for hour, key in enumerate(keys):
        cache.save(scan("orders", key, f"run-{key}", {"q": [(hour,)]}), NOON + timedelta(hours=hour))
    cache.save(scan("customers", "c1", "run-c1", {"q": [(0,)]}), NOON - timedelta(days=30))
    kept = [key for key in keys if cache.load("orders", key) is not None]
    assert kept == keys[-KEEP_SCANS_PER_TABLE:]
    assert cache.load("customers", "c1") is not None  # another table's scans are its own
    # Using an old scan again makes it the newest: the oldest other one goes.
    cache.save(scan("orders", keys[-KEEP_SCANS_PER_TABLE], "run-again", {}), NOON + timedelta(days=1))
    cache.save(scan("orders", "k-new", "run-new", {}), NOON + timedelta(days=2))
    kept = [key for key in [*keys, "k-new"] if cache.load("orders", key) is not None]
    assert kept == [keys[-KEEP_SCANS_PER_TABLE], keys[-1], "k-new"]
    with cache.engine.connect() as connection:
        (count,) = connection.exec_driver_sql("SELECT count(*) FROM dq_query_cache").one()
    assert count == 3  # the results of k2 and k4 (k-new has none), and customers' one


def test_facts_another_release_wrote_mean_no_reuse(cache: QueryCacheStore) -> None:
    cache.save(scan("orders", "k1", "run-1", {"q1": [(1,)]}), NOON)
    with cache.engine.begin() as connection:  # as a release whose budgets have a field this one lacks
        facts = '{"dialect": "duckdb", "heavy_apart": true, "budgets": {"20": {"heavy": 5, "novel": 1}}}'
        connection.exec_driver_sql(f"UPDATE dq_query_cache_scans SET runner_facts = '{facts}'")
    assert cache.load("orders", "k1") is None
