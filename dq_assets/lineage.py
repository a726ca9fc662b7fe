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
    declared = list(defined.spec.deps)
    name = defined.spec.table
    graph = {table: _edges(other, catalog) for table, other in catalog.items()}
    derived = sorted(
        reference
        for reference in _referenced(defined, catalog)
        if reference != name and reference not in declared and not _reaches(graph, reference, name)
    )
    return declared + derived


def _referenced(defined: DefinedTable, catalog: Mapping[str, DefinedTable]) -> set[str]:
    """The monitored tables (in `catalog`) the table's rules read."""
    return {table for table in references_of(defined) if table in catalog}


def _edges(defined: DefinedTable, catalog: Mapping[str, DefinedTable]) -> set[str]:
    return set(defined.spec.deps) | _referenced(defined, catalog)


def _reaches(graph: Mapping[str, set[str]], start: str, target: str) -> bool:
    """Whether `target` is upstream of `start` (or is it), following declared and derived edges."""
    seen, stack = set(), [start]
    while stack:
        table = stack.pop()
        if table == target:
            return True
        if table not in seen:
            seen.add(table)
            stack.extend(graph.get(table, ()))
    return False
