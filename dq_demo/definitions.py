"""The demo project's code location: everything under `defs/`, loaded the way `dg` projects are."""

from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    """Every component and definitions file of the defs folder, merged."""
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
