"""Alert sensors: the Dagster instance's event log in, alerts with a lifecycle and notifications out."""
