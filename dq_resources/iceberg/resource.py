"""The Iceberg source resource: find tables by catalog name, describe them, scan them once."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dq_checks.config.models import IcebergSourceSpec
from dq_checks.schema import TableDescription
from dq_resources.iceberg.catalogs import load_named_catalog, timed_out
from dq_resources.iceberg.types import columns_of
from dq_resources.source_contract.errors import source_error
from dq_resources.source_contract.local_scan import LocalScanResource, LocalScanTable
from dq_resources.source_contract.table import capped_sample_size

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    from pyiceberg.catalog import Catalog
    from pyiceberg.expressions import BooleanExpression
    from pyiceberg.table import Table

    from dq_checks.partitions.row_slice import RowSlice
    from dq_resources.engines import LocalScanSettings
    from dq_resources.engines.parquet_scan import CopyInstead, ParquetScan
    from dq_resources.iceberg.appended import AppendedFiles


class IcebergCatalogResource(LocalScanResource):
    """Opens Iceberg tables by catalog name.

    Catalogs are configured the pyiceberg way (`.pyiceberg.yaml`, or the variables
    `PYICEBERG_CATALOG__<NAME>__URI` and friends), so a catalog that works with pyiceberg
    works here. The scan settings bound the local DuckDB engine that profiles the data.
    """

    def open(self, source: IcebergSourceSpec) -> IcebergTable:
        """Locate the table, or raise SourceError naming the catalog and the cause.

        Every request to the catalog is bounded by the source's `connect_timeout_seconds`.
        """
        catalog = _load_catalog(source)
        from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError

        try:
            table = catalog.load_table(source.identifier)
        except (NoSuchTableError, NoSuchNamespaceError) as error:
            missing = f"table {source.identifier!r} not found in catalog {source.catalog!r}"
            raise source_error(source.display(), missing) from error
        except Exception as error:  # the catalog's backend (SQL, REST, Glue) is down or misconfigured
            raise source_error(source.display(), "cannot load table", _cause(error, source)) from error
        return IcebergTable(source.display(), table, self.scan_settings(source.timeout_seconds))


class IcebergTable(LocalScanTable):
    """One Iceberg table, at its current snapshot; with a row filter, only the files that can match it.

    The filter (see `pruned`) narrows what is read, not what the table is: `describe` still
    speaks of the whole snapshot. `appended` (see `appended_since`) does change what the table
    is: the rows appended since an earlier snapshot, and `describe` counts those.
    """

    def __init__(
        self,
        name: str,
        table: Table,
        settings: LocalScanSettings,
        row_filter: BooleanExpression | None = None,
        appended: AppendedFiles | None = None,
    ) -> None:
        self.name = name
        self._table = table
        self.settings = settings
        self._row_filter = row_filter
        self._appended = appended

    @property
    def _only_files(self) -> frozenset[str] | None:
        return None if self._appended is None else self._appended.paths

    def appended_since(self, snapshot_id: str) -> IcebergTable | str:
        """The rows appended since snapshot `snapshot_id` (a data version), or why they cannot be told apart.

        Only the data files the appends after it added are read; anything but appends in
        between, or a snapshot no longer in the current one's history, gives the reason instead.
        """
        from dq_resources.iceberg.appended import appended_since

        try:
            previous = int(snapshot_id)
        except ValueError:
            return f"the last checked data version {snapshot_id!r} is not an Iceberg snapshot id"
        try:
            appended = appended_since(self._table, previous)
        except Exception as error:  # unreadable manifests: the whole table is still checkable
            return f"cannot list the files appended since snapshot {previous}: {error}"
        if isinstance(appended, str):
            return appended
        return IcebergTable(self.name, self._table, self.settings, self._row_filter, appended)

    def pruned(self, row_slice: RowSlice) -> IcebergTable:
        """The same table, reading only the data files whose partition values or statistics hold the slice.

        Unpruned (this very table) when the slice's column is missing or its type cannot take the
        bounds: the caller's exact filter reports that. A pruned table pruned again keeps both filters.
        """
        from pyiceberg.expressions import And

        from dq_resources.iceberg.row_filter import slice_filter

        row_filter = slice_filter(self._table.schema(), row_slice)
        if row_filter is None:
            return self
        if self._row_filter is not None:
            row_filter = And(self._row_filter, row_filter)
        return IcebergTable(self.name, self._table, self.settings, row_filter, self._appended)

    def describe(self) -> TableDescription:
        """Schema, row count and last update from the current snapshot's metadata.

        Of appended rows only, the row count is theirs and `extra` names the snapshots they span;
        the data version stays the current snapshot's, which the next check starts from.
        """
        whole = self._describe_snapshot()
        if self._appended is None:
            return whole
        from dq_resources.source_contract.table import SLICE_EXTRA_KEY

        extra = {**whole.extra, SLICE_EXTRA_KEY: self._appended.describe()}
        return replace(whole, row_count=self._appended.row_count, extra=extra)

    def _describe_snapshot(self) -> TableDescription:
        snapshot = self._table.current_snapshot()
        columns = columns_of(self._table.schema())
        if snapshot is None:
            return TableDescription(columns=columns, row_count=0, last_updated=None, data_version=None)
        total = snapshot.summary.get("total-records") if snapshot.summary is not None else None
        return TableDescription(
            columns=columns,
            row_count=int(total) if total is not None else None,
            last_updated=datetime.fromtimestamp(snapshot.timestamp_ms / 1000, tz=UTC),
            data_version=str(snapshot.snapshot_id),
            extra={"location": self._table.location()},
        )

    def arrow_stream(self, columns: Collection[str] | None = None) -> pa.RecordBatchReader:
        """The snapshot's rows (or some columns) the row filter keeps, one batch at a time."""
        from dq_resources.iceberg.reader import stream_table

        return stream_table(self._table, columns, row_filter=self._row_filter, only_files=self._only_files)

    def sample(self, n: int) -> pd.DataFrame:
        """The first `n` rows the row filter keeps (a scan limited at the source: no full read)."""
        from pyiceberg.expressions import AlwaysTrue

        if self._appended is not None:  # pyiceberg's limited scan cannot keep to some files
            return self._first_rows(capped_sample_size(n))
        row_filter = self._row_filter if self._row_filter is not None else AlwaysTrue()
        try:
            return self._table.scan(row_filter=row_filter, limit=capped_sample_size(n)).to_arrow().to_pandas()
        except Exception as error:  # unreadable data files, missing objects, permission errors
            raise source_error(self.name, "cannot read a sample", error) from error

    def _first_rows(self, n: int) -> pd.DataFrame:
        """The first `n` rows of the files read, from the stream: it stops once they are read."""
        import pyarrow as pa

        try:
            reader = self.arrow_stream()
            batches, rows = [], 0
            for batch in reader:
                if rows >= n:
                    break
                batches.append(batch)
                rows += batch.num_rows
            return pa.Table.from_batches(batches, schema=reader.schema).slice(0, n).to_pandas()
        except Exception as error:  # unreadable data files, missing objects, permission errors
            raise source_error(self.name, "cannot read a sample", error) from error

    def in_place_plan(self, scratch: Callable[[], Path]) -> ParquetScan | CopyInstead:
        """The Parquet files the row filter keeps, if they read as pyiceberg reads them; else why to copy."""
        from dq_resources.iceberg.in_place import plan_in_place

        return plan_in_place(self._table, scratch, row_filter=self._row_filter, only_files=self._only_files)


def _load_catalog(source: IcebergSourceSpec) -> Catalog:
    name = source.catalog
    try:
        return load_named_catalog(name, source)
    except Exception as error:
        if timed_out(error):
            raise source_error(source.display(), f"catalog {name!r}", _cause(error, source)) from error
        variable = f"PYICEBERG_CATALOG__{name.upper()}__URI"
        unusable = (
            f"iceberg catalog {name!r} is not usable ({error}); configure it in .pyiceberg.yaml or {variable}"
        )
        raise source_error(source.display(), unusable) from error


def _cause(error: BaseException, source: IcebergSourceSpec) -> str:
    """The error's text, said to be a timeout (with the setting that bounds it) when it is one.

    A driver's error wrapped by SQLAlchemy (a sql catalog) is given as the driver said it.
    """
    from sqlalchemy.exc import DBAPIError

    text = str(error.orig).strip() if isinstance(error, DBAPIError) else str(error)
    if timed_out(error):
        return f"timed out (connect_timeout_seconds is {source.connect_timeout_seconds:g}): {text}"
    return text
