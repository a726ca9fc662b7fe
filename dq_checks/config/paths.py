"""Where check definitions live."""

from __future__ import annotations

import os
from pathlib import Path

CONFIG_DIR_ENV = "DQ_CONFIG_DIR"
PACKAGED_TABLES_DIR = Path(__file__).resolve().parent.parent / "tables"


PROPOSALS_DIR_ENV = "DQ_PROPOSALS_DIR"


PROJECT_MARKERS = ("pyproject.toml", ".git")
STATE_FOLDER = ".dq"


def project_root(folder: Path) -> Path | None:
    """The first of `folder` and the folders above it that holds `pyproject.toml` or `.git`."""
    resolved = folder.resolve()
    for candidate in (resolved, *resolved.parents):
        if any((candidate / marker).exists() for marker in PROJECT_MARKERS):
            return candidate
    return None


def proposals_location(config_dir: Path) -> str:
    """`$DQ_PROPOSALS_DIR` (a folder or `s3://bucket/prefix`), else `.dq/proposals` at the project's root.

    Proposals are state, like results and reports: written into the checkout's source tree, a
    run in the UI dirtied it, and on a production task they went to a disk that vanishes. The
    default sits in the project's git-ignored `.dq/`, under the tables folder's place in the
    project (`.dq/proposals/dq_checks` for `dq_checks/tables`), so two components keep two stores;
    outside a project, in `.dq/proposals` beside the tables folder. Production points
    `DQ_PROPOSALS_DIR` at S3. `dq rules approve` still writes the
    table's YAML in the engineer's checkout.
    """
    configured = os.environ.get(PROPOSALS_DIR_ENV)
    if configured:
        return configured
    owner = config_dir.resolve().parent  # the folder the tables folder belongs to: one store each
    root = project_root(config_dir)
    if root is None:
        return str(owner / STATE_FOLDER / "proposals")
    return str(root / STATE_FOLDER / "proposals" / owner.relative_to(root))


def default_config_dir() -> Path:
    """The folder of table definitions: `$DQ_CONFIG_DIR` when set, else the packaged demo folder."""
    configured = os.environ.get(CONFIG_DIR_ENV)
    return Path(configured).expanduser() if configured else PACKAGED_TABLES_DIR
