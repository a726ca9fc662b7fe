"""A monitored table's upstream tables: its `deps:`, and the monitored tables its rules read.

`ReferentialIntegrity "order_id" "orders.order_id"` reads `orders`: the table depends on it as
surely as on a `deps:` entry, and an engineer expects the edge in the lineage without writing it
twice. A derived edge that would close a cycle (two tables whose rules read each other) is left
out: Dagster's asset graph must stay acyclic, and neither table feeds the other. `deps:` is the
engineer's word and is kept as written (the loader rejects a cycle among those).
"""

from __future__ import annotations

from collections.abc import Mapping

from dq_checks.config.loader import DefinedTable
from dq_checks.rules.references import references_of


def upstream_tables(defined: DefinedTable, catalog: Mapping[str, DefinedTable]) -> list[str]:
    """`deps:` as written, then each monitored table the rules read that closes no cycle, sorted."""
    return [*defined.spec.deps, *derived_edges(defined, catalog)[0]]


def derived_edges(defined: DefinedTable, catalog: Mapping[str, DefinedTable]) -> tuple[list[str], list[str]]:
    """Tables the rules read that `deps:` does not list: (drawn upstream, left out for a cycle), sorted."""
    name = defined.spec.table
    read = sorted(_referenced(defined, catalog) - {name} - set(defined.spec.deps))
    cyclic = [reference for reference in read if _reaches(catalog, reference, name)]
    return [reference for reference in read if reference not in cyclic], cyclic


def _referenced(defined: DefinedTable, catalog: Mapping[str, DefinedTable]) -> set[str]:
    """The monitored tables (in `catalog`) the table's rules read."""
    return {table for table in references_of(defined) if table in catalog}


def _reaches(catalog: Mapping[str, DefinedTable], start: str, target: str) -> bool:
    """Whether `target` is upstream of `start` (or is it), following declared and derived edges.

    Only the tables the walk reaches have their rules read: building a fleet's assets stays linear
    in its tables, not quadratic.
    """
    seen, stack = set(), [start]
    while stack:
        table = stack.pop()
        if table == target:
            return True
        if table in seen or table not in catalog:
            continue
        seen.add(table)
        upstream = catalog[table]
        stack.extend({*upstream.spec.deps, *_referenced(upstream, catalog)})
    return False
