"""The names of the checks every monitored table carries; a module light enough for any import path."""

PROFILE_CHECK = "profile"
ANOMALIES_CHECK = "anomalies"
QUALITY_SCORE_CHECK = "quality_score"
FRESHNESS_CHECK = "freshness"
VOLUME_CHECK = "volume"
SCHEMA_CHECK = "schema"
DRIFT_CHECK = "drift"

PROFILE_LEVEL_KEY = "dq/profile_level"
"""Metadata of the profile and anomalies checks: the table's profile level (exact, approximate, off)."""
APPROXIMATE_METRICS_KEY = "dq/approximate_metrics"
"""Column -> the statistics its profile only approximated (absent when every number is exact)."""
