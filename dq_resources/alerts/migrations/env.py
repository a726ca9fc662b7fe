"""Alembic environment: always run on the connection that `migrate.upgrade` hands over."""

from __future__ import annotations

from alembic import context

from dq_resources.alerts.schema import Base

VERSION_TABLE = "dq_alerts_schema_version"
"""Not `alembic_version`: the store may share a Postgres database with Dagster's own storage, which
keeps its schema version there."""

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
