"""The one line `test_connection` answers with."""

from __future__ import annotations

from dq_checks.schema import TableDescription


def describe_summary(description: TableDescription) -> str:
    """`200,000 rows, 6 columns, last updated 2026-11-30 08:00 UTC`; what metadata lacks is left out."""
    parts = [f"{description.row_count:,} rows" if description.row_count is not None else "row count unknown"]
    parts.append(f"{len(description.columns)} columns")
    if description.last_updated is not None:
        parts.append(f"last updated {description.last_updated:%Y-%m-%d %H:%M} UTC")
    return ", ".join(parts)
