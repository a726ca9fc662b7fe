"""Exact full-table profiles: what each column holds, computed in the engine."""

from dq_checks.profile.model import ColumnProfile, OutlierStats, TableProfile, ValueCount
from dq_checks.profile.profiler import profile_table

__all__ = ["ColumnProfile", "OutlierStats", "TableProfile", "ValueCount", "profile_table"]
