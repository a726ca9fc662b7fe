"""The Dagster instance's configuration as `$DAGSTER_HOME/dagster.yaml` states it, read without building it.

Building a `DagsterInstance` would connect to its storage, migrate it and create an ECS client:
the doctor must report each of those separately, and must never change a deployment. So the file
is read as data here, and each part (storage, compute logs, run launcher) is checked on its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DAGSTER_HOME_ENV = "DAGSTER_HOME"
CONFIG_FILE = "dagster.yaml"
LEGACY_STORAGE_KEYS = ("run_storage", "event_log_storage", "schedule_storage")


class InstanceConfigError(Exception):
    """`dagster.yaml` cannot be read as a YAML mapping."""


@dataclass(frozen=True)
class ConfigurableClass:
    """A `{module, class, config}` section such as `compute_logs` or `run_launcher`."""

    module: str
    class_name: str
    config: dict[str, Any] = field(default_factory=dict)

    def is_(self, module_prefix: str, class_name: str) -> bool:
        """Whether the section names `class_name` from a module under `module_prefix`."""
        return self.module.startswith(module_prefix) and self.class_name == class_name


@dataclass(frozen=True)
class InstanceConfig:
    """`dagster.yaml` of one `DAGSTER_HOME` (empty when the file does not exist: Dagster's defaults)."""

    home: Path
    document: dict[str, Any]
    exists: bool

    @property
    def path(self) -> Path:
        """Where the file is (or would be)."""
        return self.home / CONFIG_FILE

    def section(self, key: str) -> ConfigurableClass | None:
        """A `{module, class, config}` section, or None when the file leaves it to Dagster's default."""
        value = self.document.get(key)
        if not isinstance(value, dict) or "module" not in value or "class" not in value:
            return None
        config = value.get("config")
        return ConfigurableClass(
            str(value["module"]), str(value["class"]), config if isinstance(config, dict) else {}
        )

    @property
    def uses_ecs(self) -> bool:
        """Runs are launched as ECS tasks, on other machines than the daemon's."""
        launcher = self.section("run_launcher")
        return launcher is not None and launcher.is_("dagster_aws.ecs", "EcsRunLauncher")


def dagster_home() -> Path | None:
    """`$DAGSTER_HOME`, or None when unset (the CLI then uses an ephemeral instance)."""
    configured = os.environ.get(DAGSTER_HOME_ENV)
    return Path(configured).expanduser() if configured else None


def read_instance_config(home: Path) -> InstanceConfig:
    """The file in `home`; InstanceConfigError when it is not a YAML mapping."""
    import yaml

    path = home / CONFIG_FILE
    if not path.is_file():
        return InstanceConfig(home, {}, exists=False)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise InstanceConfigError(f"{path}: not valid YAML: {error}") from error
    if document is None:
        return InstanceConfig(home, {}, exists=True)
    if not isinstance(document, dict):
        raise InstanceConfigError(f"{path}: must be a YAML mapping, not a {type(document).__name__}")
    return InstanceConfig(home, document, exists=True)
