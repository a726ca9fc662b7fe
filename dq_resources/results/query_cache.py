"""The query cache in the results store: an earlier run's query results per table and data version.

The step reads the results of its table's current scan key before it scans, and writes what it
computed afresh after. Only the newest `KEEP_SCANS_PER_TABLE` scan keys of a table are kept (by
when a run last used them), so the cache stays bounded whatever the number of versions a table
goes through. Rows are typed JSON text (`dq_checks.metrics.typed_json`); the step never hands
over a result that may hold a PII column's values.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from dq_checks.metrics.cached_runner import CachedResult, RunnerFacts
from dq_checks.metrics.typed_json import decode_rows
from dq_resources.results.schema import query_cache, query_cache_scans
from dq_resources.sqlstore.unavailable import store_unavailable

KEEP_SCANS_PER_TABLE = 3
"""Data versions kept per table: the current one, and a couple to go back to (a rollback, a retry)."""


@dataclass(frozen=True)
class CachedScan:
    """What an earlier run left for one table and scan key: how it planned, and its results by key."""

    data_version: str
    facts: RunnerFacts
    results: dict[str, CachedResult]


@dataclass(frozen=True)
class ScanToKeep:
    """What one run leaves for the next: its plan's facts and its fresh results as typed JSON text."""

    table_name: str
    scan_key: str
    data_version: str
    run_id: str
    facts: RunnerFacts
    encoded: Mapping[str, str]


class QueryCacheStore:
    """The two query-cache tables of a results store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load(self, table_name: str, scan_key: str) -> CachedScan | None:
        """The cached scan of `table_name` at `scan_key`, or None when no run left one."""
        scans, queries = query_cache_scans.c, query_cache.c
        try:
            with self.engine.connect() as connection:
                scan = connection.execute(
                    select(scans.data_version, scans.runner_facts).where(
                        scans.table_name == table_name, scans.scan_key == scan_key
                    )
                ).first()
                if scan is None:
                    return None
                rows = connection.execute(
                    select(queries.query_sha256, queries.rows, queries.run_id).where(
                        queries.table_name == table_name, queries.scan_key == scan_key
                    )
                ).all()
        except (OperationalError, InterfaceError) as error:
            raise store_unavailable("results store", self.engine.url, error) from error
        try:
            facts = RunnerFacts.from_dict(json.loads(scan.runner_facts))
        except (TypeError, KeyError, ValueError):  # written by another release of dq: scan afresh
            return None
        results = {key: CachedResult(decode_rows(text), run_id) for key, text, run_id in rows}
        return CachedScan(scan.data_version, facts, results)

    def save(self, scan: ScanToKeep, now: datetime) -> None:
        """Record the scan as used now, add (or replace) its fresh results, and drop the oldest scans."""
        scans, queries = query_cache_scans.c, query_cache.c
        this_scan = (scans.table_name == scan.table_name, scans.scan_key == scan.scan_key)
        try:
            with self.engine.begin() as connection:
                connection.execute(delete(query_cache_scans).where(*this_scan))
                connection.execute(
                    insert(query_cache_scans),
                    [
                        {
                            "table_name": scan.table_name,
                            "scan_key": scan.scan_key,
                            "data_version": scan.data_version,
                            "runner_facts": json.dumps(scan.facts.to_dict()),
                            "run_id": scan.run_id,
                            "used_at": now,
                        }
                    ],
                )
                if scan.encoded:
                    connection.execute(
                        delete(query_cache).where(
                            queries.table_name == scan.table_name,
                            queries.scan_key == scan.scan_key,
                            queries.query_sha256.in_(list(scan.encoded)),
                        )
                    )
                    connection.execute(
                        insert(query_cache),
                        [
                            {
                                "table_name": scan.table_name,
                                "scan_key": scan.scan_key,
                                "query_sha256": key,
                                "dialect": scan.facts.dialect,
                                "rows": text,
                                "run_id": scan.run_id,
                                "created_at": now,
                            }
                            for key, text in scan.encoded.items()
                        ],
                    )
                _drop_old_scans(connection, scan.table_name)
        except (OperationalError, InterfaceError) as error:
            raise store_unavailable("results store", self.engine.url, error) from error


def _drop_old_scans(connection: Connection, table_name: str) -> None:
    """Keep the table's newest `KEEP_SCANS_PER_TABLE` scans; delete the others with their results."""
    scans, queries = query_cache_scans.c, query_cache.c
    keys = connection.execute(
        select(scans.scan_key).where(scans.table_name == table_name).order_by(scans.used_at.desc())
    ).scalars()
    old = list(keys)[KEEP_SCANS_PER_TABLE:]
    if old:
        connection.execute(
            delete(query_cache).where(queries.table_name == table_name, queries.scan_key.in_(old))
        )
        connection.execute(
            delete(query_cache_scans).where(scans.table_name == table_name, scans.scan_key.in_(old))
        )
