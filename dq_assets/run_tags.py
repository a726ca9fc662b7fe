"""The tags a table's run carries, read by the run queue (limits per source) and by the alerts."""

from __future__ import annotations

from dq_checks.config.models import TableSpec

TABLE_TAG = "dq/table"
SOURCE_TAG = "dq/source"
TRIGGER_TAG = "dq/trigger"
FORCE_SCAN_TAG = "dq/force_scan"
"""`true`: scan the table even when its data version was already checked (`dq run --force`)."""


def table_run_tags(spec: TableSpec) -> dict[str, str]:
    """`dq/table` (alerts name the table) and `dq/source` (the queue limits runs per kind of source)."""
    return {TABLE_TAG: spec.table, SOURCE_TAG: spec.source.type}
