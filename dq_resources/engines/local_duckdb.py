"""The local engine for Iceberg tables and files: DuckDB reading Parquet in place, or a copy.

A table whose data is plain Parquet (an Iceberg snapshot without delete files or renamed or
re-typed columns, a Parquet file) is not copied at all: the engine's table is a view over
DuckDB's `read_parquet` of its files (`parquet_scan`, `iceberg.in_place`), each column cast
to the type the copy would have had. Every pass (the aggregate pass, frequency queries,
the outlier pass) reads only the columns it needs, straight from files the operating system
caches after the first pass; nothing is written and no memory holds the table.

Anything else (CSV, JSON, Excel, delete files, an evolved schema, a nested column) is read
once, as an Arrow stream, into DuckDB's own columnar storage, and every later query reads
that copy, so the source is still scanned once however many passes the plan needs.

Where the copy lives depends on its size. A copy expected to fit in half of `memory_limit`
stays in DuckDB's memory, the fastest place to load and to scan. A bigger one goes into a
temporary database *file* beside the spill directory. A file's blocks are compressed and
already on disk, so the buffer manager can drop any of them for free when a query needs
the memory, and read it back later. An in-memory table is uncompressed and counts against
`memory_limit`; once it outgrows the limit, every pass writes evicted blocks to
`temp_directory` and reads them back. Measured at 1M rows, 50 columns (about 500 MB)
under a 400 MB limit: the light aggregate pass took 0.66 s in memory and 0.37 s from the
file, while writing the file costs about three times an in-memory load, which is why
small copies stay in memory. The expected size comes from the source's row count and the
first batch's bytes per row; without a row count a narrow copy stays in memory, a wide
one (a row group of it would not fit in the load limit's share) goes to the file.

Memory-hungry exact aggregates are spread over several queries on big tables, and are
kept out of the light aggregate pass: DuckDB's exact `COUNT(DISTINCT ...)` slows every
other aggregate that shares its query (2.5 times at 1M rows x 50 columns), while a
reread of the local copy is cheap. Peak memory stays bounded by the settings, not by
the table's size.

Loading runs under a smaller limit than querying: while the stream is read, pyarrow's
decoded row groups and DuckDB's buffers are alive together, and DuckDB needs little more
than the pages it is writing. Once loaded, the Arrow pool gives its memory back and
the queries get the larger limit for their hash tables and sorts.

A wide table is planned by its width (`memory_plan`): a copy on disk gets row groups small
enough to buffer one of every column, and each query carries a bounded number of aggregates
and of exact distinct counts, so a 1,000-column table profiles under the same limits as a
narrow one, in more queries. Every statement runs under the source's `timeout_seconds`
(`statement_limit`): past it, the statement is cancelled and what needed it is an error.
"""

from __future__ import annotations

import itertools
import queue
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from dq_checks.config.sources import DEFAULT_STATEMENT_TIMEOUT_SECONDS
from dq_checks.metrics import QueryBudget
from dq_resources.engines.memory_plan import (
    AGGREGATES_PER_QUERY,
    AUTO,
    DEFAULT_ROW_GROUP_ROWS,
    HEAVY_BYTES_PER_CELL,
    LOAD_SHARE,
    QUERY_SHARE,
    distinct_per_query,
    resolved_limit,
    row_group_rows,
    size_bytes,
    size_setting,
)
from dq_resources.engines.parquet_scan import ParquetScan, file_list_sql
from dq_resources.engines.statement_limit import StatementLimit

if TYPE_CHECKING:
    import duckdb

RELATION_NAME = "primary"
ATTACHED_DATABASE = "dq_database"
"""The name a DuckDB database file is attached under (`read_attached`), never the user's."""
DATABASE_FILE = "local.duckdb"
IN_MEMORY_SHARE = 0.5
"""The share of `memory_limit` a copy may take and still stay in memory; the rest is for queries."""


@dataclass(frozen=True)
class LocalScanSettings:
    """Bounds for the local engine.

    `memory_limit` is DuckDB's limit for queries, `auto` (the default) derived from the
    machine (`memory_plan.auto_memory_limit`); `load_memory_limit` bounds a copy while it is
    written, `auto` being half of that (at least 256 MiB). `heavy_cells_per_query` caps rows x
    heavy aggregates per query (None: by the memory limit): an exact quantile or distinct
    count holds state for every row, so a 10M-row table runs them a few at a time.
    `statement_timeout_seconds` bounds every query (None: no bound); it is the source's
    `timeout_seconds`. `in_place` lets the engine read Parquet files where they are; False
    always copies (an escape hatch, and the reference the in-place path is tested against).
    """

    memory_limit: str = AUTO
    load_memory_limit: str = AUTO
    threads: int = 0
    heavy_cells_per_query: int | None = None
    statement_timeout_seconds: float | None = DEFAULT_STATEMENT_TIMEOUT_SECONDS
    in_place: bool = True

    def query_limit(self) -> str:
        """The memory limit for queries, as DuckDB takes it."""
        return resolved_limit(self.memory_limit)

    def load_limit(self) -> str:
        """The memory limit while a copy is written: half the query limit, at least 256 MiB, unless set."""
        if self.load_memory_limit.strip().lower() != AUTO:
            return size_setting(self.load_memory_limit)
        return f"{max(256, int(size_bytes(self.query_limit()) / 2 / 2**20))}MiB"

    def heavy_cells(self) -> int:
        """Rows x heavy aggregates one query may carry: set, or by the memory limit."""
        if self.heavy_cells_per_query is not None:
            return self.heavy_cells_per_query
        return max(1, int(size_bytes(self.query_limit()) * QUERY_SHARE / HEAVY_BYTES_PER_CELL))


@dataclass(frozen=True)
class _Cursor:
    """One connection to the engine's database, and the time limit of its statements."""

    connection: duckdb.DuckDBPyConnection
    limit: StatementLimit


class LocalDuckDB:
    """An in-process DuckDB holding one table, called `"primary"`, loaded from an Arrow stream."""

    dialect = "duckdb"
    heavy_apart = True

    def __init__(self, settings: LocalScanSettings) -> None:
        import duckdb

        self._settings = settings
        self._query_limit = settings.query_limit()
        self._load_limit = settings.load_limit()
        self._spill_dir = tempfile.TemporaryDirectory(prefix="dq-duckdb-")
        self._connection = duckdb.connect(":memory:")
        self._limit = StatementLimit(self._connection, settings.statement_timeout_seconds)
        self._set_memory_limit(self._query_limit)
        self._connection.execute("SET temp_directory = ?", [self._spill_dir.name])
        self._connection.execute("SET preserve_insertion_order = false")
        # Every query over files read in place would parse their footers again: at 1,000 columns
        # and hundreds of queries, that cost grows with columns squared. The files do not change
        # while the engine lives (an Iceberg snapshot's never do).
        self._connection.execute("SET parquet_metadata_cache = true")
        self._set_threads()
        self.relation = exp.table_(exp.to_identifier(RELATION_NAME, quoted=True))
        self.rows_loaded = 0
        self.on_disk = False
        self.in_place = False
        self.allowed_files: tuple[str, ...] = ()
        self.attached_database = False
        self.copy_reason: str | None = None
        self.references: dict[str, exp.Table] = {}
        self.reference_errors: dict[str, str] = {}
        self._idle: queue.SimpleQueue[_Cursor] = queue.SimpleQueue()
        self._idle.put(_Cursor(self._connection, self._limit))
        self._cursors: list[_Cursor] = []
        self._parallel: int | None = None

    def load(self, batches: pa.RecordBatchReader, expected_rows: int | None = None) -> int:
        """Stream `batches` into the local table; returns the number of rows.

        `expected_rows`, the source's own row count, decides whether the copy stays in
        memory or goes to a temporary database file (see the module docstring).
        """
        batches = self._place_copy(batches, expected_rows)
        self.rows_loaded = self._load_into(RELATION_NAME, batches)
        return self.rows_loaded

    def _types_of(self, table: pa.Table) -> dict[str, str]:
        """The DuckDB type of each column of an Arrow table, as a copy of it would have."""
        self._connection.register("dq_copy_types", table)
        try:
            rows = self._connection.execute("SELECT column_name, column_type FROM (DESCRIBE dq_copy_types)")
            return dict(rows.fetchall())
        finally:
            self._connection.unregister("dq_copy_types")

    @property
    def scan_path(self) -> str:
        """How the table reached the engine, for the profile's metadata: read in place, or copied and why."""
        if self.attached_database:
            return "read in place: a DuckDB database, attached read-only"
        if self.in_place:
            count = len(self.allowed_files)
            return f"read in place: {count} Parquet file{'s' if count != 1 else ''}"
        where = "a temporary database file" if self.on_disk else "memory"
        return f"copied into {where}" + (f" ({self.copy_reason})" if self.copy_reason else "")

    def scratch_directory(self) -> Path:
        """A folder that lives as long as the engine: for data files fetched from object storage."""
        folder = Path(self._spill_dir.name) / "fetched"
        folder.mkdir(exist_ok=True)
        return folder

    def read_in_place(self, scan: ParquetScan) -> int:
        """Make the table a view over `scan`'s Parquet files; returns the number of rows.

        A column whose type in the files differs from the type the copy would give it (the type
        DuckDB gives an empty Arrow table of the same schema) is cast to it, so the profile and
        the rules see the same table either way. Only those: a cast, even to the same type, hides
        the files' statistics, and DuckDB answers MIN, MAX and COUNT from them without reading a
        page (at 1M rows x 10 columns, 0.41 s with a cast on every column, 0.003 s without).
        `seal()` then allows exactly these files and nothing else.
        """
        import pyarrow as pa

        wanted = self._types_of(pa.Table.from_batches([], schema=scan.schema))
        union = ", union_by_name = true" if len(scan.paths) > 1 and not scan.uniform else ""
        source = f"read_parquet({file_list_sql(scan.paths)}{union})"
        stored = dict(
            self._connection.execute(
                f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {source})"
            ).fetchall()
        )
        columns = []
        for name in scan.schema.names:
            quoted = exp.to_identifier(name, quoted=True).sql(dialect=self.dialect)
            if name in scan.absent or name not in stored:
                columns.append(f"CAST(NULL AS {wanted[name]}) AS {quoted}")
            elif stored[name] != wanted[name]:
                columns.append(f"CAST({quoted} AS {wanted[name]}) AS {quoted}")
            else:
                columns.append(quoted)
        self._connection.execute(
            f'CREATE VIEW "{RELATION_NAME}" AS SELECT {", ".join(columns)} FROM {source}'
        )
        self.allowed_files = tuple(str(path) for path in scan.paths)
        self.in_place = True
        if scan.row_count is not None:
            self.rows_loaded = scan.row_count
        else:
            (count,) = self._connection.execute(f'SELECT count(*) FROM "{RELATION_NAME}"').fetchone()  # type: ignore[misc]
            self.rows_loaded = int(count)
        return self.rows_loaded

    def read_attached(self, database: str, table: exp.Table) -> int:
        """Make the table a view over `table` in the DuckDB database `database`, attached read-only.

        Nothing is copied: every pass reads the database's own columnar storage, as a view over
        Parquet reads the files. READ_ONLY means no check can change the database, and the file is
        not locked against other readers. `seal()` then allows no other file. Returns the rows.
        """
        literal = exp.Literal.string(database).sql(dialect=self.dialect)
        self._connection.execute(f"ATTACH {literal} AS {ATTACHED_DATABASE} (READ_ONLY)")
        source = exp.table_(table.name, db=table.db or None, catalog=ATTACHED_DATABASE, quoted=True).sql(
            dialect=self.dialect
        )
        self._connection.execute(f'CREATE VIEW "{RELATION_NAME}" AS SELECT * FROM {source}')
        self.allowed_files = (database,)
        self.attached_database = True
        (count,) = self._connection.execute(f'SELECT count(*) FROM "{RELATION_NAME}"').fetchone()  # type: ignore[misc]
        self.rows_loaded = int(count)
        return self.rows_loaded

    def _place_copy(self, batches: pa.RecordBatchReader, expected_rows: int | None) -> pa.RecordBatchReader:
        """Peek at the first batch, and move to a database file if the copy will not fit.

        A copy goes to a file when it is expected to outgrow the in-memory budget, or when one
        of DuckDB's row groups of it (written whole, however few rows the copy turns out to
        have) would not fit in the load's share: a wide table without a known row count, say a
        1,000-column CSV file, ran out of memory in its first row group.
        Returns a reader that still yields every batch, the peeked one first.
        """
        try:
            first = batches.read_next_batch()
        except StopIteration:
            return batches
        if first.num_rows:
            per_row = first.nbytes / first.num_rows
            group_rows = min(expected_rows or DEFAULT_ROW_GROUP_ROWS, DEFAULT_ROW_GROUP_ROWS)
            too_big = expected_rows is not None and per_row * expected_rows > self._in_memory_budget()
            too_wide = per_row * group_rows > size_bytes(self._load_limit) * LOAD_SHARE
            if too_big or too_wide:
                self._attach_file(per_row)
        return pa.RecordBatchReader.from_batches(batches.schema, itertools.chain([first], batches))

    def _attach_file(self, bytes_per_row: float) -> None:
        """Keep the copy in a temporary database file, in row groups sized by the table's width.

        The load runs on one thread: the stream comes from one reader anyway, and each thread
        writing would buffer a row group of its own.
        """
        file = str(Path(self._spill_dir.name) / DATABASE_FILE).replace("'", "''")
        rows = row_group_rows(size_bytes(self._load_limit), bytes_per_row)
        self._connection.execute(f"ATTACH '{file}' AS local_copy (ROW_GROUP_SIZE {int(rows)})")
        self._connection.execute("USE local_copy")
        self._connection.execute("SET threads = 1")
        self.on_disk = True

    def _in_memory_budget(self) -> float:
        return size_bytes(self._query_limit) * IN_MEMORY_SHARE

    def load_reference(self, name: str, batches: pa.RecordBatchReader) -> exp.Table:
        """Stream another monitored table (the columns a rule needs) in beside the primary one.

        Joins between the two then run here, in one engine. The local name is derived
        from a counter, never from user text.
        """
        local = f"dq_reference_{len(self.references) + 1}"
        self._load_into(local, batches)
        self.references[name] = exp.table_(exp.to_identifier(local, quoted=True))
        return self.references[name]

    def seal(self) -> None:
        """No file, network or extension access from here on: only the loaded tables remain.

        Called once the data is in, before any user-written SQL runs; DuckDB does not
        allow a query to switch it back on. A table read in place keeps its own files, and
        only those, readable.
        """
        if self.allowed_files:
            self._connection.execute(f"SET allowed_paths = {file_list_sql(self.allowed_files)}")
        self._connection.execute("SET enable_external_access = false")
        self._connection.execute("SET lock_configuration = true")
        for _ in range(self.parallel_queries - 1 - len(self._cursors)):
            self._idle.put(self._new_cursor())

    def _load_into(self, table: str, batches: pa.RecordBatchReader) -> int:
        self._set_memory_limit(self._load_limit)
        self._connection.register("dq_source_stream", batches)
        try:
            self._connection.execute(f'CREATE TABLE "{table}" AS SELECT * FROM dq_source_stream')
        finally:
            self._connection.unregister("dq_source_stream")
            pa.default_memory_pool().release_unused()
            self._set_memory_limit(self._query_limit)
            self._set_threads()
        (count,) = self._connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()  # type: ignore[misc]
        return int(count)

    def _set_threads(self) -> None:
        if self._settings.threads > 0:
            self._connection.execute(f"SET threads = {int(self._settings.threads)}")
        else:
            self._connection.execute("RESET threads")

    def _set_memory_limit(self, limit: str) -> None:
        self._connection.execute(f"SET memory_limit = '{size_setting(limit)}'")

    @property
    def parallel_queries(self) -> int:
        """How many queries run at once: DuckDB's threads (the machine's cores unless `threads` is set).

        See `QueryBudget.parallel`: one query over a single-row-group file uses one core.
        """
        if self._parallel is None:
            self._parallel = self._threads()
        return self._parallel

    def fetch_rows(self, query: exp.Query) -> list[tuple[Any, ...]]:
        """Run a sqlglot query, written in DuckDB's dialect, within the statement time limit.

        Safe from several threads at once: each runs on a cursor of its own (a connection to the
        same database, with its own time limit).
        """
        sql = query.sql(dialect=self.dialect, unsupported_level=ErrorLevel.RAISE)
        try:
            cursor = self._idle.get_nowait()
        except queue.Empty:
            cursor = self._new_cursor()
        try:
            return cursor.limit.run(lambda: cursor.connection.execute(sql).fetchall())
        finally:
            self._idle.put(cursor)

    def fetch_many(self, queries: Sequence[exp.Query]) -> list[list[tuple[Any, ...]]]:
        """Every query's rows, in order, `parallel_queries` of them at a time.

        A failed query raises its error once the others have ended.
        """
        workers = min(self.parallel_queries, len(queries))
        if workers <= 1:
            return [self.fetch_rows(query) for query in queries]
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dq-duckdb") as pool:
            return list(pool.map(self.fetch_rows, queries))

    def _new_cursor(self) -> _Cursor:
        """Another connection to the same database, in the database the table is in."""
        connection = self._connection.cursor()
        if self.on_disk:
            connection.execute("USE local_copy")
        cursor = _Cursor(connection, StatementLimit(connection, self._settings.statement_timeout_seconds))
        self._cursors.append(cursor)
        return cursor

    def heavy_metrics_per_query(self, row_count: int) -> int:
        """How many exact distinct counts or quantile sets to compute in one query."""
        rows = max(row_count, self.rows_loaded, 1)
        return max(1, self._settings.heavy_cells() // rows)

    def query_budget(self, row_count: int) -> QueryBudget:
        """Heavy metrics by rows, distinct counts by their hash tables' memory, all aggregates by width."""
        rows = max(row_count, self.rows_loaded, 1)
        parallel = self.parallel_queries  # queries that run at once share the memory
        heavy = max(1, self.heavy_metrics_per_query(rows) // parallel)
        distinct = distinct_per_query(size_bytes(self._query_limit) / parallel, self._threads(), rows)
        return QueryBudget(
            heavy=heavy,
            distinct=min(heavy, distinct),
            aggregates=AGGREGATES_PER_QUERY,
            extremes_apart=True,
            parallel=parallel,
        )

    def _threads(self) -> int:
        (threads,) = self._connection.execute("SELECT current_setting('threads')").fetchone()  # type: ignore[misc]
        return int(threads)

    def close(self) -> None:
        """Release the connections and the spill files."""
        for cursor in self._cursors:
            cursor.connection.close()
        self._connection.close()
        self._spill_dir.cleanup()

    def __enter__(self) -> LocalDuckDB:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
