"""Every metric a rule or the profile needs is written by sqlglot in each warehouse's dialect.

Postgres and MariaDB run them for real in tests/e2e/test_rules_on_postgres.py and
test_rules_on_mariadb.py; here each dialect must at least accept the plan, as its runner
writes it (`written_sql`: sqlglot, and dq's rewrites for the dialect), without an unsupported
construct.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlglot import exp

from dq_checks.dqdl.parser import parse_rule
from dq_checks.metrics.dialect_sql import written_sql
from dq_checks.metrics.sql import select_from
from dq_checks.profile.column_metrics import (
    first_pass_metrics,
    frequency_query,
    quartile_query,
    quartiles_apart,
    second_pass_metrics,
    tail_query,
)
from dq_checks.rules.compile import compile_rule
from dq_checks.rules.model import TableContext
from dq_checks.schema import ColumnInfo, ColumnKind, TableDescription
from tests.engines.agreement import COLUMNS, RULES

DIALECTS = ("duckdb", "postgres", "redshift", "trino", "athena", "mysql")
RELATION = exp.table_(exp.to_identifier("orders", quoted=True), db=exp.to_identifier("shop", quoted=True))
ROW_RULES = [r for r in RULES if "customers" not in r]


def sql(expression: exp.Expression, dialect: str) -> str:
    return written_sql(expression, dialect)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_rule_metrics_compile_to_each_dialect(dialect: str) -> None:
    context = TableContext(
        TableDescription(COLUMNS, 10, None, None), RELATION, ("order_id",), datetime(2026, 1, 1, tzinfo=UTC)
    )
    written = 0
    for text in ROW_RULES:
        for metric in compile_rule(parse_rule(text), context).metrics:
            assert sql(select_from([metric.expression], RELATION), dialect)
            written += 1
    assert written >= len(ROW_RULES)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_profile_queries_compile_to_each_dialect(dialect: str) -> None:
    for column in COLUMNS:
        for metric in first_pass_metrics(column, dialect=dialect).all():
            assert sql(select_from([metric.expression], RELATION), dialect)
        if column.kind.is_categorical:
            assert sql(frequency_query(column, RELATION), dialect)
        if quartiles_apart(column, dialect):  # no quantile aggregate: a ranked query of its own
            assert sql(quartile_query(column, RELATION), dialect)
    amount = ColumnInfo("amount", "double", ColumnKind.NUMERIC, floating=True)
    tails_in_aggregate = dialect == "duckdb"
    second = second_pass_metrics(
        amount,
        mean=1.0,
        std=1.0,
        q1=0.0,
        q3=2.0,
        zscore_threshold=3,
        iqr_multiplier=1.5,
        tails_in_aggregate=tails_in_aggregate,
    )
    for metric in second.all():
        assert sql(select_from([metric.expression], RELATION), dialect)
    assert (second.largest is None) is (not tails_in_aggregate)
    assert " 20" in sql(tail_query(amount, RELATION, largest=True), dialect)
