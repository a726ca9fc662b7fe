"""BigQuery column types as dq's column kinds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dq_checks.schema import ColumnInfo, ColumnKind

KINDS = {
    "INTEGER": ColumnKind.NUMERIC,
    "INT64": ColumnKind.NUMERIC,
    "FLOAT": ColumnKind.NUMERIC,
    "FLOAT64": ColumnKind.NUMERIC,
    "NUMERIC": ColumnKind.NUMERIC,
    "BIGNUMERIC": ColumnKind.NUMERIC,
    "STRING": ColumnKind.STRING,
    "BOOLEAN": ColumnKind.BOOLEAN,
    "BOOL": ColumnKind.BOOLEAN,
    "TIMESTAMP": ColumnKind.TEMPORAL,
    "DATETIME": ColumnKind.TEMPORAL,
    "DATE": ColumnKind.TEMPORAL,
    "TIME": ColumnKind.TEMPORAL,
}
"""Every other type (BYTES, RECORD/STRUCT, JSON, GEOGRAPHY, INTERVAL, RANGE) and every REPEATED
column is OTHER: counted, never compared or ordered, which BigQuery refuses for most of them."""
FLOATING = frozenset({"FLOAT", "FLOAT64"})


def bigquery_columns(schema: Sequence[Any]) -> tuple[ColumnInfo, ...]:
    """The table's top-level columns from `Table.schema` (SchemaFields), with their kinds."""
    columns = []
    for field in schema:
        type_name = str(field.field_type).upper()
        repeated = field.mode == "REPEATED"
        shown = f"ARRAY<{type_name}>" if repeated else type_name
        kind = ColumnKind.OTHER if repeated else KINDS.get(type_name, ColumnKind.OTHER)
        columns.append(
            ColumnInfo(
                field.name,
                shown,
                kind,
                nullable=field.mode != "REQUIRED",
                floating=type_name in FLOATING and not repeated,
            )
        )
    return tuple(columns)
