"""The `duckdb` source: a table in a DuckDB database file (dbt-duckdb's output), or in MotherDuck.

The check step attaches the database READ_ONLY to its local engine and reads the table where it
is, through a view: nothing is copied, every pass reads DuckDB's own columnar storage, and the
engine's limits (memory, threads, the statement time limit, no external access once sealed)
apply as for a Parquet file. Read-only, dq can change nothing, and it never takes the write lock
a writer (dbt) needs, though DuckDB refuses a reader while another process holds that lock: that
is a SourceError naming the file, as is a missing file or table.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from dq_checks.config.sources import DuckDBSourceSpec
from dq_checks.schema import TableDescription
from dq_resources.files.arrow_types import arrow_columns
from dq_resources.source_contract.errors import SourceError, source_error
from dq_resources.source_contract.local_scan import LocalScanResource, LocalScanTable
from dq_resources.source_contract.table import capped_sample_size

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    import pyarrow as pa

    from dq_resources.engines import LocalDuckDB, LocalScanSettings
    from dq_resources.engines.parquet_scan import CopyInstead, ParquetScan
    from dq_resources.source_contract.table import ReferenceRequest

MOTHERDUCK_PREFIX = "md:"


class DuckDBDatabaseResource(LocalScanResource):
    """Opens tables in DuckDB database files; the scan settings bound the engine that reads them."""

    def open(self, source: DuckDBSourceSpec) -> DuckDBDatabaseTable:
        """Locate the database and the table in it, or raise SourceError naming them and the cause."""
        table = DuckDBDatabaseTable(source, self.scan_settings(source.timeout_seconds))
        table.describe()
        return table


class DuckDBDatabaseTable(LocalScanTable):
    """One table of a DuckDB database, read where it is."""

    def __init__(self, spec: DuckDBSourceSpec, settings: LocalScanSettings) -> None:
        self.name = spec.display()
        self.spec = spec
        self.settings = settings
        self.relation = _relation(spec)

    def describe(self) -> TableDescription:
        """The columns, the exact row count (DuckDB keeps it per row group) and the file's last change.

        The database file's modification time is the last update: DuckDB keeps no time per table.
        Its size and modification time are the data version, so an unchanged file is not profiled
        again. MotherDuck has neither, so both stay unknown there.
        """
        with self._connection() as connection:
            query = exp.select(exp.Star()).from_(self.relation.copy()).limit(0)
            try:
                schema = _arrow_table(connection.sql(query.sql(dialect="duckdb"))).schema
                (rows,) = connection.execute(  # type: ignore[misc]
                    exp.select("count(*)").from_(self.relation.copy()).sql(dialect="duckdb")
                ).fetchone()
            except Exception as error:
                raise self._failure(error) from None
        modified, version = _file_version(self.spec.path)
        return TableDescription(
            columns=arrow_columns(schema),
            row_count=int(rows),
            last_updated=modified,
            data_version=version,
            extra={"location": self.spec.path},
        )

    @contextmanager
    def query_runner(self, references: Sequence[ReferenceRequest] = ()) -> Iterator[LocalDuckDB]:
        """The engine with this table attached; references in the same database are read there too."""
        elsewhere = [r for r in references if not self._beside(r.table)]
        with super().query_runner(elsewhere) as engine:
            for request in references:
                if self._beside(request.table):
                    assert isinstance(request.table, DuckDBDatabaseTable)
                    engine.references[request.name] = _attached(request.table.relation)
            yield engine

    def _beside(self, other: object) -> bool:
        return isinstance(other, DuckDBDatabaseTable) and other.spec.path == self.spec.path

    def arrow_stream(self, columns: Collection[str] | None = None) -> pa.RecordBatchReader:
        """The table's rows (or the columns asked for), for a rule of a table in another database.

        They are read whole into memory, then handed over: the connection closes before the
        reader is drained, so the file is never held open by a reference.
        """
        import pyarrow as pa

        selected = [exp.column(c, quoted=True) for c in columns] if columns is not None else [exp.Star()]
        query = exp.select(*selected).from_(self.relation.copy()).sql(dialect="duckdb")
        with self._connection() as connection:
            try:
                table = _arrow_table(connection.sql(query))
            except Exception as error:
                raise self._failure(error) from None
        return pa.RecordBatchReader.from_batches(table.schema, table.to_batches())

    def sample(self, n: int) -> pd.DataFrame:
        """At most `n` rows (capped at MAX_SAMPLE_ROWS), read with a LIMIT."""
        query = exp.select(exp.Star()).from_(self.relation.copy()).limit(capped_sample_size(n))
        with self._connection() as connection:
            try:
                return connection.execute(query.sql(dialect="duckdb")).fetchdf()
            except Exception as error:
                raise self._failure(error) from None

    def in_place_plan(self, scratch: Callable[[], Path]) -> ParquetScan | CopyInstead:
        """Never used: the database is attached (`_fill`), which reads it in place whatever its types."""
        from dq_resources.engines.parquet_scan import CopyInstead

        return CopyInstead("a DuckDB database is attached, not read as Parquet")

    def _fill(self, engine: LocalDuckDB) -> None:
        """Attach the database read-only and make the table the engine's view of it."""
        try:
            engine.read_attached(self.spec.path, _attached(self.relation))
        except Exception as error:
            raise self._failure(error) from None

    @contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection for one unit of work, closed after it so no lock outlives it."""
        import duckdb

        path = self.spec.path
        if not path.startswith(MOTHERDUCK_PREFIX) and not Path(path).is_file():
            raise source_error(self.name, "no such database file")
        try:
            connection = duckdb.connect(path, read_only=True)
        except Exception as error:
            raise source_error(self.name, "cannot open the database", _first_line(error)) from None
        try:
            yield connection
        finally:
            connection.close()

    def _failure(self, error: BaseException) -> SourceError:
        if isinstance(error, SourceError):
            return error
        text = _first_line(error)
        if "does not exist" in text and "Table" in text:
            return source_error(self.name, "table not found")
        return source_error(self.name, "cannot read data", text)


def _attached(relation: exp.Table) -> exp.Table:
    """`relation` as the engine names it: in the database attached under ATTACHED_DATABASE."""
    from dq_resources.engines.local_duckdb import ATTACHED_DATABASE

    return exp.table_(relation.name, db=relation.db or None, catalog=ATTACHED_DATABASE, quoted=True)


def _relation(spec: DuckDBSourceSpec) -> exp.Table:
    """`spec.table` as a quoted relation; a catalog part must be the database's own name."""
    *qualifiers, table = spec.table.split(".")
    catalog, schema = ([""] * (2 - len(qualifiers)) + qualifiers)[-2:]
    if catalog and not spec.path.startswith(MOTHERDUCK_PREFIX) and catalog != Path(spec.path).stem:
        raise source_error(
            spec.display(),
            f"table names the database {catalog!r}, but the file is database {Path(spec.path).stem!r}",
        )
    return exp.table_(table, db=schema or None, catalog=catalog or None, quoted=True)


def _file_version(path: str) -> tuple[datetime | None, str | None]:
    """The database file's (and its write-ahead log's) latest change, and a version from both."""
    if path.startswith(MOTHERDUCK_PREFIX):
        return None, None
    stats = [Path(p).stat() for p in (path, f"{path}.wal") if Path(p).is_file()]
    latest = max(stat.st_mtime_ns for stat in stats)
    size = sum(stat.st_size for stat in stats)
    return datetime.fromtimestamp(latest / 1e9, tz=UTC), f"{size}-{latest}"


def _arrow_table(relation: Any) -> pa.Table:
    """The relation's whole result as Arrow (DuckDB 2 `to_arrow_table`, DuckDB 1 `fetch_arrow_table`)."""
    read = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
    return read()


def _first_line(error: BaseException) -> str:
    from dq_checks.error_text import first_line

    return first_line(error)
