"""A partitioned table's two sets of checks: those run per partition, and the rules run on the whole table.

Most rules judge the checked partition's rows. A few cannot: a key must be unique across every
partition, and a reference must hold for every row (`scope: table`). Those run on their own,
unpartitioned, as a definition of the same table holding only them.
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
    """Only the whole-table rules, on the unpartitioned table; None when the definition has none.

    Its profile is off (the partitions' checks profile the data), it has no freshness SLA of its
    own, and its schedule is the partition block's `whole_table_schedule`.
    """
    rules = tuple(rule for rule in defined.rules if rule.whole_table)
    partition = defined.spec.partition
    if not rules or partition is None:
        return None
    spec = defined.spec.model_copy(
        update={
            "partition": None,
            "profile": ProfileLevel.OFF,
            "freshness": None,
            "schedule": partition.whole_table_schedule,
        }
    )
    return replace(defined, spec=spec, rules=rules, analyzers=(), rules_only=True)
