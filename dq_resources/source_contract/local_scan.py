"""The settings every source scanned by the local DuckDB engine shares (Iceberg tables, files)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

if TYPE_CHECKING:
    from dq_resources.engines import LocalScanSettings


class LocalScanResource(dg.ConfigurableResource):
    """Bounds for the local engine, set on the resource (see `LocalScanSettings`).

    `scan_memory_limit` is `auto` by default: a twenty-fourth of the machine's (or the container's)
    memory, between 256 MiB and 8 GiB. Set a size such as `"2GiB"` to override it.
    `load_memory_limit` bounds a copy while it is written (`auto`: half the scan limit, at least 256 MiB).
    `heavy_cells_per_query` caps rows x exact quantiles or distinct counts per query (None: by
    the memory limit). `scan_in_place` reads Parquet data where it is; False copies every table.
    """

    scan_memory_limit: str = "auto"
    load_memory_limit: str = "auto"
    scan_threads: int = 0
    heavy_cells_per_query: int | None = None
    scan_in_place: bool = True

    def scan_settings(self, timeout_seconds: float | None) -> LocalScanSettings:
        """The engine's settings for one table, its statement time limit being the source's."""
        from dq_resources.engines import LocalScanSettings

        return LocalScanSettings(
            memory_limit=self.scan_memory_limit,
            load_memory_limit=self.load_memory_limit,
            threads=self.scan_threads,
            heavy_cells_per_query=self.heavy_cells_per_query,
            statement_timeout_seconds=timeout_seconds,
            in_place=self.scan_in_place,
        )
