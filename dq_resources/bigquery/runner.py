"""Run the metric plan in BigQuery: each query written in its dialect, one job each, bounded.

Two constructs of the plan have no BigQuery form and are rewritten on the way out: `AS
MATERIALIZED` on a CTE is dropped (a hint only), and exact quantiles, `PERCENTILE_CONT(x,
[fractions])` as one aggregate, become a scalar subquery over the same rows with BigQuery's
analytic `PERCENTILE_CONT(x, f) OVER ()`, since BigQuery has no exact percentile aggregate. They
stay exact and interpolated, as the local engine's are; BigQuery sorts the column for them.
"""

from __future__ import annotations

import concurrent.futures
import logging
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from dq_checks.metrics.dialect_sql import written_sql
from dq_resources.bigquery.client import job_config, rpc_retry
from dq_resources.bigquery.errors import failure
from dq_resources.engines.sql_runner import WAREHOUSE_HEAVY_METRICS
from dq_resources.source_contract.errors import SourceError, StatementCancelled, source_error

if TYPE_CHECKING:
    from dq_resources.bigquery.table import BigQueryTable

DIALECT = "bigquery"
SQL_LOG = logging.getLogger("dq.sql")
"""Every statement sent, and every dry run's estimate, at INFO."""


class BigQueryRunner:
    """A QueryRunner over one BigQuery table: one query job per query, results read page by page."""

    dialect = DIALECT
    heavy_apart = False

    def __init__(self, table: BigQueryTable) -> None:
        self.table = table
        self.relation = table.relation.copy()
        self.references: dict[str, exp.Table] = {}
        self.reference_errors: dict[str, str] = {}
        self.bytes_processed = 0
        """What the jobs this runner ran processed, as BigQuery reported it."""

    def heavy_metrics_per_query(self, row_count: int) -> int:
        """A warehouse plans its own memory: all heavy aggregates go in one scan."""
        return WAREHOUSE_HEAVY_METRICS

    def fetch_rows(self, query: exp.Query) -> list[tuple[Any, ...]]:
        """Run the query in BigQuery and return every row as Python values."""
        return self.run(query)[1]

    def run(self, query: exp.Query) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The result's column names and rows; SourceError on any failure, the guard or the time limit."""
        sql = render(query)
        SQL_LOG.info("%s: %s", DIALECT, sql)
        spec, name = self.table.spec, self.table.name
        try:
            rows = self.table.client.query_and_wait(
                sql,
                job_config=job_config(spec, self.table.maximum_bytes_billed),
                location=spec.location,
                api_timeout=min(spec.timeout_seconds, spec.connect_timeout_seconds),
                wait_timeout=spec.timeout_seconds,
                retry=rpc_retry(spec),
            )
            result = [tuple(row.values()) for row in rows]
        except concurrent.futures.TimeoutError:
            raise source_error(name, str(StatementCancelled(spec.timeout_seconds))) from None
        except SourceError:
            raise
        except Exception as error:
            raise self._failure(error) from None
        processed = rows.total_bytes_processed or 0
        self.bytes_processed += processed
        SQL_LOG.info("%s: the query processed %d bytes", DIALECT, processed)
        return [field.name for field in rows.schema or ()], result

    def estimated_bytes(self, query: exp.Query) -> int:
        """The bytes the query would scan (and bill, before BigQuery's 10 MB minimum), by a dry run.

        Nothing runs and nothing is billed; the estimate is logged at INFO on `dq.sql`.
        """
        sql = render(query)
        spec = self.table.spec
        try:
            job = self.table.client.query(
                sql,
                job_config=job_config(spec, self.table.maximum_bytes_billed, dry_run=True),
                location=spec.location,
                retry=rpc_retry(spec),
                timeout=spec.connect_timeout_seconds,
            )
            estimate = int(job.total_bytes_processed or 0)
        except Exception as error:
            raise self._failure(error) from None
        SQL_LOG.info("%s: a dry run estimates %d bytes for: %s", DIALECT, estimate, sql)
        return estimate

    def _failure(self, error: BaseException) -> SourceError:
        reason = _reason(error)
        if reason in ("timeout", "stopped"):
            return source_error(
                self.table.name,
                f"{StatementCancelled(self.table.spec.timeout_seconds)} by BigQuery",
            )
        return failure(
            self.table.name, "", error, maximum_bytes_billed=self.table.maximum_bytes_billed, hide_values=True
        )


def render(query: exp.Query) -> str:
    """The query in BigQuery's dialect; a construct BigQuery lacks raises instead of vanishing."""
    return written_sql(bigquery_query(query), DIALECT)


def bigquery_query(query: exp.Query) -> exp.Query:
    """The plan's query with what BigQuery lacks rewritten (see the module docstring)."""
    tree = query.copy()
    for node in list(tree.find_all(exp.PercentileCont)):
        fractions = node.expression
        if isinstance(fractions, exp.Array) and not isinstance(node.parent, exp.Window):
            node.replace(_exact_quantiles(node, fractions))
    return tree


def _exact_quantiles(node: exp.PercentileCont, fractions: exp.Array) -> exp.Expression:
    """`(SELECT [PERCENTILE_CONT(x, f) OVER (), ...] FROM <the same rows> WHERE x IS NOT NULL LIMIT 1)`.

    Rows whose value is NULL are left out, so an all-NULL column gives NULL (BigQuery arrays
    cannot hold a NULL), as the local engine's aggregate does.
    """
    select = node.find_ancestor(exp.Select)
    if select is None or select.args.get("group"):
        raise source_error("bigquery", "exact quantiles can be written only in an ungrouped aggregate query")
    value = node.this
    per_fraction = [
        exp.Window(this=exp.PercentileCont(this=value.copy(), expression=f.copy()), over="OVER")
        for f in fractions.expressions
    ]
    inner = exp.select(exp.Array(expressions=per_fraction))
    source = select.args.get("from_")
    if source is not None:
        inner.set("from_", source.copy())
    if select.args.get("joins"):
        inner.set("joins", [join.copy() for join in select.args["joins"]])
    present = exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null()))
    where = select.args.get("where")
    inner = inner.where(exp.and_(where.this.copy(), present) if where is not None else present)
    return exp.Subquery(this=inner.limit(1))


def _reason(error: BaseException) -> str | None:
    for item in getattr(error, "errors", None) or []:
        if isinstance(item, dict) and item.get("reason"):
            return str(item["reason"])
    return None
