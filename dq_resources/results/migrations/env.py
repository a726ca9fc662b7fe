"""Alembic environment: always run on the connection that `migrate.upgrade` hands over."""

from __future__ import annotations

from alembic import context

from dq_resources.results.schema import metadata

VERSION_TABLE = "dq_results_schema_version"
"""Not `alembic_version`: the store may share a database with Dagster's storage or the alert store,
which keep their schema versions in tables of their own."""

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
