"""The results store as a Dagster resource."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import dagster as dg

if TYPE_CHECKING:
    from dq_checks.results.tidy import TidyRun
    from dq_resources.results.store import ResultsStore

DEFAULT_RESULTS_URL = "sqlite:///.dq/results.db"
"""A sqlite file beside the embedded warehouse; production points the store at Postgres or Snowflake."""

_OPEN: dict[str, ResultsStore] = {}
_LOCK = threading.Lock()


class ResultsStoreResource(dg.ConfigurableResource):
    """Where every table run is written as tidy rows for dashboards: any SQLAlchemy URL.

    A sqlite file by default, `postgresql://...` in production, or
    `snowflake://user:password@account/database/schema?warehouse=...` (needs snowflake-sqlalchemy).
    Give a URL with a password as `dg.EnvVar(...)`, so it never shows in the UI.
    """

    url: str = DEFAULT_RESULTS_URL

    def open(self) -> ResultsStore:
        """The store at `url`, migrated once per process and then reused."""
        from dq_resources.results.store import ResultsStore  # SQLAlchemy and alembic load on first use

        with _LOCK:
            store = _OPEN.get(self.url)
            if store is None:
                store = _OPEN[self.url] = ResultsStore.connect(self.url)
            return store

    def write_run(self, run: TidyRun) -> None:
        """Write one table run (see `ResultsStore.write_run`): replaces an earlier write of the same run."""
        self.open().write_run(run)
