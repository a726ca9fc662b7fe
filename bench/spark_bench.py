"""Benchmark the check step on one Parquet table: Spark local mode against dq's local DuckDB engine.

The `spark` source (Spark SQL through a local SparkSession) and the `file` source (dq's own
DuckDB engine) check the same file.

Usage: `python bench/spark_bench.py [ROWS] [--repeat K]` (ROWS defaults to 1,000,000).

The parent writes one Parquet file of ROWS rows with DuckDB (`COPY (SELECT ... FROM range(N))`,
deterministic: every value is a function of the row number) into a temporary folder, deleted at
the end:

| column | type | values |
| --- | --- | --- |
| id | bigint | 0..N-1, unique |
| customer_id | bigint | N/4 customers, each about 4 times |
| amount | double | 0.00..999.99; NULL in 0.1% of rows; one planted 1e9 |
| status | varchar | 5 values, 50/20/20/7/3% |
| created_at | timestamp with time zone | one a minute from 2024-01-01 |
| category | varchar | 250 values; NULL in 0.5% of rows |

Both variants run the same check step, `inspect_table(defined, opened)`, on that file: describe,
the profile with the rules' metrics in the same scan, anomalies, the 12 DQDL rules below and the
quality score. `defined` comes from a YAML definition loaded with `load_table_specs`, as in
production: `type: spark, path: ...` (a classic `local[*]` session) or `type: file, path: ...`.

Each run of each variant is a fresh child process (this script with the hidden flag `--only NAME`);
`--repeat K` keeps each variant's fastest. Time is `time.perf_counter()` around `open` and
`inspect_table` only: Spark's session is started before the timer (its start-up is printed apart).
Rows to the driver: every row of every result Spark collected (`statements.collect` is wrapped and
counts them): aggregates and capped samples only, never the table. It prints both times, the ratio,
the rows collected, and whether every check's outcome and the profile's counts agree. A benchmark,
not a test: it never fails on its numbers.

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
| 11 | `Mean "amount" between 0 and 10000` | fail |
| 12 | `CustomSql "select count(*) from primary where amount > 1000000" = 0` | fail |
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_ROWS = 1_000_000
TABLE_NAME = "events"
RESULT_MARKER = "BENCH-RESULT "
VARIANTS = ("spark", "duckdb")
LABELS = {"spark": "Spark local[*] (spark source)", "duckdb": "local DuckDB (file source)"}
STATUSES = ("active", "pending", "shipped", "cancelled", "returned")
SPARK_CONF = {"spark.ui.enabled": "false", "spark.driver.memory": "4g", "spark.sql.shuffle.partitions": "4"}


def rules(rows: int) -> list[tuple[str, str]]:
    statuses = ", ".join(f'"{s}"' for s in STATUSES)
    return [
        ("row_count", f"RowCount = {rows}"),
        ("id_complete", 'IsComplete "id"'),
        ("id_unique", 'IsUnique "id"'),
        ("customer_unique", 'IsUnique "customer_id"'),
        ("amount_complete", 'IsComplete "amount"'),
        ("amount_completeness", 'Completeness "amount" >= 0.99'),
        ("amount_range", 'ColumnValues "amount" between -1 and 10000'),
        ("amount_mostly_in_range", 'ColumnValues "amount" between -1 and 10000 with threshold >= 0.99'),
        ("status_domain", f'ColumnValues "status" in [{statuses}]'),
        ("category_completeness", 'Completeness "category" > 0.99'),
        ("amount_mean", 'Mean "amount" between 0 and 10000'),
        ("no_huge_amounts", 'CustomSql "select count(*) from primary where amount > 1000000" = 0'),
    ]


def write_parquet(path: Path, rows: int) -> None:
    """The benchmark table, computed by DuckDB from the row number: no data passes through Python."""
    import duckdb

    statuses = (
        "['active','active','active','active','active','pending','pending','shipped','shipped','cancelled']"
    )
    with duckdb.connect() as connection:
        connection.execute("SET TimeZone = 'UTC'")
        connection.execute(
            f"""COPY (
              SELECT i AS id,
                     (i * 7919) % {max(1, rows // 4)} AS customer_id,
                     CASE WHEN i = {rows // 2} THEN 1e9
                          WHEN i % 1000 = 17 THEN NULL
                          ELSE ((i * 104729) % 100000) / 100.0 END::DOUBLE AS amount,
                     CASE WHEN i % 100 < 3 THEN 'returned'
                          ELSE {statuses}[1 + (i % 10)] END AS status,
                     TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_minutes(i) AS created_at,
                     CASE WHEN i % 200 = 3 THEN NULL ELSE 'c' || (i % 250) END AS category
              FROM range({rows}) t(i)
            ) TO '{path}' (FORMAT parquet)"""
        )


def definition(folder: Path, variant: str, data: Path, rows: int) -> Any:
    from dq_checks.config.loader import load_table_specs

    source = f"{{type: spark, path: '{data}'}}" if variant == "spark" else f"{{type: file, path: '{data}'}}"
    lines = [f"table: {TABLE_NAME}", f"source: {source}", "key: [id]", "rules:"]
    lines += [f"  - {{name: {name}, rule: {json.dumps(text)}}}" for name, text in rules(rows)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{TABLE_NAME}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = load_table_specs(folder)
    loaded.raise_for_problems()
    return loaded.by_name(TABLE_NAME)


def run_variant(variant: str, data: Path, rows: int, workdir: Path) -> dict[str, Any]:
    """Open the table with the variant's source and run the whole check step on it."""
    from dq_runs.inspect import inspect_table

    defined = definition(workdir / f"{variant}-{os.getpid()}", variant, data, rows)
    collected = {"rows": 0, "statements": 0}
    slowest: list[tuple[float, str]] = []
    startup = 0.0
    if variant == "spark":
        from pyspark.sql import SparkSession

        import dq_resources.spark.table as spark_table
        from dq_resources.spark import SparkSourceResource

        began = time.perf_counter()
        session = SparkSession.builder.master("local[*]").config(map=SPARK_CONF).getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        startup = time.perf_counter() - began
        original = spark_table.collect

        def counted(session: Any, sql: str, timeout_seconds: float) -> Any:
            began = time.perf_counter()
            names, result = original(session, sql, timeout_seconds)
            slowest.append((time.perf_counter() - began, sql[:160]))
            collected["rows"] += len(result)
            collected["statements"] += 1
            return names, result

        spark_table.collect = counted  # type: ignore[assignment]
        resource_: Any = SparkSourceResource()
    else:
        from dq_resources.files.resource import FileSourceResource

        resource_ = FileSourceResource()
    start = time.perf_counter()
    opened = resource_.open(defined.spec.source)
    inspection = inspect_table(defined, opened)
    seconds = time.perf_counter() - start
    profile = inspection.profile.to_dict()
    return {
        "seconds": seconds,
        "startup": startup,
        "collected_rows": collected["rows"],
        "statements": collected["statements"],
        "checks": {c.name: c.outcome.value for c in inspection.checks},
        "counts": {
            name: [column.get("null_count"), column.get("distinct_count")]
            for name, column in profile["columns"].items()
        },
        "level": profile.get("level"),
        "slowest": sorted(slowest, reverse=True)[:3],
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child(variant: str, data: Path, rows: int, workdir: Path) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        str(rows),
        "--only",
        variant,
        "--data",
        str(data),
        "--workdir",
        str(workdir),
    ]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in finished.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            return json.loads(line[len(RESULT_MARKER) :])
    raise SystemExit(f"{variant} failed:\n{finished.stdout[-3000:]}\n{finished.stderr[-3000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="?", default=DEFAULT_ROWS)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.only:
        result = run_variant(arguments.only, arguments.data, arguments.rows, arguments.workdir)
        print(RESULT_MARKER + json.dumps(result), flush=True)
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="dq-spark-bench-"))
    try:
        data = workdir / "events.parquet"
        began = time.perf_counter()
        write_parquet(data, arguments.rows)
        size = data.stat().st_size / 2**20
        spent = time.perf_counter() - began
        print(f"{arguments.rows:,} rows x 6 columns: {size:.0f} MiB of Parquet in {spent:.1f} s")
        best: dict[str, dict[str, Any]] = {}
        for _ in range(arguments.repeat):
            for variant in VARIANTS:
                result = child(variant, data, arguments.rows, workdir)
                if variant not in best or result["seconds"] < best[variant]["seconds"]:
                    best[variant] = result
        report(best, arguments.rows)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def report(best: dict[str, dict[str, Any]], rows: int) -> None:
    spark, local = best["spark"], best["duckdb"]
    print(f"\nthe check step (describe, profile, anomalies, {len(rules(rows))} rules, score), best run:")
    for variant in VARIANTS:
        result = best[variant]
        line = (
            f"  {LABELS[variant]:<32} {result['seconds']:8.2f} s   peak RSS {result['peak_rss_mib']:6.0f} MiB"
        )
        if variant == "spark":
            line += f"   (session start-up {result['startup']:.1f} s, not timed)"
        print(line)
    print(f"  Spark / DuckDB: {spark['seconds'] / local['seconds']:.2f}x the time")
    print(
        f"  rows Spark returned to the driver: {spark['collected_rows']:,} "
        f"in {spark['statements']} statements (the table has {rows:,})"
    )
    for seconds, sql in spark["slowest"]:
        print(f"    {seconds:6.2f} s  {sql}")
    same_checks = spark["checks"] == local["checks"]
    print(f"  every check's outcome the same: {same_checks}")
    if not same_checks:
        for name in sorted(set(spark["checks"]) | set(local["checks"])):
            if spark["checks"].get(name) != local["checks"].get(name):
                print(f"    {name}: spark {spark['checks'].get(name)}, duckdb {local['checks'].get(name)}")
    print(f"  profile null and distinct counts the same: {spark['counts'] == local['counts']}")
    print(f"  profile level: spark {spark['level']}, duckdb {local['level']}")


if __name__ == "__main__":
    sys.exit(main())
