"""Dagster wiring: table definitions become assets, checks, jobs and schedules; plus the `dq` CLI."""
