"""Benchmark the check step on a PostgreSQL table: pushed down, or pulled whole into the local DuckDB.

Usage: `python bench/pushdown_bench.py [--rows N] [--repeat K] [--postgres-url URL] [--chunk-rows C]`

The script creates a throw-away database (`dq_bench_pushdown_<random>`) on the server at
`--postgres-url` (default `postgresql://postgres@127.0.0.1:5432/test`), fills one table
`bench.events` of N rows (default 10,000,000) there with `INSERT ... SELECT FROM
generate_series` (the data never passes through Python), runs `VACUUM (ANALYZE)` on it, and
drops the database at the end, also when something fails. The table's columns:

| column | type | values |
| --- | --- | --- |
| id | bigint | 1..N, unique |
| customer_id | bigint | N/4 customers, each about 4 times |
| amount | double precision | exponential, mean ~40, 2 decimals; NULL in 0.1% of rows; one planted 1e9 |
| status | text | 5 values, 50/20/20/7/3% |
| created_at | timestamp | spread over 2024 |
| category | text | 250 values; NULL in 0.5% of rows |

Two variants run the same check step, `inspect_table(defined, opened)`, on it: describe,
profile, the rules' metrics in the same scan, anomalies, the 11 DQDL rules below and the
quality score. `defined` comes from a YAML definition (source `type: sql` with
`url: '${DQ_BENCH_PUSHDOWN_URL}'`, so the URL stays out of the file) loaded with
`load_table_specs`, as production does; loading it is not timed.

* pushdown: `opened` is `SqlSourceResource().open(source)`, the product's `sql` source. Every
  metric runs in Postgres through `SqlRunner`; only aggregates and capped samples come back.
* pull: `opened` wraps that same `SqlTable`: `describe()` is the SqlTable's, and
  `query_runner()` streams the whole table out through a psycopg2 named (server-side) cursor,
  `--chunk-rows` rows per FETCH, each chunk converted to an Arrow record batch, into the
  product's `LocalDuckDB` (`engine.load(reader)`, default `LocalScanSettings`), seals it and
  yields it, as `IcebergTable.query_runner` does. The plan then runs in DuckDB.

Each run of each variant is a fresh child process (this script again, with the hidden flag
`--only NAME`); `--repeat K` runs K interleaved rounds and keeps each variant's fastest.
Time is `time.perf_counter()` in the child around `open` + `inspect_table` only (not the
imports, not the YAML load). Memory is the child's `ru_maxrss`: the client process only.
The Postgres server's own processes (its sorts and hashes for the pushed-down aggregates,
its scan for the pull) are not in that number, but they share this machine's cores, so
they are in the wall time. Rows moved out of Postgres: for pushdown, the sum of the rows
that the runner's queries returned (counted by wrapping `SqlRunner.fetch_rows`); for the
pull, the rows the cursor fetched. Describing the table reads the catalog in both variants
and is not counted.

Both variants' profiles are compared (row count, and per column null count, distinct count,
min, max exactly, mean within 1e-9 relative; std, quartiles, zero/negative counts, top
values and outlier statistics are compared too but only reported), and so are all check
outcomes. This is a benchmark, not a test: it prints numbers and never fails on them.

| # | DQDL rule | planted |
| --- | --- | --- |
| 1 | `RowCount = N` | pass |
| 2 | `IsComplete "id"` | pass |
| 3 | `IsUnique "id"` | pass |
| 4 | `IsUnique "customer_id"` | fail |
| 5 | `IsComplete "amount"` | fail |
| 6 | `Completeness "amount" >= 0.99` | pass |
| 7 | `ColumnValues "amount" between -1 and 10000` | fail |
| 8 | `ColumnValues "amount" between -1 and 10000 with threshold >= 0.99` | pass |
| 9 | `ColumnValues "status" in [the five statuses]` | pass |
| 10 | `Completeness "category" > 0.99` | pass |
| 11 | `CustomSql "select count(*) from primary where amount > 1000000" = 0` | fail |
"""

# The parent imports only the standard library and psycopg2 (to create, fill and drop the
# database): Linux starts a child's ru_maxrss at its parent's peak, so the parent stays small.
# Heavy libraries are imported inside the child functions that use them.

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from dq_checks.config.loader import DefinedTable
    from dq_resources.engines.local_duckdb import LocalDuckDB, LocalScanSettings
    from dq_resources.source_contract import ReferenceRequest
    from dq_resources.sql.resource import SqlTable

DEFAULT_ROWS = 10_000_000
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_CHUNK_ROWS = 100_000
URL_VARIABLE = "DQ_BENCH_PUSHDOWN_URL"
SCHEMA = "bench"
TABLE = "events"
TABLE_NAME = "events"
RESULT_MARKER = "BENCH-RESULT "
VARIANTS = ("pushdown", "pull")
LABELS = {"pushdown": "pushdown (sql source)", "pull": "pull into DuckDB"}
STATUSES = ("active", "pending", "shipped", "cancelled", "returned")
PLANTED_AMOUNT = 1e9
REL_TOLERANCE = 1e-9
TIMES = "\N{MULTIPLICATION SIGN}"


# --------------------------------------------------------------------------- the rules


@dataclass(frozen=True)
class BenchRule:
    """One DQDL rule and the outcome the data plants."""

    name: str
    dqdl: str
    planted: str


def bench_rules(rows: int) -> tuple[BenchRule, ...]:
    statuses = ", ".join(f'"{s}"' for s in STATUSES)
    return (
        BenchRule("row_count", f"RowCount = {rows}", "pass"),
        BenchRule("id_complete", 'IsComplete "id"', "pass"),
        BenchRule("id_unique", 'IsUnique "id"', "pass"),
        BenchRule("customer_unique", 'IsUnique "customer_id"', "fail"),
        BenchRule("amount_complete", 'IsComplete "amount"', "fail"),
        BenchRule("amount_completeness", 'Completeness "amount" >= 0.99', "pass"),
        BenchRule("amount_range", 'ColumnValues "amount" between -1 and 10000', "fail"),
        BenchRule(
            "amount_mostly_in_range",
            'ColumnValues "amount" between -1 and 10000 with threshold >= 0.99',
            "pass",
        ),
        BenchRule("status_domain", f'ColumnValues "status" in [{statuses}]', "pass"),
        BenchRule("category_completeness", 'Completeness "category" > 0.99', "pass"),
        BenchRule(
            "no_huge_amounts", 'CustomSql "select count(*) from primary where amount > 1000000" = 0', "fail"
        ),
    )


def definition_yaml(rows: int) -> str:
    """The table definition production would read; JSON strings are valid YAML scalars."""
    lines = [
        f"table: {TABLE_NAME}",
        f"source: {{type: sql, url: '${{{URL_VARIABLE}}}', table: {SCHEMA}.{TABLE}}}",
        "key: [id]",
        "rules:",
        *(f"  - {{name: {rule.name}, rule: {json.dumps(rule.dqdl)}}}" for rule in bench_rules(rows)),
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- database (parent side)


def database_url(server_url: str, database: str) -> str:
    """`server_url` with its database replaced by `database`."""
    parts = urlsplit(server_url)
    return parts._replace(path=f"/{database}").geturl()


def admin_execute(server_url: str, statement: Any) -> None:
    import psycopg2

    connection = psycopg2.connect(server_url, connect_timeout=10)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


def create_database(server_url: str, name: str) -> None:
    from psycopg2 import sql

    admin_execute(server_url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(server_url: str, name: str) -> None:
    from psycopg2 import sql

    admin_execute(server_url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def fill_statements(rows: int) -> list[str]:
    """The table, filled server-side. Values come from integer hashing of `i`: deterministic."""
    customers = max(1, rows // 4)
    planted = rows // 2 + 1
    statuses = ", ".join(f"'{s}'" for s in STATUSES)
    return [
        f"CREATE SCHEMA {SCHEMA}",
        f"CREATE TABLE {SCHEMA}.{TABLE} (id bigint, customer_id bigint, amount double precision, "
        "status text, created_at timestamp, category text)",
        f"""
        INSERT INTO {SCHEMA}.{TABLE}
        SELECT
            i,
            1 + (i * 7919) % {customers},
            CASE
                WHEN i % 1000 = 0 THEN NULL
                WHEN i = {planted} THEN {PLANTED_AMOUNT}::double precision
                ELSE floor(-ln((((i * 104729) % 99991)::double precision + 0.5) / 99991) * 4000) / 100
            END,
            (ARRAY[{statuses}])[
                CASE WHEN (i * 37) % 100 < 50 THEN 1 WHEN (i * 37) % 100 < 70 THEN 2
                     WHEN (i * 37) % 100 < 90 THEN 3 WHEN (i * 37) % 100 < 97 THEN 4 ELSE 5 END
            ],
            timestamp '2024-01-01 00:00:00' + ((i * 2654435761) % 31536000) * interval '1 second',
            CASE WHEN i % 200 = 7 THEN NULL ELSE 'cat_' || lpad(((i * 31337) % 250)::text, 3, '0') END
        FROM generate_series(1::bigint, {rows}::bigint) AS s(i)
        """,
    ]


def fill_table(url: str, rows: int) -> dict[str, Any]:
    """Create and fill the table; VACUUM (ANALYZE) sets hint bits, so no variant's first scan pays for it."""
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            began = time.perf_counter()
            for statement in fill_statements(rows):
                cursor.execute(statement)
            filled = time.perf_counter()
            cursor.execute(f"VACUUM (ANALYZE) {SCHEMA}.{TABLE}")
            vacuumed = time.perf_counter()
            cursor.execute(f"SELECT pg_total_relation_size('{SCHEMA}.{TABLE}')")
            (size,) = cursor.fetchone()  # type: ignore[misc]
    finally:
        connection.close()
    return {"insert_seconds": filled - began, "vacuum_seconds": vacuumed - filled, "bytes": int(size)}


# --------------------------------------------------------------------------- variants (child side)


def peak_rss_kib() -> int:
    """The peak resident set size of this process so far (KiB on Linux)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


@dataclass
class Counters:
    """What one child measured besides the total: phase times, queries, rows moved."""

    seconds: dict[str, float] = field(default_factory=dict)
    queries: int = 0
    rows_moved: int = 0
    slowest: list[tuple[float, str]] = field(default_factory=list)

    def add(self, phase: str, seconds: float) -> None:
        """Add `seconds` to `phase`."""
        self.seconds[phase] = self.seconds.get(phase, 0.0) + seconds

    def timed(self, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function`, adding its wall time to `phase`."""

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.add(phase, time.perf_counter() - began)

        return wrapper

    def timed_query(
        self, phase: str, function: Callable[..., Any], *, count_rows: bool
    ) -> Callable[..., Any]:
        """A runner's `fetch_rows`, counted; with `count_rows`, the rows it returned are rows moved."""

        @functools.wraps(function)
        def wrapper(runner: Any, query: Any) -> Any:
            began = time.perf_counter()
            rows = function(runner, query)
            spent = time.perf_counter() - began
            self.add(phase, spent)
            self.queries += 1
            if count_rows:
                self.rows_moved += len(rows)
            self.slowest.append((spent, query.sql(dialect=runner.dialect)))
            return rows

        return wrapper


def arrow_type(type_code: int) -> pa.DataType | None:
    """The Arrow type for a psycopg2 type code (a Postgres type OID); None lets pyarrow infer it."""
    import pyarrow as pa

    known = {
        16: pa.bool_(),
        20: pa.int64(),
        21: pa.int16(),
        23: pa.int32(),
        700: pa.float32(),
        701: pa.float64(),
        25: pa.string(),
        1042: pa.string(),
        1043: pa.string(),
        1082: pa.date32(),
        1114: pa.timestamp("us"),
        1184: pa.timestamp("us", tz="UTC"),
    }
    return known.get(type_code)


class PulledTable:
    """The `sql` source's table, pulled whole into the local DuckDB.

    `describe()` and `sample()` are the SqlTable's; `query_runner()` streams every row out of
    Postgres through a named (server-side) cursor, chunk by chunk as Arrow record batches,
    into a `LocalDuckDB`, the way `IcebergTable.query_runner` loads a snapshot.
    """

    def __init__(
        self, table: SqlTable, settings: LocalScanSettings, chunk_rows: int, counters: Counters
    ) -> None:
        self.name = table.name
        self._table = table
        self._settings = settings
        self._chunk_rows = chunk_rows
        self._counters = counters

    def describe(self) -> Any:
        """The SqlTable's description: the columns reflected from the Postgres catalog."""
        return self._table.describe()

    def sample(self, n: int) -> pd.DataFrame:
        """The SqlTable's bounded sample."""
        return self._table.sample(n)

    @contextmanager
    def query_runner(self, references: Sequence[ReferenceRequest] = ()) -> Iterator[LocalDuckDB]:
        """Pull the table into a LocalDuckDB, seal it and yield it."""
        from dq_resources.engines import LocalDuckDB

        with LocalDuckDB(self._settings) as engine:
            began = time.perf_counter()
            engine.load(self.arrow_stream())
            self._counters.add("pull + load into DuckDB", time.perf_counter() - began)
            for request in references:
                engine.reference_errors[request.name] = "references are not pulled by this benchmark"
            engine.seal()
            yield engine

    def arrow_stream(self) -> pa.RecordBatchReader:
        """Every row of the table, `chunk_rows` per FETCH from a server-side cursor, as Arrow batches."""
        import pyarrow as pa
        from sqlglot import exp

        counters, size = self._counters, self._chunk_rows
        sql = exp.select("*").from_(self._table.relation).sql(dialect=self._table.dialect)
        raw = self._table.engine.raw_connection()
        cursor = raw.driver_connection.cursor(name=f"dq_bench_pull_{uuid.uuid4().hex[:8]}")  # type: ignore[union-attr]
        cursor.itersize = size

        def fetch() -> list[tuple[Any, ...]]:
            began = time.perf_counter()
            rows = cursor.fetchmany(size)
            counters.add("pull: FETCH from Postgres (psycopg2 tuples)", time.perf_counter() - began)
            counters.rows_moved += len(rows)
            return rows

        def convert(rows: list[tuple[Any, ...]], types: list[pa.DataType | None]) -> pa.RecordBatch:
            began = time.perf_counter()
            columns = [
                pa.array(values, type=kind)
                for values, kind in zip(zip(*rows, strict=True), types, strict=True)
            ]
            batch = pa.RecordBatch.from_arrays(columns, names=names)
            counters.add("pull: tuples -> Arrow", time.perf_counter() - began)
            return batch

        def close() -> None:
            cursor.close()
            raw.rollback()
            raw.close()

        try:
            cursor.execute(sql)
            first = fetch()
        except BaseException:
            close()
            raise
        names = [column.name for column in cursor.description]
        types = [arrow_type(column.type_code) for column in cursor.description]
        if first:
            head = convert(first, types)
            schema = head.schema
        else:
            head = None
            schema = pa.schema([(n, t or pa.string()) for n, t in zip(names, types, strict=True)])
        known = list(schema.types)

        def batches() -> Iterator[pa.RecordBatch]:
            try:
                if head is not None:
                    yield head
                while rows := fetch():
                    yield convert(rows, known)
            finally:
                close()

        return pa.RecordBatchReader.from_batches(schema, batches())


def load_definition(folder: Path, rows: int) -> DefinedTable:
    """Write the YAML and load it as production does; any problem stops the benchmark."""
    from dq_checks.config.loader import load_table_specs

    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{TABLE_NAME}.yaml").write_text(definition_yaml(rows), encoding="utf-8")
    loaded = load_table_specs(folder)
    if loaded.problems != () or loaded.rule_problems != ():
        problems = [str(p) for p in loaded.problems] + list(loaded.rule_problems)
        raise SystemExit("the benchmark definition does not load:\n" + "\n".join(problems))
    defined = loaded.by_name(TABLE_NAME)
    if defined is None:
        raise SystemExit(f"table {TABLE_NAME!r} is missing from the definitions")
    if len(defined.rules) != len(bench_rules(rows)):
        raise SystemExit(f"expected {len(bench_rules(rows))} rules, loaded {len(defined.rules)}")
    return defined


def run_variant(name: str, rows: int, workdir: Path, chunk_rows: int) -> dict[str, Any]:
    """Open the table and run `inspect_table`, pushed down or pulled into DuckDB."""
    import psycopg2
    import sqlalchemy.dialects.postgresql.psycopg2  # noqa: F401  (imported here so the timer does not pay for it)

    from dq_resources.engines.sql_runner import SqlRunner
    from dq_resources.sql.resource import SqlSourceResource, SqlTable
    from dq_runs.inspect import inspect_table

    if name == "pull":
        import duckdb
        import pyarrow  # noqa: F401

        from dq_resources.engines.local_duckdb import LocalDuckDB, LocalScanSettings

    defined = load_definition(workdir / f"{name}-{os.getpid()}", rows)
    counters = Counters()
    SqlTable.describe = counters.timed("describe (catalog reflection)", SqlTable.describe)  # type: ignore[method-assign]
    SqlRunner.fetch_rows = counters.timed_query(  # type: ignore[method-assign]
        "queries in Postgres", SqlRunner.fetch_rows, count_rows=True
    )
    if name == "pull":
        LocalDuckDB.fetch_rows = counters.timed_query(  # type: ignore[method-assign]
            "queries in DuckDB", LocalDuckDB.fetch_rows, count_rows=False
        )

    before = peak_rss_kib()
    start, cpu_start = time.perf_counter(), time.process_time()
    opened: Any = SqlSourceResource().open(defined.spec.source)
    if name == "pull":
        opened = PulledTable(opened, LocalScanSettings(), chunk_rows, counters)
    inspection = inspect_table(defined, opened)
    end, cpu_end = time.perf_counter(), time.process_time()

    versions = {"psycopg2": psycopg2.__version__.split()[0]}
    if name == "pull":
        versions["duckdb"] = duckdb.__version__
    return {
        "seconds": end - start,
        "cpu_seconds": cpu_end - cpu_start,
        "rss_before_kib": before,
        "rows_moved": counters.rows_moved,
        "queries": counters.queries,
        "phases": counters.seconds,
        "slowest": sorted(counters.slowest, reverse=True)[:20],
        "profile": inspection.profile.to_dict(),
        "anomalies": sorted(f"{a.column}:{a.type}" for a in inspection.anomalies),
        "checks": [
            {"name": c.name, "outcome": c.outcome.value, "description": c.description}
            for c in inspection.checks
        ],
        "versions": versions,
    }


def child_main(name: str, rows: int, workdir: Path, chunk_rows: int) -> int:
    result = run_variant(name, rows, workdir, chunk_rows)
    result["peak_rss_kib"] = peak_rss_kib()
    print(RESULT_MARKER + json.dumps(result), flush=True)
    return 0


# --------------------------------------------------------------------------- comparison


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=REL_TOLERANCE, abs_tol=0.0)


def _close_lists(a: Sequence[Any], b: Sequence[Any]) -> bool:
    return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))


REQUIRED_EXACT = ("null_count", "distinct_count", "min", "max")
OTHER_EXACT = ("row_count", "zeros", "negatives", "non_finite")
OTHER_CLOSE = ("std", "q1", "median", "q3")


def compare_profiles(a: dict[str, Any], b: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(differences in the required numbers, differences in the other numbers), as text."""
    required: list[str] = []
    other: list[str] = []
    if a["row_count"] != b["row_count"]:
        required.append(f"row_count: {a['row_count']} vs {b['row_count']}")
    for name in sorted(set(a["columns"]) | set(b["columns"])):
        ca, cb = a["columns"].get(name), b["columns"].get(name)
        if ca is None or cb is None:
            required.append(f"{name}: profiled by one variant only")
            continue
        for key in REQUIRED_EXACT:
            if ca[key] != cb[key]:
                required.append(f"{name}.{key}: {ca[key]!r} vs {cb[key]!r}")
        if not _close(ca["mean"], cb["mean"]):
            required.append(f"{name}.mean: {ca['mean']!r} vs {cb['mean']!r}")
        for key in OTHER_EXACT:
            if ca[key] != cb[key]:
                other.append(f"{name}.{key}: {ca[key]!r} vs {cb[key]!r}")
        for key in OTHER_CLOSE:
            if not _close(ca[key], cb[key]):
                other.append(f"{name}.{key}: {ca[key]!r} vs {cb[key]!r}")
        if ca["top_values"] != cb["top_values"]:
            other.append(f"{name}.top_values differ")
        oa, ob = ca["outliers"], cb["outliers"]
        if (oa is None) != (ob is None):
            other.append(f"{name}.outliers: computed by one variant only")
        elif oa is not None and ob is not None:
            for key in ("zscore_count", "iqr_count"):
                if oa[key] != ob[key]:
                    other.append(f"{name}.outliers.{key}: {oa[key]} vs {ob[key]}")
            for key in ("iqr_lower_bound", "iqr_upper_bound"):
                if not _close(oa[key], ob[key]):
                    other.append(f"{name}.outliers.{key}: {oa[key]!r} vs {ob[key]!r}")
            for key in ("largest", "smallest"):
                if not _close_lists(oa[key], ob[key]):
                    other.append(f"{name}.outliers.{key} differ")
    return required, other


# --------------------------------------------------------------------------- parent side


@dataclass
class Measurement:
    """The best of K runs of one variant."""

    name: str
    seconds: float
    peak_rss_mib: float
    rss_before_mib: float
    extra: dict[str, Any]


def run_child(script: Path, args: argparse.Namespace, name: str, workdir: Path) -> dict[str, Any]:
    command = [
        sys.executable,
        str(script),
        "--rows",
        str(args.rows),
        "--chunk-rows",
        str(args.chunk_rows),
        "--only",
        name,
        "--workdir",
        str(workdir),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARKER)]
    if done.returncode != 0 or not lines:
        sys.stderr.write(done.stdout[-5000:] + done.stderr[-5000:])
        raise SystemExit(f"{name}: child process failed with exit code {done.returncode}")
    return json.loads(lines[-1].removeprefix(RESULT_MARKER))


def measure(script: Path, args: argparse.Namespace, workdir: Path) -> dict[str, Measurement]:
    """K interleaved rounds (pushdown, pull, pushdown, pull, ...); each variant's fastest run is kept."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in VARIANTS}
    for round_number in range(1, args.repeat + 1):
        for name in VARIANTS:
            suffix = f" (round {round_number} of {args.repeat})" if args.repeat > 1 else ""
            print(f"running {LABELS[name]}{suffix} ...", flush=True)
            runs[name].append(run_child(script, args, name, workdir))
    results = {}
    for name, done in runs.items():
        best = min(done, key=lambda run: float(run["seconds"]))
        results[name] = Measurement(
            name=name,
            seconds=float(best["seconds"]),
            peak_rss_mib=max(int(run["peak_rss_kib"]) for run in done) / 1024,
            rss_before_mib=max(int(run["rss_before_kib"]) for run in done) / 1024,
            extra=best,
        )
    return results


def print_table(rows: Sequence[Sequence[str]], right_from: int = 1) -> None:
    """Columns padded to their widest cell; columns from `right_from` on are right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        cells = [
            cell.rjust(width) if i >= right_from else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        print("  " + "  ".join(cells).rstrip())
        if index == 0:
            print("  " + "  ".join("-" * w for w in widths))


def report(
    args: argparse.Namespace,
    filled: dict[str, Any],
    results: dict[str, Measurement],
    load: tuple[float, float],
) -> None:
    push, pull = results["pushdown"], results["pull"]
    print()
    print(
        f"rows: {args.rows:,} x 6 columns in {SCHEMA}.{TABLE}, {filled['bytes'] / 2**20:,.0f} MiB on disk; "
        f"filled in {filled['insert_seconds']:.1f} s (INSERT ... SELECT) + "
        f"{filled['vacuum_seconds']:.1f} s (VACUUM ANALYZE), not part of the comparison"
    )
    rounds = f"best of {args.repeat} interleaved rounds" if args.repeat > 1 else "one run"
    print(
        f"timing: {rounds}, each run of each variant in a fresh process; pull FETCH size {args.chunk_rows:,}"
    )
    print(
        f"load average (1 min) before / after the runs: {load[0]:.2f} / {load[1]:.2f} "
        f"on {os.cpu_count()} CPUs; Postgres runs on the same machine"
    )
    print()
    table = [
        (
            "variant",
            "seconds",
            "client CPU s",
            "peak RSS MiB",
            "RSS before work MiB",
            "rows moved out of Postgres",
            "queries",
        )
    ]
    table += [
        (
            LABELS[m.name],
            f"{m.seconds:.2f}",
            f"{m.extra['cpu_seconds']:.2f}",
            f"{m.peak_rss_mib:,.0f}",
            f"{m.rss_before_mib:,.0f}",
            f"{int(m.extra['rows_moved']):,}",
            f"{m.extra['queries']}",
        )
        for m in results.values()
    ]
    print_table(table)
    print()
    print(f"pull / pushdown, time:     {pull.seconds / push.seconds:.2f}{TIMES}")
    print(f"pull / pushdown, peak RSS: {pull.peak_rss_mib / push.peak_rss_mib:.2f}{TIMES}")
    grown_push = max(push.peak_rss_mib - push.rss_before_mib, 1.0)
    grown_pull = pull.peak_rss_mib - pull.rss_before_mib
    print(
        f"pull / pushdown, RSS growth during the work: {grown_pull:,.0f} / {grown_push:,.0f} MiB "
        f"= {grown_pull / grown_push:.1f}{TIMES}"
    )
    print("(RSS is the client process's; the Postgres server's memory is not in it)")

    for m in results.values():
        total = float(m.seconds)
        phases = dict(m.extra["phases"])
        parts = [f"{phase} {seconds:.2f} s" for phase, seconds in phases.items()]
        nested = sum(seconds for phase, seconds in phases.items() if not phase.startswith("pull: "))
        parts.append(f"other (planning, judging, engine set-up) {max(0.0, total - nested):.2f} s")
        print()
        print(f"{LABELS[m.name]}, by phase: " + ", ".join(parts))
        if args.show_queries:
            print(f"  the {args.show_queries} slowest queries:")
            for seconds, sql in m.extra["slowest"][: args.show_queries]:
                text = sql if len(sql) <= 150 else sql[:147] + "..."
                print(f"  {seconds:7.3f} s  {text}")

    print()
    required, other = compare_profiles(push.extra["profile"], pull.extra["profile"])
    columns = len(push.extra["profile"]["columns"])
    verdict = "yes" if not required else "NO"
    print(
        f"profiles agree (row count; null count, distinct count, min, max, mean within {REL_TOLERANCE:g} "
        f"relative, for {columns} columns): {verdict}"
    )
    for line in required:
        print(f"  {line}")
    others = "yes" if not other else f"no, {len(other)} difference(s)"
    print(f"other profile numbers agree (std, quartiles, zeros, negatives, top values, outliers): {others}")
    for line in other:
        print(f"  {line}")

    push_checks = {c["name"]: c for c in push.extra["checks"]}
    pull_checks = {c["name"]: c for c in pull.extra["checks"]}
    rules = bench_rules(args.rows)
    print()
    table = [("#", "check", "planted", "pushdown", "pull")]
    for number, rule in enumerate(rules, start=1):
        table.append(
            (
                str(number),
                rule.name,
                rule.planted,
                push_checks.get(rule.name, {}).get("outcome", "missing"),
                pull_checks.get(rule.name, {}).get("outcome", "missing"),
            )
        )
    names = {rule.name for rule in rules}
    for name in [n for n in push_checks if n not in names]:
        table.append(
            ("", name, "", push_checks[name]["outcome"], pull_checks.get(name, {}).get("outcome", "missing"))
        )
    print_table(table, right_from=5)
    disagree = [
        name
        for name in sorted(set(push_checks) | set(pull_checks))
        if push_checks.get(name, {}).get("outcome") != pull_checks.get(name, {}).get("outcome")
    ]
    print(
        f"check outcomes agree ({len(push_checks)} checks, {len(rules)} of them rules): "
        f"{'yes' if not disagree else 'NO: ' + ', '.join(disagree)}"
    )
    for name in disagree:
        for label, checks in (("pushdown", push_checks), ("pull", pull_checks)):
            print(f"  {name} [{label}]: {checks.get(name, {}).get('description', 'missing')}")
    surprises = [r.name for r in rules if push_checks.get(r.name, {}).get("outcome") != r.planted]
    print(f"rule outcomes other than planted (pushdown): {', '.join(surprises) or 'none'}")
    for name in [n for n in surprises if push_checks.get(n, {}).get("outcome") == "error"]:
        print(f"  ERROR {name}: {push_checks[name]['description']}")
    same_anomalies = push.extra["anomalies"] == pull.extra["anomalies"]
    print(
        f"anomalies: pushdown {', '.join(push.extra['anomalies']) or '-'}; "
        f"pull {'the same' if same_anomalies else ', '.join(pull.extra['anomalies']) or '-'}"
    )


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--rows", type=int, default=DEFAULT_ROWS, help=f"rows in the table (default {DEFAULT_ROWS:,})"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run K interleaved rounds, each run in a fresh process; keep the best",
    )
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help=f"a server where the throw-away database is created (default {DEFAULT_POSTGRES_URL})",
    )
    parser.add_argument(
        "--chunk-rows",
        type=int,
        default=DEFAULT_CHUNK_ROWS,
        help=f"rows per FETCH (and per Arrow batch) for the pull (default {DEFAULT_CHUNK_ROWS:,})",
    )
    parser.add_argument(
        "--show-queries",
        type=int,
        default=5,
        metavar="N",
        help="print each variant's N slowest queries (default 5)",
    )
    parser.add_argument("--only", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rows <= 0 or args.repeat <= 0 or args.chunk_rows <= 0 or args.show_queries < 0:
        parser.error("--rows, --repeat and --chunk-rows must be positive, --show-queries not negative")
    if args.only is not None and (args.workdir is None or URL_VARIABLE not in os.environ):
        parser.error(f"--only needs --workdir and {URL_VARIABLE}")
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    if args.only is not None:
        return child_main(args.only, args.rows, args.workdir, args.chunk_rows)

    # A SIGTERM unwinds like Ctrl-C, so the finally below still drops the database.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    script = Path(__file__).resolve()
    database = f"dq_bench_pushdown_{uuid.uuid4().hex[:10]}"
    workdir = Path(tempfile.mkdtemp(prefix="dq-pushdown-bench-"))
    create_database(args.postgres_url, database)
    try:
        url = database_url(args.postgres_url, database)
        os.environ[URL_VARIABLE] = url  # the children inherit it; the YAML names only the variable
        print(f"filling {args.rows:,} rows into {SCHEMA}.{TABLE} in database {database} ...", flush=True)
        filled = fill_table(url, args.rows)
        load_before = os.getloadavg()[0]
        results = measure(script, args, workdir)
        report(args, filled, results, (load_before, os.getloadavg()[0]))
    finally:
        drop_database(args.postgres_url, database)
        shutil.rmtree(workdir, ignore_errors=True)
        print(f"\ndropped database {database}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
