"""Run one statement on a Databricks connection under a time limit that cancels it.

`cursor.execute` blocks while the connector polls the statement; a timer thread calls
`cursor.cancel()` at `timeout_seconds`, which sends `CancelOperation`: the warehouse stops the
statement and `execute` raises. The timer retries until the statement has an id to cancel (the
first request may still be on its way). TIMESTAMP values, UTC wall-clock times in the session
`connections.py` set up, come back UTC-aware. ARRAY, MAP and STRUCT values come back as lists and
dicts: the connector gives them as JSON text where the server sends rows by column (and as
Arrow values where it sends Arrow), so the text is parsed.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from dq_resources.source_contract.errors import StatementCancelled

if TYPE_CHECKING:
    from databricks.sql.client import Connection, Cursor

CANCEL_RETRY_SECONDS = 0.1
NESTED_TYPES = frozenset({"array", "map", "struct"})


@dataclass(frozen=True)
class StatementResult:
    """A statement's column names, their Databricks types, and its rows as Python values."""

    names: list[str]
    types: list[str]
    rows: list[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        """Each row as a mapping from column name to value."""
        return [dict(zip(self.names, row, strict=True)) for row in self.rows]


def run_statement(connection: Connection, sql: str, timeout_seconds: float) -> StatementResult:
    """Run `sql` and fetch every row; StatementCancelled once it outlives `timeout_seconds`."""
    with connection.cursor() as cursor:
        expired = threading.Event()
        finished = threading.Event()
        timer = threading.Timer(timeout_seconds, _cancel, (cursor, expired, finished))
        timer.daemon = True
        timer.start()
        try:
            cursor.execute(sql)
            rows = cursor.fetchall()
            description = cursor.description or []
        except Exception:
            if expired.is_set():
                raise StatementCancelled(timeout_seconds) from None
            raise
        finally:
            finished.set()
            timer.cancel()
    names = [str(column[0]) for column in description]
    types = [str(column[1]).lower() for column in description]
    return StatementResult(names, types, [_values(row, types) for row in rows])


def _cancel(cursor: Cursor, expired: threading.Event, finished: threading.Event) -> None:
    """Cancel the cursor's statement, waiting for it to have an id if it has none yet."""
    expired.set()
    while not finished.is_set():
        if cursor.active_command_id is not None:
            cursor.cancel()
            return
        finished.wait(CANCEL_RETRY_SECONDS)


def _values(row: Any, types: list[str]) -> tuple[Any, ...]:
    return tuple(_value(value, kind) for value, kind in zip(tuple(row), types, strict=True))


def _value(value: Any, kind: str) -> Any:
    if kind == "timestamp" and isinstance(value, datetime):
        return _utc(value)
    if kind in NESTED_TYPES:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:  # not JSON after all (a map with non-string keys): the text is kept
                return value
        if hasattr(value, "tolist"):  # an Arrow list, as numpy
            return value.tolist()
    return value


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
