"""The freshness sensor: notices a freshness breach even when no check run happens.

Each `freshness` evaluation records when the data will turn stale if nothing new arrives
(`warn_at`, `fail_at`, on the data's own time). Every few minutes the sensor compares those
moments with the clock; when one has passed and the last evaluation does not say so yet,
it launches the table's check job. That run measures the data again: fresh data passes,
stale data records the breach. A table whose schedule was turned off is still watched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import dagster as dg

from dq_assets.schedules import job_name
from dq_assets.table_asset import asset_key
from dq_checks.config.loader import DefinedTable
from dq_checks.freshness import breach_due
from dq_checks.results.model import CheckSeverity
from dq_checks.results.names import FRESHNESS_CHECK

FRESHNESS_SENSOR = "dq_freshness_sensor"
FRESHNESS_SENSOR_INTERVAL_SECONDS = 300


def _moment(metadata: Mapping[str, dg.MetadataValue], key: str) -> datetime | None:
    value = metadata.get(key)
    return datetime.fromtimestamp(float(value.value), tz=UTC) if value is not None else None


def due_run_requests(
    instance: dg.DagsterInstance, tables: Sequence[DefinedTable], now: datetime
) -> list[dg.RunRequest]:
    """A run request for each table whose freshness breach has come due since its last check."""
    requests = []
    for table in tables:
        check_key = dg.AssetCheckKey(asset_key(table.spec.table), FRESHNESS_CHECK)
        record = instance.event_log_storage.get_latest_asset_check_execution_by_key([check_key]).get(
            check_key
        )
        event = record.event.dagster_event if record is not None and record.event is not None else None
        evaluation = event.event_specific_data if event is not None else None
        if evaluation is None:
            continue  # never checked: the table's schedule or a first run starts it
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
            requests.append(
                dg.RunRequest(
                    job_name=job_name(table.spec),
                    run_key=f"freshness:{table.spec.table}:{record.run_id}:{level.value}",
                    tags={"dq/trigger": "freshness_sensor", "dq/table": table.spec.table},
                )
            )
    return requests


def build_freshness_sensor(
    tables: Sequence[DefinedTable], jobs: Sequence[dg.UnresolvedAssetJobDefinition]
) -> dg.SensorDefinition:
    """One sensor for every table with a `freshness:` SLA; it runs by default."""
    watched = [t for t in tables if t.spec.freshness is not None]

    @dg.sensor(
        name=FRESHNESS_SENSOR,
        jobs=list(jobs),
        minimum_interval_seconds=FRESHNESS_SENSOR_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Re-checks a table when its data's freshness SLA comes due, even with no schedule on.",
    )
    def _freshness_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        requests = due_run_requests(context.instance, watched, datetime.now(tz=UTC))
        if not requests:
            return dg.SensorResult(skip_reason=f"no freshness breach due among {len(watched)} tables")
        return dg.SensorResult(run_requests=requests)

    return _freshness_sensor
