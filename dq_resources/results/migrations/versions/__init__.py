"""Alembic revisions of the results store, oldest first."""
