"""One table run as tidy rows for dashboards: plain dicts for the results store's five tables.

Pure: no database here. `dq_resources.results.store.ResultsStore.write_run` writes what
`tidy_run` returns. Every row carries `run_id`, `table_name` and `checked_at`, so each table can
be queried on its own. Numbers that are not finite (NaN, infinities) become None: not every
database stores them. A partitioned table is checked one partition at a time, so its `check_runs`
row says which (`partition_key`, None for an unpartitioned table); the other four tables join it
on `run_id` and `table_name`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dq_checks.results.inspection import TableInspection
from dq_checks.results.model import CheckResult, Outcome
from dq_checks.rules.naming import RESERVED_CHECK_NAMES

if TYPE_CHECKING:  # the anomalies package loads its detectors, and they load sqlglot
    from dq_checks.anomalies.model import Anomaly
    from dq_checks.profile.model import ColumnProfile, Scalar
    from dq_checks.rules.scores import Scores

CHECK_RUNS = "check_runs"
COLUMN_PROFILES = "column_profiles"
ANOMALIES = "anomalies"
RULE_RESULTS = "rule_results"
QUALITY_SCORES = "quality_scores"
TABLES = (CHECK_RUNS, COLUMN_PROFILES, ANOMALIES, RULE_RESULTS, QUALITY_SCORES)
"""The results store's tables, in the order they are written."""

OVERALL = "overall"
"""The `dimension` of the overall score in `quality_scores`."""

Row = dict[str, Any]


@dataclass(frozen=True)
class TidyRun:
    """The rows of one table's run, per results table; `run_id` and `table_name` identify it."""

    run_id: str
    table_name: str
    check_runs: list[Row]
    column_profiles: list[Row] = field(default_factory=list)
    anomalies: list[Row] = field(default_factory=list)
    rule_results: list[Row] = field(default_factory=list)
    quality_scores: list[Row] = field(default_factory=list)

    def tables(self) -> Iterator[tuple[str, list[Row]]]:
        """(table, rows) for each of the five tables, in `TABLES` order."""
        for name in TABLES:
            yield name, getattr(self, name)


def tidy_run(
    table: str,
    run_id: str,
    checked_at: datetime,
    inspection: TableInspection,
    *,
    partition: str | None = None,
) -> TidyRun:
    """The rows of a table that was inspected: its run, profile, anomalies, checks and scores.

    `partition` is the partition the run checked (None for an unpartitioned table): without it a
    dashboard could not tell one partition's run from another's.
    """
    key = _key(table, run_id, checked_at)
    description, profile, scores = inspection.description, inspection.profile, inspection.scores
    run = {
        **key,
        "partition_key": partition,
        "data_version": description.data_version,
        "last_updated": description.last_updated,
        "row_count": profile.row_count,
        "column_count": len(description.columns),
        "duration_seconds": _number(inspection.duration_seconds),
        **_outcome_counts(inspection.checks),
        "anomaly_count": len(inspection.anomalies),
        "quality_score": _number(scores.overall) if scores is not None else None,
    }
    return TidyRun(
        run_id,
        table,
        [run],
        [{**key, **_column_row(column)} for column in profile.columns.values()],
        [{**key, "ordinal": i, **_anomaly_row(a)} for i, a in enumerate(inspection.anomalies, 1)],
        [{**key, **_check_row(check)} for check in inspection.checks],
        _score_rows(key, scores, inspection.checks),
    )


def tidy_unreadable_run(
    table: str,
    run_id: str,
    checked_at: datetime,
    checks: Sequence[CheckResult],
    duration_seconds: float = 0.0,
    *,
    partition: str | None = None,
) -> TidyRun:
    """The rows of a table whose source could not be read: the run, and every check as an error.

    `partition` is the partition the run was to check (None for an unpartitioned table), as in `tidy_run`.
    """
    key = _key(table, run_id, checked_at)
    run = {
        **key,
        "partition_key": partition,
        "data_version": None,
        "last_updated": None,
        "row_count": None,
        "column_count": None,
        "duration_seconds": _number(duration_seconds),
        **_outcome_counts(checks),
        "anomaly_count": None,
        "quality_score": None,
    }
    return TidyRun(run_id, table, [run], rule_results=[{**key, **_check_row(check)} for check in checks])


def _key(table: str, run_id: str, checked_at: datetime) -> Row:
    if checked_at.tzinfo is None:
        raise ValueError(f"naive checked_at {checked_at!r}: results carry aware times only")
    if not run_id or not table:
        raise ValueError("a run needs both a run_id and a table name")
    return {"run_id": run_id, "table_name": table, "checked_at": checked_at}


def _outcome_counts(checks: Sequence[CheckResult]) -> Row:
    return {
        "checks_passed": sum(1 for c in checks if c.outcome is Outcome.PASS),
        "checks_failed": sum(1 for c in checks if c.outcome is Outcome.FAIL),
        "checks_errored": sum(1 for c in checks if c.outcome is Outcome.ERROR),
        "checks_skipped": sum(1 for c in checks if c.outcome is Outcome.SKIP),
    }


def _column_row(column: ColumnProfile) -> Row:
    return {
        "column_name": column.name,
        "data_type": column.data_type,
        "kind": column.kind.value,
        "row_count": column.row_count,
        "null_count": column.null_count,
        "null_pct": _number(column.null_pct),
        "distinct_count": column.distinct_count,
        "distinct_pct": _number(column.distinct_pct),
        "min_value": _text(column.min),
        "max_value": _text(column.max),
        "mean": _number(column.mean),
        "median": _number(column.median),
        "std": _number(column.std),
        "q1": _number(column.q1),
        "q3": _number(column.q3),
        "zeros": column.zeros,
        "negatives": column.negatives,
    }


def _anomaly_row(anomaly: Anomaly) -> Row:
    return {
        "column_name": anomaly.column,
        "anomaly_type": anomaly.type,
        "method": anomaly.method,
        "severity": anomaly.severity.value,
        "value": _number(anomaly.value),
        "threshold": _number(anomaly.threshold),
        "description": anomaly.description,
    }


def _check_row(check: CheckResult) -> Row:
    metadata = check.metadata
    is_rule = check.name not in RESERVED_CHECK_NAMES
    return {
        "check_name": check.name,
        "is_rule": is_rule,
        "rule_text": metadata.get("rule") if is_rule else None,
        "dimension": metadata.get("dimension") if is_rule else None,
        "outcome": check.outcome.value,
        "severity": check.severity.value if check.severity is not None else None,
        "description": check.description,
        "observed": _number(metadata.get("observed")),
        "evaluated_count": _count(metadata.get("evaluated_count")),
        "failed_count": _count(metadata.get("failed_count")),
    }


def _score_rows(key: Row, scores: Scores | None, checks: Sequence[CheckResult]) -> list[Row]:
    """The overall score, then one row per dimension that has an evaluated rule."""
    if scores is None:
        return []
    rows = [
        {
            **key,
            "dimension": OVERALL,
            "score": _number(scores.overall),
            "rules_passed": scores.passed,
            "rules_evaluated": scores.evaluated,
        }
    ]
    evaluated = [
        (c.metadata.get("dimension"), c.outcome)
        for c in checks
        if c.name not in RESERVED_CHECK_NAMES and c.outcome in (Outcome.PASS, Outcome.FAIL)
    ]
    for dimension, value in scores.dimensions.items():
        outcomes = [outcome for d, outcome in evaluated if d == dimension]
        rows.append(
            {
                **key,
                "dimension": dimension,
                "score": _number(value),
                "rules_passed": sum(1 for outcome in outcomes if outcome is Outcome.PASS),
                "rules_evaluated": len(outcomes),
            }
        )
    return rows


def _number(value: object) -> float | None:
    """A finite float, or None (for None, NaN, infinities and anything not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Scalar) -> str | None:
    """A min or max as text: booleans as true/false, numbers as Python writes them."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
