"""Report check outcomes to Dagster."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import dagster as dg

from dq_assets.steps.metadata import OUTCOME_KEY, metadata_values
from dq_checks.results import CheckResult, CheckSeverity, Outcome

_SEVERITIES = {
    CheckSeverity.WARN: dg.AssetCheckSeverity.WARN,
    CheckSeverity.ERROR: dg.AssetCheckSeverity.ERROR,
}


def check_result(
    asset_key: dg.AssetKey, result: CheckResult, extra: Mapping[str, dg.MetadataValue] | None = None
) -> dg.AssetCheckResult:
    """One AssetCheckResult; the outcome (pass, fail, error) travels in `dq/outcome`, `extra` beside it."""
    severity = _SEVERITIES[result.severity] if result.severity is not None else dg.AssetCheckSeverity.ERROR
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=result.name,
        passed=result.passed,
        severity=severity,
        description=result.description,
        metadata={
            OUTCOME_KEY: dg.MetadataValue.text(result.outcome.value),
            **metadata_values(result.metadata),
            **(extra or {}),
        },
    )


def check_results(asset_key: dg.AssetKey, results: Sequence[CheckResult]) -> list[dg.AssetCheckResult]:
    """Every outcome, in order."""
    return [check_result(asset_key, r) for r in results]


def reported_results(
    asset_key: dg.AssetKey,
    results: Sequence[CheckResult],
    selected: Collection[str],
    extra: Mapping[str, Mapping[str, dg.MetadataValue]] | None = None,
) -> list[dg.AssetCheckResult]:
    """The results Dagster is given: the selected checks' that evaluated, in order.

    A skipped check yields nothing, so Dagster resolves it as SKIPPED (the run finished, the
    check did not execute) rather than as a green pass; `extra[name]` goes on check `name`.
    """
    extra = extra or {}
    return [
        check_result(asset_key, r, extra.get(r.name))
        for r in results
        if r.name in selected and r.outcome is not Outcome.SKIP
    ]


def partition_evaluation(
    instance: dg.DagsterInstance, result: dg.AssetCheckResult, partition: str, blocking: Mapping[str, bool]
) -> dg.AssetCheckEvaluation:
    """`result` as the evaluation of one partition's check, in a run that covers a range of partitions.

    Dagster makes an AssetCheckResult the evaluation of the run's one partition, and a range run
    has none, so dq makes the evaluation itself: the same fields, the partition it judged, and
    the partition's latest materialization as its target (as Dagster's own conversion does).
    """
    from dagster._core.definitions.asset_checks.asset_check_evaluation import (
        AssetCheckEvaluationTargetMaterializationData,
    )

    assert result.asset_key is not None and result.check_name is not None  # check_result sets both
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=result.asset_key, asset_partitions=[partition]), limit=1
    ).records
    latest = records[0] if records else None
    target = (
        None
        if latest is None
        else AssetCheckEvaluationTargetMaterializationData(
            run_id=latest.event_log_entry.run_id, storage_id=latest.storage_id, timestamp=latest.timestamp
        )
    )
    return dg.AssetCheckEvaluation(
        asset_key=result.asset_key,
        check_name=result.check_name,
        passed=result.passed,
        metadata=result.metadata,
        target_materialization_data=target,
        severity=result.severity,
        description=result.description,
        blocking=blocking.get(result.check_name, False),
        partition=partition,
    )
