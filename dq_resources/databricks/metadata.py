"""What Databricks' catalog says about a table without reading its rows.

`DESCRIBE TABLE EXTENDED` gives the columns, the table's format (`Provider`), its location and,
once `ANALYZE TABLE ... COMPUTE STATISTICS` has run, a row count (`Statistics: ... N rows`; it may
lag the data). A Delta table also answers `DESCRIBE DETAIL` (`lastModified`: the last commit, the
data's own last update) and `DESCRIBE HISTORY ... LIMIT 1` (the current version, which changes
with every commit). Other formats have neither: their last update and version are unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dq_checks.schema import ColumnInfo
from dq_resources.databricks.types import databricks_column

ROW_COUNT = re.compile(r"(\d+)\s+rows")


@dataclass(frozen=True)
class CatalogFacts:
    """What `DESCRIBE TABLE EXTENDED` tells: columns, format, location and row count, where known."""

    columns: tuple[ColumnInfo, ...]
    provider: str | None
    location: str | None
    row_count: int | None

    @property
    def is_delta(self) -> bool:
        """Delta tables keep a commit log, which `DESCRIBE DETAIL` and `DESCRIBE HISTORY` read."""
        return (self.provider or "").lower() == "delta"


def catalog_facts(rows: list[tuple[Any, ...]]) -> CatalogFacts:
    """Read `DESCRIBE TABLE EXTENDED`'s rows (name, type, comment).

    The columns come first and end at the first empty or `#` row (the partition columns that
    follow repeat them); the table's details follow as name/value rows.
    """
    columns: list[ColumnInfo] = []
    details: dict[str, str] = {}
    in_columns = True
    for row in rows:
        name = str(row[0] or "").strip()
        value = str(row[1] or "").strip()
        if not name or name.startswith("#"):
            in_columns = False
            continue
        if in_columns:
            columns.append(databricks_column(name, value))
        else:
            details.setdefault(name, value)
    statistics = ROW_COUNT.search(details.get("Statistics", ""))
    return CatalogFacts(
        columns=tuple(columns),
        provider=details.get("Provider") or None,
        location=details.get("Location") or None,
        row_count=int(statistics.group(1)) if statistics else None,
    )


def delta_last_modified(detail: dict[str, Any]) -> datetime | None:
    """`DESCRIBE DETAIL`'s `lastModified`: the time of the table's last commit, in UTC."""
    value = detail.get("lastModified")
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, str) and value.strip():
        parsed = datetime.fromisoformat(value.strip())
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return None


def delta_version(history: list[dict[str, Any]]) -> str | None:
    """The newest entry's `version` in `DESCRIBE HISTORY ... LIMIT 1`; None without one."""
    if not history or history[0].get("version") is None:
        return None
    return str(history[0]["version"])
