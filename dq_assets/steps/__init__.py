"""The body of a table's step: inspect the table, then report to Dagster."""
