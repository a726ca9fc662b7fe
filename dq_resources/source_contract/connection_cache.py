"""One open connection per target in the process, for the warehouse clients that connect once per session.

Tables of one target share its connection; a broken one is forgotten so the next use opens
another; every connection is closed at exit, before the connector's own late close would log.
"""

from __future__ import annotations

import atexit
import contextlib
import threading
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

C = TypeVar("C")


class ConnectionCache(Generic[C]):
    """Connections by target key, opened on first use and closed at exit."""

    def __init__(self, is_open: Callable[[C], bool]) -> None:
        self._is_open = is_open
        self._connections: dict[Hashable, C] = {}
        self._lock = threading.Lock()
        self._registered = False

    def get(self, key: Hashable, connect: Callable[[], C]) -> C:
        """The open connection for `key`, or a new one from `connect()` (whose errors propagate)."""
        with self._lock:
            existing = self._connections.get(key)
            if existing is not None and self._is_open(existing):
                return existing
            opened = connect()
            if not self._registered:
                atexit.register(self.close_all)
                self._registered = True
            self._connections[key] = opened
            return opened

    def close_all(self) -> None:
        """Close every cached connection (the service may be gone already: nothing is raised)."""
        with self._lock:
            connections = list(self._connections.values())
            self._connections.clear()
        for connection in connections:
            _close(connection)

    def forget(self, connection: C) -> None:
        """Drop a connection that failed below the statement level, so the next use opens a new one."""
        with self._lock:
            for key, cached in list(self._connections.items()):
                if cached is connection:
                    del self._connections[key]
        _close(connection)


def _close(connection: Any) -> None:
    with contextlib.suppress(Exception):  # a broken or orphaned connection may fail to close
        connection.close()
