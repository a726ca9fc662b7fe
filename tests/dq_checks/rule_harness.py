"""Run DQDL rules against in-memory Arrow tables the way the inspect step does in production.

The table is streamed into a real LocalDuckDB, references are streamed in beside it, the
engine is sealed, the rule is parsed and compiled against a TableContext, its metrics ride
along the profile's shared scan (`profile_and_measure`), and the compiled rule is
evaluated with the measured values, the runner, a history and the profile.

Column descriptions are written by hand in Iceberg's type names (`long`, `double`,
`string`, `timestamptz`...), not derived by product code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType

import pyarrow as pa

from dq_checks.config.models import AnomalySettings
from dq_checks.dqdl.parser import parse_rule
from dq_checks.profile.profiler import Measured, profile_and_measure
from dq_checks.rules.compile import compile_rule
from dq_checks.rules.model import (
    CompiledRule,
    Evidence,
    History,
    ReferenceTable,
    RuleOutcome,
    TableContext,
    no_history,
)
from dq_checks.schema import ColumnInfo, ColumnKind, TableDescription
from dq_resources.engines import LocalDuckDB
from tests.runners import duckdb_over

# The evaluation instant every rule sees: now() in DQDL.
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def numeric(name: str, data_type: str = "long") -> ColumnInfo:
    """A numeric column; `double` and `float` are floating-point."""
    return ColumnInfo(name, data_type, ColumnKind.NUMERIC, floating=data_type in ("double", "float"))


def text(name: str) -> ColumnInfo:
    return ColumnInfo(name, "string", ColumnKind.STRING)


def boolean(name: str) -> ColumnInfo:
    return ColumnInfo(name, "boolean", ColumnKind.BOOLEAN)


def temporal(name: str, data_type: str = "timestamptz") -> ColumnInfo:
    """A date or timestamp column: `timestamptz`, `timestamp` or `date`."""
    return ColumnInfo(name, data_type, ColumnKind.TEMPORAL)


def _column_of(name: str, arrow_type: pa.DataType) -> ColumnInfo:
    if pa.types.is_int64(arrow_type):
        return numeric(name, "long")
    if pa.types.is_integer(arrow_type):
        return numeric(name, "int")
    if pa.types.is_float64(arrow_type):
        return numeric(name, "double")
    if pa.types.is_floating(arrow_type):
        return numeric(name, "float")
    if pa.types.is_decimal(arrow_type):
        return numeric(name, f"decimal({arrow_type.precision}, {arrow_type.scale})")
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return text(name)
    if pa.types.is_boolean(arrow_type):
        return boolean(name)
    if pa.types.is_date(arrow_type):
        return temporal(name, "date")
    if pa.types.is_timestamp(arrow_type):
        return temporal(name, "timestamptz" if arrow_type.tz else "timestamp")
    raise TypeError(f"the harness has no ColumnInfo for {arrow_type}")


def description_of(table: pa.Table, *, row_count: int | bool | None = True) -> TableDescription:
    """The table's description, as a source's metadata would give it (row count included)."""
    columns = tuple(_column_of(f.name, f.type) for f in table.schema)
    rows = table.num_rows if row_count is True else (None if row_count is False else row_count)
    return TableDescription(columns, rows, NOW, "v1")


def history(*values: float) -> History:
    """A rule's history: `values` are its earlier observations, most recent first."""
    return lambda k: list(values[:k])


@dataclass
class RuleBench:
    """One loaded, sealed engine and the context rules compile against; use it as a context manager."""

    table: pa.Table
    key: tuple[str, ...] = ()
    references: Mapping[str, pa.Table] = field(default_factory=dict)
    description: TableDescription | None = None
    reference_descriptions: Mapping[str, TableDescription] = field(default_factory=dict)
    now: datetime = NOW
    engine: LocalDuckDB = field(init=False)
    context: TableContext = field(init=False)

    def __enter__(self) -> RuleBench:
        self.engine = duckdb_over(self.table)
        loaded = {}
        for name, other in self.references.items():
            relation = self.engine.load_reference(name, other.to_reader())
            described = self.reference_descriptions.get(name) or description_of(other)
            loaded[name] = ReferenceTable(name, relation, described)
        self.engine.seal()
        described = self.description or description_of(self.table)
        self.context = TableContext(described, self.engine.relation, self.key, self.now, loaded)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.engine.close()

    def compile(self, rule_text: str) -> CompiledRule:
        """Parse and compile; RuleError propagates."""
        return compile_rule(parse_rule(rule_text), self.context)

    def measure(self, compiled: CompiledRule) -> Measured:
        """The profile and the rule's metrics, in one shared scan."""
        return profile_and_measure(
            self.engine, self.context.description.columns, AnomalySettings(), extra=[compiled.metrics]
        )

    def run(self, rule_text: str, past: History = no_history) -> RuleOutcome:
        """Compile, measure and evaluate one rule; errors raised by `evaluate` propagate."""
        compiled = self.compile(rule_text)
        measured = self.measure(compiled)
        assert measured.failed_groups == {}, measured.failed_groups
        return compiled.evaluate(Evidence(measured.values, self.engine, past, measured.profile))

    def run_all(self, rule_texts: Sequence[str], past: History = no_history) -> dict[str, RuleOutcome]:
        """Several rules in one shared scan, as the inspect step runs a table's rules; by rule text."""
        compiled = {text: self.compile(text) for text in dict.fromkeys(rule_texts)}
        measured = profile_and_measure(
            self.engine,
            self.context.description.columns,
            AnomalySettings(),
            extra=[rule.metrics for rule in compiled.values()],
        )
        assert measured.failed_groups == {}, measured.failed_groups
        evidence = Evidence(measured.values, self.engine, past, measured.profile)
        return {text: rule.evaluate(evidence) for text, rule in compiled.items()}


def failing_ids(rows: Sequence[Mapping[str, object]], key: str, passes: object) -> list[object]:
    """The keys of the rows a Python predicate fails, sorted: an independent oracle for row-level rules."""
    assert callable(passes)
    return sorted(row[key] for row in rows if not passes(row))
