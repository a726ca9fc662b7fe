"""What several checks read: the definitions, alerts.yaml and dagster.yaml, each loaded once on demand.

A property that fails to load raises in every check that asks for it, so each of those checks is
reported as an error on its own, and the checks that do not need it still run.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from dq_assets.doctor.instance_config import InstanceConfig, dagster_home, read_instance_config

if TYPE_CHECKING:
    from dq_checks.config.alerting_loader import LoadedAlerting
    from dq_checks.config.loader import LoadedConfig


@dataclass
class DoctorContext:
    """One doctor run: the definitions folder it was given, and what has been read from it so far."""

    config_dir: Path

    @cached_property
    def loaded(self) -> LoadedConfig:
        """The table definitions (invalid files are problems inside, never an exception)."""
        from dq_checks.config.loader import load_table_specs

        return load_table_specs(self.config_dir)

    @cached_property
    def alerting(self) -> LoadedAlerting:
        """`alerts.yaml` beside the definitions (or `$DQ_ALERTS_CONFIG`), checked against them."""
        from dq_assets.alerting.settings import load_alerting_for

        return load_alerting_for(self.config_dir, self.loaded)

    @cached_property
    def home(self) -> Path | None:
        """`$DAGSTER_HOME`, or None when unset."""
        return dagster_home()

    @cached_property
    def instance(self) -> InstanceConfig | None:
        """`$DAGSTER_HOME/dagster.yaml`, or None when DAGSTER_HOME is unset."""
        return read_instance_config(self.home) if self.home is not None else None
