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
from dq_assets.partition_axis import PartitionAxis
from dq_checks.rules.model import History

OBSERVED_KEY = "observed"
OBSERVED_BY_CHECK_KEY = "dq/observed"
PARTITION_RUNS_READ = 400
"""A rule's checks read for a partitioned run's `last(k)`: enough for a year of days, each checked once."""
METRICS_KEY = "dq/metrics"
"""On the profile check: every metric a rule or an analyzer measured, by its key (`Dataset.*.RowCount`)."""


def instance_history(
    instance: dg.DagsterInstance,
    asset_key: dg.AssetKey,
    metric_keys: Mapping[str, str] | None = None,
    axis: PartitionAxis | None = None,
) -> Callable[[str], History]:
    """For a check name, a function giving its last k observed values, most recent first.

    In a partitioned run (`axis`), the last k are the k partitions before the checked one, each as
    it was last checked: `last(7)` of a daily table is the week before the partition.

    A check named in `metric_keys` also learns from the runs in which it did not run but its
    metric was measured (by an analyzer, or another rule on the same metric): `dq/metrics`.
    """

    def for_check(check_name: str) -> History:
        check_key = dg.AssetCheckKey(asset_key, check_name)
        metric = (metric_keys or {}).get(check_name)

        def last(k: int) -> Sequence[float]:
            if axis is not None:
                return _last_partitions(k)
            limit = max(1, k) * 2 + 5
            by_run: dict[str, tuple[float, float | None]] = {}
            for evaluation in profile_evaluations(instance, asset_key, limit):
                observed = evaluation.metadata.get(OBSERVED_BY_CHECK_KEY)
                if observed is not None and isinstance(observed.value, dict):
                    value = _number(observed.value.get(check_name))
                    if value is None and metric is not None:
                        value = _number(_values(evaluation.metadata.get(METRICS_KEY)).get(metric))
                    by_run.setdefault(evaluation.run_id, (evaluation.stamp, value))
            for evaluation in check_evaluations(instance, check_key, limit):
                if evaluation.run_id not in by_run:
                    value = evaluation.metadata.get(OBSERVED_KEY)
                    by_run[evaluation.run_id] = (
                        evaluation.stamp,
                        _number(value.value if value is not None else None),
                    )
            newest_first = sorted(by_run.values(), key=lambda item: item[0], reverse=True)
            return [value for _, value in newest_first if value is not None][:k]

        def _last_partitions(k: int) -> Sequence[float]:
            assert axis is not None
            latest: dict[str, tuple[float, float | None]] = {}  # partition -> its last check
            for evaluation in check_evaluations(instance, check_key, PARTITION_RUNS_READ):
                if axis.comes_before(evaluation.partition) and evaluation.partition not in latest:
                    value = evaluation.metadata.get(OBSERVED_KEY)
                    observed_value = _number(value.value if value is not None else None)
                    latest[str(evaluation.partition)] = (evaluation.stamp, observed_value)

            def position(key: str) -> float:  # a time partition's start; a value partition's last check
                start = axis.start_of(key)
                return start.timestamp() if start is not None else latest[key][0]

            newest_first = sorted(latest, key=position, reverse=True)
            return [value for key in newest_first if (value := latest[key][1]) is not None][:k]

        return last

    return for_check


def _values(entry: dg.MetadataValue | None) -> dict[str, object]:
    return entry.value if entry is not None and isinstance(entry.value, dict) else {}


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
