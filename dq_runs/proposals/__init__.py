"""Rule proposals without Dagster: one proposal run for a table, the static check, the decisions."""
