"""What the sources scanned by the local DuckDB engine share (Iceberg tables, files).

The resource's settings bound the engine (`LocalScanResource`); the table (`LocalScanTable`)
fills one engine per check step: its Parquet data read in place where that reads as the source
reads it, else its rows streamed in as Arrow, then the references beside it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dagster as dg

from dq_resources.source_contract.errors import SourceError, source_error
from dq_resources.source_contract.summary import describe_summary

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from dq_checks.partitions.row_slice import RowSlice
    from dq_checks.schema import TableDescription
    from dq_resources.engines import LocalDuckDB, LocalScanSettings
    from dq_resources.engines.parquet_scan import CopyInstead, ParquetScan
    from dq_resources.source_contract.table import ReferenceRequest


class LocalScanTable(ABC):
    """A table the local DuckDB engine reads, in place or copied; an OpenedTable.

    A subclass says what the table is (`describe`), how its rows stream (`arrow_stream`) and
    whether its data reads in place (`in_place_plan`); filling the engine, the references and
    how a read fails are shared here.
    """

    name: str
    settings: LocalScanSettings

    @abstractmethod
    def describe(self) -> TableDescription:
        """Schema, row count and last update, from metadata alone."""

    @abstractmethod
    def sample(self, n: int) -> pd.DataFrame:
        """At most `n` rows (capped at MAX_SAMPLE_ROWS), read without scanning the whole table."""

    @abstractmethod
    def arrow_stream(self, columns: Collection[str] | None = None) -> pa.RecordBatchReader:
        """The rows (or some columns), one batch at a time."""

    @abstractmethod
    def in_place_plan(self, scratch: Callable[[], Path]) -> ParquetScan | CopyInstead:
        """The data as Parquet files the engine reads where they are, or why it must be copied.

        `scratch` gives a folder, made on first use, for files fetched from remote storage.
        """

    def pruned(self, row_slice: RowSlice) -> LocalScanTable:
        """The same table, reading no less than the slice's rows and as few others as the source can skip.

        This one by default: nothing skipped. The caller applies the slice's exact predicate on
        top of whatever is read, so a source may keep rows outside the slice (a whole file of
        which one row matches) but must never drop a row inside it. A slice the source cannot
        use (no such column, a type the bounds do not fit) leaves the table unpruned rather than
        failing: the exact predicate is where that problem is reported.
        """
        return self

    @property
    def stream_failure(self) -> SourceError | None:
        """The clean SourceError the last stream hit, when the engine wrapped it in its own; else None."""
        return None

    @contextmanager
    def query_runner(self, references: Sequence[ReferenceRequest] = ()) -> Iterator[LocalDuckDB]:
        """Read the table once into a local DuckDB, the references beside it, then seal it."""
        from dq_resources.engines import LocalDuckDB
        from dq_resources.engines.references import load_reference

        with LocalDuckDB(self.settings) as engine:
            try:
                self._fill(engine)
            except SourceError:
                raise
            except Exception as error:  # unreadable data, missing objects, permission errors
                if self.stream_failure is not None:  # DuckDB wraps the stream's own error: give the clean one
                    raise self.stream_failure from error
                raise source_error(self.name, "cannot read data", error) from error
            for request in references:
                load_reference(engine, request)
            engine.seal()
            yield engine

    def _fill(self, engine: LocalDuckDB) -> None:
        """Read the data in place where `in_place_plan` allows, else copy the stream into the engine."""
        from dq_resources.engines.parquet_scan import ParquetScan

        if not self.settings.in_place:
            engine.copy_reason = "in_place is off"
        else:
            plan = self.in_place_plan(engine.scratch_directory)
            if isinstance(plan, ParquetScan):
                engine.read_in_place(plan)
                return
            engine.copy_reason = plan.reason
        engine.load(self.arrow_stream(), expected_rows=self.describe().row_count)

    def close(self) -> None:  # noqa: B027 - only a table that downloads has anything to release
        """Release what reading the table left behind (a download, scratch files); nothing by default."""

    def __enter__(self) -> LocalScanTable:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


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

    def open(self, source: Any) -> LocalScanTable:
        """Locate the table, or raise SourceError naming the source and the cause."""
        raise NotImplementedError

    def test_connection(self, source: Any) -> str:
        """Reach the table and read its metadata: `4 rows, 5 columns, last updated ...`."""
        with self.open(source) as table:
            return describe_summary(table.describe())

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
