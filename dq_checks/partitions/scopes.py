"""A partitioned or incremental table's two sets of checks: those run per slice, and those on the whole table.

Most rules judge the checked partition's rows (or, for `incremental: true`, the rows appended
since the last check). A few cannot: a key must be unique across every partition and every
append, and a reference must hold for every row (`scope: table`). Those run on their own, on the
whole table, as a definition of the same table holding only them.
"""

from __future__ import annotations

from dataclasses import replace

from dq_checks.config.loader import DefinedTable
from dq_checks.config.models import ProfileLevel


def per_partition(defined: DefinedTable) -> DefinedTable:
    """The definition without its whole-table rules: what each partition's checks judge."""
    if not any(rule.whole_table for rule in defined.rules):
        return defined
    return replace(defined, rules=tuple(rule for rule in defined.rules if not rule.whole_table))


def whole_table(defined: DefinedTable) -> DefinedTable | None:
    """Only the whole-table rules, on the whole table; None when the definition has none.

    Its profile is off (the partitions' or appends' checks profile the data), it has no freshness
    SLA of its own, and its schedule is the partition block's `whole_table_schedule` (an
    incremental table's own schedule: its appends and its whole-table rules are checked together).
    """
    rules = tuple(rule for rule in defined.rules if rule.whole_table)
    partition = defined.spec.partition
    if not rules or (partition is None and not defined.spec.incremental):
        return None
    schedule = defined.spec.schedule if partition is None else partition.whole_table_schedule
    spec = defined.spec.model_copy(
        update={
            "partition": None,
            "incremental": False,
            "profile": ProfileLevel.OFF,
            "freshness": None,
            "schedule": schedule,
        }
    )
    return replace(defined, spec=spec, rules=rules, analyzers=(), rules_only=True)
