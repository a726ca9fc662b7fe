"""Databricks SQL column types (as `DESCRIBE TABLE` writes them) as the check step's column kinds."""

from __future__ import annotations

from dq_checks.schema import ColumnInfo, ColumnKind

NUMERIC_TYPES = frozenset(
    {"tinyint", "byte", "smallint", "short", "int", "integer", "bigint", "long", "float", "real", "double"}
)
FLOATING_TYPES = frozenset({"float", "real", "double"})
STRING_TYPES = frozenset({"string", "varchar", "char"})
TEMPORAL_TYPES = frozenset({"date", "timestamp", "timestamp_ltz", "timestamp_ntz"})


def type_family(data_type: str) -> str:
    """`decimal(10,2)` -> `decimal`, `varchar(20)` -> `varchar`, `array<int>` -> `array`."""
    name = data_type.strip().lower()
    for mark in ("(", "<", " "):
        name = name.split(mark, 1)[0]
    return name


def column_kind(data_type: str) -> ColumnKind:
    """The kind of a column of this type; nested, binary, interval, variant and void are OTHER."""
    family = type_family(data_type)
    if family in NUMERIC_TYPES or family in ("decimal", "dec", "numeric"):
        return ColumnKind.NUMERIC
    if family in STRING_TYPES:
        return ColumnKind.STRING
    if family in ("boolean", "bool"):
        return ColumnKind.BOOLEAN
    if family in TEMPORAL_TYPES:
        return ColumnKind.TEMPORAL
    return ColumnKind.OTHER


def databricks_column(name: str, data_type: str) -> ColumnInfo:
    """One column of `DESCRIBE TABLE`'s output."""
    return ColumnInfo(
        name=name,
        data_type=data_type.strip().lower(),
        kind=column_kind(data_type),
        floating=type_family(data_type) in FLOATING_TYPES,
    )
