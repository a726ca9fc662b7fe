"""The freshness sensor: notices a freshness breach even when no check run happens.

Each `freshness` evaluation records when the data will turn stale if nothing new arrives
(`warn_at`, `fail_at`, on the data's own time). Every few minutes the sensor compares those
moments with the clock; when one has passed and the last evaluation does not say so yet,
it launches a run of the table's checks. That run measures the data again: fresh data passes,
stale data records the breach. A table whose schedule was turned off is still watched, and so is
one never checked: its source says when its data was last updated (`unchecked_freshness`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import dagster as dg

from dq_assets.job_names import QualityNames
from dq_assets.partition_arrivals import due_partition_requests, has_arrival_sla
from dq_assets.partitions import latest_partition
from dq_assets.run_tags import TRIGGER_TAG
from dq_assets.schedules import QualityJobs
from dq_assets.table_asset import target_asset_key
from dq_assets.unchecked_freshness import UncheckedCursor, unchecked_run_requests
from dq_checks.config.loader import DefinedTable
from dq_checks.freshness import breach_due
from dq_checks.results.model import CheckSeverity
from dq_checks.results.names import FRESHNESS_CHECK

FRESHNESS_SENSOR = QualityNames().freshness_sensor
"""The standalone code location's; a component's is `<namespace>_freshness_sensor`."""
STANDALONE_JOBS = QualityJobs(QualityNames(), proposals=True, executor=None)
FRESHNESS_SENSOR_INTERVAL_SECONDS = 300


def _moment(metadata: Mapping[str, dg.MetadataValue], key: str) -> datetime | None:
    value = metadata.get(key)
    return datetime.fromtimestamp(float(value.value), tz=UTC) if value is not None else None


def due_run_requests(
    instance: dg.DagsterInstance,
    tables: Sequence[DefinedTable],
    now: datetime,
    jobs: QualityJobs = STANDALONE_JOBS,
    *,
    resources: Mapping[str, Any] | None = None,
    cursor: UncheckedCursor | None = None,
) -> list[dg.RunRequest]:
    """A run request (in `jobs`' checks job) for each table whose freshness breach has come due.

    One event-log query for all the tables, whatever their number. With the source `resources` and
    the sensor's `cursor`, a table never checked is judged on its data's last update as its source
    describes it (`dq_assets.unchecked_freshness`); without them it waits for its first run.
    """
    check_keys = {t.spec.table: dg.AssetCheckKey(target_asset_key(t), FRESHNESS_CHECK) for t in tables}
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(list(check_keys.values()))
    requests, unchecked = [], []
    for table in tables:
        record = latest.get(check_keys[table.spec.table])
        event = record.event.dagster_event if record is not None and record.event is not None else None
        evaluation = event.event_specific_data if event is not None else None
        if table.spec.partition is not None and latest_partition(table) is None:
            continue  # a partitioned table whose first partition has not ended: nothing to check yet
        if evaluation is None:
            if table.spec.partition is None:  # a partition's arrival SLA watches a partitioned one
                unchecked.append(table)
            continue
        metadata = evaluation.metadata
        severity = CheckSeverity(evaluation.severity.value) if not evaluation.passed else None
        level = breach_due(
            passed=evaluation.passed,
            severity=severity,
            warn_at=_moment(metadata, "warn_at"),
            fail_at=_moment(metadata, "fail_at"),
            now=now,
        )
        if level is not None:
            run_key = f"freshness:{table.spec.table}:{record.run_id}:{level.value}"
            requests.append(jobs.run_request(table, run_key, **{TRIGGER_TAG: "freshness_sensor"}))
    if resources is not None and cursor is not None:
        requests += unchecked_run_requests(unchecked, resources, cursor, now, jobs)
    return requests


def build_freshness_sensor(
    tables: Sequence[DefinedTable],
    jobs: QualityJobs,
    checks_jobs: Sequence[dg.UnresolvedAssetJobDefinition],
    resources: Mapping[str, Any],
) -> dg.SensorDefinition:
    """One sensor for every table with a `freshness:` SLA or partitions due by a time; it runs by default.

    It targets the namespace's checks jobs and asks for one run per table: that table's subset, in its
    job (the one of its partitions), of its latest partition when it is partitioned. `resources` are
    the source resources it describes never-checked tables with; they are given here rather than
    required of the sensor, so that a project that defines its own need not provide them twice.
    """
    watched = [t for t in tables if t.spec.freshness is not None]
    arriving = [t for t in tables if has_arrival_sla(t)]

    @dg.sensor(
        name=jobs.names.freshness_sensor,
        jobs=list(checks_jobs),
        minimum_interval_seconds=FRESHNESS_SENSOR_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Re-checks a table when its data's freshness SLA comes due, even with no schedule on.",
    )
    def _freshness_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        now = datetime.now(tz=UTC)
        cursor = UncheckedCursor.parse(context.cursor)
        requests = due_run_requests(context.instance, watched, now, jobs, resources=resources, cursor=cursor)
        requests += due_partition_requests(context.instance, arriving, now, jobs)
        if not requests:
            count = len({t.spec.table for t in (*watched, *arriving)})
            skip = f"no freshness breach due among {count} tables"
            return dg.SensorResult(skip_reason=skip, cursor=cursor.serialize())
        return dg.SensorResult(run_requests=requests, cursor=cursor.serialize())

    return _freshness_sensor
