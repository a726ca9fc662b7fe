"""The embedded demo warehouse: a small web shop with known, planted defects."""

from dq_resources.demo.seed import DEMO_CATALOG, DEMO_NAMESPACE, SeedReport, seed_demo_warehouse
from dq_resources.demo.shop_data import PLANTED, ShopTables, generate_shop

__all__ = [
    "DEMO_CATALOG",
    "DEMO_NAMESPACE",
    "PLANTED",
    "SeedReport",
    "ShopTables",
    "generate_shop",
    "seed_demo_warehouse",
]
