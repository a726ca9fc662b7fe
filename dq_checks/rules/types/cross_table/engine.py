"""Rules that compare the table with another monitored table.

ReferentialIntegrity, DatasetMatch, SchemaMatch, RowCountMatch and AggregateMatch.

The step makes the reference available in the same engine first (for the local engine,
the reference's needed columns are streamed in), so every join runs in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlglot import exp

from dq_checks.dqdl.ast import Condition, Rule, String
from dq_checks.dqdl.references import aggregate_ref, column_list, columns_ref, key_mapping
from dq_checks.metrics import AggregateMetric, QueryRunner
from dq_checks.metrics.sql import as_double, count_if, count_rows
from dq_checks.profile.values import as_float
from dq_checks.rules.model import (
    FAILING_ROWS_SHOWN,
    CompiledRule,
    Evidence,
    ReferenceTable,
    RuleError,
    RuleOutcome,
    TableContext,
    find_column,
    rows_as_dicts,
)
from dq_checks.rules.verdicts import judge
from dq_checks.schema import ColumnInfo, TableDescription
from dq_checks.suggestions import did_you_mean

PRESENT = "dq_present"


def _params(rule: Rule) -> list[str]:
    return [p.value for p in rule.params if isinstance(p, String)]


def _col(name: str, table: str) -> exp.Column:
    return exp.column(exp.to_identifier(name, quoted=True), table=exp.to_identifier(table, quoted=True))


def _aliased(relation: exp.Table, alias: str) -> exp.Table:
    aliased = relation.copy()
    aliased.set("alias", exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))
    return aliased


def _existing(description: TableDescription, name: str, table: str) -> ColumnInfo:
    info = find_column(description, name, table)
    if info is None:
        names = [c.name for c in description.columns]
        hint = did_you_mean(name, names)
        raise RuleError(f"column {name!r} does not exist in {table}; it has: {', '.join(names)}{hint}")
    return info


def _compatible(left: ColumnInfo, right: ColumnInfo) -> tuple[str, str]:
    """The two columns' names as their tables spell them, when their values can be compared."""
    if left.kind is not right.kind:
        raise RuleError(
            f"cannot compare {left.name!r} ({left.data_type}) with {right.name!r} ({right.data_type})"
        )
    return left.name, right.name


@dataclass(frozen=True)
class ReferentialIntegrityRule:
    """The share of the table's (non-NULL) values found in the reference's columns."""

    columns: tuple[str, ...]
    reference: ReferenceTable
    reference_columns: tuple[str, ...]
    condition: Condition | None
    context: TableContext
    metrics: Sequence[AggregateMetric] = field(default_factory=tuple)

    def _joined(self) -> tuple[exp.Select, exp.Expression, exp.Expression]:
        distinct_keys = (
            exp.select(
                *[_col(c, "ref") for c in self.reference_columns],
                exp.alias_(exp.true(), PRESENT, quoted=True),
            )
            .distinct()
            .from_(_aliased(self.context.relation_of(self.reference.name), "ref"))
        )
        on = exp.and_(
            *[
                exp.EQ(this=_col(c, "p"), expression=_col(r, "r"))
                for c, r in zip(self.columns, self.reference_columns, strict=True)
            ]
        )
        keys_present = exp.and_(
            *[exp.Not(this=exp.Is(this=_col(c, "p"), expression=exp.Null())) for c in self.columns]
        )
        missing = exp.Is(this=_col(PRESENT, "r"), expression=exp.Null())
        base = (
            exp.select()
            .from_(_aliased(self.context.relation, "p"))
            .join(exp.alias_(exp.Subquery(this=distinct_keys), "r", quoted=True), on=on, join_type="left")
        )
        return base, keys_present, missing

    def evaluate(self, evidence: Evidence) -> RuleOutcome:
        """Count referencing rows and missing ones; sample the missing values."""
        base, keys_present, missing = self._joined()
        totals = (
            base.copy().select(count_rows(), count_if(missing.copy()), copy=False).where(keys_present.copy())
        )
        ((checked, missing_rows),) = evidence.runner.fetch_rows(totals)
        checked, missing_rows = int(checked), int(missing_rows or 0)
        sample, missing_values = [], 0
        if missing_rows:
            columns = [_col(c, "p") for c in self.columns]
            grouped = (
                base.copy()
                .select(
                    *columns,
                    # ordered by its alias: Spark cannot sort by an aggregate beside a window function
                    exp.alias_(exp.Count(this=exp.Star()), "dq_rows", quoted=True),
                    exp.Window(this=exp.Count(this=exp.Star())),
                    copy=False,
                )
                .where(exp.and_(keys_present.copy(), missing.copy()))
                .group_by(*[c.copy() for c in columns])
                .order_by(
                    exp.Ordered(this=exp.column("dq_rows", quoted=True), desc=True),
                    *[c.copy() for c in columns],
                )
                .limit(FAILING_ROWS_SHOWN)
            )
            rows = evidence.runner.fetch_rows(grouped)
            missing_values = int(rows[0][-1]) if rows else 0
            sample = rows_as_dicts([*self.columns, "rows"], [row[:-1] for row in rows])
        observed = (checked - missing_rows) / checked if checked else 1.0
        target = f"{self.reference.name}.{{{','.join(self.reference_columns)}}}"
        label = f"share of {', '.join(self.columns)} found in {target}"
        if missing_rows:
            missing = f"{missing_rows:,} of {checked:,} rows reference {missing_values:,} value(s) missing"
            label = f"{missing} from {target}; {label}"
        return judge(
            label,
            self.condition,
            observed,
            evidence,
            checked_rows=checked,
            missing_values_count=missing_values,
            missing_rows_count=missing_rows,
            missing_sample=sample or None,
        )


@dataclass(frozen=True)
class DatasetMatchRule:
    """Join on the key mapping; the share of the table's rows whose mapped columns all match."""

    reference: ReferenceTable
    keys: tuple[tuple[str, str], ...]
    compared: tuple[tuple[str, str], ...]
    condition: Condition | None
    context: TableContext
    metrics: Sequence[AggregateMetric] = field(default_factory=tuple)

    def evaluate(self, evidence: Evidence) -> RuleOutcome:
        """Count rows, and rows for which some reference row has the key and equal mapped columns.

        An EXISTS, not a join: a key repeated in the reference cannot count a row twice.
        """
        same_key = [exp.EQ(this=_col(p, "p"), expression=_col(r, "r")) for p, r in self.keys]
        equal = [exp.NullSafeEQ(this=_col(p, "p"), expression=_col(r, "r")) for p, r in self.compared]
        reference = _aliased(self.context.relation_of(self.reference.name), "r")
        found = exp.Exists(
            this=exp.select(exp.Literal.number(1)).from_(reference).where(exp.and_(*same_key, *equal))
        )
        query = exp.select(count_rows(), count_if(found)).from_(_aliased(self.context.relation, "p"))
        ((total, matching),) = evidence.runner.fetch_rows(query)
        total, matching = int(total), int(matching or 0)
        observed = matching / total if total else 1.0
        label = f"share of rows matching {self.reference.name}"
        return judge(
            label,
            self.condition,
            observed,
            evidence,
            compared_rows=total,
            matching_rows=matching,
            compared_columns=[f"{p}->{r}" for p, r in self.compared],
        )


@dataclass(frozen=True)
class SchemaMatchRule:
    """Column names and types agree with the reference's; order is ignored."""

    reference: ReferenceTable
    condition: Condition | None
    context: TableContext
    metrics: Sequence[AggregateMetric] = field(default_factory=tuple)

    def evaluate(self, evidence: Evidence) -> RuleOutcome:
        """The share of all column names that exist in both with the same type."""
        mine = {c.name: c.data_type.lower() for c in self.context.description.columns}
        theirs = {c.name: c.data_type.lower() for c in self.reference.description.columns}
        names = set(mine) | set(theirs)
        same = {n for n in names if mine.get(n) is not None and mine.get(n) == theirs.get(n)}
        observed = len(same) / len(names) if names else 1.0
        return judge(
            f"share of columns matching {self.reference.name}'s schema",
            self.condition,
            observed,
            evidence,
            only_here=sorted(set(mine) - set(theirs)) or None,
            only_in_reference=sorted(set(theirs) - set(mine)) or None,
            different_types=sorted(n for n in set(mine) & set(theirs) if mine[n] != theirs[n]) or None,
        )


@dataclass(frozen=True)
class RowCountMatchRule:
    """The table's row count as a share of the reference's."""

    reference: ReferenceTable
    condition: Condition | None
    metrics: Sequence[AggregateMetric] = field(default_factory=lambda: (AggregateMetric(count_rows()),))

    def evaluate(self, evidence: Evidence) -> RuleOutcome:
        """Rows / reference rows."""
        rows = int(evidence.values[self.metrics[0]])
        reference_rows = self.reference.description.row_count
        if reference_rows is None:
            raise RuleError(f"the row count of {self.reference.name} is unknown")
        observed = rows / reference_rows if reference_rows else (1.0 if rows == 0 else 0.0)
        return judge(
            f"row count / {self.reference.name}'s row count",
            self.condition,
            observed,
            evidence,
            row_count=rows,
            reference_row_count=reference_rows,
        )


@dataclass(frozen=True)
class AggregateMatchRule:
    """The first aggregate divided by the second, as AWS defines it: 1.0 means equal.

    Order matters: `"sum(a)" "sum(b)"` with 90 and 100 is 0.9, the other way round 1.11. Both
    zero is 1.0 (they agree); a zero second with a non-zero first is 0.0, as in AWS's deequ
    implementation, rather than a division error.
    """

    first: tuple[str, str, ReferenceTable | None]
    second: tuple[str, str, ReferenceTable | None]
    condition: Condition | None
    context: TableContext
    metrics: Sequence[AggregateMetric] = field(default_factory=tuple)

    def _aggregate(self, side: tuple[str, str, ReferenceTable | None], runner: QueryRunner) -> float:
        function, column_name, table = side
        relation = self.context.relation if table is None else self.context.relation_of(table.name)
        value = as_double(exp.column(exp.to_identifier(column_name, quoted=True)))
        aggregate = exp.Sum(this=value) if function == "sum" else exp.Avg(this=value)
        ((result,),) = runner.fetch_rows(exp.select(aggregate).from_(relation.copy()))
        return as_float(result) or 0.0

    def evaluate(self, evidence: Evidence) -> RuleOutcome:
        """Compute both aggregates where their tables live, then compare."""
        first, second = (
            self._aggregate(self.first, evidence.runner),
            self._aggregate(self.second, evidence.runner),
        )
        observed = aggregate_ratio(first, second)
        names = [f"{f}({(t.name + '.') if t else ''}{c})" for f, c, t in (self.first, self.second)]
        return judge(
            f"{names[0]} vs {names[1]}",
            self.condition,
            observed,
            evidence,
            first_value=first,
            second_value=second,
        )


def _mapped(
    pairs: tuple[tuple[str, str], ...], context: TableContext, reference: ReferenceTable
) -> tuple[tuple[str, str], ...]:
    """Column pairs spelled as each table spells them, after checking they can be compared."""
    return tuple(
        _compatible(context.column(mine), _existing(reference.description, theirs, reference.name))
        for mine, theirs in pairs
    )


def aggregate_ratio(first: float, second: float) -> float:
    """The first divided by the second; 1.0 when both are zero, 0.0 when only the second is."""
    if first == 0 and second == 0:
        return 1.0
    return 0.0 if second == 0 else first / second


def _referential_integrity(rule: Rule, context: TableContext) -> ReferentialIntegrityRule:
    params = _params(rule)
    columns, ref = column_list(params[0]), columns_ref(params[1])
    if len(columns) != len(ref.columns):
        raise RuleError(
            f"{len(columns)} column(s) cannot be matched with {len(ref.columns)} reference column(s)"
        )
    reference = context.reference(ref.table)
    pairs = [
        _compatible(context.column(mine), _existing(reference.description, theirs, ref.table))
        for mine, theirs in zip(columns, ref.columns, strict=True)
    ]
    return ReferentialIntegrityRule(
        tuple(m for m, _ in pairs), reference, tuple(t for _, t in pairs), rule.condition, context
    )


def _dataset_match(rule: Rule, context: TableContext) -> DatasetMatchRule:
    params = _params(rule)
    reference = context.reference(params[0])
    keys = _mapped(key_mapping(params[1]), context, reference)
    if len(params) > 2:
        compared = _mapped(key_mapping(params[2]), context, reference)
    else:
        # Every other column the reference has too (AWS: the remaining columns, same names).
        key_names = {p for p, _ in keys}
        compared = _mapped(
            tuple(
                (c.name, c.name)
                for c in context.description.columns
                if c.name not in key_names and find_column(reference.description, c.name) is not None
            ),
            context,
            reference,
        )
    return DatasetMatchRule(reference, keys, compared, rule.condition, context)


def _schema_match(rule: Rule, context: TableContext) -> SchemaMatchRule:
    return SchemaMatchRule(context.reference(_params(rule)[0]), rule.condition, context)


def _row_count_match(rule: Rule, context: TableContext) -> RowCountMatchRule:
    return RowCountMatchRule(context.reference(_params(rule)[0]), rule.condition)


def _aggregate_match(rule: Rule, context: TableContext) -> AggregateMatchRule:
    sides = []
    for text in _params(rule):
        ref = aggregate_ref(text)
        table = None if ref.table in (None, "primary") else context.reference(ref.table)
        description = context.description if table is None else table.description
        info = _existing(description, ref.column, table.name if table else "this table")
        if not info.kind.value == "numeric":
            raise RuleError(f"{ref.function}({ref.column}) needs a numeric column; it is {info.data_type}")
        sides.append((ref.function, info.name, table))
    return AggregateMatchRule(sides[0], sides[1], rule.condition, context)


_COMPILERS: dict[str, Callable[[Rule, TableContext], CompiledRule]] = {
    "ReferentialIntegrity": _referential_integrity,
    "DatasetMatch": _dataset_match,
    "SchemaMatch": _schema_match,
    "RowCountMatch": _row_count_match,
    "AggregateMatch": _aggregate_match,
}


def compile_cross_table(rule: Rule, context: TableContext) -> CompiledRule:
    """The rule over this table and its reference, which the step has made available in one engine."""
    return _COMPILERS[rule.rule_type](rule, context)
