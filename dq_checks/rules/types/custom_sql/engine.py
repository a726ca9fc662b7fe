"""CustomSql: a vetted SELECT over `primary` (and named monitored tables).

With a condition and no `with threshold` the query must return one number, compared with the
condition; what else it returns is described by type and size only, so no rule's message can
carry data out. Without a condition (AWS's row-level CustomSql), the rows it returns are the
passing rows and the table's rows it did not return are the failing ones: with a threshold their
share of the table is compared with it; without one, every row must pass (AWS's default).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from dq_checks.dqdl.ast import Condition, Rule, String
from dq_checks.metrics import AggregateMetric
from dq_checks.metrics.sql import count_rows, select_from
from dq_checks.profile.values import as_float
from dq_checks.render.numbers import format_number
from dq_checks.rules.conditions import describe, satisfies
from dq_checks.rules.model import Evidence, RuleError, RuleOutcome, TableContext, find_column
from dq_checks.rules.samples import sample_rows
from dq_checks.rules.sql_safety import PRIMARY, UnsafeSql, rewrite_tables, vet_custom_sql
from dq_checks.rules.verdicts import judge, verdict


@dataclass(frozen=True)
class CustomSqlRule:
    """A user query, already vetted and pointed at the engine's relations."""

    query: exp.Query
    condition: Condition | None
    threshold: Condition | None
    context: TableContext
    metrics: Sequence[AggregateMetric] = field(default_factory=lambda: (AggregateMetric(count_rows()),))

    def evaluate(self, evidence: Evidence) -> RuleOutcome:
        """Scalar mode or row mode, as the rule was written."""
        if self.threshold is None and self.condition is not None:
            return self._scalar(evidence)
        return self._rows(evidence)

    def _scalar(self, evidence: Evidence) -> RuleOutcome:
        rows = evidence.runner.fetch_rows(self.query)
        if len(rows) != 1 or len(rows[0]) != 1:
            shape = f"{len(rows)} row(s) of {len(rows[0]) if rows else 0} column(s)"
            raise RuleError(f"CustomSql without a threshold must return one number, got {shape}")
        observed = as_float(rows[0][0])
        if observed is None:
            raise RuleError(f"CustomSql returned {shape_of(rows[0][0])}, not a number")
        return judge("query result", self.condition, observed, evidence)

    def _rows(self, evidence: Evidence) -> RuleOutcome:
        """The table's rows that the query returned pass; the others fail.

        Rows are matched back on the columns the query returns, so a query that returns a
        row twice (through a join, say) cannot count it twice. A query that returns
        computed columns cannot be matched back: then its row count is used, at most the
        table's.
        """
        total = int(evidence.values[self.metrics[0]])
        returned = self._returned_rows()
        if returned is None and self.threshold is None:
            raise RuleError(
                "CustomSql without a condition returns the passing rows: it must select columns of "
                f"primary, and it returned {', '.join(self.query.named_selects) or 'no named column'}"
            )
        if returned is not None:
            counted = select_from([count_rows()], self.context.relation, where=returned)
            ((passing,),) = evidence.runner.fetch_rows(counted)
        else:
            counted = exp.select(count_rows()).from_(exp.Subquery(this=self.query.copy(), alias="q"))
            ((passing,),) = evidence.runner.fetch_rows(counted)
        passing = min(int(passing), total)
        observed = passing / total if total else 1.0
        failed = total - passing
        if self.threshold is None:
            passed, wanted = failed == 0, "every row returned"
        else:
            passed = satisfies(self.threshold, observed, evidence.history)
            wanted = f"with threshold {describe(self.threshold, evidence.history)}"
        if self.condition is not None:
            passed = passed and satisfies(self.condition, float(passing), evidence.history)
        sample = []
        if failed and returned is not None:
            sample = sample_rows(evidence.runner, self.context, self._names(), exp.Not(this=returned))
        return verdict(
            passed,
            f"{passing:,} of {total:,} rows returned (share {format_number(observed)}); {wanted}",
            observed,
            condition=wanted,
            evaluated_count=total,
            failed_count=failed,
            failed_sample=sample or None,
        )

    def _names(self) -> list[str]:
        """The table's columns the query returns, as the table spells them (all for `*`)."""
        names = [n for n in self.query.named_selects if n != "*"]
        if "*" in self.query.named_selects or not names:
            return [c.name for c in self.context.description.columns]
        return [found.name if (found := find_column(self.context.description, n)) else n for n in names]

    def _returned_rows(self) -> exp.Expression | None:
        """EXISTS(a returned row equal to this row on the returned columns), if those are table columns."""
        names = self._names()
        if not all(find_column(self.context.description, n) for n in names):
            return None
        returned_names = dict(zip(names, self._returned_names(names), strict=True))
        returned = exp.alias_(exp.Subquery(this=_output_names_quoted(self.query)), "q", quoted=True)
        relation = exp.to_identifier(self.context.relation.name, quoted=True)
        matches = exp.and_(
            *[
                exp.NullSafeEQ(
                    this=exp.column(
                        exp.to_identifier(returned_names[n], quoted=True),
                        table=exp.to_identifier("q", quoted=True),
                    ),
                    expression=exp.column(exp.to_identifier(n, quoted=True), table=relation),
                )
                for n in names
            ]
        )
        return exp.Exists(this=exp.select(exp.Literal.number(1)).from_(returned).where(matches))

    def _returned_names(self, names: list[str]) -> list[str]:
        """How the query's own output spells each column (`select Name` on a column `name`)."""
        selects = [n for n in self.query.named_selects if n != "*"]
        if "*" in self.query.named_selects or not selects:
            return names
        return selects


def shape_of(value: Any) -> str:
    """A returned value's type and size, never the value: a query can return anything it can read."""
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return f"a str of {_count(len(value), 'character')}"
    if isinstance(value, bytes | bytearray | memoryview):
        return f"{_count(len(value), 'byte')}"
    if isinstance(value, list | tuple | dict | set):
        return f"a {type(value).__name__} of {_count(len(value), 'item')}"
    return f"a {type(value).__name__}"


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"


def compile_custom_sql(rule: Rule, context: TableContext) -> CustomSqlRule:
    """Vet the statement and point its tables at the relations that hold them."""
    param = rule.params[0]
    assert isinstance(param, String)
    try:
        vetted = vet_custom_sql(param.value, allowed_tables=set(context.references))
    except UnsafeSql as error:
        raise RuleError(str(error)) from None
    relations = {PRIMARY: context.relation, **{n: context.relation_of(n) for n in vetted.tables}}
    return CustomSqlRule(rewrite_tables(vetted.query, relations), rule.condition, rule.threshold, context)


def custom_sql_tables(rule: Rule, allowed_tables: set[str]) -> dict[str, set[str] | None]:
    """The monitored tables a CustomSql statement reads: all their columns are needed (None)."""
    param = rule.params[0]
    assert isinstance(param, String)
    try:
        return dict.fromkeys(vet_custom_sql(param.value, allowed_tables=allowed_tables).tables)
    except UnsafeSql:
        return {}


def statement_problems(statement: str, readable: Collection[str], *, returns_rows: bool) -> list[str]:
    """An unsafe statement; and one that returns rows (no condition) must select table columns."""
    try:
        vetted = vet_custom_sql(statement, allowed_tables=readable)
    except UnsafeSql as error:
        return [str(error)]
    query = vetted.query
    if returns_rows and isinstance(query, exp.Select) and any(p.find(exp.AggFunc) for p in query.expressions):
        return [
            "CustomSql without a condition returns the passing rows, so it must select columns of "
            "primary (select id from primary where ...); a query computing one number needs a "
            "condition, like > 0"
        ]
    return []


def _output_names_quoted(query: exp.Query) -> exp.Query:
    """A copy of `query` whose output columns are named exactly as written: `order_id AS "order_id"`.

    An engine names an unquoted output column its own way (Snowflake in capitals: `ORDER_ID`,
    Postgres in lower case), while the rows are matched by the name as written (`"q"."order_id"`).
    """
    tree = query.copy()
    if not isinstance(tree, exp.Select):
        return tree
    tree.set("expressions", [_named_as_written(projection) for projection in tree.expressions])
    return tree


def _named_as_written(projection: exp.Expression) -> exp.Expression:
    if isinstance(projection, exp.Alias):
        projection.set("alias", exp.to_identifier(projection.alias, quoted=True))
        return projection
    if isinstance(projection, exp.Column) and not isinstance(projection.this, exp.Star):
        return exp.alias_(projection, exp.to_identifier(projection.name, quoted=True))
    return projection
