"""Freshness, schema change, volume and drift: the pure pieces, on plain values and a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dq_checks.config.models import (
    AnomalySettings,
    FreshnessSpec,
    HistorySettings,
    SchemaChangeSettings,
    VolumeSettings,
)
from dq_checks.freshness import breach_due, judge_freshness
from dq_checks.history.earlier_runs import PastRun, first_seen, one_per_version, previous_schema
from dq_checks.profile.model import ColumnProfile, TableProfile
from dq_checks.results.model import CheckSeverity, Outcome
from dq_checks.results.volume_and_drift import drift_anomalies, volume_result
from dq_checks.schema import ColumnKind
from dq_checks.schema_change import schema_diff, schema_result

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SLA = FreshnessSpec(max_age_hours=24, warn_after_hours=12)


@pytest.mark.parametrize(
    ("hours", "outcome", "severity"),
    [
        (11.99, Outcome.PASS, None),
        (12, Outcome.FAIL, CheckSeverity.WARN),  # the warn window starts at exactly 12 h
        (23.99, Outcome.FAIL, CheckSeverity.WARN),
        (24, Outcome.FAIL, CheckSeverity.ERROR),
        (72, Outcome.FAIL, CheckSeverity.ERROR),
    ],
)
def test_freshness_windows(hours: float, outcome: Outcome, severity: CheckSeverity | None) -> None:
    verdict = judge_freshness(SLA, NOW - timedelta(hours=hours), NOW)
    assert (verdict.outcome, verdict.severity) == (outcome, severity)
    assert verdict.fail_at == NOW - timedelta(hours=hours) + timedelta(hours=24)
    assert verdict.warn_at == NOW - timedelta(hours=hours) + timedelta(hours=12)


def test_a_table_never_written_is_stale() -> None:
    verdict = judge_freshness(SLA, None, NOW)
    assert (verdict.outcome, verdict.severity) == (Outcome.FAIL, CheckSeverity.ERROR)
    assert "never been written" in verdict.message


def test_deadline_cron_in_a_time_zone() -> None:
    spec = FreshnessSpec(
        max_age_hours=24, warn_after_hours=20, deadline_cron="0 9 * * *", timezone="Europe/Paris"
    )
    # NOW is 13:00 in Paris; the last deadline was 09:00 Paris = 08:00 UTC today.
    assert judge_freshness(spec, datetime(2026, 11, 22, 16, 0, tzinfo=UTC), NOW).outcome is Outcome.PASS
    warn = judge_freshness(spec, datetime(2026, 11, 22, 10, 0, tzinfo=UTC), NOW)  # 22 h before the deadline
    assert (warn.outcome, warn.severity) == (Outcome.FAIL, CheckSeverity.WARN)
    late = judge_freshness(spec, datetime(2026, 11, 22, 7, 59, tzinfo=UTC), NOW)  # 24 h 1 min before it
    assert (late.outcome, late.severity) == (Outcome.FAIL, CheckSeverity.ERROR)
    # Stale from the first deadline more than 24 h after the update: tomorrow 09:00 Paris.
    fresh = judge_freshness(spec, datetime(2026, 11, 23, 11, 0, tzinfo=UTC), NOW)
    assert fresh.fail_at == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("passed", "severity", "now_offset", "due"),
    [
        (True, None, -1, None),  # nothing has come due yet
        (True, None, 13, CheckSeverity.WARN),
        (True, None, 25, CheckSeverity.ERROR),
        (False, CheckSeverity.WARN, 13, None),  # the last check already says WARN
        (False, CheckSeverity.WARN, 25, CheckSeverity.ERROR),
        (False, CheckSeverity.ERROR, 25, None),  # already failing: no new run
    ],
)
def test_breach_due(
    passed: bool, severity: CheckSeverity | None, now_offset: float, due: CheckSeverity | None
) -> None:
    updated = NOW
    assert (
        breach_due(
            passed=passed,
            severity=severity,
            warn_at=updated + timedelta(hours=12),
            fail_at=updated + timedelta(hours=24),
            now=updated + timedelta(hours=now_offset),
        )
        is due
    )


def test_schema_changes_and_their_severities() -> None:
    before = (("id", "long"), ("email", "string"), ("amount", "double"))
    after = (("id", "long"), ("amount", "decimal(12, 2)"), ("segment", "string"))
    diff = schema_diff(before, after)
    assert (diff.added, diff.removed, diff.retyped) == (
        ("segment",),
        ("email",),
        (("amount", "double", "decimal(12, 2)"),),
    )
    result = schema_result(before, after, SchemaChangeSettings())
    assert (result.outcome, result.severity) == (Outcome.FAIL, CheckSeverity.ERROR)  # a removed column
    added_only = schema_result(before, (*before, ("segment", "string")), SchemaChangeSettings())
    assert (added_only.outcome, added_only.severity) == (Outcome.FAIL, CheckSeverity.WARN)
    assert added_only.description == "schema changed: added segment"
    lenient = SchemaChangeSettings(removed="warn")
    assert schema_result(before, after, lenient).severity is CheckSeverity.WARN
    assert schema_result(None, after, SchemaChangeSettings()).outcome is Outcome.PASS  # no earlier run
    assert (
        schema_result(before, tuple(reversed(before)), SchemaChangeSettings()).outcome is Outcome.PASS
    )  # order


def run(day: int, version: str, rows: float, **metrics: float) -> PastRun:
    """A run `10 - day` days before NOW."""
    return PastRun(NOW - timedelta(days=10 - day), version, rows, metrics, (("id", "long"),))


def test_history_keeps_one_run_per_data_version() -> None:
    runs = [run(1, "a", 10), run(2, "a", 10), run(3, "b", 20), run(4, "c", 30), run(5, "c", 30)]
    kept = one_per_version(runs, current_version="c")
    assert [(r.data_version, r.at) for r in kept] == [("a", runs[0].at), ("b", runs[2].at)]
    assert first_seen(runs, "c") == runs[3].at
    assert first_seen(runs, "z") is None
    assert previous_schema(runs) == (("id", "long"),)


def steady(days: int = 10) -> list[PastRun]:
    # about 1,000 rows a day (+-5), no NULLs, a mean of 50
    return [
        run(day, f"v{day}", 1_000 + (5 if day % 2 else -5), **{"x.null_pct": 0.0, "x.mean": 50.0})
        for day in range(days)
    ]


def test_volume_skips_without_history_then_judges() -> None:
    history = HistorySettings(min_points=5)
    skipped = volume_result(1_000, NOW, steady(3), VolumeSettings(), history)
    assert skipped.outcome is Outcome.SKIP
    assert "needs 5 earlier data versions, has 3" in skipped.description
    normal = volume_result(1_003, NOW, steady(), VolumeSettings(), history)
    assert normal.outcome is Outcome.PASS
    assert normal.description.endswith("of the last 10 data versions")
    dropped = volume_result(300, NOW, steady(), VolumeSettings(), history)  # planted: 70% of the rows gone
    assert (dropped.outcome, dropped.severity) == (Outcome.FAIL, CheckSeverity.WARN)
    ratio = volume_result(300, NOW, steady(), VolumeSettings(method="ratio"), history)
    assert ratio.outcome is Outcome.FAIL
    assert ratio.metadata["ratio_rule"]["verdict"] == "anomalous"


def test_drift_is_judged_per_column_metric() -> None:
    column = ColumnProfile(
        name="x",
        data_type="double",
        kind=ColumnKind.NUMERIC,
        row_count=100,
        null_count=30,
        distinct_count=70,
        mean=50.0,
    )
    profile = TableProfile(row_count=100, columns={"x": column})
    found = drift_anomalies(profile, NOW, steady(), HistorySettings(min_points=5), AnomalySettings())
    # planted: 30% NULLs against a history of none; the mean is as usual
    assert [(a.column, a.method.split(":")[0], a.severity.value) for a in found] == [
        ("x", "null %", "warning")
    ]
    skipping = AnomalySettings(columns={"x": {"skip": ["history_drift"]}})
    assert drift_anomalies(profile, NOW, steady(), HistorySettings(min_points=5), skipping) == []


def test_a_version_checked_again_is_one_point_and_the_skip_says_how_often_it_was_checked() -> None:
    # planted: three runs on one snapshot, v1, and nothing before it
    past = [run(0, "v1", 1_000), run(1, "v1", 1_000)]
    history = one_per_version(past, current_version="v1")
    assert history == []
    skipped = volume_result(1_000, NOW, history, VolumeSettings(), HistorySettings(), checks_of_version=3)
    assert (
        skipped.description
        == "1,000 rows; needs 7 earlier data versions, has 0 (this version was checked 3 times)"
    )
    first = volume_result(1_000, NOW, [], VolumeSettings(), HistorySettings())
    assert first.description == "1,000 rows; needs 7 earlier data versions, has 0"
