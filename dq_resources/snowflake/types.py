"""Snowflake column types (INFORMATION_SCHEMA.COLUMNS' DATA_TYPE) as the check step's column kinds."""

from __future__ import annotations

from dq_checks.schema import ColumnInfo, ColumnKind

FIXED_POINT = frozenset(
    {"number", "decimal", "numeric", "int", "integer", "bigint", "smallint", "tinyint", "byteint"}
)
FLOATING = frozenset({"float", "float4", "float8", "double", "double precision", "real"})
STRINGS = frozenset({"text", "varchar", "char", "character", "string", "nchar", "nvarchar", "nvarchar2"})
TEMPORAL = frozenset(
    {"date", "datetime", "time", "timestamp", "timestamp_ntz", "timestamp_ltz", "timestamp_tz"}
)


def column_kind(data_type: str) -> ColumnKind:
    """The kind of a column of this type; VARIANT, OBJECT, ARRAY, BINARY, GEOGRAPHY... are OTHER."""
    family = type_family(data_type)
    if family in FIXED_POINT or family in FLOATING:
        return ColumnKind.NUMERIC
    if family in STRINGS:
        return ColumnKind.STRING
    if family == "boolean":
        return ColumnKind.BOOLEAN
    if family in TEMPORAL:
        return ColumnKind.TEMPORAL
    return ColumnKind.OTHER


def type_family(data_type: str) -> str:
    """`NUMBER(38,0)` -> `number`, `VARCHAR(16777216)` -> `varchar`, `TIMESTAMP_TZ(9)` -> `timestamp_tz`."""
    return data_type.strip().lower().split("(", 1)[0].strip()


def snowflake_column(name: str, data_type: str, nullable: bool = True) -> ColumnInfo:
    """One row of INFORMATION_SCHEMA.COLUMNS as a ColumnInfo."""
    return ColumnInfo(
        name=name,
        data_type=data_type.strip().lower(),
        kind=column_kind(data_type),
        nullable=nullable,
        floating=type_family(data_type) in FLOATING,
    )
