"""The same rules and profile, pushed down to a real PostgreSQL, agree with the local DuckDB engine.

The plan is written once as sqlglot expressions; here it runs as DuckDB SQL over Arrow and
as Postgres SQL inside Postgres. Outcomes, observed values, counts and samples must match.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
import pytest
import sqlalchemy
from sqlglot import exp

from dq_checks.config.models import AnomalySettings
from dq_checks.dqdl.parser import parse_rule
from dq_checks.profile.profiler import profile_and_measure
from dq_checks.rules.compile import compile_rule
from dq_checks.rules.model import Evidence, ReferenceTable, RuleOutcome, TableContext, no_history
from dq_checks.schema import ColumnInfo, ColumnKind, TableDescription
from dq_resources.engines import SqlRunner
from tests.runners import duckdb_over

pytestmark = pytest.mark.postgres

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
    'DataFreshness "placed_at" <= 240 hours',
    'ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0',
    'CustomSql "select count(*) from primary where amount > 80" = 0',
    "CustomSql \"select order_id from primary where status = 'paid'\" with threshold > 0.5",
    '(ColumnValues "amount" >= 0) and (ColumnValues "status" != "lost")',
]


@pytest.fixture(scope="module")
def postgres_engine(postgres_server_url: str) -> Iterator[sqlalchemy.Engine]:
    import uuid

    import psycopg2
    from psycopg2 import sql
    from sqlalchemy.engine import make_url

    name = f"dq_rules_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(postgres_server_url)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(postgres_server_url).set(drivername="postgresql+psycopg2", database=name)
    engine = sqlalchemy.create_engine(url)
    ORDERS.to_pandas().to_sql("orders", engine, index=False)
    CUSTOMERS.to_pandas().to_sql("customers", engine, index=False)
    yield engine
    engine.dispose()
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    admin.close()


def _table(name: str) -> exp.Table:
    return exp.table_(exp.to_identifier(name, quoted=True))


def evaluate_all(runner: Any, customers: exp.Table) -> tuple[Any, list[RuleOutcome]]:
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
    outcomes = [c.evaluate(Evidence(measured.values, runner, no_history, measured.profile)) for c in compiled]
    return measured.profile, outcomes


@pytest.fixture(scope="module")
def both(postgres_engine: sqlalchemy.Engine):
    with duckdb_over(ORDERS) as local:
        customers = local.load_reference("customers", CUSTOMERS.to_reader())
        local_result = evaluate_all(local, customers)
    remote = SqlRunner(postgres_engine, _table("orders"), "postgres")
    remote_result = evaluate_all(remote, _table("customers"))
    return local_result, remote_result


def comparable(value: Any) -> Any:
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-9, abs=1e-12)
    if isinstance(value, list):
        return [comparable(v) for v in value]
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("index", range(len(RULES)), ids=RULES)
def test_each_rule_gives_the_same_result_in_postgres(both, index: int) -> None:
    (_, local), (_, remote) = both
    mine, theirs = local[index], remote[index]
    assert theirs.outcome == mine.outcome, theirs.message
    assert theirs.observed == comparable(mine.observed)
    assert theirs.details == comparable(mine.details)


def test_the_planted_defects_fail_in_both_engines(both) -> None:
    (_, local), _ = both
    failing = {RULES[i] for i, o in enumerate(local) if o.outcome.value == "fail"}
    assert failing == {
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
        'CustomSql "select count(*) from primary where amount > 80" = 0',  # amounts reach 89.5
    }


def test_the_profile_is_the_same_in_postgres(both) -> None:
    (local, _), (remote, _) = both
    assert remote.row_count == local.row_count == N
    for name, column in local.columns.items():
        other = remote.columns[name]
        for field in (
            "null_count",
            "distinct_count",
            "mean",
            "median",
            "std",
            "q1",
            "q3",
            "zeros",
            "negatives",
        ):
            assert getattr(other, field) == comparable(getattr(column, field)), (name, field)
        assert other.top_values == column.top_values, name
        if column.outliers is not None:
            assert other.outliers == column.outliers, name
