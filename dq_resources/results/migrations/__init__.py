"""Alembic migrations of the results store; `dq_resources.results.migrate.upgrade` runs them."""
