"""Turn what the Dagster instance recorded into signals.

Check evaluations, freshness-policy state changes and run outcomes. Plain values in, plain values out.
A signal's asset and check are its dedup key (`dedup.py`, the next step of deduplication).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dq_checks.alerts.model import AlertSeverity, AlertType, Signal
from dq_checks.results.names import (
    ANOMALIES_CHECK,
    FRESHNESS_CHECK,
    PROFILE_CHECK,
    QUALITY_SCORE_CHECK,
    SCHEMA_CHECK,
    VOLUME_CHECK,
)

RUN_CHECK = "run"
"""The pseudo-check of a table's run: a failed run opens `asset::run`, the next successful run resolves it."""

FRESHNESS_POLICY_CHECK = "freshness_policy"
"""The pseudo-check of Dagster's own FreshnessPolicy state (FAIL/WARN open it, PASS resolves it)."""

_TYPE_BY_CHECK = {
    ANOMALIES_CHECK: AlertType.ANOMALY,
    PROFILE_CHECK: AlertType.VOLUME_ANOMALY,  # the profile fails only on an empty table
    VOLUME_CHECK: AlertType.VOLUME_ANOMALY,
    SCHEMA_CHECK: AlertType.SCHEMA_CHANGE,
    QUALITY_SCORE_CHECK: AlertType.QUALITY_SCORE,
    FRESHNESS_CHECK: AlertType.FRESHNESS_SLA,
}

DETAIL_KEYS = (
    "observed",
    "condition",
    "evaluated_count",
    "failed_count",
    "duplicate_groups",
    "duplicate_rows",
    "missing_values_count",
    "missing_rows_count",
    "overall",
    "age_hours",
    "row_count",
    "anomaly_count",
)
"""Check metadata worth carrying into an alert; samples and markdown tables stay in Dagster."""

_SKIP = "skip"
_ERROR = "error"


def alert_type_for(check: str, outcome: str) -> AlertType:
    """An error outcome is a check_error whatever the check; otherwise the check decides the type."""
    if outcome == _ERROR:
        return AlertType.CHECK_ERROR
    return _TYPE_BY_CHECK.get(check, AlertType.RULE_FAILURE)


def signal_from_check(
    *,
    evaluation_id: int,
    asset: str,
    check: str,
    passed: bool,
    severity: str,
    outcome: str | None,
    description: str | None,
    metadata: Mapping[str, Any],
    run_id: str | None,
    observed_at: datetime,
) -> Signal:
    """A check evaluation as a signal. A skip is an inconclusive healthy signal: it clears a check_error.

    `outcome` is dq's own (`dq/outcome`: pass, fail, error, skip); evaluations from checks that
    are not dq's carry none, and `passed` decides.
    """
    outcome = outcome or ("pass" if passed else "fail")
    kind = alert_type_for(check, outcome)
    level = AlertSeverity.WARN if severity.upper() == "WARN" else AlertSeverity.ERROR
    what = {_ERROR: "could not be evaluated", _SKIP: "skipped"}.get(outcome, "passed" if passed else "failed")
    details = {key: metadata[key] for key in DETAIL_KEYS if key in metadata}
    details.update(outcome=outcome, run_id=run_id)
    return Signal(
        evaluation_id=evaluation_id,
        asset=asset,
        check=check,
        failing=not passed,
        type=kind,
        severity=level,
        title=f"{asset}: {check} {what}",
        message=description or f"{check} {what}",
        observed_at=observed_at,
        details=details,
        conclusive=outcome != _SKIP,
    )


def signal_from_freshness_state(
    *, evaluation_id: int, asset: str, new_state: str, previous_state: str, observed_at: datetime
) -> Signal | None:
    """Dagster's FreshnessPolicy state: FAIL is an error, WARN a warning, PASS resolves."""
    levels = {"FAIL": AlertSeverity.ERROR, "WARN": AlertSeverity.WARN}
    if new_state not in (*levels, "PASS"):
        return None
    level = levels.get(new_state, AlertSeverity.WARN)
    return Signal(
        evaluation_id=evaluation_id,
        asset=asset,
        check=FRESHNESS_POLICY_CHECK,
        failing=new_state != "PASS",
        type=AlertType.FRESHNESS_SLA,
        severity=level,
        title=f"{asset}: freshness policy {new_state}",
        message=f"Dagster's freshness policy went from {previous_state} to {new_state}",
        observed_at=observed_at,
        details={"new_state": new_state, "previous_state": previous_state},
    )


def signal_from_run(
    *,
    evaluation_id: int,
    asset: str,
    job: str,
    run_id: str,
    failed: bool,
    message: str | None,
    observed_at: datetime,
) -> Signal:
    """A failed run opens `asset::run`; a later successful run of the same table resolves it."""
    return Signal(
        evaluation_id=evaluation_id,
        asset=asset,
        check=RUN_CHECK,
        failing=failed,
        type=AlertType.RUN_FAILURE,
        severity=AlertSeverity.ERROR,
        title=f"{asset}: run of {job} {'failed' if failed else 'succeeded'}",
        message=message or (f"run {run_id} failed" if failed else f"run {run_id} succeeded"),
        observed_at=observed_at,
        details={"job": job, "run_id": run_id},
    )
