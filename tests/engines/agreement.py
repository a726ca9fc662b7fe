"""The same rules and profile, run by another engine, agree with the local DuckDB engine.

The plan is written once as sqlglot expressions. Each engine's test module loads ORDERS and
CUSTOMERS (their defects planted and commented below) into that engine, and subclasses
`SameAsDuckDB` with a `remote` fixture: the engine's own runner, handed out by its source.
Outcomes, observed values, counts, samples and the profile must match DuckDB's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import pyarrow as pa
import pytest
from sqlglot import exp

from dq_checks.config.models import AnomalySettings
from dq_checks.dqdl.parser import parse_rule
from dq_checks.profile.profiler import profile_and_measure
from dq_checks.rules.compile import compile_rule
from dq_checks.rules.model import Evidence, ReferenceTable, RuleOutcome, TableContext, no_history
from dq_checks.schema import ColumnInfo, ColumnKind, TableDescription
from tests.runners import duckdb_over

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
N = 400

ORDERS = pa.table(
    {
        "order_id": pa.array([i if i != 399 else 7 for i in range(N)], pa.int64()),  # planted: id 7 twice
        "customer_id": pa.array(
            [i % 50 if i % 97 else 900 + i for i in range(N)], pa.int64()
        ),  # planted orphans
        "amount": pa.array([None if i % 41 == 0 else float(i % 90) + 0.5 for i in range(N)], pa.float64()),
        "status": pa.array(
            ["paid" if i % 3 else ("shipped" if i % 11 else "lost") for i in range(N)], pa.string()
        ),  # planted: 'lost'
        "email": pa.array([f"u{i}@x.io" if i % 57 else "broken" for i in range(N)], pa.string()),
        "placed_at": pa.array([NOW - timedelta(hours=i) for i in range(N)], pa.timestamp("us", tz="UTC")),
        "paid": pa.array([i % 5 != 0 for i in range(N)], pa.bool_()),
    }
)
CUSTOMERS = pa.table({"customer_id": pa.array(range(50), pa.int64()), "region": pa.array(["eu"] * 50)})

COLUMNS = (
    ColumnInfo("order_id", "long", ColumnKind.NUMERIC),
    ColumnInfo("customer_id", "long", ColumnKind.NUMERIC),
    ColumnInfo("amount", "double", ColumnKind.NUMERIC, floating=True),
    ColumnInfo("status", "string", ColumnKind.STRING),
    ColumnInfo("email", "string", ColumnKind.STRING),
    ColumnInfo("placed_at", "timestamptz", ColumnKind.TEMPORAL),
    ColumnInfo("paid", "boolean", ColumnKind.BOOLEAN),
)
DESCRIPTION = TableDescription(COLUMNS, N, NOW, "1")
CUSTOMER_DESCRIPTION = TableDescription(
    (
        ColumnInfo("customer_id", "long", ColumnKind.NUMERIC),
        ColumnInfo("region", "string", ColumnKind.STRING),
    ),
    50,
    NOW,
    "1",
)

RULES = [
    "RowCount between 100 and 1000",
    'IsComplete "amount"',
    'Completeness "amount" > 0.9 where "status = \'paid\'"',
    'IsPrimaryKey "order_id"',
    'IsUnique "email"',
    'Uniqueness "status" > 0.5',
    'Uniqueness "order_id" "status" > 0.9',
    'UniqueValueRatio "customer_id" < 0.5',
    'DistinctValuesCount "customer_id" > 10',
    'Entropy "status" > 0.5',
    'Mean "amount" between 40 and 50',
    'Sum "amount" > 1000',
    'StandardDeviation "amount" < 30',
    'Variance "amount" < 900',
    'ColumnCorrelation "order_id" "amount" between -1 and 1',
    'ColumnValues "status" in ["paid", "shipped"]',
    'ColumnValues "status" not in ["lost", NULL]',
    'ColumnValues "amount" between 1 and 80',
    'ColumnValues "amount" <= 60 with threshold > 0.5',
    'ColumnValues "email" matches "[a-z0-9]+@[a-z]+\\.io"',
    'ColumnValues "email" != EMPTY',
    'ColumnValues "placed_at" > (now() - 10 days)',
    'ColumnValues "paid" = "true"',
    'ColumnLength "status" between 3 and 7',
    'ColumnDataType "status" = "INTEGER" with threshold > 0.9',
    'DataFreshness "placed_at" <= 240 hours',
    "ColumnCount = 7",
    'ColumnExists "load_dt"',
    'ColumnNamesMatchPattern "^[a-z_]+$"',
    'ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0',
    'DatasetMatch "customers" "customer_id->customer_id" >= 0.9',
    'SchemaMatch "customers" = 1.0',
    'RowCountMatch "customers" >= 0.95',
    'AggregateMatch "sum(customer_id)" "sum(customers.customer_id)" >= 0.95',
    'DetectAnomalies "RowCount"',
    'CustomSql "select count(*) from primary where amount > 80" = 0',
    "CustomSql \"select order_id from primary where status = 'paid'\" with threshold > 0.5",
    '(ColumnValues "amount" >= 0) and (ColumnValues "status" != "lost")',
]

PLANTED_FAILURES = {
    'IsComplete "amount"',  # every 41st amount is NULL
    'IsPrimaryKey "order_id"',  # order 7 twice
    'ColumnValues "status" in ["paid", "shipped"]',  # 'lost'
    'ColumnValues "status" not in ["lost", NULL]',
    'ColumnValues "amount" between 1 and 80',  # 0.5, 80.5.. and NULLs
    'ColumnValues "email" matches "[a-z0-9]+@[a-z]+\\.io"',  # 'broken'
    'ColumnValues "paid" = "true"',  # every 5th order is unpaid
    'IsUnique "email"',  # 'broken' repeats
    'ColumnValues "placed_at" > (now() - 10 days)',  # 400 hours back
    'DataFreshness "placed_at" <= 240 hours',
    'ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0',  # customers 900+
    '(ColumnValues "amount" >= 0) and (ColumnValues "status" != "lost")',
    'Uniqueness "status" > 0.5',  # three statuses over 400 rows: nothing is unique
    'ColumnLength "status" between 3 and 7',  # 'shipped' has 7 letters; between is exclusive
    'ColumnDataType "status" = "INTEGER" with threshold > 0.9',  # statuses are words
    'ColumnExists "load_dt"',  # no such column
    'CustomSql "select count(*) from primary where amount > 80" = 0',  # amounts reach 89.5
    'SchemaMatch "customers" = 1.0',  # orders and customers share one column of eight
}
"""The rules the planted defects fail. `DetectAnomalies` skips (no history); every other rule passes."""


class EvaluatedTable(NamedTuple):
    """One engine's profile of ORDERS, and its outcome for each of RULES."""

    profile: Any
    outcomes: list[RuleOutcome]


def evaluate_all(runner: Any, customers: exp.Table) -> EvaluatedTable:
    """Profile ORDERS and evaluate every rule with `runner`, CUSTOMERS being `customers` beside it."""
    context = TableContext(
        DESCRIPTION,
        runner.relation,
        ("order_id",),
        NOW,
        {"customers": ReferenceTable("customers", customers, CUSTOMER_DESCRIPTION)},
    )
    compiled = [compile_rule(parse_rule(text), context) for text in RULES]
    measured = profile_and_measure(
        runner, COLUMNS, AnomalySettings(), row_count_hint=N, extra=[c.metrics for c in compiled]
    )
    evidence = Evidence(measured.values, runner, no_history, measured.profile)
    return EvaluatedTable(measured.profile, [c.evaluate(evidence) for c in compiled])


def evaluated_locally() -> EvaluatedTable:
    """What the local DuckDB engine makes of ORDERS and CUSTOMERS: the answer every engine must give."""
    with duckdb_over(ORDERS) as local:
        customers = local.load_reference("customers", CUSTOMERS.to_reader())
        return evaluate_all(local, customers)


def comparable(value: Any) -> Any:
    """`value` with its floats compared to 9 significant digits: engines sum in different orders."""
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-9, abs=1e-12)
    if isinstance(value, list):
        return [comparable(v) for v in value]
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items()}
    return value


PROFILE_FIELDS = ("null_count", "distinct_count", "mean", "median", "std", "q1", "q3", "zeros", "negatives")

Remote = AbstractContextManager[tuple[Any, exp.Table]]
"""What an engine's `remote` fixture yields: its runner over ORDERS, and how it names CUSTOMERS."""


class SameAsDuckDB:
    """The agreement tests. An engine's module subclasses this with a class-scoped `remote` fixture."""

    @pytest.fixture(scope="class")
    @classmethod
    def both(cls, remote: tuple[Any, exp.Table]) -> Iterator[tuple[EvaluatedTable, EvaluatedTable]]:
        runner, customers = remote
        yield evaluated_locally(), evaluate_all(runner, customers)

    @pytest.mark.parametrize("index", range(len(RULES)), ids=RULES)
    def test_each_rule_gives_the_same_result(
        self, both: tuple[EvaluatedTable, EvaluatedTable], index: int
    ) -> None:
        local, remote = both
        mine, theirs = local.outcomes[index], remote.outcomes[index]
        assert theirs.outcome == mine.outcome, theirs.message
        assert theirs.observed == comparable(mine.observed)
        assert theirs.details == comparable(mine.details)

    def test_the_planted_defects_fail(self, both: tuple[EvaluatedTable, EvaluatedTable]) -> None:
        _, remote = both
        failing = {RULES[i] for i, o in enumerate(remote.outcomes) if o.outcome.value == "fail"}
        assert failing == PLANTED_FAILURES

    def test_the_profile_is_the_same(self, both: tuple[EvaluatedTable, EvaluatedTable]) -> None:
        local, remote = both
        assert remote.profile.row_count == local.profile.row_count == N
        for name, column in local.profile.columns.items():
            other = remote.profile.columns[name]
            for field in PROFILE_FIELDS:
                assert getattr(other, field) == comparable(getattr(column, field)), (name, field)
            assert other.top_values == column.top_values, name
            if column.outliers is not None:
                assert other.outliers == column.outliers, name
