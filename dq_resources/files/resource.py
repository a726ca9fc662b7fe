"""The file source resource: Parquet, CSV, JSON and Excel files, local or on S3.

A file is streamed once, as Arrow batches, into the local DuckDB engine, as Iceberg tables
are: memory stays bounded by the scan settings, not by the file's size. An S3 object is
first downloaded, streamed to a scratch folder that goes away with the table.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING

from dq_checks.config.sources import FileSourceSpec
from dq_checks.schema import TableDescription
from dq_resources.files.arrow_types import arrow_columns
from dq_resources.files.location import FileLocation, FileVersion, location_for
from dq_resources.files.scratch import Scratch
from dq_resources.source_contract.errors import SourceError, source_error
from dq_resources.source_contract.local_scan import LocalScanResource, LocalScanTable
from dq_resources.source_contract.table import capped_sample_size

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from dq_resources.engines import LocalScanSettings
    from dq_resources.engines.parquet_scan import CopyInstead, ParquetScan
    from dq_resources.files.duckdb_reader import TextOptions
    from dq_resources.files.streams import FormatReader


class FileSourceResource(LocalScanResource):
    """Opens Parquet, CSV, JSON and Excel files, on this machine or on `s3://`.

    The scan settings bound the local DuckDB engine that profiles the data, as for Iceberg.
    S3's endpoint and region default to the AWS environment (`AWS_ENDPOINT_URL_S3`,
    `AWS_DEFAULT_REGION`); credentials always come from the usual AWS chain. Each S3 call is
    bounded by the source's `connect_timeout_seconds`.
    """

    s3_endpoint_url: str | None = None
    s3_region: str | None = None

    def open(self, source: FileSourceSpec) -> FileTable:
        """Locate the file (a stat, or a HEAD on S3), or raise SourceError naming it and the cause."""
        from dq_resources.files.s3 import s3_client

        endpoint, region = self.s3_endpoint_url, self.s3_region
        location = location_for(
            source.path, source.display(), lambda: s3_client(endpoint, region, source), source
        )
        location.check()
        return FileTable(source, location, self.scan_settings(source.timeout_seconds))


class FileTable(LocalScanTable):
    """One file, as it is when first read. An S3 object is downloaded once and kept until `close()`."""

    def __init__(self, spec: FileSourceSpec, location: FileLocation, settings: LocalScanSettings) -> None:
        self.name = spec.display()
        self.spec = spec
        self._location = location
        self.settings = settings
        self._scratch = Scratch()
        self._failure = _LastFailure()
        self._reader: FormatReader | None = None
        self._version: FileVersion | None = None

    @property
    def stream_failure(self) -> SourceError | None:
        """The error this table's last stream hit, as a clean SourceError (DuckDB wraps it in its own)."""
        return self._failure.error

    def describe(self) -> TableDescription:
        """Schema, row count (Parquet footer, or the Excel sheet's count) and the file's last change."""
        reader = self._open_reader()
        version = self._version
        assert version is not None
        return TableDescription(
            columns=arrow_columns(reader.schema()),
            row_count=reader.row_count(),
            last_updated=version.modified,
            data_version=version.version,
            extra={
                "location": self.spec.path,
                "format": self.spec.file_format,
                "size_bytes": str(version.size),
            },
        )

    def arrow_stream(self, columns: Collection[str] | None = None) -> pa.RecordBatchReader:
        """The file's rows (or some columns), one batch at a time; never the whole file in memory."""
        self._failure.error = None
        return self._open_reader().stream(columns)

    def sample(self, n: int) -> pd.DataFrame:
        """The file's first `n` rows (capped at MAX_SAMPLE_ROWS); reading stops once they are in."""
        import pyarrow as pa

        wanted = capped_sample_size(n)
        reader = self.arrow_stream()
        batches, taken = [], 0
        try:
            while taken < wanted:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    break
                batches.append(batch.slice(0, wanted - taken))
                taken += min(batch.num_rows, wanted - taken)
        finally:
            reader.close()
        return pa.Table.from_batches(batches, schema=reader.schema).to_pandas()

    def in_place_plan(self, scratch: Callable[[], Path]) -> ParquetScan | CopyInstead:
        """A Parquet file of plain types reads where it is (S3's after its download); others are copied."""
        from dq_resources.engines.parquet_scan import CopyInstead

        reader = self._open_reader()
        if self.spec.file_format != "parquet":
            return CopyInstead(f"{self.spec.file_format} is parsed once, not at every pass")
        from dq_resources.files.parquet_reader import ParquetReader

        assert isinstance(reader, ParquetReader)
        return reader.in_place_scan()

    def close(self) -> None:
        """Remove the downloaded copy and any scratch files now, rather than when collected."""
        self._reader = None
        self._scratch.remove()

    def _open_reader(self) -> FormatReader:
        """The reader for the file's format, over a local copy of the current version."""
        if self._reader is None:
            path, version = self._location.fetch(self._scratch.directory)
            if version.size == 0:
                raise source_error(self.name, "cannot read data", "the file is empty")
            self._version = version
            self._reader = self._reader_for(path)
        return self._reader

    def _reader_for(self, path: Path) -> FormatReader:
        spec, remember = self.spec, self._failure.remember
        file_format = spec.file_format
        if file_format == "parquet":
            from dq_resources.files.parquet_reader import ParquetReader

            return ParquetReader(path, self.name, remember)
        if file_format == "xlsx":
            from dq_resources.files.excel_reader import ExcelReader

            return ExcelReader(path, self.name, spec.sheet, spec.header, remember)
        from dq_resources.files.duckdb_reader import DuckDBFileReader, ReaderLimits

        path, options = self._text_options(path)
        scratch = self._scratch
        limits = ReaderLimits(
            self.settings.load_limit(), self.settings.threads, lambda: scratch.subdirectory("spill")
        )
        return DuckDBFileReader(
            path, self.name, shown_path=spec.path, options=options, limits=limits, on_failure=remember
        )

    def _text_options(self, path: Path) -> tuple[Path, TextOptions]:
        """How DuckDB reads the file; one in an encoding DuckDB lacks is re-encoded to UTF-8 first."""
        from dq_resources.files.duckdb_reader import TextOptions
        from dq_resources.files.encoding import canonical_encoding, duckdb_encoding, transcode_to_utf8

        spec = self.spec
        encoding = canonical_encoding(spec.encoding or "utf-8", self.name)
        native = duckdb_encoding(encoding)
        if native is None or (spec.file_format == "json" and native != "utf-8"):
            utf8 = self._scratch.directory() / f"utf8-{path.name}"
            transcode_to_utf8(path, utf8, encoding, self.name)
            path, native, encoding = utf8, "utf-8", "utf-8"
        default_delimiter = "\t" if spec.path.lower().endswith(".tsv") else ","
        options = TextOptions(
            file_format=spec.file_format,
            delimiter=spec.delimiter or default_delimiter,
            header=spec.header,
            encoding=None if native == "utf-8" else native,
            python_encoding=encoding,
        )
        return path, options


class _LastFailure:
    """The clean SourceError a stream hit; kept apart from the table so readers do not hold the table."""

    def __init__(self) -> None:
        self.error: SourceError | None = None

    def remember(self, error: SourceError) -> None:
        self.error = error
