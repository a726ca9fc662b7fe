"""Parquet files through pyarrow: schema and row count from the footer, rows a batch at a time."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dq_resources.files.streams import BATCH_ROWS, guarded_reader, project
from dq_resources.sources.base import SourceError, source_error

if TYPE_CHECKING:
    import pyarrow as pa


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

    def stream(self, columns: Collection[str] | None = None) -> pa.RecordBatchReader:
        """The rows (or some columns), row group by row group, a batch at a time."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = self.schema()
        names = project(schema, columns, self.source)
        target = pa.schema([schema.field(n) for n in names], metadata=schema.metadata)

        def batches() -> Iterator[pa.RecordBatch]:
            with pq.ParquetFile(self.path) as parquet:
                yield from parquet.iter_batches(batch_size=BATCH_ROWS, columns=names, use_threads=True)

        return guarded_reader(target, batches(), self._error, self._on_failure)

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
