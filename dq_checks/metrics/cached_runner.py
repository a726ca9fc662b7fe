"""A QueryRunner that answers from an earlier run's results on the same data.

It opens the real engine only for a query it has no result for.

A result is keyed by the dialect and the query's exact SQL text: that text holds everything the
result depends on besides the data (thresholds, `now()` literals, sample limits, the rules' own
SQL), so a changed rule, setting or clock gives another text, and so a fresh query, while an
unchanged one is answered without touching the engine. The caller keys the whole cache by the
data's version, so a changed table never meets an old result.

The queries name the tables by placeholders (`"primary"`, `"dq_reference:<name>"`) rather than
by the engine's own relations, which may differ from run to run (a temporary copy, a download
folder): the text of a query does not depend on where the engine keeps the data. Before a query
runs on the engine its placeholders are swapped for the engine's relations.

The real runner is opened on the first query it has to answer, so a run fully answered from the
cache loads nothing and reads no data file. What the plan needs before any query (the dialect,
whether heavy aggregates go apart, each query budget asked for) comes from the earlier run's
`RunnerFacts`: replaying the same budgets plans the same batches, hence the same SQL text. On a
first run there are no facts, and the real runner is opened at once.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import asdict, dataclass, field
from types import TracebackType
from typing import Any

from sqlglot import exp
from sqlglot.errors import ErrorLevel

from dq_checks.metrics.runner import QueryBudget, QueryRunner, budget_of, fetch_all, parallel_queries
from dq_checks.metrics.typed_json import encode_rows

PRIMARY_PLACEHOLDER = "primary"
REFERENCE_PLACEHOLDER = "dq_reference:{name}"
MAX_KEPT_RESULT_CHARS = 1_000_000
"""A result whose encoding is longer is not kept (a CustomSql rule may return many rows)."""

Rows = list[tuple[Any, ...]]


def query_key(dialect: str, sql: str) -> str:
    """The cache key of one query: sha256 of its dialect and exact SQL text."""
    return hashlib.sha256(f"{dialect}\n{sql}".encode()).hexdigest()


@dataclass(frozen=True)
class CachedResult:
    """The rows one query returned, and the run that ran it on the engine."""

    rows: Rows
    run_id: str


@dataclass
class RunnerFacts:
    """What planning asks of a runner before any query, as one run answered it.

    `budgets` maps the row count asked for to the budget given; replayed, they split the
    metrics into the same batches, so the queries have the same text.
    """

    dialect: str
    heavy_apart: bool
    budgets: dict[int, QueryBudget] = field(default_factory=dict)
    parallel: int = 1
    """How many queries the engine ran at once (its `parallel_queries`)."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; a budget by its fields' names, so a field added later is kept too."""
        return {
            "dialect": self.dialect,
            "heavy_apart": self.heavy_apart,
            "budgets": {str(rows): asdict(budget) for rows, budget in self.budgets.items()},
            "parallel": self.parallel,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunnerFacts:
        """Back from `to_dict`. A field it does not know means facts of another dq: a TypeError.

        Facts kept before `parallel` existed were of an engine that ran one query at a time.
        """
        budgets = {int(rows): QueryBudget(**values) for rows, values in data["budgets"].items()}
        return cls(str(data["dialect"]), bool(data["heavy_apart"]), budgets, int(data.get("parallel", 1)))


class CachingRunner:
    """A QueryRunner over earlier results of the same data, opening `open_real` only when it must.

    `keep(query)` says whether a fresh result may be kept for later runs (not when it may
    hold values of a PII column). After the run, `fresh` holds the results to keep,
    `engine_queries` counts the queries the engine ran and `reused_from` the results
    answered from the cache, by the run that computed them.

    It may be called from several threads at once when the engine can be (`parallel_queries`):
    its own bookkeeping and the engine's opening are under one lock, the queries are not.
    """

    def __init__(
        self,
        open_real: Callable[[], AbstractContextManager[QueryRunner]],
        known: Mapping[str, CachedResult],
        facts: RunnerFacts | None,
        reference_names: Sequence[str],
        keep: Callable[[exp.Query], bool],
    ) -> None:
        self._open_real = open_real
        self._known = known
        self._keep = keep
        self._stack = ExitStack()
        self._real: QueryRunner | None = None
        self.facts = facts
        self.relation = _placeholder(PRIMARY_PLACEHOLDER)
        self.references = {name: reference_placeholder(name) for name in reference_names}
        self.reference_errors: dict[str, str] = {}
        self.fresh: dict[str, CachedResult] = {}
        self.engine_queries = 0
        self.reused_from: Counter[str] = Counter()
        self._lock = threading.RLock()

    @property
    def dialect(self) -> str:
        """The engine's dialect, as the earlier run's engine said (or the engine, opened now)."""
        return self._facts().dialect

    @property
    def heavy_apart(self) -> bool:
        """Whether heavy aggregates get queries of their own (see QueryRunner)."""
        return self._facts().heavy_apart

    @property
    def scan_path(self) -> str | None:
        """How the engine read the table (`LocalDuckDB.scan_path`), or None when it was not opened."""
        return None if self._real is None else getattr(self._real, "scan_path", None)

    @property
    def opened(self) -> bool:
        """Whether the real engine was opened in this run."""
        return self._real is not None

    def __enter__(self) -> CachingRunner:
        if self.facts is None:  # nothing to plan from: the engine is needed at once
            self._engine()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stack.__exit__(kind, error, trace)

    @property
    def parallel_queries(self) -> int:
        """How many queries the engine runs at once, as the earlier run's engine said (or the engine)."""
        return self._facts().parallel

    def fetch_rows(self, query: exp.Query) -> Rows:
        """The earlier result of the same SQL text, else the engine's (kept when `keep` allows)."""
        (rows,) = self.fetch_many([query])
        return rows

    def fetch_many(self, queries: Sequence[exp.Query]) -> list[Rows]:
        """Each query's earlier result where there is one; the rest from the engine, at once where it can."""
        keys = [
            query_key(self.dialect, query.sql(dialect=self.dialect, unsupported_level=ErrorLevel.RAISE))
            for query in queries
        ]
        found: dict[int, Rows] = {}
        with self._lock:
            for index, key in enumerate(keys):
                cached = self._known.get(key) or self.fresh.get(key)
                if cached is not None:
                    self.reused_from[cached.run_id] += 1
                    found[index] = list(cached.rows)
            missing = [index for index in range(len(queries)) if index not in found]
            engine = self._engine() if missing else None
        if engine is not None:
            on_engine = [self._on_engine(queries[index], engine) for index in missing]
            fetched = fetch_all(engine, on_engine)
            with self._lock:
                self.engine_queries += len(missing)
                for index, rows in zip(missing, fetched, strict=True):
                    found[index] = rows
                    if self._keep(queries[index]):
                        self.fresh[keys[index]] = CachedResult(list(rows), run_id="")
        return [found[index] for index in range(len(queries))]

    def heavy_metrics_per_query(self, row_count: int) -> int:
        """The heavy share of `query_budget`."""
        return self.query_budget(row_count).heavy

    def query_budget(self, row_count: int) -> QueryBudget:
        """The budget the earlier run was given for this row count, else the engine's (remembered)."""
        with self._lock:
            facts = self._facts()
            if row_count not in facts.budgets:
                facts.budgets[row_count] = budget_of(self._engine(), row_count)
            return facts.budgets[row_count]

    def _facts(self) -> RunnerFacts:
        if self.facts is None:
            self._engine()
        assert self.facts is not None
        return self.facts

    def _engine(self) -> QueryRunner:
        with self._lock:
            if self._real is None:
                real = self._stack.enter_context(self._open_real())
                self._real = real
                self.reference_errors = dict(getattr(real, "reference_errors", {}))
                if self.facts is None:
                    self.facts = RunnerFacts(real.dialect, real.heavy_apart, parallel=parallel_queries(real))
            return self._real

    def _on_engine(self, query: exp.Query, engine: QueryRunner) -> exp.Query:
        """The query with its placeholders swapped for the engine's own relations."""
        loaded: Mapping[str, exp.Table] = getattr(engine, "references", {})
        targets = {PRIMARY_PLACEHOLDER: engine.relation}
        for name, placeholder in self.references.items():
            if name in loaded:
                targets[placeholder.name] = loaded[name]
        return swap_relations(query, targets)


def swap_relations(query: exp.Query, targets: Mapping[str, exp.Table]) -> exp.Query:
    """`query` with each placeholder table replaced by its target, which keeps the placeholder's alias.

    A placeholder without an alias gets its own name as the alias, so a column qualified by the
    placeholder's name (`"primary"."id"`) still resolves against a target named otherwise.
    """

    def swap(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Table) or node.args.get("db") or node.args.get("catalog"):
            return node
        target = targets.get(node.name)
        if target is None:
            return node
        swapped = target.copy()
        for key, value in node.args.items():
            if key not in ("this", "db", "catalog") and value is not None:
                swapped.set(key, value.copy() if isinstance(value, exp.Expression) else value)
        if node.args.get("alias") is None and target.name != node.name:
            swapped.set("alias", exp.TableAlias(this=exp.to_identifier(node.name, quoted=True)))
        return swapped

    return query.copy().transform(swap, copy=False)


def reference_placeholder(name: str) -> exp.Table:
    """The table a query names a referenced monitored table by, until it runs on the engine."""
    return _placeholder(REFERENCE_PLACEHOLDER.format(name=name))


def _placeholder(name: str) -> exp.Table:
    return exp.table_(exp.to_identifier(name, quoted=True))


def encoded_for_keeping(results: Mapping[str, CachedResult]) -> dict[str, str]:
    """Each result as typed JSON text, leaving out those it cannot keep exactly or that are too big.

    A result left out is only computed again next time; a wrong one would be judged as right.
    """
    kept = {}
    for key, result in results.items():
        try:
            text = encode_rows(result.rows)
        except TypeError:
            continue
        if len(text) <= MAX_KEPT_RESULT_CHARS:
            kept[key] = text
    return kept


def stamped(results: Mapping[str, CachedResult], run_id: str) -> dict[str, CachedResult]:
    """Fresh results with the run that computed them."""
    return {key: CachedResult(result.rows, run_id) for key, result in results.items()}
