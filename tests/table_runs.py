"""Run one table's checks the way its schedule or the freshness sensor does: one run per table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg

from dq_assets.run_tags import TABLE_TAG
from dq_assets.schedules import table_selection


def run_table_checks(
    defs: dg.Definitions,
    table: str,
    instance: dg.DagsterInstance,
    tags: Mapping[str, str] | None = None,
    **options: Any,
) -> dg.ExecuteInProcessResult:
    """The table's step and its proposals, in process, tagged with the table as a scheduled run is."""
    return defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=instance,
        asset_selection=table_selection(table),
        tags={TABLE_TAG: table, **(tags or {})},
        **options,
    )
