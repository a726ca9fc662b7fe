"""Rule proposals wired to Dagster: the job and the assets (the pipeline itself is `dq_runs.proposals`)."""
