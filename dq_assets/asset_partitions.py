"""An attached table's partitions, taken from (or checked against) the asset it is attached to.

A table definition with `asset:` puts dq's checks on the user's asset, and a check of a
partitioned asset must be partitioned the same way (Dagster refuses anything else, and an
unpartitioned check on a partitioned asset would read the whole table in every partition's run).
So the component reads each attached asset's partitions from the project's definitions:

- `partition: {column: event_date}` without `by:` takes the asset's partitions;
- a `partition:` block with `by:` must say what the asset's partitions say;
- a partitioned asset with no `partition:` block, or a `partition:` block on an unpartitioned
  asset, is refused at load, naming the definition's line.

dq's partitions are daily, hourly and monthly windows (no offsets, no end) and listed values;
an asset partitioned otherwise is named in the refusal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import dagster as dg

from dq_assets.partitions import partitions_def_for, partitions_of_spec
from dq_assets.table_keys import is_attached, target_asset_key
from dq_checks.config.loader import ConfigProblem, DefinedTable
from dq_checks.config.partitions import START_FORMATS, PartitionGrain, PartitionSpec

AssetPartitions = Mapping[dg.AssetKey, dg.PartitionsDefinition | None]
"""The assets the project defines besides dq's, each with its partitions (None: unpartitioned)."""

_GRAINS_BY_CRON = {
    "0 * * * *": PartitionGrain.HOUR,
    "0 0 * * *": PartitionGrain.DAY,
    "0 0 1 * *": PartitionGrain.MONTH,
}


def with_asset_partitions(
    tables: Sequence[DefinedTable], assets: AssetPartitions | None
) -> tuple[list[DefinedTable], list[ConfigProblem]]:
    """Each attached table with its asset's partitions, and a problem for each that disagrees.

    `assets` is None where the project's assets cannot be seen (the standalone code location):
    there a `partition:` block must say `by:` itself. An asset the project does not define (an
    external asset, say) leaves a definition with `by:` as it is.
    """
    resolved: list[DefinedTable] = []
    problems: list[ConfigProblem] = []
    for table in tables:
        outcome = _with_asset_partitions(table, assets) if is_attached(table) else table
        if isinstance(outcome, ConfigProblem):
            problems.append(outcome)
        else:
            resolved.append(outcome)
    return resolved, problems


def _with_asset_partitions(
    table: DefinedTable, assets: AssetPartitions | None
) -> DefinedTable | ConfigProblem:
    """The table with its asset's partitions (or as written, when they agree), or why it cannot be."""
    spec = table.spec.partition
    key = target_asset_key(table)
    name = key.to_user_string()
    if assets is None or key not in assets:
        if spec is None or not spec.from_asset:
            return table
        where = "cannot be read here (the standalone code location)" if assets is None else "is not defined"
        return _problem(
            table,
            f"partition: has no by:, so it takes the partitions of asset {name!r}, which {where}; "
            "add by: and start: (or values:)",
        )
    partitions = assets[key]
    if partitions is None:
        if spec is None:
            return table
        return _problem(
            table, f"asset {name!r} is not partitioned, so its checks cannot be: remove partition:"
        )
    if spec is None:
        return _problem(
            table,
            f"asset {name!r} is partitioned ({_words(partitions)}), so each partition's checks must read "
            "its rows alone: add partition: {column: <the column holding the partition>}",
            "table",
        )
    if not spec.from_asset:
        written = partitions_def_for(table)
        if written == partitions:
            return table
        return _problem(
            table,
            f"partition: says {_words(written)}, but asset {name!r} is partitioned "
            f"{_words(partitions)}; leave out by: and start: to take the asset's partitions",
        )
    taken = spec_of(spec, partitions)
    if isinstance(taken, str):
        return _problem(table, f"asset {name!r} is partitioned {_words(partitions)}: {taken}")
    return replace(table, spec=table.spec.model_copy(update={"partition": taken}))


def spec_of(spec: PartitionSpec, partitions: dg.PartitionsDefinition) -> PartitionSpec | str:
    """`spec` (its column, SLA, schedule) with the asset's partitions; or why dq cannot check those."""
    fields: dict[str, object]
    if isinstance(partitions, dg.StaticPartitionsDefinition):
        fields = {"by": PartitionGrain.VALUE, "values": tuple(partitions.get_partition_keys())}
    elif (
        isinstance(partitions, dg.TimeWindowPartitionsDefinition)
        and partitions.cron_schedule in _GRAINS_BY_CRON
    ):
        grain = _GRAINS_BY_CRON[partitions.cron_schedule]
        start = partitions.start.strftime(START_FORMATS[grain])
        fields = {"by": grain, "start": start, "timezone": partitions.timezone}
    else:
        return "dq checks hourly, daily and monthly partitions and listed values"
    try:
        taken = PartitionSpec.model_validate(
            {**spec.model_dump(exclude={"by"}, exclude_unset=True), **fields}
        )
    except ValueError as error:  # e.g. arrives_within_hours on partitions by value
        return _first_message(error)
    if partitions_of_spec(taken) != partitions:  # an offset, an end, a format of its own
        return f"dq's {partitions_of_spec(taken)} is the nearest it can check, and it is not the same"
    return taken


def _first_message(error: ValueError) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):
        return "; ".join(str(e.get("msg", e)).removeprefix("Value error, ") for e in errors())
    return str(error)


def _words(partitions: dg.PartitionsDefinition | None) -> str:
    """Dagster's own description of the partitions (`Daily, starting 2026-11-01 UTC`), inside a sentence."""
    return str(partitions).rstrip(".")


def _problem(table: DefinedTable, message: str, location: str = "partition") -> ConfigProblem:
    return ConfigProblem(table.path, table.line_of(location), message)


def asset_partitions_of(definitions: Iterable[dg.Definitions]) -> AssetPartitions:
    """Every asset of `definitions`, with its partitions.

    Read from the assets as defined, not from a resolved asset graph: a part of a project may
    need resources that only the project's top-level Definitions provide.
    """
    found: dict[dg.AssetKey, dg.PartitionsDefinition | None] = {}
    for defs in definitions:
        for asset in defs.assets or ():
            if isinstance(asset, dg.AssetsDefinition):
                found.update(dict.fromkeys(asset.keys, asset.partitions_def))
            elif isinstance(asset, dg.AssetSpec | dg.SourceAsset):
                found[asset.key] = asset.partitions_def
    return found
