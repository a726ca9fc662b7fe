"""Where the shop's warehouse is: one DuckDB file, by default `data/shop.duckdb` in the project.

dbt (its profiles.yml), the `order_summary` asset and dq's checks (`${SHOP_WAREHOUSE}` in their
source url) all find the file through the environment variable SHOP_WAREHOUSE; importing this
module sets it when it is not set. It is an absolute path because dagster-dbt runs dbt from a
copy of the dbt project, where a relative path would point elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
"""Git-ignored: the warehouse and the files the assets write."""

os.environ.setdefault("SHOP_WAREHOUSE", str(DATA_DIR / "shop.duckdb"))


def warehouse_path() -> Path:
    """The DuckDB file dbt builds the models in."""
    return Path(os.environ["SHOP_WAREHOUSE"])
