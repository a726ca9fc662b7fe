"""A partitioned table's Dagster partitions, and the rows one partition key stands for."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from functools import cache

import dagster as dg

from dq_assets.table_keys import target_asset_key
from dq_checks.config.loader import DefinedTable
from dq_checks.config.partitions import PartitionGrain, PartitionSpec
from dq_checks.partitions.row_slice import RowSlice

_TIME_WINDOWS = {
    PartitionGrain.HOUR: dg.HourlyPartitionsDefinition,
    PartitionGrain.DAY: dg.DailyPartitionsDefinition,
    PartitionGrain.MONTH: dg.MonthlyPartitionsDefinition,
}


def partitions_def_for(defined: DefinedTable) -> dg.PartitionsDefinition | None:
    """The table's partitions (daily, hourly, monthly or listed values), or None when it has none.

    The monitored-table asset and each of its checks carry it, so Dagster records a check's
    result per partition and a backfill checks each partition once.
    """
    spec = defined.spec.partition
    if spec is not None and spec.from_asset:
        raise ValueError(
            f"{defined.where('partition')}: partition: has no by:; its partitions are those of asset "
            f"{target_asset_key(defined).to_user_string()!r}, which only Dagster's load of the project reads"
        )
    return None if spec is None else partitions_of_spec(spec)


@cache
def partitions_of_spec(spec: PartitionSpec) -> dg.PartitionsDefinition:
    """The Dagster partitions a `partition:` block with `by:` describes."""
    if spec.by is None:
        raise ValueError("partition: has no by: (the asset's partitions have not been read)")
    if spec.by is PartitionGrain.VALUE:
        return dg.StaticPartitionsDefinition(list(spec.values))
    assert spec.start is not None  # the model requires it for a time grain
    return _TIME_WINDOWS[spec.by](start_date=spec.start, timezone=spec.timezone)


def row_slice_for(defined: DefinedTable, partition_key: str) -> RowSlice:
    """The rows of `partition_key`: its time window in the partition's timezone, or its value.

    A key the partitions do not hold raises ValueError naming the definition's `partition:` line.
    """
    spec = defined.spec.partition
    if spec is None:
        raise ValueError(f"{defined.where('table')}: the table has no partition: block")
    partitions = partitions_of_spec(spec)
    if spec.by is PartitionGrain.VALUE:
        if partition_key not in spec.values:
            raise ValueError(
                f"{defined.where('partition')}: {partition_key!r} is not one of the partitions "
                f"({', '.join(spec.values)})"
            )
        return RowSlice(spec.column, partition_key, value=partition_key)
    assert isinstance(partitions, dg.TimeWindowPartitionsDefinition)
    try:
        window = partitions.time_window_for_partition_key(partition_key)
    except Exception as error:  # Dagster's own parse error: say which definition and format
        raise ValueError(
            f"{defined.where('partition')}: partition key {partition_key!r} is not a {spec.by.value} "
            f"partition ({partitions.fmt}): {error}"
        ) from None
    naive_start = window.start.replace(tzinfo=None)
    naive_end = window.end.replace(tzinfo=None)
    return RowSlice(spec.column, partition_key, start=naive_start, end=naive_end, zone=spec.timezone)


_GRAIN_WORDS = {PartitionGrain.HOUR: "hourly", PartitionGrain.DAY: "daily", PartitionGrain.MONTH: "monthly"}


def partitions_words(defined: DefinedTable) -> str | None:
    """The table's partitions in job names, `daily_from_2026_11_01`; None when it has none.

    A Dagster job holds assets of one partitions definition only, so the tables of each get jobs
    of their own, named by it (`quality_checks_daily_from_2026_11_01`).
    """
    spec = defined.spec.partition
    if spec is None:
        return None
    if spec.by is PartitionGrain.VALUE:
        digest = hashlib.sha1("\n".join(spec.values).encode()).hexdigest()[:6]
        return f"{len(spec.values)}_values_{digest}"
    grain = _GRAIN_WORDS[spec.by]
    start = re.sub(r"[^0-9]+", "_", spec.start or "").strip("_")
    zone = "" if spec.timezone == "UTC" else "_" + re.sub(r"[^A-Za-z0-9]+", "_", spec.timezone).lower()
    return f"{grain}_from_{start}{zone}"


def latest_partition(defined: DefinedTable) -> str | None:
    """The partition a scheduled or sensor-started run checks: the last complete one (yesterday, for days).

    None for a table without partitions, or one whose first partition has not ended yet.
    """
    partitions = partitions_def_for(defined)
    return None if partitions is None else partitions.get_last_partition_key()


def arrival_due(defined: DefinedTable, partition_key: str) -> datetime | None:
    """When partition `partition_key` must hold rows: its end plus `arrives_within_hours`; None if unset."""
    spec = defined.spec.partition
    partitions = partitions_def_for(defined)
    if spec is None or spec.arrives_within_hours is None:
        return None
    assert isinstance(partitions, dg.TimeWindowPartitionsDefinition)  # the model allows it for time only
    end = partitions.time_window_for_partition_key(partition_key).end
    return (end + timedelta(hours=spec.arrives_within_hours)).astimezone(UTC)


def last_due_partition(defined: DefinedTable, now: datetime) -> str | None:
    """The newest partition whose due time has passed at `now`, or None (no arrival SLA, or none due yet)."""
    spec = defined.spec.partition
    partitions = partitions_def_for(defined)
    if spec is None or spec.arrives_within_hours is None:
        return None
    assert isinstance(partitions, dg.TimeWindowPartitionsDefinition)
    # The partition that ended last before `now - within` is the newest one already due.
    cutoff = now - timedelta(hours=spec.arrives_within_hours)
    try:
        key = partitions.get_partition_key_for_timestamp(cutoff.timestamp(), end_closed=True)
    except Exception:  # before the first partition
        return None
    window = partitions.time_window_for_partition_key(key)
    if window.end > cutoff:  # `cutoff` falls inside it: the one before is the newest due
        previous = partitions.get_prev_partition_window(window.start)
        if previous is None:
            return None
        key = partitions.get_partition_key_for_timestamp(previous.start.timestamp())
    return key if partitions.has_partition_key(key) else None


def later_partition(defined: DefinedTable, partition_key: str) -> str | None:
    """The latest complete time partition, when `partition_key` is an earlier one; else None.

    A table's freshness is its latest partition's: a past partition's rows are old by nature, and
    whether it arrived in time is its `arrival` check's. Partitions by value have no order: None.
    """
    spec = defined.spec.partition
    if spec is None or spec.by is PartitionGrain.VALUE:
        return None
    latest = latest_partition(defined)
    partitions = partitions_def_for(defined)
    assert isinstance(partitions, dg.TimeWindowPartitionsDefinition)  # a time grain, as above
    if latest is None or not partitions.has_partition_key(partition_key):
        return None
    earlier = partitions.time_window_for_partition_key(partition_key).start < (
        partitions.time_window_for_partition_key(latest).start
    )
    return latest if earlier else None
