"""Write the demo shop into an Iceberg catalog, with the stale table's snapshot days old."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from dq_checks.config.paths import default_config_dir
from dq_resources.demo.shop_data import STALE_DAYS, STALE_TABLE, generate_shop
from dq_resources.iceberg.catalog_lookup import sqlite_database
from dq_resources.iceberg.catalogs import configured_catalog, load_found_catalog
from dq_resources.iceberg.clock import snapshot_clock

DEMO_CATALOG = "demo"
DEMO_NAMESPACE = "shop"


@dataclass
class SeedReport:
    """What a seed run did."""

    catalog: str
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


def seed_demo_warehouse(
    catalog_name: str = DEMO_CATALOG, *, force: bool = False, now: datetime | None = None
) -> SeedReport:
    """Create the demo tables in `catalog_name` unless they exist (or `force` recreates them).

    Every table gets one snapshot at `now`, except the stale one, whose only snapshot is
    STALE_DAYS older, so a freshness SLA measured on the data's own time catches it.
    """
    # Found as the definitions' tables find it, so `dq demo seed` seeds the warehouse `dq run`
    # reads, from whatever folder it runs.
    found = configured_catalog(catalog_name, default_config_dir())
    _prepare_local_storage(found.properties)
    catalog = load_found_catalog(found)
    catalog.create_namespace_if_not_exists(DEMO_NAMESPACE)
    moment = now or datetime.now(tz=UTC)
    report = SeedReport(catalog=catalog_name)
    tables = None
    for name in ("customers", "products", "orders", "order_items"):
        identifier = f"{DEMO_NAMESPACE}.{name}"
        if catalog.table_exists(identifier):
            if not force:
                report.skipped.append(identifier)
                continue
            catalog.purge_table(identifier)
        tables = tables or generate_shop().by_name()
        data = tables[name]
        table = catalog.create_table(identifier, schema=data.schema)
        stamped = moment - timedelta(days=STALE_DAYS) if name == STALE_TABLE else moment
        with snapshot_clock(stamped):
            table.append(data)
        report.created.append(identifier)
        report.rows[identifier] = data.num_rows
    return report


def _prepare_local_storage(properties: dict[str, Any]) -> None:
    """Create the folders a local sqlite catalog and file warehouse need; sqlite will not."""
    database = sqlite_database(properties)
    if database is not None:
        database.parent.mkdir(parents=True, exist_ok=True)
    warehouse = str(properties.get("warehouse", ""))
    parsed = urlparse(warehouse)
    if warehouse and parsed.scheme in ("", "file"):
        Path(parsed.path if parsed.scheme else warehouse).expanduser().mkdir(parents=True, exist_ok=True)
