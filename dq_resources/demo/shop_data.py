"""Deterministic demo data for a small web shop, with defects planted on purpose.

The same seed gives the same rows on every machine. Each planted defect is listed in
PLANTED with its exact size, and docs/demo.md says which check catches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
import pyarrow as pa

SEED = 20261123

CUSTOMERS = 5_000
PRODUCTS = 500
ORDERS = 200_000

# --- planted defects: exact sizes ---------------------------------------------------------
DUPLICATED_ORDER_IDS = 150  # the last 150 orders re-use ids of earlier orders
PHONELESS_CUSTOMERS = 1_400  # customers 3,601..5,000 lost their phone in a CRM import (28% NULL)
ORPHAN_ORDERS = 300  # orders whose customer_id (90,001..90,300) is not in customers
STATUS_COUNTS = {
    "delivered": 194_000,
    "shipped": 2_500,
    "pending": 1_500,
    "cancelled": 1_200,
    "returned": 800,
}
CENTS_BUG_ORDERS = 20_000  # every 10th order was written in cents: amount x 100
ABSURD_AMOUNT = Decimal("4200000.00")  # one order of 4.2 million: a phone number typed into the amount
ABSURD_ORDER_ROW = 123_456
STALE_TABLE = "products"
STALE_DAYS = 5

PLANTED = {
    "orders.duplicate_order_ids": DUPLICATED_ORDER_IDS,
    "customers.phone_nulls": PHONELESS_CUSTOMERS,
    "orders.orphan_customer_rows": ORPHAN_ORDERS,
    "orders.status_delivered": STATUS_COUNTS["delivered"],
    "orders.cents_bug_rows": CENTS_BUG_ORDERS,
    "orders.absurd_amount_rows": 1,
    "products.stale_days": STALE_DAYS,
}

COUNTRIES = ["US", "GB", "DE", "FR", "CA", "NL", "ES", "IT"]
COUNTRY_WEIGHTS = [0.40, 0.15, 0.12, 0.10, 0.08, 0.05, 0.05, 0.05]
FIRST_NAMES = ["Ada", "Alan", "Grace", "Linus", "Edsger", "Barbara", "Ken", "Margaret", "Dennis", "Frances"]
LAST_NAMES = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Dijkstra",
    "Liskov",
    "Thompson",
    "Hamilton",
    "Ritchie",
]
CATEGORIES = ["books", "games", "garden", "kitchen", "music", "outdoor", "toys", "tools"]
ORDERS_START = datetime(2026, 8, 1, tzinfo=UTC)
ORDERS_SECONDS = 92 * 24 * 3600


@dataclass(frozen=True)
class ShopTables:
    """The four demo tables as Arrow tables."""

    customers: pa.Table
    products: pa.Table
    orders: pa.Table
    order_items: pa.Table

    def by_name(self) -> dict[str, pa.Table]:
        """Tables keyed by their name in the `shop` namespace."""
        return {
            "customers": self.customers,
            "products": self.products,
            "orders": self.orders,
            "order_items": self.order_items,
        }


def generate_shop(seed: int = SEED) -> ShopTables:
    """Build the demo shop. Deterministic for a given seed."""
    rng = np.random.default_rng(seed)
    customers = _customers(rng)
    products = _products(rng)
    orders = _orders(rng)
    order_items = _order_items(rng, orders, products)
    return ShopTables(customers, products, orders, order_items)


def _decimal_array(values: np.ndarray, precision: int, scale: int) -> pa.Array:
    """Money as exact decimals; Arrow rounds each float to the nearest representable decimal."""
    return pa.array(np.round(values, scale)).cast(pa.decimal128(precision, scale))


def _customers(rng: np.random.Generator) -> pa.Table:
    ids = np.arange(1, CUSTOMERS + 1, dtype=np.int64)
    phones = [f"+1-555-{n:07d}" for n in rng.choice(10_000_000, CUSTOMERS, replace=False)]
    # Planted: the last 1,400 customers came through an import that dropped phone numbers.
    phones = [
        None if cid > CUSTOMERS - PHONELESS_CUSTOMERS else p for cid, p in zip(ids, phones, strict=True)
    ]
    first = rng.choice(FIRST_NAMES, CUSTOMERS)
    last = rng.choice(LAST_NAMES, CUSTOMERS)
    signup_days = rng.integers(0, (date(2026, 7, 31) - date(2022, 1, 1)).days, CUSTOMERS)
    return pa.table(
        {
            "customer_id": pa.array(ids, pa.int64()),
            "email": pa.array([f"customer{cid:05d}@example.com" for cid in ids]),
            "full_name": pa.array([f"{f} {n}" for f, n in zip(first, last, strict=True)]),
            "phone": pa.array(phones, pa.string()),
            "country": pa.array(rng.choice(COUNTRIES, CUSTOMERS, p=COUNTRY_WEIGHTS)),
            "signup_date": pa.array(
                np.datetime64("2022-01-01") + signup_days.astype("timedelta64[D]"), pa.date32()
            ),
            "segment": pa.array(rng.choice(["consumer", "business"], CUSTOMERS, p=[0.8, 0.2])),
        }
    )


def _products(rng: np.random.Generator) -> pa.Table:
    ids = np.arange(1, PRODUCTS + 1, dtype=np.int64)
    # A natural long tail of prices: many cheap items, a few expensive ones, no isolated value.
    prices = np.clip(rng.lognormal(mean=3.2, sigma=0.9, size=PRODUCTS), 1.0, None)
    return pa.table(
        {
            "product_id": pa.array(ids, pa.int64()),
            "sku": pa.array([f"SKU-{pid:05d}" for pid in ids]),
            "name": pa.array(
                [
                    f"{c.title()} item {pid}"
                    for c, pid in zip(rng.choice(CATEGORIES, PRODUCTS), ids, strict=True)
                ]
            ),
            "category": pa.array(rng.choice(CATEGORIES, PRODUCTS)),
            "price": _decimal_array(prices, 10, 2),
            "active": pa.array(rng.random(PRODUCTS) < 0.9),
        }
    )


def _orders(rng: np.random.Generator) -> pa.Table:
    unique_orders = ORDERS - DUPLICATED_ORDER_IDS
    # Planted: the last 150 rows re-use ids of earlier orders (a retried load that was not idempotent).
    reused = rng.choice(np.arange(1, unique_orders + 1), DUPLICATED_ORDER_IDS, replace=False)
    order_ids = np.concatenate([np.arange(1, unique_orders + 1), np.sort(reused)]).astype(np.int64)

    customer_ids = rng.integers(1, CUSTOMERS + 1, ORDERS).astype(np.int64)
    # Planted: 300 orders point at customers 90,001..90,300, who do not exist.
    orphan_rows = rng.choice(ORDERS, ORPHAN_ORDERS, replace=False)
    customer_ids[np.sort(orphan_rows)] = np.arange(90_001, 90_001 + ORPHAN_ORDERS)

    # Planted: one status makes up 97% of rows.
    statuses = np.concatenate([np.full(n, s, dtype=object) for s, n in STATUS_COUNTS.items()])
    rng.shuffle(statuses)

    amounts = np.round(rng.gamma(shape=2.0, scale=40.0, size=ORDERS), 2) + 1.0
    # Planted: every 10th order was written in cents (x100) by a buggy release.
    amounts[::10] *= 100
    # Planted: a single absurd amount, far beyond everything else.
    amounts[ABSURD_ORDER_ROW] = float(ABSURD_AMOUNT)

    seconds = np.sort(rng.integers(0, ORDERS_SECONDS, ORDERS))
    timestamps = np.datetime64(ORDERS_START.replace(tzinfo=None), "us") + (seconds * 1_000_000).astype(
        "timedelta64[us]"
    )
    return pa.table(
        {
            "order_id": pa.array(order_ids, pa.int64()),
            "customer_id": pa.array(customer_ids, pa.int64()),
            "order_ts": pa.array(timestamps, pa.timestamp("us", tz="UTC")),
            "status": pa.array(statuses.astype(str)),
            "amount": _decimal_array(amounts, 12, 2),
            "channel": pa.array(rng.choice(["web", "app", "store"], ORDERS, p=[0.55, 0.35, 0.10])),
        }
    )


def _order_items(rng: np.random.Generator, orders: pa.Table, products: pa.Table) -> pa.Table:
    unique_ids = np.unique(orders.column("order_id").to_numpy())
    per_order = rng.integers(1, 6, unique_ids.size)
    order_ids = np.repeat(unique_ids, per_order)
    rows = order_ids.size
    product_ids = rng.integers(1, PRODUCTS + 1, rows).astype(np.int64)
    price_by_product = np.array([float(p) for p in products.column("price").to_pylist()])
    discounts = np.where(rng.random(rows) < 0.7, 0.0, np.round(rng.uniform(0.05, 0.30, rows), 2))
    return pa.table(
        {
            "order_item_id": pa.array(np.arange(1, rows + 1, dtype=np.int64)),
            "order_id": pa.array(order_ids.astype(np.int64)),
            "product_id": pa.array(product_ids),
            "quantity": pa.array(rng.geometric(0.6, rows).astype(np.int32)),
            "unit_price": _decimal_array(price_by_product[product_ids - 1], 10, 2),
            "discount": pa.array(discounts),
        }
    )
