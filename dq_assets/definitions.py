"""The standalone code location: assets per table, a job and a schedule per cron and source; the sensors.

This is dq run as its own Dagster deployment (the Docker image, `dagster dev -m dq_assets.definitions`):
every extra on and dq's executor for the whole location. Inside a user's own project, dq is the
component `dq.DataQualityComponent` instead (`dq_assets/component/`); both are built by
`dq_assets.build`.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from dq_assets.build import STANDALONE, build_quality_definitions
from dq_checks.config.paths import default_config_dir


def build_definitions(config_dir: Path | None = None) -> dg.Definitions:
    """Load every definition in `config_dir` ($DQ_CONFIG_DIR, or the packaged demo) and alerts.yaml.

    The alerting settings are read beside the folder.

    An invalid file stops the load with every problem listed as `path:line: message`:
    a table is never silently dropped.
    """
    return build_quality_definitions(config_dir or default_config_dir(), STANDALONE)


defs = build_definitions()
