"""The results store: every table run written as tidy rows, for dashboards to query.

`write_run` is one transaction and idempotent per run and table: it deletes what an earlier write
of the same `run_id` and `table_name` left, then inserts, so a retried step or a re-executed run
leaves exactly one copy. Runs on any SQLAlchemy URL: a sqlite file (the default), Postgres, or
Snowflake through snowflake-sqlalchemy (`snowflake://user:password@account/database/schema?warehouse=...`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from dq_checks.results.tidy import TidyRun
from dq_resources.results.migrate import upgrade
from dq_resources.results.schema import TABLES
from dq_resources.sqlstore.unavailable import open_store, store_unavailable


class ResultsStore:
    """The five results tables on one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def connect(cls, url: str) -> ResultsStore:
        """Open the store at `url` and bring its schema up to date.

        Whatever stops it is a StoreUnavailable naming the store, with the password hidden.
        """
        return cls(open_store("results store", url, upgrade))

    def dispose(self) -> None:
        """Close the connection pool."""
        self.engine.dispose()

    def write_run(self, run: TidyRun) -> None:
        """Replace whatever was stored for this run of this table with `run`'s rows, in one transaction."""
        tables = list(run.tables())
        for name, rows in tables:
            strays = {(r["run_id"], r["table_name"]) for r in rows} - {(run.run_id, run.table_name)}
            if strays:
                raise ValueError(f"{name}: rows of another run or table {sorted(strays)} in {run.run_id!r}")
        try:
            with self.engine.begin() as connection:
                for name, rows in tables:
                    table = TABLES[name]
                    this_run = (table.c.run_id == run.run_id, table.c.table_name == run.table_name)
                    connection.execute(delete(table).where(*this_run))
                    if rows:
                        connection.execute(insert(table), rows)
        except (OperationalError, InterfaceError) as error:  # the database failed (gone, read-only, full)
            raise store_unavailable("results store", self.engine.url, error) from error

    def read_table(
        self, name: str, *, run_id: str | None = None, table_name: str | None = None
    ) -> list[dict[str, Any]]:
        """Every row of results table `name` (optionally of one run or table), in primary-key order."""
        table = TABLES[name]
        query = select(table).order_by(*table.primary_key.columns)
        if run_id is not None:
            query = query.where(table.c.run_id == run_id)
        if table_name is not None:
            query = query.where(table.c.table_name == table_name)
        with self.engine.connect() as connection:
            return [dict(row) for row in connection.execute(query).mappings()]
