"""Where the alert store is when alerts.yaml names none; kept apart so the CLI reads it without Dagster."""

from __future__ import annotations

DEFAULT_STORE_URL = "sqlite:///.dq/alerts.db"
"""A sqlite file beside the embedded warehouse; production points the store at Postgres."""
