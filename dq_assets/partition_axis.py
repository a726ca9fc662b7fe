"""The time axis of a partition's history: the partitions before it, each placed at its own start."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import dagster as dg

from dq_assets.partitions import partitions_def_for
from dq_checks.config.loader import DefinedTable
from dq_checks.history.earlier_runs import PastRun
from dq_checks.history.partition_runs import earlier_partitions, same_partition


@dataclass(frozen=True)
class PartitionAxis:
    """The partition a run checks, and where any partition starts: the time axis of its history.

    Volume, drift and `last(k)` compare a partition with the partitions before it, each at its
    own start, rather than with the runs in the order they happened. Partitions by value have no
    order: each is compared with its own earlier checks.
    """

    current: str
    partitions: dg.PartitionsDefinition

    @property
    def start(self) -> datetime | None:
        """Where the checked partition starts (in its partitions' zone), or None for a partition by value."""
        return self.start_of(self.current)

    def start_of(self, key: str) -> datetime | None:
        """The partition's start, in the partitions' own time zone; None for a value partition or another key.

        Kept in its zone, not turned to UTC: the history's seasons (`day_of_month`, `day_of_week`) are
        read in the zone of the moment judged, and a daily partition cut in Paris starts on the 1st
        there but on the 31st in UTC.
        """
        if not isinstance(self.partitions, dg.TimeWindowPartitionsDefinition):
            return None
        try:
            return self.partitions.time_window_for_partition_key(key).start
        except Exception:  # a key of an earlier partitions definition: not on this axis
            return None

    def past(self, runs: Sequence[PastRun]) -> list[PastRun]:
        """The earlier partitions' latest runs (time partitions), or this partition's own earlier runs."""
        if self.start is None:
            return same_partition(runs, self.current)
        return earlier_partitions(runs, self.current, self.start_of)

    def comes_before(self, key: str | None) -> bool:
        """Whether a check of partition `key` belongs to this partition's history."""
        if key is None:
            return False
        if self.start is None:
            return key == self.current
        start = self.start_of(key)
        return start is not None and start < self.start


def partition_axis(defined: DefinedTable, partition_key: str | None) -> PartitionAxis | None:
    """The history axis of a run of `partition_key`; None for an unpartitioned table or run."""
    partitions = partitions_def_for(defined)
    if partitions is None or partition_key is None:
        return None
    return PartitionAxis(partition_key, partitions)
