"""Alembic migrations of the alert store; `dq_resources.alerts.migrate.upgrade` runs them."""
