"""Report check outcomes to Dagster."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from dq_assets.steps.metadata import OUTCOME_KEY, metadata_values
from dq_checks.results import CheckResult, CheckSeverity

_SEVERITIES = {
    CheckSeverity.WARN: dg.AssetCheckSeverity.WARN,
    CheckSeverity.ERROR: dg.AssetCheckSeverity.ERROR,
}


def check_result(asset_key: dg.AssetKey, result: CheckResult) -> dg.AssetCheckResult:
    """One AssetCheckResult; the outcome (pass, fail, error, skip) travels in `dq/outcome`."""
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
        },
    )


def check_results(asset_key: dg.AssetKey, results: Sequence[CheckResult]) -> list[dg.AssetCheckResult]:
    """Every outcome, in order."""
    return [check_result(asset_key, r) for r in results]
