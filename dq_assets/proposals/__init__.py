"""Rule proposals wired to sources and Dagster: the proposal pipeline, the job, the assets."""
