"""The demo as a user's own Dagster project: dq arrives through `defs/quality/defs.yaml`, nothing else."""
