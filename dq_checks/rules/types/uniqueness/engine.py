"""Uniqueness rules, over the table grouped by their key columns.

IsUnique, IsPrimaryKey, Uniqueness, UniqueValueRatio and Entropy: their SQL is built here.

One aggregate cannot tell which values repeat, so these run a query of their own: the
rows grouped by the key columns (a materialized CTE), summarised in one pass over the
groups. A failing rule runs one more query for a sample of the duplicated keys.

NULL keys. On one column, a NULL is no value, so it cannot repeat: NULL rows are not
grouped. On several columns, only rows where every key column is NULL are left out; a
row with some keys present is grouped, a NULL comparing equal to a NULL, so (NULL, 1)
twice is a duplicate. This is what AWS Glue's engine (Deequ) does for multi-column
uniqueness, and Great Expectations' default (`ignore_row_if="all_values_are_missing"`).
IsPrimaryKey still counts the rows with a NULL in any key column, and fails on them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlglot import exp

from dq_checks.dqdl.ast import Condition, Rule, String
from dq_checks.metrics import AggregateMetric, QueryRunner
from dq_checks.metrics.sql import column, count_if, number, select_from
from dq_checks.rules.conditions import satisfies
from dq_checks.rules.model import FAILING_ROWS_SHOWN, Evidence, RuleError, RuleOutcome, TableContext
from dq_checks.rules.samples import ShownValues
from dq_checks.rules.scope import both, where_predicate
from dq_checks.rules.verdicts import judge, verdict

GROUPS = "dq_groups"
COUNT = "dq_n"


@dataclass(frozen=True)
class GroupSummary:
    """What the grouped query found."""

    groups: int
    rows: int
    duplicate_groups: int
    duplicate_rows: int
    unique_groups: int
    n_log_n: float


@dataclass(frozen=True)
class GroupedRule:
    """A rule over the table grouped by `keys`."""

    rule_type: str
    keys: tuple[str, ...]
    where: exp.Expression | None
    condition: Condition | None
    context: TableContext
    metrics: Sequence[AggregateMetric] = field(default_factory=tuple)

    def _key_null(self) -> exp.Expression:
        """Some key column is NULL: a row no primary key may have."""
        return exp.or_(*[exp.Is(this=column(k), expression=exp.Null()) for k in self.keys])

    def _keys_missing(self) -> exp.Expression:
        """Every key column is NULL: a row with no key to group (on one column, its NULL)."""
        return exp.and_(*[exp.Is(this=column(k), expression=exp.Null()) for k in self.keys])

    def _grouped(self) -> exp.Select:
        keys_present = exp.Not(this=exp.paren(self._keys_missing()))
        projections = [column(k) for k in self.keys]
        counted = exp.alias_(exp.Count(this=exp.Star()), COUNT, quoted=True)
        query = select_from(
            [*projections, counted], self.context.relation, where=both(self.where, keys_present)
        )
        return query.group_by(*[column(k) for k in self.keys])

    def _summary_query(self) -> exp.Query:
        n = exp.column(exp.to_identifier(COUNT, quoted=True))
        repeated = exp.GT(this=n.copy(), expression=number(1))
        sums = [
            exp.Count(this=exp.Star()),
            exp.func("COALESCE", exp.Sum(this=n.copy()), number(0)),
            count_if(repeated.copy()),
            exp.func(
                "COALESCE",
                exp.Sum(this=exp.Case(ifs=[exp.If(this=repeated.copy(), true=n.copy())])),
                number(0),
            ),
            count_if(exp.EQ(this=n.copy(), expression=number(1))),
            exp.func(
                "COALESCE", exp.Sum(this=exp.Mul(this=n.copy(), expression=exp.Ln(this=n.copy()))), number(0)
            ),
        ]
        groups = exp.to_identifier(GROUPS, quoted=True)
        return (
            exp.select(*sums).from_(exp.table_(groups)).with_(groups, as_=self._grouped(), materialized=True)
        )

    def _summary(self, evidence: Evidence) -> GroupSummary:
        """The grouped summary; rules grouping by the same keys and filter share one query."""
        query = self._summary_query()
        cache_key = f"grouped:{query.sql(dialect='duckdb')}"
        if cache_key not in evidence.shared:
            (evidence.shared[cache_key],) = evidence.runner.fetch_rows(query)
        *counts, n_log_n = evidence.shared[cache_key]
        # Over no groups at all (an empty table, an all-NULL key) the engine's sums are NULL: zero.
        return GroupSummary(*(int(count or 0) for count in counts), float(n_log_n or 0))

    def _duplicates(self, runner: QueryRunner) -> list[dict[str, object]]:
        n = exp.column(exp.to_identifier(COUNT, quoted=True))
        groups = exp.to_identifier(GROUPS, quoted=True)
        shown = ShownValues(self.keys, self.context, extra=["occurrences"])
        query = (
            exp.select(*shown.projections(), n.copy())
            .from_(exp.table_(groups))
            .where(exp.GT(this=n.copy(), expression=number(1)))
            .order_by(exp.Ordered(this=n.copy(), desc=True), *shown.order())
            .limit(FAILING_ROWS_SHOWN)
            .with_(groups, as_=self._grouped(), materialized=True)
        )
        return shown.rows(runner.fetch_rows(query))

    def evaluate(self, evidence: Evidence) -> RuleOutcome:
        """Judge the grouped summary by the rule type's own measure."""
        summary = self._summary(evidence)
        details: dict[str, object] = {
            "duplicate_groups": summary.duplicate_groups,
            "duplicate_rows": summary.duplicate_rows,
            "distinct_values": summary.groups,
        }
        if self.rule_type in MEASURES:
            return self._judge_measure(summary, evidence, details)
        return self._judge_key(summary, evidence, details)

    def _keys_text(self) -> str:
        return ", ".join(repr(k) for k in self.keys)

    def _judge_key(
        self, summary: GroupSummary, evidence: Evidence, details: dict[str, object]
    ) -> RuleOutcome:
        """IsUnique: no key value repeats; IsPrimaryKey: nor is any key column NULL."""
        primary = self.rule_type == "IsPrimaryKey"
        nulls = int(evidence.values[self.metrics[0]] or 0) if self.metrics else 0
        keys = self._keys_text()
        passed = summary.duplicate_groups == 0 and (not primary or nulls == 0)
        problems = []
        if summary.duplicate_groups:
            problems.append(
                f"{summary.duplicate_groups:,} values of {keys} occur more than once "
                f"({summary.duplicate_rows:,} rows)"
            )
        if primary and nulls:
            problems.append(f"{nulls:,} rows have a NULL in {keys}")
        message = "; ".join(problems) if problems else f"{keys} is unique over {summary.rows:,} rows"
        if primary:
            details["null_rows"] = nulls
        if summary.duplicate_groups:  # only a failing rule pays for its sample
            details["duplicate_sample"] = self._duplicates(evidence.runner)
        wanted = "unique and complete" if primary else "unique"
        return verdict(passed, message, _unique_share(summary), condition=wanted, **details)

    def _judge_measure(
        self, summary: GroupSummary, evidence: Evidence, details: dict[str, object]
    ) -> RuleOutcome:
        """Uniqueness, UniqueValueRatio, Entropy: the measure compared with the rule's condition."""
        condition = self._condition()
        observed, label = MEASURES[self.rule_type](summary, self._keys_text())
        # Repeats are normal for these rules: only a failing one pays for the duplicate sample.
        if summary.duplicate_groups and not satisfies(condition, observed, evidence.history):
            details["duplicate_sample"] = self._duplicates(evidence.runner)
        return judge(label, condition, observed, evidence, **details)

    def _condition(self) -> Condition:
        if self.condition is None:
            raise RuleError(f"{self.rule_type} needs a condition")
        return self.condition


def _unique_share(summary: GroupSummary) -> float:
    """The share of rows whose key value occurs once (1.0 over no rows)."""
    return (summary.rows - summary.duplicate_rows) / summary.rows if summary.rows else 1.0


def _unique_value_ratio(summary: GroupSummary) -> float:
    return summary.unique_groups / summary.groups if summary.groups else 0.0


def _entropy(summary: GroupSummary) -> float:
    """Natural log, over the value distribution."""
    return math.log(summary.rows) - summary.n_log_n / summary.rows if summary.rows else 0.0


Measure = Callable[[GroupSummary, str], tuple[float, str]]
"""A rule type's number from the grouped summary, with its label (given the keys as written)."""

MEASURES: dict[str, Measure] = {
    "Uniqueness": lambda summary, keys: (_unique_share(summary), f"share of rows with a unique {keys}"),
    "UniqueValueRatio": lambda summary, keys: (
        _unique_value_ratio(summary),
        f"values of {keys} seen once / distinct values",
    ),
    "Entropy": lambda summary, keys: (_entropy(summary), f"entropy of {keys}"),
}


def compile_uniqueness(rule: Rule, context: TableContext) -> GroupedRule:
    """A GroupedRule; RuleError when a key column does not exist."""
    keys = tuple(p.value for p in rule.params if isinstance(p, String))
    for key in keys:
        context.column(key)
    where = where_predicate(rule, context)
    shell = GroupedRule(rule.rule_type, keys, where, rule.condition, context)
    if rule.rule_type != "IsPrimaryKey":
        return shell
    nulls = AggregateMetric(count_if(both(where, exp.paren(shell._key_null()))))
    return GroupedRule(rule.rule_type, keys, where, rule.condition, context, (nulls,))
