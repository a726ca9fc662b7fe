"""Never the same work twice: a table whose data did not change is judged on its earlier results.

Before the scan, the step reads what an earlier run of the same *scan key* left in the results
store's query cache; the scan key is the table's data version (an Iceberg snapshot id, a file's
ETag or size and mtime) together with what else the results depend on: the column schema, the
source's settings, the local engine's release and each referenced table's data version. The
queries then run through a `CachingRunner`, which answers every query it has a result for and
opens the engine only for the others (a rule with a `now()` literal, a changed rule, a new
setting). What depends on the clock or on history (freshness, `now()`, `last(k)`,
DetectAnomalies, volume) is judged again in Python as always.

Nothing is reused when the data has no version (a warehouse table) or one that does not pin the
data (Athena's Glue update time, see `EXACT_VERSION_SOURCES`), when `force` asks for a rescan
(`dq run --force`, or the run tag `dq/force_scan=true`), or when the results store cannot be
read: then the step scans in full and logs why. A store that cannot be written loses only the
reuse of the next run. A result that may hold values of a PII column is never written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from dq_checks.config.loader import DefinedTable
from dq_checks.metrics.cached_runner import (
    CachingRunner,
    encoded_for_keeping,
    stamped,
)
from dq_checks.metrics.reads_columns import reads_any_column
from dq_checks.redaction import hidden_columns
from dq_checks.results import CheckResult, Outcome
from dq_checks.rules.references import references_of
from dq_checks.schema import TableDescription
from dq_resources.source_contract import OpenedTable, ReferenceRequest
from dq_resources.source_contract.table import SLICE_EXTRA_KEY

ENGINE_QUERIES_KEY = "dq/engine_queries"
QUERIES_REUSED_KEY = "dq/queries_reused"
REUSED_METRICS_KEY = "dq/reused_metrics_of"
NOT_REUSED_KEY = "dq/not_reused_because"
SOURCE_LIMITS = {"timeout_seconds", "connect_timeout_seconds"}
"""Source settings that bound how long a query may take, never what it returns."""
EXACT_VERSION_SOURCES = frozenset({"iceberg", "file"})
"""Sources whose data version changes with every change of the data: an Iceberg snapshot id, a
file's ETag (S3) or size and mtime. Not Athena's: the Glue entry's update time stays the same
when files are added under the table's location."""
SCAN_KEY_FORMAT = 1
"""Bumped when what a cached result means changes, so no older result is ever read as a newer one."""


class CacheStore(Protocol):
    """Where cached scans live (`dq_resources.results.query_cache.QueryCacheStore`)."""

    def load(self, table_name: str, scan_key: str) -> Any:
        """The cached scan, or None."""
        ...

    def save(self, scan: Any, now: datetime) -> None:
        """Keep one run's fresh results."""
        ...


@dataclass(frozen=True)
class ScanReport:
    """How the step got its results: queries the engine ran, and those answered from an earlier run."""

    engine_queries: int
    queries_reused: int = 0
    reused_data_version: str | None = None
    reused_run_id: str | None = None
    not_reused_because: str | None = None


@dataclass
class ScanCache:
    """The query cache for one run of one table.

    `store` is None when the results store could not be opened (`unavailable` says why).
    `source_identity` is every setting of the table's source (and its references' sources) that
    changes what a query returns on the same data version; `log` takes one line for the step's log.
    """

    table_name: str
    run_id: str
    source_identity: str
    store: CacheStore | None
    log: Callable[[str], None]
    force: bool = False
    unavailable: str | None = None
    unpinned: str | None = None
    """Why the data version does not pin the data (see `EXACT_VERSION_SOURCES`); then nothing is reused."""
    reference_pii: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Each referenced table's `pii_columns`: its values are kept out of the cache as the table's own."""
    report: ScanReport = field(default_factory=lambda: ScanReport(0))

    @contextmanager
    def runner(
        self,
        table: OpenedTable,
        requests: Sequence[ReferenceRequest],
        description: TableDescription,
        references: Mapping[str, TableDescription],
        hidden: Collection[str],
    ) -> Iterator[CachingRunner]:
        """A runner over the earlier results of this data, if any; the results it computed are then kept.

        `hidden` are the table's PII columns (every column when a PII entry names none). A query
        that may read one of them, or one of a referenced table's, is never kept.
        """
        key = self._scan_key(description, requests, references)
        cached, why_not = self._cached(key)
        known_columns = [c.name for c in description.columns]
        private = set(hidden)
        for name, info in references.items():
            names = [c.name for c in info.columns]
            known_columns += names
            private.update(hidden_columns(self.reference_pii.get(name, ()), names))

        def keep(query: Any) -> bool:
            return key is not None and not reads_any_column(query, private, known_columns)

        runner = CachingRunner(
            lambda: table.query_runner(requests),
            {} if cached is None else cached.results,
            None if cached is None else cached.facts,
            [r.name for r in requests],
            keep,
        )
        with runner:
            yield runner
        self.report = _report(runner, cached, why_not)
        if key is not None and description.data_version is not None and runner.facts is not None:
            self._save(key, description.data_version, runner)

    def _scan_key(
        self,
        description: TableDescription,
        requests: Sequence[ReferenceRequest],
        references: Mapping[str, TableDescription],
    ) -> str | None:
        """The data version with everything else the results depend on; None when some data has no version."""
        versions = {r.name: references[r.name].data_version for r in requests if r.name in references}
        if self.unpinned or description.data_version is None or any(v is None for v in versions.values()):
            return None
        identity = {
            "format": SCAN_KEY_FORMAT,
            "data_version": description.data_version,
            "columns": [[c.name, c.data_type] for c in description.columns],
            "size_bytes": description.extra.get("size_bytes"),  # a file's, beside its ETag
            "slice": description.extra.get(SLICE_EXTRA_KEY),  # a part shares its snapshot's version
            "source": self.source_identity,
            "references": {r.name: [versions.get(r.name), _columns(r)] for r in requests},
        }
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()

    def _cached(self, key: str | None) -> tuple[Any, str | None]:
        """The earlier scan to answer from, or None and why there is none."""
        if key is None:
            return None, self.unpinned or "the data has no version to compare"
        if self.force:
            return None, "a rescan was asked for (force)"
        if self.store is None:
            why = f"the results store cannot be used: {self.unavailable}"
            self.log(f"{self.table_name}: scanning in full: {why}")
            return None, why
        try:
            cached = self.store.load(self.table_name, key)
        except Exception as error:  # the cache only saves work: without it, the step scans
            why = f"the query cache could not be read: {error}"
            self.log(f"{self.table_name}: scanning in full: {why}")
            return None, why
        return cached, None if cached is not None else "this data version was not checked before"

    def _save(self, key: str, data_version: str, runner: CachingRunner) -> None:
        if self.store is None:
            return
        from dq_resources.results.query_cache import ScanToKeep

        assert runner.facts is not None
        fresh = encoded_for_keeping(stamped(runner.fresh, self.run_id))
        scan = ScanToKeep(self.table_name, key, data_version, self.run_id, runner.facts, fresh)
        try:
            self.store.save(scan, _now())
        except Exception as error:  # the next run scans in full; this one's checks stand
            self.log(f"{self.table_name}: query results not kept for the next run: {error}")


def _engine_version() -> str:
    """The local engine's release: a new one may compute a function differently on the same data."""
    from importlib.metadata import version

    return f"duckdb {version('duckdb')}"


def _unpinned(sources: Sequence[Any]) -> str | None:
    """Why a data version of these sources cannot stand for their data, or None when it can."""
    loose = sorted({s.type for s in sources} - EXACT_VERSION_SOURCES)
    return f"a {', '.join(loose)} source's data version does not pin its data" if loose else None


def _columns(request: ReferenceRequest) -> list[str] | None:
    return None if request.columns is None else sorted(request.columns)


def _now() -> datetime:
    """The wall clock: what orders scans by their last use, whatever clock the checks run on."""
    return datetime.now(tz=UTC)


def _report(runner: CachingRunner, cached: Any, why_not: str | None) -> ScanReport:
    reused = sum(runner.reused_from.values())
    if not reused:
        return ScanReport(runner.engine_queries, not_reused_because=why_not)
    run_id, _ = runner.reused_from.most_common(1)[0]
    return ScanReport(runner.engine_queries, reused, cached.data_version, run_id)


def with_scan_report(check: CheckResult, report: ScanReport) -> CheckResult:
    """The profile check, saying how many queries the engine ran and whose metrics it reused."""
    metadata: dict[str, Any] = {
        **check.metadata,
        ENGINE_QUERIES_KEY: report.engine_queries,
        QUERIES_REUSED_KEY: report.queries_reused,
    }
    if report.reused_data_version is None:
        if report.not_reused_because is not None:
            metadata[NOT_REUSED_KEY] = report.not_reused_because
        return replace(check, metadata=metadata)
    version, run_id = report.reused_data_version, report.reused_run_id
    metadata[REUSED_METRICS_KEY] = {"data_version": version, "run_id": run_id}
    description = check.description
    if check.outcome is not Outcome.ERROR:
        description += (
            f"; reused the metrics of data version {version} (run {run_id}): "
            f"{report.queries_reused} queries answered from it, {report.engine_queries} run on the engine"
        )
    return replace(check, description=description, metadata=metadata)


def scan_cache_for(
    defined: DefinedTable,
    catalog: Mapping[str, DefinedTable],
    *,
    run_id: str,
    open_store: Callable[[], CacheStore],
    log: Callable[[str], None],
    force: bool,
) -> ScanCache:
    """The query cache of this run of `defined`, on the store `open_store` opens.

    A store that cannot be opened is no failure: the cache then says why, and the step scans.
    """
    names = list(references_of(defined))
    sources = [defined.spec.source, *(catalog[n].spec.source for n in names if n in catalog)]
    settings = [s.model_dump(mode="json", exclude=SOURCE_LIMITS) for s in sources]
    identity = json.dumps({"sources": settings, "engine": _engine_version()}, sort_keys=True)
    store: CacheStore | None = None
    unavailable = None
    try:
        store = open_store()
    except Exception as error:  # a store that is down costs the reuse, never the checks
        from dq_resources.sqlstore.unavailable import StoreUnavailable, cause_of

        unavailable = str(error) if isinstance(error, StoreUnavailable) else cause_of(error)
    return ScanCache(
        table_name=defined.spec.table,
        run_id=run_id,
        source_identity=identity,
        store=store,
        log=log,
        force=force,
        unavailable=unavailable,
        unpinned=_unpinned(sources),
        reference_pii={n: catalog[n].spec.pii_columns for n in names if n in catalog},
    )
