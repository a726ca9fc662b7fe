"""Plain values to Dagster metadata, and the metadata a table's materialization carries."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import dagster as dg

from dq_checks.profile.model import TableProfile
from dq_checks.render.markdown import profile_markdown
from dq_checks.results import Markdown
from dq_checks.results.names import APPROXIMATE_METRICS_KEY
from dq_checks.schema import TableDescription

LAST_UPDATED_KEY = "dagster/last_updated_timestamp"
PROFILE_JSON_KEY = "dq/profile_json"
OUTCOME_KEY = "dq/outcome"


def metadata_value(value: Any) -> dg.MetadataValue:
    """The Dagster metadata value for a plain Python value (markdown stays markdown)."""
    if isinstance(value, Markdown):
        return dg.MetadataValue.md(str(value))
    if isinstance(value, bool):
        return dg.MetadataValue.bool(value)
    if isinstance(value, int):
        return dg.MetadataValue.int(value)
    if isinstance(value, float):
        return dg.MetadataValue.float(value) if math.isfinite(value) else dg.MetadataValue.null()
    if isinstance(value, datetime):
        return dg.MetadataValue.timestamp(value)
    if isinstance(value, Mapping | list | tuple):
        return dg.MetadataValue.json(value)
    if value is None:
        return dg.MetadataValue.null()
    return dg.MetadataValue.text(str(value))


def metadata_values(values: Mapping[str, Any]) -> dict[str, dg.MetadataValue]:
    """Convert a whole mapping."""
    return {key: metadata_value(value) for key, value in values.items()}


def column_schema(description: TableDescription) -> dg.TableSchema:
    """The table's columns, as the Dagster UI shows them."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=c.name,
                type=c.data_type,
                constraints=dg.TableColumnConstraints(nullable=c.nullable),
            )
            for c in description.columns
        ]
    )


def per_column_numbers(profile: TableProfile) -> dict[str, float | int]:
    """Numeric metadata per column, which the UI plots across runs."""
    numbers: dict[str, float | int] = {}
    for name, column in profile.columns.items():
        numbers[f"{name}.null_pct"] = round(column.null_pct, 4)
        if column.distinct_count is not None:
            numbers[f"{name}.distinct_count"] = column.distinct_count
        for stat in ("mean", "std", "median"):
            value = getattr(column, stat)
            if value is not None:
                numbers[f"{name}.{stat}"] = value
    return numbers


def asset_metadata(description: TableDescription, profile: TableProfile) -> dict[str, dg.MetadataValue]:
    """Row count, schema, the data's own last-update time, the profile, and per-column numbers."""
    values: dict[str, Any] = {
        "dagster/row_count": profile.row_count,
        "dq/profile": Markdown(profile_markdown(profile)),
        PROFILE_JSON_KEY: profile.to_dict(),
        **per_column_numbers(profile),
    }
    if description.data_version is not None:
        values["dq/data_version"] = description.data_version
    if approximated := profile.approximate_metrics:
        values[APPROXIMATE_METRICS_KEY] = approximated
    metadata = metadata_values(values)
    metadata["dagster/column_schema"] = dg.MetadataValue.table_schema(column_schema(description))
    if description.last_updated is not None:
        metadata[LAST_UPDATED_KEY] = dg.MetadataValue.timestamp(description.last_updated)
    return metadata
