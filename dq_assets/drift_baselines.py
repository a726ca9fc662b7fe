"""The `drift` check's baseline in a Dagster step: the sketches earlier runs kept, or a pinned table.

`previous` reads the sketches the table's earlier `profile` check evaluations kept (`dq/drift_sketch`),
newest first. A pinned Iceberg snapshot (`snapshot_id`, `as_of`) opens the table's own source and
travels back in time; a pinned file opens through the file source, its path read from the
definition's folder when relative.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg

from dq_assets.instance_table_history import DATA_VERSION_KEY, profile_evaluations
from dq_assets.source_resources import RESOURCE_KEYS
from dq_checks.config.drift import PinnedBaseline
from dq_checks.config.loader import DefinedTable
from dq_checks.config.sources import FileSourceSpec
from dq_checks.results.drift_check import DRIFT_SKETCH_KEY
from dq_resources.source_contract import OpenedTable, SourceError
from dq_runs.drift_step import DriftBaseline, KeptSketch

KEPT_SKETCHES_READ = 20
"""Evaluations searched for a sketch of another data version (re-checks of one version come in between)."""


def drift_baseline(
    defined: DefinedTable,
    instance: dg.DagsterInstance,
    asset_key: dg.AssetKey,
    *,
    partition: str | None,
    open_own: Callable[[], OpenedTable],
    resources: Any,
) -> DriftBaseline | None:
    """What this table's `drift` check compares with; None when the check is off."""
    settings = defined.spec.drift
    if not settings.enabled:
        return None
    pinned = settings.baseline
    if isinstance(pinned, str):
        return DriftBaseline(kept=kept_sketches(instance, asset_key), partition=partition)
    return DriftBaseline(
        open_table=_pinned_opener(defined, pinned, open_own, resources), label=pinned.describe()
    )


def kept_sketches(instance: dg.DagsterInstance, asset_key: dg.AssetKey) -> list[KeptSketch]:
    """The sketches earlier runs kept on their `profile` check, newest first."""
    kept = []
    for evaluation in profile_evaluations(instance, asset_key, KEPT_SKETCHES_READ):
        sketch = evaluation.metadata.get(DRIFT_SKETCH_KEY)
        if sketch is None or not isinstance(sketch.value, dict):
            continue
        version = evaluation.metadata.get(DATA_VERSION_KEY)
        text = str(version.value) if version is not None and version.value is not None else None
        kept.append(KeptSketch(text, evaluation.partition, sketch.value))
    return kept


def _pinned_opener(
    defined: DefinedTable, pinned: PinnedBaseline, open_own: Callable[[], OpenedTable], resources: Any
) -> Callable[[], OpenedTable]:
    """How to open the pinned baseline when the step needs it (errors are the `drift` check's own)."""
    if pinned.file is not None:
        path = _resolved(pinned.file, defined.path)

        def opened_file() -> OpenedTable:
            try:
                spec = FileSourceSpec.model_validate({"type": "file", "path": path})
            except ValueError as error:  # pydantic's ValidationError: an unknown format
                raise SourceError(f"{defined.where('drift', 'baseline')}: {error}") from error
            files = getattr(resources, RESOURCE_KEYS["file"], None)
            if files is None:
                raise SourceError(f"the file source ({RESOURCE_KEYS['file']}) is not a resource of this step")
            return files.open(spec)

        return opened_file

    def travelled() -> OpenedTable:
        table = open_own()
        if pinned.snapshot_id is not None:
            pin = getattr(table, "at_snapshot", None)
            argument: Any = pinned.snapshot_id
        else:
            pin = getattr(table, "as_of", None)
            argument = pinned.as_of
        if pin is None:
            name = getattr(table, "name", defined.spec.table)
            raise SourceError(f"{name}: only an Iceberg table can be read as of an earlier snapshot")
        return pin(argument)

    return travelled


def _resolved(path: str, definition: Path) -> str:
    """A relative local path from the definition's folder; URLs and absolute paths as given."""
    if "://" in path or Path(path).is_absolute():
        return path
    return str((definition.parent / path).resolve())
