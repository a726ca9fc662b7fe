"""Iceberg types to the column kinds that decide which metrics apply."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dq_checks.schema import ColumnInfo, ColumnKind

if TYPE_CHECKING:
    from pyiceberg.schema import Schema
    from pyiceberg.types import IcebergType

_FLOATING = ("float", "double")
_NUMERIC = ("int", "long", "float", "double", "decimal")
_TEMPORAL = ("date", "time", "timestamp", "timestamptz", "timestamp_ns", "timestamptz_ns")


def column_kind(field_type: IcebergType) -> ColumnKind:
    """Classify an Iceberg type by its canonical name (e.g. 'decimal(12, 2)', 'timestamptz')."""
    name = str(field_type).split("(")[0].strip()
    if name in _NUMERIC:
        return ColumnKind.NUMERIC
    if name == "string":
        return ColumnKind.STRING
    if name == "boolean":
        return ColumnKind.BOOLEAN
    if name in _TEMPORAL:
        return ColumnKind.TEMPORAL
    return ColumnKind.OTHER


def columns_of(schema: Schema) -> tuple[ColumnInfo, ...]:
    """The top-level columns of an Iceberg schema."""
    return tuple(
        ColumnInfo(
            name=field.name,
            data_type=str(field.field_type),
            kind=column_kind(field.field_type),
            nullable=not field.required,
            floating=str(field.field_type) in _FLOATING,
        )
        for field in schema.fields
    )
