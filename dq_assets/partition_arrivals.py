"""Freshness per partition, watched without a run: the freshness sensor asks for each due partition once.

A table with `partition: {arrives_within_hours: 6}` expects partition 2026-11-30 to hold rows
by 2026-12-01 06:00. When that time has passed and no `arrival` check of the partition has
passed, the sensor launches one run of that partition (its run key names the partition, so it
is asked for once): the run's `arrival` check fails when the partition is still empty, and the
alert sensors take it from there. A schedule's later runs pass it once the data lands.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import dagster as dg

from dq_assets.instance_table_history import check_evaluations
from dq_assets.partitions import last_due_partition
from dq_assets.run_tags import TRIGGER_TAG
from dq_assets.schedules import QualityJobs
from dq_assets.table_asset import target_asset_key
from dq_checks.config.loader import DefinedTable
from dq_checks.partitions.arrival import ARRIVAL_CHECK

ARRIVAL_CHECKS_READ = 50
"""An arrival check's latest evaluations read to see whether a partition already arrived."""


def has_arrival_sla(table: DefinedTable) -> bool:
    """Whether the table's partitions must arrive by a due time."""
    partition = table.spec.partition
    return partition is not None and partition.arrives_within_hours is not None


def due_partition_requests(
    instance: dg.DagsterInstance, tables: Sequence[DefinedTable], now: datetime, jobs: QualityJobs
) -> list[dg.RunRequest]:
    """A run of each table's newest due partition that has not been seen to arrive."""
    requests = []
    for table in tables:
        key = last_due_partition(table, now) if has_arrival_sla(table) else None
        if key is None or _arrived(instance, table, key):
            continue
        run_key = f"arrival:{table.spec.table}:{key}"
        requests.append(
            jobs.run_request(table, run_key, partition_key=key, **{TRIGGER_TAG: "freshness_sensor"})
        )
    return requests


def _arrived(instance: dg.DagsterInstance, table: DefinedTable, partition: str) -> bool:
    check_key = dg.AssetCheckKey(target_asset_key(table), ARRIVAL_CHECK)
    for evaluation in check_evaluations(instance, check_key, ARRIVAL_CHECKS_READ):
        outcome = evaluation.metadata.get("dq/outcome")
        if evaluation.partition == partition and outcome is not None and outcome.value == "pass":
            return True
    return False
