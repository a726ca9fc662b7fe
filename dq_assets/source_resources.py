"""Which resource serves which `source.type`, and the default resource set."""

from __future__ import annotations

from typing import Any

from dq_checks.config.models import IcebergSourceSpec
from dq_resources.clock import ClockResource
from dq_resources.iceberg import IcebergCatalogResource
from dq_resources.sources import OpenedTable

SourceSpec = IcebergSourceSpec

RESOURCE_KEYS = {"iceberg": "iceberg"}
CLOCK_RESOURCE_KEY = "dq_clock"


def source_resource_key(source: SourceSpec) -> str:
    """The resource key an asset requires for its source type."""
    return RESOURCE_KEYS[source.type]


def open_table(resource: Any, source: SourceSpec) -> OpenedTable:
    """Ask the source's resource to locate the table."""
    return resource.open(source)


def default_resources() -> dict[str, Any]:
    """Resources for every source type, with their default settings."""
    return {"iceberg": IcebergCatalogResource(), CLOCK_RESOURCE_KEY: ClockResource()}
