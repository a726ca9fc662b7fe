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
from dagster.components.core.defs_module import PythonFileComponent

from dq_assets.asset_partitions import AssetPartitions, asset_partitions_of


def project_asset_partitions(context: ComponentLoadContext) -> AssetPartitions:
    """Every asset the rest of the project defines, with its partitions.

    A part that fails to build is left out here: the project's own load reports its error.
    """
    root = context.component_tree.find_root_decl()
    return asset_partitions_of(_other_parts(context, root))


def _other_parts(context: ComponentLoadContext, decl: ComponentDecl) -> Iterator[dg.Definitions]:
    """The Definitions of each part of the tree under `decl`, this component and other dq components aside.

    Folders and multi-document YAML files are walked into, so that the part holding this
    component is never built from inside its own build. Another dq component is skipped: its
    assets are dq's own (nothing attaches to them), and it reads this one's, which would loop. A
    Python file is built whole, since its module's own assets are not among its children.
    """
    from dq_assets.component.component import DataQualityComponent

    component_type = _component_type(decl)
    if decl.loc == context.component_loc or _is_kind(component_type, DataQualityComponent):
        return
    children = list(decl.iterate_child_component_decls())
    if children and not _is_kind(component_type, PythonFileComponent):
        for child in children:
            yield from _other_parts(context, child)
        return
    try:
        yield context.build_defs(decl.loc)
    except Exception:  # reported by the project's own load of that part, where it belongs
        return


def _component_type(decl: ComponentDecl) -> object:
    """The part's component class; None when it does not import (the project's own load says so).

    A function's declared return type may also be a string, under postponed annotations.
    """
    try:
        return decl.component_type
    except Exception:
        return None


def _is_kind(component_type: object, kind: type) -> bool:
    return isinstance(component_type, type) and issubclass(component_type, kind)
