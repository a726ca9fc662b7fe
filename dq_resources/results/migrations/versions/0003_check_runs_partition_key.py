"""check_runs.partition_key: which partition a table run checked (NULL for an unpartitioned table).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03

A partitioned table is checked one partition at a time; without this column a dashboard could not
tell one partition's run from another's. A nullable column is added in place on sqlite, Postgres
and Snowflake alike (no batch mode), and the runs already stored keep NULL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the nullable column; earlier runs read NULL."""
    op.add_column("check_runs", sa.Column("partition_key", sa.String(200), nullable=True))


def downgrade() -> None:
    """Drop the column (sqlite needs 3.35 or later to drop a column in place)."""
    op.drop_column("check_runs", "partition_key")
