"""Read a run's check outcomes back, skipped checks included.

A skipped check yields no evaluation (Dagster shows it as SKIPPED); its reason travels in the
profile check's `dq/skipped` metadata, and its observed value (a rule's) in `dq/observed`.
"""

from __future__ import annotations

import dagster as dg


def skipped_checks(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    """Check name -> why it skipped, from the profile check's `dq/skipped`."""
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.check_name == "profile" and "dq/skipped" in evaluation.metadata:
            return dict(evaluation.metadata["dq/skipped"].value)  # type: ignore[arg-type]
    return {}


def observed_values(result: dg.ExecuteInProcessResult) -> dict[str, float]:
    """Rule check name -> its observed value, from the profile check's `dq/observed`."""
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.check_name == "profile" and "dq/observed" in evaluation.metadata:
            return dict(evaluation.metadata["dq/observed"].value)  # type: ignore[arg-type]
    return {}


def outcome_by_check(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    """Check name -> pass, fail, error (evaluations) or skip (the profile check's `dq/skipped`)."""
    found = {e.check_name: str(e.metadata["dq/outcome"].value) for e in result.get_asset_check_evaluations()}
    found.update(dict.fromkeys(skipped_checks(result), "skip"))
    return found
