"""A time limit per statement for an in-process DuckDB, which has no `statement_timeout` setting.

A timer thread interrupts the connection when a statement runs past the limit; DuckDB then
raises `InterruptException` in the thread that ran it, which becomes `StatementTimedOut`.
A timer that fires just as the statement ends interrupts nothing: it only acts while the
statement it was started for is still running.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import duckdb

T = TypeVar("T")


class StatementTimedOut(Exception):
    """A statement ran past the source's `timeout_seconds` and was cancelled."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"exceeded timeout_seconds ({seconds:g} s) and was cancelled")


class StatementLimit:
    """Runs statements on one connection, each cancelled past `seconds`."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, seconds: float | None) -> None:
        self._connection = connection
        self.seconds = seconds
        self._lock = threading.Lock()
        self._running = 0
        self._expired = 0

    def run(self, statement: Callable[[], T]) -> T:
        """Call `statement` (which uses the connection); StatementTimedOut if it runs too long."""
        import duckdb

        if self.seconds is None:
            return statement()
        with self._lock:
            self._running += 1
            ticket = self._running
        timer = threading.Timer(self.seconds, self._expire, args=(ticket,))
        timer.daemon = True
        timer.start()
        try:
            return statement()
        except duckdb.InterruptException as error:
            if self._expired == ticket:
                raise StatementTimedOut(self.seconds) from None
            raise error
        finally:
            timer.cancel()
            with self._lock:
                self._running += 1  # a late timer's ticket no longer matches

    def _expire(self, ticket: int) -> None:
        with self._lock:
            if self._running == ticket:
                self._expired = ticket
                self._connection.interrupt()
