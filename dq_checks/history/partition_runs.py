"""A partition's history: the earlier partitions, each as last checked, on the partitions' time axis.

A partitioned table's runs check different partitions, so the runs in the order they happened
say little: yesterday's partition re-checked today would sit beside last week's. Volume and drift
compare a partition with the partitions before it instead, each placed at its own start, so a
daily partition is seen beside the same weekday's partitions (the detectors' day-of-week
seasonality) and a small or empty late partition stands out against them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from dq_checks.history.earlier_runs import PastRun

PartitionStart = Callable[[str], datetime | None]
"""Where a partition starts; None for a key that is not (or no longer) one of the table's partitions."""


def earlier_partitions(past: Sequence[PastRun], current: str, start_of: PartitionStart) -> list[PastRun]:
    """The latest run of each partition that starts before `current`, placed at its partition's start.

    Each becomes one data version (its key), so the history holds one point per partition; runs of
    `current` itself, of later partitions and of unpartitioned checks are left out.
    """
    current_start = start_of(current)
    starts: dict[str, datetime] = {}
    latest: dict[str, PastRun] = {}
    for run in sorted(past, key=lambda r: r.at):
        start = start_of(run.partition) if run.partition is not None else None
        if run.partition is None or start is None or current_start is None or start >= current_start:
            continue
        starts[run.partition], latest[run.partition] = start, run
    return [
        replace(latest[key], at=starts[key], data_version=key)
        for key in sorted(latest, key=starts.__getitem__)
    ]


def same_partition(past: Sequence[PastRun], current: str) -> list[PastRun]:
    """The earlier runs of partition `current` alone: the history of a partition by value (`region = eu`)."""
    return [run for run in past if run.partition == current]
