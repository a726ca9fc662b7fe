"""Read a table's earlier runs back from the Dagster instance (sqlite or Postgres storage)."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg

from dq_checks.past_runs import PastRun

CHECKED_AT_KEY = "dq/checked_at"
DATA_VERSION_KEY = "dq/data_version"
_COLUMN_METRICS = (".null_pct", ".distinct_count", ".mean")


def read_past_runs(instance: dg.DagsterInstance, asset_key: dg.AssetKey, limit: int) -> list[PastRun]:
    """The latest `limit` materializations of the asset, as PastRuns (newest first)."""
    records = instance.fetch_materializations(asset_key, limit=limit).records
    runs = []
    for record in records:
        materialization = record.asset_materialization
        if materialization is None:
            continue
        metadata = materialization.metadata
        runs.append(
            PastRun(
                at=_checked_at(metadata, record.timestamp),
                data_version=_text(metadata.get(DATA_VERSION_KEY)),
                row_count=_number(metadata.get("dagster/row_count")),
                metrics={
                    key: float(value.value)
                    for key, value in metadata.items()
                    if key.endswith(_COLUMN_METRICS) and isinstance(value.value, int | float)
                },
                schema=_schema(metadata.get("dagster/column_schema")),
            )
        )
    return runs


def _checked_at(metadata: dict[str, dg.MetadataValue], fallback: float) -> datetime:
    value = metadata.get(CHECKED_AT_KEY)
    stamp = float(value.value) if value is not None else fallback
    return datetime.fromtimestamp(stamp, tz=UTC)


def _number(value: dg.MetadataValue | None) -> float | None:
    return float(value.value) if value is not None and isinstance(value.value, int | float) else None


def _text(value: dg.MetadataValue | None) -> str | None:
    return str(value.value) if value is not None else None


def _schema(value: dg.MetadataValue | None) -> tuple[tuple[str, str], ...] | None:
    if value is None or not isinstance(value.value, dg.TableSchema):
        return None
    return tuple((column.name, column.type) for column in value.value.columns)
