"""The clock the checks read: real time, or a fixed instant for replaying history in tests."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg


class ClockResource(dg.ConfigurableResource):
    """`now()` is the real time unless `fixed_now` (ISO-8601 with an offset) pins it.

    Freshness, `now()` in DQDL and the history's time axis all read this one clock, so a
    test can replay a table's life day by day against Iceberg snapshots stamped in the past.
    """

    fixed_now: str | None = None

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        if self.fixed_now is None:
            return datetime.now(tz=UTC)
        moment = datetime.fromisoformat(self.fixed_now)
        if moment.tzinfo is None:
            raise ValueError(f"fixed_now must carry a UTC offset, got {self.fixed_now!r}")
        return moment
