"""Names of the asset checks a monitored table carries."""

from dq_checks.config.loader import DefinedTable
from dq_checks.partitions.arrival import ARRIVAL_CHECK
from dq_checks.results.names import (
    ANOMALIES_CHECK,
    DRIFT_CHECK,
    FRESHNESS_CHECK,
    PROFILE_CHECK,
    QUALITY_SCORE_CHECK,
    SCHEMA_CHECK,
    VOLUME_CHECK,
)

TABLE_CHECKS = (PROFILE_CHECK, ANOMALIES_CHECK)

CHECK_DESCRIPTIONS = {
    PROFILE_CHECK: (
        "The whole table was profiled exactly; fails (WARN) on an empty table, errors when unreadable."
        " Its metadata names the checks that did not evaluate in this run, and why (dq/skipped)."
    ),
    ANOMALIES_CHECK: "Outliers, null rates, cardinality, dominance and isolated extremes in this profile.",
    QUALITY_SCORE_CHECK: "Rules passed / rules evaluated; fails (WARN) below the table's min_quality_score.",
    FRESHNESS_CHECK: "The data's own last update against its SLA: WARN past warn_after, ERROR past max_age.",
    VOLUME_CHECK: "The row count against the table's own history (robust median/MAD, or the 50%/200% rule).",
    SCHEMA_CHECK: "The column schema against the previous run's: added or re-typed WARN, removed ERROR.",
    DRIFT_CHECK: (
        "Each column's distribution against a baseline (the previous data version, or a pinned snapshot"
        " or file): KS, chi-square and PSI on a sample drawn in the engine; WARN on a large, real shift."
    ),
    ARRIVAL_CHECK: "The partition has rows by its end + arrives_within_hours; ERROR once it is late.",
}

ATTACHED_FRESHNESS_NOTE = (
    " dq sets no freshness policy on an asset it does not own: the asset's own policy, if any, measures"
    " when it was last materialized; this check measures the data's own time."
)
"""Appended to the `freshness` check's description on an attached asset, so the two are not confused."""


def check_names_for(defined: DefinedTable) -> list[str]:
    """Every check of the table, in the order the step reports them; only its rules for a whole-table view."""
    if defined.rules_only:
        return [rule.check_name for rule in defined.rules]
    names = [*TABLE_CHECKS, *(rule.check_name for rule in defined.rules)]
    if defined.rules:
        names.append(QUALITY_SCORE_CHECK)
    if defined.spec.freshness is not None:
        names.append(FRESHNESS_CHECK)
    if defined.spec.partition is not None and defined.spec.partition.arrives_within_hours is not None:
        names.append(ARRIVAL_CHECK)
    names += [VOLUME_CHECK, SCHEMA_CHECK]
    if defined.spec.drift.enabled:
        names.append(DRIFT_CHECK)
    return names


__all__ = [
    "ANOMALIES_CHECK",
    "ATTACHED_FRESHNESS_NOTE",
    "CHECK_DESCRIPTIONS",
    "PROFILE_CHECK",
    "QUALITY_SCORE_CHECK",
    "TABLE_CHECKS",
]
