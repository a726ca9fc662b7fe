"""Create the results store: check_runs, column_profiles, anomalies, rule_results and quality_scores.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dq_resources.results.schema import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = ("check_runs", "column_profiles", "anomalies", "rule_results", "quality_scores")


def _run_key(*more: sa.Column[object]) -> list[sa.Column[object]]:
    return [
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("table_name", sa.String(400), primary_key=True),
        sa.Column("checked_at", UtcDateTime, nullable=False),
        *more,
    ]


def upgrade() -> None:
    """The five tables; an index on (table_name, checked_at) each, except on Snowflake."""
    op.create_table(
        "check_runs",
        *_run_key(
            sa.Column("data_version", sa.String(200)),
            sa.Column("last_updated", UtcDateTime),
            sa.Column("row_count", sa.BigInteger),
            sa.Column("column_count", sa.Integer),
            sa.Column("duration_seconds", sa.Float),
            sa.Column("checks_passed", sa.Integer, nullable=False),
            sa.Column("checks_failed", sa.Integer, nullable=False),
            sa.Column("checks_errored", sa.Integer, nullable=False),
            sa.Column("checks_skipped", sa.Integer, nullable=False),
            sa.Column("anomaly_count", sa.Integer),
            sa.Column("quality_score", sa.Float),
        ),
    )
    op.create_table(
        "column_profiles",
        *_run_key(
            sa.Column("column_name", sa.String(400), primary_key=True),
            sa.Column("data_type", sa.Text, nullable=False),
            sa.Column("kind", sa.String(32), nullable=False),
            sa.Column("row_count", sa.BigInteger, nullable=False),
            sa.Column("null_count", sa.BigInteger, nullable=False),
            sa.Column("null_pct", sa.Float),
            sa.Column("distinct_count", sa.BigInteger),
            sa.Column("distinct_pct", sa.Float),
            sa.Column("min_value", sa.Text),
            sa.Column("max_value", sa.Text),
            sa.Column("mean", sa.Float),
            sa.Column("median", sa.Float),
            sa.Column("std", sa.Float),
            sa.Column("q1", sa.Float),
            sa.Column("q3", sa.Float),
            sa.Column("zeros", sa.BigInteger),
            sa.Column("negatives", sa.BigInteger),
        ),
    )
    op.create_table(
        "anomalies",
        *_run_key(
            sa.Column("ordinal", sa.Integer, primary_key=True),
            sa.Column("column_name", sa.String(400), nullable=False),
            sa.Column("anomaly_type", sa.String(100), nullable=False),
            sa.Column("method", sa.String(100), nullable=False),
            sa.Column("severity", sa.String(32), nullable=False),
            sa.Column("value", sa.Float),
            sa.Column("threshold", sa.Float),
            sa.Column("description", sa.Text, nullable=False),
        ),
    )
    op.create_table(
        "rule_results",
        *_run_key(
            sa.Column("check_name", sa.String(200), primary_key=True),
            sa.Column("is_rule", sa.Boolean, nullable=False),
            sa.Column("rule_text", sa.Text),
            sa.Column("dimension", sa.String(32)),
            sa.Column("outcome", sa.String(32), nullable=False),
            sa.Column("severity", sa.String(32)),
            sa.Column("description", sa.Text, nullable=False),
            sa.Column("observed", sa.Float),
            sa.Column("evaluated_count", sa.BigInteger),
            sa.Column("failed_count", sa.BigInteger),
        ),
    )
    op.create_table(
        "quality_scores",
        *_run_key(
            sa.Column("dimension", sa.String(32), primary_key=True),
            sa.Column("score", sa.Float),
            sa.Column("rules_passed", sa.Integer, nullable=False),
            sa.Column("rules_evaluated", sa.Integer, nullable=False),
        ),
    )
    if op.get_bind().dialect.name != "snowflake":  # Snowflake: no indexes on standard tables
        for table in TABLES:
            op.create_index(f"ix_{table}_table_checked_at", table, ["table_name", "checked_at"])


def downgrade() -> None:
    """Drop everything, newest first."""
    for table in reversed(TABLES):
        op.drop_table(table)
