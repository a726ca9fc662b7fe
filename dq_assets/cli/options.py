"""Options every `dq` command that reads the definitions shares."""

from __future__ import annotations

from pathlib import Path

import click

CONFIG_OPTION = click.option(
    "--config",
    "config_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder of table definitions (default: $DQ_CONFIG_DIR, else the packaged demo); "
    "alerts.yaml and proposals/ are found beside it.",
)
