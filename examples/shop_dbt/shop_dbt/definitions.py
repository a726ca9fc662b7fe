"""The shop's code location: everything under `defs/`, found by dg."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from shop_dbt import warehouse  # noqa: F401 - sets SHOP_WAREHOUSE before dbt's project is parsed


@dg.definitions
def defs() -> dg.Definitions:
    """The dbt models, the Python asset and dq's checks on both."""
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
