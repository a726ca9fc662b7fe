"""dq's public face in a Dagster project: the component `dq.DataQualityComponent`.

This module is dq's `dagster_dg_cli.registry_modules` entry point, so `dg list components` shows
the component and `dg scaffold defs dq.DataQualityComponent quality` writes one.
"""

from dq_assets.component import DataQualityComponent

__all__ = ["DataQualityComponent"]
