"""Every statement a rule or the profile sends is written in each of the ten dialects dq speaks.

Each engine runs its own dialect for real against DuckDB (tests/e2e/test_rules_on_*.py: Postgres,
MariaDB, Spark, Snowflake through fakesnow, and the stand-ins of BigQuery and Databricks); here
every rule type's statements, as its runner writes them (`written_sql`: sqlglot, and dq's rewrites
for the dialect), must be written without an unsupported construct and parse back in the dialect.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from dq_checks.dqdl.ast import Rule
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
from dq_checks.rules.types.registry import RULE_TYPES
from dq_checks.schema import ColumnInfo, ColumnKind, TableDescription
from tests.engines.agreement import COLUMNS, CUSTOMERS, ORDERS, RULES, evaluate_all
from tests.runners import duckdb_over

DIALECTS = (
    "duckdb",
    "postgres",
    "redshift",
    "trino",
    "athena",
    "mysql",
    "spark",
    "databricks",
    "snowflake",
    "bigquery",
)
"""The ten dialects dq writes: each engine's tests run its own for real (tests/e2e/test_rules_on_*.py)."""
RELATION = exp.table_(exp.to_identifier("orders", quoted=True), db=exp.to_identifier("shop", quoted=True))


def sql(expression: exp.Expression, dialect: str) -> str:
    return written_sql(expression, dialect)


class WritingRunner:
    """Plans as `dialect`'s runner does, writes every statement in the dialect and parses it back.

    The answers come from DuckDB running the same plan, so every rule reaches the statements it
    sends only after its first ones are answered (samples, failing keys). A tree DuckDB cannot run
    (a function only the dialect has) is answered by what the dialect's text means to sqlglot.
    """

    heavy_apart = False

    def __init__(self, local: Any, dialect: str) -> None:
        self.local = local
        self.dialect = dialect
        self.relation = local.relation
        self.references = local.references
        self.reference_errors: dict[str, str] = {}
        self.written: list[str] = []

    def fetch_rows(self, query: exp.Query) -> list[tuple[Any, ...]]:
        text = written_sql(query, self.dialect)
        parsed = sqlglot.parse_one(text, read=self.dialect)  # raises if the dialect cannot read it
        self.written.append(text)
        try:
            return self.local.fetch_rows(query)
        except duckdb.Error:
            return self.local.fetch_rows(parsed)

    def heavy_metrics_per_query(self, row_count: int) -> int:
        return 1_000


def test_the_agreement_rules_hold_every_registered_rule_type() -> None:
    # A rule type added to the registry must be added to the rules every engine is tested on.
    parsed = [parse_rule(text) for text in RULES]
    assert {rule.rule_type for rule in parsed if isinstance(rule, Rule)} == set(RULE_TYPES)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_statement_of_every_rule_type_and_the_profile_is_written_in_each_dialect(dialect: str) -> None:
    with duckdb_over(ORDERS) as local:
        customers = local.load_reference("customers", CUSTOMERS.to_reader())
        runner = WritingRunner(local, dialect)
        evaluated = evaluate_all(runner, customers)
    errors = [(RULES[i], o.message) for i, o in enumerate(evaluated.outcomes) if o.outcome.value == "error"]
    assert errors == []
    assert len(runner.written) >= 30  # the profile's passes, the metric scan, and each rule's own queries
    context = TableContext(
        TableDescription(COLUMNS, 10, None, None), RELATION, ("order_id",), datetime(2026, 1, 1, tzinfo=UTC)
    )
    for text in RULES:
        if "customers" not in text:
            for metric in compile_rule(parse_rule(text), context).metrics:
                assert sql(select_from([metric.expression], RELATION), dialect)


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
