"""The contract between a table source and the check step.

Every source type offers the same four things: `describe()` (schema, row count and the data's
own last update, from metadata), `query_runner()` (runs the compiled metric plan in the
source's own dialect: DuckDB locally over Arrow, or pushed down as SQL), `sample(n)` (a
bounded pandas sample) and, on the resource, `test_connection(spec)`. Every failure is one
`SourceError` that names the source and the cause, with secrets redacted (`errors.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pandas as pd

    from dq_checks.partitions.row_slice import RowSlice
    from dq_checks.schema import TableDescription
    from dq_resources.source_contract.runner import SourceRunner

SLICE_EXTRA_KEY = "slice"
"""A description's `extra` entry naming the part of the table it reads, when it reads only part of
it: `appended by snapshots 12..34 (2 appends, 2 data files)`. Checks report it, and the query
cache keys by it: the part shares its snapshot's data version with the whole."""

MAX_SAMPLE_ROWS = 100_000
"""The most rows a source's `sample(n)` returns, whatever `n` asks for."""


def capped_sample_size(n: int) -> int:
    """How many rows `sample(n)` reads: `n`, at least 0 and at most MAX_SAMPLE_ROWS."""
    return max(0, min(n, MAX_SAMPLE_ROWS))


@dataclass(frozen=True)
class ReferenceRequest:
    """Another monitored table a rule reads: its opened source and the columns needed.

    `columns` None means every column; an empty set means the description is enough.
    """

    name: str
    table: OpenedTable
    columns: frozenset[str] | None


class OpenedTable(Protocol):
    """A table a source has located. Describing it is cheap; querying it may scan it."""

    name: str

    def describe(self) -> TableDescription:
        """Schema, row count and last update, from metadata alone."""
        ...

    def query_runner(
        self, references: Sequence[ReferenceRequest] = ()
    ) -> AbstractContextManager[SourceRunner]:
        """A runner for metric queries over this table, with the references beside it."""
        ...

    def sample(self, n: int) -> pd.DataFrame:
        """At most `n` rows (capped at MAX_SAMPLE_ROWS), as a pandas DataFrame."""
        ...

    def pruned(self, row_slice: RowSlice) -> OpenedTable:
        """The same table, reading no less than the slice's rows and as few others as it can skip.

        A partition's exact filter is applied on top (`slicing.PartitionOfTable`), so this may keep
        extra rows but never drop one of the slice's. A table whose queries run where it lives
        returns itself: the filter reaches the database with each query.
        """
        ...


class SourceResource(Protocol):
    """What every source resource offers: open a table, and test that it can be reached."""

    def open(self, source: Any) -> OpenedTable:
        """Locate the table, or raise SourceError naming the source and the cause."""
        ...

    def test_connection(self, source: Any) -> str:
        """Reach the source and describe the table; a one-line summary, or SourceError."""
        ...
