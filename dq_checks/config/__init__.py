"""Check definitions: one YAML file per monitored table, parsed into pydantic models."""

from dq_checks.config.loader import ConfigError, ConfigProblem, LoadedConfig, load_table_specs
from dq_checks.config.models import AnomalySettings, AnomalyThresholds, IcebergSourceSpec, TableSpec
from dq_checks.config.paths import default_config_dir

__all__ = [
    "AnomalySettings",
    "AnomalyThresholds",
    "ConfigError",
    "ConfigProblem",
    "IcebergSourceSpec",
    "LoadedConfig",
    "TableSpec",
    "default_config_dir",
    "load_table_specs",
]
