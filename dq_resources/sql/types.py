"""SQLAlchemy column types as the check step's column kinds."""

from __future__ import annotations

from typing import Any

from dq_checks.schema import ColumnInfo, ColumnKind


def column_info(name: str, sql_type: Any, nullable: bool) -> ColumnInfo:
    """One reflected column as a ColumnInfo; an unknown type is OTHER (profiled by counts only)."""
    from sqlalchemy import types

    data_type = str(sql_type).lower() if not isinstance(sql_type, types.NullType) else "unknown"
    if isinstance(sql_type, types.Boolean) or _mysql_boolean(sql_type):
        kind, floating = ColumnKind.BOOLEAN, False
    elif isinstance(sql_type, types.Float):
        kind, floating = ColumnKind.NUMERIC, True
    elif isinstance(sql_type, types.Integer | types.Numeric):
        kind, floating = ColumnKind.NUMERIC, False
    elif isinstance(sql_type, types.Date | types.DateTime | types.Time):
        kind, floating = ColumnKind.TEMPORAL, False
    elif isinstance(sql_type, types.String | types.Enum):
        kind, floating = ColumnKind.STRING, False
    else:
        kind, floating = ColumnKind.OTHER, False
    return ColumnInfo(name=name, data_type=data_type, kind=kind, nullable=nullable, floating=floating)


def _mysql_boolean(sql_type: Any) -> bool:
    """MySQL's and MariaDB's BOOLEAN is TINYINT(1): that is how such a column reflects."""
    from sqlalchemy.dialects.mysql import TINYINT

    return isinstance(sql_type, TINYINT) and sql_type.display_width == 1
