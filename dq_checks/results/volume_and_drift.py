"""Judging today's metrics against the table's own history: the `volume` check and drift anomalies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from dq_checks.anomalies.model import Anomaly, Severity
from dq_checks.config.models import AnomalySettings, Detector, HistorySettings, VolumeSettings
from dq_checks.history.detectors import HistoryJudgement, Verdict, ratio_to_recent_mean, robust_judgement
from dq_checks.history.earlier_runs import PastRun
from dq_checks.history.series import Point
from dq_checks.profile.model import TableProfile
from dq_checks.render.numbers import format_number
from dq_checks.results.model import CheckResult, CheckSeverity, Outcome
from dq_checks.results.names import VOLUME_CHECK

COLUMN_METRICS = {"null_pct": "null %", "distinct_count": "distinct values", "mean": "mean"}

TABLE_HISTORY_UNIT = "data version"
"""A table's history holds one point per data version, however often each was checked."""


def _robust(
    value: float, now: datetime, series: Sequence[Point], settings: HistorySettings
) -> HistoryJudgement:
    return robust_judgement(
        value,
        now,
        series,
        window=settings.window,
        min_points=settings.min_points,
        threshold=settings.threshold,
        seasonality=settings.seasonality,
        unit=TABLE_HISTORY_UNIT,
    )


def _judgement_metadata(judgement: HistoryJudgement) -> dict[str, object]:
    return {
        "method": judgement.method,
        "verdict": judgement.verdict.value,
        "expected": judgement.expected,
        "lower": judgement.lower,
        "upper": judgement.upper,
        "points_used": judgement.points_used,
        "reason": judgement.reason,
    }


def volume_result(
    row_count: int,
    now: datetime,
    past: Sequence[PastRun],
    volume: VolumeSettings,
    history: HistorySettings,
    *,
    checks_of_version: int = 1,
) -> CheckResult:
    """The row count against earlier data versions: SKIP without enough history, never a false alarm.

    `past` holds one run per earlier data version. `checks_of_version` is how many times the current
    data version has been checked, this run included: a skip says it, so "has 0" after three runs
    on one snapshot reads as what it is.
    """
    series = [Point(run.at, float(run.row_count)) for run in past if run.row_count is not None]
    ratio = ratio_to_recent_mean(
        float(row_count),
        series,
        runs=volume.ratio_runs,
        low=volume.ratio_low,
        high=volume.ratio_high,
        unit=TABLE_HISTORY_UNIT,
    )
    robust = _robust(float(row_count), now, series, history)
    chosen = {"ratio": [ratio], "robust": [robust], "either": [ratio, robust]}[volume.method]
    metadata: dict[str, object] = {
        "observed": row_count,
        "history_points": len(series),
        "ratio_rule": _judgement_metadata(ratio),
        "robust": _judgement_metadata(robust),
    }
    anomalous = [j for j in chosen if j.verdict is Verdict.ANOMALOUS]
    if anomalous:
        judgement = anomalous[0]
        if judgement.expected is not None:
            metadata["expected"] = judgement.expected
        return CheckResult(
            VOLUME_CHECK,
            Outcome.FAIL,
            f"{row_count:,} rows: {judgement.reason}",
            CheckSeverity.WARN,
            metadata,
        )
    if all(j.verdict is Verdict.NOT_ENOUGH_HISTORY for j in chosen):
        again = f" (this version was checked {checks_of_version} times)" if checks_of_version > 1 else ""
        return CheckResult(
            VOLUME_CHECK, Outcome.SKIP, f"{row_count:,} rows; {chosen[0].reason}{again}", None, metadata
        )
    judged = next(j for j in chosen if j.verdict is Verdict.NORMAL)
    return CheckResult(VOLUME_CHECK, Outcome.PASS, f"{row_count:,} rows: {judged.reason}", None, metadata)


def _current(profile: TableProfile, column: str, metric: str) -> float | None:
    profiled = profile.columns[column]
    if metric == "null_pct":
        return profiled.null_pct
    value = getattr(profiled, metric)
    return None if value is None else float(value)


def drift_anomalies(
    profile: TableProfile,
    now: datetime,
    past: Sequence[PastRun],
    history: HistorySettings,
    anomalies: AnomalySettings,
) -> list[Anomaly]:
    """Columns whose null rate, distinct count or mean left the range their history set.

    An approximate distinct count learns only from earlier approximate ones, an exact one
    only from exact ones: the sketch's error must not pass for drift when a table's level changes.
    """
    found = []
    for name in profile.columns:
        if Detector.HISTORY_DRIFT in anomalies.for_column(name).skip:
            continue
        for metric in history.column_metrics:
            value = _current(profile, name, metric)
            key = f"{name}.{metric}"
            estimated = metric in profile.columns[name].approximate
            series = [
                Point(run.at, run.metrics[key])
                for run in past
                if key in run.metrics and (key in run.approximate) == estimated
            ]
            if value is None or not series:
                continue
            judgement = _robust(value, now, series, history)
            if judgement.verdict is not Verdict.ANOMALOUS:
                continue
            usual = (
                f"[{format_number(judgement.lower)}, {format_number(judgement.upper)}]"
                if judgement.lower is not None and judgement.upper is not None
                else f"about {format_number(judgement.expected)}"
            )
            found.append(
                Anomaly(
                    column=name,
                    type=Detector.HISTORY_DRIFT.value,
                    method=f"{COLUMN_METRICS[metric]}: {judgement.method}",
                    value=value,
                    threshold=history.threshold,
                    severity=Severity.WARNING,
                    description=(
                        f"{COLUMN_METRICS[metric]} is {format_number(value)}, outside its usual range "
                        f"{usual} over {judgement.points_used} earlier runs"
                    ),
                )
            )
    return found
