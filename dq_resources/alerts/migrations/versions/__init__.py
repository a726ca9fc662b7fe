"""Alembic revisions of the alert store, oldest first."""
