"""Create the query cache: dq_query_cache_scans (one row per table and data version) and dq_query_cache.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dq_resources.results.schema import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The two tables; an index on (table_name, used_at) for pruning, except on Snowflake."""
    op.create_table(
        "dq_query_cache_scans",
        sa.Column("table_name", sa.String(400), primary_key=True),
        sa.Column("scan_key", sa.String(64), primary_key=True),
        sa.Column("data_version", sa.String(200), nullable=False),
        sa.Column("runner_facts", sa.Text, nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("used_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "dq_query_cache",
        sa.Column("table_name", sa.String(400), primary_key=True),
        sa.Column("scan_key", sa.String(64), primary_key=True),
        sa.Column("query_sha256", sa.String(64), primary_key=True),
        sa.Column("dialect", sa.String(32), nullable=False),
        sa.Column("rows", sa.Text, nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    if op.get_bind().dialect.name != "snowflake":  # Snowflake: no indexes on standard tables
        op.create_index(
            "ix_dq_query_cache_scans_table_used_at", "dq_query_cache_scans", ["table_name", "used_at"]
        )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("dq_query_cache")
    op.drop_table("dq_query_cache_scans")
