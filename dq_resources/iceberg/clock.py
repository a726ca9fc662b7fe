"""Commit Iceberg snapshots stamped with a chosen time.

Freshness is measured on the data's own time, the snapshot's `timestamp-ms`. To seed a
demo table that is days stale, or to replay a table's history in tests, we need
snapshots committed "in the past". pyiceberg has no parameter for that: a snapshot takes
its timestamp from `time.time()` in `pyiceberg.table.snapshots`. Inside `snapshot_clock`
that module sees a clock that reads the chosen instant; everything else in the process
keeps the real time. pyiceberg then records the same instant as the table's
`last-updated-ms` and in its snapshot log, so the metadata stays consistent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

_LOCK = threading.Lock()


class _FrozenClock:
    """Quacks like the `time` module for the one call pyiceberg makes."""

    def __init__(self, at: datetime) -> None:
        self._epoch_seconds = at.timestamp()

    def time(self) -> float:
        return self._epoch_seconds


@contextmanager
def snapshot_clock(at: datetime) -> Iterator[None]:
    """Snapshots committed inside this block carry the timestamp `at` (timezone-aware)."""
    if at.tzinfo is None:
        raise ValueError("snapshot_clock needs a timezone-aware datetime")
    from pyiceberg.table import snapshots

    with _LOCK:
        real = snapshots.time
        snapshots.time = _FrozenClock(at)  # type: ignore[assignment]
        try:
            yield
        finally:
            snapshots.time = real
