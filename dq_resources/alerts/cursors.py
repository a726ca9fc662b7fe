"""Feed cursors: how far each consumer has read the Dagster event log, in `alert_cursors`.

Two kinds of row share the table. A consumer's own cursor (`dq alerts sync` keeps one per feed;
the sensors keep theirs in Dagster) is read and written here. A feed's *applied mark*
(`applied:<feed>`) says up to which storage id the ledger has applied every event of that feed;
the ledger reads and moves it inside its own transaction, with `applied_mark` and
`move_applied_mark`, so the mark and the alerts it covers commit together.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from dq_resources.alerts.schema import AlertCursorRow
from dq_resources.alerts.sessions import Sessions

APPLIED_PREFIX = "applied:"


class AppliedConcurrently(Exception):
    """Another transaction moved a feed's applied mark since this one read it; the ledger retries."""


class FeedCursors:
    """Named cursors, each one row, updated in place."""

    def __init__(self, sessions: Sessions) -> None:
        self._sessions = sessions

    def cursor(self, name: str) -> str | None:
        """The stored cursor of consumer `name`."""
        with self._sessions() as session:
            row = session.get(AlertCursorRow, name)
            return row.value if row is not None else None

    def set_cursor(self, name: str, value: str, now: datetime) -> None:
        """Store the cursor of consumer `name`."""
        with self._sessions.begin() as session:
            row = session.get(AlertCursorRow, name)
            if row is None:
                session.add(AlertCursorRow(name=name, value=value, updated_at=now))
            else:
                row.value, row.updated_at = value, now

    def applied_through(self, feed: str) -> int | None:
        """The storage id up to which every event of `feed` has been applied (None: nothing yet)."""
        with self._sessions() as session:
            return applied_mark(session, feed)


def applied_mark(session: Session, feed: str) -> int | None:
    """The applied mark of `feed`, read in the caller's transaction."""
    row = session.get(AlertCursorRow, APPLIED_PREFIX + feed)
    return int(row.value) if row is not None else None


def move_applied_mark(session: Session, feed: str, old: int | None, new: int, now: datetime) -> None:
    """Compare-and-set: moves the mark only if no other transaction moved it since it was read."""
    name = APPLIED_PREFIX + feed
    if old is None:
        session.add(AlertCursorRow(name=name, value=str(new), updated_at=now))
        session.flush()  # a concurrent first mark fails here, on the primary key
        return
    moved = session.execute(
        update(AlertCursorRow)
        .where(AlertCursorRow.name == name, AlertCursorRow.value == str(old))
        .values(value=str(new), updated_at=now)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise AppliedConcurrently(name)
