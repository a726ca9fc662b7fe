"""Inspect one table: describe it, profile it in one scan, detect anomalies, decide outcomes.

Nothing here imports Dagster; the asset and the CLI both report what this returns.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from dq_assets.check_names import TABLE_CHECKS
from dq_checks.anomalies import Anomaly, detect_anomalies
from dq_checks.config.columns import unknown_columns
from dq_checks.config.loader import DefinedTable
from dq_checks.profile import TableProfile, profile_table
from dq_checks.redaction import redact_anomalies, redact_profile
from dq_checks.results import CheckResult
from dq_checks.results.builders import anomalies_result, error_result, profile_result
from dq_checks.schema import TableDescription
from dq_resources.sources import OpenedTable


@dataclass(frozen=True)
class TableInspection:
    """Everything one step learned about a table. Values of PII columns are already redacted."""

    description: TableDescription
    profile: TableProfile
    anomalies: list[Anomaly]
    checks: list[CheckResult]
    duration_seconds: float


def inspect_table(defined: DefinedTable, table: OpenedTable) -> TableInspection:
    """Profile and check `table`. Raises SourceUnavailable when it cannot be read."""
    spec = defined.spec
    started = time.perf_counter()
    description = table.describe()
    with table.query_runner() as runner:
        profile = profile_table(
            runner, description.columns, spec.anomalies, row_count_hint=description.row_count
        )
    anomalies = detect_anomalies(profile, spec.anomalies)
    duration = time.perf_counter() - started
    problems = unknown_columns(defined, description)
    pii = set(spec.pii_columns)
    visible_anomalies = redact_anomalies(anomalies, pii)
    checks = [
        profile_result(profile, duration_seconds=duration, problems=problems.profile),
        anomalies_result(visible_anomalies, problems=problems.anomalies),
    ]
    return TableInspection(description, redact_profile(profile, pii), visible_anomalies, checks, duration)


def unreadable_results(message: str) -> list[CheckResult]:
    """Every check of a table whose source could not be read is an error with the cause."""
    return [error_result(name, message) for name in TABLE_CHECKS]
