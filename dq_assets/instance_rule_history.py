"""A rule's history: the values it observed in earlier runs, read from the Dagster instance.

The instance's event log is the history. Each run's `profile` check evaluation
carries every rule's observed metric (`dq/observed`), including the rules that skipped: a skipped
check yields no evaluation of its own, yet DetectAnomalies must learn from the runs it skipped.
Runs whose profile check did not run (instances written before it carried them, a rule executed
on its own) are read from the rule check's own `observed` metadata. Works on sqlite and Postgres.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import dagster as dg

from dq_assets.instance_table_history import check_evaluations, profile_evaluations
from dq_checks.rules.model import History

OBSERVED_KEY = "observed"
OBSERVED_BY_CHECK_KEY = "dq/observed"
METRICS_KEY = "dq/metrics"
"""On the profile check: every metric a rule or an analyzer measured, by its key (`Dataset.*.RowCount`)."""


def instance_history(
    instance: dg.DagsterInstance, asset_key: dg.AssetKey, metric_keys: Mapping[str, str] | None = None
) -> Callable[[str], History]:
    """For a check name, a function giving its last k observed values, most recent first.

    A check named in `metric_keys` also learns from the runs in which it did not run but its
    metric was measured (by an analyzer, or another rule on the same metric): `dq/metrics`.
    """

    def for_check(check_name: str) -> History:
        check_key = dg.AssetCheckKey(asset_key, check_name)
        metric = (metric_keys or {}).get(check_name)

        def last(k: int) -> Sequence[float]:
            limit = max(1, k) * 2 + 5
            by_run: dict[str, tuple[float, float | None]] = {}
            for run_id, metadata, stamp in profile_evaluations(instance, asset_key, limit):
                observed = metadata.get(OBSERVED_BY_CHECK_KEY)
                if observed is not None and isinstance(observed.value, dict):
                    value = _number(observed.value.get(check_name))
                    if value is None and metric is not None:
                        value = _number(_values(metadata.get(METRICS_KEY)).get(metric))
                    by_run.setdefault(run_id, (stamp, value))
            for run_id, metadata, stamp in check_evaluations(instance, check_key, limit):
                if run_id not in by_run:
                    value = metadata.get(OBSERVED_KEY)
                    by_run[run_id] = (stamp, _number(value.value if value is not None else None))
            newest_first = sorted(by_run.values(), key=lambda item: item[0], reverse=True)
            return [value for _, value in newest_first if value is not None][:k]

        return last

    return for_check


def _values(entry: dg.MetadataValue | None) -> dict[str, object]:
    return entry.value if entry is not None and isinstance(entry.value, dict) else {}


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
