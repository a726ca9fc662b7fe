"""The names of the checks every monitored table carries; a module light enough for any import path."""

PROFILE_CHECK = "profile"
ANOMALIES_CHECK = "anomalies"
QUALITY_SCORE_CHECK = "quality_score"
FRESHNESS_CHECK = "freshness"
VOLUME_CHECK = "volume"
SCHEMA_CHECK = "schema"
