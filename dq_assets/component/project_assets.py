"""The assets of the project around a dq component, with their partitions: what `asset:` attaches to.

The component builds the Definitions of every other part of the project's defs folder (Dagster
caches each part's Definitions, so the project's own load reuses them) and reads each asset's
partitions, so that an attached table takes its asset's partitions, or is refused when its own
disagree (`dq_assets.asset_partitions`).
"""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
from dagster.components import ComponentLoadContext
from dagster.components.core.decl import ComponentDecl

from dq_assets.asset_partitions import AssetPartitions, asset_partitions_of


def project_asset_partitions(context: ComponentLoadContext) -> AssetPartitions:
    """Every asset the rest of the project defines, with its partitions.

    A part that fails to build is left out here: the project's own load reports its error.
    """
    root = context.component_tree.find_root_decl()
    return asset_partitions_of(_other_parts(context, root))


def _other_parts(context: ComponentLoadContext, decl: ComponentDecl) -> Iterator[dg.Definitions]:
    """The Definitions of every part of the tree under `decl` that neither is nor holds this component."""
    if decl.loc == context.component_loc:
        return
    if not _holds(decl, context):
        try:
            yield context.build_defs(decl.loc)
        except Exception:  # reported by the project's own load of that part, where it belongs
            return
        return
    for child in decl.iterate_child_component_decls():
        yield from _other_parts(context, child)


def _holds(decl: ComponentDecl, context: ComponentLoadContext) -> bool:
    """Whether this component is `decl` or lies under it."""
    return decl.loc == context.component_loc or any(
        _holds(child, context) for child in decl.iterate_child_component_decls()
    )
