"""An engine for one of dq's stores, migrated to its latest schema."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.ddl.impl import DefaultImpl
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url


class SnowflakeImpl(DefaultImpl):
    """Alembic ships no Snowflake support; its generic implementation serves.

    Defining the class registers it for the `snowflake` dialect of snowflake-sqlalchemy.
    Snowflake commits every DDL statement on its own, so migrations there are not transactional.
    """

    __dialect__ = "snowflake"
    transactional_ddl = False


def connect_engine(url: str) -> Engine:
    """A pooled engine; a sqlite file's folder is created, and sqlite waits for locks."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


MIGRATION_LOCK_KEY = 0x64715F6D69677261
"""Postgres advisory lock held while a store migrates (any constant: it only has to be dq's own)."""


def upgrade(engine: Engine, migrations: Path, revision: str = "head") -> None:
    """Apply the store's alembic migrations up to `revision`; a store already there is left as it is.

    Two `dq` processes may open a new store at the same moment; unguarded, both created its
    tables and one failed (`table check_runs already exists`). A sqlite store is migrated under
    a lock file beside it, a Postgres one under an advisory lock: the second waits, then finds
    the schema at its revision.
    """
    config = Config()
    config.set_main_option("script_location", str(migrations))
    with _migration_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _migration_lock(engine: Engine) -> AbstractContextManager[object]:
    """An exclusive lock file beside a sqlite database file; nothing for other databases."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or database in (None, "", ":memory:"):
        return nullcontext()
    from filelock import FileLock

    return FileLock(f"{Path(database).expanduser()}.migrate.lock")


def _sqlite_pragmas(connection: object, _record: object) -> None:
    """Wait for a lock instead of failing at once, and honour foreign keys."""
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()
