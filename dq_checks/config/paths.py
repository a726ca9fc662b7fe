"""Where check definitions live."""

from __future__ import annotations

import os
from pathlib import Path

CONFIG_DIR_ENV = "DQ_CONFIG_DIR"
PACKAGED_TABLES_DIR = Path(__file__).resolve().parent.parent / "tables"


PROPOSALS_DIR_ENV = "DQ_PROPOSALS_DIR"


def proposals_location(config_dir: Path) -> str:
    """`$DQ_PROPOSALS_DIR` (a folder or `s3://bucket/prefix`), else `proposals/` beside the tables folder."""
    configured = os.environ.get(PROPOSALS_DIR_ENV)
    return configured if configured else str(config_dir.resolve().parent / "proposals")


def default_config_dir() -> Path:
    """The folder of table definitions: `$DQ_CONFIG_DIR` when set, else the packaged demo folder."""
    configured = os.environ.get(CONFIG_DIR_ENV)
    return Path(configured).expanduser() if configured else PACKAGED_TABLES_DIR
