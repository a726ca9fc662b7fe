"""Bring a results store's schema up to date with alembic, on the store's own connection."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from dq_resources.sqlstore import engine as sqlstore

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "dq_results_schema_version"
"""Not `alembic_version`: the store may share a Postgres database with Dagster's own storage, which
keeps its schema version there."""


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to `revision` (Snowflake included); a store already there is left as it is."""
    sqlstore.upgrade(engine, MIGRATIONS, revision)
