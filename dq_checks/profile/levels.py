"""What a profile's level means for its numbers, in words for check descriptions and reports.

The error bounds are the documented ones for the local DuckDB engine, measured on the demo
shop's tables and on planted tables (tests/dq_checks/test_profile_levels.py asserts them):
HyperLogLog distinct counts were at most 3.0% off, sketch quartiles at most 0.43% of rank.
Warehouses use their own sketches, with the error their documentation gives.
"""

from __future__ import annotations

from dq_checks.profile.model import EXACT_LEVEL, OFF_LEVEL, TableProfile

DISTINCT_RELATIVE_ERROR = 0.05
"""An approximate distinct count lies within ±5% of the exact count (DuckDB's HyperLogLog)."""
QUANTILE_RANK_ERROR = 0.01
"""An approximate quartile lies within 1% of rank of the exact one (DuckDB's t-digest):
the approximate median is a value between the exact 49th and 51st percentiles."""

APPROXIMATE_MARK = "≈"
"""Shown before a number the engine only approximated."""


DOCUMENTED_ERROR_ENGINES = frozenset({"duckdb"})
"""Engines whose sketches the bounds above were measured on; elsewhere the engine's documentation applies."""


def level_note(profile: TableProfile) -> str:
    """A clause saying what the level left out or approximated; empty when every number is exact."""
    approximated = profile.approximate_metrics
    if profile.level == OFF_LEVEL:
        if profile.columns:
            read = ", ".join(profile.columns)
            return f"profile: off: row count and schema, and count, min and max of {read} for other checks"
        return "profile: off: row count and schema only, no column statistics"
    if profile.level == EXACT_LEVEL and approximated:
        return (
            f"{_estimates(profile)}: this engine has no exact quantiles, so even the exact profile "
            "has its approximate quartiles"
        )
    if profile.level == EXACT_LEVEL:
        return ""
    if not approximated:
        return (
            "approximate profile requested, but this engine has no approximate aggregates: "
            "every number is exact"
        )
    return f"approximate profile: {_estimates(profile)}"


def _estimates(profile: TableProfile) -> str:
    """Which kinds of numbers are estimates, with their bound, and on how many columns."""
    approximated = profile.approximate_metrics
    kinds = {metric for metrics in approximated.values() for metric in metrics}
    measured = profile.engine in DOCUMENTED_ERROR_ENGINES
    parts = []
    if "distinct_count" in kinds:
        parts.append(f"distinct counts ±{DISTINCT_RELATIVE_ERROR:.0%}" if measured else "distinct counts")
    if kinds & {"q1", "median", "q3"}:
        parts.append(f"quartiles within {QUANTILE_RANK_ERROR:.0%} of rank" if measured else "quartiles")
    bound = "" if measured else f", within {profile.engine or 'the engine'}'s documented error"
    columns = len(approximated)
    noun = "column" if columns == 1 else "columns"
    return f"{' and '.join(parts)} ({APPROXIMATE_MARK}) on {columns} {noun}{bound}"
