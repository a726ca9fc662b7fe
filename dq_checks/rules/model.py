"""What evaluating a rule produces, and what a compiled rule needs to be evaluated."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlglot import exp

from dq_checks.metrics import AggregateMetric, MetricValues, QueryRunner
from dq_checks.profile.model import TableProfile
from dq_checks.results.model import Outcome
from dq_checks.schema import ColumnInfo, TableDescription
from dq_checks.suggestions import did_you_mean

FAILING_ROWS_SHOWN = 20
"""How many failing rows (or duplicate groups, or missing references) a rule's outcome shows."""


class RuleError(ValueError):
    """The rule cannot be evaluated on this table: a missing column, a type that does not fit...

    `observed` is the rule's metric when it was measured before the error (a dynamic bound
    that cannot be computed yet): the error outcome still carries it, so the metric joins the
    rule's history and the bound can be computed on a later run.
    """

    def __init__(self, message: str, *, observed: float | None = None) -> None:
        super().__init__(message)
        self.observed = observed

    def measured(self, observed: float | None) -> RuleError:
        """The same error, carrying the metric measured before it (kept if it already has one)."""
        if self.observed is not None or observed is None:
            return self
        return RuleError(str(self), observed=observed)


@dataclass(frozen=True)
class RuleOutcome:
    """One rule's result: the outcome, the metric it observed, and the evidence."""

    outcome: Outcome
    message: str
    observed: float | None = None
    details: dict[str, Any] = field(default_factory=dict)


def find_column(description: TableDescription, name: str, table: str = "the table") -> ColumnInfo | None:
    """The column `name` resolves to, ignoring case as Glue's Spark does; None when none does.

    Two columns that differ only in case make the name ambiguous: a RuleError naming both.
    """
    matches = [c for c in description.columns if c.name.casefold() == name.casefold()]
    if len(matches) > 1:
        both = " and ".join(repr(c.name) for c in matches)
        raise RuleError(
            f"column {name!r} is ambiguous: {table} has {both}, which differ only in case "
            "(column names match case-insensitively, as in Glue)"
        )
    return matches[0] if matches else None


@dataclass(frozen=True)
class ReferenceTable:
    """Another monitored table a rule reads, as the engine sees it."""

    name: str
    relation: exp.Table | None
    description: TableDescription


@dataclass(frozen=True)
class TableContext:
    """The table a rule runs against, and what it may consult."""

    description: TableDescription
    relation: exp.Table
    key_columns: tuple[str, ...] = ()
    now: datetime | None = None
    references: Mapping[str, ReferenceTable] = field(default_factory=dict)
    unavailable: Mapping[str, str] = field(default_factory=dict)
    sample_limit: int = FAILING_ROWS_SHOWN
    """Failing rows fetched per row-level rule: 20 for check metadata, 1,000 for a report's workbook."""

    def column(self, name: str) -> ColumnInfo:
        """The column `name` (matched ignoring case), or a RuleError naming the columns the table has."""
        info = find_column(self.description, name)
        if info is None:
            names = [c.name for c in self.description.columns]
            hint = did_you_mean(name, names)
            raise RuleError(f"column {name!r} does not exist; the table has: {', '.join(names)}{hint}")
        return info

    def reference(self, name: str) -> ReferenceTable:
        """A referenced table that the step loaded for this run."""
        if name in self.unavailable:
            raise RuleError(f"reference table {name!r} is unavailable: {self.unavailable[name]}")
        if name not in self.references:
            raise RuleError(f"reference table {name!r} is not available in this run")
        return self.references[name]

    def relation_of(self, name: str) -> exp.Table:
        """Where a referenced table's rows live in the engine."""
        relation = self.reference(name).relation
        if relation is None:
            raise RuleError(f"reference table {name!r} was not loaded")
        return relation


History = Callable[[int], Sequence[float]]
"""The last k observed values of this rule, most recent first."""


@dataclass(frozen=True)
class Evidence:
    """What a compiled rule gets back: its metric values, the runner, its history and the profile."""

    values: MetricValues
    runner: QueryRunner
    history: History
    profile: TableProfile | None = None
    shared: dict[str, Any] = field(default_factory=dict)
    """Results rules of one table may share (one grouping serves IsUnique and IsPrimaryKey)."""


class CompiledRule(Protocol):
    """A rule turned into metrics for the shared scan plus whatever else it queries itself."""

    metrics: Sequence[AggregateMetric]

    def evaluate(self, evidence: Evidence) -> RuleOutcome:
        """Decide the outcome from the metric values, running any queries of its own."""
        ...


def no_history(_k: int) -> Sequence[float]:
    """History for a rule that has never run."""
    return ()


def rows_as_dicts(columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Query rows as dicts keyed by column name, values made JSON-ready."""
    from dq_checks.profile.values import plain

    return [dict(zip(columns, (plain(v) for v in row), strict=True)) for row in rows]


def metadata_only(details: Mapping[str, Any]) -> dict[str, Any]:
    """Details without empty entries."""
    return {k: v for k, v in details.items() if v is not None}
