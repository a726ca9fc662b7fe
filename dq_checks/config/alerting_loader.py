"""Load `alerts.yaml` and check every table's `alerts:` routing against its channels."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from dq_checks.config.alerting import AlertingConfig
from dq_checks.config.loader import (
    ConfigError,
    ConfigProblem,
    DefinedTable,
    plain,
    read_yaml_document,
    validation_problems,
)
from dq_checks.config.models import AlertRouting
from dq_checks.config.yaml_lines import line_of
from dq_checks.suggestions import did_you_mean

ALERTS_CONFIG_ENV = "DQ_ALERTS_CONFIG"
ALERTS_FILE_NAME = "alerts.yaml"


def alerting_config_path(config_dir: Path) -> Path:
    """`$DQ_ALERTS_CONFIG`, else `alerts.yaml` beside the tables folder (as `proposals/` is)."""
    configured = os.environ.get(ALERTS_CONFIG_ENV)
    return Path(configured).expanduser() if configured else config_dir.resolve().parent / ALERTS_FILE_NAME


@dataclass(frozen=True)
class LoadedAlerting:
    """The alerting settings and every problem found in them or in the tables' routing."""

    config: AlertingConfig
    path: Path
    problems: tuple[ConfigProblem, ...]
    routing_by_table: dict[str, AlertRouting]

    def routing_for(self, table: str) -> AlertRouting:
        """The table's own `alerts:` block, or the file's default."""
        return self.routing_by_table.get(table, self.config.default)

    def raise_for_problems(self) -> None:
        """Raise ConfigError listing every problem, if there is any."""
        if self.problems:
            raise ConfigError(self.problems)


def load_alerting(path: Path, tables: Sequence[DefinedTable]) -> LoadedAlerting:
    """Read `path` (a missing file means the defaults: the `log` channel, min_severity warn)."""
    config, document, problems = _read(path)
    known = set(config.channel_specs())
    for index, name in enumerate(config.default.channels):
        if name not in known:
            line = line_of(document, ("default", "channels", index))
            problems.append(ConfigProblem(path, line, _unknown_channel(name, known)))
    routing: dict[str, AlertRouting] = {}
    for table in tables:
        if table.spec.alerts is None:
            continue
        routing[table.spec.table] = table.spec.alerts
        for index, name in enumerate(table.spec.alerts.channels):
            if name not in known:
                line = table.line_of("alerts", "channels", index)
                problems.append(ConfigProblem(table.path, line, _unknown_channel(name, known)))
    return LoadedAlerting(config, path, tuple(problems), routing)


def _read(path: Path) -> tuple[AlertingConfig, object, list[ConfigProblem]]:
    if not path.is_file():
        return AlertingConfig(), None, []
    document, problems = read_yaml_document(path)
    if problems:
        return AlertingConfig(), None, problems
    if document is None:
        return AlertingConfig(), None, []
    if not isinstance(document, dict):
        return AlertingConfig(), None, [ConfigProblem(path, 1, "alerts.yaml must be a YAML mapping")]
    try:
        return AlertingConfig.model_validate(plain(document)), document, []
    except ValidationError as error:
        return AlertingConfig(), document, validation_problems(path, document, error, AlertingConfig)


def _unknown_channel(name: str, known: set[str]) -> str:
    return (
        f"alerts: unknown channel '{name}'; channels: {', '.join(sorted(known))}{did_you_mean(name, known)}"
    )
