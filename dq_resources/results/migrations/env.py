"""Alembic environment: always run on the connection that `migrate.upgrade` hands over."""

from __future__ import annotations

from alembic import context

from dq_resources.results.migrate import VERSION_TABLE
from dq_resources.results.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
