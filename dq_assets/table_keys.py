"""Which asset a table definition's checks sit on: the user's own (`asset:`) or dq's (`table:`)."""

from __future__ import annotations

import dagster as dg

from dq_checks.config.loader import DefinedTable


def asset_key(table: str) -> dg.AssetKey:
    """'shop/orders' gives AssetKey(['shop', 'orders'])."""
    return dg.AssetKey(table.split("/"))


def target_asset_key(defined: DefinedTable) -> dg.AssetKey:
    """The key the checks sit on: `asset:` when the project defines the asset, else the table's own."""
    return dg.AssetKey(list(defined.spec.asset_path))


def is_attached(defined: DefinedTable) -> bool:
    """The definition has `asset:`: its checks attach to an asset defined elsewhere in the project."""
    return defined.spec.attached
