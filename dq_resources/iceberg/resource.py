"""The Iceberg source resource: find tables by catalog name, describe them, scan them once."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dq_checks.config.models import IcebergSourceSpec
from dq_checks.schema import TableDescription
from dq_resources.iceberg.catalog_lookup import FoundCatalog, sqlite_database
from dq_resources.iceberg.catalogs import (
    CatalogNotConfigured,
    configured_catalog,
    load_found_catalog,
    timed_out,
)
from dq_resources.iceberg.types import columns_of
from dq_resources.source_contract.errors import source_error
from dq_resources.source_contract.local_scan import LocalScanResource, LocalScanTable
from dq_resources.source_contract.table import capped_sample_size

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    from pyiceberg.catalog import Catalog
    from pyiceberg.expressions import BooleanExpression
    from pyiceberg.schema import Schema
    from pyiceberg.table import Table
    from pyiceberg.table.snapshots import Snapshot

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
    """One Iceberg table, at its current snapshot or a pinned one; with a row filter, only its matching files.

    The filter (see `pruned`) narrows what is read, not what the table is: `describe` still
    speaks of the whole snapshot. `appended` (see `appended_since`) does change what the table
    is: the rows appended since an earlier snapshot, and `describe` counts those. `pinned` (see
    `at_snapshot`, `as_of`) is the earlier snapshot every read and `describe` speak of instead
    of the current one: Iceberg time travel, for a drift check's baseline.
    """

    def __init__(
        self,
        name: str,
        table: Table,
        settings: LocalScanSettings,
        row_filter: BooleanExpression | None = None,
        appended: AppendedFiles | None = None,
        *,
        pinned: Snapshot | None = None,
    ) -> None:
        self.name = name
        self._table = table
        self.settings = settings
        self._row_filter = row_filter
        self._appended = appended
        self._pinned = pinned

    @property
    def _only_files(self) -> frozenset[str] | None:
        return None if self._appended is None else self._appended.paths

    @property
    def _pinned_id(self) -> int | None:
        return None if self._pinned is None else self._pinned.snapshot_id

    def _snapshot(self) -> Snapshot | None:
        """The snapshot read: the pinned one, else the current one (None for a table never written)."""
        return self._pinned if self._pinned is not None else self._table.current_snapshot()

    def _schema(self) -> Schema:
        """The schema of the snapshot read: a pinned snapshot's own, as it was written."""
        from dq_resources.iceberg.time_travel import snapshot_schema

        return self._table.schema() if self._pinned is None else snapshot_schema(self._table, self._pinned)

    def at_snapshot(self, snapshot_id: int) -> IcebergTable:
        """The whole table as it was at snapshot `snapshot_id`: its schema, its rows, its data files.

        SourceError when the table no longer has (or never had) that snapshot, saying which it has.
        The pinned table is that snapshot whole: a row filter or appended rows of this table are
        not carried over (a filter made for the current schema may name another field at the
        pin); prune the pinned table instead.
        """
        from dq_resources.iceberg.time_travel import snapshot_with_id

        snapshot = snapshot_with_id(self._table, self.name, snapshot_id)
        return IcebergTable(self.name, self._table, self.settings, pinned=snapshot)

    def as_of(self, moment: datetime) -> IcebergTable:
        """The whole table as it was at `moment` (an aware datetime): the snapshot then current.

        That is the latest snapshot committed at or before `moment`, unless the table was rolled
        back in between (then the one rolled back to, as the snapshot log says). SourceError when
        `moment` is before the table's first snapshot or that snapshot has expired; ValueError when
        it has no time zone. Whole, as `at_snapshot`.
        """
        from dq_resources.iceberg.time_travel import snapshot_as_of

        snapshot = snapshot_as_of(self._table, self.name, moment)
        return IcebergTable(self.name, self._table, self.settings, pinned=snapshot)

    def appended_since(self, snapshot_id: str) -> IcebergTable | str:
        """The rows appended since snapshot `snapshot_id` (a data version), or why they cannot be told apart.

        Only the data files the appends after it added are read; anything but appends in
        between, or a snapshot no longer in the current one's history, gives the reason instead.
        A pinned table is always read whole: appended rows are told apart up to the current
        snapshot only, and reading those instead of the pinned snapshot would drop the pin.
        """
        from dq_resources.iceberg.appended import appended_since

        if self._pinned is not None:
            return (
                f"the table is pinned at snapshot {self._pinned.snapshot_id}: appended rows are read "
                "from the current snapshot only"
            )
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
        A pinned table stays pinned, and is pruned only on a column that is the same field at the
        pin as now (`time_travel.pinned_slice_filter_ok`).
        """
        from pyiceberg.expressions import And

        from dq_resources.iceberg.row_filter import slice_filter
        from dq_resources.iceberg.time_travel import pinned_slice_filter_ok

        current = self._table.schema()
        if self._pinned is not None and not pinned_slice_filter_ok(self._schema(), current, row_slice):
            return self
        row_filter = slice_filter(current, row_slice)  # pyiceberg binds it to the current schema
        if row_filter is None:
            return self
        if self._row_filter is not None:
            row_filter = And(self._row_filter, row_filter)
        return IcebergTable(
            self.name, self._table, self.settings, row_filter, self._appended, pinned=self._pinned
        )

    def describe(self) -> TableDescription:
        """Schema, row count and last update from the snapshot's metadata (the pinned one's, if pinned).

        A pinned snapshot's description is its own throughout: its schema, its rows, its commit
        time as `last_updated`, its id as `data_version`; `extra["pinned"]` says it is pinned.

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
        snapshot = self._snapshot()
        columns = columns_of(self._schema())
        if snapshot is None:
            return TableDescription(columns=columns, row_count=0, last_updated=None, data_version=None)
        total = snapshot.summary.get("total-records") if snapshot.summary is not None else None
        extra = {"location": self._table.location()}
        if self._pinned is not None:
            extra["pinned"] = f"snapshot {snapshot.snapshot_id}"
        return TableDescription(
            columns=columns,
            row_count=int(total) if total is not None else None,
            last_updated=datetime.fromtimestamp(snapshot.timestamp_ms / 1000, tz=UTC),
            data_version=str(snapshot.snapshot_id),
            extra=extra,
        )

    def arrow_stream(self, columns: Collection[str] | None = None) -> pa.RecordBatchReader:
        """The snapshot's rows (or some columns) the row filter keeps, one batch at a time."""
        from dq_resources.iceberg.reader import stream_table

        return stream_table(
            self._table,
            columns,
            row_filter=self._row_filter,
            only_files=self._only_files,
            snapshot_id=self._pinned_id,
        )

    def sample(self, n: int) -> pd.DataFrame:
        """The first `n` rows the row filter keeps (a scan limited at the source: no full read)."""
        from pyiceberg.expressions import AlwaysTrue

        if self._appended is not None:  # pyiceberg's limited scan cannot keep to some files
            return self._first_rows(capped_sample_size(n))
        row_filter = self._row_filter if self._row_filter is not None else AlwaysTrue()
        try:
            limit = capped_sample_size(n)
            scan = self._table.scan(row_filter=row_filter, limit=limit, snapshot_id=self._pinned_id)
            return scan.to_arrow().to_pandas()
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

        return plan_in_place(
            self._table,
            scratch,
            row_filter=self._row_filter,
            only_files=self._only_files,
            snapshot_id=self._pinned_id,
        )


def _load_catalog(source: IcebergSourceSpec) -> Catalog:
    """The source's catalog, looked for from its definition's folder, or an error naming the real cause.

    Three causes read alike from pyiceberg ("unable to open database file", "URI missing") and
    want different fixes: no configuration names the catalog (the error lists every file looked
    in), the configuration names a local sqlite database that does not exist yet (the demo's, before
    `dq demo seed`), or the catalog is configured and fails.
    """
    name = source.catalog
    try:
        found = configured_catalog(name, source.definitions_folder)
    except (CatalogNotConfigured, ValueError) as error:
        raise source_error(source.display(), str(error)) from error
    missing = _missing_sqlite_database(found)
    if missing is not None:
        from dq_resources.demo.seed import DEMO_CATALOG

        where = (
            found.shown(found.origin)
            if found.origin is not None
            else f"PYICEBERG_CATALOG__{name.upper()}__URI"
        )
        seed = "run `dq demo seed` to create the demo warehouse; " if name == DEMO_CATALOG else ""
        cause = (
            f"not found: iceberg catalog {name!r} has no database yet: {seed}"
            f"its uri in {where} names {missing}, which does not exist"
        )
        raise source_error(source.display(), cause)
    try:
        return load_found_catalog(found, source)
    except Exception as error:
        if timed_out(error):
            raise source_error(source.display(), f"catalog {name!r}", _cause(error, source)) from error
        where = found.shown(found.origin) if found.origin is not None else "PYICEBERG_CATALOG__* variables"
        unusable = f"iceberg catalog {name!r} is not usable ({error}); it is configured in {where}"
        raise source_error(source.display(), unusable) from error


def _missing_sqlite_database(found: FoundCatalog) -> Path | None:
    """The sqlite file a sql catalog names, when it does not exist (sqlite would create an empty one)."""
    database = sqlite_database(found.properties)
    return database if database is not None and not database.exists() else None


def _cause(error: BaseException, source: IcebergSourceSpec) -> str:
    """The error's text, said to be a timeout (with the setting that bounds it) when it is one.

    A driver's error wrapped by SQLAlchemy (a sql catalog) is given as the driver said it.
    """
    from sqlalchemy.exc import DBAPIError

    text = str(error.orig).strip() if isinstance(error, DBAPIError) else str(error)
    if timed_out(error):
        return f"timed out (connect_timeout_seconds is {source.connect_timeout_seconds:g}): {text}"
    return text
