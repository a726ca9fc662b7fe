"""Names of the asset checks every monitored table carries."""

from dq_checks.results.names import ANOMALIES_CHECK, PROFILE_CHECK

TABLE_CHECKS = (PROFILE_CHECK, ANOMALIES_CHECK)

CHECK_DESCRIPTIONS = {
    PROFILE_CHECK: (
        "The whole table was profiled exactly; fails (WARN) on an empty table, errors when unreadable."
    ),
    ANOMALIES_CHECK: "Outliers, null rates, cardinality, dominance and isolated extremes in this profile.",
}

__all__ = ["ANOMALIES_CHECK", "CHECK_DESCRIPTIONS", "PROFILE_CHECK", "TABLE_CHECKS"]
