"""The Dagster side of a table's step: what `dq_runs` learned, as check results and metadata."""
