"""Where the local DuckDB keeps its copy: in memory when it fits, in a temporary file when not.

The placement is an engine detail a user never sees, except in speed and memory: both places
must give exactly the same answers, keep every row and stay sealed.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot

from dq_checks.config.models import AnomalySettings, FileSourceSpec, IcebergSourceSpec
from dq_checks.metrics import QueryBudget
from dq_checks.profile.profiler import profile_table
from dq_resources.engines import LocalDuckDB, LocalScanSettings
from dq_resources.engines.local_duckdb import DATABASE_FILE
from dq_resources.engines.memory_plan import (
    AGGREGATES_PER_QUERY,
    auto_memory_limit,
    distinct_per_query,
    resolved_limit,
    row_group_rows,
    size_bytes,
)
from dq_resources.engines.statement_limit import StatementTimedOut
from dq_resources.files import FileSourceResource
from dq_resources.files.arrow_types import arrow_columns
from dq_resources.iceberg import IcebergCatalogResource
from dq_resources.iceberg.catalogs import load_named_catalog

ROWS = 400_000
BATCH_ROWS = 65_536
# 4 int64/double columns, a short string and a 120-character note (3 values, so its distinct
# count is cheap): about 165 bytes a row, 66 MB in all. Under a 64MB limit the in-memory budget
# is 32 MB, so this table goes to a file; under 256MB it stays in memory.
SMALL_LIMIT = "64MB"


def planted_table() -> pa.Table:
    """Deterministic data with planted facts: 7 NULL scores, ids unique, 3 statuses in known shares."""
    rng = np.random.default_rng(20261130)
    score = rng.normal(50.0, 10.0, ROWS)
    nulls = np.zeros(ROWS, dtype=bool)
    nulls[[0, 1, 2, 1000, 50_000, 200_000, ROWS - 1]] = True  # planted: exactly 7 NULL scores
    status = np.array(["new", "paid", "shipped"])[np.arange(ROWS) % 4 % 3]  # new 1/2, paid 1/4, shipped 1/4
    note = np.array([kind * 40 for kind in ("abc", "def", "ghi")])[np.arange(ROWS) % 3]
    return pa.table(
        {
            "id": pa.array(np.arange(ROWS), pa.int64()),
            "amount": pa.array(rng.lognormal(3.0, 1.0, ROWS), pa.float64()),
            "quantity": pa.array(rng.integers(1, 9, ROWS), pa.int64()),
            "score": pa.array(score, pa.float64(), mask=nulls),
            "status": pa.array(status, pa.string()),
            "note": pa.array(note, pa.string()),
        }
    )


def batches(table: pa.Table) -> pa.RecordBatchReader:
    return table.to_reader(max_chunksize=BATCH_ROWS)


def test_a_copy_that_fits_stays_in_memory() -> None:
    table = planted_table()
    with LocalDuckDB(LocalScanSettings(memory_limit="256MB")) as engine:
        assert engine.load(batches(table), expected_rows=ROWS) == ROWS
        assert engine.on_disk is False


def test_a_copy_without_a_row_count_stays_in_memory() -> None:
    table = planted_table()
    with LocalDuckDB(LocalScanSettings(memory_limit=SMALL_LIMIT)) as engine:
        assert engine.load(batches(table)) == ROWS
        assert engine.on_disk is False


def test_a_copy_too_big_for_memory_goes_to_a_file_and_keeps_every_row() -> None:
    table = planted_table()
    engine = LocalDuckDB(LocalScanSettings(memory_limit=SMALL_LIMIT))
    with engine:
        # The first batch is only peeked at to estimate the size: it must still be loaded.
        assert engine.load(batches(table), expected_rows=ROWS) == ROWS
        assert engine.on_disk is True
        database = Path(engine._spill_dir.name) / DATABASE_FILE
        assert database.is_file()
        (first_id, nulls, statuses) = engine._connection.execute(
            'SELECT min(id), count(*) - count(score), count(DISTINCT status) FROM "primary"'
        ).fetchone()  # type: ignore[misc]
        assert (first_id, nulls, statuses) == (0, 7, 3)
    assert not database.exists()  # closing removes the file with the spill directory


def test_both_places_give_the_same_profile() -> None:
    table = planted_table()
    columns = arrow_columns(table.schema)
    with LocalDuckDB(LocalScanSettings(memory_limit="256MB")) as in_memory:
        in_memory.load(batches(table), expected_rows=ROWS)
        expected = profile_table(in_memory, columns, AnomalySettings(), row_count_hint=ROWS)
    # One exact distinct count or quartile set per query, so 64MB is enough for the queries too.
    with LocalDuckDB(LocalScanSettings(memory_limit=SMALL_LIMIT, heavy_cells_per_query=ROWS)) as on_disk:
        on_disk.load(batches(table), expected_rows=ROWS)
        assert on_disk.on_disk is True
        measured = profile_table(on_disk, columns, AnomalySettings(), row_count_hint=ROWS)

    assert measured.row_count == ROWS
    assert measured.columns["score"].null_count == 7
    assert measured.columns["id"].distinct_count == ROWS
    assert measured.columns["status"].distinct_count == 3
    assert [(v.value, v.count) for v in measured.columns["status"].top_values] == [
        ("new", ROWS // 2),
        ("paid", ROWS // 4),
        ("shipped", ROWS // 4),
    ]
    for name, column in expected.columns.items():
        # Parallel float sums may differ in their last bits between two loads.
        tolerant = replace(
            column,
            mean=column.mean if column.mean is None else pytest.approx(column.mean, rel=1e-12),
            std=column.std if column.std is None else pytest.approx(column.std, rel=1e-9),
        )
        assert measured.columns[name] == tolerant, name


def test_an_on_disk_copy_is_sealed_like_an_in_memory_one(tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text("a\n1\n", encoding="utf-8")
    with LocalDuckDB(LocalScanSettings(memory_limit=SMALL_LIMIT)) as engine:
        engine.load(batches(planted_table()), expected_rows=ROWS)
        assert engine.on_disk is True
        engine.seal()
        with pytest.raises(duckdb.Error):
            engine._connection.execute(f"SELECT * FROM read_csv('{outside}')").fetchall()
        with pytest.raises(duckdb.Error):
            engine._connection.execute(f"ATTACH '{tmp_path / 'other.duckdb'}' AS other")
        (count,) = engine._connection.execute('SELECT count(*) FROM "primary"').fetchone()  # type: ignore[misc]
        assert count == ROWS


def test_queries_at_once_on_an_on_disk_copy_see_the_copy_and_stay_sealed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    outside.write_text("a\n1\n", encoding="utf-8")
    with LocalDuckDB(LocalScanSettings(memory_limit=SMALL_LIMIT, threads=2)) as engine:
        engine.load(batches(planted_table()), expected_rows=ROWS)
        assert (engine.on_disk, engine.parallel_queries) == (True, 2)
        engine.seal()
        counts = [sqlglot.parse_one(f'SELECT count(*) FROM "primary" WHERE id < {n}') for n in (10, 20, 30)]
        # Three queries on two cursors: each in the copy's database, as the engine's own connection.
        assert engine.fetch_many(counts) == [[(10,)], [(20,)], [(30,)]]  # type: ignore[arg-type]
        outside_read = sqlglot.parse_one(f"SELECT * FROM read_csv('{outside}')", dialect="duckdb")
        with pytest.raises(duckdb.Error):
            engine.fetch_many([counts[0], outside_read])  # type: ignore[list-item]


def test_a_failed_query_among_several_raises_its_error_and_the_engine_goes_on() -> None:
    with small_engine(60, threads=2) as engine:
        good = sqlglot.parse_one('SELECT count(*) FROM "primary"', dialect="duckdb")
        ghost = sqlglot.parse_one('SELECT max(ghost) FROM "primary"', dialect="duckdb")
        with pytest.raises(duckdb.BinderException, match="ghost"):
            engine.fetch_many([good, ghost, good])  # type: ignore[list-item]
        assert engine.fetch_many([good, good]) == [[(2_000,)], [(2_000,)]]  # type: ignore[list-item]


def test_each_of_two_queries_at_once_has_its_own_time_limit() -> None:
    with small_engine(0.5, threads=2) as engine:
        runaway = sqlglot.parse_one(RUNAWAY, dialect="duckdb")
        quick = sqlglot.parse_one('SELECT max(id) FROM "primary"', dialect="duckdb")
        # The runaway one is cancelled on its own cursor; the quick one beside it is not touched.
        with pytest.raises(StatementTimedOut):
            engine.fetch_many([runaway, quick])  # type: ignore[list-item]
        assert engine.fetch_many([quick, quick]) == [[(1_999,)], [(1_999,)]]  # type: ignore[list-item]


def test_references_load_beside_an_on_disk_copy() -> None:
    table = planted_table()
    with LocalDuckDB(LocalScanSettings(memory_limit=SMALL_LIMIT)) as engine:
        engine.load(batches(table), expected_rows=ROWS)
        reference = engine.load_reference("customers", batches(table.select(["id"]).slice(0, 10)))
        sql = reference.sql(dialect="duckdb")
        (count,) = engine._connection.execute(f"SELECT count(*) FROM {sql}").fetchone()  # type: ignore[misc]
        assert count == 10


def test_an_empty_stream_with_a_row_count_loads_nothing() -> None:
    empty = planted_table().slice(0, 0)
    with LocalDuckDB(LocalScanSettings(memory_limit=SMALL_LIMIT)) as engine:
        assert engine.load(pa.RecordBatchReader.from_batches(empty.schema, []), expected_rows=ROWS) == 0
        assert engine.on_disk is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [("512MB", 512 * 10**6), ("2GiB", 2 * 2**30), ("1.5kib", 1536), (" 3 GB ", 3 * 10**9)],
)
def test_sizes_read_as_duckdb_reads_them(text: str, expected: float) -> None:
    assert size_bytes(text) == expected


def test_numeric_kind_survives_the_file() -> None:
    # The file stores types as the memory copy does: a double stays a double.
    table = planted_table()
    with LocalDuckDB(LocalScanSettings(memory_limit=SMALL_LIMIT)) as engine:
        engine.load(batches(table), expected_rows=ROWS)
        kinds = engine._connection.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'primary' "
            "ORDER BY ordinal_position"
        ).fetchall()
    assert kinds == [
        ("id", "BIGINT"),
        ("amount", "DOUBLE"),
        ("quantity", "BIGINT"),
        ("score", "DOUBLE"),
        ("status", "VARCHAR"),
        ("note", "VARCHAR"),
    ]


# --- the sources give the engine their row count ------------------------------------------------


def test_an_iceberg_table_is_read_in_place_and_a_copy_beyond_the_budget_goes_to_a_file(
    scratch_catalog: str,
) -> None:

    table = planted_table()
    catalog = load_named_catalog(scratch_catalog)
    catalog.create_namespace("ns")
    catalog.create_table("ns.orders", schema=table.schema).append(table)
    spec = IcebergSourceSpec(type="iceberg", catalog=scratch_catalog, identifier="ns.orders")

    with IcebergCatalogResource(scan_memory_limit=SMALL_LIMIT).open(spec).query_runner() as runner:
        assert (runner.rows_loaded, runner.in_place, runner.on_disk) == (ROWS, True, False)
        assert runner.scan_path == "read in place: 1 Parquet file"
    copying = IcebergCatalogResource(scan_memory_limit=SMALL_LIMIT, scan_in_place=False)
    with copying.open(spec).query_runner() as runner:
        assert (runner.rows_loaded, runner.in_place, runner.on_disk) == (ROWS, False, True)
        assert runner.scan_path == "copied into a temporary database file (in_place is off)"
    with IcebergCatalogResource(scan_in_place=False).open(spec).query_runner() as runner:
        assert (runner.rows_loaded, runner.on_disk) == (ROWS, False)


def test_a_parquet_file_is_read_in_place_and_a_copy_beyond_the_budget_goes_to_a_file(tmp_path: Path) -> None:

    path = tmp_path / "orders.parquet"
    pq.write_table(planted_table(), path, row_group_size=BATCH_ROWS)
    spec = FileSourceSpec(type="file", path=str(path))

    with FileSourceResource(scan_memory_limit=SMALL_LIMIT).open(spec).query_runner() as runner:
        assert (runner.rows_loaded, runner.in_place, runner.on_disk) == (ROWS, True, False)
    copying = FileSourceResource(scan_memory_limit=SMALL_LIMIT, scan_in_place=False)
    with copying.open(spec).query_runner() as runner:
        assert (runner.rows_loaded, runner.on_disk) == (ROWS, True)
    with FileSourceResource(scan_in_place=False).open(spec).query_runner() as runner:
        assert (runner.rows_loaded, runner.on_disk) == (ROWS, False)


# --- wide tables: row groups and query budgets by width -------------------------------------


def test_a_wide_copy_on_disk_is_written_in_row_groups_sized_by_its_width() -> None:
    # 400 double columns x 20,000 rows: 3.2 KB a row, 64 MB in all. Under a 64MB limit it goes to
    # a file; a 256MB load limit allows 64 MB for one row group of every column: 20,480 rows
    # would be too many, so the copy is written in row groups of 18,432 rows (whole vectors).
    rows, width = 20_000, 400
    table = pa.table({f"c{i}": pa.array(np.arange(rows, dtype=np.float64) + i) for i in range(width)})
    with LocalDuckDB(LocalScanSettings(memory_limit=SMALL_LIMIT, load_memory_limit="256MB")) as engine:
        engine.load(batches(table), expected_rows=rows)
        assert engine.on_disk is True
        groups = engine._connection.execute(
            "SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('primary')"
        ).fetchone()
        totals = engine._connection.execute(
            'SELECT count(*), sum("c0"), max("c399") FROM "primary"'
        ).fetchone()
    assert row_group_rows(256e6, table.nbytes / rows) == 18_432
    assert groups == (2,)
    assert totals == (rows, rows * (rows - 1) / 2, rows - 1 + 399)


def test_a_wide_copy_without_a_row_count_goes_to_a_file() -> None:
    # 400 doubles, 3.2 KB a row: one of DuckDB's row groups (122,880 rows) would take 393 MB
    # while it is written, more than a quarter of the 256MB load limit. A CSV file has no row
    # count, and such a copy kept in memory ran out of it: it goes to a file whatever its size.
    rows, width = 5_000, 400
    wide = pa.table({f"c{i}": pa.array(np.arange(rows, dtype=np.float64) * i) for i in range(width)})
    narrow = planted_table()
    with LocalDuckDB(LocalScanSettings(load_memory_limit="256MB")) as engine:
        assert engine.load(batches(wide)) == rows
        assert engine.on_disk is True
        (total,) = engine._connection.execute('SELECT sum("c399") FROM "primary"').fetchone()  # type: ignore[misc]
    assert total == 399 * rows * (rows - 1) / 2
    with LocalDuckDB(LocalScanSettings(load_memory_limit="256MB")) as engine:
        engine.load(batches(narrow))
        assert engine.on_disk is False  # 165 bytes a row: a row group takes 20 MB


@pytest.mark.parametrize(
    ("load_limit", "bytes_per_row", "expected"),
    [
        (256e6, 48, 122_880),  # a narrow table keeps DuckDB's own row group
        (256e6, 8_000, 6_144),  # 1,000 numeric columns: 8,000 rows fit, in 3 whole vectors
        (256e6, 10**6, 2_048),  # a megabyte a row: never less than one vector
    ],
)
def test_row_group_rows_by_width(load_limit: float, bytes_per_row: float, expected: int) -> None:
    assert row_group_rows(load_limit, bytes_per_row) == expected


def test_distinct_counts_per_query_by_the_memory_of_their_hash_tables() -> None:
    # 400 MB, half of it for one query; each count costs 3 MiB a thread and 40 bytes a row.
    assert distinct_per_query(400e6, threads=2, rows=10) == 31
    assert distinct_per_query(400e6, threads=2, rows=100_000) == 19
    assert distinct_per_query(400e6, threads=2, rows=10_000_000) == 1
    assert distinct_per_query(1e6, threads=8, rows=10) == 1  # never less than one


def test_the_engine_budgets_queries_by_rows_and_width() -> None:
    settings = LocalScanSettings(memory_limit="400MB", threads=2, heavy_cells_per_query=8_000_000)
    with LocalDuckDB(settings) as engine:
        small, big = engine.query_budget(10), engine.query_budget(1_000_000)
    # Two threads: two queries run at once, and each gets half of what one alone would:
    # 8,000,000 cells / 10 rows / 2 heavy metrics, and distinct counts by 200 MB of the limit
    # (one query alone: 800,000 and 31; at 1M rows, 8 and 4).
    # extremes_apart: a column read only for COUNT, MIN and MAX is answered from statistics alone.
    assert small == QueryBudget(
        heavy=400_000, distinct=15, aggregates=AGGREGATES_PER_QUERY, extremes_apart=True, parallel=2
    )
    assert big == QueryBudget(
        heavy=4, distinct=2, aggregates=AGGREGATES_PER_QUERY, extremes_apart=True, parallel=2
    )


def test_one_thread_runs_one_query_at_a_time_with_the_whole_budget() -> None:
    settings = LocalScanSettings(memory_limit="400MB", threads=1, heavy_cells_per_query=8_000_000)
    with LocalDuckDB(settings) as engine:
        assert engine.parallel_queries == 1
        assert engine.query_budget(1_000_000) == QueryBudget(
            heavy=8, distinct=4, aggregates=AGGREGATES_PER_QUERY, extremes_apart=True, parallel=1
        )


# --- the statement time limit ------------------------------------------------------------------

RUNAWAY = 'SELECT count(*) FROM "primary" a, "primary" b, "primary" c'
"""Over 2,000 rows, 8e9 rows of cross product: minutes of work."""


def small_engine(timeout: float | None, threads: int = 0) -> LocalDuckDB:
    settings = LocalScanSettings(memory_limit="256MB", statement_timeout_seconds=timeout, threads=threads)
    engine = LocalDuckDB(settings)
    engine.load(pa.table({"id": np.arange(2_000)}).to_reader())
    return engine


def test_a_statement_past_its_time_limit_is_cancelled_and_the_next_one_runs() -> None:
    with small_engine(0.5) as engine:
        with pytest.raises(StatementTimedOut, match=r"exceeded timeout_seconds \(0.5 s\) and was cancelled"):
            engine.fetch_rows(sqlglot.parse_one(RUNAWAY, dialect="duckdb"))  # type: ignore[arg-type]
        assert engine.fetch_rows(sqlglot.parse_one('SELECT count(*) FROM "primary"')) == [(2_000,)]  # type: ignore[arg-type]


def test_a_timer_that_fires_after_its_statement_ended_interrupts_nothing() -> None:
    with small_engine(60) as engine:
        engine.fetch_rows(sqlglot.parse_one('SELECT count(*) FROM "primary"'))  # type: ignore[arg-type]
        # The first statement's timer, had it been late, fires now: its ticket is stale.
        engine._limit._expire(1)
        rows = engine.fetch_rows(sqlglot.parse_one('SELECT max(id) FROM "primary"'))  # type: ignore[arg-type]
    assert rows == [(1_999,)]


def test_a_statement_without_a_time_limit_runs_unwatched() -> None:
    with small_engine(None) as engine:
        assert engine.fetch_rows(sqlglot.parse_one('SELECT min(id) FROM "primary"')) == [(0,)]  # type: ignore[arg-type]


# --- memory by what the machine has -------------------------------------------------------------


@pytest.mark.parametrize(
    ("machine_bytes", "limit"),
    [
        (24 * 2**30, "1024MiB"),  # a 24 GiB machine: a twenty-fourth
        (2 * 2**30, "256MiB"),  # a 2 GiB container: the floor, not 85 MiB
        (2**40, "8192MiB"),  # a 1 TiB machine: the ceiling
    ],
)
def test_the_automatic_limit_is_a_share_of_the_machine_between_bounds(machine_bytes: int, limit: str) -> None:
    assert auto_memory_limit(machine_bytes) == limit


def test_a_set_limit_overrides_the_automatic_one_and_a_bad_one_is_refused() -> None:
    assert resolved_limit("2GiB") == "2GiB"
    assert resolved_limit(" AUTO ") == auto_memory_limit()
    assert LocalScanSettings(memory_limit="300MB").query_limit() == "300MB"
    # The copy's load limit is half the query limit, never below 256 MiB.
    assert LocalScanSettings(memory_limit="4GiB").load_limit() == "2048MiB"
    assert LocalScanSettings(memory_limit="300MB").load_limit() == "256MiB"
    with pytest.raises(ValueError, match="memory_limit must look like"):
        resolved_limit("lots")
