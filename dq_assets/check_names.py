"""Names of the asset checks a monitored table carries."""

from dq_checks.config.loader import DefinedTable
from dq_checks.results.names import ANOMALIES_CHECK, PROFILE_CHECK, QUALITY_SCORE_CHECK

TABLE_CHECKS = (PROFILE_CHECK, ANOMALIES_CHECK)

CHECK_DESCRIPTIONS = {
    PROFILE_CHECK: (
        "The whole table was profiled exactly; fails (WARN) on an empty table, errors when unreadable."
    ),
    ANOMALIES_CHECK: "Outliers, null rates, cardinality, dominance and isolated extremes in this profile.",
    QUALITY_SCORE_CHECK: "Rules passed / rules evaluated; fails (WARN) below the table's min_quality_score.",
}


def check_names_for(defined: DefinedTable) -> list[str]:
    """Every check of the table, in the order the step reports them."""
    names = [*TABLE_CHECKS, *(rule.check_name for rule in defined.rules)]
    return [*names, QUALITY_SCORE_CHECK] if defined.rules else names


__all__ = ["ANOMALIES_CHECK", "CHECK_DESCRIPTIONS", "PROFILE_CHECK", "QUALITY_SCORE_CHECK", "TABLE_CHECKS"]
