"""The alert store as a Dagster resource."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import dagster as dg

from dq_resources.alerts.defaults import DEFAULT_STORE_URL

if TYPE_CHECKING:
    from dq_resources.alerts.store import AlertStore

_OPEN: dict[str, AlertStore] = {}
_LOCK = threading.Lock()


class AlertStoreResource(dg.ConfigurableResource):
    """Where alerts persist: any SQLAlchemy URL (Postgres in production, a sqlite file by default).

    Give a URL with a password as `dg.EnvVar(...)`, so it never shows in the UI.
    """

    url: str = DEFAULT_STORE_URL

    def open(self) -> AlertStore:
        """The store at `url`, migrated once per process and then reused across sensor ticks."""
        from dq_resources.alerts.store import AlertStore  # SQLAlchemy and alembic load on the first tick

        with _LOCK:
            store = _OPEN.get(self.url)
            if store is None:
                store = _OPEN[self.url] = AlertStore.connect(self.url)
            return store
