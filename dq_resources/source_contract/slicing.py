"""One partition of an opened table: every query the check step runs reads that partition's rows only.

The filter is applied once, here, for every source: the runner's relation becomes
`(SELECT * FROM <table> WHERE <partition>)`, so each metric query, rule, sample of failing rows
and CustomSql statement reads the partition alone. Where the table lives in a database, the
WHERE goes there with the query and its planner prunes by the column's index or partitions.
Every source may also skip data before it is read (`OpenedTable.pruned`: the local engine's
Iceberg scan keeps only the partition's data files); the exact filter still applies on top.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlglot import exp

from dq_checks.partitions.row_slice import RowSlice, SliceError, column_for
from dq_resources.source_contract.errors import SourceError
from dq_resources.source_contract.table import OpenedTable, ReferenceRequest, capped_sample_size

if TYPE_CHECKING:
    import pandas as pd

    from dq_checks.schema import TableDescription
    from dq_resources.source_contract.runner import SourceRunner

PARTITION_EXTRA_KEY = "partition"
"""The description's `extra` entry naming the partition's rows: `order_date in [2026-11-30, 2026-12-01)`."""


class PartitionOfTable:
    """The rows of one partition of `table`, as an OpenedTable of their own.

    Its data version is the table's with the partition key (`<snapshot>@2026-11-30`), so the
    query cache and the history tell partitions apart. Its row count is unknown until scanned.
    `where` is the definition's `path:line` of `partition:`, for a column that cannot hold it.
    """

    def __init__(self, table: OpenedTable, row_slice: RowSlice, where: str) -> None:
        self.name = table.name
        self.table = table
        self.row_slice = row_slice
        self.where = where
        self._filter: exp.Expression | None = None

    def describe(self) -> TableDescription:
        """The table's columns and last update; no row count; the partition in `extra`."""
        whole = self.table.describe()
        self._filter = self._predicate(whole)
        version = whole.data_version
        return replace(
            whole,
            row_count=None,
            data_version=None if version is None else f"{version}@{self.row_slice.key}",
            extra={**whole.extra, PARTITION_EXTRA_KEY: self.row_slice.describe()},
        )

    def _predicate(self, description: TableDescription) -> exp.Expression:
        try:
            return self.row_slice.predicate(column_for(description.columns, self.row_slice.column))
        except SliceError as error:
            raise SourceError(f"{self.where}: {error}") from None

    @contextmanager
    def query_runner(self, references: Sequence[ReferenceRequest] = ()) -> Iterator[SourceRunner]:
        """The table's runner, reading only the partition: its relation is the filtered table."""
        predicate = self._filter if self._filter is not None else self._predicate(self.table.describe())
        with self.table.pruned(self.row_slice).query_runner(references) as runner:
            runner.relation = partition_relation(runner.relation, predicate)
            yield runner

    def pruned(self, row_slice: RowSlice) -> PartitionOfTable:
        """Already narrowed to its partition: itself."""
        return self

    def sample(self, n: int) -> pd.DataFrame:
        """At most `n` rows of the partition (capped at MAX_SAMPLE_ROWS)."""
        import pandas as pd

        names = [c.name for c in self.describe().columns]
        with self.query_runner() as runner:
            query = exp.select(*[exp.column(name, quoted=True) for name in names]).from_(runner.relation)
            rows = runner.fetch_rows(query.limit(capped_sample_size(n)))
        return pd.DataFrame.from_records(rows, columns=names)


def partition_relation(relation: exp.Expression, predicate: exp.Expression) -> exp.Subquery:
    """`(SELECT * FROM relation WHERE predicate) AS <its name>`: the table, narrowed to the partition."""
    alias = relation.alias_or_name or "dq_partition"
    narrowed = exp.select(exp.Star()).from_(relation.copy()).where(predicate.copy())
    return narrowed.subquery(exp.to_identifier(alias, quoted=True))
