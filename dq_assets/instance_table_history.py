"""Read a table's earlier runs back from the Dagster instance (sqlite or Postgres storage).

Each run's `profile` check evaluation carries what the history needs (`dq/checked_at`, the data
version, the row count, the per-column metrics and the column schema), whichever kind of table it
is: an attached table has no materialization of dq's. Materializations of a standalone table are
read too, for runs whose profile check did not run: instances written before the profile check
carried history, and a standalone asset materialized without its checks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

import dagster as dg

from dq_checks.history.earlier_runs import PastRun
from dq_checks.results.names import APPROXIMATE_METRICS_KEY, PROFILE_CHECK

CHECKED_AT_KEY = "dq/checked_at"
DATA_VERSION_KEY = "dq/data_version"
ROW_COUNT_KEY = "dq/row_count"
COLUMN_METRICS_KEY = "dq/column_metrics"
COLUMN_SCHEMA_KEY = "dq/column_schema"
COLUMN_METRIC_SUFFIXES = (".null_pct", ".distinct_count", ".mean")
"""The per-column metrics the history detectors learn from (drift)."""


def read_past_runs(instance: dg.DagsterInstance, asset_key: dg.AssetKey, limit: int) -> list[PastRun]:
    """The latest `limit` runs of the table that measured it, as PastRuns (newest first).

    One per Dagster run and partition (a run over a range of partitions checks each of them): its
    profile check's evaluation, else its materialization.
    """
    by_run: dict[tuple[str, str | None], PastRun] = {}
    for evaluation in profile_evaluations(instance, asset_key, limit):
        if CHECKED_AT_KEY in evaluation.metadata:
            run = _from_profile_check(evaluation.metadata, evaluation.stamp, evaluation.partition)
            by_run.setdefault((evaluation.run_id, evaluation.partition), run)
    for record in instance.fetch_materializations(asset_key, limit=limit).records:
        materialization = record.asset_materialization
        if materialization is None or (record.run_id, materialization.partition) in by_run:
            continue
        by_run[(record.run_id, materialization.partition)] = _from_materialization(
            materialization.metadata, record.timestamp, materialization.partition
        )
    return sorted(by_run.values(), key=lambda run: run.at, reverse=True)[:limit]


class Evaluation(NamedTuple):
    """One recorded check evaluation: its run, metadata, time, and the partition it judged (if any)."""

    run_id: str
    metadata: Mapping[str, dg.MetadataValue]
    stamp: float
    partition: str | None


def profile_evaluations(
    instance: dg.DagsterInstance, asset_key: dg.AssetKey, limit: int
) -> Iterator[Evaluation]:
    """The asset's latest `profile` check evaluations, newest first."""
    yield from check_evaluations(instance, dg.AssetCheckKey(asset_key, PROFILE_CHECK), limit)


def check_evaluations(
    instance: dg.DagsterInstance, check_key: dg.AssetCheckKey, limit: int
) -> Iterator[Evaluation]:
    """A check's latest evaluations (passed or failed), newest first."""
    from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

    evaluated = {AssetCheckExecutionRecordStatus.SUCCEEDED, AssetCheckExecutionRecordStatus.FAILED}
    records = instance.event_log_storage.get_asset_check_execution_history(
        check_key, limit=limit, status=evaluated
    )
    for record in records:
        entry = record.event
        event = entry.dagster_event if entry is not None else None
        evaluation: Any = event.event_specific_data if event is not None else None
        metadata = getattr(evaluation, "metadata", None)
        if entry is not None and metadata is not None:
            yield Evaluation(record.run_id, metadata, entry.timestamp, getattr(evaluation, "partition", None))


def _from_profile_check(
    metadata: Mapping[str, dg.MetadataValue], fallback: float, partition: str | None
) -> PastRun:
    metrics = metadata.get(COLUMN_METRICS_KEY)
    values = metrics.value if metrics is not None and isinstance(metrics.value, dict) else {}
    return PastRun(
        at=_checked_at(metadata, fallback),
        data_version=_text(metadata.get(DATA_VERSION_KEY)),
        row_count=_number(metadata.get(ROW_COUNT_KEY)),
        metrics={key: float(v) for key, v in values.items() if isinstance(v, int | float)},
        schema=_schema(metadata.get(COLUMN_SCHEMA_KEY)),
        approximate=_approximate(metadata.get(APPROXIMATE_METRICS_KEY)),
        partition=partition,
    )


def _from_materialization(
    metadata: Mapping[str, dg.MetadataValue], fallback: float, partition: str | None
) -> PastRun:
    return PastRun(
        at=_checked_at(metadata, fallback),
        data_version=_text(metadata.get(DATA_VERSION_KEY)),
        row_count=_number(metadata.get("dagster/row_count")),
        metrics={
            key: float(value.value)
            for key, value in metadata.items()
            if key.endswith(COLUMN_METRIC_SUFFIXES) and isinstance(value.value, int | float)
        },
        schema=_schema(metadata.get("dagster/column_schema")),
        approximate=_approximate(metadata.get(APPROXIMATE_METRICS_KEY)),
        partition=partition,
    )


def _checked_at(metadata: Mapping[str, dg.MetadataValue], fallback: float) -> datetime:
    value = metadata.get(CHECKED_AT_KEY)
    stamp = float(value.value) if value is not None else fallback  # type: ignore[arg-type]
    return datetime.fromtimestamp(stamp, tz=UTC)


def _number(value: dg.MetadataValue | None) -> float | None:
    return float(value.value) if value is not None and isinstance(value.value, int | float) else None


def _text(value: dg.MetadataValue | None) -> str | None:
    return str(value.value) if value is not None and value.value is not None else None


def _approximate(value: dg.MetadataValue | None) -> frozenset[str]:
    """`column.metric` for each metric the run's profile only estimated (its `dq/approximate_metrics`)."""
    estimated = value.value if value is not None and isinstance(value.value, dict) else {}
    return frozenset(
        f"{column}.{metric}"
        for column, metrics in estimated.items()
        if isinstance(metrics, list)
        for metric in metrics
    )


def _schema(value: dg.MetadataValue | None) -> tuple[tuple[str, str], ...] | None:
    if value is None or not isinstance(value.value, dg.TableSchema):
        return None
    return tuple((column.name, column.type) for column in value.value.columns)
