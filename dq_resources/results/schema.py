"""The results store's tables, as SQLAlchemy 2 Core tables (the migrations create them).

Portable types only, so the same tables live on sqlite, Postgres and Snowflake: strings, text,
integers, floats, booleans and aware UTC timestamps; no JSON, no arrays. A column's min and max
are text, whatever the column's type. Every table carries `run_id`, `table_name` and
`checked_at`; a run of one table is replaced whole when it is written again.

- `check_runs`: one row per table run, with the counts of check outcomes and the overall score.
  `partition_key` is the partition the run checked (a partitioned table is checked one partition
  at a time), NULL for an unpartitioned table; the other tables join on `run_id` and `table_name`.
- `column_profiles`: one row per column profiled.
- `anomalies`: one row per anomaly detected.
- `rule_results`: one row per check, rules and built-in checks alike (`is_rule`).
- `quality_scores`: the overall score, and one row per quality dimension with an evaluated rule.

Snowflake has no indexes on standard tables: the migrations create the indexes on other
databases only.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from dq_checks.results.tidy import ANOMALIES, CHECK_RUNS, COLUMN_PROFILES, QUALITY_SCORES, RULE_RESULTS
from dq_resources.sqlstore.types import UtcDateTime

RUN_ID = String(64)
TABLE_NAME = String(400)
COLUMN_NAME = String(400)
CHECK_NAME = String(200)
SHORT = String(32)


metadata = MetaData()


def _run_key(*more: Column[object]) -> list[Column[object]]:
    """`run_id`, `table_name` and `checked_at`, which every table starts with."""
    return [
        Column("run_id", RUN_ID, primary_key=True),
        Column("table_name", TABLE_NAME, primary_key=True),
        Column("checked_at", UtcDateTime, nullable=False),
        *more,
    ]


def _by_table_and_time(table: str) -> Index:
    return Index(f"ix_{table}_table_checked_at", "table_name", "checked_at")


check_runs = Table(
    CHECK_RUNS,
    metadata,
    *_run_key(
        Column("data_version", String(200)),
        Column("last_updated", UtcDateTime),
        Column("row_count", BigInteger),
        Column("column_count", Integer),
        Column("duration_seconds", Float),
        Column("checks_passed", Integer, nullable=False),
        Column("checks_failed", Integer, nullable=False),
        Column("checks_errored", Integer, nullable=False),
        Column("checks_skipped", Integer, nullable=False),
        Column("anomaly_count", Integer),
        Column("quality_score", Float),
        Column("partition_key", String(200)),  # added by migration 0003, so last
    ),
    _by_table_and_time(CHECK_RUNS),
)

column_profiles = Table(
    COLUMN_PROFILES,
    metadata,
    *_run_key(
        Column("column_name", COLUMN_NAME, primary_key=True),
        Column("data_type", Text, nullable=False),
        Column("kind", SHORT, nullable=False),
        Column("row_count", BigInteger, nullable=False),
        Column("null_count", BigInteger, nullable=False),
        Column("null_pct", Float),
        Column("distinct_count", BigInteger),
        Column("distinct_pct", Float),
        Column("min_value", Text),
        Column("max_value", Text),
        Column("mean", Float),
        Column("median", Float),
        Column("std", Float),
        Column("q1", Float),
        Column("q3", Float),
        Column("zeros", BigInteger),
        Column("negatives", BigInteger),
    ),
    _by_table_and_time(COLUMN_PROFILES),
)

anomalies = Table(
    ANOMALIES,
    metadata,
    *_run_key(
        Column("ordinal", Integer, primary_key=True),
        Column("column_name", COLUMN_NAME, nullable=False),
        Column("anomaly_type", String(100), nullable=False),
        Column("method", String(100), nullable=False),
        Column("severity", SHORT, nullable=False),
        Column("value", Float),
        Column("threshold", Float),
        Column("description", Text, nullable=False),
    ),
    _by_table_and_time(ANOMALIES),
)

rule_results = Table(
    RULE_RESULTS,
    metadata,
    *_run_key(
        Column("check_name", CHECK_NAME, primary_key=True),
        Column("is_rule", Boolean, nullable=False),
        Column("rule_text", Text),
        Column("dimension", SHORT),
        Column("outcome", SHORT, nullable=False),
        Column("severity", SHORT),
        Column("description", Text, nullable=False),
        Column("observed", Float),
        Column("evaluated_count", BigInteger),
        Column("failed_count", BigInteger),
    ),
    _by_table_and_time(RULE_RESULTS),
)

quality_scores = Table(
    QUALITY_SCORES,
    metadata,
    *_run_key(
        Column("dimension", SHORT, primary_key=True),
        Column("score", Float),
        Column("rules_passed", Integer, nullable=False),
        Column("rules_evaluated", Integer, nullable=False),
    ),
    _by_table_and_time(QUALITY_SCORES),
)

TABLES: dict[str, Table] = {
    table.name: table for table in (check_runs, column_profiles, anomalies, rule_results, quality_scores)
}
"""Every results table by name, in the order they are written."""

# -- The query cache: results of an earlier run on the same data, so an unchanged table is not
# scanned again (`dq_checks.metrics.cached_runner`). Not results for dashboards: `TABLES` leaves
# them out. A scan is one (table, scan key): the data version with what else the results depend
# on; only the newest few scans per table are kept.

QUERY_CACHE_SCANS = "dq_query_cache_scans"
QUERY_CACHE = "dq_query_cache"
SCAN_KEY = String(64)

query_cache_scans = Table(
    QUERY_CACHE_SCANS,
    metadata,
    Column("table_name", TABLE_NAME, primary_key=True),
    Column("scan_key", SCAN_KEY, primary_key=True),
    Column("data_version", String(200), nullable=False),
    Column("runner_facts", Text, nullable=False),
    Column("run_id", RUN_ID, nullable=False),
    Column("used_at", UtcDateTime, nullable=False),
    Index(f"ix_{QUERY_CACHE_SCANS}_table_used_at", "table_name", "used_at"),
)

query_cache = Table(
    QUERY_CACHE,
    metadata,
    Column("table_name", TABLE_NAME, primary_key=True),
    Column("scan_key", SCAN_KEY, primary_key=True),
    Column("query_sha256", SCAN_KEY, primary_key=True),
    Column("dialect", SHORT, nullable=False),
    Column("rows", Text, nullable=False),
    Column("run_id", RUN_ID, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
