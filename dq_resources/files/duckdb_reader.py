"""CSV and JSON files through DuckDB's own readers, in an in-memory DuckDB of their own.

DuckDB detects the column types from the first rows (its sniffer sample) and streams the
rest: memory stays at a few batches however big the file is. Its errors are cut down to
the line and the cause; the offending row itself is left out, since it may hold personal data.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dq_resources.files.streams import BATCH_ROWS, guarded_reader, project
from dq_resources.source_contract.errors import SourceError, source_error

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class TextOptions:
    """How to read a CSV or JSON file. `encoding` is DuckDB's name for it; None is UTF-8."""

    file_format: str
    delimiter: str = ","
    header: bool = True
    encoding: str | None = None
    python_encoding: str = "utf-8"


@dataclass(frozen=True)
class ReaderLimits:
    """Bounds for the reading DuckDB: its memory, its threads (0: DuckDB's default), its spill folder."""

    memory_limit: str
    threads: int
    spill_directory: Callable[[], Path]


class DuckDBFileReader:
    """One CSV or JSON file, read by DuckDB's `read_csv` or `read_json`."""

    def __init__(
        self,
        path: Path,
        source: str,
        *,
        shown_path: str,
        options: TextOptions,
        limits: ReaderLimits,
        on_failure: Callable[[SourceError], None] | None = None,
    ) -> None:
        self.path = path
        self.source = source
        self.shown_path = shown_path
        self.options = options
        self.limits = limits
        self._on_failure = on_failure
        self._schema: pa.Schema | None = None

    def schema(self) -> pa.Schema:
        """The columns and types DuckDB's sniffer detects (it reads only the first rows)."""
        if self._schema is None:
            connection = self._connect()
            try:
                reader = self._open(connection, "SELECT * FROM {scan} LIMIT 0")
                self._schema = reader.schema
            finally:
                connection.close()
        return self._schema

    def row_count(self) -> None:
        """Unknown until the file is read."""
        return None

    def stream(self, columns: Collection[str] | None = None) -> pa.RecordBatchReader:
        """The rows (or some columns), a batch at a time, in the file's order."""
        schema = self.schema()
        names = project(schema, columns, self.source)
        select = "*" if columns is None or not names else ", ".join(_quoted(n) for n in names)
        connection = self._connect()
        try:
            reader = self._open(connection, f"SELECT {select} FROM {{scan}}")
        except BaseException:
            connection.close()
            raise

        def batches() -> Iterator[pa.RecordBatch]:
            try:
                yield from reader
            finally:
                connection.close()

        return guarded_reader(reader.schema, batches(), self._error, self._on_failure)

    def _connect(self) -> Any:
        import duckdb

        config: dict[str, Any] = {
            "memory_limit": self.limits.memory_limit,
            "temp_directory": str(self.limits.spill_directory()),
        }
        if self.limits.threads > 0:
            config["threads"] = self.limits.threads
        return duckdb.connect(":memory:", config=config)

    def _open(self, connection: Any, template: str) -> pa.RecordBatchReader:
        scan, params = self._scan()
        try:
            return _arrow_reader(connection.sql(template.format(scan=scan), params=params))
        except Exception as error:  # the sniffer failed, a bad encoding, a malformed first rows
            raise self._error(error) from error

    def _scan(self, diagnostic_columns: int | None = None) -> tuple[str, list[Any]]:
        """The table function call and its parameters; the file name is always a parameter."""
        if self.options.file_format == "json":
            return "read_json(?)", [str(self.path)]
        # skip = 0: DuckDB would otherwise guess leading rows to skip, and drop real rows unseen.
        arguments = ["?", "delim = ?", "header = ?", "skip = 0"]
        params: list[Any] = [str(self.path), self.options.delimiter, self.options.header]
        if self.options.encoding is not None:
            arguments.append("encoding = ?")
            params.append(self.options.encoding)
        if diagnostic_columns is not None:
            names = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(diagnostic_columns))
            arguments += ["auto_detect = false", f"columns = {{{names}}}"]
        return f"read_csv({', '.join(arguments)})", params

    def _error(self, error: Exception) -> SourceError:
        """A SourceError with DuckDB's cause, and the line when DuckDB can tell it."""
        text = str(error)
        if self.options.file_format == "csv" and "sniffing" in text:
            text = self._diagnose() or text
        return source_error(
            self.source, "cannot read data", duckdb_reason(text, str(self.path), self.shown_path)
        )

    def _diagnose(self) -> str | None:
        """Why the sniffer gave up, found by reading every field as text: DuckDB then names the line."""
        width = _first_record_width(self.path, self.options.delimiter, self.options.python_encoding)
        if not width:
            return None
        connection = self._connect()
        try:
            scan, params = self._scan(diagnostic_columns=width)
            for _batch in _arrow_reader(connection.sql(f"SELECT * FROM {scan}", params=params)):
                pass
        except Exception as error:  # the error we are looking for
            return str(error) if _CSV_LINE.search(str(error)) else None
        finally:
            connection.close()
        return None


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_ERROR_PREFIX = re.compile(r"^(?:[A-Z][A-Za-z ]*Error|Error): ")
_ADVICE = re.compile(r"\n\s*(?:Possible (?:fixes|solutions?|Solution)|LINE \d+:)", re.IGNORECASE)
_REASONS = (
    "Expected Number of Columns",
    "Error when converting",
    "Could not convert",
    "Value with unterminated quote",
    "Invalid unicode",
    "Maximum line size",
)


def duckdb_reason(text: str, local_path: str, shown_path: str) -> str:
    """DuckDB's error cut to its cause: `line 5: Expected Number of Columns: 3 Found: 4`."""
    text = _ADVICE.split(text.replace(local_path, shown_path), maxsplit=1)[0]
    lines = [line.strip() for line in text.splitlines()]
    match = _CSV_LINE.search(text)
    if match is None:
        paragraph = []
        for line in lines:
            if not line and paragraph:
                break
            if line:
                paragraph.append(line)
        return _ERROR_PREFIX.sub("", " ".join(paragraph)).strip()
    reason = next((line for line in lines if line.startswith(_REASONS)), "the row does not parse as CSV")
    if "auto-detected" in text:
        reason += " (column types are detected from the first rows of the file)"
    elif reason.startswith("Invalid unicode"):
        reason += " (set `encoding:` in the source)"
    return f"line {match.group(1)}: {reason}"


def _first_record_width(path: Path, delimiter: str, encoding: str) -> int | None:
    try:
        with path.open(encoding=encoding, newline="", errors="replace") as text:
            record = next(csv.reader(text, delimiter=delimiter), None)
    except (OSError, csv.Error, LookupError):
        return None
    return len(record) if record else None


def _arrow_reader(relation: Any) -> pa.RecordBatchReader:
    """Run the relation and stream its result (DuckDB 2 `to_arrow_reader`, DuckDB 1 `fetch_record_batch`)."""
    reader = getattr(relation, "to_arrow_reader", None) or relation.fetch_record_batch
    return reader(BATCH_ROWS)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
