"""Benchmark checking one partition of a daily-partitioned table against a table of one day's size.

Usage: `python bench/partition_bench.py [--days D] [--rows N] [--repeat K] [--days-per-append A]
[--postgres | --no-postgres] [--postgres-rows P] [--postgres-url URL] [--no-iceberg]`

The goal: checking one partition (`partition:` in the definition, one Dagster partition key)
costs about what checking a table holding only that partition's rows costs (within 2x), not
what checking the whole table costs. Three variants run the same check step on each source:

* one partition: the definition has `partition: {column: order_date, by: day, start: ...}`;
  the timer covers opening the table with the product's resource, `row_slice_for(defined,
  key)` for the middle day, wrapping the opened table in `PartitionOfTable(opened, row_slice,
  where)` as the asset step does, and `inspect_table(defined, partition)`;
* standalone: a table holding exactly the middle day's rows (the same rows), checked with
  the same definition minus `partition:`;
* whole table: the partitioned table checked without `PartitionOfTable`.

`inspect_table` runs with no history, no earlier runs and no scan cache (its defaults), so
every run scans. It runs the profile (default level), anomaly detection and the five rules
below, all planted to pass: `RowCount > 0`, `IsPrimaryKey "id"`, `ColumnValues "amount" > 0`,
`Completeness "city" > 0.9` and `ColumnValues "status" in [...]`. The definitions are YAML
files in a temporary folder loaded with `load_table_specs`, as production does; loading them
is not timed.

Iceberg. A temporary pyiceberg SQL catalog `bench` (sqlite and a local file warehouse, set
through `PYICEBERG_CATALOG__BENCH__*`) holds `bench.orders`, identity-partitioned on the DATE
column `order_date`, with `--rows` rows (default 20,000,000) spread evenly over `--days` days
(default 365) from 2025-01-01, and `bench.orders_day`, unpartitioned, holding the middle day's
rows. Each day's rows come from `numpy.random.default_rng([SEED, day])`, so the standalone
table holds exactly the partition's rows. Columns: `id` (int64, unique), `order_date` (date),
`amount` (lognormal(3, 1)), `quantity` (Poisson(3) + 1, int32), `status` (5 values) and
`city` (1,000 values, NULL in 2% of rows). Days are appended a block at a time (about
1,000,000 rows per append, or `--days-per-append`); pyiceberg writes one data file per day.

Postgres (`--postgres`; by default when the server answers). A throw-away database
`dq_bench_partition_<random>` on the server at `--postgres-url` (default `DQ_TEST_POSTGRES_URL`,
else `postgresql://postgres@127.0.0.1:5432/test`) gets `bench.orders`, `--postgres-rows` rows
(default 5,000,000) over the same days, filled with `INSERT ... SELECT FROM generate_series`
(values from integer hashing: deterministic), an index on `order_date` and `VACUUM (ANALYZE)`,
and `bench.orders_day`, the middle day's rows (`CREATE TABLE ... AS SELECT`). The variants use
the product's `sql` source (every query in Postgres). The database is dropped at the end, also
when something fails. The script also prints the plan Postgres chose for the partition's
slowest query (`EXPLAIN`, run after the timer stopped), to show whether the index was used.

Each run of each variant is a fresh child process (this script again, with the hidden flag
`--only NAME`); `--repeat K` runs K interleaved rounds and keeps each variant's fastest time
and highest peak. Time is `time.perf_counter()` in the child around the work above only (not
the imports, not the YAML load); CPU is the child's `time.process_time()` over the same span
(every thread; the Postgres server's work is not in it, only in the wall time). Memory is
the child's `ru_maxrss`, which includes the interpreter and libraries (shown as the peak
before the work began). Phases are timed by wrapping the methods the step calls (open,
describe, the Iceberg file planning, the view over the files or the copy, every query),
which costs microseconds. The partition's and the standalone table's profiles and check
outcomes are compared: they read the same rows, so they must agree. This is a benchmark,
not a test: it prints numbers, and the 2x goal prints PASS or MISS without changing the
exit code.
"""

# The parent imports only the standard library (and psycopg2, to create, fill and drop the
# Postgres database): Linux starts a child's ru_maxrss at its parent's peak, so the parent
# stays small. The data is generated and written in a child process, and every variant runs
# in a child of its own that imports what it needs.

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import profile_bench as pb
import pushdown_bench as pushdown

if TYPE_CHECKING:
    import pyarrow as pa

    from dq_checks.config.loader import DefinedTable

DEFAULT_DAYS = 365
DEFAULT_ROWS = 20_000_000
DEFAULT_POSTGRES_ROWS = 5_000_000
APPEND_ROWS = 1_000_000
START = date(2025, 1, 1)
SEED = 20250101
CATALOG = pb.CATALOG
NAMESPACE = "bench"
PARTITIONED = "orders"
STANDALONE = "orders_day"
PARTITION_COLUMN = "order_date"
URL_VARIABLE = "DQ_BENCH_PARTITION_URL"
POSTGRES_URL_VARIABLE = "DQ_TEST_POSTGRES_URL"
RESULT_MARKER = "BENCH-RESULT "
STATUSES = ("placed", "paid", "shipped", "delivered", "returned")
STATUS_WEIGHTS = (0.1, 0.15, 0.25, 0.45, 0.05)
CITY_COUNT = 1000
CITY_NULL_SHARE = 0.02
GOAL_RATIO = 2.0
VARIANTS = ("partition", "standalone", "whole")
TIMES = "\N{MULTIPLICATION SIGN}"


def middle_day(days: int) -> date:
    """The day whose partition is checked: the middle one of the table's days."""
    return START + timedelta(days=days // 2)


def rows_per_day(days: int, rows: int) -> list[int]:
    """`rows` spread over `days` days as evenly as integers allow (the first days get one more)."""
    base, extra = divmod(rows, days)
    return [base + (1 if day < extra else 0) for day in range(days)]


def label(variant: str, days: int) -> str:
    """How the report names a variant."""
    return {
        "partition": f"one partition ({middle_day(days).isoformat()})",
        "standalone": "standalone table of that day's rows",
        "whole": "whole partitioned table",
    }[variant]


# --------------------------------------------------------------------------- definitions


@dataclass(frozen=True)
class BenchRule:
    """One DQDL rule; all of them pass on the generated data."""

    name: str
    dqdl: str


def bench_rules() -> tuple[BenchRule, ...]:
    statuses = ", ".join(f'"{s}"' for s in STATUSES)
    return (
        BenchRule("has_rows", "RowCount > 0"),
        BenchRule("id_primary_key", 'IsPrimaryKey "id"'),
        BenchRule("amount_positive", 'ColumnValues "amount" > 0'),
        BenchRule("city_mostly_known", 'Completeness "city" > 0.9'),
        BenchRule("status_domain", f'ColumnValues "status" in [{statuses}]'),
    )


def definition_yaml(table: str, source: str, *, partitioned: bool) -> str:
    """A table definition as production reads it; JSON strings are valid YAML scalars."""
    lines = [f"table: {table}", f"source: {source}"]
    if partitioned:
        lines.append(f'partition: {{column: {PARTITION_COLUMN}, by: day, start: "{START.isoformat()}"}}')
    lines.append("rules:")
    lines += [f"  - {{name: {rule.name}, rule: {json.dumps(rule.dqdl)}}}" for rule in bench_rules()]
    return "\n".join(lines) + "\n"


def variant_definition(backend: str, variant: str) -> str:
    """The YAML of `variant`: the partitioned table (with `partition:`) or the standalone one."""
    table = STANDALONE if variant == "standalone" else PARTITIONED
    if backend == "iceberg":
        source = f"{{type: iceberg, catalog: {CATALOG}, identifier: {NAMESPACE}.{table}}}"
    else:
        source = f"{{type: sql, url: '${{{URL_VARIABLE}}}', table: {NAMESPACE}.{table}}}"
    return definition_yaml(table, source, partitioned=variant != "standalone")


def load_definition(folder: Path, text: str) -> DefinedTable:
    """Write the YAML and load it as production does; any problem stops the benchmark."""
    from dq_checks.config.loader import load_table_specs

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "table.yaml").write_text(text, encoding="utf-8")
    loaded = load_table_specs(folder)
    if loaded.problems != () or loaded.rule_problems != ():
        problems = [str(p) for p in loaded.problems] + list(loaded.rule_problems)
        raise SystemExit("the benchmark definition does not load:\n" + "\n".join(problems))
    if len(loaded.tables) != 1:
        raise SystemExit(f"expected one table in the definition, loaded {len(loaded.tables)}")
    defined = loaded.tables[0]
    if len(defined.rules) != len(bench_rules()):
        raise SystemExit(f"expected {len(bench_rules())} rules, loaded {len(defined.rules)}")
    return defined


# --------------------------------------------------------------------------- Iceberg data (child side)


def generate_day(day: int, first_id: int, rows: int) -> pa.Table:
    """Day `day`'s rows, ids from `first_id`: the same whatever the table's size or layout."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng([SEED, day])
    cities = pa.array([f"city_{i:04d}" for i in range(CITY_COUNT)], pa.string())
    city_codes = rng.integers(0, CITY_COUNT, size=rows).astype(np.int32)
    city_nulls = rng.random(rows) < CITY_NULL_SHARE
    status_codes = rng.choice(len(STATUSES), size=rows, p=STATUS_WEIGHTS).astype(np.int8)
    return pa.table(
        {
            "id": pa.array(np.arange(first_id, first_id + rows, dtype=np.int64), pa.int64()),
            PARTITION_COLUMN: pa.array([START + timedelta(days=day)] * rows, pa.date32()),
            "amount": pa.array(np.round(rng.lognormal(3.0, 1.0, size=rows), 2), pa.float64()),
            "quantity": pa.array((rng.poisson(3.0, size=rows) + 1).astype(np.int32), pa.int32()),
            "status": pa.DictionaryArray.from_arrays(
                pa.array(status_codes), pa.array(STATUSES, pa.string())
            ).dictionary_decode(),
            "city": pa.DictionaryArray.from_arrays(
                pa.array(city_codes, mask=city_nulls), cities
            ).dictionary_decode(),
        }
    )


def build_iceberg(days: int, rows: int, days_per_append: int | None) -> dict[str, Any]:
    """Write the partitioned table (a block of days per append) and the standalone one."""
    import pyarrow as pa

    from dq_resources.iceberg.catalogs import load_named_catalog

    counts = rows_per_day(days, rows)
    per_append = days_per_append or max(1, APPEND_ROWS // max(1, rows // days))
    middle = days // 2
    began = time.perf_counter()
    catalog = load_named_catalog(CATALOG)
    catalog.create_namespace(NAMESPACE)
    table = None
    appends = 0
    first_id = 0
    middle_rows: pa.Table | None = None
    for block_start in range(0, days, per_append):
        block = []
        for day in range(block_start, min(days, block_start + per_append)):
            chunk = generate_day(day, first_id, counts[day])
            first_id += counts[day]
            if day == middle:
                middle_rows = chunk
            block.append(chunk)
        data = pa.concat_tables(block)
        if table is None:
            table = catalog.create_table(f"{NAMESPACE}.{PARTITIONED}", schema=data.schema)
            with table.update_spec() as spec:
                spec.add_identity(PARTITION_COLUMN)
        table.append(data)
        appends += 1
    written = time.perf_counter()
    assert table is not None and middle_rows is not None
    standalone = catalog.create_table(f"{NAMESPACE}.{STANDALONE}", schema=middle_rows.schema)
    standalone.append(middle_rows)
    files = [task.file for task in table.scan().plan_files()]
    return {
        "seconds": written - began,
        "standalone_seconds": time.perf_counter() - written,
        "appends": appends,
        "files": len(files),
        "bytes": sum(f.file_size_in_bytes for f in files),
        "manifests": len(table.current_snapshot().manifests(table.io)),  # type: ignore[union-attr]
        "standalone_files": sum(1 for _ in standalone.scan().plan_files()),
        "standalone_rows": middle_rows.num_rows,
    }


# --------------------------------------------------------------------------- variants (child side)


def peak_rss_kib() -> int:
    """The peak resident set size of this process so far (KiB on Linux)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


@dataclass
class Counters:
    """What one child measured besides the total: time per phase, and the queries."""

    seconds: dict[str, float] = field(default_factory=dict)
    queries: list[tuple[float, Any]] = field(default_factory=list)

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

    def timed_query(self, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """A runner's `fetch_rows`, timed and kept (the SQL is rendered after the timer stops)."""

        @functools.wraps(function)
        def wrapper(runner: Any, query: Any) -> Any:
            began = time.perf_counter()
            try:
                return function(runner, query)
            finally:
                spent = time.perf_counter() - began
                self.add(phase, spent)
                self.queries.append((spent, (query, runner.dialect)))

        return wrapper

    def slowest(self, n: int) -> list[tuple[float, str]]:
        """The `n` slowest queries, rendered in their dialect."""
        ranked = sorted(self.queries, key=lambda item: item[0], reverse=True)[:n]
        return [(spent, query.sql(dialect=dialect)) for spent, (query, dialect) in ranked]


def inspection_summary(inspection: Any) -> dict[str, Any]:
    """What the parent reports and compares: the profile, the checks and how the data was read."""
    from dq_runs.inspect import SCAN_PATH_KEY

    scan_paths = [c.metadata[SCAN_PATH_KEY] for c in inspection.checks if SCAN_PATH_KEY in c.metadata]
    return {
        "rows": inspection.profile.row_count,
        "profile": inspection.profile.to_dict(),
        "checks": [
            {"name": c.name, "outcome": c.outcome.value, "description": c.description}
            for c in inspection.checks
        ],
        "scan_path": str(scan_paths[0]) if scan_paths else "every query in the database",
    }


def run_iceberg(variant: str, days: int, workdir: Path) -> dict[str, Any]:
    """The check step on the Iceberg table: one partition, the standalone table, or the whole table."""
    import duckdb  # noqa: F401  (imported here so the timer does not pay for it)
    import pyiceberg.catalog.sql
    import pyiceberg.io.pyarrow  # noqa: F401

    from dq_assets.partitions import row_slice_for
    from dq_resources.engines.local_duckdb import LocalDuckDB
    from dq_resources.iceberg import IcebergCatalogResource
    from dq_resources.iceberg.resource import IcebergTable
    from dq_resources.source_contract.slicing import PartitionOfTable
    from dq_runs.inspect import inspect_table

    defined = load_definition(
        workdir / f"iceberg-{variant}-{os.getpid()}", variant_definition("iceberg", variant)
    )
    counters = Counters()
    IcebergCatalogResource.open = counters.timed(
        "open (load the catalog and table)", IcebergCatalogResource.open
    )  # type: ignore[method-assign]
    IcebergTable.describe = counters.timed("describe (snapshot metadata)", IcebergTable.describe)  # type: ignore[method-assign]
    IcebergTable.in_place_plan = counters.timed(  # type: ignore[method-assign]
        "plan the data files (pyiceberg scan planning, footers)", IcebergTable.in_place_plan
    )
    LocalDuckDB.read_in_place = counters.timed("view over the files", LocalDuckDB.read_in_place)  # type: ignore[method-assign]
    LocalDuckDB.load = counters.timed("copy into DuckDB", LocalDuckDB.load)  # type: ignore[method-assign]
    LocalDuckDB.fetch_rows = counters.timed_query("queries in DuckDB", LocalDuckDB.fetch_rows)  # type: ignore[method-assign]

    before = peak_rss_kib()
    start, cpu_start = time.perf_counter(), time.process_time()
    opened: Any = IcebergCatalogResource().open(defined.spec.source)  # type: ignore[arg-type]
    if variant == "partition":
        row_slice = row_slice_for(defined, middle_day(days).isoformat())
        opened = PartitionOfTable(opened, row_slice, defined.where("partition"))
    inspection = inspect_table(defined, opened)
    end, cpu_end = time.perf_counter(), time.process_time()
    return {
        "seconds": end - start,
        "cpu_seconds": cpu_end - cpu_start,
        "rss_before_kib": before,
        "phases": counters.seconds,
        "queries": len(counters.queries),
        "slowest": counters.slowest(5),
        **inspection_summary(inspection),
    }


def run_postgres(variant: str, days: int, workdir: Path) -> dict[str, Any]:
    """The check step on the Postgres table through the `sql` source, every query in Postgres."""
    import psycopg2  # noqa: F401  (imported here so the timer does not pay for it)
    import sqlalchemy.dialects.postgresql.psycopg2  # noqa: F401

    from dq_assets.partitions import row_slice_for
    from dq_resources.engines.sql_runner import SqlRunner
    from dq_resources.source_contract.slicing import PartitionOfTable
    from dq_resources.sql.resource import SqlSourceResource, SqlTable
    from dq_runs.inspect import inspect_table

    defined = load_definition(
        workdir / f"pg-{variant}-{os.getpid()}", variant_definition("postgres", variant)
    )
    counters = Counters()
    SqlSourceResource.open = counters.timed("open (engine, connect)", SqlSourceResource.open)  # type: ignore[method-assign]
    SqlTable.describe = counters.timed("describe (catalog reflection)", SqlTable.describe)  # type: ignore[method-assign]
    SqlRunner.fetch_rows = counters.timed_query("queries in Postgres", SqlRunner.fetch_rows)  # type: ignore[method-assign]

    before = peak_rss_kib()
    start, cpu_start = time.perf_counter(), time.process_time()
    table = SqlSourceResource().open(defined.spec.source)  # type: ignore[arg-type]
    opened: Any = table
    if variant == "partition":
        row_slice = row_slice_for(defined, middle_day(days).isoformat())
        opened = PartitionOfTable(table, row_slice, defined.where("partition"))
    inspection = inspect_table(defined, opened)
    end, cpu_end = time.perf_counter(), time.process_time()
    return {
        "seconds": end - start,
        "cpu_seconds": cpu_end - cpu_start,
        "rss_before_kib": before,
        "phases": counters.seconds,
        "queries": len(counters.queries),
        "slowest": counters.slowest(5),
        "plan": explain(table.engine, counters.slowest(1)) if variant != "whole" else [],
        **inspection_summary(inspection),
    }


def explain(engine: Any, slowest: list[tuple[float, str]]) -> list[str]:
    """Postgres's plan for the slowest query, without running it (after the timer stopped)."""
    from sqlalchemy import text

    if not slowest:
        return []
    with engine.connect() as connection:
        plan = connection.execute(text("EXPLAIN " + slowest[0][1].replace(":", r"\:"))).fetchall()
    return [str(row[0]) for row in plan]


def child_main(args: argparse.Namespace) -> int:
    pb.configure_environment(args.workdir)
    backend, _, variant = args.only.partition(":")
    if backend == "build":
        result = build_iceberg(args.days, args.rows, args.days_per_append)
    elif backend == "iceberg":
        result = run_iceberg(variant, args.days, args.workdir)
    else:
        result = run_postgres(variant, args.days, args.workdir)
    result["peak_rss_kib"] = peak_rss_kib()
    print(RESULT_MARKER + json.dumps(result, default=str), flush=True)
    return 0


# --------------------------------------------------------------------------- Postgres data (parent side)


def postgres_statements(days: int, rows: int) -> list[str]:
    """The partitioned-by-date table and its index, filled server-side, and the standalone day."""
    statuses = ", ".join(f"'{s}'" for s in STATUSES)
    table, day = f"{NAMESPACE}.{PARTITIONED}", f"{NAMESPACE}.{STANDALONE}"
    # amount: lognormal(3, 1) from two hashed uniforms (Box-Muller); status: the Iceberg weights.
    u1 = "((((i * 104729) % 99991)::double precision + 0.5) / 99991)"
    u2 = "((((i * 7919) % 10007)::double precision + 0.5) / 10007)"
    status_cut = "(i * 37) % 100"
    return [
        f"CREATE SCHEMA {NAMESPACE}",
        f"CREATE TABLE {table} (id bigint, {PARTITION_COLUMN} date, amount double precision, "
        "quantity integer, status text, city text)",
        f"""
        INSERT INTO {table}
        SELECT
            i,
            DATE '{START.isoformat()}' + (((i - 1) * {days}) / {rows})::int,
            round(exp(3 + sqrt(-2 * ln({u1})) * cos(2 * pi() * {u2}))::numeric, 2)::double precision,
            1 + ((i * 2654435761) % 1000003) % 7,
            (ARRAY[{statuses}])[
                CASE WHEN {status_cut} < 10 THEN 1 WHEN {status_cut} < 25 THEN 2
                     WHEN {status_cut} < 50 THEN 3 WHEN {status_cut} < 95 THEN 4 ELSE 5 END
            ],
            CASE WHEN i % 50 = 7 THEN NULL
                 ELSE 'city_' || lpad(((i * 31337) % {CITY_COUNT})::text, 4, '0') END
        FROM generate_series(1::bigint, {rows}::bigint) AS s(i)
        """,
        f"CREATE INDEX {PARTITIONED}_{PARTITION_COLUMN} ON {table} ({PARTITION_COLUMN})",
        f"CREATE TABLE {day} AS SELECT * FROM {table} "
        f"WHERE {PARTITION_COLUMN} = DATE '{middle_day(days).isoformat()}' ORDER BY id",
    ]


def fill_postgres(url: str, days: int, rows: int) -> dict[str, Any]:
    """Create and fill both tables; VACUUM (ANALYZE) sets hint bits and statistics before any run."""
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            began = time.perf_counter()
            for statement in postgres_statements(days, rows):
                cursor.execute(statement)
            for table in (PARTITIONED, STANDALONE):
                cursor.execute(f"VACUUM (ANALYZE) {NAMESPACE}.{table}")
            seconds = time.perf_counter() - began
            cursor.execute(f"SELECT pg_total_relation_size('{NAMESPACE}.{PARTITIONED}')")
            (size,) = cursor.fetchone()  # type: ignore[misc]
            cursor.execute(f"SELECT count(*) FROM {NAMESPACE}.{STANDALONE}")
            (day_rows,) = cursor.fetchone()  # type: ignore[misc]
    finally:
        connection.close()
    return {"seconds": seconds, "bytes": int(size), "standalone_rows": int(day_rows)}


def postgres_reachable(url: str) -> str | None:
    """None when the server answers, else why not."""
    import psycopg2

    try:
        psycopg2.connect(url, connect_timeout=5).close()
    except psycopg2.OperationalError as error:
        return str(error).strip().splitlines()[0]
    return None


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
    command = [sys.executable, str(script), "--days", str(args.days), "--rows", str(args.rows)]
    if args.days_per_append is not None:
        command += ["--days-per-append", str(args.days_per_append)]
    command += ["--only", name, "--workdir", str(workdir)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARKER)]
    if done.returncode != 0 or not lines:
        sys.stderr.write(done.stdout[-5000:] + done.stderr[-5000:])
        raise SystemExit(f"{name}: child process failed with exit code {done.returncode}")
    return json.loads(lines[-1].removeprefix(RESULT_MARKER))


def measure(script: Path, args: argparse.Namespace, backend: str, workdir: Path) -> dict[str, Measurement]:
    """K interleaved rounds (partition, standalone, whole, partition, ...); each variant's fastest is kept."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in VARIANTS}
    for round_number in range(1, args.repeat + 1):
        for name in VARIANTS:
            suffix = f" (round {round_number} of {args.repeat})" if args.repeat > 1 else ""
            print(f"running {backend}: {label(name, args.days)}{suffix} ...", flush=True)
            runs[name].append(run_child(script, args, f"{backend}:{name}", workdir))
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


def report(
    args: argparse.Namespace, backend: str, results: dict[str, Measurement], show_queries: int
) -> None:
    """The variants' table, the ratios, the phases and whether partition and standalone agree."""
    rounds = f"best of {args.repeat} interleaved rounds" if args.repeat > 1 else "one run each"
    print(f"timing: {rounds}, each run in a fresh process; load average (1 min) now {os.getloadavg()[0]:.2f}")
    print()
    table = [
        (
            "variant",
            "seconds",
            "CPU s",
            "peak RSS MiB",
            "RSS before work MiB",
            "rows checked",
            "queries",
            "read",
        )
    ]
    table += [
        (
            label(m.name, args.days),
            f"{m.seconds:.2f}",
            f"{m.extra['cpu_seconds']:.2f}",
            f"{m.peak_rss_mib:,.0f}",
            f"{m.rss_before_mib:,.0f}",
            f"{int(m.extra['rows']):,}",
            str(m.extra["queries"]),
            m.extra["scan_path"],
        )
        for m in results.values()
    ]
    pushdown.print_table(table, right_from=1)
    part, alone, whole = results["partition"], results["standalone"], results["whole"]
    ratio = part.seconds / alone.seconds
    print()
    verdict = "PASS" if ratio <= GOAL_RATIO else "MISS"
    print(
        f"one partition / standalone:   {ratio:.2f}{TIMES} the time "
        f"(goal: within {GOAL_RATIO:g}{TIMES}) {verdict}; "
        f"{part.peak_rss_mib / alone.peak_rss_mib:.2f}{TIMES} the peak RSS"
    )
    print(
        f"whole table / one partition:  {whole.seconds / part.seconds:.1f}{TIMES} the time, "
        f"{whole.peak_rss_mib / part.peak_rss_mib:.2f}{TIMES} the peak RSS, "
        f"for {int(whole.extra['rows']) / max(1, int(part.extra['rows'])):.0f}{TIMES} the rows"
    )
    for m in results.values():
        phases = dict(m.extra["phases"])
        parts = [f"{phase} {seconds:.3f} s" for phase, seconds in phases.items()]
        rest = m.seconds - sum(phases.values())
        if rest >= 0:
            parts.append(f"everything else (planning, judging, engine set-up) {rest:.3f} s")
        else:  # queries ran on several threads at once: their sum exceeds the wall time
            parts.append("queries overlapped (their sum exceeds the wall time)")
        print()
        print(f"{label(m.name, args.days)}, by phase: " + "; ".join(parts))
        for spent, sql in m.extra["slowest"][:show_queries]:
            text = sql if len(sql) <= 150 else sql[:147] + "..."
            print(f"  {spent:7.3f} s  {text}")
        if m.extra.get("plan"):
            print("  Postgres's plan for the slowest query:")
            for line in m.extra["plan"]:
                print(f"    {line}")

    print()
    required, other = pushdown.compare_profiles(part.extra["profile"], alone.extra["profile"])
    print(f"profiles of the partition and the standalone table agree: {'yes' if not required else 'NO'}")
    for line in required:
        print(f"  {line}")
    print(f"other profile numbers agree: {'yes' if not other else f'no, {len(other)} difference(s)'}")
    for line in other:
        print(f"  {line}")
    outcomes = {name: {c["name"]: c["outcome"] for c in m.extra["checks"]} for name, m in results.items()}
    names = [c["name"] for c in part.extra["checks"]]
    table = [("check", *(label(name, args.days) for name in VARIANTS))]
    table += [(name, *(outcomes[v].get(name, "missing") for v in VARIANTS)) for name in names]
    print()
    pushdown.print_table(table, right_from=len(VARIANTS) + 1)
    differ = [n for n in names if outcomes["partition"].get(n) != outcomes["standalone"].get(n)]
    agree = "yes" if not differ else "NO: " + ", ".join(differ)
    print(f"check outcomes of the partition and the standalone table agree: {agree}")
    errors = [
        (name, c["name"], c["description"])
        for name, m in results.items()
        for c in m.extra["checks"]
        if c["outcome"] == "error"
    ]
    for name, check, description in errors:
        print(f"  ERROR [{name}] {check}: {description}")


def run_iceberg_section(script: Path, args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="dq-partition-bench-"))
    try:
        pb.configure_environment(workdir)
        where = f"{CATALOG}:{NAMESPACE}.{PARTITIONED}"
        print(f"building {args.rows:,} rows over {args.days} days into Iceberg table {where} ...", flush=True)
        built = run_child(script, args, "build", workdir)
        measured = measure(script, args, "iceberg", workdir)
        print()
        print("== Iceberg ==")
        print(
            f"{NAMESPACE}.{PARTITIONED}: {args.rows:,} rows x 6 columns, identity-partitioned by day on "
            f"{PARTITION_COLUMN}, {args.days} days; {built['files']} data files, "
            f"{built['bytes'] / 2**20:,.0f} MiB, {built['manifests']} manifest(s); "
            f"written in {built['seconds']:.1f} s ({built['appends']} append(s))"
        )
        print(
            f"{NAMESPACE}.{STANDALONE}: the {int(built['standalone_rows']):,} rows of "
            f"{middle_day(args.days).isoformat()}, unpartitioned, {built['standalone_files']} data file(s); "
            f"written in {built['standalone_seconds']:.1f} s"
        )
        report(args, "iceberg", measured, args.show_queries)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run_postgres_section(script: Path, args: argparse.Namespace) -> None:
    database = f"dq_bench_partition_{uuid.uuid4().hex[:10]}"
    workdir = Path(tempfile.mkdtemp(prefix="dq-partition-bench-pg-"))
    pushdown.create_database(args.postgres_url, database)
    try:
        url = pushdown.database_url(args.postgres_url, database)
        os.environ[URL_VARIABLE] = url  # the children inherit it; the YAML names only the variable
        where = f"{NAMESPACE}.{PARTITIONED} in database {database}"
        print(f"filling {args.postgres_rows:,} rows over {args.days} days into {where} ...", flush=True)
        filled = fill_postgres(url, args.days, args.postgres_rows)
        pg_args = argparse.Namespace(**{**vars(args), "rows": args.postgres_rows})
        measured = measure(script, pg_args, "postgres", workdir)
        print()
        print("== Postgres ==")
        print(
            f"{NAMESPACE}.{PARTITIONED}: {args.postgres_rows:,} rows x 6 columns over {args.days} days, "
            f"a btree index on {PARTITION_COLUMN}, {filled['bytes'] / 2**20:,.0f} MiB with the index; "
            f"filled, indexed and analyzed in {filled['seconds']:.1f} s"
        )
        print(
            f"{NAMESPACE}.{STANDALONE}: the {filled['standalone_rows']:,} rows of "
            f"{middle_day(args.days).isoformat()}, no index; Postgres runs on this machine, "
            "so its work is in the wall time, not in CPU s"
        )
        report(pg_args, "postgres", measured, args.show_queries)
    finally:
        pushdown.drop_database(args.postgres_url, database)
        shutil.rmtree(workdir, ignore_errors=True)
        print(f"\ndropped database {database}", flush=True)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--days", type=int, default=DEFAULT_DAYS, help=f"days, one partition each (default {DEFAULT_DAYS})"
    )
    parser.add_argument(
        "--rows", type=int, default=DEFAULT_ROWS, help=f"rows of the Iceberg table (default {DEFAULT_ROWS:,})"
    )
    parser.add_argument(
        "--days-per-append",
        type=int,
        help=f"days per Iceberg append, one manifest each (default: about {APPEND_ROWS:,} rows' worth)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run K interleaved rounds, each run in a fresh process; keep the best",
    )
    parser.add_argument(
        "--iceberg",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run the Iceberg part (default: yes)",
    )
    parser.add_argument(
        "--postgres",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run the Postgres part (default: when the server answers)",
    )
    parser.add_argument(
        "--postgres-rows",
        type=int,
        default=DEFAULT_POSTGRES_ROWS,
        help=f"rows of the Postgres table (default {DEFAULT_POSTGRES_ROWS:,})",
    )
    default_url = os.environ.get(POSTGRES_URL_VARIABLE, pushdown.DEFAULT_POSTGRES_URL)
    parser.add_argument(
        "--postgres-url",
        default=default_url,
        help=(
            f"a server where the throw-away database is created "
            f"(default ${POSTGRES_URL_VARIABLE}, else {pushdown.DEFAULT_POSTGRES_URL})"
        ),
    )
    parser.add_argument(
        "--show-queries",
        type=int,
        default=3,
        metavar="N",
        help="print each variant's N slowest queries (default 3)",
    )
    parser.add_argument("--only", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.days, args.rows, args.repeat, args.postgres_rows) <= 0 or args.show_queries < 0:
        parser.error(
            "--days, --rows, --repeat and --postgres-rows must be positive, --show-queries not negative"
        )
    if args.days_per_append is not None and args.days_per_append <= 0:
        parser.error("--days-per-append must be positive")
    if args.rows < args.days or args.postgres_rows < args.days:
        parser.error("every day needs at least one row: --rows and --postgres-rows must be at least --days")
    if args.only is not None and args.workdir is None:
        parser.error("--only needs --workdir")
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    if args.only is not None:
        return child_main(args)

    # A SIGTERM unwinds like Ctrl-C, so the finally blocks still drop the database and the catalog.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    script = Path(__file__).resolve()
    print(f"machine: {os.cpu_count()} CPUs; load average (1 min) {os.getloadavg()[0]:.2f}", flush=True)
    if args.iceberg:
        run_iceberg_section(script, args)
    postgres = args.postgres
    if postgres is not False:
        problem = postgres_reachable(args.postgres_url)
        if problem is not None:
            if postgres:
                raise SystemExit(f"Postgres is not reachable at {args.postgres_url}: {problem}")
            print(f"\nPostgres part skipped: the server at {args.postgres_url} does not answer ({problem})")
            postgres = False
    if postgres is not False:
        print()
        run_postgres_section(script, args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
