"""Spark SQL column types as the check step's column kinds."""

from __future__ import annotations

from typing import Any

from dq_checks.schema import ColumnInfo, ColumnKind

NUMERIC_TYPES = frozenset({"byte", "short", "integer", "long", "decimal", "float", "double"})
FLOATING_TYPES = frozenset({"float", "double"})
STRING_TYPES = frozenset({"string", "varchar", "char"})
TEMPORAL_TYPES = frozenset({"date", "timestamp", "timestamp_ntz"})


def spark_columns(schema: Any) -> tuple[ColumnInfo, ...]:
    """A Spark `StructType`'s fields as ColumnInfos; nested, binary and interval types are OTHER."""
    return tuple(_column(field) for field in schema.fields)


def _column(field: Any) -> ColumnInfo:
    data_type = field.dataType
    family = data_type.typeName()
    if family in NUMERIC_TYPES:
        kind = ColumnKind.NUMERIC
    elif family in STRING_TYPES:
        kind = ColumnKind.STRING
    elif family == "boolean":
        kind = ColumnKind.BOOLEAN
    elif family in TEMPORAL_TYPES:
        kind = ColumnKind.TEMPORAL
    else:
        kind = ColumnKind.OTHER
    return ColumnInfo(
        name=field.name,
        data_type=data_type.simpleString(),
        kind=kind,
        nullable=bool(field.nullable),
        floating=family in FLOATING_TYPES,
    )
