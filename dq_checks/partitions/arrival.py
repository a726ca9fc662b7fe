"""Freshness per partition: a partition must hold rows by its due time ("yesterday's by 06:00 UTC").

A partitioned table's data lands one partition at a time, so its freshness is whether each
partition has arrived, not how old its newest row is. Partition `2026-11-30` of a daily table
with `arrives_within_hours: 6` is due at 2026-12-01 06:00 in the partition's time zone: before
then an empty partition is not yet late (the check skips, saying when it is due); after, it fails.
"""

from __future__ import annotations

from datetime import datetime

from dq_checks.render.numbers import format_number
from dq_checks.results.model import CheckResult, CheckSeverity, Outcome

ARRIVAL_CHECK = "arrival"


def arrival_result(partition: str, row_count: int, due_at: datetime, now: datetime) -> CheckResult:
    """The `arrival` check of one partition: its rows, and whether it was due."""
    metadata: dict[str, object] = {"partition": partition, "due_at": due_at, "observed": row_count}
    if row_count > 0:
        rows = f"{format_number(row_count)} row" + ("" if row_count == 1 else "s")
        return CheckResult(
            ARRIVAL_CHECK, Outcome.PASS, f"partition {partition} has arrived: {rows}", None, metadata
        )
    due = due_at.isoformat(sep=" ")
    if now < due_at:
        return CheckResult(
            ARRIVAL_CHECK,
            Outcome.SKIP,
            f"partition {partition} has no rows yet; it is due by {due}",
            None,
            metadata,
        )
    late = format_number(round((now - due_at).total_seconds() / 3600, 2))
    message = f"partition {partition} has no rows; it was due by {due} ({late} h late)"
    return CheckResult(ARRIVAL_CHECK, Outcome.FAIL, message, CheckSeverity.ERROR, metadata)
