"""Dagster resources around every piece of I/O: table sources and their engines."""
