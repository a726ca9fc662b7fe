"""What every file-format reader offers, and a stream whose failure stays a readable SourceError.

When DuckDB reads an Arrow stream and the stream raises, DuckDB wraps the error in its own
text (with a Python traceback). The guarded stream therefore also hands the clean
SourceError to a callback, and the caller re-raises that one.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from typing import TYPE_CHECKING, Protocol

from dq_resources.source_contract.errors import SourceError, source_error

if TYPE_CHECKING:
    import pyarrow as pa

BATCH_ROWS = 65_536
"""Rows per Arrow batch: small enough to stay a few MB, large enough to be cheap."""


class FormatReader(Protocol):
    """One local file in one format."""

    def schema(self) -> pa.Schema:
        """The columns every batch of `stream()` has."""
        ...

    def row_count(self) -> int | None:
        """The number of rows, when it is known without reading the data."""
        ...

    def stream(self, columns: Collection[str] | None = None) -> pa.RecordBatchReader:
        """The rows (or some columns), a batch at a time."""
        ...


def guarded_reader(
    schema: pa.Schema,
    batches: Iterator[pa.RecordBatch],
    translate: Callable[[Exception], SourceError],
    on_failure: Callable[[SourceError], None] | None = None,
) -> pa.RecordBatchReader:
    """A reader over `batches` whose failure is a SourceError (`translate` makes it from the cause)."""
    import pyarrow as pa

    def guarded() -> Iterator[pa.RecordBatch]:
        try:
            yield from batches
        except Exception as error:
            failure = error if isinstance(error, SourceError) else translate(error)
            if on_failure is not None:
                on_failure(failure)
            if failure is error:
                raise
            raise failure from error

    return pa.RecordBatchReader.from_batches(schema, guarded())


def project(schema: pa.Schema, columns: Collection[str] | None, source: str) -> list[str]:
    """The names to read, in the file's order; SourceError names any the file does not have."""
    if columns is None:
        return list(schema.names)
    missing = sorted(set(columns) - set(schema.names))
    if missing:
        raise source_error(source, "cannot read data", f"no column {', '.join(map(repr, missing))}")
    wanted = set(columns)
    return [name for name in schema.names if name in wanted]
