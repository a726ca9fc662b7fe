"""Parquet files through pyarrow: schema and row count from the footer, rows a batch at a time."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dq_resources.engines.parquet_scan import CopyInstead, ParquetScan, first_type_problem
from dq_resources.files.streams import BATCH_ROWS, guarded_reader, project
from dq_resources.source_contract.errors import SourceError, source_error

if TYPE_CHECKING:
    import pyarrow as pa

WIDE_BATCH_BYTES = 32 * 2**20
"""About how many decoded bytes one batch of a wide file holds."""


class ParquetReader:
    """One Parquet file. Memory stays at about one row group however big the file is."""

    def __init__(
        self, path: Path, source: str, on_failure: Callable[[SourceError], None] | None = None
    ) -> None:
        self.path = path
        self.source = source
        self._on_failure = on_failure
        self._metadata: Any = None

    def schema(self) -> pa.Schema:
        """The Arrow schema stored in the footer."""
        return self._footer().schema.to_arrow_schema()

    def row_count(self) -> int:
        """The row count the footer records."""
        return int(self._footer().num_rows)

    def in_place_scan(self) -> ParquetScan | CopyInstead:
        """The file as the engine reads it in place, or why it must be copied (a column's type)."""
        schema = self.schema()
        problem = first_type_problem(schema)
        if problem is not None:
            return CopyInstead(problem)
        return ParquetScan((self.path,), schema, row_count=self.row_count())

    def stream(self, columns: Collection[str] | None = None) -> pa.RecordBatchReader:
        """The rows (or some columns), row group by row group, a batch at a time."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = self.schema()
        names = project(schema, columns, self.source)
        target = pa.schema([schema.field(n) for n in names], metadata=schema.metadata)

        rows = self._batch_rows(len(names), len(schema))

        def batches() -> Iterator[pa.RecordBatch]:
            with pq.ParquetFile(self.path) as parquet:
                yield from parquet.iter_batches(batch_size=rows, columns=names, use_threads=True)

        return guarded_reader(target, batches(), self._error, self._on_failure)

    def _batch_rows(self, columns: int, all_columns: int) -> int:
        """Rows per batch by the file's width: about WIDE_BATCH_BYTES decoded, at most BATCH_ROWS.

        A fixed BATCH_ROWS is 500 MB a batch at 1,000 columns: reading such a file (100,000
        rows) took 23 s and 1.7 GB that way, and 1.2 s and 0.8 GB in batches of 8,192 rows.
        A row is taken as at least 8 bytes a column, since the footer's sizes are encoded ones.
        """
        footer = self._footer()
        stored = sum(footer.row_group(i).total_byte_size for i in range(footer.num_row_groups))
        per_row = max(stored / max(footer.num_rows, 1) * columns / max(all_columns, 1), 8.0 * columns, 1.0)
        return max(1_024, min(BATCH_ROWS, int(WIDE_BATCH_BYTES // per_row)))

    def _footer(self) -> Any:
        if self._metadata is None:
            import pyarrow.parquet as pq

            try:
                self._metadata = pq.read_metadata(self.path)
            except Exception as error:  # not Parquet, a truncated file
                raise self._error(error) from error
        return self._metadata

    def _error(self, error: Exception) -> SourceError:
        cause = str(error).replace(str(self.path), self.path.name)
        return source_error(self.source, "cannot read data", f"not a readable Parquet file: {cause}")
