"""Bring a results store's schema up to date with alembic, on the store's own connection."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.ddl.impl import DefaultImpl
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class SnowflakeImpl(DefaultImpl):
    """Alembic ships no Snowflake support; its generic implementation serves.

    Defining the class registers it for the `snowflake` dialect of snowflake-sqlalchemy.
    Snowflake commits every DDL statement on its own, so migrations there are not transactional.
    """

    __dialect__ = "snowflake"
    transactional_ddl = False


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to `revision`; a store already there is left as it is."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
