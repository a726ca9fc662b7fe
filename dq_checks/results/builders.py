"""Turn a profile and its anomalies into check outcomes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from dq_checks.anomalies.model import Anomaly, Severity, worst_severity
from dq_checks.profile.levels import level_note
from dq_checks.profile.model import APPROXIMATE_LEVEL, OFF_LEVEL, TableProfile
from dq_checks.render.markdown import anomalies_markdown
from dq_checks.results.model import CheckResult, CheckSeverity, Markdown, Outcome
from dq_checks.results.names import (
    ANOMALIES_CHECK,
    APPROXIMATE_METRICS_KEY,
    PROFILE_CHECK,
    PROFILE_LEVEL_KEY,
)


def error_result(name: str, message: str) -> CheckResult:
    """The check could not be evaluated. Reported, and alerted on, as an error, never as a pass."""
    return CheckResult(
        name=name,
        outcome=Outcome.ERROR,
        severity=CheckSeverity.ERROR,
        description=f"error: {message}",
        metadata={"error": message},
    )


def _errors(name: str, problems: Sequence[str]) -> CheckResult:
    result = error_result(name, "; ".join(problems))
    return CheckResult(
        name=result.name,
        outcome=result.outcome,
        severity=result.severity,
        description=result.description,
        metadata={**result.metadata, "problems": list(problems)},
    )


def profile_result(
    profile: TableProfile, *, duration_seconds: float, problems: Sequence[str] = ()
) -> CheckResult:
    """Pass when the table was profiled; WARN on an empty table; error on a definition problem.

    The metadata names the profile's level and, at `approximate`, which numbers are estimates.
    """
    if problems:
        return _errors(PROFILE_CHECK, problems)
    metadata: dict[str, object] = {
        "row_count": profile.row_count,
        "column_count": profile.column_count,
        "duration_seconds": round(duration_seconds, 4),
        "queries": profile.queries,
        **level_metadata(profile),
    }
    note = level_note(profile)
    if profile.row_count == 0:
        return CheckResult(
            PROFILE_CHECK, Outcome.FAIL, "table is empty: 0 rows", CheckSeverity.WARN, metadata
        )
    verb = "counted" if profile.level == OFF_LEVEL else "profiled"
    return CheckResult(
        PROFILE_CHECK,
        Outcome.PASS,
        f"{verb} {profile.row_count:,} rows x {profile.column_count} columns "
        f"in {duration_seconds:.2f} s ({profile.queries} queries)" + (f"; {note}" if note else ""),
        None,
        metadata,
    )


def level_metadata(profile: TableProfile) -> dict[str, object]:
    """The profile's level, and the statistics it approximated per column (when there are any)."""
    metadata: dict[str, object] = {PROFILE_LEVEL_KEY: profile.level}
    if approximated := profile.approximate_metrics:
        metadata[APPROXIMATE_METRICS_KEY] = approximated
    return metadata


_CHECK_SEVERITY = {Severity.CRITICAL: CheckSeverity.ERROR, Severity.WARNING: CheckSeverity.WARN}


def anomalies_result(
    anomalies: Sequence[Anomaly], *, problems: Sequence[str] = (), profile: TableProfile | None = None
) -> CheckResult:
    """Fail with the worst severity found (critical: ERROR, warning: WARN); info alone passes.

    With the `profile` the anomalies were found in, the check names the level it saw: at
    `off` the single-profile detectors had no column statistics to look at, and say so; at
    `approximate` some of the numbers they judged were estimates.
    """
    if problems:
        return _errors(ANOMALIES_CHECK, problems)
    counts = Counter(a.severity for a in anomalies)
    metadata: dict[str, object] = {
        "anomaly_count": len(anomalies),
        "critical": counts[Severity.CRITICAL],
        "warning": counts[Severity.WARNING],
        "info": counts[Severity.INFO],
        "anomalies": [a.to_dict() for a in anomalies],
    }
    if profile is not None:
        metadata.update(level_metadata(profile))
    level = _seen_level(profile)
    if anomalies:
        metadata["anomalies_table"] = Markdown(anomalies_markdown(anomalies))
    worst = worst_severity(anomalies)
    severity = _CHECK_SEVERITY.get(worst) if worst is not None else None
    if severity is None:
        note = f" ({len(anomalies)} informational)" if anomalies else ""
        return CheckResult(ANOMALIES_CHECK, Outcome.PASS, f"no anomalies{note}{level}", None, metadata)
    # Every anomaly counted is listed, worst first; informational ones are marked, so the count
    # and the list always agree (an info anomaly counted but not named reads as a miscount).
    ranked = sorted(anomalies, key=lambda a: -a.severity.rank)
    summary = "; ".join(
        f"{a.column}: {a.type}" + (" (info)" if a.severity is Severity.INFO else "") for a in ranked
    )
    noun = "anomaly" if len(anomalies) == 1 else "anomalies"
    info = f", {counts[Severity.INFO]} info" if counts[Severity.INFO] else ""
    return CheckResult(
        ANOMALIES_CHECK,
        Outcome.FAIL,
        f"{len(anomalies)} {noun} ({counts[Severity.CRITICAL]} critical, "
        f"{counts[Severity.WARNING]} warning{info}): {summary}{level}",
        severity,
        metadata,
    )


def _seen_level(profile: TableProfile | None) -> str:
    """The clause naming the profile level the detectors saw; empty for an exact profile."""
    if profile is None or not (note := level_note(profile)):
        return ""
    if profile.level == OFF_LEVEL and not profile.columns:
        return (
            "; profile: off: the single-profile detectors had no column statistics to look at "
            "(the volume check still judges the row count)"
        )
    estimated = profile.level == APPROXIMATE_LEVEL and profile.approximate_metrics
    return f"; seen on an {note}" if estimated else f"; {note}"
