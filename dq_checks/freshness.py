"""Freshness measured on the data's own last update, never on when we looked.

Without `deadline_cron` the SLA is a sliding window: the data must be younger than
`max_age_hours` (WARN past `warn_after_hours`). With `deadline_cron`, as in Dagster's cron
freshness policy, at each deadline tick the data must have been updated within
`max_age_hours` before that tick.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter

from dq_checks.config.models import FreshnessSpec
from dq_checks.render.numbers import format_number
from dq_checks.results.model import CheckResult, CheckSeverity, Outcome
from dq_checks.results.names import FRESHNESS_CHECK


@dataclass(frozen=True)
class FreshnessVerdict:
    """Whether the data is fresh now, and when it will stop being so if nothing new arrives."""

    outcome: Outcome
    severity: CheckSeverity | None
    message: str
    last_updated: datetime | None
    age_hours: float | None
    warn_at: datetime | None
    fail_at: datetime | None


def judge_freshness(spec: FreshnessSpec, last_updated: datetime | None, now: datetime) -> FreshnessVerdict:
    """Judge `last_updated` (timezone-aware) against the SLA at `now`."""
    if last_updated is None:
        return FreshnessVerdict(
            Outcome.FAIL,
            CheckSeverity.ERROR,
            "the table has never been written: no last update",
            None,
            None,
            None,
            None,
        )
    age = now - last_updated
    age_hours = age.total_seconds() / 3600
    max_age = timedelta(hours=spec.max_age_hours)
    warn_age = timedelta(hours=spec.warn_after_hours) if spec.warn_after_hours is not None else None
    if spec.deadline_cron is None:
        fail_at = last_updated + max_age
        warn_at = last_updated + warn_age if warn_age is not None else None
        failing, warning = now >= fail_at, warn_at is not None and now >= warn_at
        window = f"max {format_number(spec.max_age_hours)} h"
    else:
        tick = _last_tick(spec, now)
        failing = last_updated < tick - max_age
        warning = warn_age is not None and last_updated < tick - warn_age
        fail_at = _next_tick(spec, last_updated + max_age)
        warn_at = _next_tick(spec, last_updated + warn_age) if warn_age is not None else None
        hours = format_number(spec.max_age_hours)
        window = f"updated within {hours} h before each '{spec.deadline_cron}' deadline"
    when = f"last updated {last_updated.isoformat()} ({format_number(round(age_hours, 2))} h ago)"
    if failing:
        return FreshnessVerdict(
            Outcome.FAIL,
            CheckSeverity.ERROR,
            f"stale: {when}; SLA {window}",
            last_updated,
            age_hours,
            warn_at,
            fail_at,
        )
    if warning:
        return FreshnessVerdict(
            Outcome.FAIL,
            CheckSeverity.WARN,
            f"ageing: {when}; warn after {format_number(spec.warn_after_hours or 0)} h, SLA {window}",
            last_updated,
            age_hours,
            warn_at,
            fail_at,
        )
    return FreshnessVerdict(
        Outcome.PASS, None, f"fresh: {when}; SLA {window}", last_updated, age_hours, warn_at, fail_at
    )


def _zone(spec: FreshnessSpec) -> ZoneInfo:
    return ZoneInfo(spec.timezone)


def _last_tick(spec: FreshnessSpec, now: datetime) -> datetime:
    assert spec.deadline_cron is not None
    local = now.astimezone(_zone(spec))
    return croniter(spec.deadline_cron, local).get_prev(datetime)


def _next_tick(spec: FreshnessSpec, moment: datetime) -> datetime:
    assert spec.deadline_cron is not None
    local = moment.astimezone(_zone(spec))
    return croniter(spec.deadline_cron, local).get_next(datetime)


def freshness_result(verdict: FreshnessVerdict, spec: FreshnessSpec, source: str) -> CheckResult:
    """The `freshness` check, with the times a sensor needs to notice a breach without a run."""
    metadata: dict[str, object] = {
        "max_age_hours": spec.max_age_hours,
        "last_updated_from": source,
    }
    if spec.warn_after_hours is not None:
        metadata["warn_after_hours"] = spec.warn_after_hours
    if spec.deadline_cron is not None:
        metadata["deadline_cron"] = f"{spec.deadline_cron} ({spec.timezone})"
    if verdict.last_updated is not None:
        metadata["last_updated"] = verdict.last_updated
    if verdict.age_hours is not None:
        metadata["age_hours"] = round(verdict.age_hours, 4)
        metadata["observed"] = round(verdict.age_hours, 4)
    if verdict.warn_at is not None:
        metadata["warn_at"] = verdict.warn_at
    if verdict.fail_at is not None:
        metadata["fail_at"] = verdict.fail_at
    return CheckResult(FRESHNESS_CHECK, verdict.outcome, verdict.message, verdict.severity, metadata)


def breach_due(
    *,
    passed: bool,
    severity: CheckSeverity | None,
    warn_at: datetime | None,
    fail_at: datetime | None,
    now: datetime,
) -> CheckSeverity | None:
    """The level of a breach that has come due since the last `freshness` evaluation, if any.

    The last evaluation knows when the data would turn stale if nothing new arrived. When
    that moment has passed and the evaluation does not already say so, a new check run is
    due, even if no schedule would start one.
    """
    already_failing = not passed and severity is CheckSeverity.ERROR
    if fail_at is not None and now >= fail_at and not already_failing:
        return CheckSeverity.ERROR
    if warn_at is not None and now >= warn_at and passed:
        return CheckSeverity.WARN
    return None
