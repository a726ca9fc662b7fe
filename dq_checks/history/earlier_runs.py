"""Earlier runs of a table, as plain values: what the history detectors learn from.

The Dagster wiring reads them from the instance's event log; everything here is pure.
A table checked twice without new data would otherwise count its data twice, so the
history keeps one run per data version: the first run that saw it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class PastRun:
    """One earlier run: when it ran (by the injected clock), the data version it saw, its metrics.

    `approximate` names the metrics (`column.distinct_count`) that run only estimated (its
    profile was `approximate`): an estimate is judged against estimates, an exact value
    against exact ones, so switching levels is not mistaken for drift.
    """

    at: datetime
    data_version: str | None
    row_count: float | None
    metrics: Mapping[str, float] = field(default_factory=dict)
    schema: tuple[tuple[str, str], ...] | None = None
    approximate: frozenset[str] = frozenset()
    partition: str | None = None
    """The partition that run checked, for a partitioned table."""


def one_per_version(runs: Sequence[PastRun], *, current_version: str | None) -> list[PastRun]:
    """Oldest first; one run per data version (the first to see it); the current version left out."""
    first_seen: dict[str | None, PastRun] = {}
    for run in sorted(runs, key=lambda r: r.at):
        key = run.data_version if run.data_version is not None else f"run@{run.at.isoformat()}"
        first_seen.setdefault(key, run)
    return [run for key, run in first_seen.items() if current_version is None or key != current_version]


def previous_schema(runs: Sequence[PastRun]) -> tuple[tuple[str, str], ...] | None:
    """The column schema of the most recent earlier run that recorded one."""
    for run in sorted(runs, key=lambda r: r.at, reverse=True):
        if run.schema is not None:
            return run.schema
    return None


def first_seen(runs: Sequence[PastRun], version: str | None) -> datetime | None:
    """When a data version was first checked; unchanged data is judged as of that moment.

    Re-checking the same snapshot days later must not change the history's verdict on it
    (the trend would otherwise be extrapolated further and further away from it).
    """
    if version is None:
        return None
    seen = [run.at for run in runs if run.data_version == version]
    return min(seen) if seen else None
