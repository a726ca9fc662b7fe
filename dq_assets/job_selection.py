"""The selection of dq's jobs, which also proves that every attached table's asset exists.

A table definition with `asset: orders` puts checks on the project's own `orders`. When no
definition in the project has that key, Dagster accepts the checks anyway: it silently creates a
stub asset for them (`AssetsDefinition.is_auto_created_stub`). So dq has to ask, and the question
needs the whole project: the asset may come from another component, from dagster-dbt, or from the
user's own `definitions.py`. A component's `build_defs` sees only itself.

A job's selection is resolved against the merged project's asset graph whenever the code location
loads (`dg check defs`, `dg dev`, a code server), so dq's jobs select through this small
AssetSelection, which raises `path:line: no asset 'x' in this project` there. The job is useful on
its own: it runs dq's checks without rematerializing the project's assets.
"""

from collections.abc import Sequence
from typing import AbstractSet  # noqa: UP035 (Dagster's own signatures)

import dagster as dg
from dagster import AssetCheckKey, AssetKey
from dagster._core.definitions.asset_selection import (
    AssetCheckKeysSelection,
    AssetSelection,
    KeysAssetSelection,
)
from dagster._core.definitions.assets.graph.base_asset_graph import BaseAssetGraph
from dagster._core.definitions.resolved_asset_deps import resolve_similar_asset_names
from dagster._record import record


@record
class AttachedTarget:
    """The asset an attached table's checks sit on, and where its definition names it (`path:line`)."""

    key: AssetKey
    where: str


@record
class QualityJobSelection(AssetSelection):
    """dq's own assets (monitored tables, proposals) and the checks dq attaches to the project's assets.

    (No `from __future__ import annotations` here: a record resolves its field types at run time.)
    """

    asset_keys: Sequence[AssetKey]
    check_keys: Sequence[AssetCheckKey]
    targets: Sequence[AttachedTarget]

    def resolve_inner(self, asset_graph: BaseAssetGraph, allow_missing: bool) -> AbstractSet[AssetKey]:
        """The selected assets of dq's, once every attached table's asset is found in the project."""
        missing = [t for t in self.targets if not defines_asset(asset_graph, t.key)]
        if missing:
            known = asset_graph.get_all_asset_keys()
            raise dg.DagsterInvalidDefinitionError("\n".join(_no_asset(target, known) for target in missing))
        return KeysAssetSelection(selected_keys=self.asset_keys).resolve_inner(asset_graph, allow_missing)

    def resolve_checks_inner(  # ty: ignore[invalid-method-override]
        self, asset_graph: BaseAssetGraph, allow_missing: bool
    ) -> AbstractSet[AssetCheckKey]:
        """The checks of dq's own assets, and the checks dq attaches to the project's assets."""
        own_assets = self.resolve_inner(asset_graph, allow_missing)
        own_checks = {key for key in asset_graph.asset_check_keys if key.asset_key in own_assets}
        return own_checks | (set(self.check_keys) & set(asset_graph.asset_check_keys))

    def to_serializable_asset_selection(self, asset_graph: BaseAssetGraph) -> AssetSelection:
        """The same keys in Dagster's own serializable selections, for the UI and the daemon."""
        return KeysAssetSelection(selected_keys=list(self.asset_keys)) | AssetCheckKeysSelection(
            selected_asset_check_keys=list(self.check_keys)
        )


def defines_asset(asset_graph: BaseAssetGraph, key: AssetKey) -> bool:
    """Some definition in the project has `key`: not merely the stub Dagster makes for a check on it."""
    if not asset_graph.has(key):
        return False
    assets_def = getattr(asset_graph.get(key), "assets_def", None)  # absent from a remote graph
    return not (assets_def is not None and assets_def.is_auto_created_stub)


def _no_asset(target: AttachedTarget, known: AbstractSet[AssetKey]) -> str:
    message = f"{target.where}: no asset '{target.key.to_user_string()}' in this project"
    similar = [k for k in resolve_similar_asset_names(target.key, known) if k != target.key][:3]
    if similar:
        message += "; did you mean " + " or ".join(f"'{k.to_user_string()}'" for k in similar) + "?"
    return message
