"""An engine for one of dq's stores, migrated to its latest schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.ddl.impl import DefaultImpl
from sqlalchemy import create_engine, event
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


def upgrade(engine: Engine, migrations: Path, revision: str = "head") -> None:
    """Apply the store's alembic migrations up to `revision`; a store already there is left as it is."""
    config = Config()
    config.set_main_option("script_location", str(migrations))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _sqlite_pragmas(connection: object, _record: object) -> None:
    """Wait for a lock instead of failing at once, and honour foreign keys."""
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()
