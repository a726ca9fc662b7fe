"""What Snowflake's INFORMATION_SCHEMA says about a table without reading its rows.

COLUMNS gives the columns in order with their types; TABLES gives the row count (`ROW_COUNT`, kept
by Snowflake for every table, exact after each DML) and `LAST_ALTERED`, the time of the last DML or
DDL on the table: its data's last update. A view has neither: both are unknown. The data version
is `LAST_ALTERED` with the row count and bytes beside it, so any change of the data changes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlglot import exp

from dq_checks.schema import ColumnInfo
from dq_resources.snowflake.types import snowflake_column

DIALECT = "snowflake"


def identifier(name: str) -> exp.Identifier:
    """An unquoted Snowflake name as Snowflake stores it (in capitals), quoted so it stays exact."""
    return exp.to_identifier(name.upper(), quoted=True)


def table_relation(database: str, table: str) -> exp.Table:
    """`database` and `schema.table` as a fully qualified relation: `"DB"."SCHEMA"."TABLE"`."""
    schema, name = table.split(".")
    return exp.table_(identifier(name), db=identifier(schema), catalog=identifier(database))


def _catalog_query(relation: exp.Table, view: str, columns: list[str]) -> exp.Select:
    source = exp.table_(exp.to_identifier(view), db=exp.to_identifier("INFORMATION_SCHEMA"))
    source.set("catalog", relation.args["catalog"].copy())
    condition = exp.and_(
        exp.column("TABLE_SCHEMA").eq(exp.Literal.string(relation.db)),
        exp.column("TABLE_NAME").eq(exp.Literal.string(relation.name)),
    )
    return exp.select(*columns).from_(source).where(condition)


def columns_sql(relation: exp.Table) -> str:
    """The table's columns in order, from INFORMATION_SCHEMA.COLUMNS."""
    query = _catalog_query(relation, "COLUMNS", ["COLUMN_NAME", "DATA_TYPE", "IS_NULLABLE"])
    return query.order_by("ORDINAL_POSITION").sql(dialect=DIALECT)


def table_sql(relation: exp.Table) -> str:
    """The table's row count, last change, size and type, from INFORMATION_SCHEMA.TABLES."""
    columns = ["TABLE_TYPE", "ROW_COUNT", "BYTES", "LAST_ALTERED"]
    return _catalog_query(relation, "TABLES", columns).sql(dialect=DIALECT)


@dataclass(frozen=True)
class TableFacts:
    """What INFORMATION_SCHEMA tells: the columns, the table's type, row count and last change."""

    columns: tuple[ColumnInfo, ...]
    table_type: str
    row_count: int | None
    last_altered: datetime | None
    size_bytes: int | None

    @property
    def data_version(self) -> str | None:
        """`LAST_ALTERED` with the row count and bytes; None for a view (its data changes unseen)."""
        if self.last_altered is None or self.table_type.upper() == "VIEW":
            return None
        return f"{self.last_altered.isoformat()}/{self.row_count}/{self.size_bytes}"


def table_facts(columns: list[tuple[Any, ...]], table: dict[str, Any]) -> TableFacts:
    """Read COLUMNS' rows (name, type, nullable) and TABLES' one row."""
    is_view = str(table.get("TABLE_TYPE") or "").upper() == "VIEW"
    return TableFacts(
        columns=tuple(snowflake_column(str(n), str(t), str(null).upper() != "NO") for n, t, null in columns),
        table_type=str(table.get("TABLE_TYPE") or ""),
        row_count=None if is_view else _integer(table.get("ROW_COUNT")),
        last_altered=None if is_view else _utc(table.get("LAST_ALTERED")),
        size_bytes=_integer(table.get("BYTES")),
    )


def _integer(value: Any) -> int | None:
    return None if value is None else int(value)


def _utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
