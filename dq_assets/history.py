"""A rule's history: the values it observed in earlier runs, read from the Dagster instance.

The instance's event log is the history (DESIGN.md): each rule check's evaluation
carries its observed metric as `observed` metadata. Works on sqlite and Postgres storage.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import dagster as dg
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from dq_checks.rules.model import History

OBSERVED_KEY = "observed"
_EVALUATED = {AssetCheckExecutionRecordStatus.SUCCEEDED, AssetCheckExecutionRecordStatus.FAILED}


def instance_history(instance: dg.DagsterInstance, asset_key: dg.AssetKey) -> Callable[[str], History]:
    """For a check name, a function giving its last k observed values, most recent first."""

    def for_check(check_name: str) -> History:
        check_key = dg.AssetCheckKey(asset_key, check_name)

        def last(k: int) -> Sequence[float]:
            records = instance.event_log_storage.get_asset_check_execution_history(
                check_key, limit=max(1, k) * 2 + 5, status=_EVALUATED
            )
            values: list[float] = []
            for record in records:
                event = record.event.dagster_event if record.event is not None else None
                evaluation = event.event_specific_data if event is not None else None
                metadata = getattr(evaluation, "metadata", None) or {}
                observed = metadata.get(OBSERVED_KEY)
                if observed is not None and isinstance(observed.value, int | float):
                    values.append(float(observed.value))
                if len(values) == k:
                    break
            return values

        return last

    return for_check
