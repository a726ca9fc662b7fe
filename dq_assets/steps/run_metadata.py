"""What a run's `profile` check carries beside its outcome, whichever kind of table it checks.

- For the history of later runs: when it ran, the data version, the row count, the per-column
  metrics, the column schema, every rule's observed value (skipped rules included) and every
  metric a rule or an analyzer measured, by its key (`dq/metrics`).
- `dq/analyzers`: what the table's analyzers measured (statistics, never a pass or a fail).
- `dq/skipped`: the checks that did not evaluate, with why. They yield no result of their own,
  so Dagster shows them as skipped; this is where their reason stays visible.
- When no materialization of this step carries them (an attached table, or only checks
  selected): the profile itself, the data's last update and whether the results store took the run.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING

import dagster as dg

from dq_assets.instance_rule_history import METRICS_KEY, OBSERVED_BY_CHECK_KEY
from dq_assets.instance_table_history import (
    CHECKED_AT_KEY,
    COLUMN_METRIC_SUFFIXES,
    COLUMN_METRICS_KEY,
    COLUMN_SCHEMA_KEY,
    DATA_VERSION_KEY,
    ROW_COUNT_KEY,
)
from dq_assets.steps.metadata import PROFILE_JSON_KEY, column_schema, metadata_value, per_column_numbers
from dq_checks.render.markdown import profile_markdown
from dq_checks.results import Markdown, Outcome

if TYPE_CHECKING:  # the inspection module loads the profiler, and it loads sqlglot
    from dq_checks.results.inspection import TableInspection

SKIPPED_KEY = "dq/skipped"
PROFILE_KEY = "dq/profile"
LAST_UPDATED_CHECK_KEY = "dq/last_updated"
RESULTS_METADATA_KEY = "dq/results_store"
ANALYZERS_KEY = "dq/analyzers"
"""The table's analyzers: each one's metric and value, or why it has none. Statistics, never judged."""


def skipped_checks(inspection: TableInspection) -> dict[str, str]:
    """Check name -> why it did not evaluate, for every check whose outcome is *skip*."""
    return {c.name: c.description for c in inspection.checks if c.outcome is Outcome.SKIP}


def history_metadata(inspection: TableInspection, now: datetime) -> dict[str, dg.MetadataValue]:
    """What later runs learn from, and the reasons of the checks that skipped."""
    description, profile = inspection.description, inspection.profile
    metrics = {
        key: value
        for key, value in per_column_numbers(profile).items()
        if key.endswith(COLUMN_METRIC_SUFFIXES) and math.isfinite(value)
    }
    observed = {
        check.name: check.metadata["observed"]
        for check in inspection.checks
        if _finite(check.metadata.get("observed"))
    }
    metadata = {
        CHECKED_AT_KEY: dg.MetadataValue.timestamp(now),
        ROW_COUNT_KEY: dg.MetadataValue.int(profile.row_count),
        COLUMN_METRICS_KEY: dg.MetadataValue.json(metrics),
        COLUMN_SCHEMA_KEY: dg.MetadataValue.table_schema(column_schema(description)),
        OBSERVED_BY_CHECK_KEY: dg.MetadataValue.json(observed),
        SKIPPED_KEY: dg.MetadataValue.json(skipped_checks(inspection)),
        METRICS_KEY: dg.MetadataValue.json(inspection.metrics),
    }
    if inspection.analyzers:
        metadata[ANALYZERS_KEY] = dg.MetadataValue.json([a.to_dict() for a in inspection.analyzers])
    if description.data_version is not None:
        metadata[DATA_VERSION_KEY] = dg.MetadataValue.text(description.data_version)
    return metadata


def step_metadata(inspection: TableInspection, results_store: str) -> dict[str, dg.MetadataValue]:
    """The profile and the run's facts, for a step whose asset is not materialized by it."""
    metadata = {
        PROFILE_KEY: metadata_value(Markdown(profile_markdown(inspection.profile))),
        PROFILE_JSON_KEY: dg.MetadataValue.json(inspection.profile.to_dict()),
        RESULTS_METADATA_KEY: dg.MetadataValue.text(results_store),
    }
    if inspection.description.last_updated is not None:
        metadata[LAST_UPDATED_CHECK_KEY] = dg.MetadataValue.timestamp(inspection.description.last_updated)
    return metadata


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
