"""The asset checks one table definition declares, on whichever asset they sit on."""

from __future__ import annotations

import warnings

import dagster as dg

from dq_assets.check_names import ATTACHED_FRESHNESS_NOTE, CHECK_DESCRIPTIONS, check_names_for
from dq_assets.partitions import partitions_def_for
from dq_assets.table_keys import target_asset_key
from dq_checks.config.loader import DefinedTable
from dq_checks.results.names import FRESHNESS_CHECK

LABELS_KEY = "dq/labels"
LABEL_PREFIX = "dq/label/"


def check_specs(defined: DefinedTable) -> list[dg.AssetCheckSpec]:
    """Every check the table's step reports: built-in ones, one per rule, and the history checks.

    A blocking rule is a blocking check: when it fails, Dagster skips what is downstream of the asset.
    A rule's labels (its ruleset's DefaultLabels merged under its own) are the check's metadata,
    `dq/labels` and one `dq/label/<key>` per label, so the checks can be found by them.
    """
    with warnings.catch_warnings():
        # Partitioned checks are a preview API in Dagster 1.13, chosen knowingly (docs/partitions.md):
        # its warning, once per check at every load, would tell the user nothing they can act on.
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return _check_specs(defined)


def _check_specs(defined: DefinedTable) -> list[dg.AssetCheckSpec]:
    key = target_asset_key(defined)
    rules = {rule.check_name: rule for rule in defined.rules}
    partitions = partitions_def_for(defined)  # a partitioned table's checks are recorded per partition
    specs = []
    for name in check_names_for(defined):
        rule = rules.get(name)
        if rule is not None:
            specs.append(
                dg.AssetCheckSpec(
                    name=name,
                    asset=key,
                    description=rule.text,
                    blocking=rule.blocking,
                    metadata=label_metadata(rule.labels),
                    partitions_def=partitions,
                )
            )
            continue
        description = CHECK_DESCRIPTIONS[name]
        if name == FRESHNESS_CHECK and defined.spec.attached:
            description += ATTACHED_FRESHNESS_NOTE
        specs.append(
            dg.AssetCheckSpec(name=name, asset=key, description=description, partitions_def=partitions)
        )
    return specs


def label_metadata(labels: tuple[tuple[str, str], ...]) -> dict[str, dg.MetadataValue]:
    """A rule's labels as check metadata: all of them as JSON, and each on its own."""
    if not labels:
        return {}
    metadata: dict[str, dg.MetadataValue] = {LABELS_KEY: dg.MetadataValue.json(dict(labels))}
    metadata.update({f"{LABEL_PREFIX}{k}": dg.MetadataValue.text(v) for k, v in labels})
    return metadata


def check_keys_of(defined: DefinedTable) -> list[dg.AssetCheckKey]:
    """The keys of every check of the table, in the order the step reports them."""
    key = target_asset_key(defined)
    return [dg.AssetCheckKey(key, name) for name in check_names_for(defined)]
