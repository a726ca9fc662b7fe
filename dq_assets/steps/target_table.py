"""A `sql` source without `table:` takes its table from the asset's `dagster/table_name`, at run time.

dagster-dbt and dagster-sling set that metadata on the assets they define (dbt writes
`database.schema.alias`). The run's job knows the whole asset graph of the code location, so the
step reads it there; what the user wrote in `source:` still chooses the connection.
"""

from __future__ import annotations

from typing import Any

import dagster as dg

from dq_assets.table_keys import target_asset_key
from dq_checks.config.loader import DefinedTable
from dq_checks.config.sources import QUALIFIED_NAME, SourceSpec
from dq_resources.source_contract import SourceError

TABLE_NAME_METADATA = "dagster/table_name"


def source_for_run(defined: DefinedTable, context: Any) -> SourceSpec:
    """The definition's source, with `table:` filled from the target asset's metadata when it is left out.

    Raises SourceError (naming the definition's `path:line`) when the asset carries no usable name.
    """
    source = defined.spec.source
    if not source.table_from_asset:
        return source
    key = target_asset_key(defined)
    name = asset_table_name(context, key)
    where = defined.where("source")
    if name is None:
        raise SourceError(
            f"{where}: source.table is not set and asset '{key.to_user_string()}' carries no "
            f"{TABLE_NAME_METADATA} metadata in this code location; set source.table"
        )
    table = schema_and_table(name)
    if not QUALIFIED_NAME.match(table):
        raise SourceError(
            f"{where}: asset '{key.to_user_string()}' names its table {name!r} in {TABLE_NAME_METADATA}, "
            "which is not a schema.table name; set source.table"
        )
    return source.model_copy(update={"table": table})


def asset_table_name(context: Any, key: dg.AssetKey) -> str | None:
    """`dagster/table_name` of `key` in the run's asset graph, or None (no such asset, or no metadata)."""
    layer = context.job_def.asset_layer
    if not layer.has(key):
        return None
    value = layer.get(key).metadata.get(TABLE_NAME_METADATA)
    raw = getattr(value, "value", value)
    return raw if isinstance(raw, str) and raw else None


def schema_and_table(name: str) -> str:
    """`database.schema.table` as `schema.table`: the source's connection already picks the database."""
    parts = [part.strip('"`[]') for part in name.split(".")]
    return ".".join(parts[-2:])
