"""Where pending rule proposals are kept: a local folder, or an S3 prefix through dagster-aws."""
